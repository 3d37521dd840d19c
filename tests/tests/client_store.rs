//! The reactive session store against a real Keyward server: what subscribers see, and
//! how many requests it costs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use futures_signals::signal::SignalExt;
use keyward_client::wire::SessionToken;
use keyward_client::{Error, MemoryStore, SessionEvent, SessionState, TokenStore};
use keyward_server::db::{Arg, Exec};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{Database, Peer, PeerOptions, SharedStore, TestServer, peer_test};

const PASSWORD: &str = "correct-horse-battery";

/// Records every state a subscriber of the store's signal sees.
fn record(client: &keyward_client::AuthClient) -> Arc<Mutex<Vec<SessionState>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    tokio::spawn(client.session().signal().for_each(move |state| {
        sink.lock().expect("lock").push(state);
        async {}
    }));
    seen
}

/// A server, and a bearer client signed up on it as Ada.
async fn ada_signed_up() -> (TestServer, keyward_client::AuthClient) {
    let server = TestServer::start().await;
    let client = server.client();
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    (server, client)
}

/// Waits (up to 10 s) until `condition` holds: for effects that land on another task (a
/// subscriber's callback, a server shutting down), checked as they happen instead of
/// after a guessed delay.
async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "waited 10 s for: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The names a recording subscriber saw, in order.
fn names(seen: &Mutex<Vec<SessionState>>) -> Vec<Option<String>> {
    seen.lock()
        .expect("lock")
        .iter()
        .map(|s| s.data.as_ref().map(|d| d.user.name.clone()))
        .collect()
}

/// Waits until nothing answers at `url` any more (a stopped server).
async fn wait_until_gone(url: &url::Url) {
    let address = format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port_or_known_default().expect("port")
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(&address).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{url} still answers 10 s after stopping"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_profile_update_reaches_subscribers_with_one_request() {
    let (server, client) = ada_signed_up().await;
    let seen = record(&client);
    wait_until("the subscriber saw the signed-in state", || {
        names(&seen).last() == Some(&Some("Ada".to_owned()))
    })
    .await;
    server.requests.reset();

    client.user().update().name("Ada Lovelace").await.expect("updates");
    wait_until("the subscriber saw the new name", || {
        names(&seen).last() == Some(&Some("Ada Lovelace".to_owned()))
    })
    .await;
    assert_eq!(server.requests.count("GET", "/get-session"), 1, "exactly one refetch");
    assert_eq!(server.requests.count("POST", "/update-user"), 1);
}

#[tokio::test]
async fn concurrent_refetches_share_one_request() {
    let (server, client) = ada_signed_up().await;
    server.requests.reset();
    let store = client.session();
    let all = futures::future::join_all((0..20).map(|_| {
        let store = store.clone();
        async move { store.refetch().await }
    }))
    .await;
    assert!(
        all.iter()
            .all(|result| matches!(result, Ok(Some(data)) if data.user.name == "Ada"))
    );
    assert_eq!(server.requests.count("GET", "/get-session"), 1);
}

/// A refetch joins the request under way when it is called, not when its future is first
/// polled: refetches called before the answer landed share it even when awaited one
/// after another (the first completes before the others are polled at all).
#[tokio::test]
async fn refetches_called_together_share_one_request_however_they_are_polled() {
    let (server, client) = ada_signed_up().await;
    server.requests.reset();
    let store = client.session();
    let calls: Vec<_> = (0..8).map(|_| store.refetch()).collect();
    for call in calls {
        let data = call.await.expect("refetches").expect("signed in");
        assert_eq!(data.user.name, "Ada");
    }
    assert_eq!(server.requests.count("GET", "/get-session"), 1);
    let again = store.refetch().await.expect("refetches");
    assert!(again.is_some());
    assert_eq!(
        server.requests.count("GET", "/get-session"),
        2,
        "a later call asks again"
    );
}

