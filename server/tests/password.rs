//! `/change-password`, `/verify-password`, `/request-password-reset`, `/reset-password`,
//! `/reset-password/:token`.

use crate::common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Backend, Client, TestApp};
use keyward_server::db::Arg;
use serde_json::{Value, json};

on_both_databases! {
    async fn change_password(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let other_response = app
            .post("/sign-in/email")
            .json(&json!({"email": "alice@example.com", "password": "password123"}))
            .send()
            .await;
        let mut other = Client::default();
        other.store(&other_response);

        let wrong = app
            .post("/change-password")
            .cookies(&client)
            .json(&json!({"currentPassword": "nope-nope", "newPassword": "password456"}))
            .send()
            .await;
        wrong.assert_error(StatusCode::BAD_REQUEST, "INVALID_PASSWORD");
        let short = app
            .post("/change-password")
            .cookies(&client)
            .json(&json!({"currentPassword": "password123", "newPassword": "short"}))
            .send()
            .await;
        short.assert_error(StatusCode::BAD_REQUEST, "PASSWORD_TOO_SHORT");

        let kept = app
            .post("/change-password")
            .cookies(&client)
            .json(&json!({"currentPassword": "password123", "newPassword": "password456"}))
            .send()
            .await;
        assert_eq!(kept.status, StatusCode::OK, "{}", kept.text());
        assert_eq!(kept.json()["token"], Value::Null);
        assert_eq!(kept.json()["user"]["email"], "alice@example.com");
        assert_eq!(app.get("/get-session").cookies(&other).send().await.json()["user"]["name"], "Alice");

        let revoked = app
            .post("/change-password")
            .cookies(&client)
            .json(&json!({"currentPassword": "password456", "newPassword": "password789", "revokeOtherSessions": true}))
            .send()
            .await;
        assert_eq!(revoked.status, StatusCode::OK);
        let new_token = revoked.json()["token"].as_str().expect("new token").to_owned();
        assert_ne!(Some(new_token.clone()), client.token);
        assert!(revoked.cookie("better-auth.session_token").expect("new cookie").value.starts_with(&new_token));
        assert_eq!(app.get("/get-session").cookies(&other).send().await.text(), "null");
        assert_eq!(app.get("/get-session").cookies(&client).send().await.text(), "null", "old session ended too");
        assert_eq!(app.get("/get-session").bearer(&new_token).send().await.json()["user"]["name"], "Alice");
        let sign_in = app
            .post("/sign-in/email")
            .json(&json!({"email": "alice@example.com", "password": "password789"}))
            .send()
            .await;
        assert_eq!(sign_in.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn verify_password() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let ok = app
        .post("/verify-password")
        .cookies(&client)
        .json(&json!({"password": "password123"}))
        .send()
        .await;
    assert_eq!(ok.json(), json!({"status": true}));
    let bad = app
        .post("/verify-password")
        .cookies(&client)
        .json(&json!({"password": "password124"}))
        .send()
        .await;
    bad.assert_error(StatusCode::BAD_REQUEST, "INVALID_PASSWORD");
    let anonymous = app
        .post("/verify-password")
        .json(&json!({"password": "password123"}))
        .send()
        .await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}

on_both_databases! {
    async fn password_reset_flow(backend: Backend) {
        let app = TestApp::new(backend).await;
        app.sign_up("Alice", "alice@example.com", "password123").await;
        let expected = json!({"status": true, "message": "If this email exists in our system, check your email for the reset link"});
        let unknown = app.post("/request-password-reset").json(&json!({"email": "nobody@example.com"})).send().await;
        assert_eq!(unknown.json(), expected);
        let known = app
            .post("/request-password-reset")
            .json(&json!({"email": "alice@example.com", "redirectTo": "/reset"}))
            .send()
            .await;
        assert_eq!(known.json(), expected, "same answer for known and unknown addresses");
        let email = app.wait_for_email("reset-password", "alice@example.com").await;
        let token = email["token"].as_str().expect("token").to_owned();
        assert_eq!(token.len(), 24);
        assert_eq!(
            email["url"].as_str().expect("url"),
            format!("http://localhost:3000/api/auth/reset-password/{token}?callbackURL=%2Freset")
        );
        assert_eq!(app.emails().len(), 1, "nothing was sent for the unknown address");

        let link = app.get(&format!("/reset-password/{token}?callbackURL=%2Freset")).send().await;
        assert_eq!(link.status, StatusCode::FOUND);
        assert_eq!(link.header("location"), Some(format!("http://localhost:3000/reset?token={token}")));
        assert!(link.body.is_empty());
        let bad_link = app.get("/reset-password/badtoken?callbackURL=%2Freset").send().await;
        assert_eq!(bad_link.header("location").as_deref(), Some("http://localhost:3000/reset?error=INVALID_TOKEN"));
        let no_callback = app.get(&format!("/reset-password/{token}")).send().await;
        no_callback.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let evil = app.get(&format!("/reset-password/{token}?callbackURL=https://evil.com")).send().await;
        evil.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");

        let short = app.post("/reset-password").json(&json!({"newPassword": "short", "token": token})).send().await;
        short.assert_error(StatusCode::BAD_REQUEST, "PASSWORD_TOO_SHORT");
        let reset = app.post("/reset-password").json(&json!({"newPassword": "password789", "token": token})).send().await;
        assert_eq!(reset.json(), json!({"status": true}));
        let reused = app.post("/reset-password").json(&json!({"newPassword": "password000", "token": token})).send().await;
        reused.assert_error(StatusCode::BAD_REQUEST, "INVALID_TOKEN");
        let old = app.post("/sign-in/email").json(&json!({"email": "alice@example.com", "password": "password123"})).send().await;
        old.assert_error(StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD");
        let new = app.post("/sign-in/email").json(&json!({"email": "alice@example.com", "password": "password789"})).send().await;
        assert_eq!(new.status, StatusCode::OK);
        assert_eq!(app.count("session").await, 2, "sessions survive unless revocation is configured");
    }
}

#[tokio::test]
async fn reset_token_rules() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_and_password.revoke_sessions_on_password_reset = true
    })
    .await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    let missing = app
        .post("/reset-password")
        .json(&json!({"newPassword": "password789"}))
        .send()
        .await;
    missing.assert_error(StatusCode::BAD_REQUEST, "INVALID_TOKEN");
    let invalid = app
        .post("/reset-password")
        .json(&json!({"newPassword": "password789", "token": "nope"}))
        .send()
        .await;
    invalid.assert_error(StatusCode::BAD_REQUEST, "INVALID_TOKEN");

    app.post("/request-password-reset")
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await;
    let email = app.wait_for_email("reset-password", "alice@example.com").await;
    let token = email["token"].as_str().expect("token").to_owned();
    assert!(email["url"].as_str().expect("url").ends_with("?callbackURL="));
    app.sql(
        r#"update "verification" set "expiresAt" = $1"#,
        vec![Arg::from(Utc::now() - Duration::minutes(1))],
    )
    .await;
    let expired = app
        .post("/reset-password")
        .json(&json!({"newPassword": "password789", "token": token}))
        .send()
        .await;
    expired.assert_error(StatusCode::BAD_REQUEST, "INVALID_TOKEN");

    app.post("/request-password-reset")
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await;
    let email = loop {
        let emails: Vec<Value> = app
            .emails()
            .into_iter()
            .filter(|e| e["kind"] == "reset-password")
            .collect();
        if emails.len() == 2 {
            break emails[1].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let token = email["token"].as_str().expect("token");
    let by_query = app
        .post(&format!("/reset-password?token={token}"))
        .json(&json!({"newPassword": "password789"}))
        .send()
        .await;
    assert_eq!(by_query.json(), json!({"status": true}));
    assert_eq!(
        app.count("session").await,
        0,
        "revokeSessionsOnPasswordReset ends every session"
    );
}

#[tokio::test]
async fn reset_needs_an_email_sender_and_a_trusted_redirect() {
    let app = TestApp::with(Backend::Sqlite, |config| config.email.outbox = None).await;
    let disabled = app
        .post("/request-password-reset")
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await;
    disabled.assert_error(StatusCode::BAD_REQUEST, "RESET_PASSWORD_DISABLED");
    let app = TestApp::new(Backend::Sqlite).await;
    let evil = app
        .post("/request-password-reset")
        .json(&json!({"email": "alice@example.com", "redirectTo": "https://evil.com/reset"}))
        .send()
        .await;
    evil.assert_error(StatusCode::FORBIDDEN, "INVALID_REDIRECT_URL");
    let invalid = app
        .post("/request-password-reset")
        .json(&json!({"email": "not-an-email"}))
        .send()
        .await;
    invalid.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
}
