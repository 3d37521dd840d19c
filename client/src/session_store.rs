//! The reactive session store: better-auth's `useSession` atom, on `futures-signals`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) {
//! use futures_signals::signal::SignalExt;
//! let session = client.session();
//! let watcher = session.signal().for_each(|state| {
//!     match (&state.data, state.is_pending) {
//!         (_, true) => println!("checking…"),
//!         (Some(data), _) => println!("signed in as {}", data.user.name),
//!         (None, _) => println!("signed out"),
//!     }
//!     async {}
//! });
//! // spawn `watcher` on your executor; it follows every sign-in, update and sign-out.
//! # drop(watcher);
//! # }
//! ```

use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures::FutureExt;
use futures::Stream;
use futures::channel::mpsc;
use futures_signals::signal::{Signal, SignalExt};

use crate::client::AuthClient;
use crate::error::{Error, Result};
use crate::transport::BoxFuture;
use crate::wire::routes as route;
use crate::wire::{EmptyRequest, GetSessionQuery, Session, SessionData, User};

/// What the store knows about the session.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionState {
    /// The signed-in user and session, or `None`.
    pub data: Option<SessionData>,
    /// No answer yet: the session is unknown (neither signed in nor out). Render a
    /// neutral placeholder rather than signed-out content.
    pub is_pending: bool,
    /// A refetch is under way (`data` still holds the previous answer).
    pub is_refetching: bool,
    /// The last refetch failed (the previous data is kept unless it was a `401`).
    pub error: Option<Error>,
}

impl SessionState {
    /// The state before anything is known.
    pub fn initial() -> Self {
        Self {
            data: None,
            is_pending: true,
            is_refetching: false,
            error: None,
        }
    }

    /// Whether someone is signed in.
    pub fn is_signed_in(&self) -> bool {
        self.data.is_some()
    }
}

/// A change of who is signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// Someone signed in (or another user replaced the previous one).
    SignedIn,
    /// The user signed out (or deleted the account, or revoked this session).
    SignedOut,
    /// The same user's profile or session changed.
    Updated,
    /// The server no longer knows the session (expired or revoked elsewhere).
    Expired,
}

/// The session store of a client; see [`AuthClient::session`].
#[derive(Clone, Debug)]
pub struct SessionStore {
    client: AuthClient,
}

impl SessionStore {
    pub(crate) fn new(client: AuthClient) -> Self {
        Self { client }
    }

    /// A snapshot of the current state.
    pub fn get(&self) -> SessionState {
        self.client.inner.state.get_cloned()
    }

    /// The state as a signal: the current value, then every change.
    pub fn signal(&self) -> impl Signal<Item = SessionState> + use<> {
        self.client.inner.state.signal_cloned()
    }

    /// Same as [`SessionStore::signal`] (named after `futures-signals`' method).
    pub fn signal_cloned(&self) -> impl Signal<Item = SessionState> + use<> {
        self.signal()
    }

    /// Only the data, published when it actually changes.
    pub fn data_signal(&self) -> impl Signal<Item = Option<SessionData>> + use<> {
        self.client
            .inner
            .state
            .signal_ref(|state| state.data.clone())
            .dedupe_cloned()
    }

    /// Asks the server again. Calls made while a fetch is under way share its request
    /// (the call joins it, before its future is first polled).
    pub fn refetch(&self) -> impl std::future::Future<Output = Result<Option<SessionData>>> + use<> {
        crate::session_store::fetch(&self.client, true)
    }

    /// Seeds a store that knows nothing yet with a session resolved elsewhere (a server
    /// rendering the page read it from the request's cookie), so the first render needs
    /// no request: better-auth's `hydrateSession`. Returns `false`, changing nothing, once
    /// the store has an answer of its own.
    pub fn hydrate(&self, data: Option<SessionData>) -> bool {
        let mut state = self.client.inner.state.lock_mut();
        if !state.is_pending || state.is_refetching {
            return false;
        }
        *state = SessionState {
            data,
            is_pending: false,
            is_refetching: false,
            error: None,
        };
        true
    }

    /// Changes of who is signed in, from now on.
    pub fn events(&self) -> impl Stream<Item = SessionEvent> + use<> {
        let (sender, receiver) = mpsc::unbounded();
        if let Ok(mut listeners) = self.client.inner.listeners.lock() {
            listeners.push(sender);
        }
        receiver
    }
}

fn emit(client: &AuthClient, event: SessionEvent) {
    if let Ok(mut listeners) = client.inner.listeners.lock() {
        listeners.retain(|sender| sender.unbounded_send(event.clone()).is_ok());
    }
}

fn transition(old: Option<&SessionData>, new: Option<&SessionData>) -> Option<SessionEvent> {
    match (old, new) {
        (None, Some(_)) => Some(SessionEvent::SignedIn),
        (Some(_), None) => Some(SessionEvent::Expired),
        (Some(a), Some(b)) if a.user.id != b.user.id => Some(SessionEvent::SignedIn),
        (Some(a), Some(b)) if a.session != b.session || a.user != b.user => Some(SessionEvent::Updated),
        _ => None,
    }
}

