//! The two-factor plugin: `/two-factor/*` and the sign-in challenge.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, SECRET, TestApp, TestResponse};
use keyward_server::config::{OtpStorage, TwoFactorConfig};
use keyward_server::crypto::totp::{Totp, unix_now};
use serde_json::{Value, json};

const EMAIL: &str = "alice@example.com";
const PASSWORD: &str = "password123";

async fn app(backend: Backend) -> TestApp {
    TestApp::with(backend, |config| config.two_factor = Some(TwoFactorConfig::default())).await
}

/// The current code for an `otpauth://` URI, as an authenticator app shows it.
fn code_for(uri: &str) -> String {
    totp_for(uri).code_at(unix_now())
}

fn totp_for(uri: &str) -> Totp {
    Totp::from_uri(uri).expect("an otpauth URI")
}

/// A code that is valid at no step near now.
fn wrong_code_for(uri: &str) -> String {
    let totp = totp_for(uri);
    let now = unix_now();
    let taken: Vec<String> = [now - 30, now, now + 30].iter().map(|t| totp.code_at(*t)).collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|candidate| !taken.contains(candidate))
        .expect("a free code")
}

async fn post(app: &TestApp, client: &mut Client, path: &str, body: Value) -> TestResponse {
    let response = app.post(path).cookies(client).json(&body).send().await;
    client.store(&response);
    response
}

async fn sign_in(app: &TestApp, client: &mut Client) -> TestResponse {
    post(
        app,
        client,
        "/sign-in/email",
        json!({"email": EMAIL, "password": PASSWORD}),
    )
    .await
}

async fn session_user(app: &TestApp, client: &Client) -> Value {
    app.get("/get-session").cookies(client).send().await.json()["user"].clone()
}

/// Signs Alice up and turns TOTP on; returns her client and the `otpauth://` URI.
async fn alice_with_totp(app: &TestApp) -> (Client, String, Vec<String>) {
    let mut client = app.sign_up("Alice", EMAIL, PASSWORD).await;
    let enabled = post(app, &mut client, "/two-factor/enable", json!({"password": PASSWORD})).await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.text());
    let uri = enabled.json()["totpURI"].as_str().expect("uri").to_owned();
    let codes = enabled.json()["backupCodes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    let verified = post(
        app,
        &mut client,
        "/two-factor/verify-totp",
        json!({"code": code_for(&uri)}),
    )
    .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
    (client, uri, codes)
}

/// Signs Alice up with emailed codes on, signs her in again and has a code sent.
async fn alice_with_a_sent_code(app: &TestApp) -> Client {
    let mut client = app.sign_up("Alice", EMAIL, PASSWORD).await;
    let body = json!({"password": PASSWORD, "method": "otp"});
    post(app, &mut client, "/two-factor/enable", body).await;
    challenged(app, &mut client).await;
    post(app, &mut client, "/two-factor/send-otp", json!({})).await;
    client
}

/// Signs out and back in, which leaves `client` holding a challenge cookie.
async fn challenged(app: &TestApp, client: &mut Client) -> TestResponse {
    post(app, client, "/sign-out", json!({})).await;
    let response = sign_in(app, client).await;
    assert_eq!(response.json()["twoFactorRedirect"], true, "{}", response.text());
    response
}

