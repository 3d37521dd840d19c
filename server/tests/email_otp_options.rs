//! The email-OTP plugin's options: hashed and encrypted codes (and the application's own
//! hasher, cipher and code generator), the resend strategy, codes in place of
//! verification links, codes on sign-up, the last login method, rate limits, and no way
//! to send at all.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp};
use keyward_client::wire::EmailOtpType;
use keyward_server::args;
use keyward_server::config::{EmailOtpCipher, EmailOtpConfig, EmailOtpStorage, LastLoginMethodConfig, ResendStrategy};
use serde_json::json;
use std::sync::Arc;

use crate::email_otp::{PASSWORD, app, code, emails_to, post, rows, sign_in};

on_both_databases! {
    async fn codes_are_stored_hashed_or_encrypted(backend: Backend) {
        let hashed = app(backend, EmailOtpConfig::default().store_otp(EmailOtpStorage::Hashed)).await;
        let otp = code(&hashed, "ada@example.com", "sign-in").await;
        let digest = keyward_server::crypto::base64url(&keyward_server::crypto::sha256(otp.as_bytes()));
        assert_eq!(rows(&hashed, "sign-in-otp-ada@example.com").await, [(format!("{digest}:0"), 300)]);
        let read = hashed.auth.api().get_verification_otp("ada@example.com", EmailOtpType::SignIn).await;
        let refused = read.expect_err("a hash cannot be read back");
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        sign_in(&hashed, "ada@example.com", &digest).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        let otp = code(&hashed, "ada@example.com", "sign-in").await;
        assert_eq!(sign_in(&hashed, "ada@example.com", &otp).await.status, StatusCode::OK);

        let encrypted = app(backend, EmailOtpConfig::default().store_otp(EmailOtpStorage::Encrypted)).await;
        let otp = code(&encrypted, "ada@example.com", "sign-in").await;
        let stored = rows(&encrypted, "sign-in-otp-ada@example.com").await;
        let (value, attempts) = stored[0].0.rsplit_once(':').expect("value:attempts");
        assert_eq!(attempts, "0");
        assert_eq!(value.len(), 2 * (24 + otp.len() + 16), "hex of nonce, ciphertext and tag");
        assert!(!value.contains(&otp));
        let read = encrypted.auth.api().get_verification_otp("ADA@example.com", EmailOtpType::SignIn).await;
        assert_eq!(read.expect("readable").map(|otp| otp.expose().to_owned()), Some(otp.clone()));
        sign_in(&encrypted, "ada@example.com", value).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        assert_eq!(sign_in(&encrypted, "ada@example.com", &otp).await.status, StatusCode::OK);
    }
}

/// Stores a code reversed behind a marker: a reversible "cipher" the test can read.
struct Reverse;

impl EmailOtpCipher for Reverse {
    fn encrypt(&self, otp: &str) -> String {
        format!("rev-{}", otp.chars().rev().collect::<String>())
    }

    fn decrypt(&self, stored: &str) -> Option<String> {
        stored.strip_prefix("rev-").map(|code| code.chars().rev().collect())
    }
}

