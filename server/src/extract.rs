//! Extractors that protect an application's own axum routes with Keyward sessions.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use keyward_server::{Auth, Config, Session};
//!
//! async fn me(Session(data): Session) -> String {
//!     format!("hello {}", data.user.name)
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::new(Config::from_env()?).await?;
//! let app = Router::new().route("/me", get(me)).with_state(auth.clone()).merge(auth.router());
//! # Ok(()) }
//! ```

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::auth::Auth;
use crate::error::ApiError;
use keyward_client::wire::SessionData;

/// The request's session; requests without one are answered `401 UNAUTHORIZED`.
#[derive(Clone, Debug)]
pub struct Session(pub SessionData);

/// The request's session, if it has one.
#[derive(Clone, Debug)]
pub struct OptionalSession(pub Option<SessionData>);

impl<S> FromRequestParts<S> for OptionalSession
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_ref(state);
        Ok(OptionalSession(auth.api().get_session(&parts.headers).await?))
    }
}

impl<S> FromRequestParts<S> for Session
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let OptionalSession(data) = OptionalSession::from_request_parts(parts, state).await?;
        data.map(Session).ok_or_else(ApiError::unauthorized)
    }
}
