//! `POST /sign-up/email` on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp};
use keyward_server::config::AdditionalField;
use keyward_server::db::FieldType;
use serde_json::json;

on_both_databases! {
    async fn creates_user_account_and_session(backend: Backend) {
        let app = TestApp::new(backend).await;
        let response = app
            .post("/sign-up/email")
            .json(&json!({"name": "Alice", "email": "Alice@Example.com", "password": "password123"}))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let body = response.json();
        let token = body["token"].as_str().expect("token").to_owned();
        assert_eq!(token.len(), 32);
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric()));
        let user = &body["user"];
        assert_eq!(user["email"], "alice@example.com");
        assert_eq!(user["name"], "Alice");
        assert_eq!(user["emailVerified"], false);
        assert_eq!(user["image"], serde_json::Value::Null);
        assert_eq!(user["id"].as_str().map(str::len), Some(32));
        assert!(user["createdAt"].as_str().expect("date").ends_with('Z'));

        let cookie = response.cookie("better-auth.session_token").expect("session cookie");
        assert!(cookie.value.starts_with(&format!("{token}.")));
        assert!(cookie.value.ends_with("%3D"));
        assert_eq!(cookie.attributes, "Max-Age=604800; Path=/; HttpOnly; SameSite=Lax");
        let auth_token = response.header("set-auth-token").expect("set-auth-token");
        assert_eq!(auth_token, percent_encoding::percent_decode_str(&cookie.value).decode_utf8().expect("utf8"));
        assert_eq!(response.header("access-control-expose-headers").as_deref(), Some("set-auth-token"));

        // Stored exactly as better-auth stores it.
        let rows = app
            .sql_rows(r#"select "password", "providerId", "accountId" from "account""#, vec![])
            .await;
        assert_eq!(rows.len(), 1);
        let hash = rows[0].text("password").expect("hash");
        let (salt, key) = hash.split_once(':').expect("salt:key");
        assert_eq!((salt.len(), key.len()), (32, 128));
        assert!(keyward_server::password::verify_sync("password123", &hash).expect("verifies"));
        assert_eq!(rows[0].text("providerId").expect("provider"), "credential");
        assert_eq!(rows[0].text("accountId").expect("account"), user["id"].as_str().expect("id"));
        assert_eq!(app.count("session").await, 1);
    }
}

on_both_databases! {
    async fn rejects_duplicates_and_bad_passwords(backend: Backend) {
        let app = TestApp::new(backend).await;
        app.sign_up("Alice", "alice@example.com", "password123").await;
        let duplicate = app
            .post("/sign-up/email")
            .json(&json!({"name": "A2", "email": "ALICE@example.com", "password": "password123"}))
            .send()
            .await;
        duplicate.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
        assert_eq!(duplicate.message(), "User already exists. Use another email.");

        let short = app
            .post("/sign-up/email")
            .json(&json!({"name": "S", "email": "s@example.com", "password": "short"}))
            .send()
            .await;
        short.assert_error(StatusCode::BAD_REQUEST, "PASSWORD_TOO_SHORT");
        let long = app
            .post("/sign-up/email")
            .json(&json!({"name": "L", "email": "l@example.com", "password": "p".repeat(129)}))
            .send()
            .await;
        long.assert_error(StatusCode::BAD_REQUEST, "PASSWORD_TOO_LONG");
        assert_eq!(app.count("user").await, 1, "no user was created by a refused sign-up");
    }
}

