//! `/update-user`, `/change-email`, `/delete-user`, `/delete-user/callback`.

use crate::common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Backend, Client, TestApp};
use keyward_server::config::AdditionalField;
use keyward_server::db::{Arg, FieldType};
use serde_json::{Value, json};

fn token_of(url: &str) -> String {
    url.split("token=")
        .nth(1)
        .expect("token")
        .split('&')
        .next()
        .expect("token")
        .to_owned()
}

fn path_of(url: &str) -> String {
    url.strip_prefix("http://localhost:3000/api/auth")
        .expect("auth url")
        .to_owned()
}

on_both_databases! {
    async fn update_user(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.user.additional_fields = vec![
                AdditionalField::new("bio", FieldType::String),
                AdditionalField::new("role", FieldType::String).server_only().default_value("user"),
            ];
        })
        .await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let response = app
            .post("/update-user")
            .cookies(&client)
            .json(&json!({"name": "Alice Updated", "image": "https://img.example/a.png", "bio": "hi", "emailVerified": true}))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        assert_eq!(response.json(), json!({"status": true}));
        let cookie = response.cookie("better-auth.session_token").expect("re-set");
        assert_eq!(&cookie.value, client.session_cookie().expect("cookie"), "same token, not rotated");
        assert!(response.header("set-auth-token").is_some());
        let session = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(session["user"]["name"], "Alice Updated");
        assert_eq!(session["user"]["image"], "https://img.example/a.png");
        assert_eq!(session["user"]["bio"], "hi");
        assert_eq!(session["user"]["emailVerified"], false, "core fields are not updatable");

        let cleared = app.post("/update-user").cookies(&client).json(&json!({"image": null})).send().await;
        assert_eq!(cleared.status, StatusCode::OK);
        let session = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(session["user"]["image"], Value::Null);

        let email = app.post("/update-user").cookies(&client).json(&json!({"email": "x@y.z"})).send().await;
        email.assert_error(StatusCode::BAD_REQUEST, "EMAIL_CAN_NOT_BE_UPDATED");
        let nothing = app.post("/update-user").cookies(&client).json(&json!({"foo": 1})).send().await;
        assert_eq!((nothing.status, nothing.json()), (StatusCode::BAD_REQUEST, json!({"message": "No fields to update"})));
        let role = app.post("/update-user").cookies(&client).json(&json!({"role": "admin"})).send().await;
        role.assert_error(StatusCode::BAD_REQUEST, "FIELD_NOT_ALLOWED");
        assert_eq!(role.message(), "role is not allowed to be set");
        let typed = app.post("/update-user").cookies(&client).json(&json!({"name": 5})).send().await;
        typed.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let array = app.post("/update-user").cookies(&client).json(&json!([])).send().await;
        array.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(array.message(), "[body] Invalid input: expected record, received array");
        let session = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(session["user"]["name"], "Alice Updated", "refused updates change nothing");
    }
}

#[tokio::test]
async fn update_user_origin_and_auth_rules() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let no_origin = app
        .post("/update-user")
        .header("cookie", &client.cookie_header())
        .json(&json!({"name": "x"}))
        .send()
        .await;
    no_origin.assert_error(StatusCode::FORBIDDEN, "MISSING_OR_NULL_ORIGIN");
    let anonymous = app.post("/update-user").json(&json!({"name": "x"})).send().await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let bearer = app
        .post("/update-user")
        .bearer(client.token.as_deref().expect("token"))
        .json(&json!({"name": "Bearer"}))
        .send()
        .await;
    assert_eq!(bearer.status, StatusCode::OK, "bearer requests need no Origin");
    let name = app.get("/get-session").cookies(&client).send().await.json()["user"]["name"].clone();
    assert_eq!(name, "Bearer");
}

#[tokio::test]
async fn update_user_keeps_remember_me_state() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    let sign_in = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": "password123", "rememberMe": false}))
        .send()
        .await;
    let mut client = Client::default();
    client.store(&sign_in);
    let response = app
        .post("/update-user")
        .cookies(&client)
        .json(&json!({"name": "N"}))
        .send()
        .await;
    let cookie = response.cookie("better-auth.session_token").expect("re-set");
    assert_eq!(
        cookie.attributes, "Path=/; HttpOnly; SameSite=Lax",
        "still a browser-session cookie"
    );
    assert!(response.cookie("better-auth.dont_remember").is_some());
}

