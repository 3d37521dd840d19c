//! `client.email_otp()` and `client.sign_in().email_otp(..)` against both servers:
//! Keyward's email-OTP plugin and better-auth's `emailOTP` (interop direction A). The
//! code the server sends is read from its outbox; the rows the servers keep are compared.

use keyward_client::wire::{EmailOtpType, ErrorCode};
use keyward_client::{AuthClient, Error};
use keyward_server::db::{Db, Exec};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{EmailOtpOptions, Peer, PeerKind, PeerOptions, peer_test};

const PASSWORD: &str = "correct-horse-battery";
const EMAIL: &str = "ada@example.com";

async fn peer(kind: PeerKind, options: EmailOtpOptions) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["email-otp"],
            email_otp: options,
            ..PeerOptions::default()
        },
    )
    .await
}

/// Asks for a code of `otp_type` to `email` and answers the code emailed.
async fn emailed(peer: &Peer, client: &AuthClient, email: &str, otp_type: EmailOtpType) -> String {
    let before = sent_to(peer, email).len();
    client
        .email_otp()
        .send_verification_otp(email, otp_type)
        .await
        .expect("asks for a code");
    peer.email("email-otp", email).await;
    let sent = sent_to(peer, email);
    assert_eq!(sent.len(), before + 1, "one new code: {sent:?}");
    sent.last().expect("a code")["token"]
        .as_str()
        .expect("a code")
        .to_owned()
}

/// The email-OTP emails to `to`, oldest first.
fn sent_to(peer: &Peer, to: &str) -> Vec<serde_json::Value> {
    peer.emails()
        .into_iter()
        .filter(|email| email["kind"] == "email-otp" && email["to"] == to)
        .collect()
}

/// The rows of `identifier`: value and lifetime in (rounded) seconds.
async fn rows(db: &Db, identifier: &str) -> Vec<(String, i64)> {
    let mut db = db.clone();
    db.fetch_all(
        r#"select "value", "expiresAt", "createdAt" from "verification" where "identifier" = $1"#,
        keyward_server::args![identifier.to_owned()],
    )
    .await
    .expect("reads the verification table")
    .iter()
    .map(|row| {
        let lifetime = row.time("expiresAt").expect("expiresAt") - row.time("createdAt").expect("createdAt");
        (
            row.text("value").expect("value"),
            (lifetime.num_milliseconds() + 500) / 1000,
        )
    })
    .collect()
}

