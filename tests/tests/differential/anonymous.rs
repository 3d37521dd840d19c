//! The anonymous plugin's endpoints in the differential check: `/sign-in/anonymous`
//! (signed out, as a guest by cookie and bearer, with odd bodies, as a regular user),
//! `/delete-anonymous-user` (signed out, as a regular user, by bearer, by cookie, from an
//! untrusted origin) and the link of a guest who signs up or in by email (and of one
//! whose sign-in or sign-up fails, who stays a guest).

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let password = "correct-horse-battery";
    let anonymous = |name: &'static str, actor: usize, credential: Credential| {
        step(name, Method::POST, "/sign-in/anonymous", credential).by(actor)
    };
    let delete = |name: &'static str, actor: usize, credential: Credential| {
        step(name, Method::POST, "/delete-anonymous-user", credential)
            .json(json!({}))
            .by(actor)
    };
    let session = |name: &'static str, actor: usize| step(name, Method::GET, "/get-session", Cookie).by(actor);
    vec![
        anonymous("Anonymous: sign-in", 1, None),
        session("Anonymous: the guest's session", 1),
        anonymous("Anonymous: sign-in again by cookie", 1, Cookie),
        anonymous("Anonymous: sign-in again by bearer", 1, Bearer),
        anonymous("Anonymous: sign-in again by the unsigned bearer", 1, BearerUnsigned),
        anonymous("Anonymous: sign-in with a JSON body", 2, None)
            .json(json!({"name": "Mallory", "isAnonymous": false})),
        anonymous("Anonymous: sign-in with malformed JSON", 3, None).raw("application/json", b"{bad"),
        anonymous("Anonymous: sign-in as text/plain", 3, None).raw("text/plain", b"hello"),
        anonymous("Anonymous: sign-in with an empty JSON object", 3, None).json(json!({})),
        delete("Anonymous: delete-anonymous-user signed out", 0, None),
        step(
            "Anonymous: sign-up from the guest session",
            Method::POST,
            "/sign-up/email",
            Cookie,
        )
        .json(json!({"name": "Ada", "email": "ada@example.com", "password": password}))
        .by(1),
        session("Anonymous: the session after the link", 1),
        delete("Anonymous: delete-anonymous-user as a regular user", 1, Cookie),
        anonymous("Anonymous: sign-in as a regular user", 1, Cookie),
        step(
            "Anonymous: sign-in with a wrong password from a guest session",
            Method::POST,
            "/sign-in/email",
            Cookie,
        )
        .json(json!({"email": "ada@example.com", "password": "wrong-password-here"}))
        .by(2),
        session("Anonymous: still a guest after the failed sign-in", 2),
        step(
            "Anonymous: sign-up with a taken email from a guest session",
            Method::POST,
            "/sign-up/email",
            Cookie,
        )
        .json(json!({"name": "Ada", "email": "ada@example.com", "password": password}))
        .by(2),
        session("Anonymous: still a guest after the failed sign-up", 2),
        step(
            "Anonymous: sign-in by email from a guest session",
            Method::POST,
            "/sign-in/email",
            Bearer,
        )
        .json(json!({"email": "ada@example.com", "password": password}))
        .by(2),
        session("Anonymous: the session after the sign-in link", 2),
        delete(
            "Anonymous: delete-anonymous-user from an untrusted origin",
            3,
            CookieFromEvil,
        ),
        delete("Anonymous: delete-anonymous-user by bearer", 3, Bearer),
        session("Anonymous: the deleted guest's session", 3),
        delete("Anonymous: delete-anonymous-user again", 3, Bearer),
        anonymous("Anonymous: another guest", 4, None),
        delete("Anonymous: delete-anonymous-user by cookie", 4, Cookie),
        step(
            "Anonymous: sign-in by email after deletion",
            Method::POST,
            "/sign-in/email",
            Cookie,
        )
        .json(json!({"email": "ada@example.com", "password": password}))
        .by(4),
    ]
}

#[tokio::test]
async fn the_anonymous_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.anonymous = Some(keyward_server::config::AnonymousConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["anonymous"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
