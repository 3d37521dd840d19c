//! Extending the client for a server plugin, as better-auth's client plugins do: an
//! extension trait over [`AuthClient::fetch`] adds the plugin's typed methods,
//! [`AuthClientBuilder::refresh_session_after`] its session-refresh rules (better-auth's
//! `atomListeners` on `$sessionSignal`), and [`AuthClient::query`] its reactive stores
//! (better-auth's `useAuthQuery` atoms), which refetch after every call that changes the
//! session and after the calls [`AuthClientBuilder::refresh_query_after`] names, and are
//! emptied on sign-out.
//!
//! ```no_run
//! use keyward_client::transport::Method;
//! use keyward_client::{AuthClient, QueryHandle, Result};
//!
//! #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
//! pub struct Note {
//!     pub id: String,
//!     pub text: String,
//! }
//!
//! /// The `notes` server plugin's methods.
//! pub trait NotesClient {
//!     /// `POST /notes/add`.
//!     fn add_note(&self, text: &str) -> impl std::future::Future<Output = Result<Note>>;
//!     /// The signed-in user's notes, kept fresh.
//!     fn notes(&self) -> QueryHandle<Vec<Note>>;
//! }
//!
//! impl NotesClient for AuthClient {
//!     async fn add_note(&self, text: &str) -> Result<Note> {
//!         self.fetch(Method::Post, "/notes/add", Some(&serde_json::json!({ "text": text }))).await
//!     }
//!
//!     fn notes(&self) -> QueryHandle<Vec<Note>> {
//!         self.query("/notes/list")
//!     }
//! }
//!
//! # async fn run() -> Result<()> {
//! let client = AuthClient::builder("http://localhost:3000".parse().unwrap())
//!     .refresh_query_after("/notes/list", |method, path| method == Method::Post && path.starts_with("/notes/"))
//!     .build()?;
//! client.add_note("buy milk").await?; // the notes store refetches
//! println!("{:?}", client.notes().get().data);
//! # Ok(()) }
//! ```

use std::any::Any;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::client::AuthClient;
use crate::query_store::{QueryHandle, QueryStore};
use crate::transport::{BoxFuture, Method};

/// Which successful calls a rule reacts to: their method and path (relative to the
/// endpoint prefix, without the query).
pub type CallMatcher = fn(Method, &str) -> bool;

/// What a rule refetches.
#[derive(Clone, Debug)]
pub(crate) enum RefreshTarget {
    Session,
    Query(&'static str),
}

/// The plugin stores of one client, by path, and the built-in plugins' store groups.
#[derive(Default)]
pub(crate) struct PluginStores {
    stores: std::sync::Mutex<Vec<(&'static str, Arc<dyn ErasedQuery>)>>,
    groups: std::sync::Mutex<Vec<Arc<dyn StoreGroup>>>,
}

/// The stores of a built-in plugin (organization, passkey) that follow the session. A
/// group registers itself when it is first used, so the session code calls it through
/// this trait and a web build that never uses the plugin does not carry its code (the
/// organization stores, the passkey list and the browser authenticator built with them
/// were 35,029 B of a minimal page, gzipped).
pub(crate) trait StoreGroup: Send + Sync {
    /// After a call that changed the session.
    fn after_session_change<'a>(&'a self, client: &'a AuthClient) -> BoxFuture<'a, ()>;
    /// After `sign_out`.
    fn after_sign_out<'a>(&'a self, client: &'a AuthClient) -> BoxFuture<'a, ()>;
}

/// A query store whose answer type is forgotten, so stores of any type live side by side.
trait ErasedQuery: Send + Sync {
    fn is_mounted(&self) -> bool;
    fn clear(&self);
    fn refetch_erased<'a>(&'a self, client: &'a AuthClient) -> BoxFuture<'a, ()>;
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<T: Clone + PartialEq + DeserializeOwned + Send + Sync + 'static> ErasedQuery for QueryStore<T> {
    fn is_mounted(&self) -> bool {
        QueryStore::is_mounted(self)
    }

    fn clear(&self) {
        QueryStore::clear(self);
    }

    fn refetch_erased<'a>(&'a self, client: &'a AuthClient) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let _ = self.refetch(client).await;
        })
    }

    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

