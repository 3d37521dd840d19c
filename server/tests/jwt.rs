//! The jwt plugin: `/token`, `/jwks`, the `set-auth-jwt` header of `/get-session`, the
//! `jwks` rows as better-auth writes them (encrypted private keys, `kid` = row id), each
//! signing algorithm, the claim options, and key rotation with its grace period.

use crate::common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{Backend, Client, ORIGIN, TestApp};
use keyward_client::wire::{PublicJwk, SessionData};
use keyward_server::config::{JwtConfig, JwtKeyAlgorithm};
use keyward_verifier::jose::{ExpectedClaims, VerifyingKey};
use serde_json::{Map, Value, json};

const PASSWORD: &str = "correct-horse-battery";

async fn app(backend: Backend, options: JwtConfig) -> TestApp {
    TestApp::with(backend, |config| config.jwt = Some(options)).await
}

/// The key set `/jwks` publishes.
async fn jwks(app: &TestApp) -> Vec<Value> {
    let answer = app.get("/jwks").send().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["keys"].as_array().expect("keys").clone()
}

/// `token`'s header (as JSON) and claims, checked against the key of `/jwks` its `kid`
/// names.
async fn verified(app: &TestApp, token: &str, audience: &str) -> (Value, Map<String, Value>) {
    let encoded = token.split('.').next().expect("a header");
    let header: Value =
        serde_json::from_slice(&keyward_server::crypto::decode_base64_any(encoded).expect("base64url")).expect("JSON");
    let kid = header["kid"].as_str().expect("a kid");
    let keys = jwks(app).await;
    let key = keys.iter().find(|key| key["kid"] == kid).expect("the kid is published");
    let published: PublicJwk = serde_json::from_value(key.clone()).expect("a JWK");
    let verifying = VerifyingKey::from_published(&published).expect("a key of the plugin's algorithms");
    let expected = ExpectedClaims {
        issuers: vec![ORIGIN.to_owned()],
        audiences: vec![audience.to_owned()],
        required: &["exp", "sub", "iat"],
    };
    let claims = keyward_verifier::jose::verify(token, &verifying, &expected).expect("the token verifies");
    (header, claims)
}

async fn token(app: &TestApp, client: &Client) -> String {
    let answer = app.get("/token").cookies(client).send().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["token"].as_str().expect("a token").to_owned()
}

/// The rows of the `jwks` table: (id, publicKey, privateKey, alg, crv).
async fn rows(app: &TestApp) -> Vec<(String, String, String, Option<String>, Option<String>)> {
    app.sql_rows(
        r#"select "id", "publicKey", "privateKey", "alg", "crv" from "jwks" order by "createdAt""#,
        keyward_server::args![],
    )
    .await
    .iter()
    .map(|row| {
        (
            row.text("id").expect("id"),
            row.text("publicKey").expect("publicKey"),
            row.text("privateKey").expect("privateKey"),
            row.opt_text("alg").expect("alg"),
            row.opt_text("crv").expect("crv"),
        )
    })
    .collect()
}

on_both_databases! {
    async fn a_sessions_token_carries_the_user_and_verifies_with_the_published_key(backend: Backend) {
        let app = app(backend, JwtConfig::default()).await;
        app.get("/token").send().await.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let signed = token(&app, &ada).await;
        let (header, claims) = verified(&app, &signed, ORIGIN).await;
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header.as_object().map(Map::len), Some(2), "better-auth's header is {{alg, kid}}: {header}");
        let me = app.get("/get-session").cookies(&ada).send().await;
        let session: SessionData = serde_json::from_value(me.json()).expect("a session");
        assert_eq!(claims["sub"], session.user.id.as_str());
        assert_eq!(claims["id"], session.user.id.as_str());
        assert_eq!(claims["email"], "ada@example.com");
        assert_eq!(claims["emailVerified"], false);
        assert_eq!(claims["iss"], ORIGIN);
        assert_eq!(claims["aud"], ORIGIN);
        assert_eq!(claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"), 900);

        // One row, as better-auth writes it: kid = id, the private JWK encrypted.
        let stored = rows(&app).await;
        assert_eq!(stored.len(), 1);
        let (id, public, private, alg, crv) = &stored[0];
        assert_eq!(header["kid"], id.as_str());
        assert_eq!((alg.as_deref(), crv.as_deref()), (Some("EdDSA"), Some("Ed25519")));
        let public: Value = serde_json::from_str(public).expect("JWK JSON");
        assert_eq!(public["kty"], "OKP");
        assert!(public.get("d").is_none(), "no private member in the public key");
        let sealed: String = serde_json::from_str(private).expect("a JSON string of the ciphertext");
        assert!(sealed.bytes().all(|b| b.is_ascii_hexdigit()), "hex: {sealed}");
        assert!(!private.contains("\"d\""), "the private JWK is not stored in the clear");
        let listed = jwks(&app).await;
        assert_eq!(
            listed,
            [json!({"alg": "EdDSA", "crv": "Ed25519", "kty": "OKP", "x": public["x"], "kid": id})]
        );

        // get-session sends a fresh token of the same key, exposed to scripts.
        assert_eq!(me.header("access-control-expose-headers").as_deref().map(|v| v.contains("set-auth-jwt")), Some(true));
        let from_header = me.header("set-auth-jwt").expect("set-auth-jwt");
        let (header, claims) = verified(&app, &from_header, ORIGIN).await;
        assert_eq!(header["kid"], id.as_str());
        assert_eq!(claims["sub"], session.user.id.as_str());
        let signed_out = app.get("/get-session").send().await;
        assert_eq!(signed_out.json(), Value::Null);
        assert_eq!(signed_out.header("set-auth-jwt"), None, "no session, no token");
        assert_eq!(rows(&app).await.len(), 1, "the key is reused");
    }
}