on_both_databases! {
    async fn totp_enrolment_then_sign_in_with_a_code(backend: Backend) {
        let app = app(backend).await;
        let mut client = app.sign_up("Alice", EMAIL, PASSWORD).await;
        assert_eq!(session_user(&app, &client).await["twoFactorEnabled"], false);

        let wrong = post(&app, &mut client, "/two-factor/enable", json!({"password": "password124"})).await;
        wrong.assert_error(StatusCode::BAD_REQUEST, "INVALID_PASSWORD");
        let missing = post(&app, &mut client, "/two-factor/enable", json!({})).await;
        missing.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let method = post(&app, &mut client, "/two-factor/enable", json!({"password": PASSWORD, "method": "sms"})).await;
        method.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(method.message(), r#"[body.method] Invalid option: expected one of "otp"|"totp""#);

        let enabled = post(&app, &mut client, "/two-factor/enable", json!({"password": PASSWORD})).await;
        assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.text());
        assert!(enabled.set_cookies().is_empty(), "enabling TOTP does not touch the session");
        let body = enabled.json();
        assert_eq!(body["method"], "totp");
        let uri = body["totpURI"].as_str().expect("uri").to_owned();
        assert!(uri.starts_with("otpauth://totp/Keyward:alice%40example.com?secret="), "{uri}");
        assert!(uri.ends_with("&issuer=Keyward&digits=6&period=30"), "{uri}");
        let codes = body["backupCodes"].as_array().expect("codes");
        assert_eq!(codes.len(), 10);
        for code in codes {
            let code = code.as_str().expect("string");
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
            assert!(code.chars().filter(|c| *c != '-').all(|c| c.is_ascii_alphanumeric()));
        }
        let rows = app.sql_rows(r#"select "secret", "backupCodes", "verified" from "twoFactor""#, vec![]).await;
        assert_eq!(rows.len(), 1);
        let stored = rows[0].text("secret").expect("secret");
        assert!(stored.len() > 100 && stored.bytes().all(|b| b.is_ascii_hexdigit()), "encrypted at rest");
        assert!(!rows[0].text("backupCodes").expect("codes").contains('-'), "backup codes encrypted");
        assert_eq!(rows[0].opt_bool("verified").expect("verified"), Some(false));
        assert_eq!(session_user(&app, &client).await["twoFactorEnabled"], false, "not on before a first code");

        // Not yet on: signing in needs no second factor.
        let mut other = Client::default();
        let plain = sign_in(&app, &mut other).await;
        assert!(plain.json()["token"].is_string(), "{}", plain.text());

        let bad = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": wrong_code_for(&uri)})).await;
        bad.assert_error(StatusCode::UNAUTHORIZED, "INVALID_CODE");
        let old_token = client.session_token();
        let confirmed = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": code_for(&uri)})).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
        // better-auth's answer names the old token; the cookie and set-auth-token carry the new one.
        assert_eq!(confirmed.json()["token"], old_token.as_str());
        assert_ne!(client.session_token(), old_token, "the session was rotated");
        let new_header = confirmed.header("set-auth-token").expect("new token");
        assert!(new_header.starts_with(&client.session_token()));
        let dead = app.get("/get-session").bearer(&old_token).send().await;
        assert_eq!(dead.json(), Value::Null, "the old session is gone");
        assert_eq!(session_user(&app, &client).await["twoFactorEnabled"], true);
        let again = post(&app, &mut client, "/two-factor/enable", json!({"password": PASSWORD})).await;
        again.assert_error(StatusCode::BAD_REQUEST, "TOTP_ALREADY_ENABLED");

        let sessions_before = app.count("session").await;
        let challenge = challenged(&app, &mut client).await;
        assert_eq!(challenge.json(), json!({"twoFactorRedirect": true, "twoFactorMethods": ["totp", "otp"]}));
        assert!(challenge.header("set-auth-token").is_none(), "no token for a session that does not exist");
        let deleted = challenge.cookie("better-auth.session_token").expect("session cookie deleted");
        assert!(deleted.attributes.contains("Max-Age=0"));
        let cookie = challenge.cookie("better-auth.two_factor").expect("challenge cookie");
        assert!(cookie.value.starts_with("2fa-"), "{}", cookie.value);
        assert_eq!(cookie.attributes, "Max-Age=600; Path=/; HttpOnly; SameSite=Lax");
        assert_eq!(app.count("session").await, sessions_before - 1, "sign-out ended one, the challenge made none");

        let no_cookie = app.post("/two-factor/verify-totp").json(&json!({"code": code_for(&uri)})).send().await;
        no_cookie.assert_error(StatusCode::UNAUTHORIZED, "INVALID_TWO_FACTOR_COOKIE");
        let replayable = client.clone();
        let wrong = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": wrong_code_for(&uri)})).await;
        wrong.assert_error(StatusCode::UNAUTHORIZED, "INVALID_CODE");
        let done = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": code_for(&uri)})).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text());
        assert_eq!(done.json()["user"]["twoFactorEnabled"], true);
        assert!(done.cookie("better-auth.two_factor").expect("expired").attributes.contains("Max-Age=0"));
        assert_eq!(done.json()["token"].as_str(), Some(client.session_token().as_str()));
        assert_eq!(session_user(&app, &client).await["email"], EMAIL);

        let mut replay = replayable;
        let replayed = post(&app, &mut replay, "/two-factor/verify-totp", json!({"code": code_for(&uri)})).await;
        replayed.assert_error(StatusCode::UNAUTHORIZED, "INVALID_TWO_FACTOR_COOKIE");
    }
}

on_both_databases! {
    async fn backup_codes_work_once_each(backend: Backend) {
        let app = app(backend).await;
        let (mut client, _, codes) = alice_with_totp(&app).await;
        challenged(&app, &mut client).await;
        let first = post(&app, &mut client, "/two-factor/verify-backup-code", json!({"code": codes[0]})).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text());
        assert!(first.json()["token"].is_string());

        challenged(&app, &mut client).await;
        let reused = post(&app, &mut client, "/two-factor/verify-backup-code", json!({"code": codes[0]})).await;
        reused.assert_error(StatusCode::UNAUTHORIZED, "INVALID_BACKUP_CODE");
        let second = post(&app, &mut client, "/two-factor/verify-backup-code", json!({"code": codes[1]})).await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.text());

        let user_id = second.json()["user"]["id"].as_str().expect("id").to_owned();
        let view = app.auth.api().view_backup_codes(&user_id).await.expect("server-side view");
        assert_eq!(view.backup_codes.len(), 8);
        assert!(view.backup_codes.iter().all(|c| c.expose() != codes[0] && c.expose() != codes[1]));

        let wrong = post(&app, &mut client, "/two-factor/generate-backup-codes", json!({"password": "nope-nope"})).await;
        wrong.assert_error(StatusCode::BAD_REQUEST, "INVALID_PASSWORD");
        let fresh = post(&app, &mut client, "/two-factor/generate-backup-codes", json!({"password": PASSWORD})).await;
        assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text());
        assert_eq!(fresh.json()["status"], true);
        let new_codes = fresh.json()["backupCodes"].as_array().expect("codes").clone();
        assert_eq!(new_codes.len(), 10);
        challenged(&app, &mut client).await;
        let old = post(&app, &mut client, "/two-factor/verify-backup-code", json!({"code": codes[2]})).await;
        old.assert_error(StatusCode::UNAUTHORIZED, "INVALID_BACKUP_CODE");
        let new = post(&app, &mut client, "/two-factor/verify-backup-code", json!({"code": new_codes[0]})).await;
        assert_eq!(new.status, StatusCode::OK, "{}", new.text());
    }
}

