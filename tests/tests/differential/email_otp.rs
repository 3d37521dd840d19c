//! The email-OTP plugin's endpoints in the differential check: codes sent (every type,
//! unknown addresses, malformed bodies, the form CSRF rules), checked, used to sign in and
//! up, to verify, to reset a password; wrong, used, expired and dead codes; the change of
//! address switched off. `{email-otp}` is the newest code each server emailed,
//! `{wrong-email-otp}` that code with its last digit changed.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let post = |name: &'static str, path: &'static str, body: Value| step(name, Method::POST, path, None).json(body);
    let send = |name: &'static str, body: Value| post(name, "/email-otp/send-verification-otp", body);
    let check = |name: &'static str, body: Value| post(name, "/email-otp/check-verification-otp", body);
    let sign_in = |name: &'static str, body: Value| post(name, "/sign-in/email-otp", body);
    let reset = |name: &'static str, body: Value| post(name, "/email-otp/reset-password", body);
    let ada = |otp_type: &str| json!({"email": "ada@example.com", "type": otp_type});
    vec![
        send("EO: send a sign-in code", ada("sign-in")),
        check(
            "EO: check a wrong code",
            json!({"email": "ada@example.com", "type": "sign-in", "otp": "{wrong-email-otp}"}),
        ),
        check(
            "EO: check the code of an address without a user",
            json!({"email": "ada@example.com", "type": "sign-in", "otp": "{email-otp}"}),
        ),
        sign_in(
            "EO: sign in with a wrong code",
            json!({"email": "ada@example.com", "otp": "{wrong-email-otp}"}),
        ),
        sign_in(
            "EO: sign up with the code",
            json!({"email": "Ada@Example.com", "otp": "{email-otp}", "name": "Ada"}),
        )
        .by(1),
        step("EO: get-session of the new user", Method::GET, "/get-session", Cookie).by(1),
        sign_in(
            "EO: sign in with a used code",
            json!({"email": "ada@example.com", "otp": "{email-otp}"}),
        )
        .by(2),
        sign_in(
            "EO: sign in with a number as the code",
            json!({"email": "ada@example.com", "otp": 123456}),
        ),
        sign_in("EO: sign in without a code", json!({"email": "ada@example.com"})),
        send("EO: send an email-verification code", ada("email-verification")),
        check(
            "EO: check the verification code",
            json!({"email": "ada@example.com", "type": "email-verification", "otp": "{email-otp}"}),
        ),
        step(
            "EO: verify the email with the code",
            Method::POST,
            "/email-otp/verify-email",
            Cookie,
        )
        .json(json!({"email": "ada@example.com", "otp": "{email-otp}"}))
        .by(1),
        post(
            "EO: verify the email with a used code",
            "/email-otp/verify-email",
            json!({"email": "ada@example.com", "otp": "{email-otp}"}),
        ),
        post(
            "EO: verify an invalid address",
            "/email-otp/verify-email",
            json!({"email": "nope", "otp": "123456"}),
        ),
        send(
            "EO: send a verification code to an unknown address",
            json!({"email": "eve@example.com", "type": "email-verification"}),
        ),
        post(
            "EO: verify an unknown address",
            "/email-otp/verify-email",
            json!({"email": "eve@example.com", "otp": "123456"}),
        ),
        send("EO: send a change-email code", ada("change-email")),
        send("EO: send a code of an unknown type", ada("login")),
        send(
            "EO: send to an invalid address",
            json!({"email": "nope", "type": "sign-in"}),
        ),
        send("EO: send without a type", json!({"email": "ada@example.com"})),
        step(
            "EO: send without a body",
            Method::POST,
            "/email-otp/send-verification-otp",
            None,
        ),
        send("EO: send from a cross-site navigation", ada("sign-in"))
            .header("sec-fetch-site", "cross-site")
            .header("sec-fetch-mode", "navigate"),
        post(
            "EO: request a password reset",
            "/email-otp/request-password-reset",
            json!({"email": "ada@example.com"}),
        ),
        reset(
            "EO: reset with a short password",
            json!({"email": "ada@example.com", "otp": "{email-otp}", "password": "short"}),
        ),
        reset(
            "EO: reset with a wrong code",
            json!({"email": "ada@example.com", "otp": "{wrong-email-otp}", "password": "a-new-long-password"}),
        ),
        reset(
            "EO: reset the password",
            json!({"email": "ada@example.com", "otp": "{email-otp}", "password": "a-new-long-password"}),
        ),
        post(
            "EO: sign in with the new password",
            "/sign-in/email",
            json!({"email": "ada@example.com", "password": "a-new-long-password"}),
        )
        .by(3),
        reset(
            "EO: reset with a used code",
            json!({"email": "ada@example.com", "otp": "{email-otp}", "password": "another-long-password"}),
        ),
        post(
            "EO: the deprecated forget-password route",
            "/forget-password/email-otp",
            json!({"email": "ada@example.com"}),
        ),
        post(
            "EO: request a password reset for an unknown address",
            "/email-otp/request-password-reset",
            json!({"email": "eve@example.com"}),
        ),
        post(
            "EO: request a password reset for an invalid address",
            "/email-otp/request-password-reset",
            json!({"email": "nope"}),
        ),
        post(
            "EO: request an email change signed out",
            "/email-otp/request-email-change",
            json!({"newEmail": "new@example.com"}),
        ),
        step(
            "EO: request an email change (switched off)",
            Method::POST,
            "/email-otp/request-email-change",
            Cookie,
        )
        .json(json!({"newEmail": "new@example.com"}))
        .by(1),
        step(
            "EO: change the email (switched off)",
            Method::POST,
            "/email-otp/change-email",
            Cookie,
        )
        .json(json!({"newEmail": "new@example.com", "otp": "123456"}))
        .by(1),
        send("EO: send another sign-in code", ada("sign-in")),
        sign_in(
            "EO: first wrong code",
            json!({"email": "ada@example.com", "otp": "{wrong-email-otp}"}),
        ),
        sign_in(
            "EO: second wrong code",
            json!({"email": "ada@example.com", "otp": "{wrong-email-otp}"}),
        ),
        sign_in(
            "EO: third wrong code",
            json!({"email": "ada@example.com", "otp": "{wrong-email-otp}"}),
        ),
        sign_in(
            "EO: the right code after three wrong ones",
            json!({"email": "ada@example.com", "otp": "{email-otp}"}),
        ),
        send("EO: send a code that will expire", ada("sign-in")),
        sql(
            "EO: the code expires",
            r#"update "verification" set "expiresAt" = "createdAt" where "identifier" = 'sign-in-otp-ada@example.com'"#,
        ),
        sign_in(
            "EO: sign in with an expired code",
            json!({"email": "ada@example.com", "otp": "{email-otp}"}),
        ),
    ]
}