/// Publishes new data (keeping the old value when it is equal, so nothing is re-published
/// for an unchanged session) and emits the matching event.
fn publish(client: &AuthClient, data: Option<SessionData>, error: Option<Error>, event: Option<SessionEvent>) {
    let mut data = data;
    if let Some(data) = data.as_mut() {
        data.needs_refresh = None;
    }
    let (old, changed_event) = {
        let mut state = client.inner.state.lock_mut();
        let old = state.data.clone();
        let event = event.or_else(|| transition(old.as_ref(), data.as_ref()));
        let new = SessionState {
            data: if old == data { old.clone() } else { data },
            is_pending: false,
            is_refetching: false,
            error,
        };
        if *state != new {
            *state = new;
        }
        (old, event)
    };
    drop(old);
    if let Some(event) = changed_event {
        emit(client, event);
    }
}

/// A mutation's answer is newer than any fetch still under way: such a fetch must not
/// overwrite it when it lands, and later refetches must not join it.
fn supersede_fetches(client: &AuthClient) {
    client.inner.epoch.fetch_add(1, Ordering::AcqRel);
    if let Ok(mut inflight) = client.inner.inflight.lock() {
        *inflight = None;
    }
}

/// Signed out: no data, no error.
pub(crate) fn apply_signed_out(client: &AuthClient, event: Option<SessionEvent>) {
    supersede_fetches(client);
    let was_signed_in = client.inner.state.lock_ref().data.is_some();
    publish(
        client,
        None,
        None,
        if was_signed_in {
            event.or(Some(SessionEvent::Expired))
        } else {
            None
        },
    );
}

/// A mutating call's answer already holds the new session data.
pub(crate) fn apply_data(client: &AuthClient, data: SessionData) {
    supersede_fetches(client);
    publish(client, Some(data), None, None);
}

/// The answer holds a new user for the current session.
pub(crate) fn apply_user(client: &AuthClient, user: User) {
    let current = client.inner.state.lock_ref().data.clone();
    if let Some(mut data) = current {
        data.user = user;
        apply_data(client, data);
    }
}

/// The answer holds the updated current session.
pub(crate) fn apply_session(client: &AuthClient, session: Session) {
    let current = client.inner.state.lock_ref().data.clone();
    if let Some(mut data) = current {
        data.session = session;
        apply_data(client, data);
    }
}

/// `GET /get-session` with `query`, following `needsRefresh` with `POST /get-session`.
pub(crate) async fn request_session(client: &AuthClient, query: GetSessionQuery) -> Result<Option<SessionData>> {
    let query = query.to_query_string();
    let data = client.get_route::<route::GetSession>(Some(&query)).await?;
    if data.as_ref().and_then(|d| d.needs_refresh) == Some(true) {
        return client
            .post_route::<route::RefreshSession>(Some(&query), &EmptyRequest {})
            .await;
    }
    Ok(data)
}

/// Applies a session answer to the store.
pub(crate) fn apply_result(client: &AuthClient, result: &Result<Option<SessionData>>) {
    match result {
        Ok(Some(data)) => publish(client, Some(data.clone()), None, None),
        Ok(None) => {
            // The server does not know our token (any more): forget it.
            if client.token().ok().flatten().is_some() {
                let _ = client.clear_credentials();
            }
            publish(client, None, None, None);
        }
        Err(error) if error.is_unauthorized() => publish(client, None, Some(error.clone()), None),
        Err(error) => {
            let data = client.inner.state.lock_ref().data.clone();
            publish(client, data, Some(error.clone()), None);
        }
    }
}

async fn run_fetch(client: AuthClient, epoch: u64) -> Result<Option<SessionData>> {
    {
        let mut state = client.inner.state.lock_mut();
        let pending = state.data.is_none() && (state.is_pending || state.error.is_some());
        if !state.is_refetching || state.is_pending != pending {
            state.is_refetching = true;
            state.is_pending = pending;
        }
    }
    let result = request_session(&client, GetSessionQuery::default()).await;
    // A later fetch (after a mutation) supersedes this one: its answer may be stale.
    if client.inner.epoch.load(Ordering::Acquire) == epoch {
        apply_result(&client, &result);
    }
    result
}

/// Fetches the session into the store. With `join`, shares a fetch already under way.
///
/// The fetch is claimed (joined, or started and registered) when this is called, not
/// when the future is first polled: calls made before the first answer lands share one
/// request however their futures are polled later.
pub(crate) fn fetch(
    client: &AuthClient,
    join: bool,
) -> impl std::future::Future<Output = Result<Option<SessionData>>> + use<> {
    let claimed = claim_fetch(client, join);
    let client = client.clone();
    async move {
        let (epoch, future) = claimed?;
        let result = future.await;
        if let Ok(mut inflight) = client.inner.inflight.lock()
            && inflight.as_ref().is_some_and(|(current, _)| *current == epoch)
        {
            *inflight = None;
        }
        result
    }
}

