//! `client.phone_number()` against both servers: Keyward's phone-number plugin and
//! better-auth's `phoneNumber` (interop direction A). The codes the servers text are
//! read from their outboxes.

use keyward_client::wire::{ErrorCode, PhoneSignInOutcome, User};
use keyward_client::{AuthClient, Error};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{Peer, PeerKind, PeerOptions, PhoneNumberOptions, peer_test};
use serde_json::Value;

const PASSWORD: &str = "correct-horse-battery";
const ADA: &str = "+15550001";
const BOB: &str = "+15550002";

async fn peer(kind: PeerKind, plugins: Vec<&'static str>, options: PhoneNumberOptions) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins,
            phone_number: options,
            ..PeerOptions::default()
        },
    )
    .await
}

/// Status and code of a refused call.
fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, ErrorCode) {
    match result {
        Err(Error::Api { status, code, .. }) => (status, code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// A user field as JSON.
fn field<'a>(user: &'a User, name: &str) -> &'a Value {
    user.additional.get(name).unwrap_or(&Value::Null)
}

/// Asks for a code for `phone` and reads it from the outbox.
async fn texted(peer: &Peer, client: &AuthClient, phone: &str) -> String {
    client.phone_number().send_otp(phone).await.expect("texts a code");
    peer.sms("phone-number-otp", phone).await
}

/// A code other than `code`, of its length.
fn wrong(code: &str) -> String {
    let digit = if code.starts_with('0') { "1" } else { "0" };
    digit.repeat(code.len())
}

/// A user signed up by email whose number `phone` is verified (through `update`).
async fn user_with_number(peer: &Peer, email: &str, phone: &str) -> AuthClient {
    let client = peer.client();
    client.sign_up().email("Ada", email, PASSWORD).await.expect("signs up");
    let code = texted(peer, &client, phone).await;
    let answer = client.phone_number().update(phone, code).await.expect("verifies");
    assert!(answer.status);
    assert_eq!(field(&answer.user, "phoneNumber"), phone);
    assert_eq!(field(&answer.user, "phoneNumberVerified"), true);
    let session = client.session().get().data.expect("signed in");
    assert_eq!(field(&session.user, "phoneNumber"), phone, "the session store follows");
    client
}

peer_test! {
    async fn a_texted_code_verifies_a_number_and_signs_in(kind) {
        let _record = against_better_auth(kind, &[flows::PHONE_NUMBER, flows::SQLITE]);
        let peer = peer(kind, vec!["phone-number"], PhoneNumberOptions::default()).await;
        let ada = user_with_number(&peer, "ada@example.com", ADA).await;
        ada.sign_out().await.expect("signs out");

        // Number and password, in bearer mode.
        let outcome = ada
            .phone_number()
            .sign_in(ADA, PASSWORD)
            .remember_me(false)
            .await
            .expect("signs in");
        let signed_in = outcome.signed_in().expect("no second factor");
        assert_eq!(signed_in.user.email, "ada@example.com");
        let session = ada.session().get().data.expect("signed in");
        assert_eq!(session.session.token, signed_in.token);

        // A code alone signs in too, on a fresh device (cookie mode).
        let phone = peer.cookie_client();
        let code = texted(&peer, &phone, ADA).await;
        let answer = phone.phone_number().verify(ADA, code).await.expect("verifies");
        assert!(answer.token.is_some());
        assert_eq!(answer.user.email, "ada@example.com");
        assert!(phone.session().get().is_signed_in(), "the session store follows");

        // Verify without a session.
        let other = peer.client();
        let code = texted(&peer, &other, ADA).await;
        let answer = other
            .phone_number()
            .verify(ADA, code)
            .disable_session(true)
            .await
            .expect("verifies");
        assert_eq!(answer.token, None);
        assert!(!other.session().get().is_signed_in());

        // A password reset by SMS.
        other.phone_number().request_password_reset(ADA).await.expect("asks");
        let reset = peer.sms("phone-number-reset", ADA).await;
        assert_eq!(
            refusal(other.phone_number().reset_password(ADA, wrong(&reset), "another-password-1").await),
            (400, ErrorCode::InvalidOtp)
        );
        other
            .phone_number()
            .reset_password(ADA, reset.clone(), "another-password-1")
            .await
            .expect("resets");
        assert_eq!(
            refusal(other.phone_number().reset_password(ADA, reset, "a-third-password-1").await),
            (400, ErrorCode::OtpNotFound)
        );
        assert_eq!(
            refusal(other.phone_number().sign_in(ADA, PASSWORD).await),
            (401, ErrorCode::InvalidPhoneNumberOrPassword)
        );
        other
            .phone_number()
            .sign_in(ADA, "another-password-1")
            .await
            .expect("the new password signs in");
    }
}

peer_test! {
    async fn wrong_reused_and_expired_codes_and_taken_numbers_are_refused(kind) {
        let _record = against_better_auth(kind, &[flows::PHONE_NUMBER_REFUSED, flows::SQLITE]);
        let options = PhoneNumberOptions {
            otp_length: Some(4),
            allowed_attempts: Some(2),
            ..PhoneNumberOptions::default()
        };
        let peer = peer(kind, vec!["phone-number"], options).await;
        let ada = user_with_number(&peer, "ada@example.com", ADA).await;
        let client = peer.client();
        assert_eq!(
            refusal(client.phone_number().verify(BOB, "1234").await),
            (400, ErrorCode::OtpNotFound)
        );
        let code = texted(&peer, &client, BOB).await;
        assert_eq!(code.len(), 4);
        for _ in 0..2 {
            assert_eq!(
                refusal(client.phone_number().verify(BOB, wrong(&code)).await),
                (400, ErrorCode::InvalidOtp)
            );
        }
        assert_eq!(
            refusal(client.phone_number().verify(BOB, code.clone()).await),
            (403, ErrorCode::TooManyAttempts)
        );
        assert_eq!(
            refusal(client.phone_number().verify(BOB, code).await),
            (400, ErrorCode::OtpNotFound),
            "the code is gone"
        );

        // A number that someone has.
        let bob = peer.client();
        bob.sign_up().email("Bob", "bob@example.com", PASSWORD).await.expect("signs up");
        let code = texted(&peer, &bob, ADA).await;
        assert_eq!(
            refusal(bob.phone_number().update(ADA, code).await),
            (400, ErrorCode::PhoneNumberExist)
        );
        // updatePhoneNumber without a session.
        let code = texted(&peer, &client, BOB).await;
        assert_eq!(
            refusal(client.phone_number().update(BOB, code).await),
            (401, ErrorCode::UserNotFound)
        );
        // A number without a user (no sign-up on verification): better-auth answers 500.
        let code = texted(&peer, &client, BOB).await;
        let expected_status = match kind {
            PeerKind::Keyward => 400,
            PeerKind::BetterAuth => 500,
        };
        assert_eq!(
            refusal(client.phone_number().verify(BOB, code).await),
            (expected_status, ErrorCode::FailedToUpdateUser)
        );
        // Numbers are set only by verifying them.
        assert_eq!(
            refusal(ada.user().update().field("phoneNumber", BOB).await),
            (400, ErrorCode::PhoneNumberCannotBeUpdated)
        );
        assert_eq!(
            refusal(
                client
                    .sign_up()
                    .email("Cy", "cy@example.com", PASSWORD)
                    .field("phoneNumber", "+15550003")
                    .await
            ),
            (400, ErrorCode::PhoneNumberCannotBeSet)
        );
        assert_eq!(
            refusal(client.phone_number().sign_in(BOB, PASSWORD).await),
            (401, ErrorCode::InvalidPhoneNumberOrPassword)
        );
    }
}

peer_test! {
    async fn an_expired_code_fails(kind) {
        let _record = against_better_auth(kind, &[flows::PHONE_NUMBER_REFUSED]);
        let options = PhoneNumberOptions {
            expires_in: Some(1),
            ..PhoneNumberOptions::default()
        };
        let peer = peer(kind, vec!["phone-number"], options).await;
        let client = peer.client();
        let code = texted(&peer, &client, ADA).await;
        tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
        assert_eq!(
            refusal(client.phone_number().verify(ADA, code).await),
            (400, ErrorCode::OtpExpired)
        );
    }
}

peer_test! {
    async fn unverified_numbers_and_sign_up_on_verification_and_e164(kind) {
        let _record = against_better_auth(kind, &[flows::PHONE_NUMBER, flows::PHONE_NUMBER_REFUSED]);
        let options = PhoneNumberOptions {
            require_verification: true,
            sign_up_domain: Some("phone.example.com"),
            e164: true,
            ..PhoneNumberOptions::default()
        };
        let peer = peer(kind, vec!["phone-number"], options).await;
        let client = peer.client();
        assert_eq!(
            refusal(client.phone_number().send_otp("555 0001").await),
            (400, ErrorCode::InvalidPhoneNumber)
        );
        assert_eq!(
            refusal(client.phone_number().sign_in("555 0001", PASSWORD).await),
            (400, ErrorCode::InvalidPhoneNumber)
        );
        let code = texted(&peer, &client, ADA).await;
        let answer = client.phone_number().verify(ADA, code).await.expect("signs up");
        assert_eq!(answer.user.email, "+15550001@phone.example.com");
        assert_eq!(answer.user.name, ADA);
        assert_eq!(field(&answer.user, "phoneNumberVerified"), true);
        assert!(client.session().get().is_signed_in());
        // The new user has no password: sign-in by password is refused.
        assert_eq!(
            refusal(peer.client().phone_number().sign_in(ADA, PASSWORD).await),
            (401, ErrorCode::InvalidPhoneNumberOrPassword)
        );
        // A password reset gives it one.
        let other = peer.client();
        other.phone_number().request_password_reset(ADA).await.expect("asks");
        let reset = peer.sms("phone-number-reset", ADA).await;
        other
            .phone_number()
            .reset_password(ADA, reset, PASSWORD)
            .await
            .expect("sets a password");
        other.phone_number().sign_in(ADA, PASSWORD).await.expect("signs in");
    }
}

peer_test! {
    async fn a_second_factor_challenges_a_phone_number_sign_in(kind) {
        let _record = against_better_auth(kind, &[flows::PHONE_NUMBER, flows::TWO_FACTOR_OTP]);
        let peer = peer(kind, vec!["two-factor", "phone-number"], PhoneNumberOptions::default()).await;
        let ada = user_with_number(&peer, "ada@example.com", ADA).await;
        ada.two_factor()
            .enable()
            .password(PASSWORD)
            .method(keyward_client::wire::TwoFactorMethod::Otp)
            .await
            .expect("enables");
        let device = peer.client();
        let outcome = device.phone_number().sign_in(ADA, PASSWORD).await.expect("answers");
        match outcome {
            PhoneSignInOutcome::TwoFactorRequired(challenge) => {
                assert!(challenge.two_factor_redirect);
                assert!(challenge.two_factor_methods.contains(&"otp".to_owned()), "{challenge:?}");
            }
            other => panic!("expected a challenge, got {other:?}"),
        }
        assert!(!device.session().get().is_signed_in(), "no session before the second factor");
    }
}
