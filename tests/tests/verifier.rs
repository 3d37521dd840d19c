//! `keyward-verifier` against both servers: tokens either one signs verify in a service
//! that is not the auth server; tampered, unsigned, expired, foreign-audience and
//! other-server tokens are refused; a rotated key is fetched when its first token
//! arrives, the old key's tokens verify through their grace period, and a removed key's
//! tokens stop verifying once the keys are fetched again; session tokens are asked of the
//! auth server once per credential and cache period, however many callers ask at once.

use std::time::Duration;

use keyward_client::AuthClient;
use keyward_client::wire::JsonWebToken;
use keyward_server::config::JwtConfig;
use keyward_server::db::Exec;
use keyward_server::{Auth, args};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{BetterAuthServer, Database, JwtOptions, Peer, PeerOptions, TestServer, peer_test};
use keyward_verifier::{Verifier, VerifyError};
use serde_json::{Map, json};
use url::Url;

const PASSWORD: &str = "correct-horse-battery";

fn verifier(auth_url: &Url) -> Verifier {
    Verifier::builder(auth_url.clone()).build().expect("a verifier")
}

/// Signs Ada up at `client`'s server and answers her id and a token of her session.
async fn ada_token(client: &AuthClient) -> (String, JsonWebToken) {
    let ada = client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    (ada.user.id, client.jwt().token().await.expect("a token"))
}

fn invalid<T: std::fmt::Debug>(result: Result<T, VerifyError>) -> VerifyError {
    result.expect_err("refused")
}

/// `token` with its claims replaced by `claims` (the signature left as it was).
fn with_claims(token: &str, claims: &serde_json::Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = keyward_server::crypto::base64url(claims.to_string().as_bytes());
    parts.join(".")
}

peer_test! {
    async fn a_servers_tokens_verify_and_forgeries_do_not(kind) {
        let _record = against_better_auth(kind, &[flows::JWT]);
        let peer = Peer::start(kind, PeerOptions { plugins: vec!["jwt"], ..PeerOptions::default() }).await;
        let client = peer.client();
        let (ada, token) = ada_token(&client).await;
        let service = verifier(&peer.url());
        let caller = service.verify_jwt(token.expose()).await.expect("verifies");
        assert_eq!(caller.user_id, ada);
        assert_eq!(caller.claims["email"], "ada@example.com");
        client.get_session().await.expect("asks");
        let from_header = client.jwt().latest().expect("set-auth-jwt");
        assert_eq!(service.verify_jwt(from_header.expose()).await.expect("verifies").user_id, ada);
        assert_eq!(service.key_fetches(), 1, "the keys are fetched once and cached");

        let claims = caller.claims.clone();
        let mut forged = serde_json::Value::Object(claims.clone());
        forged["sub"] = json!("someone-else");
        assert!(matches!(invalid(service.verify_jwt(&with_claims(token.expose(), &forged)).await), VerifyError::Invalid(_)));
        let header = serde_json::json!({"alg": "none", "kid": jsonwebtoken::decode_header(token.expose()).expect("JWS").kid});
        let payload = token.expose().split('.').nth(1).expect("claims");
        let unsigned = format!("{}.{payload}.", keyward_server::crypto::base64url(header.to_string().as_bytes()));
        assert!(service.verify_jwt(&unsigned).await.is_err(), "alg none");
        assert!(matches!(invalid(service.verify_jwt("not.a.token").await), VerifyError::Malformed));
        let elsewhere = Verifier::builder(peer.url()).audience("https://api.example.com").build().expect("verifier");
        assert!(matches!(invalid(elsewhere.verify_jwt(token.expose()).await), VerifyError::Invalid(_)), "another audience");
    }
}

