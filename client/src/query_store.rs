//! Reactive stores of one `GET` endpoint each (better-auth's `useAuthQuery` atoms): the
//! organization plugin's active organization, organization list, active member and
//! active member role.
//!
//! A store fetches when first used (`signal`, `get`, `refetch`) and afterwards whenever
//! a call that can change its answer succeeds. Only the newest of overlapping fetches
//! is published; equal answers are not re-published; a `401` clears the data, other
//! errors keep it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_signals::signal::{Mutable, Signal};
use serde::de::DeserializeOwned;

use crate::client::AuthClient;
use crate::error::{Error, Result};
use crate::transport::Method;

/// What a query store knows.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryState<T> {
    /// The last answer (`None` before the first, or when the server answered `null`).
    pub data: Option<T>,
    /// No answer yet.
    pub is_pending: bool,
    /// A fetch is under way (`data` still holds the previous answer).
    pub is_refetching: bool,
    /// The last fetch failed.
    pub error: Option<Error>,
}

impl<T> QueryState<T> {
    fn initial() -> Self {
        Self {
            data: None,
            is_pending: true,
            is_refetching: false,
            error: None,
        }
    }
}

/// One endpoint's store (held by the client; used through a [`QueryHandle`]).
pub(crate) struct QueryStore<T> {
    path: &'static str,
    state: Mutable<QueryState<T>>,
    mounted: AtomicBool,
    latest: AtomicU64,
    /// Serializes fetches so concurrent triggers do not pile up.
    gate: futures::lock::Mutex<()>,
}

impl<T: Clone + PartialEq + DeserializeOwned + Send + Sync + 'static> QueryStore<T> {
    pub(crate) fn new(path: &'static str) -> Self {
        Self {
            path,
            state: Mutable::new(QueryState::initial()),
            mounted: AtomicBool::new(false),
            latest: AtomicU64::new(0),
            gate: futures::lock::Mutex::new(()),
        }
    }

    /// Whether someone uses the store (so triggers refetch it).
    pub(crate) fn is_mounted(&self) -> bool {
        self.mounted.load(Ordering::Acquire)
    }

    pub(crate) fn mount(&self) -> bool {
        !self.mounted.swap(true, Ordering::AcqRel)
    }

    pub(crate) fn get(&self) -> QueryState<T> {
        self.state.get_cloned()
    }

    pub(crate) fn signal(&self) -> impl Signal<Item = QueryState<T>> + use<T> {
        self.state.signal_cloned()
    }

    /// Forgets the answer (signed out): a fetch under way is not published.
    pub(crate) fn clear(&self) {
        self.latest.fetch_add(1, Ordering::AcqRel);
        let mut state = self.state.lock_mut();
        if state.data.is_some() || state.error.is_some() || state.is_refetching {
            *state = QueryState {
                data: None,
                is_pending: false,
                is_refetching: false,
                error: None,
            };
        }
    }

    /// Fetches and publishes; returns the answer.
    pub(crate) async fn refetch(&self, client: &AuthClient) -> Result<Option<T>> {
        self.mounted.store(true, Ordering::Release);
        let id = self.latest.fetch_add(1, Ordering::AcqRel) + 1;
        let _turn = self.gate.lock().await;
        {
            let mut state = self.state.lock_mut();
            state.is_pending = state.data.is_none();
            state.is_refetching = true;
            state.error = None;
        }
        let result = client
            .send_raw(Method::Get, self.path, None, None)
            .await
            .and_then(|reply| crate::client::decode::<Option<T>>(self.path, &reply));
        if self.latest.load(Ordering::Acquire) != id {
            return result;
        }
        let mut state = self.state.lock_mut();
        match &result {
            Ok(data) => {
                if state.data != *data {
                    state.data = data.clone();
                }
                state.error = None;
            }
            Err(error) => {
                if error.is_unauthorized() {
                    state.data = None;
                }
                state.error = Some(error.clone());
            }
        }
        state.is_pending = false;
        state.is_refetching = false;
        result
    }
}

/// A store seen through its client: read it, watch it, refetch it.
#[derive(Clone)]
pub struct QueryHandle<T> {
    client: AuthClient,
    store: Arc<QueryStore<T>>,
}

impl<T> std::fmt::Debug for QueryHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryHandle").field("path", &self.store.path).finish()
    }
}

impl<T: Clone + PartialEq + DeserializeOwned + Send + Sync + 'static> QueryHandle<T> {
    pub(crate) fn new(client: &AuthClient, store: &Arc<QueryStore<T>>) -> Self {
        Self {
            client: client.clone(),
            store: store.clone(),
        }
    }

    /// A snapshot (starts the first fetch in the background, where a runtime runs).
    pub fn get(&self) -> QueryState<T> {
        self.first_use();
        self.store.get()
    }

    /// The state as a signal: the current value, then every change. The first use
    /// starts a fetch in the background (on a tokio runtime natively, in the browser's
    /// event loop on wasm); without a runtime, call [`QueryHandle::refetch`].
    pub fn signal(&self) -> impl Signal<Item = QueryState<T>> + use<T> {
        self.first_use();
        self.store.signal()
    }

    /// Fetches now and publishes the answer.
    pub async fn refetch(&self) -> Result<Option<T>> {
        self.store.refetch(&self.client).await
    }

    fn first_use(&self) {
        if !self.store.mount() {
            return;
        }
        let (client, store) = (self.client.clone(), self.store.clone());
        crate::session_store::spawn(Box::pin(async move {
            let _ = store.refetch(&client).await;
        }));
    }
}
