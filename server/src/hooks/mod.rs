//! Database hooks: the application's code, run when Keyward creates, updates or deletes a
//! user, session, account or verification row, on every path that does (each method says
//! which), as better-auth's `databaseHooks` run.
//!
//! A `before_*` hook runs before the row is written and may change it (`before_create`,
//! `before_update`), or refuse it with an [`ApiError`] the client receives as
//! `{message, code}` (a social sign-in ends at its `errorCallbackURL` with
//! `?error=<code>&error_description=<message>`); inside a transaction, a refusal rolls the
//! whole change back. An `after_*` hook runs once the write is committed, so it sees what
//! other requests see, and not at all when it is rolled back.
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
//!     async fn before_create(&self, _auth: &Auth, user: &mut NewUser) -> Result<(), ApiError> {
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
use crate::db::accounts::{Account, AccountChanges};
use crate::db::sessions::{NewSession, SessionChanges};
use crate::db::users::{NewUser, UserChanges};
use crate::db::verifications::Verification;
use crate::error::ApiError;
use keyward_client::wire::{Session, SessionToken, User};

pub use crate::endpoint_hooks::{EndpointHook, EndpointMatcher, EndpointRequest, EndpointResponse};

mod run;

pub(crate) use run::{
    after_account_delete, after_commit, after_session_delete, after_session_update, insert_credential_account,
    insert_oauth_account, revoke_unproven_account_access, set_password, update_account, update_user,
    user_delete_cascade,
};

/// Hooks on the `user` row. Both methods do nothing unless implemented.
#[async_trait::async_trait]
pub trait UserHooks: Send + Sync + 'static {
    /// Before a user is written: change `user` (its address is already lowercased), or
    /// refuse with the error the client receives.
    async fn before_create(&self, auth: &Auth, user: &mut NewUser) -> Result<(), ApiError> {
        let _ = (auth, user);
        Ok(())
    }

    /// After the new user is committed.
    async fn after_create(&self, auth: &Auth, user: &User) {
        let _ = (auth, user);
    }

    /// Before a user row is updated (update-user, email verification and change, admin
    /// edits, bans, the two-factor flag, a provider's profile copied on sign-in): change
    /// the columns in `changes`, or refuse with the error the client receives.
    async fn before_update(&self, auth: &Auth, user_id: &str, changes: &mut UserChanges) -> Result<(), ApiError> {
        let _ = (auth, user_id, changes);
        Ok(())
    }

    /// After the update is committed, with the updated user.
    async fn after_update(&self, auth: &Auth, user: &User) {
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

/// Hooks on the `session` row. Every method does nothing unless implemented.
#[async_trait::async_trait]
pub trait SessionHooks: Send + Sync + 'static {
    /// Before a session is written: change it (its additional fields, its expiry), or
    /// refuse the sign-in with the error the client receives. Database work here goes
    /// through `auth.db()` (the pool), not the caller's transaction.
    async fn before_create(&self, auth: &Auth, session: &mut NewSession) -> Result<(), ApiError> {
        let _ = (auth, session);
        Ok(())
    }

    /// After the new session is committed.
    async fn after_create(&self, auth: &Auth, session: &Session) {
        let _ = (auth, session);
    }

    /// Before a session is updated (update-session, the active organization or team set,
    /// its expiry rolled forward by get-session or by any request's session lookup):
    /// change the columns in `changes`, or refuse with the error the client receives.
    /// `session` is the session as stored. A refused roll of the expiry is no error: the
    /// request goes on with the session as it was.
    async fn before_update(
        &self,
        auth: &Auth,
        session: &Session,
        changes: &mut SessionChanges,
    ) -> Result<(), ApiError> {
        let _ = (auth, session, changes);
        Ok(())
    }

    /// After a session changed (its expiry rolled forward by get-session, update-session,
    /// the active organization or team set), once committed.
    async fn after_update(&self, auth: &Auth, session: &Session) {
        let _ = (auth, session);
    }

    /// Before sessions end (sign-out, the revoke endpoints, a password change or reset
    /// that revokes, delete-user, the admin's revoke, ban, remove-user and
    /// stop-impersonating, the session a two-factor challenge replaces): refuse with the
    /// error the client receives. Inside a transaction (a password change or reset, a
    /// user's deletion) the whole change is rolled back. Where a session ends as a side
    /// effect of another request (an expired session a lookup finds, the old session of a
    /// two-factor rotation), a refusal keeps that session and the request goes on.
    async fn before_delete(&self, auth: &Auth, ending: &EndedSessions) -> Result<(), ApiError> {
        let _ = (auth, ending);
        Ok(())
    }

    /// After sessions ended (on every path `before_delete` names), once committed.
    async fn after_delete(&self, auth: &Auth, ended: &EndedSessions) {
        let _ = (auth, ended);
    }
}

/// Which sessions ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndedSessions {
    /// These (by token; unknown tokens included, as the endpoints answer alike).
    Tokens(Vec<SessionToken>),
    /// Every session of this user.
    AllOfUser(String),
}

/// An account about to be linked to a user: a password (`credential`) or a provider.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// The owner.
    pub user_id: String,
    /// `credential`, or the provider's id (`google`).
    pub provider_id: String,
    /// The provider's id for the user (the user id for `credential`).
    pub account_id: String,
}

