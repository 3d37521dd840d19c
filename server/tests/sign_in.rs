//! `POST /sign-in/email` and `POST /sign-out`.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, ORIGIN, TestApp};
use serde_json::json;

on_both_databases! {
    async fn signs_in_with_the_right_password_only(backend: Backend) {
        let app = TestApp::new(backend).await;
        app.sign_up("Alice", "alice@example.com", "password123").await;
        let ok = app
            .post("/sign-in/email")
            .json(&json!({"email": "ALICE@example.com", "password": "password123"}))
            .send()
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        let body = ok.json();
        assert_eq!(body["redirect"], false);
        assert!(body.get("url").is_none());
        assert_eq!(body["user"]["email"], "alice@example.com");
        let token = body["token"].as_str().expect("token");
        assert!(ok.header("set-auth-token").expect("header").starts_with(&format!("{token}.")));
        assert!(ok.header("location").is_none());

        let wrong = app
            .post("/sign-in/email")
            .json(&json!({"email": "alice@example.com", "password": "password124"}))
            .send()
            .await;
        wrong.assert_error(StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD");
        let unknown = app
            .post("/sign-in/email")
            .json(&json!({"email": "nobody@example.com", "password": "password123"}))
            .send()
            .await;
        assert_eq!(unknown.status, wrong.status);
        assert_eq!(unknown.body, wrong.body, "unknown email and wrong password are indistinguishable");
        assert_eq!(app.count("session").await, 2);
    }
}

#[tokio::test]
async fn input_errors() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    let invalid = app
        .post("/sign-in/email")
        .json(&json!({"email": "notanemail", "password": "password123"}))
        .send()
        .await;
    invalid.assert_error(StatusCode::BAD_REQUEST, "INVALID_EMAIL");
    let long = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": "p".repeat(200)}))
        .send()
        .await;
    long.assert_error(StatusCode::BAD_REQUEST, "PASSWORD_TOO_LONG");
    let missing = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await;
    missing.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    assert_eq!(
        missing.message(),
        "[body.password] Invalid input: expected string, received undefined"
    );
    let empty = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": ""}))
        .send()
        .await;
    empty.assert_error(StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD");
    let form_flag = app
        .post("/sign-in/email")
        .raw(
            "application/x-www-form-urlencoded",
            "email=alice%40example.com&password=password123&rememberMe=false",
        )
        .send()
        .await;
    form_flag.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    let form = app
        .post("/sign-in/email")
        .raw(
            "application/x-www-form-urlencoded",
            "email=alice%40example.com&password=password123",
        )
        .send()
        .await;
    assert_eq!(form.status, StatusCode::OK);
}

#[tokio::test]
async fn callback_url_redirects() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    let response = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": "password123", "callbackURL": "/home"}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("location").as_deref(), Some("/home"));
    assert_eq!(response.json()["redirect"], true);
    assert_eq!(response.json()["url"], "/home");
    let evil = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": "password123", "callbackURL": "https://evil.com/x"}))
        .send()
        .await;
    evil.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
}

#[tokio::test]
async fn csrf_rules_for_the_sign_in_form() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    let body = json!({"email": "alice@example.com", "password": "password123"});
    let navigate = app
        .post("/sign-in/email")
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .json(&body)
        .send()
        .await;
    navigate.assert_error(StatusCode::FORBIDDEN, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED");
    let evil = app
        .post("/sign-in/email")
        .header("origin", "https://evil.com")
        .json(&body)
        .send()
        .await;
    evil.assert_error(StatusCode::FORBIDDEN, "INVALID_ORIGIN");
    let fetch_no_origin = app
        .post("/sign-in/email")
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await;
    fetch_no_origin.assert_error(StatusCode::FORBIDDEN, "MISSING_OR_NULL_ORIGIN");
    let with_cookie = app
        .post("/sign-in/email")
        .header("cookie", "theme=dark")
        .json(&body)
        .send()
        .await;
    with_cookie.assert_error(StatusCode::FORBIDDEN, "MISSING_OR_NULL_ORIGIN");
    let browser = app
        .post("/sign-in/email")
        .header("sec-fetch-site", "same-origin")
        .header("origin", ORIGIN)
        .json(&body)
        .send()
        .await;
    assert_eq!(browser.status, StatusCode::OK);
    let native = app.post("/sign-in/email").json(&body).send().await;
    assert_eq!(
        native.status,
        StatusCode::OK,
        "a native client without Origin may sign in"
    );
}

