//! # keyward-leptos
//!
//! Leptos bindings of the Keyward client: [`provide_auth`] once at the root, then
//! [`use_session`] (and [`use_active_organization`], [`use_organizations`],
//! [`use_active_member`], [`use_passkeys`]) anywhere below, and ready-made, unstyled
//! [`components`]. The signals follow the client's stores, which refresh themselves by
//! better-auth's rules, so a sign-in, a profile update or a sign-out in another tab shows
//! everywhere without a reload.
//!
//! ```no_run
//! use keyward_client::AuthClient;
//! use keyward_leptos::components::{SignInForm, SignedIn, SignedOut, UserButton};
//! use keyward_leptos::provide_auth;
//! use leptos::prelude::*;
//!
//! #[component]
//! fn App() -> impl IntoView {
//!     // In the browser the client uses the page's cookies (same origin as the server).
//!     let client = AuthClient::at("http://localhost:3000").build().unwrap();
//!     provide_auth(client);
//!     view! {
//!         <SignedIn><UserButton /></SignedIn>
//!         <SignedOut><SignInForm /></SignedOut>
//!     }
//! }
//! ```
//!
//! While the session is unknown, `SessionState::is_pending` is true and no component
//! shows signed-in or signed-out content: a server render and the first browser render
//! agree (see [`provide_auth`] for seeding the session on the server).

pub mod bridge;
pub mod components;
mod context;
mod messages;

pub use context::{
    Auth, UseSession, provide_auth, use_active_member, use_active_organization, use_auth, use_client,
    use_device_sessions, use_organizations, use_passkeys, use_session,
};
pub use keyward_client::{QueryState, SessionState};
pub use messages::{
    Messages, default_magic_link_message, default_message, default_social_message, provide_messages, use_messages,
};