#[tokio::test]
async fn a_backup_code_checked_without_a_session() {
    let app = app(Backend::Sqlite).await;
    let (mut client, _, codes) = alice_with_totp(&app).await;
    challenged(&app, &mut client).await;
    let sessions = app.count("session").await;
    let checked = post(
        &app,
        &mut client,
        "/two-factor/verify-backup-code",
        json!({"code": codes[0], "disableSession": true}),
    )
    .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.text());
    assert!(checked.json().get("token").is_none(), "{}", checked.text());
    assert_eq!(checked.json()["user"]["email"], EMAIL);
    assert_eq!(app.count("session").await, sessions, "no session was made");
    assert!(client.session_cookie().is_none());
}

#[tokio::test]
async fn emailed_codes_sign_in() {
    let app = app(Backend::Sqlite).await;
    let mut client = app.sign_up("Alice", EMAIL, PASSWORD).await;
    let old_token = client.session_token();
    let enabled = post(
        &app,
        &mut client,
        "/two-factor/enable",
        json!({"password": PASSWORD, "method": "otp"}),
    )
    .await;
    assert_eq!(enabled.json(), json!({"method": "otp"}), "{}", enabled.text());
    assert_ne!(client.session_token(), old_token, "enabling OTP rotates the session");
    assert_eq!(session_user(&app, &client).await["twoFactorEnabled"], true);

    let challenge = challenged(&app, &mut client).await;
    assert_eq!(
        challenge.json()["twoFactorMethods"],
        json!(["otp"]),
        "no TOTP was set up"
    );
    let expired = post(&app, &mut client, "/two-factor/verify-otp", json!({"code": "123456"})).await;
    expired.assert_error(StatusCode::BAD_REQUEST, "OTP_HAS_EXPIRED");
    let sent = post(&app, &mut client, "/two-factor/send-otp", json!({})).await;
    assert_eq!(sent.json(), json!({"status": true}));
    let email = app.wait_for_email("two-factor-otp", EMAIL).await;
    let code = email["token"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert!(email.get("url").is_none());
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let wrong = post(&app, &mut client, "/two-factor/verify-otp", json!({"code": wrong_code})).await;
    wrong.assert_error(StatusCode::UNAUTHORIZED, "INVALID_CODE");
    let right = post(&app, &mut client, "/two-factor/verify-otp", json!({"code": code})).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.text());
    assert_eq!(session_user(&app, &client).await["email"], EMAIL);

    // A code past its lifetime, and one guessed at too often.
    challenged(&app, &mut client).await;
    post(&app, &mut client, "/two-factor/send-otp", json!({})).await;
    app.sql(
        r#"update "verification" set "expiresAt" = $1 where "identifier" like '2fa-otp-%'"#,
        keyward_server::args![chrono::Utc::now() - chrono::Duration::minutes(1)],
    )
    .await;
    let code = app.wait_for_email("two-factor-otp", EMAIL).await["token"]
        .as_str()
        .expect("code")
        .to_owned();
    let late = post(&app, &mut client, "/two-factor/verify-otp", json!({"code": code})).await;
    late.assert_error(StatusCode::BAD_REQUEST, "OTP_HAS_EXPIRED");
    post(&app, &mut client, "/two-factor/send-otp", json!({})).await;
    for _ in 0..5 {
        let guess = post(&app, &mut client, "/two-factor/verify-otp", json!({"code": "12345x"})).await;
        guess.assert_error(StatusCode::UNAUTHORIZED, "INVALID_CODE");
    }
    let code = app.wait_for_email("two-factor-otp", EMAIL).await["token"]
        .as_str()
        .expect("code")
        .to_owned();
    let too_many = post(&app, &mut client, "/two-factor/verify-otp", json!({"code": code})).await;
    too_many.assert_error(StatusCode::BAD_REQUEST, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE");
}

#[tokio::test]
async fn hashed_codes_are_not_stored_in_the_clear() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        let mut two_factor = TwoFactorConfig::default();
        two_factor.otp.storage = OtpStorage::Hashed;
        config.two_factor = Some(two_factor);
    })
    .await;
    let mut client = alice_with_a_sent_code(&app).await;
    let code = app.wait_for_email("two-factor-otp", EMAIL).await["token"]
        .as_str()
        .expect("code")
        .to_owned();
    let rows = app
        .sql_rows(
            r#"select "value" from "verification" where "identifier" like '2fa-otp-%'"#,
            vec![],
        )
        .await;
    let stored = rows[0].text("value").expect("value");
    assert!(!stored.contains(&code) && stored.ends_with(":0"), "{stored}");
    let right = post(&app, &mut client, "/two-factor/verify-otp", json!({"code": code})).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.text());
}