/// The status and code of a refused call.
fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, ErrorCode) {
    match result {
        Err(Error::Api { status, code, .. }) => (status, code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

peer_test! {
    async fn a_code_signs_a_user_up_then_in(kind) {
        let _record = against_better_auth(kind, &[flows::EMAIL_OTP, flows::SQLITE]);
        let peer = peer(kind, EmailOtpOptions::default()).await;
        let asker = peer.client();
        let otp = emailed(&peer, &asker, EMAIL, EmailOtpType::SignIn).await;
        assert_eq!(otp.len(), 6);
        assert!(otp.bytes().all(|b| b.is_ascii_digit()), "{otp}");
        let db = peer.db().await;
        assert_eq!(rows(&db, "sign-in-otp-ada@example.com").await, [(format!("{otp}:0"), 300)]);
        assert!(!asker.session().get().is_signed_in(), "asking signs nobody in");

        let client = peer.client();
        let checked = client.email_otp().check_verification_otp(EMAIL, EmailOtpType::SignIn, otp.as_str()).await;
        assert_eq!(api_error(checked), (400, ErrorCode::UserNotFound), "checking needs a user");
        let signed_in = client
            .sign_in()
            .email_otp("Ada@Example.com", otp.as_str())
            .name("Ada")
            .await
            .expect("signs up");
        assert_eq!(signed_in.user.email, EMAIL);
        assert_eq!(signed_in.user.name, "Ada");
        assert!(signed_in.user.email_verified);
        let stored = client.session().get().data.expect("the store is signed in");
        assert_eq!(stored.user.id, signed_in.user.id);
        let stored_token = client.token().expect("token").expect("bearer token stored");
        assert!(stored_token.expose().starts_with(signed_in.token.expose()), "the signed session token");
        assert!(rows(&db, "sign-in-otp-ada@example.com").await.is_empty(), "the code is used up");

        let again = peer.client();
        let reused = again.email_otp().sign_in(EMAIL, otp.as_str()).await;
        assert_eq!(api_error(reused), (400, ErrorCode::InvalidOtp));
        assert!(!again.session().get().is_signed_in());

        // The same user's next code signs in a cookie-mode client.
        let otp = emailed(&peer, &asker, EMAIL, EmailOtpType::SignIn).await;
        let cookies = peer.cookie_client();
        let second = cookies.sign_in().email_otp(EMAIL, otp).await.expect("signs in");
        assert_eq!(second.user.id, signed_in.user.id, "no second user");
        assert_eq!(cookies.get_session().await.expect("asks").expect("signed in").user.id, signed_in.user.id);
    }
}

peer_test! {
    async fn wrong_expired_and_dead_codes_are_refused(kind) {
        let _record = against_better_auth(kind, &[flows::EMAIL_OTP_REFUSED, flows::ERRORS]);
        let peer = peer(kind, EmailOtpOptions::default()).await;
        let client = peer.client();
        let otp = emailed(&peer, &client, EMAIL, EmailOtpType::SignIn).await;
        let wrong = if otp == "000000" { "111111" } else { "000000" };
        let db = peer.db().await;
        for attempt in 1..=3 {
            let refused = client.sign_in().email_otp(EMAIL, wrong).await;
            assert_eq!(api_error(refused), (400, ErrorCode::InvalidOtp));
            assert_eq!(rows(&db, "sign-in-otp-ada@example.com").await, [(format!("{otp}:{attempt}"), 300)]);
        }
        let dead = client.sign_in().email_otp(EMAIL, otp.as_str()).await;
        assert_eq!(api_error(dead), (403, ErrorCode::TooManyAttempts));
        assert!(rows(&db, "sign-in-otp-ada@example.com").await.is_empty());

        let otp = emailed(&peer, &client, EMAIL, EmailOtpType::SignIn).await;
        let mut exec = db.clone();
        exec.execute(
            r#"update "verification" set "expiresAt" = $1 where "identifier" = $2"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(5), "sign-in-otp-ada@example.com"],
        )
        .await
        .expect("ages the code");
        let expired = client.sign_in().email_otp(EMAIL, otp.as_str()).await;
        assert_eq!(api_error(expired), (400, ErrorCode::OtpExpired));
        let gone = client.sign_in().email_otp(EMAIL, otp.as_str()).await;
        assert_eq!(api_error(gone), (400, ErrorCode::InvalidOtp));

        let invalid = client.email_otp().send_verification_otp("not an address", EmailOtpType::SignIn).await;
        assert_eq!(api_error(invalid), (400, ErrorCode::InvalidEmail));
        let change = client.email_otp().send_verification_otp(EMAIL, EmailOtpType::ChangeEmail).await;
        assert_eq!(api_error(change).0, 400, "change-email codes come from request-email-change");
        assert!(!client.session().get().is_signed_in());
    }
}

peer_test! {
    async fn codes_verify_an_address_and_reset_a_password(kind) {
        let _record = against_better_auth(kind, &[flows::EMAIL_OTP, flows::EMAIL_OTP_REFUSED]);
        let peer = peer(kind, EmailOtpOptions::default()).await;
        let client = peer.client();
        client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
        assert!(!client.session().get().data.expect("signed in").user.email_verified);

        let otp = emailed(&peer, &client, EMAIL, EmailOtpType::EmailVerification).await;
        client
            .email_otp()
            .check_verification_otp(EMAIL, EmailOtpType::EmailVerification, otp.as_str())
            .await
            .expect("the code is right, and still usable");
        let verified = client.email_otp().verify_email(EMAIL, otp.as_str()).await.expect("verifies");
        assert!(verified.status && verified.user.email_verified);
        assert_eq!(verified.token, None, "no sign-in without autoSignInAfterVerification");
        assert!(
            client.session().get().data.expect("signed in").user.email_verified,
            "the session store learnt it"
        );
        let again = client.email_otp().verify_email(EMAIL, otp.as_str()).await;
        assert_eq!(api_error(again), (400, ErrorCode::InvalidOtp));

        let stranger = peer.client();
        stranger.email_otp().request_password_reset(EMAIL).await.expect("asks");
        let otp = peer.email("email-otp", EMAIL).await["token"].as_str().expect("code").to_owned();
        let short = stranger.email_otp().reset_password(EMAIL, otp.as_str(), "short").await;
        assert_eq!(api_error(short), (400, ErrorCode::PasswordTooShort));
        let wrong = stranger.email_otp().reset_password(EMAIL, "0", "a-new-long-password").await;
        assert_eq!(api_error(wrong), (400, ErrorCode::InvalidOtp));
        stranger
            .email_otp()
            .reset_password(EMAIL, otp.as_str(), "a-new-long-password")
            .await
            .expect("resets");
        let used = stranger.email_otp().reset_password(EMAIL, otp.as_str(), "another-long-one").await;
        assert_eq!(api_error(used), (400, ErrorCode::InvalidOtp));
        stranger
            .sign_in()
            .email(EMAIL, "a-new-long-password")
            .await
            .expect("the new password works");

        // The deprecated name sends a code too; unknown addresses get the same answer.
        let before = sent_to(&peer, EMAIL).len();
        stranger.email_otp().forget_password(EMAIL).await.expect("asks");
        peer.email("email-otp", EMAIL).await;
        assert_eq!(sent_to(&peer, EMAIL).len(), before + 1);
        stranger.email_otp().request_password_reset("eve@example.com").await.expect("the same answer");
        assert!(sent_to(&peer, "eve@example.com").is_empty());
    }
}

peer_test! {
    async fn a_signed_in_user_changes_address_by_code(kind) {
        let _record = against_better_auth(kind, &[flows::EMAIL_OTP]);
        let peer = peer(kind, EmailOtpOptions { change_email: true, ..EmailOtpOptions::default() }).await;
        let client = peer.client();
        client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
        let same = client.email_otp().request_email_change("ADA@example.com").await;
        assert_eq!(api_error(same).0, 400);
        client.email_otp().request_email_change("New@Example.com").await.expect("asks");
        let otp = peer.email("email-otp", "new@example.com").await["token"].as_str().expect("code").to_owned();
        let wrong = client.email_otp().change_email("new@example.com", "0").await;
        assert_eq!(api_error(wrong), (400, ErrorCode::InvalidOtp));
        client.email_otp().change_email("new@example.com", otp.as_str()).await.expect("changes");
        let user = client.session().get().data.expect("signed in").user;
        assert_eq!(user.email, "new@example.com");
        assert!(user.email_verified);
        let outsider = peer.client();
        let unsigned = outsider.email_otp().change_email("other@example.com", otp.as_str()).await;
        assert_eq!(api_error(unsigned).0, 401);
    }
}

peer_test! {
    async fn storage_modes_and_disabled_sign_up_behave_alike(kind) {
        let _record = against_better_auth(kind, &[flows::EMAIL_OTP_REFUSED]);
        let hashed = peer(kind, EmailOtpOptions { store_otp: Some("hashed"), ..EmailOtpOptions::default() }).await;
        let client = hashed.client();
        let otp = emailed(&hashed, &client, EMAIL, EmailOtpType::SignIn).await;
        let digest = keyward_server::crypto::base64url(&keyward_server::crypto::sha256(otp.as_bytes()));
        assert_eq!(rows(&hashed.db().await, "sign-in-otp-ada@example.com").await, [(format!("{digest}:0"), 300)]);
        client.sign_in().email_otp(EMAIL, otp).await.expect("a hashed code signs in");

        let encrypted = peer(kind, EmailOtpOptions { store_otp: Some("encrypted"), ..EmailOtpOptions::default() }).await;
        let client = encrypted.client();
        let otp = emailed(&encrypted, &client, EMAIL, EmailOtpType::SignIn).await;
        let stored = rows(&encrypted.db().await, "sign-in-otp-ada@example.com").await;
        let (value, attempts) = stored[0].0.rsplit_once(':').expect("value:attempts");
        assert_eq!(attempts, "0");
        assert_eq!(value.len(), 2 * (24 + 6 + 16), "hex of nonce, ciphertext and tag: {value}");
        client.sign_in().email_otp(EMAIL, otp).await.expect("an encrypted code signs in");

        let closed = peer(kind, EmailOtpOptions { disable_sign_up: true, ..EmailOtpOptions::default() }).await;
        let client = closed.client();
        client.email_otp().send_verification_otp(EMAIL, EmailOtpType::SignIn).await.expect("the same answer");
        assert!(closed.emails().iter().all(|email| email["kind"] != "email-otp"), "no code for a stranger");
        let refused = client.sign_in().email_otp(EMAIL, "123456").await;
        assert_eq!(api_error(refused), (400, ErrorCode::InvalidOtp));
    }
}

peer_test! {
    async fn verification_codes_on_sign_up_in_place_of_links_and_for_the_current_address(kind) {
        let _record = against_better_auth(kind, &[flows::EMAIL_OTP]);
        // sendVerificationOnSignUp: a sign-up by email is sent an email-verification code.
        let on_sign_up = EmailOtpOptions { send_verification_on_sign_up: true, ..EmailOtpOptions::default() };
        let first = peer(kind, on_sign_up).await;
        let client = first.client();
        client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
        let sent = first.email("email-otp", EMAIL).await;
        // Only an email-verification code verifies the address.
        let otp = sent["token"].as_str().expect("a code").to_owned();
        let verified = client.email_otp().verify_email(EMAIL, otp.as_str()).await.expect("verifies");
        assert!(verified.user.email_verified);

        // overrideDefaultEmailVerification: the core's verification email is a code.
        let override_links = EmailOtpOptions {
            override_default_email_verification: true,
            change_email: true,
            verify_current_email: true,
            ..EmailOtpOptions::default()
        };
        let second = peer(kind, override_links).await;
        let client = second.client();
        client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
        client.email().send_verification(EMAIL).await.expect("asks");
        let sent = second.email("email-otp", EMAIL).await;
        assert!(second.emails().iter().all(|email| email["kind"] != "verify-email"), "no link went out");
        let otp = sent["token"].as_str().expect("a code").to_owned();
        client.email_otp().verify_email(EMAIL, otp.as_str()).await.expect("verifies");

        // verifyCurrentEmail: a change of address needs a code of the current one first.
        let without = client.email_otp().request_email_change("new@example.com").await;
        assert_eq!(api_error(without).0, 400);
        let wrong = client.email_otp().request_email_change("new@example.com").otp("000000").await;
        assert_eq!(api_error(wrong).0, 400);
        let current = emailed(&second, &client, EMAIL, EmailOtpType::EmailVerification).await;
        client
            .email_otp()
            .request_email_change("new@example.com")
            .otp(current.as_str())
            .await
            .expect("asks with the current address's code");
        let otp = second.email("email-otp", "new@example.com").await["token"].as_str().expect("code").to_owned();
        client.email_otp().change_email("new@example.com", otp.as_str()).await.expect("changes");
        assert_eq!(client.session().get().data.expect("signed in").user.email, "new@example.com");
    }
}
