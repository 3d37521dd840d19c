//! # keyward-client
//!
//! The Rust client for better-auth compatible servers: the real better-auth (1.7) or
//! Keyward's own server. It runs natively (desktop, CLI, Tauri) and in browsers
//! (`wasm32-unknown-unknown`, for Leptos and Yew).
//!
//! - One typed method per endpoint, grouped as the protocol is: `client.sign_in()`,
//!   `client.sessions()`, `client.user()`, `client.password()`, `client.email()`,
//!   `client.accounts()`, `client.two_factor()`, `client.organization()`,
//!   `client.one_time_token()`, `client.device_authorization()`, `client.magic_link()`,
//!   `client.username()`, `client.email_otp()`, `client.phone_number()`, `client.anonymous()`,
//!   `client.multi_session()` and `client.last_login_method()` (plugins), plus
//!   [`AuthClient::fetch`] for custom plugins.
//! - A reactive session store ([`SessionStore`], on `futures-signals`) that refreshes
//!   itself after every call that changes the session or the user.
//! - Bearer tokens in a [`TokenStore`] (memory, OS keychain, `localStorage`) or cookies.
//!
//! ```no_run
//! use keyward_client::AuthClient;
//!
//! # async fn run() -> keyward_client::Result<()> {
//! let client = AuthClient::builder("http://localhost:3000".parse().unwrap()).build()?;
//! client.restore().await?; // before the first render
//! client.sign_up().email("Ada", "ada@example.com", "correct-horse-battery").await?;
//! client.user().update().name("Ada Lovelace").await?;
//! assert_eq!(client.session().get().data.unwrap().user.name, "Ada Lovelace");
//! # Ok(()) }
//! ```
//!
//! Without features the crate is only [`wire`], the protocol types shared with the server.
//! Feature `qr` renders two-factor setup URIs as QR codes.

pub mod wire;

#[cfg(feature = "client")]
pub mod api;
#[cfg(feature = "client")]
pub mod authenticator;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod cookie_jar;
#[cfg(feature = "client")]
mod error;
#[cfg(feature = "client")]
pub mod extension;
#[cfg(feature = "client")]
mod query_store;
#[cfg(feature = "client")]
mod session_store;
#[cfg(feature = "client")]
pub mod token_store;
#[cfg(feature = "client")]
pub mod transport;
#[cfg(all(feature = "web", target_arch = "wasm32"))]
mod web;
#[cfg(all(feature = "yew", target_arch = "wasm32"))]
pub mod yew;

#[cfg(feature = "client")]
pub use client::{AuthClient, AuthClientBuilder, CredentialMode, FetchOptions};
#[cfg(feature = "client")]
pub use error::{BrowserSignInError, Error, Result};
#[cfg(feature = "client")]
pub use query_store::{QueryHandle, QueryState};
#[cfg(feature = "client")]
pub use session_store::{SessionEvent, SessionState, SessionStore};
#[cfg(feature = "client")]
pub use token_store::{MemoryStore, TokenStore};