#[tokio::test]
async fn an_unchanged_session_is_not_republished() {
    let (_server, client) = ada_signed_up().await;
    let changes = Arc::new(Mutex::new(0usize));
    let counter = changes.clone();
    tokio::spawn(client.session().data_signal().for_each(move |_| {
        *counter.lock().expect("lock") += 1;
        async {}
    }));
    let count = || *changes.lock().expect("lock");
    wait_until("the subscriber saw the initial value", || count() == 1).await;
    for _ in 0..3 {
        client.session().refetch().await.expect("refetches");
    }
    // The subscriber runs while each refetch waits for the network, so a republished
    // value would have been counted before the rename's.
    client.user().update().name("New").await.expect("updates");
    wait_until("the subscriber saw the rename", || count() >= 2).await;
    assert_eq!(
        count(),
        2,
        "the initial value and the rename, nothing for the refetches"
    );
}

peer_test! {
async fn sign_out_clears_the_store_and_the_token_store(kind) {
    let _record = against_better_auth(kind, &[flows::SESSION_STORE]);
    let server = Peer::start(kind, PeerOptions::default()).await;
    let store = Arc::new(MemoryStore::new());
    let client = server.client_with(SharedStore(store.clone()));
    client
        .sign_in()
        .email("x@example.com", PASSWORD)
        .await
        .expect_err("no such user");
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    assert!(store.load().expect("loads").is_some());
    let mut events = client.session().events();
    client.sign_out().await.expect("signs out");
    assert_eq!(store.load().expect("loads"), None);
    let state = client.session().get();
    assert_eq!((state.data, state.is_pending, state.error), (None, false, None));
    assert_eq!(events.next().await, Some(SessionEvent::SignedOut));
}
}

peer_test! {
async fn restore_resolves_before_the_first_render(kind) {
    let _record = against_better_auth(kind, &[flows::SESSION_STORE]);
    let server = Peer::start(kind, PeerOptions::default()).await;
    let store = Arc::new(MemoryStore::new());
    let first = server.client_with(SharedStore(store.clone()));
    first
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");

    // A new process: same stored token.
    let restarted = server.client_with(SharedStore(store.clone()));
    let initial = restarted.session().get();
    assert!(
        initial.is_pending && initial.data.is_none(),
        "unknown, not signed out, before restore"
    );
    let restored = restarted.restore().await.expect("restores");
    assert_eq!(restored.map(|d| d.user.email), Some("ada@example.com".to_owned()));
    assert!(!restarted.session().get().is_pending);

    // Revoked elsewhere: restore ends signed out and empties the store.
    first.sessions().revoke_all().await.expect("revokes");
    store
        .save(&SessionToken::new(
            restarted.token().expect("t").expect("token").expose(),
        ))
        .expect("saves");
    let again = server.client_with(SharedStore(store.clone()));
    assert_eq!(again.restore().await.expect("restores"), None);
    assert_eq!(store.load().expect("loads"), None);
    let state = again.session().get();
    assert!(!state.is_pending && state.data.is_none());

    // Nothing stored: signed out without asking (Keyward's request log shows it).
    let asked = |peer: &Peer| match peer {
        Peer::Keyward(keyward) => keyward.requests.count("GET", "/get-session"),
        Peer::BetterAuth(_) => 0,
    };
    let before = asked(&server);
    let fresh = server.client();
    assert_eq!(fresh.restore().await.expect("restores"), None);
    assert_eq!(asked(&server), before, "no request without a stored token");
}
}