on_both_databases! {
    async fn expired_keys_are_replaced_and_published_until_their_grace_ends(backend: Backend) {
        let options = JwtConfig::default()
            .rotation_interval(Duration::from_secs(3600))
            .grace_period(Duration::from_secs(600));
        let app = app(backend, options).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let first = token(&app, &ada).await;
        let first_kid = keyward_verifier::jose::key_id(&first).expect("a kid");
        assert_eq!(token(&app, &ada).await.split('.').next(), first.split('.').next(), "the same key signs");

        // The key expired a minute ago: the next token has a new key, both are published.
        app.sql(
            r#"update "jwks" set "expiresAt" = $1 where "id" = $2"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(60), first_kid.as_str()],
        )
        .await;
        let second = token(&app, &ada).await;
        let second_kid = keyward_verifier::jose::key_id(&second).expect("a kid");
        assert_ne!(second_kid, first_kid);
        let kids: Vec<Value> = jwks(&app).await.iter().map(|key| key["kid"].clone()).collect();
        assert_eq!(kids, [json!(second_kid), json!(first_kid)], "newest first, the old one in its grace");
        verified(&app, &first, ORIGIN).await;

        // Past its grace, the old key is no longer published (its row stays).
        app.sql(
            r#"update "jwks" set "expiresAt" = $1 where "id" = $2"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(601), first_kid.as_str()],
        )
        .await;
        let kids: Vec<Value> = jwks(&app).await.iter().map(|key| key["kid"].clone()).collect();
        assert_eq!(kids, [json!(second_kid)]);
        assert_eq!(rows(&app).await.len(), 2);
    }
}

on_both_databases! {
    async fn keys_rotate_on_demand_and_the_old_ones_leave_after_their_grace(backend: Backend) {
        let app = app(backend, JwtConfig::default().grace_period(Duration::from_secs(600))).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let first = token(&app, &ada).await;
        let first_kid = keyward_verifier::jose::key_id(&first).expect("a kid");

        let rotated = app.auth.api().rotate_jwt_key().await.expect("rotates");
        assert_ne!(rotated.kid, first_kid);
        assert_eq!((rotated.alg.as_str(), rotated.crv.as_deref()), ("EdDSA", Some("Ed25519")));
        let second = token(&app, &ada).await;
        assert_eq!(keyward_verifier::jose::key_id(&second).expect("a kid"), rotated.kid, "the new key signs");
        let kids: Vec<Value> = jwks(&app).await.iter().map(|key| key["kid"].clone()).collect();
        assert_eq!(kids, [json!(rotated.kid), json!(first_kid)], "the old key is published through its grace");
        verified(&app, &first, ORIGIN).await;
        assert!(app.auth.api().verify_jwt(&first).await.expect("checks").is_some(), "the old key's token verifies");

        let expiry = app
            .sql_rows(r#"select "expiresAt" from "jwks" where "id" = $1"#, keyward_server::args![first_kid.as_str()])
            .await[0]
            .opt_time("expiresAt")
            .expect("expiresAt");
        assert!(expiry.is_some_and(|at| at <= chrono::Utc::now()), "the old key expired at the rotation");
        app.sql(
            r#"update "jwks" set "expiresAt" = $1 where "id" = $2"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(601), first_kid.as_str()],
        )
        .await;
        let kids: Vec<Value> = jwks(&app).await.iter().map(|key| key["kid"].clone()).collect();
        assert_eq!(kids, [json!(rotated.kid)], "past its grace the old key is gone");
        let third = app.auth.api().rotate_jwt_key().await.expect("rotates again");
        assert_eq!(rows(&app).await.len(), 3);
        assert_eq!(keyward_verifier::jose::key_id(&token(&app, &ada).await).expect("a kid"), third.kid);
    }
}

#[tokio::test]
async fn every_algorithm_signs_and_verifies() {
    for (algorithm, kty) in [
        (JwtKeyAlgorithm::Es256, "EC"),
        (JwtKeyAlgorithm::Es512, "EC"),
        (JwtKeyAlgorithm::Rs256, "RSA"),
        (JwtKeyAlgorithm::Ps256, "RSA"),
    ] {
        let app = app(Backend::Sqlite, JwtConfig::default().algorithm(algorithm)).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let (header, _) = verified(&app, &token(&app, &ada).await, ORIGIN).await;
        assert_eq!(header["alg"], algorithm.as_str());
        let published = jwks(&app).await;
        assert_eq!(published[0]["alg"], algorithm.as_str());
        assert_eq!(published[0]["kty"], kty);
    }
}

#[tokio::test]
async fn claims_follow_the_options_and_keys_can_be_stored_in_the_clear() {
    let payload = |session: &SessionData| {
        let mut claims = Map::new();
        claims.insert("email".into(), json!(session.user.email));
        claims.insert("plan".into(), json!("pro"));
        claims
    };
    let options = JwtConfig::default()
        .issuer(ORIGIN)
        .audience(["https://api.example.com", "https://files.example.com"])
        .expiration_time(Duration::from_secs(60))
        .define_payload(payload)
        .disable_private_key_encryption()
        .disable_setting_jwt_header();
    let app = app(Backend::Sqlite, options).await;
    let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let signed = token(&app, &ada).await;
    let (_, claims) = verified(&app, &signed, "https://files.example.com").await;
    assert_eq!(claims["plan"], "pro");
    assert_eq!(
        claims["aud"],
        json!(["https://api.example.com", "https://files.example.com"])
    );
    assert!(claims.get("name").is_none(), "only the defined payload");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        60
    );
    let (_, _, private, _, _) = rows(&app).await.remove(0);
    let private: Value = serde_json::from_str(&private).expect("plain JWK JSON");
    assert_eq!(private["kty"], "OKP");
    assert!(private["d"].is_string());
    let me = app.get("/get-session").cookies(&ada).send().await;
    assert_eq!(me.header("set-auth-jwt"), None, "the header is off");
}

