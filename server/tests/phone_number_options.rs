//! The phone-number plugin's hooks: `callbackOnVerification` (after the user is updated
//! or created, before the session; an error is the answer) and `verifyOTP` (an SMS
//! provider's own code check instead of the stored code), and codes kept in Redis.

use crate::common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::TestApp;
use keyward_server::config::{OnPhoneNumberVerified, OtpVerifier, PhoneNumberConfig, SignUpOnVerification};
use keyward_server::wire::{ErrorCode, User};
use keyward_server::{ApiError, ApiResult, Auth};
use serde_json::json;

const PASSWORD: &str = "correct-horse-battery";

/// Records each verification it sees, and refuses the numbers it is told to.
#[derive(Clone, Default)]
struct Verified {
    seen: Arc<Mutex<Vec<(String, String, bool)>>>,
    refuse: Option<&'static str>,
}

#[async_trait::async_trait]
impl OnPhoneNumberVerified for Verified {
    async fn on_verified(&self, _auth: &Auth, phone_number: &str, user: &User) -> ApiResult<()> {
        let verified = user.additional.get("phoneNumberVerified") == Some(&json!(true));
        self.seen
            .lock()
            .expect("lock")
            .push((phone_number.to_owned(), user.email.clone(), verified));
        if self.refuse == Some(phone_number) {
            return Err(ApiError::bad_request(ErrorCode::InvalidPhoneNumber));
        }
        Ok(())
    }
}

async fn texted_code(app: &TestApp, phone: &str) -> String {
    let answer = app
        .post("/phone-number/send-otp")
        .json(&json!({"phoneNumber": phone}))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let sms = app.wait_for_email("phone-number-otp", phone).await;
    sms["token"].as_str().expect("a code").to_owned()
}

on_both_databases! {
    async fn the_verification_callback_sees_each_verified_number_before_its_session(backend: Backend) {
        let hook = Verified {
            refuse: Some("+15550009"),
            ..Verified::default()
        };
        let options = PhoneNumberConfig::default()
            .sign_up_on_verification(SignUpOnVerification::with_domain("phone.example.com"))
            .callback_on_verification(hook.clone());
        let app = TestApp::with(backend, |config| config.phone_number = Some(options)).await;

        // A new number: its user is created, then the callback runs, then the session.
        let code = texted_code(&app, "+15550001").await;
        let answer = app
            .post("/phone-number/verify")
            .json(&json!({"phoneNumber": "+15550001", "code": code}))
            .send()
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert!(answer.json()["token"].is_string());

        // A signed-in user's new number (updatePhoneNumber).
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let code = texted_code(&app, "+15550002").await;
        let answer = app
            .post("/phone-number/verify")
            .cookies(&ada)
            .json(&json!({"phoneNumber": "+15550002", "code": code, "updatePhoneNumber": true}))
            .send()
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

        // A refusing callback is the answer: the number is verified, no session is made.
        let sessions = app.count("session").await;
        let code = texted_code(&app, "+15550009").await;
        let answer = app
            .post("/phone-number/verify")
            .json(&json!({"phoneNumber": "+15550009", "code": code}))
            .send()
            .await;
        answer.assert_error(StatusCode::BAD_REQUEST, "INVALID_PHONE_NUMBER");
        assert!(answer.cookie("better-auth.session_token").is_none(), "no session cookie");
        assert_eq!(app.count("session").await, sessions, "no session row");

        let seen = hook.seen.lock().expect("lock").clone();
        assert_eq!(
            seen,
            [
                ("+15550001".to_owned(), "+15550001@phone.example.com".to_owned(), true),
                ("+15550002".to_owned(), "ada@example.com".to_owned(), true),
                ("+15550009".to_owned(), "+15550009@phone.example.com".to_owned(), true),
            ]
        );
    }
}

/// An SMS provider's check: one fixed code per number.
struct Provider;

#[async_trait::async_trait]
impl OtpVerifier for Provider {
    async fn verify(&self, phone_number: &str, code: &str) -> bool {
        phone_number == "+15550001" && code == "424242"
    }
}

on_both_databases! {
    async fn a_providers_code_check_replaces_the_stored_code(backend: Backend) {
        let options = PhoneNumberConfig::default()
            .sign_up_on_verification(SignUpOnVerification::with_domain("phone.example.com"))
            .verify_otp(Provider);
        let app = TestApp::with(backend, |config| config.phone_number = Some(options)).await;

        // The stored code is not what counts: the provider's is.
        let stored_code = texted_code(&app, "+15550001").await;
        if stored_code != "424242" {
            app.post("/phone-number/verify")
                .json(&json!({"phoneNumber": "+15550001", "code": stored_code}))
                .send()
                .await
                .assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        }
        let answer = app
            .post("/phone-number/verify")
            .json(&json!({"phoneNumber": "+15550001", "code": "424242"}))
            .send()
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["user"]["phoneNumberVerified"], json!(true));
        let rows = app
            .sql_rows(
                r#"select "id" from "verification" where "identifier" = $1"#,
                keyward_server::args!["phone-number-otp-+15550001"],
            )
            .await;
        assert!(rows.is_empty(), "a passing check drops the stored code");

        // Without a texted code, only the provider decides.
        app.post("/phone-number/verify")
            .json(&json!({"phoneNumber": "+15550002", "code": "424242"}))
            .send()
            .await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
    }
}

#[tokio::test]
async fn codes_live_in_secondary_storage_when_it_is_configured() {
    let prefix = common::redis_prefix("phone-number");
    let app = TestApp::with(common::Backend::Sqlite, |config| {
        config.phone_number = Some(PhoneNumberConfig::default());
        config.secondary_storage.redis_url = Some(common::redis_url());
        config.secondary_storage.key_prefix = prefix.clone();
    })
    .await;
    let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let code = texted_code(&app, "+15550001").await;
    assert_eq!(app.count("verification").await, 0, "no row: Redis holds it");
    let redis = redis::Client::open(common::redis_url())
        .expect("redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("Redis is reachable");
    let key = format!("{prefix}verification:phone-number-otp-+15550001");
    let stored = || {
        let (key, mut redis) = (key.clone(), redis.clone());
        async move {
            let raw: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut redis).await.expect("get");
            raw.map(|raw| serde_json::from_str::<serde_json::Value>(&raw).expect("JSON"))
        }
    };
    assert_eq!(stored().await.expect("the key")["value"], format!("{code}:0"));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let verify = |code: String| {
        app.post("/phone-number/verify")
            .cookies(&ada)
            .json(&json!({"phoneNumber": "+15550001", "code": code, "updatePhoneNumber": true}))
            .send()
    };
    verify(wrong.to_owned())
        .await
        .assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
    assert_eq!(stored().await.expect("put back")["value"], format!("{code}:1"));
    let answer = verify(code).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["user"]["phoneNumber"], "+15550001");
    assert!(stored().await.is_none(), "used up");
}
