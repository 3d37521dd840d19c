//! Database hooks: the application's code, run when Keyward creates a user or a session,
//! on every path that creates one (for users: email sign-up, a social sign-in's new user,
//! admin create-user; for sessions: every sign-in, sign-up, verification link, two-factor
//! and passkey sign-in, impersonation and rotation), as better-auth's
//! `databaseHooks.user.create` and `databaseHooks.session.create` run.
//!
//! `before_create` runs before the row is written and may change it, or refuse it with an
//! [`ApiError`] the client receives as `{message, code}` (a social sign-in ends at its
//! `errorCallbackURL` with `?error=<code>&error_description=<message>`). `after_create`
//! runs once the row is committed, so it sees what other requests see.
//!
//! ```no_run
//! use axum::http::StatusCode;
//! use keyward_server::db::users::NewUser;
//! use keyward_server::hooks::UserHooks;
//! use keyward_server::wire::{ErrorCode, User};
//! use keyward_server::{ApiError, Auth, Config};
//!
//! /// Only company addresses may sign up; every new user is announced.
//! struct CompanyOnly;
//!
//! #[async_trait::async_trait]
//! impl UserHooks for CompanyOnly {
//!     async fn before_create(&self, user: &mut NewUser) -> Result<(), ApiError> {
//!         if !user.email.ends_with("@company.com") {
//!             return Err(ApiError::with_message(
//!                 StatusCode::FORBIDDEN,
//!                 ErrorCode::Other("COMPANY_ADDRESS_REQUIRED".into()),
//!                 "Sign up with your company address",
//!             ));
//!         }
//!         Ok(())
//!     }
//!
//!     async fn after_create(&self, _auth: &Auth, user: &User) {
//!         println!("welcome, {}", user.email);
//!     }
//! }
//!
//! # async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::builder(config).user_hooks(CompanyOnly).build().await?;
//! # let _ = auth; Ok(()) }
//! ```

use std::sync::Arc;

use crate::auth::Auth;
use crate::db::Tx;
use crate::db::sessions::NewSession;
use crate::db::users::NewUser;
use crate::error::ApiError;
use keyward_client::wire::{Session, User};

pub use crate::endpoint_hooks::{EndpointHook, EndpointMatcher, EndpointRequest, EndpointResponse};

/// Hooks on the `user` row. Both methods do nothing unless implemented.
#[async_trait::async_trait]
pub trait UserHooks: Send + Sync + 'static {
    /// Before a user is written: change `user` (its address is already lowercased), or
    /// refuse with the error the client receives.
    async fn before_create(&self, user: &mut NewUser) -> Result<(), ApiError> {
        let _ = user;
        Ok(())
    }

    /// After the new user is committed.
    async fn after_create(&self, auth: &Auth, user: &User) {
        let _ = (auth, user);
    }

    /// Inside the transaction that deletes the user (delete-user, admin remove-user),
    /// before the row goes: remove what belongs to the user. An error rolls the whole
    /// deletion back and is the client's answer.
    async fn before_delete(&self, tx: &mut Tx, user_id: &str) -> Result<(), ApiError> {
        let _ = (tx, user_id);
        Ok(())
    }

    /// After the deletion is committed.
    async fn after_delete(&self, auth: &Auth, user_id: &str) {
        let _ = (auth, user_id);
    }
}

/// Hooks on the `session` row. Both methods do nothing unless implemented.
#[async_trait::async_trait]
pub trait SessionHooks: Send + Sync + 'static {
    /// Before a session is written: change it (its additional fields, its expiry), or
    /// refuse the sign-in with the error the client receives.
    async fn before_create(&self, session: &mut NewSession) -> Result<(), ApiError> {
        let _ = session;
        Ok(())
    }

    /// After the new session is committed.
    async fn after_create(&self, auth: &Auth, session: &Session) {
        let _ = (auth, session);
    }
}

/// The registered hooks, in registration order: the plugins' (in the order the plugins
/// were added), then the application's.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub user: Vec<Arc<dyn UserHooks>>,
    pub session: Vec<Arc<dyn SessionHooks>>,
    pub endpoint: Vec<(EndpointMatcher, Arc<dyn EndpointHook>)>,
}

impl Hooks {
    /// Adds `other`'s hooks after these.
    pub fn extend(&mut self, other: Hooks) {
        self.user.extend(other.user);
        self.session.extend(other.session);
        self.endpoint.extend(other.endpoint);
    }

    /// Every user hook's `before_delete`, in order, inside the deleting transaction.
    pub async fn before_user_delete(&self, tx: &mut Tx, user_id: &str) -> Result<(), ApiError> {
        for hook in &self.user {
            hook.before_delete(tx, user_id).await?;
        }
        Ok(())
    }

    /// Every user hook's `after_delete`, in order.
    pub async fn after_user_delete(&self, auth: &Auth, user_id: &str) {
        for hook in &self.user {
            hook.after_delete(auth, user_id).await;
        }
    }

    /// Every user hook's `before_create`, in order; the first refusal stops the creation.
    pub async fn before_user_create(&self, user: &mut NewUser) -> Result<(), ApiError> {
        for hook in &self.user {
            hook.before_create(user).await?;
        }
        Ok(())
    }

    /// Every user hook's `after_create`, in order.
    pub async fn after_user_create(&self, auth: &Auth, user: &User) {
        for hook in &self.user {
            hook.after_create(auth, user).await;
        }
    }

    /// Every session hook's `before_create`, in order; the first refusal stops it.
    pub async fn before_session_create(&self, session: &mut NewSession) -> Result<(), ApiError> {
        for hook in &self.session {
            hook.before_create(session).await?;
        }
        Ok(())
    }

    /// Every session hook's `after_create`, in order.
    pub async fn after_session_create(&self, auth: &Auth, session: &Session) {
        for hook in &self.session {
            hook.after_create(auth, session).await;
        }
    }
}