/// Joins the fetch under way (with `join`) or registers a new one.
fn claim_fetch(client: &AuthClient, join: bool) -> Result<(u64, crate::client::SessionFuture)> {
    let mut inflight = client.inner.inflight.lock().map_err(|_| Error::Storage {
        message: "session store lock poisoned".into(),
    })?;
    match inflight.as_ref() {
        Some((epoch, future)) if join => Ok((*epoch, future.clone())),
        _ => {
            let epoch = client.inner.epoch.fetch_add(1, Ordering::AcqRel) + 1;
            let boxed: BoxFuture<'static, Result<Option<SessionData>>> = Box::pin(run_fetch(client.clone(), epoch));
            let shared = boxed.shared();
            *inflight = Some((epoch, shared.clone()));
            Ok((epoch, shared))
        }
    }
}

/// Keeps background refresh state.
#[derive(Debug, Default)]
pub(crate) struct Background {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    last_focus_refetch: std::sync::Mutex<f64>,
    /// Announce session changes to other tabs.
    pub(crate) cross_tab: std::sync::atomic::AtomicBool,
}

/// What runs in the background besides the requests the app makes.
pub(crate) struct BackgroundOptions {
    pub interval: Option<std::time::Duration>,
    pub on_focus: bool,
    pub cross_tab: bool,
}

/// Starts the refetch interval and (in browsers) the focus refetch and the cross-tab
/// listener. Fails when an interval is asked for but there is nothing to run it on.
pub(crate) fn start_background(client: &AuthClient, options: BackgroundOptions) -> Result<()> {
    let BackgroundOptions {
        interval,
        on_focus,
        cross_tab,
    } = options;
    let _ = on_focus;
    client.inner.background.cross_tab.store(cross_tab, Ordering::Relaxed);
    if let Some(every) = interval {
        let weak = Arc::downgrade(&client.inner);
        let tick: BoxFuture<'static, ()> = Box::pin(async move {
            loop {
                sleep(every).await;
                let Some(inner) = weak.upgrade() else {
                    break;
                };
                let client = AuthClient { inner };
                if client.session().get().is_signed_in() {
                    let _ = client.refresh_session(true).await;
                }
            }
        });
        if !spawn(tick) {
            return Err(Error::InvalidRequest {
                message: "refetch_interval needs an executor: build the client inside a tokio runtime (native) or with the `web` feature (browsers)".into(),
            });
        }
    }
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    {
        if on_focus {
            crate::web::listen_for_focus(client);
        }
        if cross_tab {
            crate::web::listen_for_other_tabs(client);
        }
    }
    Ok(())
}

/// What another tab is told (better-auth's `trigger` values).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Broadcast {
    SignOut,
    UpdateUser,
}

impl Broadcast {
    #[cfg_attr(not(all(feature = "web", target_arch = "wasm32")), allow(dead_code))]
    pub(crate) fn trigger(self) -> &'static str {
        match self {
            Broadcast::SignOut => "signout",
            Broadcast::UpdateUser => "updateUser",
        }
    }
}

/// Tells the app's other tabs that the session changed (browsers only; a no-op elsewhere).
pub(crate) fn broadcast(client: &AuthClient, what: Broadcast) {
    if !client.inner.background.cross_tab.load(Ordering::Relaxed) {
        return;
    }
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    crate::web::announce(what);
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    let _ = what;
}

#[cfg(all(feature = "web", target_arch = "wasm32"))]
impl Background {
    /// Whether a focus refetch may run now (at most once per 5 s), recording it if so.
    pub(crate) fn take_focus_slot(&self, now_ms: f64) -> bool {
        let Ok(mut last) = self.last_focus_refetch.lock() else {
            return false;
        };
        if now_ms - *last < 5_000.0 {
            return false;
        }
        *last = now_ms;
        true
    }
}

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub(crate) async fn sleep(duration: std::time::Duration) {
    tokio::time::sleep(duration).await;
}

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub(crate) fn spawn(task: BoxFuture<'static, ()>) -> bool {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(task);
            true
        }
        Err(_) => false,
    }
}

#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub(crate) async fn sleep(duration: std::time::Duration) {
    gloo_timers::future::sleep(duration).await;
}

#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub(crate) fn spawn(task: BoxFuture<'static, ()>) -> bool {
    wasm_bindgen_futures::spawn_local(task);
    true
}

#[cfg(not(any(
    all(feature = "native", not(target_arch = "wasm32")),
    all(feature = "web", target_arch = "wasm32")
)))]
pub(crate) async fn sleep(_: std::time::Duration) {
    futures::future::pending::<()>().await;
}

#[cfg(not(any(
    all(feature = "native", not(target_arch = "wasm32")),
    all(feature = "web", target_arch = "wasm32")
)))]
pub(crate) fn spawn(task: BoxFuture<'static, ()>) -> bool {
    drop(task);
    false
}