#[tokio::test]
async fn validation_errors_match_better_auth_messages() {
    let app = TestApp::new(Backend::Sqlite).await;
    let cases = [
        (
            json!({"name": 1, "email": "x", "password": null}),
            "[body.name] Invalid input: expected string, received number; [body.email] Invalid email address; [body.password] Invalid input: expected string, received null",
        ),
        (
            json!({}),
            "[body.name] Invalid input: expected string, received undefined; [body.email] Invalid input: expected string, received undefined; [body.password] Invalid input: expected string, received undefined",
        ),
        (
            json!({"name": "", "email": "a@b.co", "password": ""}),
            "[body.password] Too small: expected string to have >=1 characters",
        ),
        (
            json!({"name": "n", "email": "a@b.co", "password": "password123", "image": null}),
            "[body.image] Invalid input: expected string, received null",
        ),
        (
            json!({"name": "n", "email": "a@b.co", "password": "password123", "rememberMe": "yes"}),
            "[body.rememberMe] Invalid input: expected boolean, received string",
        ),
        (
            json!([]),
            "[body] Invalid input: expected object, received array; [body] Invalid input: expected record, received array",
        ),
        (
            json!(null),
            "[body] Invalid input: expected object, received null; [body] Invalid input: expected record, received null",
        ),
    ];
    for (body, message) in cases {
        let response = app.post("/sign-up/email").json(&body).send().await;
        response.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(response.message(), message, "for {body}");
    }
    let empty = app.post("/sign-up/email").send().await;
    assert_eq!(
        empty.message(),
        "[body] Invalid input: expected object, received undefined; [body] Invalid input: expected record, received undefined"
    );
    assert_eq!(app.count("user").await, 0);
}

#[tokio::test]
async fn body_format_errors() {
    let app = TestApp::new(Backend::Sqlite).await;
    let bad_json = app.post("/sign-up/email").raw("application/json", "{bad").send().await;
    bad_json.assert_error(StatusCode::BAD_REQUEST, "BAD_REQUEST");
    assert_eq!(bad_json.message(), "Invalid JSON in request body");
    let invalid_utf8 = app
        .post("/sign-up/email")
        .raw(
            "application/json",
            b"{\"name\":\"\xff\xfe\",\"email\":\"u@b.co\",\"password\":\"password123\"}".to_vec(),
        )
        .send()
        .await;
    invalid_utf8.assert_error(StatusCode::BAD_REQUEST, "BAD_REQUEST");
    let text = app.post("/sign-up/email").raw("text/plain", "hello").send().await;
    text.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(
        text.message(),
        "Content-Type \"text/plain\" is not allowed. Allowed types: application/x-www-form-urlencoded, application/json"
    );
    let huge = app
        .post("/sign-up/email")
        .json(&json!({"name": "x".repeat(2 * 1024 * 1024), "email": "h@b.co", "password": "password123"}))
        .send()
        .await;
    huge.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");
    let charset = app
        .post("/sign-up/email")
        .raw(
            "application/json; charset=utf-8",
            r#"{"name":"C","email":"c@b.co","password":"password123"}"#,
        )
        .send()
        .await;
    assert_eq!(charset.status, StatusCode::OK);
    let form = app
        .post("/sign-up/email")
        .raw(
            "application/x-www-form-urlencoded",
            "name=Form&email=form%40b.co&password=password123",
        )
        .send()
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    assert_eq!(form.json()["user"]["email"], "form@b.co");
    assert_eq!(app.count("user").await, 2);
}

#[tokio::test]
async fn remember_me_false_makes_a_browser_session_cookie() {
    let app = TestApp::new(Backend::Sqlite).await;
    let response = app
        .post("/sign-up/email")
        .json(&json!({"name": "R", "email": "r@b.co", "password": "password123", "rememberMe": false}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let session = response.cookie("better-auth.session_token").expect("session cookie");
    assert_eq!(session.attributes, "Path=/; HttpOnly; SameSite=Lax");
    let dont_remember = response.cookie("better-auth.dont_remember").expect("dont_remember");
    assert!(dont_remember.value.starts_with("true."));
    assert_eq!(dont_remember.attributes, "Path=/; HttpOnly; SameSite=Lax");
    let rows = app
        .sql_rows(r#"select "expiresAt", "createdAt" from "session""#, vec![])
        .await;
    let lifetime = rows[0].time("expiresAt").expect("expires") - rows[0].time("createdAt").expect("created");
    assert_eq!(lifetime.num_seconds(), 86_400);
}

#[tokio::test]
async fn untrusted_callback_url_is_refused_before_validation() {
    let app = TestApp::new(Backend::Sqlite).await;
    let response = app
        .post("/sign-up/email")
        .json(&json!({"email": "bad", "callbackURL": "https://evil.com"}))
        .send()
        .await;
    response.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
    let relative = app
        .post("/sign-up/email")
        .json(&json!({"name": "C", "email": "cb@b.co", "password": "password123", "callbackURL": "/welcome"}))
        .send()
        .await;
    assert_eq!(relative.status, StatusCode::OK);
}

#[tokio::test]
async fn verification_email_on_sign_up() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_verification.send_on_sign_up = Some(true);
    })
    .await;
    app.post("/sign-up/email")
        .json(&json!({"name": "V", "email": "v@b.co", "password": "password123", "callbackURL": "/done"}))
        .send()
        .await;
    let email = &app.emails()[0];
    assert_eq!(email["kind"], "verify-email");
    assert_eq!(email["to"], "v@b.co");
    let url = email["url"].as_str().expect("url");
    assert!(url.starts_with("http://localhost:3000/api/auth/verify-email?token=eyJhbGciOiJIUzI1NiJ9."));
    assert!(url.ends_with("&callbackURL=%2Fdone"));
}