/// Hooks on the `account` row: creation on every path that links one (sign-up, a social
/// sign-in's new user or implicit link, link-social, setting a first password, admin
/// create-user and set-user-password, password reset of a user without one), updates on
/// every path that writes one, deletion on unlink-account and a user's deletion.
#[async_trait::async_trait]
pub trait AccountHooks: Send + Sync + 'static {
    /// Before the account is written: refuse with the error the client receives (a social
    /// sign-in ends at its `errorCallbackURL` with the code).
    async fn before_create(&self, account: &NewAccount) -> Result<(), ApiError> {
        let _ = account;
        Ok(())
    }

    /// After the account is committed. Its secrets (password hash, provider tokens) are
    /// in the row as stored.
    async fn after_create(&self, auth: &Auth, account: &Account) {
        let _ = (auth, account);
    }

    /// Before an account is updated (its password changed, reset, set by set-password or
    /// the admin's set-user-password; a provider's tokens stored on sign-in, on linking an
    /// account already linked, or refreshed by get-access-token, refresh-token and
    /// account-info): change `changes`, or refuse with the error the client receives.
    /// Inside a transaction (a password change or reset, the admin's set-user-password)
    /// the whole change is rolled back; a social sign-in ends at its `errorCallbackURL`
    /// with the code. `account` is the row as stored.
    async fn before_update(
        &self,
        auth: &Auth,
        account: &Account,
        changes: &mut AccountChanges,
    ) -> Result<(), ApiError> {
        let _ = (auth, account, changes);
        Ok(())
    }

    /// After the update is committed, with the updated row.
    async fn after_update(&self, auth: &Auth, account: &Account) {
        let _ = (auth, account);
    }

    /// After an account was deleted (unlink-account, or with its user: delete-user, the
    /// admin's remove-user), once committed, with the row as it was.
    async fn after_delete(&self, auth: &Auth, account: &Account) {
        let _ = (auth, account);
    }
}

/// A verification value about to be stored (an email-verification or password-reset
/// token, a two-factor challenge, an OAuth state …), as better-auth's `verification` row.
#[derive(Clone, Debug)]
pub struct NewVerification {
    /// What it verifies (often holds the token itself: treat it as a secret).
    pub identifier: String,
    /// The stored value.
    pub value: String,
    /// When it stops being valid.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Hooks on the `verification` row (kept in the database, in secondary storage, or both).
#[async_trait::async_trait]
pub trait VerificationHooks: Send + Sync + 'static {
    /// Before it is stored: change it, or refuse with the error the client receives.
    async fn before_create(&self, verification: &mut NewVerification) -> Result<(), ApiError> {
        let _ = verification;
        Ok(())
    }

    /// After it is stored (and committed, inside a transaction).
    async fn after_create(&self, auth: &Auth, verification: &NewVerification) {
        let _ = (auth, verification);
    }

    /// After a value was removed, once committed: consumed (a password-reset or
    /// account-deletion token used, a two-factor challenge or its attempt counter taken,
    /// an OAuth state or passkey challenge used), expired or not, or deleted (a trusted
    /// device renewed or dropped). Once per identifier, with its newest value (verification
    /// values are never updated in place).
    async fn after_delete(&self, auth: &Auth, verification: &Verification) {
        let _ = (auth, verification);
    }
}

/// The registered hooks, in registration order: the plugins' (in the order the plugins
/// were added), then the application's.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub user: Vec<Arc<dyn UserHooks>>,
    pub session: Vec<Arc<dyn SessionHooks>>,
    pub verification: Vec<Arc<dyn VerificationHooks>>,
    pub account: Vec<Arc<dyn AccountHooks>>,
    pub endpoint: Vec<(EndpointMatcher, Arc<dyn EndpointHook>)>,
}

impl Hooks {
    /// Adds `other`'s hooks after these.
    pub fn extend(&mut self, other: Hooks) {
        self.user.extend(other.user);
        self.session.extend(other.session);
        self.verification.extend(other.verification);
        self.account.extend(other.account);
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
    pub async fn before_user_create(&self, auth: &Auth, user: &mut NewUser) -> Result<(), ApiError> {
        for hook in &self.user {
            hook.before_create(auth, user).await?;
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
    pub async fn before_session_create(&self, auth: &Auth, session: &mut NewSession) -> Result<(), ApiError> {
        for hook in &self.session {
            hook.before_create(auth, session).await?;
        }
        Ok(())
    }

    /// Every session hook's `after_create`, in order.
    pub async fn after_session_create(&self, auth: &Auth, session: &Session) {
        for hook in &self.session {
            hook.after_create(auth, session).await;
        }
    }

    /// Every session hook's `before_update`, in order; the first refusal stops it.
    pub async fn before_session_update(
        &self,
        auth: &Auth,
        session: &Session,
        changes: &mut SessionChanges,
    ) -> Result<(), ApiError> {
        for hook in &self.session {
            hook.before_update(auth, session, changes).await?;
        }
        Ok(())
    }

    /// Every session hook's `before_delete`, in order; the first refusal stops it.
    pub async fn before_session_delete(&self, auth: &Auth, ending: &EndedSessions) -> Result<(), ApiError> {
        for hook in &self.session {
            hook.before_delete(auth, ending).await?;
        }
        Ok(())
    }
}
