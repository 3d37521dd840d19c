//! One database, both servers running: codes texted by one server verify, count wrong
//! attempts and reset passwords at the other, and numbers set at one sign in and are
//! taken at the other, on SQLite and PostgreSQL.

use keyward_client::wire::ErrorCode;
use keyward_client::{AuthClient, Error};
use keyward_server::config::PhoneNumberConfig;
use keyward_tests::compat::{Record, flows, on_same_database};
use keyward_tests::{BetterAuthServer, Database, TestServer, wait_for_email};
use url::Url;

const PASSWORD: &str = "correct-horse-battery";
const ADA: &str = "+15550001";
const BOB: &str = "+15550002";

fn records(database: Database) -> Vec<Record> {
    on_same_database(database, &[flows::PHONE_NUMBER, flows::PHONE_NUMBER_REFUSED])
}

fn client(url: &Url) -> AuthClient {
    AuthClient::builder(url.clone()).build().expect("client")
}

/// Asks `url` to text a code of `kind` to `phone` and reads it from `outbox`.
async fn texted(url: &Url, outbox: &std::path::Path, kind: &str, phone: &str) -> String {
    let asker = client(url);
    if kind == "phone-number-otp" {
        asker.phone_number().send_otp(phone).await.expect("texts a code");
    } else {
        asker
            .phone_number()
            .request_password_reset(phone)
            .await
            .expect("texts a code");
    }
    let sms = wait_for_email(outbox, kind, phone).await;
    sms["token"].as_str().expect("a code").to_owned()
}

fn code_of<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, ErrorCode) {
    match result {
        Err(Error::Api { status, code, .. }) => (status, code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn wrong(code: &str) -> String {
    let digit = if code.starts_with('0') { "1" } else { "0" };
    digit.repeat(code.len())
}

async fn both_running(database: Database) {
    let _records = records(database);
    let better_auth = BetterAuthServer::start_on(database, &["phone-number"], &[]).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward =
        TestServer::start_on_database(&url, |config| config.phone_number = Some(PhoneNumberConfig::default())).await;
    let (ba, kw) = (&better_auth.url, &keyward.url);

    // A code texted by better-auth sets Ada's number at Keyward.
    let ada = client(kw);
    ada.sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    let code = texted(ba, &better_auth.outbox, "phone-number-otp", ADA).await;
    ada.phone_number().update(ADA, code).await.expect("verifies at Keyward");
    // better-auth signs her in by number and password.
    let signed_in = client(ba)
        .phone_number()
        .sign_in(ADA, PASSWORD)
        .await
        .expect("signs in");
    let user = &signed_in.signed_in().expect("no second factor").user;
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.additional["phoneNumberVerified"], true);

    // A code texted by Keyward signs her in at better-auth.
    let code = texted(kw, &keyward.outbox, "phone-number-otp", ADA).await;
    let answer = client(ba)
        .phone_number()
        .verify(ADA, code)
        .await
        .expect("verifies at better-auth");
    assert_eq!(answer.user.email, "ada@example.com");

    // Wrong attempts count at both: the third wrong one is the last.
    let code = texted(ba, &better_auth.outbox, "phone-number-otp", ADA).await;
    for url in [kw, ba, kw] {
        assert_eq!(
            code_of(client(url).phone_number().verify(ADA, wrong(&code)).await),
            (400, ErrorCode::InvalidOtp),
            "{url}"
        );
    }
    assert_eq!(
        code_of(client(ba).phone_number().verify(ADA, code).await),
        (403, ErrorCode::TooManyAttempts)
    );

    // A reset code texted by better-auth resets the password at Keyward, and the reverse.
    let reset = texted(ba, &better_auth.outbox, "phone-number-reset", ADA).await;
    client(kw)
        .phone_number()
        .reset_password(ADA, reset, "another-password-1")
        .await
        .expect("resets at Keyward");
    client(ba)
        .phone_number()
        .sign_in(ADA, "another-password-1")
        .await
        .expect("the new password at better-auth");
    let reset = texted(kw, &keyward.outbox, "phone-number-reset", ADA).await;
    client(ba)
        .phone_number()
        .reset_password(ADA, reset, PASSWORD)
        .await
        .expect("resets at better-auth");
    client(kw)
        .phone_number()
        .sign_in(ADA, PASSWORD)
        .await
        .expect("signs in at Keyward");

    // Bob's number, set at better-auth, is his at Keyward; Ada's is taken there.
    let bob = client(ba);
    bob.sign_up()
        .email("Bob", "bob@example.com", PASSWORD)
        .await
        .expect("signs up");
    let code = texted(kw, &keyward.outbox, "phone-number-otp", BOB).await;
    bob.phone_number()
        .update(BOB, code)
        .await
        .expect("verifies at better-auth");
    let answer = client(kw)
        .phone_number()
        .sign_in(BOB, PASSWORD)
        .await
        .expect("signs in");
    assert_eq!(answer.signed_in().expect("signed in").user.email, "bob@example.com");
    let at_keyward = client(kw);
    at_keyward
        .sign_in()
        .email("bob@example.com", PASSWORD)
        .await
        .expect("signs in");
    let code = texted(ba, &better_auth.outbox, "phone-number-otp", ADA).await;
    assert_eq!(
        code_of(at_keyward.phone_number().update(ADA, code).await),
        (400, ErrorCode::PhoneNumberExist)
    );
}

#[tokio::test]
async fn phone_numbers_and_codes_cross_between_the_servers_on_sqlite() {
    both_running(Database::Sqlite).await;
}

#[tokio::test]
async fn phone_numbers_and_codes_cross_between_the_servers_on_postgres() {
    both_running(Database::Postgres).await;
}