#[tokio::test]
async fn required_verification_hides_existing_accounts() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_and_password.require_email_verification = true;
    })
    .await;
    let first = app
        .post("/sign-up/email")
        .json(&json!({"name": "H", "email": "h@b.co", "password": "password123"}))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json()["token"], serde_json::Value::Null);
    assert!(first.cookie("better-auth.session_token").is_none());
    assert_eq!(app.emails().len(), 1, "verification is sent when it is required");
    let again = app
        .post("/sign-up/email")
        .json(&json!({"name": "H2", "email": "h@b.co", "password": "password456"}))
        .send()
        .await;
    assert_eq!(again.status, StatusCode::OK, "a duplicate looks like a success");
    assert_eq!(again.json()["token"], serde_json::Value::Null);
    assert_ne!(again.json()["user"]["id"], first.json()["user"]["id"]);
    assert_eq!(app.count("user").await, 1);
    let sign_in = app
        .post("/sign-in/email")
        .json(&json!({"email": "h@b.co", "password": "password123"}))
        .send()
        .await;
    sign_in.assert_error(StatusCode::FORBIDDEN, "EMAIL_NOT_VERIFIED");
}

#[tokio::test]
async fn disabled_sign_up() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_and_password.disable_sign_up = true
    })
    .await;
    let response = app
        .post("/sign-up/email")
        .json(&json!({"name": "D", "email": "d@b.co", "password": "password123"}))
        .send()
        .await;
    response.assert_error(StatusCode::BAD_REQUEST, "EMAIL_PASSWORD_SIGN_UP_DISABLED");
}

on_both_databases! {
    async fn additional_fields(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.user.additional_fields = vec![
                AdditionalField::new("plan", FieldType::String).required(),
                AdditionalField::new("role", FieldType::String).server_only().default_value("user"),
                AdditionalField::new("newsletter", FieldType::Boolean).default_value(false),
                AdditionalField::new("age", FieldType::Number),
            ];
        })
        .await;
        let missing = app
            .post("/sign-up/email")
            .json(&json!({"name": "F", "email": "f@b.co", "password": "password123"}))
            .send()
            .await;
        missing.assert_error(StatusCode::BAD_REQUEST, "MISSING_FIELD");
        assert_eq!(missing.message(), "plan is required");
        let wrong_type = app
            .post("/sign-up/email")
            .json(&json!({"name": "F", "email": "f@b.co", "password": "password123", "plan": 3}))
            .send()
            .await;
        wrong_type.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let created = app
            .post("/sign-up/email")
            .json(&json!({"name": "F", "email": "f@b.co", "password": "password123", "plan": "pro", "role": "admin", "age": 41, "unknown": 1}))
            .send()
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.text());
        let user = &created.json()["user"];
        assert_eq!(user["plan"], "pro");
        assert_eq!(user["role"], "user", "a server-only field keeps its default");
        assert_eq!(user["newsletter"], false);
        assert_eq!(user["age"], 41);
        assert!(user.get("unknown").is_none());
    }
}
