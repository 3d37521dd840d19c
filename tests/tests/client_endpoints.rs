//! Every client method, success and failure. The scenarios run against both servers:
//! Keyward, and the real better-auth 1.7.25 from npm (interop direction A).

use std::time::Duration;

use chrono::Utc;
use keyward_client::transport::Method;
use keyward_client::wire::ErrorCode;
use keyward_client::{AuthClient, Error, MemoryStore, TokenStore};
use keyward_server::config::RateLimitRule;
use keyward_server::db::{Arg, Exec};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{Database, Peer, PeerKind, PeerOptions, TestServer, peer_test};
use serde_json::{Map, Value, json};

const PASSWORD: &str = "correct-horse-battery";

async fn signed_up(peer: &Peer, email: &str) -> AuthClient {
    let client = peer.client();
    client.sign_up().email("Ada", email, PASSWORD).await.expect("signs up");
    client
}

fn api_code(result: Result<impl std::fmt::Debug, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

peer_test! {
    async fn sign_up_sign_in_sign_out(kind) {
        let _record = against_better_auth(kind, &[flows::SIGN_UP, flows::SIGN_IN, flows::ERRORS, flows::BEARER]);
        let peer = Peer::start(kind, PeerOptions::default()).await;
        let client = peer.client();
        assert!(client.ok().await.expect("ok"));
        let created = client
            .sign_up()
            .email("Ada", "Ada@Example.com", PASSWORD)
            .image("https://img.example/ada.png")
            .callback_url("/welcome")
            .await
            .expect("signs up");
        assert_eq!(created.user.email, "ada@example.com");
        assert_eq!(created.user.image.as_deref(), Some("https://img.example/ada.png"));
        let token = client.token().expect("token").expect("stored");
        assert!(token.expose().starts_with(created.token.expect("token").expose()), "the signed token is kept");
        assert_eq!(client.session().get().data.expect("signed in").user.email, "ada@example.com");

        let duplicate = peer.client().sign_up().email("Other", "ada@example.com", PASSWORD).await;
        assert_eq!(api_code(duplicate), ErrorCode::UserAlreadyExistsUseAnotherEmail);
        let short = peer.client().sign_up().email("S", "s@example.com", "short").await;
        assert_eq!(api_code(short), ErrorCode::PasswordTooShort);
        let invalid = peer.client().sign_up().email("S", "not-an-email", PASSWORD).await;
        assert_eq!(api_code(invalid), ErrorCode::ValidationError);

        client.sign_out().await.expect("signs out");
        assert_eq!(client.token().expect("token"), None);
        assert_eq!(client.session().get().data, None);

        let signed_in =
            client.sign_in().email("ADA@example.com", PASSWORD).callback_url("/home").remember_me(false).await.expect("signs in").into_signed_in().expect("no second factor");
        assert!(signed_in.redirect);
        assert_eq!(signed_in.url.as_deref(), Some("/home"));
        assert!(client.session().get().is_signed_in());
        match peer.client().sign_in().email("ada@example.com", "wrong-password").await {
            Err(Error::Api { status: 401, code: ErrorCode::InvalidEmailOrPassword, message }) => {
                assert_eq!(message, "Invalid email or password")
            }
            other => panic!("unexpected {other:?}"),
        }
        peer.client().sign_out().await.expect("signing out without a session still works");
    }
}

peer_test! {
    async fn get_session_and_session_management(kind) {
        let _record = against_better_auth(kind, &[flows::GET_SESSION, flows::SESSIONS, flows::UPDATE_SESSION]);
        let options = PeerOptions { session_fields: vec!["theme".into()], ..PeerOptions::default() };
        let peer = Peer::start(kind, options).await;
        let first = signed_up(&peer, "ada@example.com").await;
        let second = peer.client();
        second.sign_in().email("ada@example.com", PASSWORD).await.expect("signs in");
        let third = peer.client();
        third.sign_in().email("ada@example.com", PASSWORD).await.expect("signs in");

        let current = first.get_session().await.expect("session").expect("signed in");
        assert_eq!(current.user.email, "ada@example.com");
        let uncached = first.get_session().disable_cookie_cache().disable_refresh().await.expect("session");
        assert_eq!(uncached.map(|d| d.session.id), Some(current.session.id.clone()));
        assert_eq!(peer.client().get_session().await.expect("anonymous"), None);

        assert_eq!(first.sessions().list().await.expect("lists").len(), 3);
        let second_token = second.session().get().data.expect("signed in").session.token;
        first.sessions().revoke(second_token).await.expect("revokes");
        assert_eq!(second.get_session().await.expect("asks"), None);
        assert!(first.session().get().is_signed_in(), "revoking another device keeps this one");

        let mut fields = Map::new();
        fields.insert("theme".into(), json!("dark"));
        let updated = first.sessions().update(fields.clone()).await.expect("updates");
        assert_eq!(updated.additional.get("theme"), Some(&json!("dark")));
        assert_eq!(first.session().get().data.expect("data").session.additional.get("theme"), Some(&json!("dark")));
        if kind == PeerKind::Keyward {
            // Keyward checks field types; better-auth stores whatever JSON it gets.
            fields.insert("theme".into(), json!(5));
            assert_eq!(api_code(first.sessions().update(fields).await), ErrorCode::ValidationError);
        }

        first.sessions().revoke_others().await.expect("revokes others");
        assert_eq!(third.get_session().await.expect("asks"), None);
        assert_eq!(first.sessions().list().await.expect("lists").len(), 1);

        let own = first.session().get().data.expect("data").session.token;
        first.sessions().revoke(own).await.expect("revokes own");
        assert!(!first.session().get().is_signed_in());
        assert_eq!(first.token().expect("token"), None);

        let again = signed_up(&peer, "bob@example.com").await;
        again.sessions().revoke_all().await.expect("revokes all");
        assert!(!again.session().get().is_signed_in());
        assert_eq!(api_code(again.sessions().list().await), ErrorCode::Unauthorized);
        assert_eq!(api_code(again.sessions().revoke_all().await), ErrorCode::Unauthorized);
    }
}

peer_test! {
    async fn user_methods(kind) {
        let _record = against_better_auth(kind, &[flows::UPDATE_USER, flows::CHANGE_EMAIL, flows::PASSWORDS, flows::DELETE_USER]);
        let options = PeerOptions { user_fields: vec!["bio".into()], delete_verification: true, ..PeerOptions::default() };
        let peer = Peer::start(kind, options).await;
        let client = signed_up(&peer, "ada@example.com").await;
        client.user().update().name("Ada Lovelace").image("https://img/a.png").field("bio", "math").await.expect("updates");
        let user = client.session().get().data.expect("data").user;
        assert_eq!((user.name.as_str(), user.image.as_deref()), ("Ada Lovelace", Some("https://img/a.png")));
        assert_eq!(user.additional.get("bio"), Some(&json!("math")));
        client.user().update().clear_image().await.expect("clears");
        assert_eq!(client.session().get().data.expect("data").user.image, None);
        assert_eq!(api_code(client.user().update().await), ErrorCode::Other("BAD_REQUEST".into()));
        assert_eq!(api_code(client.user().update().field("email", "x@y.z").await), ErrorCode::EmailCanNotBeUpdated);

        client.user().change_email("ada.new@example.com").callback_url("/settings").await.expect("starts change");
        let email = peer.email("verify-email", "ada.new@example.com").await;
        let token = email["token"].as_str().expect("token").to_owned();
        let verified = client.email().verify(token).await.expect("verifies");
        assert_eq!(verified.user.expect("user").email, "ada.new@example.com");
        assert_eq!(client.session().get().data.expect("data").user.email, "ada.new@example.com");
        assert_eq!(api_code(client.user().change_email("ada.new@example.com").await), ErrorCode::Other("BAD_REQUEST".into()));

        let wrong = client.user().change_password("wrong-password", "new-password-1").await;
        assert_eq!(api_code(wrong), ErrorCode::InvalidPassword);
        let kept = client.user().change_password(PASSWORD, "new-password-1").await.expect("changes");
        assert!(kept.token.is_none());
        let other = peer.client();
        other.sign_in().email("ada.new@example.com", "new-password-1").await.expect("new password works");
        let rotated =
            client.user().change_password("new-password-1", "new-password-2").revoke_other_sessions().await.expect("changes");
        let new_token = rotated.token.expect("new session");
        assert!(client.token().expect("token").expect("stored").expose().starts_with(new_token.expose()));
        assert!(client.session().get().is_signed_in());
        assert_eq!(other.get_session().await.expect("asks"), None, "other sessions ended");

        let sent = client.user().delete().callback_url("/bye").await.expect("asks for confirmation");
        assert_eq!(sent.message, "Verification email sent");
        assert!(client.session().get().is_signed_in());
        let email = peer.email("delete-account", "ada.new@example.com").await;
        assert_eq!(api_code(client.user().confirm_delete("wrong-token").await), ErrorCode::InvalidToken);
        let deleted = client.user().confirm_delete(email["token"].as_str().expect("token")).await.expect("deletes");
        assert_eq!(deleted.message, "User deleted");
        assert!(!client.session().get().is_signed_in());
        assert_eq!(client.token().expect("token"), None);
    }
}

peer_test! {
    async fn delete_user_directly_and_by_token(kind) {
        let _record = against_better_auth(kind, &[flows::DELETE_USER]);
        let peer = Peer::start(kind, PeerOptions::default()).await;
        let client = signed_up(&peer, "ada@example.com").await;
        assert_eq!(api_code(client.user().delete().password("wrong-password").await), ErrorCode::InvalidPassword);
        let deleted = client.user().delete().password(PASSWORD).await.expect("deletes");
        assert_eq!(deleted.message, "User deleted");
        assert!(!client.session().get().is_signed_in());
        assert_eq!(client.token().expect("token"), None);
        let gone = peer.client().sign_in().email("ada@example.com", PASSWORD).await;
        assert_eq!(api_code(gone), ErrorCode::InvalidEmailOrPassword);

        let peer = Peer::start(kind, PeerOptions { delete_verification: true, ..PeerOptions::default() }).await;
        let bob = signed_up(&peer, "bob@example.com").await;
        bob.user().delete().await.expect("asks");
        let email = peer.email("delete-account", "bob@example.com").await;
        let by_body = bob.user().delete().token(email["token"].as_str().expect("token")).await.expect("deletes");
        assert_eq!(by_body.message, "User deleted");
    }
}

peer_test! {
    async fn password_methods(kind) {
        let _record = against_better_auth(kind, &[flows::PASSWORDS, flows::RESET_PASSWORD]);
        let peer = Peer::start(kind, PeerOptions::default()).await;
        let client = signed_up(&peer, "ada@example.com").await;
        client.password().verify(PASSWORD).await.expect("verifies");
        assert_eq!(api_code(client.password().verify("wrong-password").await), ErrorCode::InvalidPassword);

        let anonymous = peer.client();
        let response = anonymous.password().request_reset("ada@example.com").redirect_to("/reset").await.expect("requests");
        assert!(response.status);
        let unknown = anonymous.password().request_reset("nobody@example.com").await.expect("same answer");
        assert_eq!(unknown, response);
        let email = peer.email("reset-password", "ada@example.com").await;
        let token = email["token"].as_str().expect("token").to_owned();
        let link = anonymous.password().check_reset_link(&token, "/reset").await.expect("checks");
        assert_eq!(link, keyward_client::api::password::ResetLink::Valid(format!("{}reset?token={token}", peer.url())));
        let bad = anonymous.password().check_reset_link("bad-token", "/reset").await.expect("checks");
        assert!(matches!(bad, keyward_client::api::password::ResetLink::Invalid(url) if url.ends_with("error=INVALID_TOKEN")));
        assert_eq!(api_code(anonymous.password().reset(token.as_str(), "short").await), ErrorCode::PasswordTooShort);
        anonymous.password().reset(token.as_str(), "a-new-password").await.expect("resets");
        assert_eq!(api_code(anonymous.password().reset(token.as_str(), "another-one").await), ErrorCode::InvalidToken);
        anonymous.sign_in().email("ada@example.com", "a-new-password").await.expect("new password works");
        let evil = anonymous.password().request_reset("ada@example.com").redirect_to("https://evil.example/reset").await;
        assert_eq!(api_code(evil), ErrorCode::InvalidRedirectUrl);
    }
}

peer_test! {
    async fn email_verification_methods(kind) {
        let _record = against_better_auth(kind, &[flows::VERIFY_EMAIL]);
        let peer = Peer::start(kind, PeerOptions::default()).await;
        let client = signed_up(&peer, "ada@example.com").await;
        assert!(!client.session().get().data.expect("data").user.email_verified);
        assert_eq!(api_code(client.email().send_verification("bob@example.com").await), ErrorCode::EmailMismatch);
        client.email().send_verification("ada@example.com").callback_url("/verified").await.expect("sends");
        let email = peer.email("verify-email", "ada@example.com").await;
        client.email().verify(email["token"].as_str().expect("token")).await.expect("verifies");
        assert!(client.session().get().data.expect("data").user.email_verified, "the store shows it at once");
        assert_eq!(api_code(client.email().send_verification("ada@example.com").await), ErrorCode::EmailAlreadyVerified);
        assert_eq!(api_code(client.email().verify("not-a-token").await), ErrorCode::InvalidToken);
    }
}

peer_test! {
    async fn account_methods(kind) {
        let _record = against_better_auth(kind, &[flows::ACCOUNTS]);
        let peer = Peer::start(kind, PeerOptions::default()).await;
        let client = signed_up(&peer, "ada@example.com").await;
        let accounts = client.accounts().list().await.expect("lists");
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts[0].provider_id, "credential");
        assert_eq!(api_code(client.accounts().unlink(accounts[0].id.clone()).await), ErrorCode::FailedToUnlinkLastAccount);
        // An account of a provider neither server has configured.
        let now = Utc::now();
        let mut db = peer.db().await;
        db.execute(
            r#"insert into "account" ("id", "accountId", "providerId", "userId", "scope", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6, $7)"#,
            vec![
                Arg::from("gl-row"),
                Arg::from("4242"),
                Arg::from("gitlab"),
                Arg::from(accounts[0].user_id.clone()),
                Arg::from("read_user,email"),
                Arg::from(now),
                Arg::from(now),
            ],
        )
        .await
        .expect("links");
        let listed = client.accounts().list().await.expect("lists");
        let gitlab = listed.iter().find(|a| a.provider_id == "gitlab").expect("listed");
        assert_eq!(gitlab.scopes, ["read_user", "email"]);
        assert_eq!(api_code(client.accounts().info("gl-row").await), ErrorCode::ProviderNotConfigured);
        assert_eq!(api_code(client.accounts().info("nope").await), ErrorCode::AccountNotFound);
        client.accounts().unlink("gl-row").await.expect("unlinks");
        assert_eq!(api_code(client.accounts().unlink("gl-row").await), ErrorCode::FailedToUnlinkLastAccount);
    }
}

