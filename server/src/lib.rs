//! # keyward-server
//!
//! A compact authentication server that speaks better-auth 1.7's protocol (paths, JSON,
//! cookies, signatures, error codes) and uses its database schema and hash formats, so
//! better-auth clients cannot tell it from better-auth, and an existing better-auth
//! database keeps working.
//!
//! ```no_run
//! use keyward_server::{Auth, Config};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::builder()
//!     .secret(std::env::var("BETTER_AUTH_SECRET")?)
//!     .database_url("sqlite://auth.db")
//!     .build()?;
//! let limits = config.connection_limits.clone();
//! let auth = Auth::new(config).await?;
//! let app = axum::Router::new().merge(auth.router()); // serves /api/auth/*
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! // Deadlines for slow clients and a connection cap (`axum::serve` has neither), until
//! // the future given last completes.
//! keyward_server::serve(listener, app, &limits, std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod api;
mod auth;
pub mod config;
pub mod cookies;
pub mod crypto;
pub mod db;
pub mod email;
mod endpoint_hooks;
mod error;
mod extract;
mod fields;
pub mod hooks;
pub mod jwt;
pub(crate) mod log_safe;
pub mod origin;
pub mod password;
pub mod plugin;
mod plugins;
pub mod rate_limit;
mod request;
mod routes;
pub mod secondary_storage;
mod serve;
mod session;
mod session_store;
pub mod social;
mod verification_store;

pub use auth::{Auth, AuthBuilder, StartError};
pub use config::{Config, ConfigBuilder, ConfigError};
pub use error::{ApiError, ApiResult};
pub use extract::{OptionalSession, Session};
pub use keyward_client::wire;
pub use routes::RouteInfo;
pub use serve::serve;
