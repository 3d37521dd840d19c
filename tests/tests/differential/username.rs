//! The username plugin's endpoints in the differential check: usernames on sign-up
//! (normalised, derived from a display username, taken, too short, too long, malformed,
//! not a string), `/is-username-available`, `/sign-in/username` (casings, callback URL,
//! wrong and malformed credentials) and usernames on update-user (own, taken, signed out).

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let password = "correct-horse-battery";
    let sign_up = |name: &'static str, email: &str, extra: Value| {
        let mut body = json!({"name": "User", "email": email, "password": password});
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        step(name, Method::POST, "/sign-up/email", None).json(body)
    };
    let available = |name: &'static str, body: Value| {
        step(name, Method::POST, "/is-username-available", None)
            .json(body)
            .by(5)
    };
    let sign_in = |name: &'static str, body: Value| step(name, Method::POST, "/sign-in/username", None).json(body);
    let update = |name: &'static str, credential: Credential, body: Value| {
        step(name, Method::POST, "/update-user", credential).json(body)
    };
    vec![
        sign_up(
            "Username: sign-up",
            "ada@example.com",
            json!({"username": "Ada_Lovelace"}),
        ),
        sign_up(
            "Username: sign-up with a taken username in another casing",
            "eve@example.com",
            json!({"username": "ADA_LOVELACE"}),
        )
        .by(4),
        sign_up(
            "Username: sign-up with a short username",
            "eve@example.com",
            json!({"username": "ab"}),
        )
        .by(4),
        sign_up(
            "Username: sign-up with a long username",
            "eve@example.com",
            json!({"username": "a".repeat(31)}),
        )
        .by(4),
        sign_up(
            "Username: sign-up with a malformed username",
            "eve@example.com",
            json!({"username": "ada lovelace"}),
        )
        .by(4),
        sign_up(
            "Username: sign-up with a number as the username",
            "eve@example.com",
            json!({"username": 12345}),
        )
        .by(4),
        sign_up(
            "Username: sign-up with a display username only",
            "bob@example.com",
            json!({"displayUsername": "Bob.Builder"}),
        )
        .by(1),
        sign_up(
            "Username: sign-up with a display username that is no username",
            "cy@example.com",
            json!({"displayUsername": "Cy the Cyclist"}),
        )
        .by(2),
        sign_up(
            "Username: sign-up with both",
            "dee@example.com",
            json!({"username": "Dee", "displayUsername": "D.E.E."}),
        )
        .by(3),
        available(
            "Username: available, taken in another casing",
            json!({"username": "Ada_LOVELACE"}),
        ),
        available("Username: available, free", json!({"username": "someone_else"})),
        available("Username: available, short", json!({"username": "ab"})),
        available("Username: available, long", json!({"username": "b".repeat(31)})),
        available("Username: available, malformed", json!({"username": "a b c"})),
        available("Username: available, empty", json!({"username": ""})),
        available("Username: available without a username", json!({})),
        available("Username: available with a number", json!({"username": 5})),
        sign_in(
            "Username: sign-in",
            json!({"username": "ada_lovelace", "password": password}),
        )
        .by(6),
        sign_in(
            "Username: sign-in in another casing, with a callback URL, not remembered",
            json!({"username": "ADA_LOVELACE", "password": password, "callbackURL": "/home", "rememberMe": false}),
        )
        .by(7),
        sign_in(
            "Username: sign-in with a wrong password",
            json!({"username": "ada_lovelace", "password": "wrong-password-1"}),
        )
        .by(5),
        sign_in(
            "Username: sign-in with an unknown username",
            json!({"username": "nobody", "password": password}),
        )
        .by(5),
        sign_in(
            "Username: sign-in with an empty password",
            json!({"username": "ada_lovelace", "password": ""}),
        )
        .by(5),
        sign_in(
            "Username: sign-in with a short username",
            json!({"username": "ab", "password": password}),
        )
        .by(5),
        sign_in(
            "Username: sign-in with a malformed username",
            json!({"username": "ada@example.com", "password": password}),
        )
        .by(5),
        sign_in(
            "Username: sign-in without a password",
            json!({"username": "ada_lovelace"}),
        )
        .by(5),
        sign_in(
            "Username: sign-in with a long password",
            json!({"username": "ada_lovelace", "password": "p".repeat(200)}),
        )
        .by(5),
        update(
            "Username: update-user to a new username",
            Cookie,
            json!({"username": "Countess"}),
        ),
        update(
            "Username: update-user to their own in another casing",
            Cookie,
            json!({"username": "COUNTESS", "displayUsername": "The Countess"}),
        ),
        step(
            "Username: get-session after the updates",
            Method::GET,
            "/get-session",
            Cookie,
        ),
        update(
            "Username: update-user to a taken username",
            Cookie,
            json!({"username": "bob.builder"}),
        ),
        update(
            "Username: update-user to a short username",
            Cookie,
            json!({"username": "x"}),
        ),
        update(
            "Username: update-user, the display username only",
            Cookie,
            json!({"displayUsername": "Ada!"}),
        ),
        update(
            "Username: update-user by bearer to their own username",
            Bearer,
            json!({"username": "countess"}),
        ),
        update(
            "Username: update-user signed out to a taken username",
            None,
            json!({"username": "countess"}),
        )
        .by(5),
        update(
            "Username: update-user signed out to a free username",
            None,
            json!({"username": "free_name"}),
        )
        .by(5),
        sign_in(
            "Username: sign-in with the new username",
            json!({"username": "Countess", "password": password}),
        )
        .by(8),
        sign_in(
            "Username: sign-in with the old username",
            json!({"username": "ada_lovelace", "password": password}),
        )
        .by(8),
    ]
}

#[tokio::test]
async fn the_username_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.username = Some(keyward_server::config::UsernameConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["username"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