on_both_databases! {
    async fn change_email_through_verification(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        app.sign_up("Bob", "bob@example.com", "password123").await;

        let same = app.post("/change-email").cookies(&client).json(&json!({"newEmail": "ALICE@example.com"})).send().await;
        assert_eq!((same.status, same.json()), (StatusCode::BAD_REQUEST, json!({"message": "Email is the same"})));
        let invalid = app.post("/change-email").cookies(&client).json(&json!({"newEmail": "nope"})).send().await;
        invalid.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        // Taken addresses answer like success, and send nothing.
        let taken = app.post("/change-email").cookies(&client).json(&json!({"newEmail": "bob@example.com"})).send().await;
        assert_eq!(taken.json(), json!({"status": true}));
        assert!(app.emails().is_empty());

        let response = app
            .post("/change-email")
            .cookies(&client)
            .json(&json!({"newEmail": "Alice.New@example.com", "callbackURL": "/settings"}))
            .send()
            .await;
        assert_eq!(response.json(), json!({"status": true}));
        let email = app.wait_for_email("verify-email", "alice.new@example.com").await;
        assert_eq!(email["newEmail"], "alice.new@example.com");
        let session = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(session["user"]["email"], "alice@example.com", "unchanged until the link is opened");

        let link = path_of(email["url"].as_str().expect("url"));
        let opened = app.get(&link).cookies(&client).send().await;
        assert_eq!(opened.status, StatusCode::FOUND);
        assert_eq!(opened.header("location").as_deref(), Some("/settings"));
        let session = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(session["user"]["email"], "alice.new@example.com");
        let old = app.post("/sign-in/email").json(&json!({"email": "alice@example.com", "password": "password123"})).send().await;
        old.assert_error(StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD");
        let new = app.post("/sign-in/email").json(&json!({"email": "alice.new@example.com", "password": "password123"})).send().await;
        assert_eq!(new.status, StatusCode::OK);

        // Without a callback the link answers JSON with the updated user.
        let again = app.post("/change-email").cookies(&client).json(&json!({"newEmail": "third@example.com"})).send().await;
        assert_eq!(again.status, StatusCode::OK);
        let email = app.wait_for_email("verify-email", "third@example.com").await;
        let token = token_of(email["url"].as_str().expect("url"));
        let json_answer = app.get(&format!("/verify-email?token={token}")).send().await;
        assert_eq!(json_answer.status, StatusCode::OK, "{}", json_answer.text());
        assert_eq!(json_answer.json()["user"]["email"], "third@example.com");
    }
}

#[tokio::test]
async fn change_email_options() {
    let disabled = TestApp::with(Backend::Sqlite, |config| config.user.change_email.enabled = false).await;
    let client = disabled.sign_up("Alice", "alice@example.com", "password123").await;
    let response = disabled
        .post("/change-email")
        .cookies(&client)
        .json(&json!({"newEmail": "n@example.com"}))
        .send()
        .await;
    response.assert_error(StatusCode::BAD_REQUEST, "CHANGE_EMAIL_DISABLED");

    let no_email = TestApp::with(Backend::Sqlite, |config| config.email.outbox = None).await;
    let client = no_email.sign_up("Alice", "alice@example.com", "password123").await;
    let response = no_email
        .post("/change-email")
        .cookies(&client)
        .json(&json!({"newEmail": "n@example.com"}))
        .send()
        .await;
    assert_eq!(response.json(), json!({"message": "Verification email isn't enabled"}));

    let direct = TestApp::with(Backend::Sqlite, |config| {
        config.user.change_email.update_email_without_verification = true
    })
    .await;
    let client = direct.sign_up("Alice", "alice@example.com", "password123").await;
    let response = direct
        .post("/change-email")
        .cookies(&client)
        .json(&json!({"newEmail": "n@example.com"}))
        .send()
        .await;
    assert_eq!(response.json(), json!({"status": true}));
    assert!(response.cookie("better-auth.session_token").is_some());
    let session = direct.get("/get-session").cookies(&client).send().await.json();
    assert_eq!(session["user"]["email"], "n@example.com");
    assert_eq!(session["user"]["emailVerified"], false);
    direct.wait_for_email("verify-email", "n@example.com").await;

    let confirm = TestApp::with(Backend::Sqlite, |config| {
        config.user.change_email.send_change_email_confirmation = true
    })
    .await;
    let client = confirm.sign_up("Alice", "alice@example.com", "password123").await;
    confirm
        .sql(r#"update "user" set "emailVerified" = $1"#, vec![Arg::from(true)])
        .await;
    let response = confirm
        .post("/change-email")
        .cookies(&client)
        .json(&json!({"newEmail": "n@example.com"}))
        .send()
        .await;
    assert_eq!(response.json(), json!({"status": true}));
    let confirmation = confirm
        .wait_for_email("change-email-confirmation", "alice@example.com")
        .await;
    let opened = confirm
        .get(&path_of(confirmation["url"].as_str().expect("url")))
        .cookies(&client)
        .send()
        .await;
    assert_eq!(opened.status, StatusCode::FOUND);
    let verification = confirm.wait_for_email("verify-email", "n@example.com").await;
    confirm
        .get(&path_of(verification["url"].as_str().expect("url")))
        .cookies(&client)
        .send()
        .await;
    let session = confirm.get("/get-session").cookies(&client).send().await.json();
    assert_eq!(session["user"]["email"], "n@example.com");
    assert_eq!(session["user"]["emailVerified"], true, "a verified user stays verified");
}

on_both_databases! {
    async fn delete_user(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let wrong = app.post("/delete-user").cookies(&client).json(&json!({"password": "wrongpassword"})).send().await;
        wrong.assert_error(StatusCode::BAD_REQUEST, "INVALID_PASSWORD");
        app.sql(r#"update "session" set "createdAt" = $1"#, vec![Arg::from(Utc::now() - Duration::days(2))]).await;
        let stale = app.post("/delete-user").cookies(&client).json(&json!({})).send().await;
        stale.assert_error(StatusCode::BAD_REQUEST, "SESSION_EXPIRED");
        assert_eq!(app.count("user").await, 1);
        let with_password = app.post("/delete-user").cookies(&client).json(&json!({"password": "password123"})).send().await;
        assert_eq!(with_password.json(), json!({"success": true, "message": "User deleted"}));
        for name in ["better-auth.session_token", "better-auth.session_data", "better-auth.dont_remember"] {
            assert!(with_password.cookie(name).expect(name).attributes.starts_with("Max-Age=0"));
        }
        assert_eq!((app.count("user").await, app.count("session").await, app.count("account").await), (0, 0, 0));
    }
}

#[tokio::test]
async fn delete_user_disabled_is_not_found() {
    let app = TestApp::with(Backend::Sqlite, |config| config.user.delete_user.enabled = false).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let response = app.post("/delete-user").cookies(&client).json(&json!({})).send().await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(response.body.is_empty());
    let callback = app.get("/delete-user/callback?token=x").cookies(&client).send().await;
    callback.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

on_both_databases! {
    async fn delete_user_with_email_confirmation(backend: Backend) {
        let app = TestApp::with(backend, |config| config.user.delete_user.send_delete_account_verification = true).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let response = app.post("/delete-user").cookies(&client).json(&json!({"callbackURL": "/bye"})).send().await;
        assert_eq!(response.json(), json!({"success": true, "message": "Verification email sent"}));
        let email = app.wait_for_email("delete-account", "alice@example.com").await;
        let url = email["url"].as_str().expect("url");
        assert!(url.starts_with("http://localhost:3000/api/auth/delete-user/callback?token="));
        assert!(url.ends_with("&callbackURL=%2Fbye"));
        let token = email["token"].as_str().expect("token").to_owned();
        assert!(token.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()) && token.len() == 32);

        let anonymous = app.get(&path_of(url)).send().await;
        anonymous.assert_error(StatusCode::NOT_FOUND, "FAILED_TO_GET_USER_INFO");
        let bob = app.sign_up("Bob", "bob@example.com", "password123").await;
        let wrong_user = app.post("/delete-user").cookies(&bob).json(&json!({"token": token})).send().await;
        wrong_user.assert_error(StatusCode::NOT_FOUND, "INVALID_TOKEN");
        assert_eq!(app.count("user").await, 2);

        // The token was consumed by Bob's attempt; a new request gets a new one.
        app.post("/delete-user").cookies(&client).json(&json!({"callbackURL": "/bye"})).send().await;
        let email = app.emails().into_iter().rev().find(|e| e["kind"] == "delete-account").expect("second email");
        let opened = app.get(&path_of(email["url"].as_str().expect("url"))).cookies(&client).send().await;
        assert_eq!(opened.status, StatusCode::FOUND);
        assert_eq!(opened.header("location").as_deref(), Some("/bye"));
        assert_eq!(app.count("user").await, 1);
        let evil = app.get("/delete-user/callback?token=x&callbackURL=https://evil.com").cookies(&bob).send().await;
        evil.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
    }
}