impl AuthClient {
    /// The store of a plugin's `GET` endpoint `path` answering `T`: one per client and
    /// path, fetched when first used, refetched after every call that changes the session
    /// and after the calls named by [`crate::AuthClientBuilder::refresh_query_after`].
    ///
    /// Asking for one path with two different types gives the second a store of its own
    /// that no rule refetches; a warning in debug builds says so.
    pub fn query<T: Clone + PartialEq + DeserializeOwned + Send + Sync + 'static>(
        &self,
        path: &'static str,
    ) -> QueryHandle<T> {
        let store = self.plugin_store::<T>(path).unwrap_or_else(|| {
            debug_assert!(false, "the query store {path} is used with two answer types");
            Arc::new(QueryStore::new(path))
        });
        QueryHandle::new(self, &store)
    }

    fn plugin_store<T: Clone + PartialEq + DeserializeOwned + Send + Sync + 'static>(
        &self,
        path: &'static str,
    ) -> Option<Arc<QueryStore<T>>> {
        let Ok(mut stores) = self.inner.plugin_stores.stores.lock() else {
            return None;
        };
        if let Some((_, store)) = stores.iter().find(|(own, _)| *own == path) {
            return store.clone().as_any().downcast::<QueryStore<T>>().ok();
        }
        let store = Arc::new(QueryStore::<T>::new(path));
        stores.push((path, store.clone()));
        Some(store)
    }

    /// Refetches the plugin stores in use whose rules `select`.
    async fn refetch_plugin_stores(&self, select: impl Fn(&'static str) -> bool) {
        let selected: Vec<_> = match self.inner.plugin_stores.stores.lock() {
            Ok(stores) => stores
                .iter()
                .filter(|(path, store)| store.is_mounted() && select(path))
                .map(|(_, store)| store.clone())
                .collect(),
            Err(_) => return,
        };
        for store in selected {
            store.refetch_erased(self).await;
        }
    }

    /// The store group of a built-in plugin, made and registered on first use.
    pub(crate) fn store_group<G: StoreGroup + 'static>(
        &self,
        slot: &std::sync::OnceLock<Arc<G>>,
        make: fn() -> G,
    ) -> Arc<G> {
        slot.get_or_init(|| {
            let group = Arc::new(make());
            if let Ok(mut groups) = self.inner.plugin_stores.groups.lock() {
                groups.push(group.clone());
            }
            group
        })
        .clone()
    }

    fn store_groups(&self) -> Vec<Arc<dyn StoreGroup>> {
        self.inner
            .plugin_stores
            .groups
            .lock()
            .map(|groups| groups.clone())
            .unwrap_or_default()
    }

    /// After a call that changed the session: the built-in groups, then every plugin store
    /// in use.
    pub(crate) async fn refresh_stores_after_session_change(&self) {
        for group in self.store_groups() {
            group.after_session_change(self).await;
        }
        self.refresh_plugin_stores().await;
    }

    /// After `sign_out`: the built-in groups.
    pub(crate) async fn refresh_stores_after_sign_out(&self) {
        for group in self.store_groups() {
            group.after_sign_out(self).await;
        }
    }

    /// Signed out: every plugin store forgets its answer.
    pub(crate) fn clear_plugin_stores(&self) {
        if let Ok(stores) = self.inner.plugin_stores.stores.lock() {
            for (_, store) in stores.iter() {
                store.clear();
            }
        }
    }

    /// After a session change: every plugin store in use follows.
    async fn refresh_plugin_stores(&self) {
        self.refetch_plugin_stores(|_| true).await;
    }

    /// After a successful [`AuthClient::fetch`]: the rules matching the call.
    pub(crate) async fn apply_refresh_rules(&self, method: Method, path: &str) {
        let rules = &self.inner.refresh_rules;
        if rules.is_empty() {
            return;
        }
        let matching: Vec<_> = rules
            .iter()
            .filter(|(matcher, _)| matcher(method, path))
            .map(|(_, target)| target.clone())
            .collect();
        if matching.iter().any(|target| matches!(target, RefreshTarget::Session)) {
            // Every plugin store follows the session: nothing else to do.
            let _ = self.refresh_session(false).await;
            return;
        }
        let queries: Vec<&'static str> = matching
            .iter()
            .filter_map(|target| match target {
                RefreshTarget::Query(path) => Some(*path),
                RefreshTarget::Session => None,
            })
            .collect();
        if !queries.is_empty() {
            self.refetch_plugin_stores(|path| queries.contains(&path)).await;
        }
    }
}

impl crate::AuthClientBuilder {
    /// After a successful [`AuthClient::fetch`] that `matcher` accepts, the session store
    /// refetches (and with it every store that follows the session).
    pub fn refresh_session_after(mut self, matcher: CallMatcher) -> Self {
        self.refresh_rules.push((matcher, RefreshTarget::Session));
        self
    }

    /// After a successful [`AuthClient::fetch`] that `matcher` accepts, the plugin store
    /// of `path` ([`AuthClient::query`]) refetches, when it is in use.
    pub fn refresh_query_after(mut self, path: &'static str, matcher: CallMatcher) -> Self {
        self.refresh_rules.push((matcher, RefreshTarget::Query(path)));
        self
    }
}

/// A call's path without its query, for the rules.
pub(crate) fn path_of(path: &str) -> &str {
    path.split_once('?').map_or(path, |(path, _)| path)
}