peer_test! {
    async fn es512_tokens_verify_and_forgeries_do_not(kind) {
        let _record = against_better_auth(kind, &[flows::JWT]);
        let options = PeerOptions {
            plugins: vec!["jwt"],
            jwt: JwtOptions { algorithm: Some("ES512") },
            ..PeerOptions::default()
        };
        let peer = Peer::start(kind, options).await;
        let client = peer.client();
        let (ada, token) = ada_token(&client).await;
        let keys = client.jwt().jwks().await.expect("the key set");
        assert_eq!((keys.keys[0].alg.as_str(), keys.keys[0].kty.as_str()), ("ES512", "EC"));
        assert_eq!(keys.keys[0].crv.as_deref(), Some("P-521"));
        let service = verifier(&peer.url());
        let caller = service.verify_jwt(token.expose()).await.expect("verifies");
        assert_eq!(caller.user_id, ada);
        assert_eq!(caller.claims["email"], "ada@example.com");

        let mut forged = serde_json::Value::Object(caller.claims.clone());
        forged["sub"] = json!("someone-else");
        assert!(matches!(invalid(service.verify_jwt(&with_claims(token.expose(), &forged)).await), VerifyError::Invalid(_)));
        let kid = keyward_verifier::jose::key_id(token.expose()).expect("a kid");
        let payload = token.expose().split('.').nth(1).expect("claims");
        for alg in ["none", "ES256", "HS512"] {
            let header = json!({"alg": alg, "kid": kid});
            let signature = token.expose().rsplit('.').next().expect("a signature");
            let relabelled = format!("{}.{payload}.{signature}", keyward_server::crypto::base64url(header.to_string().as_bytes()));
            assert!(service.verify_jwt(&relabelled).await.is_err(), "alg {alg}");
        }
        let elsewhere = Verifier::builder(peer.url()).audience("https://api.example.com").build().expect("verifier");
        assert!(matches!(invalid(elsewhere.verify_jwt(token.expose()).await), VerifyError::Invalid(_)), "another audience");
    }
}

/// A token of one server is no token of another (its key is not published there), and
/// forged `kid`s fetch the keys at most once per interval.
#[tokio::test]
async fn another_servers_tokens_are_refused_without_flooding_it() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| config.jwt = Some(JwtConfig::default())).await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["jwt"], &[]).await;
    let (_, foreign) = ada_token(&AuthClient::builder(better_auth.url.clone()).build().expect("client")).await;
    let (_, own) = ada_token(&AuthClient::builder(keyward.url.clone()).build().expect("client")).await;
    let service = verifier(&keyward.url);
    service.verify_jwt(own.expose()).await.expect("verifies");
    for _ in 0..5 {
        assert!(matches!(
            invalid(service.verify_jwt(foreign.expose()).await),
            VerifyError::UnknownKey
        ));
    }
    assert_eq!(
        service.key_fetches(),
        1,
        "unknown kids within the interval fetch nothing"
    );
}

/// better-auth's expired token (a one-second lifetime) is refused.
#[tokio::test]
async fn an_expired_token_is_refused() {
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["jwt"], &[("JWT_EXPIRATION_TIME", "1s")]).await;
    let (_, token) = ada_token(&AuthClient::builder(better_auth.url.clone()).build().expect("client")).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let error = invalid(verifier(&better_auth.url).verify_jwt(token.expose()).await);
    assert!(
        matches!(&error, VerifyError::Invalid(reason) if reason.contains("xpired")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_rotated_key_is_fetched_and_a_removed_one_stops_verifying() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.jwt = Some(JwtConfig::default().rotation_interval(Duration::from_secs(3600)))
    })
    .await;
    let client = AuthClient::builder(keyward.url.clone()).build().expect("client");
    let (ada, first) = ada_token(&client).await;
    let service = Verifier::builder(keyward.url.clone())
        .min_refresh_interval(Duration::ZERO)
        .build()
        .expect("verifier");
    service.verify_jwt(first.expose()).await.expect("verifies");

    // The key expires: the next token is signed by a new key, unknown to the cache.
    let mut db = Auth::db(&keyward.auth).clone();
    let first_kid = jsonwebtoken::decode_header(first.expose())
        .expect("JWS")
        .kid
        .expect("kid");
    db.execute(
        r#"update "jwks" set "expiresAt" = $1 where "id" = $2"#,
        args![chrono::Utc::now() - chrono::Duration::seconds(1), first_kid.as_str()],
    )
    .await
    .expect("expires the key");
    let second = client.jwt().token().await.expect("a token");
    assert_ne!(
        jsonwebtoken::decode_header(second.expose()).expect("JWS").kid,
        Some(first_kid.clone())
    );
    assert_eq!(
        service.verify_jwt(second.expose()).await.expect("verifies").user_id,
        ada
    );
    assert_eq!(service.key_fetches(), 2, "the new kid fetched the keys again");
    service
        .verify_jwt(first.expose())
        .await
        .expect("the old key is in its grace period");

    // Removed from the server: refused once the keys are fetched again.
    db.execute(r#"delete from "jwks" where "id" = $1"#, args![first_kid.as_str()])
        .await
        .expect("removes the key");
    let fresh = Verifier::builder(keyward.url.clone())
        .max_key_age(Duration::ZERO)
        .build()
        .expect("verifier");
    assert!(matches!(
        invalid(fresh.verify_jwt(first.expose()).await),
        VerifyError::UnknownKey
    ));
    fresh
        .verify_jwt(second.expose())
        .await
        .expect("the current key verifies");

    // A token the server signed for another audience is refused.
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(ada));
    claims.insert("aud".into(), json!("https://other.example.com"));
    let other = keyward.auth.api().sign_jwt(claims).await.expect("signs");
    assert!(matches!(
        invalid(fresh.verify_jwt(other.expose()).await),
        VerifyError::Invalid(_)
    ));
}