#[tokio::test]
async fn a_trusted_device_skips_the_second_factor() {
    let app = app(Backend::Sqlite).await;
    let (mut client, uri, _) = alice_with_totp(&app).await;
    challenged(&app, &mut client).await;
    let trusted = post(
        &app,
        &mut client,
        "/two-factor/verify-totp",
        json!({"code": code_for(&uri), "trustDevice": true}),
    )
    .await;
    assert_eq!(trusted.status, StatusCode::OK, "{}", trusted.text());
    let cookie = trusted.cookie("better-auth.trust_device").expect("trust cookie");
    assert_eq!(cookie.attributes, "Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax");
    let first_value = cookie.value.clone();

    post(&app, &mut client, "/sign-out", json!({})).await;
    assert!(
        client.cookies.contains_key("better-auth.trust_device"),
        "sign-out keeps the trust"
    );
    let direct = sign_in(&app, &mut client).await;
    assert!(direct.json()["token"].is_string(), "{}", direct.text());
    let renewed = direct.cookie("better-auth.trust_device").expect("renewed");
    assert_ne!(renewed.value, first_value, "the trust id rotates on use");

    // The old trust id is spent: replaying it gets a challenge.
    let mut thief = Client::default();
    thief.cookies.insert("better-auth.trust_device".into(), first_value);
    let stolen = sign_in(&app, &mut thief).await;
    assert_eq!(stolen.json()["twoFactorRedirect"], true);
    assert!(
        stolen
            .cookie("better-auth.trust_device")
            .expect("cleared")
            .attributes
            .contains("Max-Age=0")
    );

    let disabled = post(&app, &mut client, "/two-factor/disable", json!({"password": PASSWORD})).await;
    assert_eq!(disabled.json(), json!({"status": true}));
    assert!(
        disabled
            .cookie("better-auth.trust_device")
            .expect("cleared")
            .attributes
            .contains("Max-Age=0")
    );
    let trust_rows = app
        .sql_rows(
            r#"select "id" from "verification" where "identifier" like 'trust-device-%'"#,
            vec![],
        )
        .await;
    assert!(trust_rows.is_empty());
}

