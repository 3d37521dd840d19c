//! The auth context: [`provide_auth`] once at the root, then `use_*` anywhere below.

use keyward_client::wire::organization::{FullOrganization, Member, Organization};
use keyward_client::wire::{Passkey, SessionData};
use keyward_client::{AuthClient, QueryHandle, QueryState, SessionState};
use leptos::prelude::*;
use serde::de::DeserializeOwned;

#[cfg(not(feature = "ssr"))]
use crate::bridge::follow;

/// What [`provide_auth`] puts in the context: the client and its stores as Leptos
/// signals. `Copy`, so closures and components take it freely.
#[derive(Clone, Copy)]
pub struct Auth {
    client: StoredValue<AuthClient, LocalStorage>,
    session: ReadSignal<SessionState>,
    owner: StoredValue<Owner>,
    stores: StoredValue<LazyStores>,
}

/// Signals made on first use, kept for the context's lifetime.
#[derive(Default)]
struct LazyStores {
    active_organization: Option<ReadSignal<QueryState<FullOrganization>>>,
    organizations: Option<ReadSignal<QueryState<Vec<Organization>>>>,
    active_member: Option<ReadSignal<QueryState<Member>>>,
    passkeys: Option<ReadSignal<QueryState<Vec<Passkey>>>>,
    device_sessions: Option<ReadSignal<QueryState<Vec<SessionData>>>>,
}

/// Makes `client` the auth client of everything below. Call it once, at the root.
///
/// In the browser (CSR) the session is resolved right away with
/// [`AuthClient::restore`]; until it answers, [`SessionState::is_pending`] is true and
/// the components render their neutral "pending" view, never signed-out content. For
/// server-side rendering, resolve the session from the request's cookie and seed the
/// client with [`keyward_client::SessionStore::hydrate`] before calling this: a seeded
/// store is not fetched again. With feature `ssr` the signals are snapshots (a server
/// render is one pass): the plugin stores render as pending there. The session follows the store on Leptos' executor, which
/// `mount_to_body` sets up in the browser and `leptos_axum` on a server.
///
/// ```no_run
/// use keyward_client::AuthClient;
/// use keyward_leptos::{provide_auth, use_session};
/// use leptos::prelude::*;
///
/// #[component]
/// fn App() -> impl IntoView {
///     let client = AuthClient::at("http://localhost:3000").build().unwrap();
///     provide_auth(client);
///     let session = use_session();
///     view! {
///         <p>{move || match session.get().data {
///             Some(data) => format!("Hello {}", data.user.name),
///             None => "Signed out".to_owned(),
///         }}</p>
///     }
/// }
/// ```
pub fn provide_auth(client: AuthClient) -> Auth {
    let store = client.session();
    // A server render (feature `ssr`) is one pass: a snapshot of the (seeded) store, no
    // background tasks, no requests.
    #[cfg(feature = "ssr")]
    let session = RwSignal::new(store.get()).read_only();
    #[cfg(not(feature = "ssr"))]
    let session = {
        let session = follow(store.get(), store.signal());
        if store.get().is_pending {
            let restoring = client.clone();
            leptos::task::spawn_local(async move {
                let _ = restoring.restore().await;
            });
        }
        session
    };
    let auth = Auth {
        client: StoredValue::new_local(client),
        session,
        owner: StoredValue::new(Owner::current().unwrap_or_default()),
        stores: StoredValue::new(LazyStores::default()),
    };
    provide_context(auth);
    auth
}

/// The [`Auth`] provided above. Panics with a clear message when [`provide_auth`] was
/// not called: that is a programming error, found on the first render.
pub fn use_auth() -> Auth {
    use_context::<Auth>().expect("keyward-leptos: call provide_auth(client) in a parent component")
}

/// The client, for calls the components do not make.
pub fn use_client() -> AuthClient {
    use_auth().client()
}

impl Auth {
    /// The client.
    pub fn client(&self) -> AuthClient {
        self.client.get_value()
    }

    /// The session as a Leptos signal.
    pub fn session(&self) -> ReadSignal<SessionState> {
        self.session
    }

