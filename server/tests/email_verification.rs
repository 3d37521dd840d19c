//! `/send-verification-email` and `/verify-email`.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, TestApp};
use serde_json::{Map, Value, json};

fn link_path(email: &Value) -> String {
    email["url"]
        .as_str()
        .expect("url")
        .strip_prefix("http://localhost:3000/api/auth")
        .expect("auth url")
        .to_owned()
}

on_both_databases! {
    async fn verifies_an_address(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let mismatch = app.post("/send-verification-email").cookies(&client).json(&json!({"email": "bob@example.com"})).send().await;
        mismatch.assert_error(StatusCode::BAD_REQUEST, "EMAIL_MISMATCH");
        let sent = app
            .post("/send-verification-email")
            .cookies(&client)
            .json(&json!({"email": "alice@example.com", "callbackURL": "/verified"}))
            .send()
            .await;
        assert_eq!(sent.json(), json!({"status": true}));
        let email = app.wait_for_email("verify-email", "alice@example.com").await;
        let opened = app.get(&link_path(&email)).send().await;
        assert_eq!(opened.status, StatusCode::FOUND);
        assert_eq!(opened.header("location").as_deref(), Some("/verified"));
        assert!(opened.set_cookies().is_empty(), "no auto sign-in unless configured");
        let session = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(session["user"]["emailVerified"], true);
        let again = app.post("/send-verification-email").cookies(&client).json(&json!({"email": "alice@example.com"})).send().await;
        again.assert_error(StatusCode::BAD_REQUEST, "EMAIL_ALREADY_VERIFIED");
        // Opening the link again is harmless.
        let twice = app.get(&link_path(&email)).send().await;
        assert_eq!(twice.status, StatusCode::FOUND);
    }
}

#[tokio::test]
async fn anonymous_requests_never_reveal_accounts() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    let started = std::time::Instant::now();
    let unknown = app
        .post("/send-verification-email")
        .json(&json!({"email": "nobody@example.com"}))
        .send()
        .await;
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(500),
        "answers take the same minimum time"
    );
    let known = app
        .post("/send-verification-email")
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await;
    assert_eq!(unknown.json(), json!({"status": true}));
    assert_eq!(known.json(), unknown.json());
    assert_eq!(app.emails().len(), 1);
    assert_eq!(app.emails()[0]["to"], "alice@example.com");
}

#[tokio::test]
async fn bad_links() {
    let app = TestApp::new(Backend::Sqlite).await;
    let garbage = app.get("/verify-email?token=bad").send().await;
    garbage.assert_error(StatusCode::UNAUTHORIZED, "INVALID_TOKEN");
    let redirected = app.get("/verify-email?token=bad&callbackURL=%2Fverified").send().await;
    assert_eq!(redirected.status, StatusCode::FOUND);
    assert_eq!(
        redirected.header("location").as_deref(),
        Some("/verified?error=INVALID_TOKEN")
    );
    let missing = app.get("/verify-email").send().await;
    missing.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    assert_eq!(
        missing.message(),
        "[query.token] Invalid input: expected string, received undefined"
    );
    let evil = app
        .get("/verify-email?token=bad&callbackURL=https://evil.com")
        .send()
        .await;
    evil.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");

    let mut claims = Map::new();
    claims.insert("email".into(), json!("alice@example.com"));
    let now = chrono::Utc::now().timestamp();
    let expired = keyward_server::jwt::sign(common::SECRET, claims.clone(), now - 7200, 3600).expect("signs");
    let response = app.get(&format!("/verify-email?token={expired}")).send().await;
    response.assert_error(StatusCode::UNAUTHORIZED, "TOKEN_EXPIRED");
    let forged =
        keyward_server::jwt::sign("another-secret-another-secret-another", claims.clone(), now, 3600).expect("signs");
    let response = app.get(&format!("/verify-email?token={forged}")).send().await;
    response.assert_error(StatusCode::UNAUTHORIZED, "INVALID_TOKEN");
    let unknown_user = keyward_server::jwt::sign(common::SECRET, claims, now, 3600).expect("signs");
    let response = app
        .get(&format!("/verify-email?token={unknown_user}&callbackURL=%2Fv"))
        .send()
        .await;
    assert_eq!(response.header("location").as_deref(), Some("/v?error=USER_NOT_FOUND"));
}

#[tokio::test]
async fn auto_sign_in_after_verification() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_and_password.require_email_verification = true;
        config.email_verification.auto_sign_in_after_verification = true;
    })
    .await;
    app.post("/sign-up/email")
        .json(&json!({"name": "Alice", "email": "alice@example.com", "password": "password123"}))
        .send()
        .await;
    let email = app.wait_for_email("verify-email", "alice@example.com").await;
    let opened = app.get(&link_path(&email)).send().await;
    assert_eq!(opened.status, StatusCode::FOUND);
    let mut client = Client::default();
    client.store(&opened);
    assert!(client.session_cookie().is_some(), "the link signs the user in");
    let session = app.get("/get-session").cookies(&client).send().await.json();
    assert_eq!(session["user"]["emailVerified"], true);
    let sign_in = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": "password123"}))
        .send()
        .await;
    assert_eq!(sign_in.status, StatusCode::OK, "verified users may sign in");
}

#[tokio::test]
async fn without_an_email_sender() {
    let app = TestApp::with(Backend::Sqlite, |config| config.email.outbox = None).await;
    let response = app
        .post("/send-verification-email")
        .json(&json!({"email": "a@b.co"}))
        .send()
        .await;
    response.assert_error(StatusCode::BAD_REQUEST, "VERIFICATION_EMAIL_NOT_ENABLED");
}
