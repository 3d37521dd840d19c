//! `client.multi_session()` against both servers: Keyward's multi-session plugin and
//! better-auth's `multiSession` (interop direction A), in cookie mode (the client's own
//! cookie jar, as a browser) and in bearer mode (the jar's multi-session cookies sent
//! with the token).

use keyward_client::wire::{ErrorCode, SessionData};
use keyward_client::{AuthClient, Error, MemoryStore, TokenStore};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{MultiSessionOptions, Peer, PeerKind, PeerOptions, peer_test};

const PASSWORD: &str = "correct-horse-battery";

async fn peer(kind: PeerKind, options: MultiSessionOptions) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["multi-session"],
            multi_session: options,
            ..PeerOptions::default()
        },
    )
    .await
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn emails(sessions: &[SessionData]) -> Vec<String> {
    let mut emails: Vec<String> = sessions.iter().map(|data| data.user.email.clone()).collect();
    emails.sort();
    emails
}

async fn sign_up(client: &AuthClient, name: &str, email: &str) {
    client.sign_up().email(name, email, PASSWORD).await.expect("signs up");
}

fn active_email(client: &AuthClient) -> Option<String> {
    client.session().get().data.map(|data| data.user.email)
}

/// Two accounts on one device: listed, switched, one revoked, then the active one.
async fn two_accounts(client: &AuthClient) {
    sign_up(client, "Ada", "ada@example.com").await;
    let store = client.multi_session().device_sessions();
    let first = store.refetch().await.expect("fetches").expect("a list");
    assert_eq!(emails(&first), ["ada@example.com"]);
    sign_up(client, "Bob", "bob@example.com").await;
    assert_eq!(active_email(client).as_deref(), Some("bob@example.com"));
    let held = store.get().data.expect("the store followed the sign-up");
    assert_eq!(emails(&held), ["ada@example.com", "bob@example.com"]);
    let listed = client.multi_session().list_device_sessions().await.expect("lists");
    assert_eq!(emails(&listed), ["ada@example.com", "bob@example.com"]);
    let ada = listed
        .iter()
        .find(|d| d.user.email == "ada@example.com")
        .expect("Ada")
        .clone();
    let bob = listed
        .iter()
        .find(|d| d.user.email == "bob@example.com")
        .expect("Bob")
        .clone();

    let active = client
        .multi_session()
        .set_active(ada.session.token.clone())
        .await
        .expect("switches");
    assert_eq!(active.user.id, ada.user.id);
    assert_eq!(
        active_email(client).as_deref(),
        Some("ada@example.com"),
        "the session store follows"
    );
    let fetched = client.get_session().await.expect("asks").expect("signed in");
    assert_eq!(fetched.user.email, "ada@example.com");
    assert_eq!(
        code(client.multi_session().set_active("not-a-session-here").await),
        ErrorCode::InvalidSessionToken
    );

    client
        .multi_session()
        .revoke(bob.session.token.clone())
        .await
        .expect("revokes Bob");
    assert_eq!(active_email(client).as_deref(), Some("ada@example.com"));
    let left = client.multi_session().list_device_sessions().await.expect("lists");
    assert_eq!(emails(&left), ["ada@example.com"]);
    assert_eq!(
        emails(&store.get().data.expect("the store followed")),
        ["ada@example.com"]
    );
    assert_eq!(
        code(client.multi_session().set_active(bob.session.token.clone()).await),
        ErrorCode::InvalidSessionToken,
        "a revoked session's cookie is gone"
    );

    client
        .multi_session()
        .revoke(ada.session.token.clone())
        .await
        .expect("revokes the active one");
    assert!(
        !client.session().get().is_signed_in(),
        "the last one signs the device out"
    );
    assert_eq!(client.get_session().await.expect("asks"), None);
}

peer_test! {
    async fn a_cookie_client_holds_switches_and_revokes_accounts(kind) {
        let _record = against_better_auth(kind, &[flows::MULTI_SESSION, flows::MULTI_SESSION_REFUSED, flows::SQLITE]);
        let peer = peer(kind, MultiSessionOptions::default()).await;
        two_accounts(&peer.cookie_client()).await;
    }
}

peer_test! {
    async fn a_bearer_client_holds_switches_and_revokes_accounts(kind) {
        let _record = against_better_auth(kind, &[flows::MULTI_SESSION, flows::SQLITE]);
        let peer = peer(kind, MultiSessionOptions::default()).await;
        two_accounts(&peer.client()).await;
    }
}

peer_test! {
    async fn sign_out_ends_every_account_and_the_maximum_holds(kind) {
        let _record = against_better_auth(kind, &[flows::MULTI_SESSION, flows::MULTI_SESSION_REFUSED, flows::SQLITE]);
        let peer = peer(kind, MultiSessionOptions { maximum_sessions: Some(2) }).await;
        let client = peer.cookie_client();
        sign_up(&client, "Ada", "ada@example.com").await;
        sign_up(&client, "Bob", "bob@example.com").await;
        sign_up(&client, "Cleo", "cleo@example.com").await;
        assert_eq!(active_email(&client).as_deref(), Some("cleo@example.com"), "the third is active");
        let listed = client.multi_session().list_device_sessions().await.expect("lists");
        assert_eq!(emails(&listed), ["ada@example.com", "bob@example.com"], "but not kept");
        let cleo = client.get_session().await.expect("asks").expect("signed in");
        assert_eq!(
            code(client.multi_session().set_active(cleo.session.token).await),
            ErrorCode::InvalidSessionToken
        );
        let ada_elsewhere = peer.cookie_client();
        ada_elsewhere.sign_in().email("ada@example.com", PASSWORD).await.expect("signs in");
        client.sign_out().await.expect("signs out");
        for data in &listed {
            let store = MemoryStore::new();
            store.save(&data.session.token).expect("saves");
            let holder = AuthClient::builder(peer.url()).token_store(store).build().expect("client");
            assert_eq!(holder.restore().await.expect("restores"), None, "every device session ended");
        }
        assert_eq!(client.multi_session().list_device_sessions().await.expect("lists"), []);
        let still = ada_elsewhere.get_session().await.expect("asks").expect("signed in elsewhere");
        assert_eq!(still.user.email, "ada@example.com", "another device's session stays");
    }
}