peer_test! {
    async fn fetch_for_custom_endpoints(kind) {
        let _record = against_better_auth(kind, &[flows::FETCH]);
        let peer = Peer::start(kind, PeerOptions::default()).await;
        let client = signed_up(&peer, "ada@example.com").await;
        let ok: Value = client.fetch::<(), _>(Method::Get, "/ok", None).await.expect("fetches");
        assert_eq!(ok, json!({"ok": true}));
        let session: Value =
            client.fetch::<(), _>(Method::Get, "/get-session?disableRefresh=true", None).await.expect("fetches");
        assert_eq!(session["user"]["email"], "ada@example.com");
        let status: Value = client.fetch(Method::Post, "/update-user", Some(&json!({"name": "Via fetch"}))).await.expect("posts");
        assert_eq!(status, json!({"status": true}));
        let missing: Result<Value, _> = client.fetch::<(), _>(Method::Get, "/no-such-plugin", None).await;
        assert!(matches!(missing, Err(Error::Api { status: 404, .. })));
        let decode: Result<Vec<String>, _> = client.fetch::<(), _>(Method::Get, "/ok", None).await;
        match decode {
            Err(Error::Decode { body, .. }) => assert_eq!(body, r#"{"ok":true}"#),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}

peer_test! {
    async fn rate_limits_are_typed(kind) {
        let _record = against_better_auth(kind, &[flows::RATE_LIMIT]);
        let peer = Peer::start(kind, PeerOptions { rate_limit: true, ..PeerOptions::default() }).await;
        let client = peer.client();
        for _ in 0..3 {
            assert_eq!(api_code(client.sign_in().email("x@example.com", "wrong-password").await), ErrorCode::InvalidEmailOrPassword);
        }
        assert_eq!(client.sign_in().email("x@example.com", "wrong-password").await.map(|_| ()), Err(Error::RateLimited { retry_after: Some(10) }));
    }
}

peer_test! {
    async fn social_sign_in_returns_the_provider_url(kind) {
        let _record = against_better_auth(kind, &[flows::SOCIAL, flows::SQLITE]);
        // Both peers have a GitHub provider with the same dummy credentials.
        let peer = Peer::start(kind, PeerOptions::default()).await;
        let client = peer.client();
        let redirect = client
            .sign_in()
            .social(keyward_client::wire::SocialProviderId::Github)
            .callback_url("/dashboard")
            .scopes(["read:user"])
            .login_hint("ada")
            .await
            .expect("starts");
        assert!(!redirect.redirect, "a native app opens the URL itself");
        let url: url::Url = redirect.url.parse().expect("a URL");
        assert_eq!(url.host_str(), Some("github.com"));
        assert_eq!(url.path(), "/login/oauth/authorize");
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query.get("client_id").map(String::as_str), Some("keyward-interop"));
        assert_eq!(query.get("response_type").map(String::as_str), Some("code"));
        assert_eq!(query.get("scope").map(String::as_str), Some("read:user user:email read:user"), "repeats kept");
        assert_eq!(query.get("code_challenge_method").map(String::as_str), Some("S256"));
        assert_eq!(query.get("code_challenge").map(String::len), Some(43));
        assert_eq!(query.get("state").map(String::len), Some(32));
        assert_eq!(query.get("login_hint").map(String::as_str), Some("ada"));
        assert!(
            query
                .get("redirect_uri")
                .is_some_and(|uri| uri.ends_with("/api/auth/callback/github"))
        );
        let unknown = client.sign_in().social("nonexistent").await;
        assert_eq!(api_code(unknown), ErrorCode::ProviderNotFound);
        let evil = client
            .sign_in()
            .social("github")
            .callback_url("https://evil.example")
            .await;
        assert_eq!(api_code(evil), ErrorCode::InvalidCallbackUrl);
        let reserved = client.sign_in().social("github").authorization_param("state", "mine").await;
        assert_eq!(api_code(reserved), ErrorCode::ValidationError);
        // GitHub takes no ID tokens.
        let id_token = client
            .sign_in()
            .social("github")
            .id_token(keyward_client::wire::IdTokenCredential::new("a.b.c"))
            .await;
        assert_eq!(api_code(id_token), ErrorCode::IdTokenNotSupported);
    }
}

#[tokio::test]
async fn network_errors_are_typed() {
    let mut server = TestServer::start().await;
    let client = server.client();
    assert!(client.ok().await.expect("answers"));
    server.stop();
    // Stopped once the listener is gone.
    let address = format!("127.0.0.1:{}", server.url.port().expect("port"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(&address).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still listening 10 s after stop"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(matches!(client.ok().await, Err(Error::Network { .. })));
}

#[tokio::test]
async fn custom_rate_limit_rules_apply_to_the_client() {
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.rate_limit.enabled = true;
        config.rate_limit.custom_rules = vec![(
            "/ok".into(),
            Some(RateLimitRule {
                window: Duration::from_secs(30),
                max: 1,
            }),
        )];
    })
    .await;
    let client = server.client();
    assert!(client.ok().await.expect("first"));
    assert_eq!(client.ok().await, Err(Error::RateLimited { retry_after: Some(30) }));
}

struct BrokenStore;

impl TokenStore for BrokenStore {
    fn load(&self) -> keyward_client::Result<Option<keyward_client::wire::SessionToken>> {
        Err(Error::Storage {
            message: "disk on fire".into(),
        })
    }
    fn save(&self, _: &keyward_client::wire::SessionToken) -> keyward_client::Result<()> {
        Err(Error::Storage {
            message: "disk on fire".into(),
        })
    }
    fn clear(&self) -> keyward_client::Result<()> {
        Err(Error::Storage {
            message: "disk on fire".into(),
        })
    }
}

#[tokio::test]
async fn storage_failures_are_reported() {
    let server = TestServer::start().await;
    let client = server.client_with(BrokenStore);
    assert_eq!(
        client.restore().await,
        Err(Error::Storage {
            message: "disk on fire".into()
        })
    );
    assert_eq!(
        client.session().get().error,
        Some(Error::Storage {
            message: "disk on fire".into()
        })
    );
    let fine = server.client_with(MemoryStore::new());
    assert_eq!(fine.restore().await, Ok(None));
}

peer_test! {
    async fn on_postgres(kind) {
        let _record = against_better_auth(kind, &[flows::POSTGRES]);
        let peer = Peer::start(kind, PeerOptions { postgres: true, ..PeerOptions::default() }).await;
        let client = signed_up(&peer, "ada@example.com").await;
        client.user().update().name("On Postgres").await.expect("updates");
        assert_eq!(client.session().get().data.expect("data").user.name, "On Postgres");
        assert_eq!(client.sessions().list().await.expect("lists").len(), 1);
        client.sign_out().await.expect("signs out");
        let mut db = peer.db().await;
        let rows = db.fetch_all(r#"select count(*) as "n" from "session""#, vec![]).await.expect("counts");
        assert_eq!(rows[0].int("n").expect("n"), 0);
    }
}
