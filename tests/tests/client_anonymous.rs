//! `client.sign_in().anonymous()` and `client.anonymous()` against both servers: Keyward's
//! anonymous plugin and better-auth's `anonymous` (interop direction A). Links are read
//! from the outbox, where both servers' `onLinkAccount` write them.

use keyward_client::wire::ErrorCode;
use keyward_client::{AuthClient, Error};
use keyward_server::args;
use keyward_server::db::{Db, Exec};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{AnonymousOptions, Peer, PeerKind, PeerOptions, peer_test};

const PASSWORD: &str = "correct-horse-battery";

async fn peer(kind: PeerKind, plugins: Vec<&'static str>, options: AnonymousOptions) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins,
            anonymous: options,
            ..PeerOptions::default()
        },
    )
    .await
}

/// `isAnonymous` of user `id` as stored, `None` when the row is gone.
async fn stored_flag(db: &Db, id: &str) -> Option<bool> {
    let mut db = db.clone();
    db.fetch_all(
        r#"select "isAnonymous" from "user" where "id" = $1"#,
        args![id.to_owned()],
    )
    .await
    .expect("reads the user table")
    .first()
    .map(|row| row.bool("isAnonymous").expect("isAnonymous"))
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The newest link the server recorded for the new user `email`: (anonymous, new) ids.
async fn link_of(peer: &Peer, email: &str) -> (String, String) {
    let link = peer.email("anonymous-link", email).await;
    let id = |key: &str| link[key].as_str().expect("an id").to_owned();
    (id("anonymousUserId"), id("newUserId"))
}

async fn guest(client: &AuthClient) -> String {
    let guest = client.sign_in().anonymous().await.expect("signs in anonymously");
    assert!(guest.user.is_anonymous());
    guest.user.id
}

peer_test! {
    async fn a_guest_signs_up_and_is_linked(kind) {
        let _record = against_better_auth(kind, &[flows::ANONYMOUS, flows::ANONYMOUS_REFUSED, flows::SQLITE]);
        let peer = peer(kind, vec!["anonymous"], AnonymousOptions::default()).await;
        let db = peer.db().await;
        let client = peer.client();
        let guest = client.sign_in().anonymous().await.expect("signs in anonymously");
        assert_eq!(guest.user.name, "Anonymous");
        assert!(!guest.user.email_verified);
        let (local, domain) = guest.user.email.split_once('@').expect("an address");
        assert_eq!(domain, "anonymous.placeholder.invalid");
        assert_eq!((local.len(), local.to_lowercase()), (32, local.to_owned()));
        assert_ne!(local, guest.user.id.to_lowercase(), "the address has its own id");
        let stored = client.token().expect("token").expect("a bearer token is kept");
        assert!(stored.expose().starts_with(guest.token.expose()), "the signed form of the token");
        let session = client.session().get().data.expect("the store is signed in");
        assert!(session.user.is_anonymous());
        assert_eq!(stored_flag(&db, &guest.user.id).await, Some(true));

        assert_eq!(
            code(client.sign_in().anonymous().await),
            ErrorCode::AnonymousUsersCannotSignInAgainAnonymously
        );
        assert_eq!(
            code(client.anonymous().sign_in().await),
            ErrorCode::AnonymousUsersCannotSignInAgainAnonymously
        );

        let ada = client
            .sign_up()
            .email("Ada", "ada@example.com", PASSWORD)
            .await
            .expect("signs up from the guest session");
        let ada_id = ada.user.id.clone();
        assert!(!ada.user.is_anonymous());
        assert_eq!(link_of(&peer, "ada@example.com").await, (guest.user.id.clone(), ada_id.clone()));
        assert_eq!(stored_flag(&db, &guest.user.id).await, None, "the guest is deleted");
        let now = client.session().get().data.expect("signed in");
        assert_eq!(now.user.id, ada_id);

        // A regular user may not delete themselves as a guest.
        assert_eq!(code(client.anonymous().delete_anonymous_user().await), ErrorCode::UserIsNotAnonymous);
        assert!(client.session().get().is_signed_in(), "a refusal keeps the session");
    }
}

peer_test! {
    async fn a_cookie_guest_signs_in_and_another_deletes_themselves(kind) {
        let _record = against_better_auth(kind, &[flows::ANONYMOUS, flows::ANONYMOUS_REFUSED, flows::SQLITE]);
        let peer = peer(kind, vec!["anonymous"], AnonymousOptions::default()).await;
        let db = peer.db().await;
        peer.client()
            .sign_up()
            .email("Ada", "ada@example.com", PASSWORD)
            .await
            .expect("signs up");
        let browser = peer.cookie_client();
        let guest_id = guest(&browser).await;
        let wrong = browser.sign_in().email("ada@example.com", "not-the-password").await;
        assert_eq!(code(wrong), ErrorCode::InvalidEmailOrPassword);
        assert_eq!(stored_flag(&db, &guest_id).await, Some(true), "a failed sign-in links nothing");
        let ada = browser
            .sign_in()
            .email("ada@example.com", PASSWORD)
            .await
            .expect("signs in")
            .into_signed_in()
            .expect("no second factor");
        assert_eq!(link_of(&peer, "ada@example.com").await, (guest_id.clone(), ada.user.id.clone()));
        assert_eq!(stored_flag(&db, &guest_id).await, None);

        let leaving = peer.cookie_client();
        let leaving_id = guest(&leaving).await;
        let deleted = leaving.anonymous().delete_anonymous_user().await.expect("deletes");
        assert!(deleted.success);
        assert!(!leaving.session().get().is_signed_in());
        assert_eq!(leaving.get_session().await.expect("asks"), None, "the cookie is gone");
        assert_eq!(stored_flag(&db, &leaving_id).await, None);
        assert_eq!(
            code(leaving.anonymous().delete_anonymous_user().await),
            ErrorCode::Unauthorized,
            "signed out"
        );
    }
}

peer_test! {
    async fn a_domain_and_disabled_deletion_keep_guests(kind) {
        let _record = against_better_auth(kind, &[flows::ANONYMOUS, flows::ANONYMOUS_REFUSED, flows::SQLITE]);
        let options = AnonymousOptions {
            email_domain_name: Some("guests.example.com".into()),
            disable_delete: true,
        };
        let peer = peer(kind, vec!["anonymous"], options).await;
        let db = peer.db().await;
        let client = peer.client();
        let guest = client.sign_in().anonymous().await.expect("signs in");
        let email = &guest.user.email;
        assert!(email.starts_with("temp-") && email.ends_with("@guests.example.com"), "{email}");
        assert_eq!(
            code(client.anonymous().delete_anonymous_user().await),
            ErrorCode::DeleteAnonymousUserDisabled
        );
        let ada = client
            .sign_up()
            .email("Ada", "ada@example.com", PASSWORD)
            .await
            .expect("signs up");
        assert_eq!(link_of(&peer, "ada@example.com").await, (guest.user.id.clone(), ada.user.id));
        assert_eq!(stored_flag(&db, &guest.user.id).await, Some(true), "the guest stays");
    }
}

peer_test! {
    async fn a_magic_link_opened_by_a_guest_links_them(kind) {
        let _record = against_better_auth(kind, &[flows::ANONYMOUS, flows::MAGIC_LINK, flows::SQLITE]);
        let peer = peer(kind, vec!["anonymous", "magic-link"], AnonymousOptions::default()).await;
        let db = peer.db().await;
        let client = peer.client();
        let guest_id = guest(&client).await;
        client.magic_link().sign_in("ada@example.com").await.expect("asks for a link");
        let sent = peer.email("magic-link", "ada@example.com").await;
        let token = sent["token"].as_str().expect("a token").to_owned();
        let ada = client.magic_link().verify(token).await.expect("verifies");
        assert_eq!(link_of(&peer, "ada@example.com").await, (guest_id.clone(), ada.user.id));
        assert_eq!(stored_flag(&db, &guest_id).await, None);
    }
}

peer_test! {
    async fn a_passkey_sign_in_by_a_guest_links_them(kind) {
        let _record = against_better_auth(kind, &[flows::ANONYMOUS, flows::PASSKEY_SIGN_IN]);
        let peer = peer(kind, vec!["anonymous", "passkey"], AnonymousOptions::default()).await;
        let db = peer.db().await;
        // Ada registers a passkey on her own device's authenticator.
        let device = std::sync::Arc::new(keyward_client::authenticator::SoftAuthenticator::new(peer.passkey_origin()));
        let owner = peer.client_with_authenticator(device.clone());
        let ada = owner.sign_up().email("Ada", "ada@example.com", PASSWORD).await.expect("signs up");
        owner.passkey().add_passkey().name("Laptop").await.expect("registers");

        // A guest on the same device signs in with it: the guest is linked, then deleted.
        let client = peer.client_with_authenticator(device);
        let guest_id = guest(&client).await;
        let signed_in = client.sign_in().passkey().await.expect("signs in with the passkey");
        assert_eq!(signed_in.user.id, ada.user.id);
        assert_eq!(link_of(&peer, "ada@example.com").await, (guest_id.clone(), ada.user.id));
        assert_eq!(stored_flag(&db, &guest_id).await, None);
    }
}
