//! The phone-number plugin: codes by SMS and their `verification` rows, verification
//! (sign-in, updatePhoneNumber, sign-up on verification, disableSession), sign-in with a
//! number and password, password resets, the numbers only a verified code sets, and every
//! failure (expired, reused, wrong, too many attempts, taken, unverified).

use crate::common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::{Backend, Client, TestApp, TestResponse};
use keyward_server::config::{PhoneNumberConfig, SignUpOnVerification, Sms, SmsError, SmsKind, SmsSender};
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";
const ADA: &str = "+15550001";
const BOB: &str = "+15550002";

async fn app(backend: Backend, options: PhoneNumberConfig) -> TestApp {
    TestApp::with(backend, |config| config.phone_number = Some(options)).await
}

async fn post(app: &TestApp, path: &str, body: Value) -> TestResponse {
    app.post(path).json(&body).send().await
}

async fn send_otp(app: &TestApp, phone: &str) -> String {
    let answer = post(app, "/phone-number/send-otp", json!({"phoneNumber": phone})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json(), json!({"message": "code sent"}));
    texted(app, "phone-number-otp", phone).await
}

/// The newest code of `kind` texted to `phone` (the development sender's outbox line).
async fn texted(app: &TestApp, kind: &str, phone: &str) -> String {
    let sms = app.wait_for_email(kind, phone).await;
    sms["token"].as_str().expect("a code").to_owned()
}

/// The stored value of `identifier`.
async fn stored(app: &TestApp, identifier: &str) -> Option<String> {
    let rows = app
        .sql_rows(
            r#"select "value" from "verification" where "identifier" = $1"#,
            keyward_server::args![identifier],
        )
        .await;
    rows.first()
        .map(|row| row.opt_text("value").expect("value").expect("text"))
}

/// Signs a user up by email and gives them `phone`, verified (send-otp, then verify with
/// updatePhoneNumber).
async fn user_with_number(app: &TestApp, email: &str, phone: &str) -> Client {
    let client = app.sign_up("Ada", email, PASSWORD).await;
    let code = send_otp(app, phone).await;
    let answer = app
        .post("/phone-number/verify")
        .cookies(&client)
        .json(&json!({"phoneNumber": phone, "code": code, "updatePhoneNumber": true}))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let body = answer.json();
    assert_eq!(body["status"], true);
    assert_eq!(body["token"], Value::String(client.session_token()));
    assert_eq!(body["user"]["phoneNumber"], phone);
    assert_eq!(body["user"]["phoneNumberVerified"], true);
    client
}

