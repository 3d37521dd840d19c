//! One database, both servers running: an email code better-auth sent works at Keyward,
//! and the reverse, once (the row one server wrote, the other takes and counts), with
//! codes stored plain, hashed or encrypted, on SQLite and PostgreSQL. The user the first
//! code created is the one the second code signs in.

use keyward_client::wire::{EmailOtpType, ErrorCode};
use keyward_client::{AuthClient, Error};
use keyward_server::config::{EmailOtpConfig, EmailOtpStorage};
use keyward_tests::compat::{flows, on_same_database};
use keyward_tests::{BetterAuthServer, Database, TestServer};
use url::Url;

/// Asks `sender` for a code of `otp_type` to `email` and answers it, read from `outbox`.
async fn code_from(sender: &Url, outbox: &std::path::Path, email: &str, otp_type: EmailOtpType) -> String {
    let count = || {
        keyward_tests::read_outbox(outbox)
            .into_iter()
            .filter(|sent| sent["kind"] == "email-otp" && sent["to"] == email)
            .count()
    };
    let before = count();
    let client = AuthClient::builder(sender.clone()).build().expect("client");
    client
        .email_otp()
        .send_verification_otp(email, otp_type)
        .await
        .expect("asks for a code");
    for _ in 0..100 {
        if count() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let sent = keyward_tests::wait_for_email(outbox, "email-otp", email).await;
    sent["token"].as_str().expect("a code").to_owned()
}

fn api_code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Signs in at `taker` with `otp` after a wrong guess at `back` (counted in the shared
/// row), then finds the code used at both servers.
async fn sign_in_at(otp: &str, email: &str, taker: &Url, back: &Url) -> keyward_client::wire::SignInEmailOtpResponse {
    let guesser = AuthClient::builder(back.clone()).build().expect("client");
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    assert_eq!(
        api_code(guesser.sign_in().email_otp(email, wrong).await),
        ErrorCode::InvalidOtp
    );
    let client = AuthClient::builder(taker.clone()).build().expect("client");
    let signed_in = client
        .sign_in()
        .email_otp(email, otp)
        .name("Ada")
        .await
        .expect("signs in");
    let fetched = client.get_session().await.expect("asks").expect("signed in");
    assert_eq!(fetched.user.id, signed_in.user.id);
    for url in [taker, back] {
        let late = AuthClient::builder(url.clone()).build().expect("client");
        assert_eq!(
            api_code(late.sign_in().email_otp(email, otp).await),
            ErrorCode::InvalidOtp,
            "a used code is refused at {url}"
        );
    }
    signed_in
}

async fn both_servers(database: Database, storage: &str) {
    let rows: &[&str] = if storage == "plain" {
        &[flows::EMAIL_OTP]
    } else {
        &[flows::EMAIL_OTP, flows::EMAIL_OTP_REFUSED]
    };
    let _records = on_same_database(database, rows);
    let better_auth = BetterAuthServer::start_on(database, &["email-otp"], &[("EMAIL_OTP_STORE_OTP", storage)]).await;
    let url = better_auth.database_url().expect("SQL storage");
    let store_otp = match storage {
        "hashed" => EmailOtpStorage::Hashed,
        "encrypted" => EmailOtpStorage::Encrypted,
        _ => EmailOtpStorage::Plain,
    };
    let keyward = TestServer::start_on_database(&url, |config| {
        config.email_otp = Some(EmailOtpConfig::default().store_otp(store_otp))
    })
    .await;
    let (ba, kw) = ((&better_auth.url, &better_auth.outbox), (&keyward.url, &keyward.outbox));

    // better-auth sends, Keyward signs the new user up.
    let otp = code_from(ba.0, ba.1, "ada@example.com", EmailOtpType::SignIn).await;
    let created = sign_in_at(&otp, "ada@example.com", kw.0, ba.0).await;
    assert_eq!(created.user.name, "Ada");
    assert!(created.user.email_verified);
    // Keyward sends, better-auth signs the same user in.
    let otp = code_from(kw.0, kw.1, "ada@example.com", EmailOtpType::SignIn).await;
    let again = sign_in_at(&otp, "ada@example.com", ba.0, kw.0).await;
    assert_eq!(again.user.id, created.user.id, "the user Keyward created");
    // Keyward sends, better-auth creates the user this time.
    let otp = code_from(kw.0, kw.1, "bob@example.com", EmailOtpType::SignIn).await;
    let bob = sign_in_at(&otp, "bob@example.com", ba.0, kw.0).await;
    let otp = code_from(ba.0, ba.1, "bob@example.com", EmailOtpType::SignIn).await;
    assert_eq!(
        sign_in_at(&otp, "bob@example.com", kw.0, ba.0).await.user.id,
        bob.user.id
    );

    // A password reset code from one server, checked at one and used at the other.
    let otp = code_from(kw.0, kw.1, "bob@example.com", EmailOtpType::ForgetPassword).await;
    let checker = AuthClient::builder(ba.0.clone()).build().expect("client");
    checker
        .email_otp()
        .check_verification_otp("bob@example.com", EmailOtpType::ForgetPassword, otp.as_str())
        .await
        .expect("checked at better-auth, still usable");
    checker
        .email_otp()
        .reset_password("bob@example.com", otp.as_str(), "a-new-long-password")
        .await
        .expect("reset at better-auth");
    let keyward_client = AuthClient::builder(kw.0.clone()).build().expect("client");
    keyward_client
        .sign_in()
        .email("bob@example.com", "a-new-long-password")
        .await
        .expect("the password better-auth set works at Keyward");

    // Three wrong guesses at one server kill the code at the other.
    let otp = code_from(ba.0, ba.1, "ada@example.com", EmailOtpType::SignIn).await;
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        assert_eq!(
            api_code(checker.sign_in().email_otp("ada@example.com", wrong).await),
            ErrorCode::InvalidOtp
        );
    }
    assert_eq!(
        api_code(
            keyward_client
                .sign_in()
                .email_otp("ada@example.com", otp.as_str())
                .await
        ),
        ErrorCode::TooManyAttempts
    );
}

#[tokio::test]
async fn email_codes_cross_between_the_servers_on_sqlite() {
    both_servers(Database::Sqlite, "plain").await;
}

#[tokio::test]
async fn email_codes_cross_between_the_servers_on_postgres() {
    both_servers(Database::Postgres, "plain").await;
}

#[tokio::test]
async fn hashed_email_codes_cross_between_the_servers_on_sqlite() {
    both_servers(Database::Sqlite, "hashed").await;
}

#[tokio::test]
async fn hashed_email_codes_cross_between_the_servers_on_postgres() {
    both_servers(Database::Postgres, "hashed").await;
}

#[tokio::test]
async fn encrypted_email_codes_cross_between_the_servers_on_sqlite() {
    both_servers(Database::Sqlite, "encrypted").await;
}

#[tokio::test]
async fn encrypted_email_codes_cross_between_the_servers_on_postgres() {
    both_servers(Database::Postgres, "encrypted").await;
}
