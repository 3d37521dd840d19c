//! The device-authorization plugin (RFC 8628): `/device/code`, `/device/token`,
//! `GET /device`, `/device/approve` and `/device/deny`, the `deviceCode` rows they keep,
//! and the attacks the flow must withstand (polling too fast, a denied or expired code,
//! a token taken twice, another client's code, guessing user codes, deciding a code
//! someone else claimed, malformed requests).

use crate::common;

use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, Utc};
use common::{Backend, Client, TestApp, TestResponse};
use keyward_server::args;
use keyward_server::config::DeviceAuthorizationConfig;
use keyward_server::wire::{DeviceCodeRequest, DeviceTokenRequest, OAuthErrorCode, UserCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";
const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const ALPHABET: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

async fn app(backend: Backend, options: DeviceAuthorizationConfig) -> TestApp {
    TestApp::with(backend, |config| config.device_authorization = Some(options)).await
}

/// `POST /device/code` for `client_id`; its JSON answer.
async fn request_code(app: &TestApp, body: Value) -> Value {
    let answer = app.post("/device/code").json(&body).send().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

async fn poll(app: &TestApp, device_code: &str, client_id: &str) -> TestResponse {
    app.post("/device/token")
        .json(&json!({"grant_type": GRANT, "device_code": device_code, "client_id": client_id}))
        .send()
        .await
}

/// Forgets when the code was last polled, as if the interval had passed.
async fn let_interval_pass(app: &TestApp) {
    let past = Utc::now() - Duration::minutes(1);
    app.sql(r#"update "deviceCode" set "lastPolledAt" = $1"#, args![past])
        .await;
}

async fn verify(app: &TestApp, client: Option<&Client>, user_code: &str) -> TestResponse {
    let path = format!("/device?user_code={}", urlencode(user_code));
    match client {
        Some(client) => app.get(&path).cookies(client).send().await,
        None => app.get(&path).send().await,
    }
}

async fn decide(app: &TestApp, client: &Client, verb: &str, user_code: &str) -> TestResponse {
    app.post(&format!("/device/{verb}"))
        .cookies(client)
        .json(&json!({"userCode": user_code}))
        .send()
        .await
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// An OAuth error answer: status and `{error, error_description}` exactly.
#[track_caller]
fn assert_oauth(answer: &TestResponse, status: StatusCode, error: &str, description: &str) {
    assert_eq!(answer.status, status, "{}", answer.text());
    assert_eq!(answer.json(), json!({"error": error, "error_description": description}));
}

/// The `deviceCode` rows: status, user id, client and scope.
async fn rows(app: &TestApp) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
    app.sql_rows(
        r#"select "status", "userId", "clientId", "scope" from "deviceCode""#,
        vec![],
    )
    .await
    .iter()
    .map(|row| {
        (
            row.text("status").expect("status"),
            row.opt_text("userId").expect("userId"),
            row.opt_text("clientId").expect("clientId"),
            row.opt_text("scope").expect("scope"),
        )
    })
    .collect()
}

fn no_store(answer: &TestResponse) {
    assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(answer.header("pragma").as_deref(), Some("no-cache"));
}

on_both_databases! {
    async fn a_device_is_signed_in_once_its_user_approves(backend: Backend) {
        let app = app(backend, DeviceAuthorizationConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let grace = app.sign_up("Grace", "grace@example.com", PASSWORD).await;

        let raw = app
            .post("/device/code")
            .json(&json!({"client_id": "cli", "scope": "openid profile"}))
            .send()
            .await;
        assert_eq!(raw.status, StatusCode::OK, "{}", raw.text());
        no_store(&raw);
        let code = raw.json();
        let device_code = code["device_code"].as_str().expect("device code").to_owned();
        let user_code = code["user_code"].as_str().expect("user code").to_owned();
        assert_eq!(device_code.len(), 40);
        assert!(device_code.bytes().all(|b| b.is_ascii_alphanumeric()), "{device_code}");
        assert_eq!(user_code.len(), 8);
        assert!(user_code.chars().all(|c| ALPHABET.contains(c)), "{user_code}");
        assert_eq!(
            code,
            json!({
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": "http://localhost:3000/device",
                "verification_uri_complete": format!("http://localhost:3000/device?user_code={user_code}"),
                "expires_in": 1800,
                "interval": 5
            })
        );
        assert_eq!(
            rows(&app).await,
            [("pending".into(), None, Some("cli".into()), Some("openid profile".into()))]
        );
        let stored = app
            .sql_rows(r#"select "expiresAt", "pollingInterval", "lastPolledAt" from "deviceCode""#, vec![])
            .await;
        let lifetime = stored[0].time("expiresAt").expect("expiresAt") - Utc::now();
        assert!((1790..=1800).contains(&lifetime.num_seconds()), "{lifetime}");
        assert_eq!(stored[0].opt_int("pollingInterval").expect("interval"), Some(5000), "milliseconds");
        assert_eq!(stored[0].opt_time("lastPolledAt").expect("lastPolledAt"), None);

        let pending = poll(&app, &device_code, "cli").await;
        assert_oauth(&pending, StatusCode::BAD_REQUEST, "authorization_pending", "Authorization pending");
        no_store(&pending);

        // Nobody may decide a code before claiming it.
        assert_oauth(
            &decide(&app, &ada, "approve", &user_code).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Device code has not been claimed by a verifying session; call `GET /device` with the `user_code` while signed in before approving or denying",
        );
        // Anyone may read the status; only a signed-in user claims it.
        let anonymous = verify(&app, None, &user_code).await;
        assert_eq!(anonymous.json(), json!({"user_code": user_code, "status": "pending"}));
        assert_eq!(rows(&app).await[0].1, None);

        // Ada types the code as people do: lower case, with a dash.
        let typed = format!("{}-{}", &user_code[..4], &user_code[4..]).to_lowercase();
        let claimed = verify(&app, Some(&ada), &typed).await;
        assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
        assert_eq!(
            claimed.json(),
            json!({"user_code": typed, "status": "pending", "client_id": "cli", "scope": "openid profile"})
        );
        let ada_id = app.auth.api().find_user_by_email("ada@example.com").await.expect("db").expect("ada").id;
        assert_eq!(rows(&app).await[0].1.as_deref(), Some(ada_id.as_str()));

        // Grace sees the status but neither the client nor the scopes, and cannot decide.
        let other = verify(&app, Some(&grace), &user_code).await;
        assert_eq!(other.json(), json!({"user_code": user_code, "status": "pending"}));
        assert_oauth(
            &decide(&app, &grace, "approve", &user_code).await,
            StatusCode::FORBIDDEN,
            "access_denied",
            "You are not authorized to approve this device authorization",
        );
        assert_oauth(
            &decide(&app, &grace, "deny", &user_code).await,
            StatusCode::FORBIDDEN,
            "access_denied",
            "You are not authorized to deny this device authorization",
        );

        let approved = decide(&app, &ada, "approve", &typed).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
        assert_eq!(approved.json(), json!({"success": true}));
        assert!(approved.header("set-auth-token").is_none(), "approving signs nobody in");
        for verb in ["approve", "deny"] {
            assert_oauth(
                &decide(&app, &ada, verb, &user_code).await,
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Device code already processed",
            );
        }
        assert_eq!(rows(&app).await[0].0, "approved");

        // Polling again at once is too fast, approved or not.
        assert_oauth(
            &poll(&app, &device_code, "cli").await,
            StatusCode::BAD_REQUEST,
            "slow_down",
            "Polling too frequently",
        );
        let_interval_pass(&app).await;
        let granted = poll(&app, &device_code, "cli").await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.text());
        no_store(&granted);
        assert!(granted.cookie("better-auth.session_token").is_none(), "no cookie: the device keeps the token");
        assert!(granted.header("set-auth-token").is_none());
        let token = granted.json();
        assert_eq!(token["token_type"], "Bearer");
        assert_eq!(token["scope"], "openid profile");
        let expires_in = token["expires_in"].as_i64().expect("expires_in");
        assert!((604_790..=604_800).contains(&expires_in), "{expires_in}");
        let access_token = token["access_token"].as_str().expect("access token");
        assert_eq!(access_token.len(), 32);

        let session = app.get("/get-session").bearer(access_token).send().await;
        assert_eq!(session.json()["user"]["email"], "ada@example.com");
        assert_eq!(session.json()["session"]["token"], access_token);
        assert_ne!(access_token, ada.session_token(), "a session of its own");
        assert!(rows(&app).await.is_empty(), "the code is used up");

        // The same code again: gone.
        let_interval_pass(&app).await;
        assert_oauth(
            &poll(&app, &device_code, "cli").await,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Invalid device code",
        );
        assert_oauth(
            &verify(&app, Some(&ada), &user_code).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid user code",
        );
    }
}

on_both_databases! {
    async fn polling_faster_than_the_interval_is_slowed_down(backend: Backend) {
        let options = DeviceAuthorizationConfig::default().interval(std::time::Duration::from_millis(400));
        let app = app(backend, options).await;
        let code = request_code(&app, json!({"client_id": "cli"})).await;
        assert_eq!(code["interval"], 0, "whole seconds, rounded down as better-auth does");
        let device_code = code["device_code"].as_str().expect("device code");
        assert_eq!(poll(&app, device_code, "cli").await.json()["error"], "authorization_pending");
        for _ in 0..3 {
            assert_eq!(poll(&app, device_code, "cli").await.json()["error"], "slow_down");
        }
        // A refused poll does not restart the interval.
        tokio::time::sleep(std::time::Duration::from_millis(450)).await;
        assert_eq!(poll(&app, device_code, "cli").await.json()["error"], "authorization_pending");
        assert_eq!(poll(&app, device_code, "cli").await.json()["error"], "slow_down");
    }
}

on_both_databases! {
    async fn a_denied_device_hears_so_once(backend: Backend) {
        let app = app(backend, DeviceAuthorizationConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let code = request_code(&app, json!({"client_id": "cli"})).await;
        let (device_code, user_code) = (code["device_code"].as_str().expect("dc"), code["user_code"].as_str().expect("uc"));
        assert_eq!(
            verify(&app, Some(&ada), user_code).await.json(),
            json!({"user_code": user_code, "status": "pending", "client_id": "cli", "scope": null}),
            "no scope is null for the claimant, as better-auth answers"
        );
        let denied = decide(&app, &ada, "deny", user_code).await;
        assert_eq!(denied.json(), json!({"success": true}));
        assert_eq!(verify(&app, Some(&ada), user_code).await.json()["status"], "denied");
        assert_oauth(
            &decide(&app, &ada, "approve", user_code).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Device code already processed",
        );
        assert_oauth(
            &poll(&app, device_code, "cli").await,
            StatusCode::BAD_REQUEST,
            "access_denied",
            "Access denied",
        );
        assert!(rows(&app).await.is_empty(), "a denial is told once, then forgotten");
        let_interval_pass(&app).await;
        assert_eq!(poll(&app, device_code, "cli").await.json()["error"], "invalid_grant");
        assert_eq!(app.count("session").await, 1, "only Ada's own session");
    }
}

on_both_databases! {
    async fn expired_codes_are_refused_everywhere(backend: Backend) {
        let app = app(backend, DeviceAuthorizationConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let code = request_code(&app, json!({"client_id": "cli"})).await;
        let (device_code, user_code) = (code["device_code"].as_str().expect("dc"), code["user_code"].as_str().expect("uc"));
        assert_eq!(verify(&app, Some(&ada), user_code).await.status, StatusCode::OK);
        let past = Utc::now() - Duration::seconds(1);
        app.sql(r#"update "deviceCode" set "expiresAt" = $1"#, args![past]).await;
        assert_oauth(
            &verify(&app, Some(&ada), user_code).await,
            StatusCode::BAD_REQUEST,
            "expired_token",
            "User code has expired",
        );
        for verb in ["approve", "deny"] {
            assert_oauth(
                &decide(&app, &ada, verb, user_code).await,
                StatusCode::BAD_REQUEST,
                "expired_token",
                "User code has expired",
            );
        }
        assert_oauth(
            &poll(&app, device_code, "cli").await,
            StatusCode::BAD_REQUEST,
            "expired_token",
            "Device code has expired",
        );
        assert!(rows(&app).await.is_empty(), "an expired code is deleted when polled");
        assert_eq!(poll(&app, device_code, "cli").await.json()["error"], "invalid_grant");
    }
}

on_both_databases! {
    async fn a_code_belongs_to_its_client(backend: Backend) {
        let options = DeviceAuthorizationConfig::default().allowed_clients(["cli", "tv"]);
        let app = app(backend, options).await;
        let refused = app.post("/device/code").json(&json!({"client_id": "evil"})).send().await;
        assert_oauth(&refused, StatusCode::BAD_REQUEST, "invalid_client", "Invalid client ID");
        no_store(&refused);
        assert_eq!(app.count("deviceCode").await, 0);

        let code = request_code(&app, json!({"client_id": "cli"})).await;
        let device_code = code["device_code"].as_str().expect("dc");
        assert_oauth(
            &poll(&app, device_code, "evil").await,
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Invalid client ID",
        );
        assert_oauth(
            &poll(&app, device_code, "tv").await,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Client ID mismatch",
        );
        // Neither refusal counted as a poll.
        assert_eq!(poll(&app, device_code, "cli").await.json()["error"], "authorization_pending");
        assert_oauth(
            &poll(&app, "not-a-device-code", "cli").await,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Invalid device code",
        );
    }
}

on_both_databases! {
    async fn taken_tokens_cannot_be_taken_again_even_at_once(backend: Backend) {
        let app = app(backend, DeviceAuthorizationConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let code = request_code(&app, json!({"client_id": "cli"})).await;
        let (device_code, user_code) = (code["device_code"].as_str().expect("dc"), code["user_code"].as_str().expect("uc"));
        verify(&app, Some(&ada), user_code).await;
        assert_eq!(decide(&app, &ada, "approve", user_code).await.status, StatusCode::OK);
        let (a, b, c, d) = tokio::join!(
            poll(&app, device_code, "cli"),
            poll(&app, device_code, "cli"),
            poll(&app, device_code, "cli"),
            poll(&app, device_code, "cli")
        );
        let answers = [a, b, c, d];
        let granted = answers.iter().filter(|answer| answer.status == StatusCode::OK).count();
        assert_eq!(granted, 1, "{:?}", answers.iter().map(TestResponse::text).collect::<Vec<_>>());
        assert_eq!(app.count("session").await, 2, "Ada's and the device's");
    }
}

#[tokio::test]
async fn guessing_user_codes_is_rate_limited() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.device_authorization = Some(DeviceAuthorizationConfig::default());
        config.rate_limit.enabled = true;
    })
    .await;
    let guesses = ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"];
    for guess in guesses {
        let answer = app
            .get(&format!("/device?user_code={guess}"))
            .peer("203.0.113.7")
            .send()
            .await;
        assert_oauth(&answer, StatusCode::BAD_REQUEST, "invalid_request", "Invalid user code");
    }
    let blocked = app.get("/device?user_code=FFFFFFFF").peer("203.0.113.7").send().await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "{}", blocked.text());
    let retry_after: u64 = blocked
        .header("x-retry-after")
        .expect("X-Retry-After")
        .parse()
        .expect("seconds");
    assert!(
        (1700..=1800).contains(&retry_after),
        "the window is the codes' lifetime: {retry_after}"
    );
    // Another client is not blocked, and other device routes keep the default rule.
    let other = app.get("/device?user_code=FFFFFFFF").peer("203.0.113.8").send().await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    for _ in 0..6 {
        let code = app
            .post("/device/code")
            .peer("203.0.113.7")
            .json(&json!({"client_id": "cli"}))
            .send()
            .await;
        assert_eq!(code.status, StatusCode::OK, "{}", code.text());
    }
}

on_both_databases! {
    async fn malformed_requests_are_answered_as_better_auth_does(backend: Backend) {
        let app = app(backend, DeviceAuthorizationConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;

        // /device/code: schema errors are OAuth `invalid_request`s.
        for (body, description) in [
            (json!({}), "[body.client_id] Invalid input: expected string, received undefined"),
            (json!({"client_id": 7}), "[body.client_id] Invalid input: expected string, received number"),
            (json!({"client_id": "cli", "scope": ["a"]}), "[body.scope] Invalid input: expected string, received array"),
        ] {
            let answer = app.post("/device/code").json(&body).send().await;
            assert_oauth(&answer, StatusCode::BAD_REQUEST, "invalid_request", description);
            assert!(answer.header("cache-control").is_none(), "refused before the endpoint ran");
        }
        assert_oauth(
            &app.post("/device/code").json(&json!({"client_id": ""})).send().await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is required",
        );
        let not_json = app.post("/device/code").raw("application/json", "{").send().await;
        not_json.assert_error(StatusCode::BAD_REQUEST, "BAD_REQUEST");
        let text = app.post("/device/code").raw("text/plain", "client_id=cli").send().await;
        text.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
        // RFC 8628's form works, and an empty scope is none.
        let form = app
            .post("/device/code")
            .raw("application/x-www-form-urlencoded", "client_id=cli&scope=")
            .send()
            .await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let twice = app
            .post("/device/code")
            .raw("application/x-www-form-urlencoded", "client_id=cli&scope=a&scope=b")
            .send()
            .await;
        assert_oauth(&twice, StatusCode::BAD_REQUEST, "invalid_request", "scope must not be repeated");
        no_store(&twice);
        assert_eq!(rows(&app).await, [("pending".into(), None, Some("cli".into()), None)]);

        // /device/token: schema errors are better-auth's VALIDATION_ERROR.
        let no_grant = app.post("/device/token").json(&json!({"device_code": "x", "client_id": "cli"})).send().await;
        no_grant.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(no_grant.message(), format!("[body.grant_type] Invalid input: expected \"{GRANT}\""));
        let wrong_grant = app
            .post("/device/token")
            .json(&json!({"grant_type": "password", "device_code": "x", "client_id": "cli"}))
            .send()
            .await;
        wrong_grant.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let form_token = app
            .post("/device/token")
            .raw("application/x-www-form-urlencoded", format!("grant_type={GRANT}&device_code=x&client_id=cli"))
            .send()
            .await;
        form_token.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
        let empty = poll(&app, "", "").await;
        assert_oauth(&empty, StatusCode::BAD_REQUEST, "invalid_grant", "Invalid device code");

        // GET /device and the decisions.
        let no_code = app.get("/device").send().await;
        no_code.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(no_code.message(), "[query.user_code] Invalid input: expected string, received undefined");
        assert_oauth(&verify(&app, None, "").await, StatusCode::BAD_REQUEST, "invalid_request", "Invalid user code");
        assert_oauth(&verify(&app, None, "💥'; drop table \"deviceCode\"; --").await, StatusCode::BAD_REQUEST, "invalid_request", "Invalid user code");
        let no_body = app.post("/device/approve").cookies(&ada).json(&json!({})).send().await;
        no_body.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(no_body.message(), "[body.userCode] Invalid input: expected string, received undefined");
        let anonymous = app.post("/device/deny").json(&json!({"userCode": "ABCDEFGH"})).send().await;
        assert_oauth(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required");
        assert_oauth(
            &decide(&app, &ada, "approve", "NOPE-NOPE").await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid user code",
        );
        // A cookie-authenticated decision needs a trusted Origin, as every POST does.
        let foreign = app
            .post("/device/approve")
            .header("cookie", &ada.cookie_header())
            .header("origin", "https://evil.example")
            .json(&json!({"userCode": "ABCDEFGH"}))
            .send()
            .await;
        foreign.assert_error(StatusCode::FORBIDDEN, "INVALID_ORIGIN");
        assert_eq!(app.count("deviceCode").await, 1, "nothing was changed");
    }
}

on_both_databases! {
    async fn options_and_the_server_api(backend: Backend) {
        let options = DeviceAuthorizationConfig::default()
            .verification_uri("https://id.example.com/activate?lang=en")
            .generate_user_code(|| "custom-Code-1".to_owned())
            .expires_in(std::time::Duration::from_secs(120));
        let app = app(backend, options).await;
        let code = request_code(&app, json!({"client_id": "cli"})).await;
        assert_eq!(code["verification_uri"], "https://id.example.com/activate?lang=en");
        assert_eq!(
            code["verification_uri_complete"],
            "https://id.example.com/activate?lang=en&user_code=custom-Code-1"
        );
        assert_eq!(code["expires_in"], 120);
        // A custom code is matched exactly: no normalizing.
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        assert_eq!(verify(&app, Some(&ada), "CUSTOMCODE1").await.json()["error"], "invalid_request");
        assert_eq!(verify(&app, Some(&ada), "custom-Code-1").await.json()["status"], "pending");
        // The same code again clashes three times: a server error, no row.
        let clash = app.post("/device/code").json(&json!({"client_id": "cli"})).send().await;
        assert_oauth(
            &clash,
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Failed to generate a unique device code",
        );
        assert_eq!(app.count("deviceCode").await, 1);

        // The server API drives the same flow.
        let app = self::app(backend, DeviceAuthorizationConfig::default().verification_uri("activate")).await;
        let api = app.auth.api();
        let issued = api
            .device_code(DeviceCodeRequest {
                client_id: "tv".into(),
                scope: Some("read".into()),
                user_id: None,
            })
            .await
            .expect("a code");
        assert_eq!(issued.verification_uri, "http://localhost:3000/api/activate", "relative to the base URL");
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let mut headers = HeaderMap::new();
        headers.insert("cookie", ada.cookie_header().parse().expect("header"));
        let status = api.device_verify(&headers, &issued.user_code).await.expect("claimed");
        assert_eq!(status.client_id.as_deref(), Some("tv"));
        let pending = api
            .device_token(DeviceTokenRequest::new(issued.device_code.clone(), "tv"))
            .await
            .expect_err("pending");
        assert_eq!(pending.oauth_body().map(|body| body.error.clone()), Some(OAuthErrorCode::AuthorizationPending));
        assert!(api.device_approve(&headers, &issued.user_code).await.expect("approved").success);
        let_interval_pass(&app).await;
        let token = api
            .device_token(DeviceTokenRequest::new(issued.device_code, "tv"))
            .await
            .expect("a token");
        assert_eq!(token.scope, "read");
        let denied = api.device_deny(&HeaderMap::new(), &UserCode::new("ABCDEFGH")).await.expect_err("no session");
        assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
    }
}

on_both_databases! {
    async fn a_code_requested_for_a_user_is_theirs_to_decide(backend: Backend) {
        let app = app(backend, DeviceAuthorizationConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let grace = app.sign_up("Grace", "grace@example.com", PASSWORD).await;
        let ada_id = app.auth.api().find_user_by_email("ada@example.com").await.expect("db").expect("ada").id;
        let code = request_code(&app, json!({"client_id": "cli", "user_id": ada_id})).await;
        let user_code = code["user_code"].as_str().expect("uc");
        // Grace cannot claim it, nor decide it.
        assert_eq!(verify(&app, Some(&grace), user_code).await.json(), json!({"user_code": user_code, "status": "pending"}));
        assert_eq!(decide(&app, &grace, "approve", user_code).await.status, StatusCode::FORBIDDEN);
        // Ada decides it without claiming it.
        assert_eq!(decide(&app, &ada, "deny", user_code).await.json(), json!({"success": true}));
    }
}
