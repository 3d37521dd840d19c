//! The phone-number plugin's endpoints in the differential check: send-otp, verify
//! (updatePhoneNumber, a new session, disableSession, wrong, used, missing and exhausted
//! codes, taken and unknown numbers, signed out), sign-in by number and password
//! (rememberMe, wrong and malformed credentials), the numbers sign-up and update-user
//! may not set, and the password reset by SMS. `{sms}` and `{sms-reset}` fill in the
//! newest code each server texted, `{wrong-sms}` a code that is not it.

use super::*;

const ADA: &str = "+15550001";
const BOB: &str = "+15550002";

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let password = "correct-horse-battery";
    let post = |name: &'static str, path: &'static str, body: Value| step(name, Method::POST, path, None).json(body);
    let send = |name: &'static str, phone: &str| post(name, "/phone-number/send-otp", json!({"phoneNumber": phone}));
    let verify = |name: &'static str, body: Value| post(name, "/phone-number/verify", body);
    let sign_in = |name: &'static str, body: Value| post(name, "/sign-in/phone-number", body);
    vec![
        post(
            "Phone: sign-up",
            "/sign-up/email",
            json!({"name": "Ada", "email": "ada@example.com", "password": password}),
        ),
        send("Phone: send-otp", ADA),
        verify(
            "Phone: verify a wrong code",
            json!({"phoneNumber": ADA, "code": "{wrong-sms}", "updatePhoneNumber": true}),
        ),
        step(
            "Phone: verify with updatePhoneNumber",
            Method::POST,
            "/phone-number/verify",
            Cookie,
        )
        .json(json!({"phoneNumber": ADA, "code": "{sms}", "updatePhoneNumber": true})),
        verify(
            "Phone: verify a used code",
            json!({"phoneNumber": ADA, "code": "{sms}"}),
        ),
        verify(
            "Phone: verify a number no code was sent to",
            json!({"phoneNumber": "+15559999", "code": "123456"}),
        ),
        post("Phone: send-otp without a number", "/phone-number/send-otp", json!({})),
        post(
            "Phone: send-otp with a number as the number",
            "/phone-number/send-otp",
            json!({"phoneNumber": 15550001}),
        ),
        sign_in("Phone: sign-in", json!({"phoneNumber": ADA, "password": password})).by(1),
        step("Phone: get-session after sign-in", Method::GET, "/get-session", Cookie).by(1),
        sign_in(
            "Phone: sign-in without remembering",
            json!({"phoneNumber": ADA, "password": password, "rememberMe": false}),
        )
        .by(2),
        sign_in(
            "Phone: sign-in with a wrong password",
            json!({"phoneNumber": ADA, "password": "wrong-password-1"}),
        )
        .by(5),
        sign_in(
            "Phone: sign-in with an unknown number",
            json!({"phoneNumber": BOB, "password": password}),
        )
        .by(5),
        sign_in("Phone: sign-in without a password", json!({"phoneNumber": ADA})).by(5),
        sign_in(
            "Phone: sign-in with rememberMe as text",
            json!({"phoneNumber": ADA, "password": password, "rememberMe": "no"}),
        )
        .by(5),
        send("Phone: send-otp to sign in", ADA),
        verify("Phone: verify signs in", json!({"phoneNumber": ADA, "code": "{sms}"})).by(3),
        step("Phone: get-session after verify", Method::GET, "/get-session", Cookie).by(3),
        send("Phone: send-otp to verify without a session", ADA),
        verify(
            "Phone: verify with disableSession",
            json!({"phoneNumber": ADA, "code": "{sms}", "disableSession": true}),
        )
        .by(4),
        step("Phone: update-user with a number", Method::POST, "/update-user", Cookie)
            .json(json!({"phoneNumber": BOB})),
        post(
            "Phone: sign-up with a number",
            "/sign-up/email",
            json!({"name": "Eve", "email": "eve@example.com", "password": password, "phoneNumber": BOB}),
        )
        .by(6),
        post(
            "Phone: sign-up with an empty number",
            "/sign-up/email",
            json!({"name": "Bob", "email": "bob@example.com", "password": password, "phoneNumber": ""}),
        )
        .by(6),
        send("Phone: send-otp for a taken number", ADA),
        step(
            "Phone: verify a taken number with updatePhoneNumber",
            Method::POST,
            "/phone-number/verify",
            Cookie,
        )
        .json(json!({"phoneNumber": ADA, "code": "{sms}", "updatePhoneNumber": true}))
        .by(6),
        send("Phone: send-otp for a signed-out update", BOB),
        verify(
            "Phone: verify with updatePhoneNumber signed out",
            json!({"phoneNumber": BOB, "code": "{sms}", "updatePhoneNumber": true}),
        )
        .by(5),
        send("Phone: send-otp to a number without a user", BOB),
        verify(
            "Phone: verify a number without a user",
            json!({"phoneNumber": BOB, "code": "{sms}"}),
        )
        .by(5),
        send("Phone: send-otp to exhaust", BOB),
        verify(
            "Phone: first wrong code",
            json!({"phoneNumber": BOB, "code": "{wrong-sms}"}),
        )
        .by(5),
        verify(
            "Phone: second wrong code",
            json!({"phoneNumber": BOB, "code": "{wrong-sms}"}),
        )
        .by(5),
        verify(
            "Phone: third wrong code",
            json!({"phoneNumber": BOB, "code": "{wrong-sms}"}),
        )
        .by(5),
        verify(
            "Phone: the right code after three wrong ones",
            json!({"phoneNumber": BOB, "code": "{sms}"}),
        )
        .by(5),
        post(
            "Phone: request-password-reset",
            "/phone-number/request-password-reset",
            json!({"phoneNumber": ADA}),
        ),
        post(
            "Phone: reset-password with a wrong code",
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": "{wrong-sms-reset}", "newPassword": "another-password-1"}),
        ),
        post(
            "Phone: reset-password with a short password",
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": "{sms-reset}", "newPassword": "short"}),
        ),
        post(
            "Phone: reset-password",
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": "{sms-reset}", "newPassword": "another-password-1"}),
        ),
        post(
            "Phone: reset-password with a used code",
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "otp": "{sms-reset}", "newPassword": "a-third-password-1"}),
        ),
        post(
            "Phone: reset-password without a code",
            "/phone-number/reset-password",
            json!({"phoneNumber": ADA, "newPassword": "a-third-password-1"}),
        ),
        sign_in(
            "Phone: sign-in with the new password",
            json!({"phoneNumber": ADA, "password": "another-password-1"}),
        )
        .by(7),
        post(
            "Phone: request-password-reset for a number without a user",
            "/phone-number/request-password-reset",
            json!({"phoneNumber": BOB}),
        ),
        step(
            "Phone: update-user clearing the number",
            Method::POST,
            "/update-user",
            Cookie,
        )
        .json(json!({"phoneNumber": null}))
        .by(7),
        step("Phone: get-session after clearing", Method::GET, "/get-session", Cookie).by(7),
    ]
}

#[tokio::test]
async fn the_phone_number_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.phone_number = Some(keyward_server::config::PhoneNumberConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["phone-number"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