/// The change of address switched on (`changeEmail.enabled`).
pub(super) fn change_sequence() -> Vec<Step> {
    use Credential::*;
    let request = |name: &'static str, new_email: &str| {
        step(name, Method::POST, "/email-otp/request-email-change", Cookie).json(json!({"newEmail": new_email}))
    };
    let change = |name: &'static str, otp: &str| {
        step(name, Method::POST, "/email-otp/change-email", Cookie)
            .json(json!({"newEmail": "new@example.com", "otp": otp}))
    };
    vec![
        step("EOC: sign up", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"})),
        step("EOC: sign up another user", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Bob", "email": "bob@example.com", "password": "correct-horse-battery"}))
            .by(1),
        request("EOC: request a change to the same address", "ADA@example.com"),
        request("EOC: request a change to an invalid address", "nope"),
        request("EOC: request a change to a taken address", "bob@example.com"),
        request("EOC: request an email change", "New@Example.com"),
        change("EOC: change with a wrong code", "{wrong-email-otp}"),
        change("EOC: change the email", "{email-otp}"),
        step("EOC: get-session after the change", Method::GET, "/get-session", Cookie),
        change("EOC: change again with the used code", "{email-otp}"),
        step("EOC: change signed out", Method::POST, "/email-otp/change-email", None)
            .json(json!({"newEmail": "other@example.com", "otp": "123456"}))
            .by(2),
    ]
}

#[tokio::test]
async fn the_change_of_address_by_code_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        let mut options = keyward_server::config::EmailOtpConfig::default();
        options.change_email.enabled = true;
        config.email_otp = Some(options);
    })
    .await;
    let better_auth =
        BetterAuthServer::start_on(Database::Sqlite, &["email-otp"], &[("EMAIL_OTP_CHANGE_EMAIL", "1")]).await;
    run_both(change_sequence(), &keyward, &better_auth).await;
}

#[tokio::test]
async fn the_email_otp_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.email_otp = Some(keyward_server::config::EmailOtpConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["email-otp"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
