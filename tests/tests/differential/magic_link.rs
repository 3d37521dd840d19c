//! The magic-link plugin's endpoints in the differential check: sign-in (JSON, form,
//! malformed, untrusted redirects, the form CSRF rules) and the link (a new user's
//! redirect, a used, unknown, expired or missing token, the JSON answer, untrusted
//! redirects, an unverified user's accounts and sessions).

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let sign_in = |name: &'static str, body: Value| step(name, Method::POST, "/sign-in/magic-link", None).json(body);
    let open = |name: &'static str, path: &'static str| step(name, Method::GET, path, None);
    vec![
        sign_in(
            "ML: sign-in",
            json!({"email": "ada@example.com", "name": "Ada", "callbackURL": "/dash", "newUserCallbackURL": "/welcome"}),
        ),
        open(
            "ML: verify a new user's link",
            "/magic-link/verify?token={magic-link}&callbackURL=/dash&newUserCallbackURL=/welcome",
        ),
        open(
            "ML: verify a used link",
            "/magic-link/verify?token={magic-link}&callbackURL=/dash&newUserCallbackURL=/welcome",
        )
        .by(1),
        sign_in("ML: sign-in without a callback", json!({"email": "ada@example.com"})),
        open("ML: verify as JSON", "/magic-link/verify?token={magic-link}").by(2),
        step("ML: get-session of the verifier", Method::GET, "/get-session", Cookie).by(2),
        open(
            "ML: verify an unknown token",
            "/magic-link/verify?token=nope&callbackURL=/dash&errorCallbackURL=/oops%3Fa%3D1",
        )
        .by(3),
        open(
            "ML: verify an unknown token without a callback",
            "/magic-link/verify?token=nope",
        )
        .by(3),
        open("ML: verify without a token", "/magic-link/verify").by(3),
        open("ML: verify with the token twice", "/magic-link/verify?token=a&token=b").by(3),
        open(
            "ML: verify with the callbackURL twice",
            "/magic-link/verify?token=nope&callbackURL=/a&callbackURL=/b",
        )
        .by(3),
        open(
            "ML: verify with a protocol-relative callbackURL",
            "/magic-link/verify?token=nope&callbackURL=//evil.example/",
        )
        .by(3),
        open(
            "ML: verify with an untrusted callbackURL",
            "/magic-link/verify?token=nope&callbackURL=https://evil.example/",
        )
        .by(3),
        open(
            "ML: verify with an untrusted newUserCallbackURL",
            "/magic-link/verify?token=nope&newUserCallbackURL=https://evil.example/",
        )
        .by(3),
        open(
            "ML: verify with an untrusted errorCallbackURL",
            "/magic-link/verify?token=nope&errorCallbackURL=https://evil.example/",
        )
        .by(3),
        sign_in("ML: sign-in with an invalid email", json!({"email": "nope"})),
        sign_in("ML: sign-in without an email", json!({"name": "Ada"})),
        step("ML: sign-in without a body", Method::POST, "/sign-in/magic-link", None),
        sign_in(
            "ML: sign-in with wrong types",
            json!({"email": "ada@example.com", "name": 5, "metadata": "x"}),
        ),
        sign_in(
            "ML: sign-in with an untrusted callbackURL",
            json!({"email": "ada@example.com", "callbackURL": "https://evil.example/"}),
        ),
        sign_in(
            "ML: sign-in with an untrusted newUserCallbackURL",
            json!({"email": "ada@example.com", "newUserCallbackURL": "https://evil.example/"}),
        ),
        sign_in(
            "ML: sign-in with an untrusted errorCallbackURL",
            json!({"email": "ada@example.com", "errorCallbackURL": "https://evil.example/"}),
        ),
        step("ML: sign-in as a form", Method::POST, "/sign-in/magic-link", None)
            .raw("application/x-www-form-urlencoded", b"email=ada%40example.com"),
        sign_in(
            "ML: sign-in navigated from another site",
            json!({"email": "ada@example.com"}),
        )
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate"),
        step(
            "ML: sign-in with cookies from a foreign origin",
            Method::POST,
            "/sign-in/magic-link",
            CookieFromEvil,
        )
        .json(json!({"email": "ada@example.com"}))
        .by(2),
        sign_in(
            "ML: sign-in for a link to expire",
            json!({"email": "ada@example.com", "callbackURL": "/dash"}),
        ),
        sql(
            "ML: the link expires",
            r#"update "verification" set "expiresAt" = '2020-01-01T00:00:00.000Z' where "identifier" like 'magic-link:%'"#,
        ),
        open(
            "ML: verify an expired link",
            "/magic-link/verify?token={magic-link}&callbackURL=/dash",
        )
        .by(3),
        step("ML: sign-up with a password", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Bob", "email": "bob@example.com", "password": "correct-horse-battery"}))
            .by(4),
        sign_in(
            "ML: sign-in of an unverified user",
            json!({"email": "bob@example.com", "callbackURL": "/dash"}),
        ),
        open(
            "ML: verify an unverified user's link",
            "/magic-link/verify?token={magic-link}&callbackURL=/dash",
        )
        .by(5),
        step(
            "ML: the unverified user's old session",
            Method::GET,
            "/get-session",
            Cookie,
        )
        .by(4),
        step(
            "ML: the unverified user's password",
            Method::POST,
            "/sign-in/email",
            None,
        )
        .json(json!({"email": "bob@example.com", "password": "correct-horse-battery"}))
        .by(6),
    ]
}

#[tokio::test]
async fn the_magic_link_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.magic_link = Some(keyward_server::config::MagicLinkConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["magic-link"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