on_both_databases! {
    async fn wrong_codes_close_the_challenge_then_lock_the_account(backend: Backend) {
        let app = app(backend).await;
        let (mut client, uri, _) = alice_with_totp(&app).await;
        challenged(&app, &mut client).await;
        for _ in 0..5 {
            let wrong = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": wrong_code_for(&uri)})).await;
            wrong.assert_error(StatusCode::UNAUTHORIZED, "INVALID_CODE");
        }
        let closed = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": code_for(&uri)})).await;
        closed.assert_error(StatusCode::BAD_REQUEST, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE");
        assert!(!client.cookies.contains_key("better-auth.two_factor"), "the challenge cookie is dropped");

        // Five more wrong codes on a new challenge make ten: the account locks.
        challenged(&app, &mut client).await;
        for _ in 0..5 {
            post(&app, &mut client, "/two-factor/verify-totp", json!({"code": wrong_code_for(&uri)})).await;
        }
        challenged(&app, &mut client).await;
        let locked = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": code_for(&uri)})).await;
        locked.assert_error(StatusCode::TOO_MANY_REQUESTS, "ACCOUNT_TEMPORARILY_LOCKED");
        assert!(locked.header("x-retry-after").is_none());

        app.sql(
            r#"update "twoFactor" set "lockedUntil" = $1"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(1)],
        )
        .await;
        let unlocked = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": code_for(&uri)})).await;
        assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.text());
        let rows = app.sql_rows(r#"select "failedVerificationCount", "lockedUntil" from "twoFactor""#, vec![]).await;
        assert_eq!(rows[0].opt_int("failedVerificationCount").expect("count"), Some(0));
        assert_eq!(rows[0].opt_time("lockedUntil").expect("lock"), None);
    }
}

#[tokio::test]
async fn remember_me_survives_the_challenge() {
    let app = app(Backend::Sqlite).await;
    let (mut client, uri, _) = alice_with_totp(&app).await;
    post(&app, &mut client, "/sign-out", json!({})).await;
    let challenge = post(
        &app,
        &mut client,
        "/sign-in/email",
        json!({"email": EMAIL, "password": PASSWORD, "rememberMe": false}),
    )
    .await;
    assert_eq!(challenge.json()["twoFactorRedirect"], true);
    assert!(client.cookies.contains_key("better-auth.dont_remember"));
    let done = post(
        &app,
        &mut client,
        "/two-factor/verify-totp",
        json!({"code": code_for(&uri)}),
    )
    .await;
    let session_cookie = done.cookie("better-auth.session_token").expect("session cookie");
    assert!(
        !session_cookie.attributes.contains("Max-Age"),
        "a browser-session cookie"
    );
    let session = app.get("/get-session").cookies(&client).send().await.json()["session"].clone();
    let expires: chrono::DateTime<chrono::Utc> = session["expiresAt"].as_str().expect("date").parse().expect("date");
    assert!(
        expires < chrono::Utc::now() + chrono::Duration::hours(25),
        "one day at most"
    );
}

#[tokio::test]
async fn disabling_needs_the_password_and_ends_the_challenge_step() {
    let app = app(Backend::Sqlite).await;
    let (mut client, _, _) = alice_with_totp(&app).await;
    let wrong = post(
        &app,
        &mut client,
        "/two-factor/disable",
        json!({"password": "password124"}),
    )
    .await;
    wrong.assert_error(StatusCode::BAD_REQUEST, "INVALID_PASSWORD");
    let old_token = client.session_token();
    let disabled = post(&app, &mut client, "/two-factor/disable", json!({"password": PASSWORD})).await;
    assert_eq!(disabled.json(), json!({"status": true}));
    assert_ne!(client.session_token(), old_token, "disabling rotates the session");
    assert_eq!(session_user(&app, &client).await["twoFactorEnabled"], false);
    assert_eq!(app.count("twoFactor").await, 0);
    post(&app, &mut client, "/sign-out", json!({})).await;
    let plain = sign_in(&app, &mut client).await;
    assert!(plain.json()["token"].is_string(), "{}", plain.text());
}

#[tokio::test]
async fn endpoint_preconditions() {
    let app = app(Backend::Sqlite).await;
    let mut client = app.sign_up("Alice", EMAIL, PASSWORD).await;
    let before_enabling = [
        (
            "/two-factor/get-totp-uri",
            json!({"password": PASSWORD}),
            "TOTP_NOT_ENABLED",
        ),
        (
            "/two-factor/generate-backup-codes",
            json!({"password": PASSWORD}),
            "TWO_FACTOR_NOT_ENABLED",
        ),
        (
            "/two-factor/verify-backup-code",
            json!({"code": "aaaaa-bbbbb"}),
            "BACKUP_CODES_NOT_ENABLED",
        ),
    ];
    for (path, body, code) in before_enabling {
        post(&app, &mut client, path, body)
            .await
            .assert_error(StatusCode::BAD_REQUEST, code);
    }
    let anonymous = app
        .post("/two-factor/enable")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let not_a_string = post(&app, &mut client, "/two-factor/verify-totp", json!({"code": 123456})).await;
    not_a_string.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");

    let enabled = post(&app, &mut client, "/two-factor/enable", json!({"password": PASSWORD})).await;
    let enrolled_uri = enabled.json()["totpURI"].as_str().expect("uri").to_owned();
    let shown = post(
        &app,
        &mut client,
        "/two-factor/get-totp-uri",
        json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(shown.json()["totpURI"], enrolled_uri.as_str());
    let wrong = post(
        &app,
        &mut client,
        "/two-factor/get-totp-uri",
        json!({"password": "password124"}),
    )
    .await;
    wrong.assert_error(StatusCode::BAD_REQUEST, "INVALID_PASSWORD");

    // The plugin's user field is the server's to set.
    let forced = post(&app, &mut client, "/update-user", json!({"twoFactorEnabled": true})).await;
    forced.assert_error(StatusCode::BAD_REQUEST, "FIELD_NOT_ALLOWED");
    let signed_up = app
        .post("/sign-up/email")
        .json(&json!({"name": "Eve", "email": "eve@example.com", "password": PASSWORD, "twoFactorEnabled": true}))
        .send()
        .await;
    assert_eq!(signed_up.json()["user"]["twoFactorEnabled"], false);

    // Without the plugin the routes do not exist.
    let plain = TestApp::new(Backend::Sqlite).await;
    let missing = plain
        .post("/two-factor/enable")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.is_empty());
}

#[tokio::test]
async fn two_factor_paths_are_rate_limited() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.two_factor = Some(TwoFactorConfig::default());
        config.rate_limit.enabled = true;
    })
    .await;
    for _ in 0..3 {
        let response = app
            .post("/two-factor/verify-totp")
            .json(&json!({"code": "000000"}))
            .send()
            .await;
        response.assert_error(StatusCode::UNAUTHORIZED, "INVALID_TWO_FACTOR_COOKIE");
    }
    let limited = app
        .post("/two-factor/verify-totp")
        .json(&json!({"code": "000000"}))
        .send()
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("x-retry-after").is_some());
}