peer_test! {
async fn errors_keep_stale_data_but_expiry_clears_it(kind) {
    let _record = against_better_auth(kind, &[flows::SESSION_STORE]);
    let mut server = Peer::start(kind, PeerOptions::default()).await;
    let client = server.client();
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    let mut events = client.session().events();

    // Revoked behind our back: the next refetch reports it.
    let mut db = server.db().await;
    db.execute(r#"delete from "session""#, vec![]).await.expect("deletes");
    assert_eq!(client.session().refetch().await.expect("refetches"), None);
    assert_eq!(events.next().await, Some(SessionEvent::Expired));
    assert_eq!(client.token().expect("token"), None, "a rejected token is forgotten");

    client
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in");
    assert_eq!(events.next().await, Some(SessionEvent::SignedIn));
    server.stop();
    wait_until_gone(&server.url()).await;
    let failed = client.session().refetch().await;
    assert!(matches!(failed, Err(Error::Network { .. })));
    let state = client.session().get();
    assert_eq!(
        state.data.map(|d| d.user.name),
        Some("Ada".to_owned()),
        "stale data is kept"
    );
    assert!(matches!(state.error, Some(Error::Network { .. })));
    assert!(!state.is_refetching);
}
}

peer_test! {
async fn events_follow_the_user(kind) {
    let _record = against_better_auth(kind, &[flows::SESSION_STORE]);
    let server = Peer::start(kind, PeerOptions::default()).await;
    let client = server.client();
    let mut events = client.session().events();
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    client.user().update().name("Ada L.").await.expect("updates");
    client.sign_out().await.expect("signs out");
    client
        .sign_up()
        .email("Bob", "bob@example.com", PASSWORD)
        .await
        .expect("signs up");
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(
            tokio::time::timeout(Duration::from_secs(2), events.next())
                .await
                .expect("event")
                .expect("open"),
        );
    }
    assert_eq!(
        seen,
        [
            SessionEvent::SignedIn,
            SessionEvent::Updated,
            SessionEvent::SignedOut,
            SessionEvent::SignedIn
        ]
    );
}
}

