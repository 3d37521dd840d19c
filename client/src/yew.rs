//! Yew bindings (feature `yew`, wasm32): [`AuthProvider`] once at the root, then
//! [`use_session`] in any function component below. They follow the same session store
//! as everything else in this crate, so Yew and Leptos apps see the same states.
//!
//! ```no_run
//! use keyward_client::AuthClient;
//! use keyward_client::yew::{AuthProvider, use_session};
//! use yew::prelude::*;
//!
//! #[function_component]
//! fn Greeting() -> Html {
//!     let session = use_session();
//!     match (&session.data, session.is_pending) {
//!         (_, true) => html! { <p aria-busy="true">{ "…" }</p> },
//!         (Some(data), _) => html! { <p>{ format!("Hello {}", data.user.name) }</p> },
//!         (None, _) => html! { <p>{ "Signed out" }</p> },
//!     }
//! }
//!
//! #[function_component]
//! fn App() -> Html {
//!     let client = use_memo((), |_| {
//!         AuthClient::builder("http://localhost:3000".parse().unwrap()).build().unwrap()
//!     });
//!     html! { <AuthProvider client={(*client).clone()}><Greeting /></AuthProvider> }
//! }
//! ```

use futures::FutureExt;
use futures::future::{AbortHandle, Abortable};
use futures_signals::signal::SignalExt;
use yew::prelude::*;

use crate::{AuthClient, SessionState};

/// What [`AuthProvider`] shares with the components below it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthContext {
    /// The client, for calls.
    pub client: AuthClient,
    /// The session as last published by the client's store.
    pub session: SessionState,
}

/// Properties of [`AuthProvider`].
#[derive(Clone, Debug, PartialEq, Properties)]
pub struct AuthProviderProps {
    /// The client whose session the app follows.
    pub client: AuthClient,
    /// The app.
    #[prop_or_default]
    pub children: Html,
}

/// Makes `client` the auth client of everything below, resolves the session once
/// ([`AuthClient::restore`], unless the store already knows it) and re-renders the
/// subscribers of [`use_session`] on every change of the store.
#[function_component]
pub fn AuthProvider(props: &AuthProviderProps) -> Html {
    let session = use_state_eq(|| props.client.session().get());
    {
        let session = session.clone();
        use_effect_with(props.client.clone(), move |client| {
            let forward = client.session().signal().for_each(move |state| {
                session.set(state);
                async {}
            });
            let (abort, registration) = AbortHandle::new_pair();
            wasm_bindgen_futures::spawn_local(Abortable::new(forward, registration).map(|_| ()));
            if client.session().get().is_pending {
                let client = client.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = client.restore().await;
                });
            }
            move || abort.abort()
        });
    }
    let context = AuthContext {
        client: props.client.clone(),
        session: (*session).clone(),
    };
    html! {
        <ContextProvider<AuthContext> {context}>
            { props.children.clone() }
        </ContextProvider<AuthContext>>
    }
}

/// The session (`data`, `is_pending`, `is_refetching`, `error`). Outside an
/// [`AuthProvider`] it stays pending.
#[hook]
pub fn use_session() -> SessionState {
    use_context::<AuthContext>()
        .map(|context| context.session)
        .unwrap_or_else(SessionState::initial)
}

/// The provider's client, for sign-in, sign-out and every other call.
#[hook]
pub fn use_auth_client() -> Option<AuthClient> {
    use_context::<AuthContext>().map(|context| context.client)
}