#[tokio::test]
async fn deleting_the_user_removes_the_second_factor() {
    let app = app(Backend::Sqlite).await;
    let (mut client, _, _) = alice_with_totp(&app).await;
    let deleted = post(&app, &mut client, "/delete-user", json!({"password": PASSWORD})).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text());
    assert_eq!(app.count("twoFactor").await, 0);
}

#[tokio::test]
async fn secrets_survive_a_rotation_to_versioned_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("rotate.db").display());
    let config = |versioned: bool| {
        let mut builder = keyward_server::Config::builder()
            .secret(SECRET)
            .base_url(common::ORIGIN.parse().expect("url"))
            .database_url(url.clone())
            .rate_limit_enabled(false)
            .two_factor(TwoFactorConfig::default());
        if versioned {
            builder = builder.versioned_secrets([(2, "the-next-secret-0123456789abcdefghijklmnop")]);
        }
        builder.build().expect("config")
    };
    let before = keyward_server::Auth::builder(config(false))
        .without_email()
        .build()
        .await
        .expect("starts");
    let enabled = before
        .api()
        .sign_up_email(serde_json::from_value(json!({"name": "A", "email": EMAIL, "password": PASSWORD})).expect("req"))
        .await
        .expect("signs up");
    let user_id = enabled.user.id.clone();
    // Enable TOTP over HTTP on the single-secret server.
    let router = before.router();
    let response = tower::ServiceExt::oneshot(
        router,
        axum::http::Request::post("/api/auth/two-factor/enable")
            .header("content-type", "application/json")
            .header(
                "authorization",
                format!("Bearer {}", enabled.token.expect("token").expose()),
            )
            .body(axum::body::Body::from(json!({"password": PASSWORD}).to_string()))
            .expect("request"),
    )
    .await
    .expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    let codes_before = before.api().view_backup_codes(&user_id).await.expect("codes");
    before.db().close().await;

    let after = keyward_server::Auth::builder(config(true))
        .without_email()
        .build()
        .await
        .expect("starts with versioned secrets");
    let codes_after = after
        .api()
        .view_backup_codes(&user_id)
        .await
        .expect("legacy value still decrypts");
    assert_eq!(codes_before, codes_after);
}

