//! The email-OTP plugin: every route, the rows it keeps, the attempt counter, expiry,
//! disabled sign-up, the change of address and every failure (the options are in
//! `email_otp_options`).

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, TestApp, TestResponse};
use keyward_client::wire::EmailOtpType;
use keyward_server::args;
use keyward_server::config::EmailOtpConfig;
use serde_json::{Value, json};

pub(crate) const PASSWORD: &str = "correct-horse-battery";

pub(crate) async fn app(backend: Backend, options: EmailOtpConfig) -> TestApp {
    TestApp::with(backend, |config| config.email_otp = Some(options)).await
}

pub(crate) async fn post(app: &TestApp, path: &str, body: Value) -> TestResponse {
    app.post(path).json(&body).send().await
}

/// Asks for a code of `otp_type` and answers the one emailed to `email`.
pub(crate) async fn code(app: &TestApp, email: &str, otp_type: &str) -> String {
    // Rows are ordered by their millisecond `createdAt`: one code per millisecond at most.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let before = emails_to(app, email).len();
    let answer = post(
        app,
        "/email-otp/send-verification-otp",
        json!({"email": email, "type": otp_type}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json(), json!({"success": true}));
    let sent = emails_to(app, &email.to_lowercase());
    assert_eq!(sent.len(), before + 1, "one code went out: {sent:?}");
    sent.last().expect("an email")["token"]
        .as_str()
        .expect("a code")
        .to_owned()
}

/// The email-OTP emails to `to`, oldest first.
pub(crate) fn emails_to(app: &TestApp, to: &str) -> Vec<Value> {
    app.emails()
        .into_iter()
        .filter(|email| email["kind"] == "email-otp" && email["to"] == to)
        .collect()
}

/// The rows of `identifier`: value and lifetime in seconds.
pub(crate) async fn rows(app: &TestApp, identifier: &str) -> Vec<(String, i64)> {
    app.sql_rows(
        r#"select "value", "expiresAt", "createdAt" from "verification" where "identifier" = $1"#,
        args![identifier.to_owned()],
    )
    .await
    .iter()
    .map(|row| {
        let lifetime = row.time("expiresAt").expect("expiresAt") - row.time("createdAt").expect("createdAt");
        // A counted attempt is a new row with the old expiry: rounded, still 300.
        (
            row.text("value").expect("value"),
            (lifetime.num_milliseconds() + 500) / 1000,
        )
    })
    .collect()
}

pub(crate) async fn sign_in(app: &TestApp, email: &str, otp: &str) -> TestResponse {
    post(app, "/sign-in/email-otp", json!({"email": email, "otp": otp})).await
}

on_both_databases! {
    async fn a_sign_in_code_signs_a_new_user_up_once(backend: Backend) {
        let app = app(backend, EmailOtpConfig::default()).await;
        let otp = code(&app, "Ada@Example.com", "sign-in").await;
        assert_eq!(otp.len(), 6);
        assert!(otp.bytes().all(|b| b.is_ascii_digit()), "{otp}");
        assert_eq!(
            rows(&app, "sign-in-otp-ada@example.com").await,
            [(format!("{otp}:0"), 300)],
            "named by type and lowercased address, the code and its attempts, five minutes"
        );
        assert_eq!(app.count("user").await, 0);

        let answer = post(
            &app,
            "/sign-in/email-otp",
            json!({"email": "ADA@example.com", "otp": otp, "name": "Ada", "image": "https://example.com/ada.png"}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let body = answer.json();
        assert_eq!(body["user"]["email"], "ada@example.com");
        assert_eq!(body["user"]["name"], "Ada");
        assert_eq!(body["user"]["image"], "https://example.com/ada.png");
        assert_eq!(body["user"]["emailVerified"], true);
        let bearer = answer.header("set-auth-token").expect("a bearer token");
        assert_eq!(bearer.split('.').next(), body["token"].as_str());
        let mut ada = Client::default();
        ada.store(&answer);
        let session = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(session.json()["user"]["email"], "ada@example.com");
        assert!(rows(&app, "sign-in-otp-ada@example.com").await.is_empty(), "the code is used up");

        sign_in(&app, "ada@example.com", &otp).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        let otp = code(&app, "ada@example.com", "sign-in").await;
        let again = sign_in(&app, "ada@example.com", &otp).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text());
        assert_eq!(again.json()["user"]["name"], "Ada");
        assert_eq!(app.count("user").await, 1);
        assert_eq!(app.count("session").await, 2);
        assert_eq!(app.count("account").await, 0, "an email-OTP user has no account row");
    }
}

on_both_databases! {
    async fn wrong_codes_count_until_the_code_is_dead(backend: Backend) {
        let app = app(backend, EmailOtpConfig::default()).await;
        let otp = code(&app, "ada@example.com", "sign-in").await;
        let wrong = if otp == "000000" { "111111" } else { "000000" };
        for attempt in 1..=3 {
            sign_in(&app, "ada@example.com", wrong).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
            assert_eq!(
                rows(&app, "sign-in-otp-ada@example.com").await,
                [(format!("{otp}:{attempt}"), 300)],
                "the attempt is counted, the expiry kept"
            );
        }
        let closed = sign_in(&app, "ada@example.com", &otp).await;
        closed.assert_error(StatusCode::FORBIDDEN, "TOO_MANY_ATTEMPTS");
        assert_eq!(closed.message(), "Too many attempts");
        assert!(rows(&app, "sign-in-otp-ada@example.com").await.is_empty(), "a dead code stays gone");
        sign_in(&app, "ada@example.com", &otp).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        assert_eq!(app.count("user").await, 0);
    }
}

on_both_databases! {
    async fn expired_codes_fail_and_go(backend: Backend) {
        let app = app(backend, EmailOtpConfig::default()).await;
        let otp = code(&app, "ada@example.com", "sign-in").await;
        app.sql(
            r#"update "verification" set "expiresAt" = $1 where "identifier" = $2"#,
            args![chrono::Utc::now() - chrono::Duration::seconds(1), "sign-in-otp-ada@example.com"],
        )
        .await;
        let expired = sign_in(&app, "ada@example.com", &otp).await;
        expired.assert_error(StatusCode::BAD_REQUEST, "OTP_EXPIRED");
        assert_eq!(expired.message(), "OTP expired");
        assert!(rows(&app, "sign-in-otp-ada@example.com").await.is_empty());
        sign_in(&app, "ada@example.com", &otp).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        sign_in(&app, "nobody@example.com", "123456").await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
    }
}

on_both_databases! {
    async fn checking_a_code_leaves_it_usable(backend: Backend) {
        let app = app(backend, EmailOtpConfig::default()).await;
        app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let otp = code(&app, "ada@example.com", "forget-password").await;
        let check = |otp: String| {
            let app = &app;
            async move {
                post(
                    app,
                    "/email-otp/check-verification-otp",
                    json!({"email": "Ada@example.com", "type": "forget-password", "otp": otp}),
                )
                .await
            }
        };
        for _ in 0..2 {
            let answer = check(otp.clone()).await;
            assert_eq!(answer.json(), json!({"success": true}), "{}", answer.text());
        }
        check("nope".into()).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        assert_eq!(rows(&app, "forget-password-otp-ada@example.com").await, [(format!("{otp}:1"), 300)]);
        // A code of another type is another row.
        let other = post(
            &app,
            "/email-otp/check-verification-otp",
            json!({"email": "ada@example.com", "type": "sign-in", "otp": otp}),
        )
        .await;
        other.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        // A right code of an address without a user.
        let stranger = code(&app, "eve@example.com", "sign-in").await;
        let answer = post(
            &app,
            "/email-otp/check-verification-otp",
            json!({"email": "eve@example.com", "type": "sign-in", "otp": stranger}),
        )
        .await;
        answer.assert_error(StatusCode::BAD_REQUEST, "USER_NOT_FOUND");
        assert_eq!(rows(&app, "sign-in-otp-eve@example.com").await.len(), 1, "still usable to sign up");
    }
}

on_both_databases! {
    async fn a_verification_code_verifies_the_address(backend: Backend) {
        let app = app(backend, EmailOtpConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let otp = code(&app, "ada@example.com", "email-verification").await;
        let verify = |otp: String| {
            let (app, ada) = (&app, &ada);
            async move {
                app.post("/email-otp/verify-email")
                    .cookies(ada)
                    .json(&json!({"email": "ada@example.com", "otp": otp}))
                    .send()
                    .await
            }
        };
        let answer = verify(otp.clone()).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["status"], true);
        assert_eq!(answer.json()["token"], Value::Null);
        assert_eq!(answer.json()["user"]["emailVerified"], true);
        let session = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(session.json()["user"]["emailVerified"], true);
        verify(otp).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");

        // No code goes to an address without a user, and none is kept.
        let answer = post(
            &app,
            "/email-otp/send-verification-otp",
            json!({"email": "eve@example.com", "type": "email-verification"}),
        )
        .await;
        assert_eq!(answer.json(), json!({"success": true}));
        assert!(emails_to(&app, "eve@example.com").is_empty());
        assert!(rows(&app, "email-verification-otp-eve@example.com").await.is_empty());
    }
}

on_both_databases! {
    async fn verification_signs_in_with_auto_sign_in(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.email_otp = Some(EmailOtpConfig::default());
            config.email_verification.auto_sign_in_after_verification = true;
        })
        .await;
        app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let otp = code(&app, "ada@example.com", "email-verification").await;
        let answer = post(&app, "/email-otp/verify-email", json!({"email": "ada@example.com", "otp": otp})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let token = answer.json()["token"].as_str().expect("a session token").to_owned();
        let session = app.get("/get-session").bearer(&token).send().await;
        assert_eq!(session.json()["user"]["email"], "ada@example.com");
        assert!(answer.cookie("better-auth.session_token").is_some());
    }
}

on_both_databases! {
    async fn without_sign_up_strangers_get_nothing(backend: Backend) {
        let app = app(backend, EmailOtpConfig { disable_sign_up: true, ..EmailOtpConfig::default() }).await;
        let answer = post(
            &app,
            "/email-otp/send-verification-otp",
            json!({"email": "eve@example.com", "type": "sign-in"}),
        )
        .await;
        assert_eq!(answer.json(), json!({"success": true}));
        assert!(emails_to(&app, "eve@example.com").is_empty());
        assert!(rows(&app, "sign-in-otp-eve@example.com").await.is_empty());
        // A code made on the server side still signs no stranger up.
        let otp = app
            .auth
            .api()
            .create_verification_otp("Eve@example.com", EmailOtpType::SignIn)
            .await
            .expect("created");
        sign_in(&app, "eve@example.com", otp.expose()).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        assert_eq!(app.count("user").await, 0);
        // Known users still sign in.
        app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let otp = code(&app, "ada@example.com", "sign-in").await;
        assert_eq!(sign_in(&app, "ada@example.com", &otp).await.status, StatusCode::OK);
    }
}

on_both_databases! {
    async fn a_password_reset_code_sets_a_new_password(backend: Backend) {
        let app = app(backend, EmailOtpConfig::default()).await;
        app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        for path in ["/email-otp/request-password-reset", "/forget-password/email-otp"] {
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
            let answer = post(&app, path, json!({"email": "Ada@example.com"})).await;
            assert_eq!(answer.json(), json!({"success": true}), "{path}: {}", answer.text());
        }
        let sent = emails_to(&app, "ada@example.com");
        assert_eq!(sent.len(), 2, "both names send a code");
        let otp = sent[1]["token"].as_str().expect("code").to_owned();
        let reset = |otp: &str, password: &str| {
            post(
                &app,
                "/email-otp/reset-password",
                json!({"email": "ada@example.com", "otp": otp, "password": password}),
            )
        };
        reset(&otp, "short").await.assert_error(StatusCode::BAD_REQUEST, "PASSWORD_TOO_SHORT");
        reset("000", "a-new-long-password").await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        let answer = reset(&otp, "a-new-long-password").await;
        assert_eq!(answer.json(), json!({"success": true}), "{}", answer.text());
        reset(&otp, "another-long-password").await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        let signed_in = post(
            &app,
            "/sign-in/email",
            json!({"email": "ada@example.com", "password": "a-new-long-password"}),
        )
        .await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text());
        assert_eq!(signed_in.json()["user"]["emailVerified"], true, "the code proved the address");

        // Unknown addresses: the same answer, no code kept.
        let answer = post(&app, "/email-otp/request-password-reset", json!({"email": "eve@example.com"})).await;
        assert_eq!(answer.json(), json!({"success": true}));
        assert!(rows(&app, "forget-password-otp-eve@example.com").await.is_empty());
        assert!(emails_to(&app, "eve@example.com").is_empty());
    }
}

