//! Origin checks, rate limits, and hostile input.

use crate::common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{Backend, ORIGIN, TestApp};
use keyward_server::config::RateLimitRule;
use serde_json::json;

#[tokio::test]
async fn origin_rules_for_cookie_requests() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.trusted_origins = vec![
            "https://app.example.com".into(),
            "*.preview.example.com".into(),
            "myapp://".into(),
        ];
    })
    .await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let cookie = client.cookie_header();
    let body = json!({"name": "x"});
    type Case<'a> = (&'a [(&'static str, &'a str)], StatusCode, Option<&'a str>);
    let cases: [Case; 9] = [
        (&[], StatusCode::FORBIDDEN, Some("MISSING_OR_NULL_ORIGIN")),
        (
            &[("origin", "null")],
            StatusCode::FORBIDDEN,
            Some("MISSING_OR_NULL_ORIGIN"),
        ),
        (
            &[("origin", "https://evil.com")],
            StatusCode::FORBIDDEN,
            Some("INVALID_ORIGIN"),
        ),
        (
            &[("origin", "http://localhost:3001")],
            StatusCode::FORBIDDEN,
            Some("INVALID_ORIGIN"),
        ),
        (&[("origin", ORIGIN)], StatusCode::OK, None),
        (&[("referer", "http://localhost:3000/settings")], StatusCode::OK, None),
        (&[("origin", "https://app.example.com")], StatusCode::OK, None),
        (&[("origin", "https://pr-7.preview.example.com")], StatusCode::OK, None),
        (&[("origin", "myapp://callback")], StatusCode::OK, None),
    ];
    for (headers, status, code) in cases {
        let mut request = app.post("/update-user").header("cookie", &cookie).json(&body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await;
        assert_eq!(response.status, status, "{headers:?}: {}", response.text());
        assert_eq!(response.code().as_deref(), code, "{headers:?}");
    }
    // GETs are never origin-checked.
    let get = app
        .get("/get-session")
        .header("cookie", &cookie)
        .header("origin", "https://evil.com")
        .send()
        .await;
    assert_eq!(get.status, StatusCode::OK);
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let app = TestApp::with(Backend::Sqlite, |config| config.rate_limit.enabled = true).await;
    let body = json!({"email": "nobody@example.com", "password": "wrong-password-xx"});
    for _ in 0..3 {
        let response = app.post("/sign-in/email").json(&body).send().await;
        response.assert_error(StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD");
    }
    let limited = app.post("/sign-in/email").json(&body).send().await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.json(),
        json!({"message": "Too many requests. Please try again later."})
    );
    // The seconds left of the 10 s window that began with the first attempt.
    let retry_after: u64 = limited
        .header("x-retry-after")
        .expect("x-retry-after")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    // Buckets are per path.
    let other_path = app.get("/get-session").send().await;
    assert_eq!(other_path.status, StatusCode::OK);
}

