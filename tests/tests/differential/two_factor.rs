//! The two-factor plugin's endpoints in the differential check: enrolment, TOTP, emailed
//! codes, backup codes, trusted devices and their refusals.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let password = json!({"password": "correct-horse-battery"});
    let sign_in = json!({"email": "ada@example.com", "password": "correct-horse-battery"});
    vec![
        step("2FA: POST /sign-up/email", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"})),
        step(
            "2FA: enable with a wrong password",
            Method::POST,
            "/two-factor/enable",
            Bearer,
        )
        .json(json!({"password": "wrong-password"})),
        step(
            "2FA: enable without a password",
            Method::POST,
            "/two-factor/enable",
            Bearer,
        )
        .json(json!({})),
        step(
            "2FA: enable with an unknown method",
            Method::POST,
            "/two-factor/enable",
            Bearer,
        )
        .json(json!({"password": "correct-horse-battery", "method": "sms"})),
        step(
            "2FA: get-totp-uri before enabling",
            Method::POST,
            "/two-factor/get-totp-uri",
            Bearer,
        )
        .json(password.clone()),
        step(
            "2FA: generate-backup-codes before enabling",
            Method::POST,
            "/two-factor/generate-backup-codes",
            Bearer,
        )
        .json(password.clone()),
        step(
            "2FA: verify-backup-code before enabling",
            Method::POST,
            "/two-factor/verify-backup-code",
            Bearer,
        )
        .json(json!({"code": "aaaaa-bbbbb"})),
        step("2FA: enable", Method::POST, "/two-factor/enable", Bearer).json(password.clone()),
        step(
            "2FA: get-session before the first code",
            Method::GET,
            "/get-session",
            Bearer,
        ),
        step(
            "2FA: verify-totp with a wrong code",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": "{wrong-totp}"})),
        step(
            "2FA: verify-totp with a number",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": 123456})),
        step(
            "2FA: verify-totp confirms the enrolment",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": "{totp}"})),
        step(
            "2FA: get-session after the enrolment",
            Method::GET,
            "/get-session",
            Bearer,
        ),
        step("2FA: get-totp-uri", Method::POST, "/two-factor/get-totp-uri", Bearer).json(password.clone()),
        step(
            "2FA: get-totp-uri with a wrong password",
            Method::POST,
            "/two-factor/get-totp-uri",
            Bearer,
        )
        .json(json!({"password": "wrong-password"})),
        step("2FA: enable again", Method::POST, "/two-factor/enable", Bearer).json(password.clone()),
        step(
            "2FA: update-user switching twoFactorEnabled off",
            Method::POST,
            "/update-user",
            Bearer,
        )
        .json(json!({"twoFactorEnabled": false})),
        step(
            "2FA: update-user switching twoFactorEnabled on",
            Method::POST,
            "/update-user",
            Bearer,
        )
        .json(json!({"twoFactorEnabled": true})),
        step("2FA: sign-out", Method::POST, "/sign-out", Cookie).json(json!({})),
        step("2FA: sign-in is a challenge", Method::POST, "/sign-in/email", None).json(sign_in.clone()),
        step(
            "2FA: verify-totp without the challenge cookie",
            Method::POST,
            "/two-factor/verify-totp",
            None,
        )
        .json(json!({"code": "{totp}"})),
        step(
            "2FA: verify-totp on the challenge with a wrong code",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"})),
        step(
            "2FA: send-otp on the challenge",
            Method::POST,
            "/two-factor/send-otp",
            Cookie,
        ),
        step(
            "2FA: verify-otp with a wrong code",
            Method::POST,
            "/two-factor/verify-otp",
            Cookie,
        )
        .json(json!({"code": "abcdef"})),
        step(
            "2FA: verify-otp completes the sign-in",
            Method::POST,
            "/two-factor/verify-otp",
            Cookie,
        )
        .json(json!({"code": "{otp}"})),
        step(
            "2FA: get-session after the OTP sign-in",
            Method::GET,
            "/get-session",
            Cookie,
        ),
        step("2FA: sign-out again", Method::POST, "/sign-out", Cookie).json(json!({})),
        step(
            "2FA: sign-in with rememberMe false is a challenge",
            Method::POST,
            "/sign-in/email",
            None,
        )
        .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "rememberMe": false})),
        step(
            "2FA: verify-backup-code with an unknown code",
            Method::POST,
            "/two-factor/verify-backup-code",
            Cookie,
        )
        .json(json!({"code": "aaaaa-bbbbb"})),
        step(
            "2FA: verify-backup-code trusting the device",
            Method::POST,
            "/two-factor/verify-backup-code",
            Cookie,
        )
        .json(json!({"code": "{backup}", "trustDevice": true})),
        step(
            "2FA: sign-out from the trusted device",
            Method::POST,
            "/sign-out",
            Cookie,
        )
        .json(json!({})),
        step(
            "2FA: sign-in on the trusted device",
            Method::POST,
            "/sign-in/email",
            Cookie,
        )
        .json(sign_in.clone()),
        step(
            "2FA: verify-backup-code reusing a code",
            Method::POST,
            "/two-factor/verify-backup-code",
            Bearer,
        )
        .json(json!({"code": "{backup}"})),
        step(
            "2FA: generate-backup-codes with a wrong password",
            Method::POST,
            "/two-factor/generate-backup-codes",
            Bearer,
        )
        .json(json!({"password": "wrong-password"})),
        step(
            "2FA: generate-backup-codes",
            Method::POST,
            "/two-factor/generate-backup-codes",
            Bearer,
        )
        .json(password.clone()),
        step(
            "2FA: verify-totp as a signed-in user",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": "{totp}"})),
        step(
            "2FA: verify-backup-code as a signed-in user without a session",
            Method::POST,
            "/two-factor/verify-backup-code",
            Bearer,
        )
        .json(json!({"code": "{backup}", "disableSession": true})),
        step(
            "2FA: disable with a wrong password",
            Method::POST,
            "/two-factor/disable",
            Bearer,
        )
        .json(json!({"password": "wrong-password"})),
        step("2FA: disable", Method::POST, "/two-factor/disable", Cookie).json(password),
        step("2FA: sign-in after disabling", Method::POST, "/sign-in/email", None).json(sign_in),
        step("2FA: enable OTP", Method::POST, "/two-factor/enable", Bearer)
            .json(json!({"password": "correct-horse-battery", "method": "otp"})),
        step("2FA: get-session with OTP on", Method::GET, "/get-session", Bearer),
        // Lou: ten wrong codes over two challenges (five is one challenge's limit) lock
        // the account; then even the right code is refused.
        step("2FA lockout: sign-up", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Lou", "email": "lou@example.com", "password": "correct-horse-battery"}))
            .by(1),
        step("2FA lockout: enable", Method::POST, "/two-factor/enable", Bearer)
            .json(json!({"password": "correct-horse-battery"}))
            .by(1),
        step(
            "2FA lockout: verify-totp",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": "{totp}"}))
        .by(1),
        step("2FA lockout: sign-out", Method::POST, "/sign-out", Cookie)
            .json(json!({}))
            .by(1),
        step("2FA lockout: first challenge", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "lou@example.com", "password": "correct-horse-battery"}))
            .by(1),
        step(
            "2FA lockout: wrong code 1",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 2",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 3",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 4",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 5",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: the right code after five wrong ones",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{totp}"}))
        .by(1),
        step("2FA lockout: second challenge", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "lou@example.com", "password": "correct-horse-battery"}))
            .by(1),
        step(
            "2FA lockout: wrong code 6",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 7",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 8",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 9",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 10",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: the right code on a locked account",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{totp}"}))
        .by(1),
        step(
            "2FA lockout: a new challenge on a locked account",
            Method::POST,
            "/sign-in/email",
            None,
        )
        .json(json!({"email": "lou@example.com", "password": "correct-horse-battery"}))
        .by(1),
        step(
            "2FA lockout: the right code on the new challenge",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{totp}"}))
        .by(1),
    ]
}

#[tokio::test]
async fn the_two_factor_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.two_factor = Some(keyward_server::config::TwoFactorConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["two-factor"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