on_both_databases! {
    async fn a_reset_code_gives_a_password_to_a_user_without_one(backend: Backend) {
        let app = app(backend, EmailOtpConfig::default()).await;
        let otp = code(&app, "ada@example.com", "sign-in").await;
        assert_eq!(sign_in(&app, "ada@example.com", &otp).await.status, StatusCode::OK);
        post(&app, "/email-otp/request-password-reset", json!({"email": "ada@example.com"})).await;
        let otp = emails_to(&app, "ada@example.com").last().expect("code")["token"].as_str().expect("code").to_owned();
        let answer = post(
            &app,
            "/email-otp/reset-password",
            json!({"email": "ada@example.com", "otp": otp, "password": PASSWORD}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(app.count("account").await, 1, "a credential account");
        let signed_in = post(&app, "/sign-in/email", json!({"email": "ada@example.com", "password": PASSWORD})).await;
        assert_eq!(signed_in.status, StatusCode::OK);
    }
}

on_both_databases! {
    async fn an_unverified_user_signing_in_by_code_loses_the_unproven_password(backend: Backend) {
        let app = app(backend, EmailOtpConfig::default()).await;
        let squatter = app.sign_up("Squatter", "ada@example.com", PASSWORD).await;
        let otp = code(&app, "ada@example.com", "sign-in").await;
        let answer = sign_in(&app, "ada@example.com", &otp).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["user"]["emailVerified"], true);
        assert_eq!(app.count("account").await, 0, "the password set before the proof is gone");
        let old = app.get("/get-session").cookies(&squatter).send().await;
        assert_eq!(old.json(), Value::Null, "and so are the sessions from before");
    }
}

on_both_databases! {
    async fn the_address_changes_with_a_code_sent_to_the_new_one(backend: Backend) {
        let off = app(backend, EmailOtpConfig::default()).await;
        let ada = off.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let refused = off
            .post("/email-otp/request-email-change")
            .cookies(&ada)
            .json(&json!({"newEmail": "new@example.com"}))
            .send()
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.message(), "Change email with OTP is disabled");

        let mut options = EmailOtpConfig::default();
        options.change_email.enabled = true;
        let app = app(backend, options).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        app.sign_up("Bob", "bob@example.com", PASSWORD).await;
        let request = |new_email: &str| {
            app.post("/email-otp/request-email-change")
                .cookies(&ada)
                .json(&json!({"newEmail": new_email}))
                .send()
        };
        let unsigned = post(&app, "/email-otp/request-email-change", json!({"newEmail": "new@example.com"})).await;
        assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
        let same = request("ADA@example.com").await;
        assert_eq!((same.status, same.message()), (StatusCode::BAD_REQUEST, "Email is the same".into()));
        request("not an address").await.assert_error(StatusCode::BAD_REQUEST, "INVALID_EMAIL");
        let taken = request("bob@example.com").await;
        assert_eq!(taken.json(), json!({"success": true}), "a taken address looks the same");
        assert!(emails_to(&app, "bob@example.com").is_empty());

        let answer = request("New@example.com").await;
        assert_eq!(answer.json(), json!({"success": true}), "{}", answer.text());
        let otp = emails_to(&app, "new@example.com")[0]["token"].as_str().expect("code").to_owned();
        let user_id = app.get("/get-session").cookies(&ada).send().await.json()["user"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        assert_eq!(
            rows(&app, &format!("change-email-otp-{user_id}:new@example.com")).await,
            [(format!("{otp}:0"), 300)]
        );
        let change = |otp: &str| {
            app.post("/email-otp/change-email")
                .cookies(&ada)
                .json(&json!({"newEmail": "new@example.com", "otp": otp}))
                .send()
        };
        change("0").await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        let changed = change(&otp).await;
        assert_eq!(changed.json(), json!({"success": true}), "{}", changed.text());
        assert!(changed.cookie("better-auth.session_token").is_some(), "the session cookie is set again");
        let session = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(session.json()["user"]["email"], "new@example.com");
        assert_eq!(session.json()["user"]["emailVerified"], true);
        let again = change(&otp).await;
        assert_eq!(again.message(), "Email is the same", "the session moved to the new address");
    }
}

on_both_databases! {
    async fn a_change_of_address_can_require_a_code_of_the_current_one(backend: Backend) {
        let mut options = EmailOtpConfig::default();
        options.change_email.enabled = true;
        options.change_email.verify_current_email = true;
        let app = app(backend, options).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let request = |otp: Option<&str>| {
            let mut body = json!({"newEmail": "new@example.com"});
            if let Some(otp) = otp {
                body["otp"] = json!(otp);
            }
            app.post("/email-otp/request-email-change").cookies(&ada).json(&body).send()
        };
        let missing = request(None).await;
        assert_eq!(missing.message(), "OTP is required to verify current email");
        request(Some("0")).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        let current = code(&app, "ada@example.com", "email-verification").await;
        let answer = request(Some(&current)).await;
        assert_eq!(answer.json(), json!({"success": true}), "{}", answer.text());
        assert_eq!(emails_to(&app, "new@example.com").len(), 1);
    }
}

on_both_databases! {
    async fn malformed_requests_are_refused(backend: Backend) {
        let app = app(backend, EmailOtpConfig { otp_length: 8, ..EmailOtpConfig::default() }).await;
        let send = |body: Value| post(&app, "/email-otp/send-verification-otp", body);
        send(json!({"email": "not an address", "type": "sign-in"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_EMAIL");
        let change = send(json!({"email": "ada@example.com", "type": "change-email"})).await;
        assert_eq!((change.status, change.message()), (StatusCode::BAD_REQUEST, "Invalid OTP type".into()));
        assert_eq!(change.code(), None);
        send(json!({"email": "ada@example.com", "type": "login"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        send(json!({"email": 7, "type": "sign-in"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        post(&app, "/sign-in/email-otp", json!({"email": "ada@example.com", "otp": 123456}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        post(&app, "/email-otp/verify-email", json!({"email": "x", "otp": "1"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_EMAIL");
        assert_eq!(code(&app, "ada@example.com", "sign-in").await.len(), 8, "otpLength");
        // JSON only, with better-auth's form CSRF rules.
        let form = app
            .post("/email-otp/send-verification-otp")
            .raw("application/x-www-form-urlencoded", "email=ada%40example.com&type=sign-in")
            .send()
            .await;
        assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", form.text());
        let navigated = app
            .post("/email-otp/send-verification-otp")
            .header("sec-fetch-site", "cross-site")
            .header("sec-fetch-mode", "navigate")
            .json(&json!({"email": "ada@example.com", "type": "sign-in"}))
            .send()
            .await;
        navigated.assert_error(StatusCode::FORBIDDEN, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED");
    }
}