peer_test! {
async fn needs_refresh_triggers_the_follow_up_post(kind) {
    let _record = against_better_auth(kind, &[flows::SESSION_STORE, flows::GET_SESSION]);
    let server = Peer::start(kind, PeerOptions { defer_refresh: true, ..PeerOptions::default() }).await;
    let client = server.client();
    client.sign_up().email("Ada", "ada@example.com", PASSWORD).await.expect("signs up");
    let mut db = server.db().await;
    db.execute(r#"update "session" set "expiresAt" = $1"#, vec![Arg::from(Utc::now() + chrono::Duration::days(5))])
        .await
        .expect("ages");
    if let Peer::Keyward(keyward) = &server {
        keyward.requests.reset();
    }
    let data = client.session().refetch().await.expect("refetches").expect("signed in");
    if let Peer::Keyward(keyward) = &server {
        assert_eq!(keyward.requests.count("GET", "/get-session"), 1);
        assert_eq!(keyward.requests.count("POST", "/get-session"), 1);
    }
    assert!(data.session.expires_at > Utc::now() + chrono::Duration::days(6), "refreshed to seven days");
    assert_eq!(data.needs_refresh, None);
}
}

/// Counts the `GET /get-session` requests one client sends, and how many were answered.
#[derive(Clone)]
struct SessionReadCounter {
    inner: keyward_client::transport::ReqwestTransport,
    sent: Arc<std::sync::atomic::AtomicUsize>,
    answered: Arc<std::sync::atomic::AtomicUsize>,
}

impl SessionReadCounter {
    fn new() -> Self {
        SessionReadCounter {
            inner: keyward_client::transport::ReqwestTransport::new().expect("transport"),
            sent: Arc::default(),
            answered: Arc::default(),
        }
    }

    fn sent(&self) -> usize {
        self.sent.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn answered(&self) -> usize {
        self.answered.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until `more` further reads have been answered.
    async fn wait_for_more(&self, more: usize, what: &str) {
        let target = self.answered() + more;
        wait_until(what, || self.answered() >= target).await;
    }
}

impl keyward_client::transport::Transport for SessionReadCounter {
    fn send(
        &self,
        request: keyward_client::transport::HttpRequest,
    ) -> keyward_client::transport::BoxFuture<
        '_,
        Result<keyward_client::transport::HttpResponse, keyward_client::transport::TransportError>,
    > {
        Box::pin(async move {
            let read = request.method == keyward_client::transport::Method::Get
                && url::Url::parse(&request.url).is_ok_and(|url| url.path().ends_with("/get-session"));
            if read {
                self.sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            let response = self.inner.send(request).await;
            if read {
                self.answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            response
        })
    }
}

/// Polling happens only while signed in. A signed-in client polling at the same interval
/// is the clock: while it polls three times, a signed-out one must not poll at all.
#[tokio::test]
async fn refetch_interval_runs_only_while_signed_in() {
    let server = TestServer::start().await;
    let polling = |reads: &SessionReadCounter| {
        keyward_client::AuthClient::builder(server.url.clone())
            .transport(reads.clone())
            .refetch_interval(Duration::from_millis(100))
            .build()
            .expect("builds")
    };
    let clock_reads = SessionReadCounter::new();
    let clock = polling(&clock_reads);
    clock
        .sign_up()
        .email("Bob", "bob@example.com", PASSWORD)
        .await
        .expect("signs up");
    let reads = SessionReadCounter::new();
    let client = polling(&reads);
    clock_reads.wait_for_more(3, "the clock polled three times").await;
    assert_eq!(reads.sent(), 0, "signed out: no polling");

    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    reads.wait_for_more(3, "the signed-in client polled three times").await;

    client.sign_out().await.expect("signs out");
    // A poll sent while the sign-out was under way may still land: once it has, no other
    // may start, and its answer must not have brought the session back.
    wait_until("every poll sent was answered", || reads.answered() == reads.sent()).await;
    let after_sign_out = reads.sent();
    clock_reads.wait_for_more(3, "the clock polled three more times").await;
    assert_eq!(reads.sent(), after_sign_out, "signed out: polling stopped");
    assert!(
        !client.session().get().is_signed_in(),
        "a late poll does not sign back in"
    );
}

/// Holds every `GET /get-session` answer (after the server gave it, announced on
/// `answered`) while `hold` is set, until `release` is notified: a fetch that lands late.
struct LateSessionReads {
    inner: keyward_client::transport::ReqwestTransport,
    hold: Arc<std::sync::atomic::AtomicBool>,
    answered: Arc<tokio::sync::Notify>,
    release: Arc<tokio::sync::Notify>,
}

impl keyward_client::transport::Transport for LateSessionReads {
    fn send(
        &self,
        request: keyward_client::transport::HttpRequest,
    ) -> keyward_client::transport::BoxFuture<
        '_,
        Result<keyward_client::transport::HttpResponse, keyward_client::transport::TransportError>,
    > {
        Box::pin(async move {
            let held = request.method == keyward_client::transport::Method::Get
                && url::Url::parse(&request.url).is_ok_and(|url| url.path().ends_with("/get-session"))
                && self.hold.load(std::sync::atomic::Ordering::SeqCst);
            let response = self.inner.send(request).await;
            if held {
                self.answered.notify_one();
                self.release.notified().await;
            }
            response
        })
    }
}

/// A refetch answered before a mutation but landing after it must not undo it.
#[tokio::test]
async fn a_fetch_landing_after_a_mutation_does_not_undo_it() {
    let server = TestServer::start().await;
    let hold = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let answered = Arc::new(tokio::sync::Notify::new());
    let release = Arc::new(tokio::sync::Notify::new());
    let client = keyward_client::AuthClient::builder(server.url.clone())
        .transport(LateSessionReads {
            inner: keyward_client::transport::ReqwestTransport::new().expect("transport"),
            hold: hold.clone(),
            answered: answered.clone(),
            release: release.clone(),
        })
        .build()
        .expect("builds");
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");

    // Starts a refetch whose answer is held back until `release` is notified.
    let start_late_fetch = || {
        hold.store(true, std::sync::atomic::Ordering::SeqCst);
        tokio::spawn(client.session().refetch())
    };

    let refetch = start_late_fetch();
    answered.notified().await;
    hold.store(false, std::sync::atomic::Ordering::SeqCst);
    client.user().update().name("Ada Lovelace").await.expect("renames");
    release.notify_one();
    let stale = refetch.await.expect("joins").expect("answered").expect("signed in");
    assert_eq!(stale.user.name, "Ada", "the late answer predates the rename");
    assert_eq!(
        client.session().get().data.expect("signed in").user.name,
        "Ada Lovelace",
        "the store keeps the rename"
    );

    let refetch = start_late_fetch();
    answered.notified().await;
    hold.store(false, std::sync::atomic::Ordering::SeqCst);
    client.sign_out().await.expect("signs out");
    release.notify_one();
    assert!(refetch.await.expect("joins").expect("answered").is_some());
    assert!(!client.session().get().is_signed_in(), "the store stays signed out");
    assert_eq!(client.token().expect("token store"), None);
}

#[test]
fn an_interval_without_a_runtime_is_refused() {
    let built = keyward_client::AuthClient::builder("http://localhost:3000".parse().expect("url"))
        .refetch_interval(Duration::from_secs(60))
        .build();
    assert!(matches!(built, Err(Error::InvalidRequest { .. })));
}

peer_test! {
async fn native_cookie_mode(kind) {
    let _record = against_better_auth(kind, &[flows::COOKIES]);
    let server = Peer::start(kind, PeerOptions::default()).await;
    let client = server.cookie_client();
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    assert_eq!(
        client.token().expect("token").map(|_| ()),
        Some(()),
        "the header token is kept too"
    );
    assert_eq!(client.session().get().data.expect("data").user.name, "Ada");
    // Cookie POSTs carry the server's Origin, so the CSRF check passes.
    client.user().update().name("Cookie Ada").await.expect("updates");
    assert_eq!(client.session().get().data.expect("data").user.name, "Cookie Ada");
    client.sign_out().await.expect("signs out");
    assert_eq!(client.get_session().await.expect("asks"), None);
}
}

#[tokio::test]
async fn works_against_postgres_too() {
    let server = TestServer::start_with(Database::Postgres, |_| {}).await;
    let client = server.client();
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    server.requests.reset();
    client.user().update().name("PG Ada").await.expect("updates");
    assert_eq!(client.session().get().data.expect("data").user.name, "PG Ada");
    assert_eq!(server.requests.count("GET", "/get-session"), 1);
}

#[tokio::test]
async fn two_factor_calls_refresh_the_store_once_each() {
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.two_factor = Some(keyward_server::config::TwoFactorConfig::default())
    })
    .await;
    let client = server.client();
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    let seen = record(&client);
    wait_until("the subscriber saw the signed-in state", || {
        !seen.lock().expect("lock").is_empty()
    })
    .await;
    server.requests.reset();
    let setup = client.two_factor().enable().password(PASSWORD).await.expect("enables");
    assert_eq!(
        server.requests.count("GET", "/get-session"),
        1,
        "one refetch after enable"
    );
    let uri = setup.totp_uri.expect("URI").expose().to_owned();
    client
        .two_factor()
        .verify_totp(keyward_tests::totp::code_from_uri(&uri))
        .await
        .expect("verifies");
    wait_until(
        "the subscriber saw two-factor switch on without a manual refetch",
        || {
            seen.lock().expect("lock").last().is_some_and(|state| {
                state
                    .data
                    .as_ref()
                    .and_then(|data| data.user.additional.get("twoFactorEnabled"))
                    == Some(&serde_json::Value::Bool(true))
            })
        },
    )
    .await;
    assert_eq!(
        server.requests.count("GET", "/get-session"),
        2,
        "one refetch after verify"
    );

    client.sign_out().await.expect("signs out");
    let mut events = client.session().events();
    let outcome = client
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("password accepted");
    assert!(outcome.two_factor_methods().is_some());
    assert!(
        !client.session().get().is_signed_in(),
        "no session during the challenge"
    );
    client
        .two_factor()
        .verify_totp(keyward_tests::totp::code_from_uri(&uri))
        .await
        .expect("signs in");
    assert_eq!(events.next().await, Some(SessionEvent::SignedIn));
    assert!(client.session().get().is_signed_in());
}
