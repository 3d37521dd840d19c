//! The one-time-token plugin: `/one-time-token/generate`, `/one-time-token/verify`, the
//! rows they keep, their options and the `set-ott` header.

use crate::common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Backend, Client, TestApp, TestResponse};
use keyward_server::args;
use keyward_server::config::{OneTimeTokenConfig, TokenStorage};
use keyward_server::wire::{OneTimeToken, SessionData};
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";

async fn app(backend: Backend, options: OneTimeTokenConfig) -> TestApp {
    TestApp::with(backend, |config| config.one_time_token = Some(options)).await
}

async fn generate(app: &TestApp, client: &Client) -> TestResponse {
    app.get("/one-time-token/generate").cookies(client).send().await
}

/// A token for `client`'s session.
async fn token_of(app: &TestApp, client: &Client) -> String {
    let answer = generate(app, client).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["token"].as_str().expect("a token").to_owned()
}

async fn verify(app: &TestApp, token: &str) -> TestResponse {
    app.post("/one-time-token/verify")
        .json(&json!({"token": token}))
        .send()
        .await
}

/// A `400` with better-auth's bare `{message}` (no code).
fn assert_refused(answer: &TestResponse, message: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    assert_eq!(answer.json(), json!({"message": message}));
}

/// The verification rows of one-time tokens: identifier, value and lifetime in seconds.
async fn rows(app: &TestApp) -> Vec<(String, String, i64)> {
    app.sql_rows(
        r#"select "identifier", "value", "expiresAt", "createdAt" from "verification" where "identifier" like 'one-time-token:%'"#,
        vec![],
    )
    .await
    .iter()
    .map(|row| {
        let lifetime = row.time("expiresAt").expect("expiresAt") - row.time("createdAt").expect("createdAt");
        (
            row.text("identifier").expect("identifier"),
            row.text("value").expect("value"),
            lifetime.num_seconds(),
        )
    })
    .collect()
}

