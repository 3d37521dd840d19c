//! The multi-session plugin's endpoints in the differential check: the `_multi-` cookie
//! of every new session (named by its token, masked), `/multi-session/list-device-sessions`
//! (one session, none, after a revoke), `/multi-session/set-active` (a held session, an
//! unknown one, another browser's, no token), `/multi-session/revoke` (signed out, another
//! browser's, a held one, the active one), a second sign-in of the same user, the maximum
//! of five sessions and sign-out ending every device session. Lists of two sessions are
//! left out: their order follows the cookies' order, and the cookies are named by tokens
//! that differ between the servers.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let password = "correct-horse-battery";
    let sign_up = |name: &'static str, actor: usize, credential: Credential, email: &str| {
        step(name, Method::POST, "/sign-up/email", credential)
            .json(json!({"name": "User", "email": email, "password": password}))
            .by(actor)
    };
    let sign_in = |name: &'static str, actor: usize, email: &str| {
        step(name, Method::POST, "/sign-in/email", Cookie)
            .json(json!({"email": email, "password": password}))
            .by(actor)
    };
    let list = |name: &'static str, actor: usize, credential: Credential| {
        step(name, Method::GET, "/multi-session/list-device-sessions", credential).by(actor)
    };
    let post = |name: &'static str, path: &'static str, actor: usize, credential: Credential, token: &str| {
        step(name, Method::POST, path, credential)
            .json(json!({"sessionToken": token}))
            .by(actor)
    };
    let set_active = |name: &'static str, actor: usize, credential: Credential, token: &str| {
        post(name, "/multi-session/set-active", actor, credential, token)
    };
    let revoke = |name: &'static str, actor: usize, credential: Credential, token: &str| {
        post(name, "/multi-session/revoke", actor, credential, token)
    };
    let mut steps = vec![
        sign_up("Multi-session: sign-up", 1, None, "ada@example.com").capture("ada", "/token"),
        list("Multi-session: list-device-sessions", 1, Cookie),
        list("Multi-session: list-device-sessions without cookies", 0, None),
        sign_up(
            "Multi-session: a second user in the same browser",
            1,
            Cookie,
            "bob@example.com",
        )
        .capture("bob", "/token"),
        set_active("Multi-session: set-active", 1, Cookie, "{ada}"),
        step(
            "Multi-session: the session after set-active",
            Method::GET,
            "/get-session",
            Cookie,
        )
        .by(1),
        set_active(
            "Multi-session: set-active of an unknown token",
            1,
            Cookie,
            "unknown-token",
        ),
        step(
            "Multi-session: set-active without a token",
            Method::POST,
            "/multi-session/set-active",
            Cookie,
        )
        .json(json!({}))
        .by(1),
        set_active("Multi-session: set-active from another browser", 2, None, "{ada}"),
        revoke("Multi-session: revoke signed out", 0, None, "{ada}"),
        sign_up("Multi-session: sign-up in another browser", 2, None, "cleo@example.com").capture("cleo", "/token"),
        revoke("Multi-session: revoke another browser's session", 1, Cookie, "{cleo}"),
        revoke("Multi-session: revoke a held session", 1, Cookie, "{bob}"),
        list("Multi-session: list-device-sessions after the revoke", 1, Cookie),
        sign_in("Multi-session: the same user signs in again", 1, "ada@example.com").capture("ada2", "/token"),
        list(
            "Multi-session: list-device-sessions after the second sign-in",
            1,
            Cookie,
        ),
        set_active("Multi-session: set-active of the replaced session", 1, Cookie, "{ada}"),
        revoke("Multi-session: revoke the active and last session", 1, Cookie, "{ada2}"),
        step(
            "Multi-session: the session after the last revoke",
            Method::GET,
            "/get-session",
            Cookie,
        )
        .by(1),
        sign_in("Multi-session: a first user before sign-out", 3, "ada@example.com"),
        sign_in("Multi-session: a second user before sign-out", 3, "cleo@example.com"),
        step("Multi-session: sign-out", Method::POST, "/sign-out", Cookie)
            .json(json!({}))
            .by(3),
        list("Multi-session: list-device-sessions after sign-out", 3, Cookie),
    ];
    for (index, name) in [
        "Multi-session: the first of five",
        "Multi-session: the second of five",
        "Multi-session: the third of five",
        "Multi-session: the fourth of five",
        "Multi-session: the fifth of five",
        "Multi-session: a sixth beyond the maximum",
    ]
    .into_iter()
    .enumerate()
    {
        let email = [
            "u1@example.com",
            "u2@example.com",
            "u3@example.com",
            "u4@example.com",
            "u5@example.com",
            "u6@example.com",
        ][index];
        steps.push(sign_up(name, 4, Cookie, email));
    }
    steps
}

#[tokio::test]
async fn the_multi_session_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.multi_session = Some(keyward_server::config::MultiSessionConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["multi-session"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