#[tokio::test]
async fn spoofed_x_forwarded_for_does_not_bypass_the_rate_limit() {
    let app = TestApp::with(Backend::Sqlite, |config| config.rate_limit.enabled = true).await;
    let body = json!({"email": "nobody@example.com", "password": "wrong-password-xx"});
    let attempt = |peer: &'static str, forwarded: Option<String>| {
        let mut request = app.post("/sign-in/email").peer(peer).json(&body);
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", &forwarded);
        }
        request.send()
    };
    // A client connecting directly: a new made-up address each time changes nothing.
    let mut statuses = Vec::new();
    for i in 0..5 {
        statuses.push(attempt("198.51.100.20", Some(format!("203.0.113.{i}"))).await.status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(
        attempt("198.51.100.21", None).await.status,
        StatusCode::UNAUTHORIZED,
        "another peer has its own bucket"
    );
    // Behind the (loopback) proxy, the address it appends is the client's: two clients
    // get two buckets, and a spoofed entry on the left is ignored.
    for _ in 0..3 {
        let response = attempt("127.0.0.1", Some("203.0.113.50".into())).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        attempt("127.0.0.1", Some("203.0.113.50".into())).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt("127.0.0.1", Some("10.9.9.9, 203.0.113.50".into())).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a spoofed address in front of the proxy's own entry is not believed"
    );
    assert_eq!(
        attempt("127.0.0.1", Some("203.0.113.51".into())).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn rate_limit_rules_are_configurable() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.rate_limit.enabled = true;
        config.rate_limit.custom_rules = vec![
            (
                "/ok".into(),
                Some(RateLimitRule {
                    window: Duration::from_secs(60),
                    max: 2,
                }),
            ),
            ("/sign-in/*".into(), None),
        ];
    })
    .await;
    assert_eq!(app.get("/ok").send().await.status, StatusCode::OK);
    assert_eq!(app.get("/ok").send().await.status, StatusCode::OK);
    let limited = app.get("/ok").send().await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("x-retry-after").as_deref(), Some("60"));
    for _ in 0..5 {
        let response = app
            .post("/sign-in/email")
            .json(&json!({"email": "a@b.co", "password": "password1"}))
            .send()
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "limiting disabled for /sign-in/*"
        );
    }
    let off = TestApp::new(Backend::Sqlite).await;
    for _ in 0..5 {
        let response = off
            .post("/sign-in/email")
            .json(&json!({"email": "a@b.co", "password": "password1"}))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn hostile_input_changes_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let before = app.get("/get-session").cookies(&client).send().await.json();
    let attempts: Vec<(&str, &str, Vec<u8>)> = vec![
        ("/update-user", "application/json", b"{\"name\": \"\xff\"}".to_vec()),
        ("/update-user", "application/json", b"{\"name\": ".to_vec()),
        ("/update-user", "application/json", b"\"just a string\"".to_vec()),
        ("/update-user", "application/json", br#"{"name": ["array"]}"#.to_vec()),
        (
            "/update-user",
            "application/json",
            br#"{"name": {"nested": true}}"#.to_vec(),
        ),
        ("/update-user", "text/xml", b"<name>x</name>".to_vec()),
        ("/update-user", "application/json", vec![b'['; 100_000]),
        (
            "/change-password",
            "application/json",
            br#"{"newPassword": 12345678, "currentPassword": "password123"}"#.to_vec(),
        ),
        ("/change-email", "application/json", br#"{"newEmail": null}"#.to_vec()),
        ("/revoke-session", "application/json", br#"{"token": 5}"#.to_vec()),
    ];
    for (path, content_type, body) in attempts {
        let response = app.post(path).cookies(&client).raw(content_type, body).send().await;
        assert!(
            response.status.is_client_error(),
            "{path} answered {} {}",
            response.status,
            response.text()
        );
        assert!(
            response.json().get("message").is_some(),
            "{path}: an error body with a message"
        );
    }
    let after = app.get("/get-session").cookies(&client).send().await.json();
    assert_eq!(before["user"], after["user"]);
    assert_eq!(app.count("session").await, 1);
    assert!(
        keyward_server::password::verify_sync(
            "password123",
            &app.sql_rows(r#"select "password" from "account""#, vec![]).await[0]
                .text("password")
                .expect("hash")
        )
        .expect("verifies")
    );
}

#[tokio::test]
async fn hostile_cookies_and_headers() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let long_cookie = format!("better-auth.session_token={}", "a".repeat(8000));
    for cookie in [
        "=;;=;",
        "better-auth.session_token",
        long_cookie.as_str(),
        "better-auth.session_token=\"quoted\"",
    ] {
        let response = app.get("/get-session").header("cookie", cookie).send().await;
        assert_eq!(response.status, StatusCode::OK, "{cookie}");
        assert_eq!(response.text(), "null");
    }
    let doubled = format!("{}; better-auth.session_token=garbage", client.cookie_header());
    let response = app.get("/get-session").header("cookie", &doubled).send().await;
    assert_eq!(
        response.json()["user"]["name"],
        "Alice",
        "the first cookie of a name wins"
    );
}

/// A proxy that appends its own `X-Forwarded-For` line (HAProxy's `option forwardfor`)
/// leaves the client's line first: both lines are one list, and the address comes from
/// its right end, so the client cannot pick its own bucket or session address.
#[tokio::test]
async fn repeated_x_forwarded_for_lines_are_one_list() {
    let app = TestApp::with(Backend::Sqlite, |config| config.rate_limit.enabled = true).await;
    let body = json!({"email": "nobody@example.com", "password": "wrong-password-xx"});
    let mut statuses = Vec::new();
    for i in 0..6 {
        let response = app
            .post("/sign-in/email")
            .peer("127.0.0.1")
            .header("x-forwarded-for", &format!("203.0.113.{i}"))
            .header("x-forwarded-for", "198.51.100.7")
            .json(&body)
            .send()
            .await;
        statuses.push(response.status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );

    let signed_up = app
        .post("/sign-up/email")
        .peer("127.0.0.1")
        .header("x-forwarded-for", "203.0.113.99")
        .header("x-forwarded-for", "198.51.100.8")
        .json(&json!({"name": "Ip", "email": "ip@example.com", "password": "correct-horse-battery"}))
        .send()
        .await;
    assert_eq!(signed_up.status, StatusCode::OK, "{}", signed_up.text());
    let token = signed_up.header("set-auth-token").expect("token");
    let session = app.get("/get-session").bearer(&token).send().await.json();
    assert_eq!(session["session"]["ipAddress"], "198.51.100.8");
}

/// What the server logs, captured for one test (the subscriber is this thread's only).
#[derive(Clone, Default)]
struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

/// A rejected callback URL is logged with its newline and ANSI escapes escaped: it
/// neither forges a log line nor reaches the terminal as an escape sequence.
#[tokio::test]
async fn rejected_redirect_urls_are_logged_escaped() {
    let logs = LogCapture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::new(Backend::Sqlite).await;
    let forged = "https://evil.com/\n2026-12-02T00:00:00.000000Z  INFO admin@example.com signed in\u{1b}[2J";

    let sign_in = app
        .post("/sign-in/email")
        .json(&json!({"email": "a@example.com", "password": "password-123", "callbackURL": forged}))
        .send()
        .await;
    sign_in.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", "x")
        .append_pair("callbackURL", forged)
        .finish();
    let verify = app.get(&format!("/verify-email?{query}")).send().await;
    verify.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");

    let text = logs.text();
    let rejections = text
        .lines()
        .filter(|line| line.contains("rejected an untrusted redirect URL"));
    assert_eq!(rejections.count(), 2, "{text}");
    assert!(!text.contains('\u{1b}'), "an escape sequence reached the log: {text:?}");
    let forged_lines = text.lines().filter(|line| line.contains("signed in"));
    for line in forged_lines {
        assert!(
            line.contains("rejected an untrusted redirect URL"),
            "a forged log line: {line:?}"
        );
    }
}

/// An application's plugin with a `POST` route of each kind: a JSON body, a JSON-or-form
/// body, and none read. Each counts its calls, so a refused request provably did nothing.
struct CountingPlugin(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl keyward_server::plugin::Plugin for CountingPlugin {
    fn id(&self) -> &'static str {
        "counting"
    }

    fn endpoints(&self, endpoints: keyward_server::plugin::Endpoints) -> keyward_server::plugin::Endpoints {
        use std::sync::atomic::Ordering;
        let (json, form, bare) = (self.0.clone(), self.0.clone(), self.0.clone());
        endpoints
            .post(
                "/counting/json",
                move |keyward_server::plugin::JsonBody(_): keyward_server::plugin::JsonBody<serde_json::Value>| async move {
                    json.fetch_add(1, Ordering::SeqCst);
                    axum::Json(json!({ "ok": true }))
                },
            )
            .post_form("/counting/form", move || async move {
                form.fetch_add(1, Ordering::SeqCst);
                axum::Json(json!({ "ok": true }))
            })
            .post("/counting/bare", move || async move {
                bare.fetch_add(1, Ordering::SeqCst);
                axum::Json(json!({ "ok": true }))
            })
    }
}

/// Every `POST` endpoint of every plugin, Keyward's and an application's, refuses a
/// signed-in browser's request from a foreign `Origin` before doing anything, whether it
/// reads a body or not (the list comes from the server, so a new endpoint is walked too).
#[tokio::test]
async fn every_post_endpoint_refuses_a_foreign_origin_with_cookies() {
    use keyward_server::config::{
        AdminConfig, DeviceAuthorizationConfig, DynamicAccessControlConfig, ElectronConfig, OneTimeTokenConfig,
        OrganizationConfig, PasskeyConfig, TwoFactorConfig,
    };
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let plugin = CountingPlugin(calls.clone());
    let app = TestApp::with_builder(
        Backend::Sqlite,
        |config| {
            config.two_factor = Some(TwoFactorConfig::default());
            let mut organization = OrganizationConfig::default();
            organization.teams.enabled = true;
            organization.dynamic_access_control = Some(DynamicAccessControlConfig::default());
            config.organization = Some(organization);
            config.passkey = Some(PasskeyConfig::default());
            config.admin = Some(AdminConfig::default());
            config.one_time_token = Some(OneTimeTokenConfig::default());
            config.electron = Some(ElectronConfig::default());
            config.device_authorization = Some(DeviceAuthorizationConfig::default());
            config.magic_link = Some(keyward_server::config::MagicLinkConfig::default());
            config.email_otp = Some(keyward_server::config::EmailOtpConfig::default());
            config.phone_number = Some(keyward_server::config::PhoneNumberConfig::default());
            config.anonymous = Some(keyward_server::config::AnonymousConfig::default());
            config.multi_session = Some(keyward_server::config::MultiSessionConfig::default());
            config.api_key = Some(keyward_server::config::ApiKeyConfig::default().enable_session_for_api_keys());
        },
        |builder| builder.plugin(plugin),
    )
    .await;
    let client = app.sign_up("Ada", "ada@example.com", "correct-horse-battery").await;
    let cookie = client.cookie_header();
    let posts: Vec<&'static str> = app
        .auth
        .endpoints()
        .into_iter()
        .filter(|route| route.method == axum::http::Method::POST)
        .map(|route| route.path)
        .collect();
    for expected in [
        "/admin/stop-impersonating",
        "/sign-out",
        "/two-factor/enable",
        "/passkey/delete-passkey",
        "/one-time-token/verify",
        "/electron/token",
        "/electron/transfer-user",
        "/device/code",
        "/device/approve",
        "/sign-in/magic-link",
        "/email-otp/send-verification-otp",
        "/phone-number/send-otp",
        "/sign-in/anonymous",
        "/multi-session/revoke",
        "/api-key/create",
        "/api-key/update",
        "/api-key/delete",
        "/counting/json",
        "/counting/form",
        "/counting/bare",
    ] {
        assert!(posts.contains(&expected), "{expected} is not listed: {posts:?}");
    }
    assert!(posts.len() >= 60, "only {} POST endpoints listed", posts.len());
    for path in &posts {
        for (content_type, body) in [("text/plain", ""), ("application/json", "{}")] {
            let response = app
                .post(path)
                .header("cookie", &cookie)
                .header("origin", "https://evil.com")
                .raw(content_type, body)
                .send()
                .await;
            assert_eq!(
                response.status,
                StatusCode::FORBIDDEN,
                "{path} ({content_type}): {}",
                response.text()
            );
            assert_eq!(response.code().as_deref(), Some("INVALID_ORIGIN"), "{path}");
            assert!(
                response.set_cookies().is_empty(),
                "{path} changed cookies: {:?}",
                response.set_cookies()
            );
        }
    }
    // Nothing was done: the session still works, and no plugin handler ran.
    let session = app.get("/get-session").cookies(&client).send().await;
    assert_eq!(session.json()["user"]["email"], "ada@example.com");
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    // The same requests from the app's own origin reach the handlers.
    for path in ["/counting/json", "/counting/form", "/counting/bare"] {
        let response = app
            .post(path)
            .header("cookie", &cookie)
            .origin()
            .json(&json!({}))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.text());
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
}
