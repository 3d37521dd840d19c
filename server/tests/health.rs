//! `/ok`, `/error`, and what is not routed.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp};

#[tokio::test]
async fn ok_and_routing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let ok = app.get("/ok").send().await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.text(), r#"{"ok":true}"#);
    assert_eq!(ok.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(app.get("/ok?x=1").send().await.status, StatusCode::OK);

    for (method, path) in [
        ("POST", "/ok"),
        ("GET", "/nonexistent"),
        ("POST", "/nonexistent"),
        ("GET", "/get-session/"),
        ("GET", "//get-session"),
        ("POST", "/set-password"),
        ("POST", "/forget-password"),
        ("GET", "/sign-in/email"),
        ("DELETE", "/get-session"),
        ("HEAD", "/get-session"),
        ("HEAD", "/ok"),
    ] {
        let response = app.request(method.parse().expect("method"), path).send().await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert!(response.body.is_empty(), "{method} {path} has an empty body");
    }
}

#[tokio::test]
async fn error_page() {
    let app = TestApp::new(Backend::Sqlite).await;
    let page = app.get("/error?error=state_mismatch").send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type").as_deref(), Some("text/html"));
    assert!(page.text().contains("state_mismatch"));
    assert!(page.text().contains("Something went wrong"));
    assert!(
        page.text()
            .contains("https://better-auth.com/docs/reference/errors/state_mismatch")
    );
    // As better-auth: a code of other characters is shown as UNKNOWN, a description escaped.
    let script = app
        .get("/error?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_description=%3Cb%3Ebad%3C%2Fb%3E")
        .send()
        .await;
    assert!(!script.text().contains("<script>"), "the code is not echoed");
    assert!(script.text().contains("<code>UNKNOWN</code>"));
    assert!(script.text().contains("&lt;b&gt;bad&lt;/b&gt;"));
    assert!(!script.text().contains("<b>bad"));

    let redirecting = TestApp::with(Backend::Sqlite, |config| {
        config.error_url = Some("https://app.example/oops".into())
    })
    .await;
    let response = redirecting
        .get("/error?error=state_mismatch&error_description=The%20state%20expired")
        .send()
        .await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(
        response.header("location").as_deref(),
        Some("https://app.example/oops?error=state_mismatch&error_description=The+state+expired")
    );
}

#[tokio::test]
async fn custom_base_path() {
    let app = TestApp::with(Backend::Sqlite, |config| config.base_path = "/auth".into()).await;
    assert_eq!(app.get("/ok").send().await.status, StatusCode::OK);
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let reset = app
        .post("/request-password-reset")
        .json(&serde_json::json!({"email": "alice@example.com"}))
        .send()
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    let email = app.wait_for_email("reset-password", "alice@example.com").await;
    assert!(
        email["url"]
            .as_str()
            .expect("url")
            .starts_with("http://localhost:3000/auth/reset-password/")
    );
    assert!(client.session_cookie().is_some());
}