    fn lazy<T>(
        &self,
        slot: fn(&mut LazyStores) -> &mut Option<ReadSignal<QueryState<T>>>,
        handle: fn(&AuthClient) -> QueryHandle<T>,
    ) -> ReadSignal<QueryState<T>>
    where
        T: Clone + PartialEq + DeserializeOwned + Send + Sync + 'static,
    {
        if let Some(existing) = self.stores.try_update_value(|stores| *slot(stores)).flatten() {
            return existing;
        }
        #[cfg(feature = "ssr")]
        let made = {
            let _ = handle;
            let pending = QueryState {
                data: None,
                is_pending: true,
                is_refetching: false,
                error: None,
            };
            self.owner.get_value().with(|| RwSignal::new(pending).read_only())
        };
        #[cfg(not(feature = "ssr"))]
        let made = {
            let query = handle(&self.client());
            self.owner.get_value().with(|| follow(query.get(), query.signal()))
        };
        self.stores.update_value(|stores| *slot(stores) = Some(made));
        made
    }
}

/// The session: `data`, `is_pending`, `is_refetching`, `error`, plus [`UseSession::refetch`].
/// Made once per context; calling it again costs no request.
#[derive(Clone, Copy)]
pub struct UseSession {
    state: ReadSignal<SessionState>,
    auth: Auth,
}

impl UseSession {
    /// The current state (tracked).
    pub fn get(&self) -> SessionState {
        self.state.get()
    }

    /// The signed-in user and session, if any (tracked).
    pub fn data(&self) -> Option<SessionData> {
        self.state.with(|state| state.data.clone())
    }

    /// The signed-in user's id (tracked).
    pub fn user_id(&self) -> Option<String> {
        self.state
            .with(|state| state.data.as_ref().map(|data| data.user.id.clone()))
    }

    /// Whether nothing is known yet (tracked).
    pub fn is_pending(&self) -> bool {
        self.state.with(|state| state.is_pending)
    }

    /// The signal itself.
    pub fn signal(&self) -> ReadSignal<SessionState> {
        self.state
    }

    /// Asks the server again in the background.
    pub fn refetch(&self) {
        let client = self.auth.client();
        leptos::task::spawn_local(async move {
            let _ = client.session().refetch().await;
        });
    }
}

/// The session of the [`provide_auth`] client.
pub fn use_session() -> UseSession {
    let auth = use_auth();
    UseSession {
        state: auth.session,
        auth,
    }
}

/// The active organization (with members, invitations and teams): better-auth's
/// `useActiveOrganization`. The first use in a context fetches it; later uses share it.
pub fn use_active_organization() -> ReadSignal<QueryState<FullOrganization>> {
    use_auth().lazy(
        |stores| &mut stores.active_organization,
        |client| client.organization().active(),
    )
}

/// The user's organizations: better-auth's `useListOrganizations`.
pub fn use_organizations() -> ReadSignal<QueryState<Vec<Organization>>> {
    use_auth().lazy(
        |stores| &mut stores.organizations,
        |client| client.organization().organizations(),
    )
}

/// The user's membership in the active organization: better-auth's `useActiveMember`.
pub fn use_active_member() -> ReadSignal<QueryState<Member>> {
    use_auth().lazy(
        |stores| &mut stores.active_member,
        |client| client.organization().active_member(),
    )
}

/// The user's passkeys: better-auth's `useListPasskeys`.
pub fn use_passkeys() -> ReadSignal<QueryState<Vec<Passkey>>> {
    use_auth().lazy(|stores| &mut stores.passkeys, |client| client.passkey().passkeys())
}

/// The accounts signed in on this device (the multi-session plugin's device sessions),
/// refetched after every sign-in, switch and revoke: better-auth's
/// `multiSession.listDeviceSessions`.
pub fn use_device_sessions() -> ReadSignal<QueryState<Vec<SessionData>>> {
    use_auth().lazy(
        |stores| &mut stores.device_sessions,
        |client| client.multi_session().device_sessions(),
    )
}