#[tokio::test]
async fn unverified_users_get_a_new_link_when_configured() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_and_password.require_email_verification = true;
        config.email_verification.send_on_sign_up = Some(false);
        config.email_verification.send_on_sign_in = true;
    })
    .await;
    app.post("/sign-up/email")
        .json(&json!({"name": "U", "email": "u@b.co", "password": "password123"}))
        .send()
        .await;
    assert!(app.emails().is_empty());
    let response = app
        .post("/sign-in/email")
        .json(&json!({"email": "u@b.co", "password": "password123"}))
        .send()
        .await;
    response.assert_error(StatusCode::FORBIDDEN, "EMAIL_NOT_VERIFIED");
    assert_eq!(app.emails().len(), 1);
    assert_eq!(app.emails()[0]["kind"], "verify-email");
    assert_eq!(app.count("session").await, 0);
}

#[tokio::test]
async fn disabled_email_and_password() {
    let app = TestApp::with(Backend::Sqlite, |config| config.email_and_password.enabled = false).await;
    let response = app
        .post("/sign-in/email")
        .json(&json!({"email": "a@b.co", "password": "password123"}))
        .send()
        .await;
    response.assert_error(StatusCode::BAD_REQUEST, "EMAIL_PASSWORD_DISABLED");
}

on_both_databases! {
    async fn sign_out_ends_the_session(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let response = app.post("/sign-out").cookies(&client).send().await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.json(), json!({"success": true}));
        let names: Vec<(String, String)> =
            response.set_cookies().into_iter().map(|c| (c.name, format!("{}|{}", c.value, c.attributes))).collect();
        for name in ["better-auth.session_token", "better-auth.session_data", "better-auth.dont_remember"] {
            assert!(
                names.contains(&(name.to_owned(), "|Max-Age=0; Path=/; HttpOnly; SameSite=Lax".to_owned())),
                "{name} expired in {names:?}"
            );
        }
        assert_eq!(app.count("session").await, 0);
        let session = app.get("/get-session").cookies(&client).send().await;
        assert_eq!(session.json(), serde_json::Value::Null);
    }
}

#[tokio::test]
async fn sign_out_without_a_session_still_succeeds() {
    let app = TestApp::new(Backend::Sqlite).await;
    let bare = app.post("/sign-out").send().await;
    assert_eq!(bare.status, StatusCode::OK);
    let json_empty = app.post("/sign-out").raw("application/json", "").send().await;
    assert_eq!(json_empty.status, StatusCode::OK);
    let evil = app
        .post("/sign-out")
        .json(&json!({"callbackURL": "https://evil.com"}))
        .send()
        .await;
    evil.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
    let evil_origin = app
        .post("/sign-out")
        .header("cookie", "better-auth.session_token=x")
        .header("origin", "https://evil.com")
        .send()
        .await;
    evil_origin.assert_error(StatusCode::FORBIDDEN, "INVALID_ORIGIN");
}

#[tokio::test]
async fn bearer_sign_out() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let token = client.token.clone().expect("token");
    let response = app.post("/sign-out").bearer(&token).send().await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(app.count("session").await, 0);
    let _ = Client::default();
}

#[tokio::test]
async fn secure_cookies_over_https() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.base_url = "https://auth.example.com".parse().expect("url");
    })
    .await;
    let response = app
        .post("/sign-up/email")
        .json(&json!({"name": "S", "email": "s@example.com", "password": "password123", "rememberMe": false}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let session = response
        .cookie("__Secure-better-auth.session_token")
        .expect("prefixed cookie");
    assert_eq!(session.attributes, "Path=/; HttpOnly; Secure; SameSite=Lax");
    assert!(response.cookie("__Secure-better-auth.dont_remember").is_some());
    let mut client = Client::default();
    client.store(&response);
    let me = app
        .get("/get-session")
        .header("cookie", &client.cookie_header())
        .send()
        .await;
    assert_eq!(me.json()["user"]["email"], "s@example.com");
    let plain_name = format!(
        "better-auth.session_token={}",
        client.cookies["__Secure-better-auth.session_token"]
    );
    let unprefixed = app.get("/get-session").header("cookie", &plain_name).send().await;
    assert_eq!(unprefixed.text(), "null", "over https only the __Secure- cookie counts");
    let origin = app
        .post("/sign-out")
        .header("cookie", &client.cookie_header())
        .header("origin", ORIGIN)
        .send()
        .await;
    origin.assert_error(StatusCode::FORBIDDEN, "INVALID_ORIGIN");
    let own = app
        .post("/sign-out")
        .header("cookie", &client.cookie_header())
        .header("origin", "https://auth.example.com")
        .send()
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(
        own.cookie("__Secure-better-auth.session_token")
            .expect("expired")
            .attributes,
        "Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
}