#[tokio::test]
async fn without_the_plugin_there_are_no_token_routes() {
    let app = TestApp::new(Backend::Sqlite).await;
    assert_eq!(app.get("/token").send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/jwks").send().await.status, StatusCode::NOT_FOUND);
}

on_both_databases! {
    async fn the_server_signs_claims_and_verifies_only_its_own_live_tokens(backend: Backend) {
        let app = app(backend, JwtConfig::default()).await;
        let api = app.auth.api();
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("service-a"));
        claims.insert("scope".into(), json!("read"));
        let signed = api.sign_jwt(claims).await.expect("signs");
        let read = api.verify_jwt(signed.expose()).await.expect("checks").expect("valid");
        assert_eq!(read["scope"], "read");
        assert_eq!(read["iss"], ORIGIN);
        assert!(read.get("iat").is_none(), "no iat unless given, as signJWT");
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let session_token = token(&app, &ada).await;
        assert!(api.verify_jwt(&session_token).await.expect("checks").is_some());

        // Tampered, expired, foreign audience, unsigned and unknown-key tokens are refused.
        let mut parts: Vec<String> = session_token.split('.').map(str::to_owned).collect();
        let claims_json = keyward_server::crypto::decode_base64_any(&parts[1]).expect("base64url");
        let mut forged: Value = serde_json::from_slice(&claims_json).expect("claims");
        forged["sub"] = json!("someone-else");
        parts[1] = keyward_server::crypto::base64url(forged.to_string().as_bytes());
        assert_eq!(api.verify_jwt(&parts.join(".")).await.expect("checks"), None, "tampered");
        let past = |claims: &mut Map<String, Value>| {
            claims.insert("sub".into(), json!("x"));
            claims.insert("exp".into(), json!(chrono::Utc::now().timestamp() - 5));
        };
        let mut expired = Map::new();
        past(&mut expired);
        let expired = api.sign_jwt(expired).await.expect("signs");
        assert_eq!(api.verify_jwt(expired.expose()).await.expect("checks"), None, "expired");
        let mut foreign = Map::new();
        foreign.insert("sub".into(), json!("x"));
        foreign.insert("aud".into(), json!("https://elsewhere.example.com"));
        let foreign = api.sign_jwt(foreign).await.expect("signs");
        assert_eq!(api.verify_jwt(foreign.expose()).await.expect("checks"), None, "another audience");
        let header = keyward_server::crypto::base64url(br#"{"alg":"none","kid":"x"}"#);
        let unsigned = format!("{header}.{}.", parts[1]);
        assert_eq!(api.verify_jwt(&unsigned).await.expect("checks"), None, "alg none");
        app.sql(r#"delete from "jwks""#, keyward_server::args![]).await;
        assert_eq!(api.verify_jwt(&session_token).await.expect("checks"), None, "the key is gone");
    }
}