/// Delivers codes to a list the test reads (an SMS gateway in a real app).
#[derive(Clone, Default)]
struct Texts(std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>);

#[async_trait::async_trait]
impl keyward_server::email::OtpSender for Texts {
    async fn send_otp(
        &self,
        code: &keyward_server::email::TwoFactorCode,
    ) -> Result<(), keyward_server::email::EmailError> {
        self.0
            .lock()
            .expect("lock")
            .push((code.user.email.clone(), code.code.expose().to_owned()));
        Ok(())
    }
}

#[tokio::test]
async fn a_custom_sender_delivers_the_codes() {
    let texts = Texts::default();
    let sender = texts.clone();
    let app = TestApp::with_builder(
        Backend::Sqlite,
        |config| config.two_factor = Some(TwoFactorConfig::default()),
        move |builder| builder.two_factor_otp_sender(sender),
    )
    .await;
    let mut client = alice_with_a_sent_code(&app).await;
    let (to, code) = texts.0.lock().expect("lock").last().cloned().expect("a text");
    assert_eq!(to, EMAIL);
    assert!(
        app.emails().iter().all(|e| e["kind"] != "two-factor-otp"),
        "not emailed"
    );
    let done = post(&app, &mut client, "/two-factor/verify-otp", json!({"code": code})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());

    // Without any sender, OTP is not offered.
    let quiet = TestApp::with_builder(
        Backend::Sqlite,
        |config| config.two_factor = Some(TwoFactorConfig::default()),
        |builder| builder.without_email(),
    )
    .await;
    let mut client = quiet.sign_up("Alice", EMAIL, PASSWORD).await;
    let refused = post(
        &quiet,
        &mut client,
        "/two-factor/enable",
        json!({"password": PASSWORD, "method": "otp"}),
    )
    .await;
    refused.assert_error(StatusCode::BAD_REQUEST, "OTP_NOT_CONFIGURED");
    let send = post(&quiet, &mut client, "/two-factor/send-otp", json!({})).await;
    send.assert_error(StatusCode::BAD_REQUEST, "OTP_NOT_CONFIGURED");
    assert_eq!(send.message(), "otp isn't configured");
}

#[tokio::test]
async fn passwordless_users_manage_two_factor_where_allowed() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.two_factor = Some(TwoFactorConfig {
            allow_passwordless: true,
            ..TwoFactorConfig::default()
        })
    })
    .await;
    let mut client = app.sign_up("Alice", EMAIL, PASSWORD).await;
    // Alice has a password, so she must still give it.
    let missing = post(&app, &mut client, "/two-factor/enable", json!({})).await;
    missing.assert_error(StatusCode::BAD_REQUEST, "INVALID_PASSWORD");
    // Without a password account (a social or passkey user), none is asked for.
    app.sql(r#"delete from "account""#, vec![]).await;
    let enabled = post(&app, &mut client, "/two-factor/enable", json!({})).await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.text());
}