peer_test! {
    async fn session_tokens_are_asked_once_and_cached_for_their_ttl(kind) {
        let peer = Peer::start(kind, PeerOptions { plugins: vec!["jwt"], ..PeerOptions::default() }).await;
        let client = peer.client();
        let (ada, jwt) = ada_token(&client).await;
        let session = client.token().expect("reads").expect("a session token");
        let bearer = format!("Bearer {}", session.expose());
        let jwt_only = verifier(&peer.url());
        assert!(matches!(
            invalid(jwt_only.verify_headers(Some(&bearer), None).await),
            VerifyError::SessionsNotAccepted
        ));
        let service = Verifier::builder(peer.url())
            .accept_sessions(Duration::from_secs(60))
            .build()
            .expect("verifier");
        let caller = service.verify_headers(Some(&bearer), None).await.expect("a live session");
        assert_eq!(caller.user_id, ada);
        assert_eq!(caller.claims["email"], "ada@example.com");
        assert!(caller.session.is_some());
        let by_jwt = service.verify_headers(Some(&format!("Bearer {}", jwt.expose())), None).await.expect("a JWT too");
        assert_eq!((by_jwt.user_id, by_jwt.session), (ada.clone(), None));

        // Many callers at once with one credential: one request to the auth server.
        let other = AuthClient::builder(peer.url()).build().expect("client");
        other.sign_up().email("Bob", "bob@example.com", PASSWORD).await.expect("signs up");
        let bob = format!("Bearer {}", other.token().expect("reads").expect("token").expose());
        let before = service.session_fetches();
        let checks = (0..10).map(|_| service.verify_headers(Some(&bob), None));
        for checked in futures::future::join_all(checks).await {
            assert_eq!(checked.expect("Bob").claims["email"], "bob@example.com");
        }
        assert_eq!(service.session_fetches(), before + 1, "coalesced into one get-session");
        service.verify_headers(Some(&bearer), None).await.expect("cached");
        assert_eq!(service.session_fetches(), before + 1, "Ada's answer is cached");

        // Signed out: refused by a verifier that asks again.
        client.sign_out().await.expect("signs out");
        let strict = Verifier::builder(peer.url()).accept_sessions(Duration::ZERO).build().expect("verifier");
        assert!(matches!(invalid(strict.verify_headers(Some(&bearer), None).await), VerifyError::NoSession));
        assert!(matches!(invalid(strict.verify_headers(None, None).await), VerifyError::Malformed));
    }
}

peer_test! {
    async fn a_browsers_session_cookie_is_a_caller_too(kind) {
        let peer = Peer::start(kind, PeerOptions { plugins: vec!["jwt"], ..PeerOptions::default() }).await;
        let origin = peer.url().origin().ascii_serialization();
        let signed_up = reqwest::Client::new()
            .post(peer.url().join("api/auth/sign-up/email").expect("url"))
            .header("origin", &origin)
            .json(&json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await
            .expect("signs up");
        let cookie = signed_up
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|line| line.to_str().ok())
            .find(|line| line.starts_with("better-auth.session_token="))
            .and_then(|line| line.split(';').next())
            .expect("the session cookie")
            .to_owned();
        let service = Verifier::builder(peer.url())
            .accept_sessions(Duration::from_secs(60))
            .build()
            .expect("verifier");
        let caller = service
            .verify_headers(None, Some(&format!("theme=dark; {cookie}")))
            .await
            .expect("the cookie's session");
        assert_eq!(caller.claims["email"], "ada@example.com");
        let forged = cookie.replace("session_token=", "session_token=x");
        assert!(matches!(
            invalid(service.verify_headers(None, Some(&forged)).await),
            VerifyError::NoSession
        ));
        assert!(matches!(
            invalid(verifier(&peer.url()).verify_headers(None, Some(&cookie)).await),
            VerifyError::Malformed
        ), "without accept_sessions a cookie is no credential");
    }
}