on_both_databases! {
    async fn a_token_is_stored_as_better_auth_stores_it_and_signs_in_once(backend: Backend) {
        let app = app(backend, OneTimeTokenConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let token = token_of(&app, &ada).await;
        assert_eq!(token.len(), 32);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        assert_eq!(
            rows(&app).await,
            [(format!("one-time-token:{token}"), ada.session_token(), 180)],
            "named by the token, holding the session token, for three minutes"
        );

        let answer = verify(&app, &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let data: SessionData = serde_json::from_value(answer.json()).expect("session and user");
        assert_eq!(data.session.token.expose(), ada.session_token());
        assert_eq!(data.user.email, "ada@example.com");
        let mut other = Client::default();
        other.store(&answer);
        assert_eq!(other.session_token(), ada.session_token(), "the session cookie is set");
        assert!(other.token.is_some(), "and set-auth-token");
        let session = app.get("/get-session").cookies(&other).send().await;
        assert_eq!(session.json()["user"]["email"], "ada@example.com");
        assert!(rows(&app).await.is_empty(), "the row is gone");

        assert_refused(&verify(&app, &token).await, "Invalid token");
        assert_refused(&verify(&app, "not-a-token").await, "Invalid token");
        assert_refused(&verify(&app, "").await, "Invalid token");
        let missing = app.post("/one-time-token/verify").json(&json!({})).send().await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        assert_eq!(missing.code().as_deref(), Some("VALIDATION_ERROR"));
        assert_eq!(missing.message(), "[body.token] Invalid input: expected string, received undefined");

        let anonymous = app.get("/one-time-token/generate").send().await;
        anonymous.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }
}

on_both_databases! {
    async fn expired_tokens_and_sessions_are_refused(backend: Backend) {
        let app = app(backend, OneTimeTokenConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let past = Utc::now() - Duration::minutes(1);

        let token = token_of(&app, &ada).await;
        app.sql(r#"update "verification" set "expiresAt" = $1"#, args![past]).await;
        assert_refused(&verify(&app, &token).await, "Invalid token");
        assert!(rows(&app).await.is_empty(), "an expired token is removed when tried");

        // The session expired after the token was made: better-auth sets its cookie, then
        // refuses.
        let token = token_of(&app, &ada).await;
        app.sql(r#"update "session" set "expiresAt" = $1"#, args![past]).await;
        let expired = verify(&app, &token).await;
        assert_refused(&expired, "Session expired");
        assert!(expired.cookie("better-auth.session_token").is_some());
        assert_refused(&verify(&app, &token).await, "Invalid token");

        // The session ended.
        let bob = app.sign_up("Bob", "bob@example.com", PASSWORD).await;
        let token = token_of(&app, &bob).await;
        app.sql(r#"delete from "session""#, vec![]).await;
        let ended = verify(&app, &token).await;
        assert_refused(&ended, "Session not found");
        assert!(ended.cookie("better-auth.session_token").is_none());
    }
}

#[tokio::test]
async fn tokens_may_be_stored_hashed_or_made_and_hashed_by_the_application() {
    let hashed = app(
        Backend::Sqlite,
        OneTimeTokenConfig::default()
            .store_token(TokenStorage::Hashed)
            .expires_in(std::time::Duration::from_secs(30)),
    )
    .await;
    let ada = hashed.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let token = token_of(&hashed, &ada).await;
    let digest = keyward_server::crypto::base64url(&keyward_server::crypto::sha256(token.as_bytes()));
    assert_eq!(
        rows(&hashed).await,
        [(format!("one-time-token:{digest}"), ada.session_token(), 30)]
    );
    assert_eq!(verify(&hashed, &token).await.status, StatusCode::OK);
    assert_refused(&verify(&hashed, &digest).await, "Invalid token");

    let custom = app(
        Backend::Sqlite,
        OneTimeTokenConfig::default()
            .generate_token(|data: &SessionData| format!("ott-for-{}", data.user.name.to_lowercase()))
            .store_token(TokenStorage::custom_hasher(|token: &str| token.chars().rev().collect())),
    )
    .await;
    let ada = custom.sign_up("Ada", "ada@example.com", PASSWORD).await;
    assert_eq!(token_of(&custom, &ada).await, "ott-for-ada");
    assert_eq!(rows(&custom).await[0].0, "one-time-token:ada-rof-tto");
    let answer = verify(&custom, "ott-for-ada").await;
    assert_eq!(answer.json()["user"]["name"], "Ada", "{}", answer.text());
}

#[tokio::test]
async fn client_requests_and_the_cookie_can_be_switched_off() {
    let options = OneTimeTokenConfig {
        disable_client_request: true,
        disable_set_session_cookie: true,
        ..OneTimeTokenConfig::default()
    };
    let app = app(Backend::Sqlite, options).await;
    let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let anonymous = app.get("/one-time-token/generate").send().await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    assert_refused(&generate(&app, &ada).await, "Client requests are disabled");

    // The server's own code still makes tokens, from the request's headers.
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {}", ada.token.clone().expect("token"))
            .parse()
            .expect("header"),
    );
    let token = app.auth.api().generate_one_time_token(&headers).await.expect("a token");
    let answer = verify(&app, token.expose()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["session"]["token"], Value::String(ada.session_token()));
    assert!(answer.set_cookies().is_empty(), "no cookie: {:?}", answer.set_cookies());
    assert!(answer.header("set-auth-token").is_none());

    let token = app.auth.api().generate_one_time_token(&headers).await.expect("a token");
    let data = app.auth.api().verify_one_time_token(&token).await.expect("verifies");
    assert_eq!(data.user.email, "ada@example.com");
    let again = app.auth.api().verify_one_time_token(&token).await.expect_err("used");
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let none = app
        .auth
        .api()
        .generate_one_time_token(&axum::http::HeaderMap::new())
        .await;
    assert_eq!(none.expect_err("no session").status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn new_sessions_carry_a_token_in_set_ott_when_asked() {
    let options = OneTimeTokenConfig {
        set_ott_header_on_new_session: true,
        ..OneTimeTokenConfig::default()
    };
    let app = app(Backend::Sqlite, options).await;
    let signed_up = app
        .post("/sign-up/email")
        .json(&json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await;
    let mut ada = Client::default();
    ada.store(&signed_up);
    let ott = signed_up.header("set-ott").expect("set-ott on sign-up");
    let exposed = signed_up.header("access-control-expose-headers").expect("exposed");
    assert!(
        exposed.contains("set-ott") && exposed.contains("set-auth-token"),
        "{exposed}"
    );

    // A request that makes no session carries none.
    let plain = app.get("/get-session").cookies(&ada).send().await;
    assert!(plain.header("set-ott").is_none());
    let generated = generate(&app, &ada).await;
    assert!(generated.header("set-ott").is_none());

    let answer = verify(&app, &ott).await;
    assert_eq!(answer.json()["session"]["token"], Value::String(ada.session_token()));
    assert!(
        answer.header("set-ott").is_some(),
        "verify sets the cookie, so a new token too"
    );

    let signed_in = app
        .post("/sign-in/email")
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await;
    let token = OneTimeToken::new(signed_in.header("set-ott").expect("set-ott on sign-in"));
    let data = app.auth.api().verify_one_time_token(&token).await.expect("verifies");
    assert_eq!(
        data.session.token.expose(),
        signed_in.json()["token"].as_str().expect("token")
    );

    let signed_out = app.post("/sign-out").cookies(&ada).send().await;
    assert_eq!(signed_out.status, StatusCode::OK);
    assert!(
        signed_out.header("set-ott").is_none(),
        "an expired cookie is no new session"
    );
    let wrong = app
        .post("/sign-in/email")
        .json(&json!({"email": "ada@example.com", "password": "wrong-password"}))
        .send()
        .await;
    assert!(wrong.header("set-ott").is_none());
}

#[tokio::test]
async fn tokens_live_in_secondary_storage_when_it_is_configured() {
    let prefix = common::redis_prefix("ott");
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.one_time_token = Some(OneTimeTokenConfig::default());
        config.secondary_storage.redis_url = Some(common::redis_url());
        config.secondary_storage.key_prefix = prefix.clone();
    })
    .await;
    let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let token = token_of(&app, &ada).await;
    assert_eq!(app.count("verification").await, 0, "no row: Redis holds it");
    let mut redis = redis::Client::open(common::redis_url())
        .expect("redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("Redis is reachable");
    let stored: Option<String> = redis::cmd("GET")
        .arg(format!("{prefix}verification:one-time-token:{token}"))
        .query_async(&mut redis)
        .await
        .expect("get");
    let stored: Value = serde_json::from_str(&stored.expect("the key")).expect("JSON");
    assert_eq!(stored["value"], Value::String(ada.session_token()));
    assert_eq!(stored["identifier"], Value::String(format!("one-time-token:{token}")));

    assert_eq!(verify(&app, &token).await.status, StatusCode::OK);
    assert_refused(&verify(&app, &token).await, "Invalid token");

    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut redis)
        .await
        .expect("keys");
    for key in keys {
        let _: () = redis::cmd("DEL").arg(key).query_async(&mut redis).await.expect("del");
    }
}