on_both_databases! {
    async fn a_texted_code_is_stored_as_better_auth_stores_it_and_verifies_once(backend: Backend) {
        let app = app(backend, PhoneNumberConfig::default()).await;
        let code = send_otp(&app, ADA).await;
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(stored(&app, &format!("phone-number-otp-{ADA}")).await, Some(format!("{code}:0")));
        let client = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let fresh = app.sign_up("Bob", "bob@example.com", PASSWORD).await;
        let answer = app
            .post("/phone-number/verify")
            .cookies(&client)
            .json(&json!({"phoneNumber": ADA, "code": code, "updatePhoneNumber": true}))
            .send()
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(stored(&app, &format!("phone-number-otp-{ADA}")).await, None, "used up");
        // The same code again: gone.
        let again = app
            .post("/phone-number/verify")
            .cookies(&fresh)
            .json(&json!({"phoneNumber": ADA, "code": code, "updatePhoneNumber": true}))
            .send()
            .await;
        again.assert_error(StatusCode::BAD_REQUEST, "OTP_NOT_FOUND");

        // A code for a number with a user signs that user in (a new session) and verifies it.
        let code = send_otp(&app, ADA).await;
        let answer = post(&app, "/phone-number/verify", json!({"phoneNumber": ADA, "code": code})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let body = answer.json();
        assert_eq!(body["user"]["email"], "ada@example.com");
        assert_eq!(body["user"]["phoneNumberVerified"], true);
        let token = body["token"].as_str().expect("a session token");
        assert_ne!(token, client.session_token());
        let mut signed_in = Client::default();
        signed_in.store(&answer);
        assert_eq!(signed_in.session_token(), token);

        // disableSession: verified, no session.
        let code = send_otp(&app, ADA).await;
        let answer = post(
            &app,
            "/phone-number/verify",
            json!({"phoneNumber": ADA, "code": code, "disableSession": true}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["token"], Value::Null);
        assert!(answer.cookie("better-auth.session_token").is_none());
    }
}

on_both_databases! {
    async fn wrong_codes_count_until_the_code_is_gone_and_expired_codes_fail(backend: Backend) {
        let app = app(backend, PhoneNumberConfig::default()).await;
        let identifier = format!("phone-number-otp-{ADA}");
        post(&app, "/phone-number/verify", json!({"phoneNumber": ADA, "code": "123456"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "OTP_NOT_FOUND");
        let code = send_otp(&app, ADA).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for attempt in 1..=3 {
            post(&app, "/phone-number/verify", json!({"phoneNumber": ADA, "code": wrong}))
                .await
                .assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
            assert_eq!(stored(&app, &identifier).await, Some(format!("{code}:{attempt}")));
        }
        // The fourth try, even with the right code: too many attempts, and the code is gone.
        post(&app, "/phone-number/verify", json!({"phoneNumber": ADA, "code": code}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "TOO_MANY_ATTEMPTS");
        assert_eq!(stored(&app, &identifier).await, None);

        let code = send_otp(&app, ADA).await;
        app.sql(
            r#"update "verification" set "expiresAt" = $1 where "identifier" = $2"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(1), identifier.as_str()],
        )
        .await;
        post(&app, "/phone-number/verify", json!({"phoneNumber": ADA, "code": code}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "OTP_EXPIRED");
        assert_eq!(stored(&app, &identifier).await, None, "an expired code is dropped");

        // allowedAttempts 1 and a shorter code.
        let strict = app.beside(|config| {
            config.phone_number = Some(PhoneNumberConfig::default().allowed_attempts(1).otp_length(4));
        })
        .await;
        let code = send_otp(&strict, BOB).await;
        assert_eq!(code.len(), 4);
        let wrong = if code == "0000" { "1111" } else { "0000" };
        post(&strict, "/phone-number/verify", json!({"phoneNumber": BOB, "code": wrong}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        post(&strict, "/phone-number/verify", json!({"phoneNumber": BOB, "code": code}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "TOO_MANY_ATTEMPTS");
    }
}

on_both_databases! {
    async fn numbers_are_unique_and_set_only_by_a_verified_code(backend: Backend) {
        let app = app(backend, PhoneNumberConfig::default()).await;
        let ada = user_with_number(&app, "ada@example.com", ADA).await;
        let bob = app.sign_up("Bob", "bob@example.com", PASSWORD).await;
        let code = send_otp(&app, ADA).await;
        app.post("/phone-number/verify")
            .cookies(&bob)
            .json(&json!({"phoneNumber": ADA, "code": code, "updatePhoneNumber": true}))
            .send()
            .await
            .assert_error(StatusCode::BAD_REQUEST, "PHONE_NUMBER_EXIST");
        let code = send_otp(&app, BOB).await;
        post(
            &app,
            "/phone-number/verify",
            json!({"phoneNumber": BOB, "code": code, "updatePhoneNumber": true}),
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "USER_NOT_FOUND");
        // A number without a user and no sign-up on verification.
        let code = send_otp(&app, BOB).await;
        post(&app, "/phone-number/verify", json!({"phoneNumber": BOB, "code": code}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "FAILED_TO_UPDATE_USER");

        app.post("/update-user")
            .cookies(&bob)
            .json(&json!({"phoneNumber": BOB}))
            .send()
            .await
            .assert_error(StatusCode::BAD_REQUEST, "PHONE_NUMBER_CANNOT_BE_UPDATED");
        post(
            &app,
            "/sign-up/email",
            json!({"name": "Cy", "email": "cy@example.com", "password": PASSWORD, "phoneNumber": "+15550003"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "PHONE_NUMBER_CANNOT_BE_SET");
        let answer = post(
            &app,
            "/sign-up/email",
            json!({"name": "Cy", "email": "cy@example.com", "password": PASSWORD, "phoneNumber": ""}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["user"]["phoneNumber"], Value::Null);
        assert_eq!(answer.json()["user"]["phoneNumberVerified"], false);

        // Clearing the number unverifies it.
        let answer = app
            .post("/update-user")
            .cookies(&ada)
            .json(&json!({"phoneNumber": null}))
            .send()
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let session = app.get("/get-session").cookies(&ada).send().await.json();
        assert_eq!(session["user"]["phoneNumber"], Value::Null);
        assert_eq!(session["user"]["phoneNumberVerified"], false);
    }
}

on_both_databases! {
    async fn verifying_an_unknown_number_signs_its_user_up_when_configured(backend: Backend) {
        let options = PhoneNumberConfig::default()
            .sign_up_on_verification(SignUpOnVerification::with_domain("phone.example.com").temp_name(|n: &str| format!("Caller {n}")));
        let app = TestApp::with(backend, |config| {
            config.phone_number = Some(options);
            config.user.additional_fields.push(keyward_server::config::AdditionalField::new(
                "nickname",
                keyward_server::db::FieldType::String,
            ));
        })
        .await;
        let code = send_otp(&app, ADA).await;
        let answer = post(
            &app,
            "/phone-number/verify",
            json!({"phoneNumber": ADA, "code": code, "nickname": "ada"}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let user = &answer.json()["user"];
        assert_eq!(user["email"], "+15550001@phone.example.com");
        assert_eq!(user["name"], "Caller +15550001");
        assert_eq!(user["emailVerified"], false);
        assert_eq!(user["phoneNumber"], ADA);
        assert_eq!(user["phoneNumberVerified"], true);
        assert_eq!(user["nickname"], "ada");
        assert!(answer.json()["token"].is_string());
        // A field clients may not set is refused.
        let code = send_otp(&app, BOB).await;
        let answer = post(
            &app,
            "/phone-number/verify",
            json!({"phoneNumber": BOB, "code": code, "phoneNumberVerified": true}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    }
}

on_both_databases! {
    async fn a_number_and_password_sign_in(backend: Backend) {
        let app = app(backend, PhoneNumberConfig::default()).await;
        user_with_number(&app, "ada@example.com", ADA).await;
        let answer = post(&app, "/sign-in/phone-number", json!({"phoneNumber": ADA, "password": PASSWORD})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let body = answer.json();
        assert_eq!(body.as_object().map(|o| o.len()), Some(2), "{body}");
        assert_eq!(body["user"]["email"], "ada@example.com");
        let mut client = Client::default();
        client.store(&answer);
        assert_eq!(client.session_token(), body["token"].as_str().expect("token"));
        let cookie = answer.cookie("better-auth.session_token").expect("cookie");
        assert!(cookie.attributes.contains("Max-Age"), "{}", cookie.attributes);

        let answer = post(
            &app,
            "/sign-in/phone-number",
            json!({"phoneNumber": ADA, "password": PASSWORD, "rememberMe": false}),
        )
        .await;
        let cookie = answer.cookie("better-auth.session_token").expect("cookie");
        assert!(!cookie.attributes.contains("Max-Age"), "a browser-session cookie: {}", cookie.attributes);

        for body in [
            json!({"phoneNumber": ADA, "password": "wrong-password-1"}),
            json!({"phoneNumber": BOB, "password": PASSWORD}),
            json!({"phoneNumber": "", "password": PASSWORD}),
        ] {
            post(&app, "/sign-in/phone-number", body)
                .await
                .assert_error(StatusCode::UNAUTHORIZED, "INVALID_PHONE_NUMBER_OR_PASSWORD");
        }
        post(&app, "/sign-in/phone-number", json!({"phoneNumber": ADA}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    }
}

on_both_databases! {
    async fn require_verification_refuses_unverified_numbers_and_texts_a_code(backend: Backend) {
        let app = app(backend, PhoneNumberConfig::default().require_verification(true)).await;
        user_with_number(&app, "ada@example.com", ADA).await;
        // Made unverified behind the server's back (as an admin edit could).
        app.sql(
            r#"update "user" set "phoneNumberVerified" = $1 where "email" = 'ada@example.com'"#,
            keyward_server::args![false],
        )
        .await;
        post(&app, "/sign-in/phone-number", json!({"phoneNumber": ADA, "password": PASSWORD}))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "PHONE_NUMBER_NOT_VERIFIED");
        let code = texted(&app, "phone-number-otp", ADA).await;
        assert_eq!(
            stored(&app, &format!("phone-number-otp-{ADA}")).await,
            Some(code.clone()),
            "better-auth stores the sign-in's code without an attempt count"
        );
        // Password resets of unverified numbers are refused.
        let before = app.emails().len();
        let answer = post(&app, "/phone-number/request-password-reset", json!({"phoneNumber": ADA})).await;
        assert_eq!(answer.json(), json!({"status": true}));
        assert_eq!(app.emails().len(), before, "no code texted to an unverified number");
        let reset = stored(&app, &format!("phone-number-reset-{ADA}")).await.expect("a code is stored all the same");
        let reset = reset.split(':').next().expect("code").to_owned();
        post(
            &app,
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": reset, "newPassword": "another-password-1"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "PHONE_NUMBER_PENDING_VERIFICATION");

        let answer = post(&app, "/phone-number/verify", json!({"phoneNumber": ADA, "code": code})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let answer = post(&app, "/sign-in/phone-number", json!({"phoneNumber": ADA, "password": PASSWORD})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    }
}

on_both_databases! {
    async fn a_texted_code_resets_the_password_once(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.phone_number = Some(PhoneNumberConfig::default());
            config.email_and_password.revoke_sessions_on_password_reset = true;
        })
        .await;
        let ada = user_with_number(&app, "ada@example.com", ADA).await;
        let answer = post(&app, "/phone-number/request-password-reset", json!({"phoneNumber": ADA})).await;
        assert_eq!(answer.json(), json!({"status": true}));
        let code = texted(&app, "phone-number-reset", ADA).await;
        assert_eq!(stored(&app, &format!("phone-number-reset-{ADA}")).await, Some(format!("{code}:0")));
        let wrong = if code == "000000" { "111111" } else { "000000" };
        post(
            &app,
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": wrong, "newPassword": "another-password-1"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        post(
            &app,
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": code, "newPassword": "short"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "PASSWORD_TOO_SHORT");
        let answer = post(
            &app,
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": code, "newPassword": "another-password-1"}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json(), json!({"status": true}));
        assert_eq!(stored(&app, &format!("phone-number-reset-{ADA}")).await, None);
        post(
            &app,
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": code, "newPassword": "a-third-password-1"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "OTP_NOT_FOUND");
        let session = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(session.json(), Value::Null, "sessions revoked on reset");
        post(&app, "/sign-in/phone-number", json!({"phoneNumber": ADA, "password": PASSWORD}))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "INVALID_PHONE_NUMBER_OR_PASSWORD");
        let answer = post(
            &app,
            "/sign-in/phone-number",
            json!({"phoneNumber": ADA, "password": "another-password-1"}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

        // No user: a code is stored but not texted, and it resets nothing.
        let before = app.emails().len();
        post(&app, "/phone-number/request-password-reset", json!({"phoneNumber": BOB})).await;
        assert_eq!(app.emails().len(), before);
        let code = stored(&app, &format!("phone-number-reset-{BOB}")).await.expect("stored");
        let code = code.split(':').next().expect("code").to_owned();
        post(
            &app,
            "/phone-number/reset-password",
            json!({"phoneNumber": BOB, "otp": code, "newPassword": "another-password-1"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "UNEXPECTED_ERROR");
    }
}

on_both_databases! {
    async fn a_second_factor_challenges_a_phone_number_sign_in(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.phone_number = Some(PhoneNumberConfig::default());
            config.two_factor = Some(keyward_server::config::TwoFactorConfig::default());
        })
        .await;
        let ada = user_with_number(&app, "ada@example.com", ADA).await;
        let enabled = app
            .post("/two-factor/enable")
            .cookies(&ada)
            .json(&json!({"password": PASSWORD, "method": "otp"}))
            .send()
            .await;
        assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.text());
        let answer = post(&app, "/sign-in/phone-number", json!({"phoneNumber": ADA, "password": PASSWORD})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["twoFactorRedirect"], true, "{}", answer.text());
        assert!(answer.json().get("token").is_none(), "no session before the second factor");
        assert!(
            answer.cookie("better-auth.two_factor").is_some(),
            "the challenge cookie: {:?}",
            answer.set_cookies()
        );
        let session = answer.cookie("better-auth.session_token");
        assert!(session.as_ref().is_none_or(|cookie| cookie.attributes.contains("Max-Age=0")), "{session:?}");
    }
}

/// Keeps every code it is handed.
#[derive(Clone, Default)]
struct Keep(Arc<Mutex<Vec<Sms>>>);

#[async_trait::async_trait]
impl SmsSender for Keep {
    async fn send_sms(&self, sms: &Sms) -> Result<(), SmsError> {
        self.0.lock().expect("lock").push(sms.clone());
        Ok(())
    }
}

#[tokio::test]
async fn a_custom_sender_and_validator_and_no_sender_at_all() {
    let keep = Keep::default();
    let options = PhoneNumberConfig::default()
        .sender(keep.clone())
        .phone_number_validator(keyward_server::config::is_e164);
    let app = app(Backend::Sqlite, options).await;
    let answer = app
        .post("/phone-number/send-otp")
        .header("user-agent", "phone-test/1.0")
        .json(&json!({"phoneNumber": ADA}))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    post(&app, "/phone-number/send-otp", json!({"phoneNumber": "5550001"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "INVALID_PHONE_NUMBER");
    post(
        &app,
        "/sign-in/phone-number",
        json!({"phoneNumber": "5550001", "password": PASSWORD}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "INVALID_PHONE_NUMBER");
    let sent = keep.0.lock().expect("lock").clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, SmsKind::PhoneNumberOtp);
    assert_eq!(sent[0].phone_number, ADA);
    assert_eq!(sent[0].request.user_agent.as_deref(), Some("phone-test/1.0"));
    assert!(app.emails().is_empty(), "a configured sender replaces the outbox");
    let code = sent[0].code.expose().to_owned();
    assert_eq!(
        stored(&app, &format!("phone-number-otp-{ADA}")).await,
        Some(format!("{code}:0"))
    );

    let silent = TestApp::with(Backend::Sqlite, |config| {
        config.phone_number = Some(PhoneNumberConfig::default());
        config.email.outbox = None;
        config.email.log_links = false;
    })
    .await;
    post(&silent, "/phone-number/send-otp", json!({"phoneNumber": ADA}))
        .await
        .assert_error(StatusCode::NOT_IMPLEMENTED, "SEND_OTP_NOT_IMPLEMENTED");
}

#[tokio::test]
async fn the_phone_number_routes_share_better_auths_rate_limit() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.phone_number = Some(PhoneNumberConfig::default());
        config.rate_limit.enabled = true;
    })
    .await;
    let ask = || {
        app.post("/phone-number/request-password-reset")
            .peer("203.0.113.7")
            .json(&json!({"phoneNumber": ADA}))
            .send()
    };
    for _ in 0..10 {
        let answer = ask().await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    }
    let answer = ask().await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{}", answer.text());
}

#[tokio::test]
async fn without_the_plugin_there_are_no_phone_number_routes_and_no_fields() {
    let app = TestApp::new(Backend::Sqlite).await;
    let answer = post(&app, "/phone-number/send-otp", json!({"phoneNumber": ADA})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = post(
        &app,
        "/sign-up/email",
        json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}),
    )
    .await;
    assert!(answer.json()["user"].get("phoneNumber").is_none(), "{}", answer.text());
}

#[tokio::test]
async fn the_last_login_method_names_no_method_for_a_phone_number_sign_in() {
    // better-auth's lastLoginMethod resolves email, providers, passkey, magic-link,
    // email-otp, siwe and one-tap only: a phone-number sign-in sets no cookie there either.
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.phone_number = Some(PhoneNumberConfig::default());
        config.last_login_method = Some(keyward_server::config::LastLoginMethodConfig::default());
    })
    .await;
    user_with_number(&app, "ada@example.com", ADA).await;
    let answer = post(
        &app,
        "/sign-in/phone-number",
        json!({"phoneNumber": ADA, "password": PASSWORD}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert!(answer.cookie("better-auth.session_token").is_some());
    assert!(
        answer.cookie("better-auth.last_used_login_method").is_none(),
        "{:?}",
        answer.set_cookies()
    );
    let code = send_otp(&app, ADA).await;
    let answer = post(&app, "/phone-number/verify", json!({"phoneNumber": ADA, "code": code})).await;
    assert!(answer.cookie("better-auth.last_used_login_method").is_none());
}