on_both_databases! {
    async fn the_applications_hasher_cipher_and_generator_are_used(backend: Backend) {
        // A hasher: the row holds its answer, and only the code verifies.
        let hasher = |otp: &str| format!("h({otp})");
        let hashed = app(backend, EmailOtpConfig::default().store_otp(EmailOtpStorage::CustomHasher(Arc::new(hasher)))).await;
        let otp = code(&hashed, "ada@example.com", "sign-in").await;
        assert_eq!(rows(&hashed, "sign-in-otp-ada@example.com").await, [(format!("h({otp}):0"), 300)]);
        let read = hashed.auth.api().get_verification_otp("ada@example.com", EmailOtpType::SignIn).await;
        assert!(read.is_err(), "a hash cannot be read back");
        sign_in(&hashed, "ada@example.com", &format!("h({otp})"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        assert_eq!(sign_in(&hashed, "ada@example.com", &otp).await.status, StatusCode::OK);

        // A cipher: the row holds its answer, and the server reads the code back.
        let ciphered = app(backend, EmailOtpConfig::default().store_otp(EmailOtpStorage::Custom(Arc::new(Reverse)))).await;
        let otp = code(&ciphered, "ada@example.com", "sign-in").await;
        let reversed: String = otp.chars().rev().collect();
        assert_eq!(rows(&ciphered, "sign-in-otp-ada@example.com").await, [(format!("rev-{reversed}:0"), 300)]);
        let read = ciphered.auth.api().get_verification_otp("ada@example.com", EmailOtpType::SignIn).await;
        assert_eq!(read.expect("readable").map(|otp| otp.expose().to_owned()), Some(otp.clone()));
        assert_eq!(sign_in(&ciphered, "ada@example.com", &otp).await.status, StatusCode::OK);

        // A generator: its code goes out and verifies; an empty answer means random digits.
        let generator = |email: &str, otp_type: EmailOtpType| match (email, otp_type) {
            ("ada@example.com", EmailOtpType::SignIn) => "A1B2C3".to_owned(),
            _ => String::new(),
        };
        let generated = app(backend, EmailOtpConfig::default().generate_otp(generator)).await;
        assert_eq!(code(&generated, "ada@example.com", "sign-in").await, "A1B2C3");
        let random = code(&generated, "bob@example.com", "sign-in").await;
        assert_eq!(random.len(), 6);
        assert!(random.bytes().all(|b| b.is_ascii_digit()), "{random}");
        assert_eq!(sign_in(&generated, "ada@example.com", "A1B2C3").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn without_a_sender_or_an_outbox_codes_cannot_be_asked_for() {
    let silent = TestApp::with(Backend::Sqlite, |config| {
        config.email_otp = Some(EmailOtpConfig::default());
        config.email.outbox = None;
        config.email.log_links = false;
    })
    .await;
    let answer = post(
        &silent,
        "/email-otp/send-verification-otp",
        json!({"email": "ada@example.com", "type": "sign-in"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    assert_eq!(
        answer.json(),
        json!({"message": "send email verification is not implemented"})
    );
    assert_eq!(silent.count("verification").await, 0, "no code was stored");
}

on_both_databases! {
    async fn a_resent_code_is_new_unless_reused(backend: Backend) {
        let rotate = app(backend, EmailOtpConfig::default()).await;
        let first = code(&rotate, "ada@example.com", "sign-in").await;
        let second = code(&rotate, "ada@example.com", "sign-in").await;
        if first != second {
            sign_in(&rotate, "ada@example.com", &first).await.assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
        }
        assert_eq!(sign_in(&rotate, "ada@example.com", &second).await.status, StatusCode::OK);

        let options = EmailOtpConfig {
            resend_strategy: ResendStrategy::Reuse,
            ..EmailOtpConfig::default().store_otp(EmailOtpStorage::Encrypted)
        };
        let reuse = app(backend, options).await;
        let first = code(&reuse, "ada@example.com", "sign-in").await;
        reuse
            .sql(
                r#"update "verification" set "expiresAt" = $1 where "identifier" = $2"#,
                args![chrono::Utc::now() + chrono::Duration::seconds(10), "sign-in-otp-ada@example.com"],
            )
            .await;
        let again = code(&reuse, "ada@example.com", "sign-in").await;
        assert_eq!(first, again, "the valid code is sent again");
        let stored = rows(&reuse, "sign-in-otp-ada@example.com").await;
        assert_eq!(stored.len(), 1);
        assert!(stored[0].1 >= 290, "its lifetime renewed: {stored:?}");
        assert_eq!(sign_in(&reuse, "ada@example.com", &first).await.status, StatusCode::OK);

        // A hashed code cannot be sent again: a new one.
        let hashed = EmailOtpConfig {
            resend_strategy: ResendStrategy::Reuse,
            ..EmailOtpConfig::default().store_otp(EmailOtpStorage::Hashed)
        };
        let hashed = app(backend, hashed).await;
        code(&hashed, "ada@example.com", "sign-in").await;
        code(&hashed, "ada@example.com", "sign-in").await;
        assert_eq!(
            hashed.count("verification").await,
            2,
            "a second row; the newest counts"
        );
    }
}

on_both_databases! {
    async fn verification_emails_become_codes(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.email_otp = Some(EmailOtpConfig {
                override_default_email_verification: true,
                ..EmailOtpConfig::default()
            });
            config.email_verification.send_on_sign_up = Some(true);
        })
        .await;
        app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let sent = emails_to(&app, "ada@example.com");
        assert_eq!(sent.len(), 1, "a code instead of a link: {:?}", app.emails());
        assert!(app.emails().iter().all(|email| email["kind"] != "verify-email"));
        let answer = post(&app, "/send-verification-email", json!({"email": "ada@example.com"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let sent = emails_to(&app, "ada@example.com");
        assert_eq!(sent.len(), 2);
        let otp = sent[1]["token"].as_str().expect("code");
        let verified = post(&app, "/email-otp/verify-email", json!({"email": "ada@example.com", "otp": otp})).await;
        assert_eq!(verified.json()["user"]["emailVerified"], true, "{}", verified.text());
    }
}

on_both_databases! {
    async fn sign_ups_can_send_a_verification_code(backend: Backend) {
        let app = app(backend, EmailOtpConfig { send_verification_on_sign_up: true, ..EmailOtpConfig::default() }).await;
        app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let sent = app.wait_for_email("email-otp", "ada@example.com").await;
        let otp = sent["token"].as_str().expect("code");
        assert_eq!(rows(&app, "email-verification-otp-ada@example.com").await, [(format!("{otp}:0"), 300)]);
        let verified = post(&app, "/email-otp/verify-email", json!({"email": "ada@example.com", "otp": otp})).await;
        assert_eq!(verified.json()["user"]["emailVerified"], true, "{}", verified.text());
        let failed = post(&app, "/sign-up/email", json!({"email": "ada@example.com", "name": "A", "password": PASSWORD})).await;
        assert_ne!(failed.status, StatusCode::OK);
        assert_eq!(emails_to(&app, "ada@example.com").len(), 1, "a refused sign-up sends nothing");
    }
}

#[tokio::test]
async fn the_last_login_method_is_email_otp() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_otp = Some(EmailOtpConfig::default());
        config.last_login_method = Some(LastLoginMethodConfig::default().store_in_database(true));
    })
    .await;
    let otp = code(&app, "ada@example.com", "sign-in").await;
    let answer = sign_in(&app, "ada@example.com", &otp).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let cookie = answer.cookie("better-auth.last_used_login_method").expect("the cookie");
    assert_eq!(cookie.value, "email-otp");
    assert_eq!(answer.json()["user"]["lastLoginMethod"], "email-otp");
}

#[tokio::test]
async fn every_route_allows_three_requests_a_minute() {
    // Signed-out requests count too: the limiter runs before the session is looked at.
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_otp = Some(EmailOtpConfig::default());
        config.rate_limit.enabled = true;
    })
    .await;
    for (index, path) in [
        "/email-otp/send-verification-otp",
        "/email-otp/check-verification-otp",
        "/email-otp/verify-email",
        "/sign-in/email-otp",
        "/email-otp/request-password-reset",
        "/forget-password/email-otp",
        "/email-otp/reset-password",
        "/email-otp/request-email-change",
        "/email-otp/change-email",
    ]
    .into_iter()
    .enumerate()
    {
        let peer = format!("203.0.113.{}", index + 1);
        let body = json!({
            "email": "ada@example.com",
            "type": "sign-in",
            "otp": "1",
            "password": PASSWORD,
            "newEmail": "new@example.com",
        });
        for _ in 0..3 {
            let answer = app.post(path).peer(&peer).json(&body).send().await;
            assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        }
        let blocked = app.post(path).peer(&peer).json(&body).send().await;
        assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
    }
}

#[tokio::test]
async fn codes_live_in_secondary_storage_when_it_is_configured() {
    let prefix = common::redis_prefix("email-otp");
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.email_otp = Some(EmailOtpConfig {
            resend_strategy: ResendStrategy::Reuse,
            ..EmailOtpConfig::default()
        });
        config.secondary_storage.redis_url = Some(common::redis_url());
        config.secondary_storage.key_prefix = prefix.clone();
    })
    .await;
    let otp = code(&app, "ada@example.com", "sign-in").await;
    assert_eq!(app.count("verification").await, 0, "no row: Redis holds it");
    let mut redis = redis::Client::open(common::redis_url())
        .expect("redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("Redis is reachable");
    let key = format!("{prefix}verification:sign-in-otp-ada@example.com");
    let stored = |redis: &mut redis::aio::MultiplexedConnection| {
        let key = key.clone();
        let mut redis = redis.clone();
        async move {
            let raw: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut redis).await.expect("get");
            raw.map(|raw| serde_json::from_str::<serde_json::Value>(&raw).expect("JSON"))
        }
    };
    assert_eq!(stored(&mut redis).await.expect("the key")["value"], format!("{otp}:0"));
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    sign_in(&app, "ada@example.com", wrong)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "INVALID_OTP");
    assert_eq!(stored(&mut redis).await.expect("put back")["value"], format!("{otp}:1"));
    // Reused: the same code, its lifetime renewed in Redis.
    assert_eq!(code(&app, "ada@example.com", "sign-in").await, otp);
    assert_eq!(stored(&mut redis).await.expect("the key")["value"], format!("{otp}:1"));
    assert_eq!(sign_in(&app, "ada@example.com", &otp).await.status, StatusCode::OK);
    assert!(stored(&mut redis).await.is_none(), "used up");
}
