//! `client.username()` and the username setters of sign-up and update-user against both
//! servers: Keyward's username plugin and better-auth's `username` (interop direction A).

use keyward_client::wire::{ErrorCode, SignInOutcome, User};
use keyward_client::{AuthClient, Error};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{Peer, PeerKind, PeerOptions, UsernameOptions, peer_test};
use serde_json::Value;

const PASSWORD: &str = "correct-horse-battery";

async fn peer(kind: PeerKind, options: UsernameOptions) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["username"],
            username: options,
            ..PeerOptions::default()
        },
    )
    .await
}

/// A user field as text.
fn field<'a>(user: &'a User, name: &str) -> Option<&'a str> {
    user.additional.get(name).and_then(Value::as_str)
}

/// Status and code of a refused call.
fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, ErrorCode) {
    match result {
        Err(Error::Api { status, code, .. }) => (status, code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn signed_in(client: &AuthClient, username: &str) -> User {
    match client.username().sign_in(username, PASSWORD).await.expect("signs in") {
        SignInOutcome::SignedIn(response) => response.user,
        other => panic!("no second factor here: {other:?}"),
    }
}

peer_test! {
    async fn a_username_signs_in_and_changes(kind) {
        let _record = against_better_auth(kind, &[flows::USERNAME, flows::SQLITE]);
        let peer = peer(kind, UsernameOptions::default()).await;
        let browser = peer.client();
        assert!(browser.username().is_available("Ada_Lovelace").await.expect("asks"));
        let created = browser
            .sign_up()
            .email("Ada", "ada@example.com", PASSWORD)
            .username("Ada_Lovelace")
            .await
            .expect("signs up");
        assert_eq!(field(&created.user, "username"), Some("ada_lovelace"), "stored lowercase");
        assert_eq!(field(&created.user, "displayUsername"), Some("Ada_Lovelace"), "shown as typed");
        for name in ["ada_lovelace", "ADA_LOVELACE"] {
            assert!(!browser.username().is_available(name).await.expect("asks"), "{name}");
        }

        // Another client, bearer mode, in another casing.
        let native = peer.client();
        let user = signed_in(&native, "ADA_LOVELACE").await;
        assert_eq!(user.email, "ada@example.com");
        assert!(native.token().expect("token").is_some(), "the token is stored");
        let stored = native.session().get().data.expect("the session store follows");
        assert_eq!(field(&stored.user, "username"), Some("ada_lovelace"));
        // And a cookie client, with a callback URL and a browser-session cookie.
        let cookies = peer.cookie_client();
        let outcome = cookies
            .username()
            .sign_in("ada_lovelace", PASSWORD)
            .callback_url("/dashboard")
            .remember_me(false)
            .await
            .expect("signs in");
        let SignInOutcome::SignedIn(response) = outcome else {
            panic!("signed in")
        };
        assert!(response.redirect);
        assert_eq!(response.url.as_deref(), Some("/dashboard"));
        assert_eq!(cookies.get_session().await.expect("asks").expect("signed in").user.email, "ada@example.com");

        // Update-user: a new username (and display username); the old one is free again.
        native
            .user()
            .update()
            .username("Countess")
            .display_username("The Countess")
            .await
            .expect("updates");
        let stored = native.session().get().data.expect("signed in");
        assert_eq!(field(&stored.user, "username"), Some("countess"));
        assert_eq!(field(&stored.user, "displayUsername"), Some("The Countess"));
        assert!(native.username().is_available("ada_lovelace").await.expect("asks"));
        let again = signed_in(&peer.client(), "Countess").await;
        assert_eq!(again.id, user.id);
        // Their own username in another casing is theirs, not taken. better-auth's hook
        // looks for the session before the bearer plugin's hook has turned the token into
        // a cookie, so a bearer client is refused there; a cookie client is not.
        let own = native.user().update().username("COUNTESS").await;
        match kind {
            PeerKind::Keyward => own.expect("updates"),
            PeerKind::BetterAuth => assert_eq!(refusal(own), (400, ErrorCode::UsernameIsAlreadyTaken)),
        }
        let browser_session = peer.cookie_client();
        browser_session.username().sign_in("countess", PASSWORD).await.expect("signs in");
        browser_session.user().update().username("COUNTESS").await.expect("updates");

        // A display username alone, valid as a username, is the username too.
        let bob = peer.client();
        let created = bob
            .sign_up()
            .email("Bob", "bob@example.com", PASSWORD)
            .display_username("Bob.Builder")
            .await
            .expect("signs up");
        assert_eq!(field(&created.user, "username"), Some("bob.builder"));
        assert_eq!(field(&created.user, "displayUsername"), Some("Bob.Builder"));
        // Not valid as a username: no username at all.
        let cy = peer.client();
        let created = cy
            .sign_up()
            .email("Cy", "cy@example.com", PASSWORD)
            .display_username("Cy the Cyclist")
            .await
            .expect("signs up");
        assert_eq!(field(&created.user, "username"), None);
        assert_eq!(field(&created.user, "displayUsername"), Some("Cy the Cyclist"));
    }
}

peer_test! {
    async fn taken_invalid_and_wrong_usernames_are_refused(kind) {
        let _record = against_better_auth(kind, &[flows::USERNAME_REFUSED, flows::ERRORS]);
        let peer = peer(kind, UsernameOptions::default()).await;
        let ada = peer.client();
        ada.sign_up()
            .email("Ada", "ada@example.com", PASSWORD)
            .username("ada")
            .await
            .expect("signs up");

        let eve = peer.client();
        let long = "e".repeat(31);
        for (name, code) in [
            ("ADA", ErrorCode::UsernameIsAlreadyTaken),
            ("ad", ErrorCode::UsernameTooShort),
            (long.as_str(), ErrorCode::UsernameTooLong),
            ("not valid", ErrorCode::InvalidUsername),
        ] {
            let refused = eve.sign_up().email("Eve", "eve@example.com", PASSWORD).username(name).await;
            assert_eq!(refusal(refused), (400, code), "{name}");
        }
        assert!(!eve.session().get().is_signed_in());

        let signed_out = peer.client();
        for (name, password) in [("ada", "wrong-password-1"), ("nobody", PASSWORD)] {
            let refused = signed_out.username().sign_in(name, password).await;
            assert_eq!(refusal(refused), (401, ErrorCode::InvalidUsernameOrPassword), "{name}");
        }
        assert!(signed_out.token().expect("token").is_none(), "a refused sign-in stores nothing");
        for (name, code) in [("ad", ErrorCode::UsernameTooShort), ("a d a", ErrorCode::InvalidUsername)] {
            let refused = signed_out.username().sign_in(name, PASSWORD).await;
            assert_eq!(refusal(refused), (422, code.clone()), "{name}");
            let refused = signed_out.username().is_available(name).await;
            assert_eq!(refusal(refused), (422, code), "{name}");
        }
        let refused = signed_out.username().is_available("").await;
        assert_eq!(refusal(refused), (422, ErrorCode::InvalidUsername));

        let bob = peer.client();
        bob.sign_up()
            .email("Bob", "bob@example.com", PASSWORD)
            .username("bob")
            .await
            .expect("signs up");
        let refused = bob.user().update().username("Ada").await;
        assert_eq!(refusal(refused), (400, ErrorCode::UsernameIsAlreadyTaken));
        let refused = bob.user().update().username("b").await;
        assert_eq!(refusal(refused), (400, ErrorCode::UsernameTooShort));
        assert_eq!(signed_in(&peer.client(), "bob").await.email, "bob@example.com", "unchanged");
    }
}

peer_test! {
    async fn options_are_honoured_alike(kind) {
        let _record = against_better_auth(kind, &[flows::USERNAME_REFUSED]);
        let options = UsernameOptions {
            min_length: Some(5),
            max_length: Some(10),
            immutable: true,
        };
        let peer = peer(kind, options).await;
        let ada = peer.cookie_client();
        let refused = ada.sign_up().email("Ada", "ada@example.com", PASSWORD).username("abcd").await;
        assert_eq!(refusal(refused), (400, ErrorCode::UsernameTooShort));
        let refused = ada.sign_up().email("Ada", "ada@example.com", PASSWORD).username("abcdefghijk").await;
        assert_eq!(refusal(refused), (400, ErrorCode::UsernameTooLong));
        ada.sign_up()
            .email("Ada", "ada@example.com", PASSWORD)
            .username("Lovelace")
            .await
            .expect("signs up");
        let refused = ada.user().update().username("countess").await;
        assert_eq!(refusal(refused), (400, ErrorCode::UsernameIsImmutable));
        ada.user().update().username("LOVELACE").await.expect("the same username is no change");
        // A bearer client: better-auth's hook finds no session (it runs before the bearer
        // plugin's hook has made the cookie), so the username is not immutable there;
        // Keyward holds to the rule whichever way the session arrives.
        let bearer = peer.client();
        bearer.username().sign_in("lovelace", PASSWORD).await.expect("signs in");
        let changed = bearer.user().update().username("countess").await;
        match kind {
            PeerKind::Keyward => assert_eq!(refusal(changed), (400, ErrorCode::UsernameIsImmutable)),
            PeerKind::BetterAuth => changed.expect("better-auth lets the bearer client through"),
        }
        let refused = ada.username().sign_in("abcd", PASSWORD).await;
        assert_eq!(refusal(refused), (422, ErrorCode::UsernameTooShort));
        // A user without a username may still set one.
        let bob = peer.client();
        bob.sign_up().email("Bob", "bob@example.com", PASSWORD).await.expect("signs up");
        bob.user().update().username("builder").await.expect("a first username");
        assert_eq!(signed_in(&peer.client(), "Builder").await.email, "bob@example.com");
    }
}
