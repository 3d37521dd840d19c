//! WebAuthn ceremonies as a trait, so passkeys work wherever the client runs.
//!
//! An [`Authenticator`] turns the options a server sends into a signed answer. In browsers
//! (feature `web`) [`BrowserAuthenticator`] calls `navigator.credentials`; native apps
//! plug in their platform's API, and [`SoftAuthenticator`] (feature `soft-authenticator`)
//! keeps software passkeys in memory for tests and development.
//!
//! ```
//! use keyward_client::authenticator::{Authenticator, CeremonyError, Mediation};
//! use keyward_client::transport::BoxFuture;
//! use keyward_client::wire::{AuthenticationResponse, CreationOptions, RegistrationResponse, RequestOptions};
//!
//! /// An authenticator for a device without one: every ceremony fails with a typed error.
//! struct NoAuthenticator;
//!
//! impl Authenticator for NoAuthenticator {
//!     fn create(&self, _: CreationOptions) -> BoxFuture<'_, Result<RegistrationResponse, CeremonyError>> {
//!         Box::pin(async { Err(CeremonyError::NotSupported("no authenticator here".into())) })
//!     }
//!     fn get(&self, _: RequestOptions, _: Mediation) -> BoxFuture<'_, Result<AuthenticationResponse, CeremonyError>> {
//!         Box::pin(async { Err(CeremonyError::NotSupported("no authenticator here".into())) })
//!     }
//! }
//! ```

#[cfg(all(feature = "web", target_arch = "wasm32"))]
mod browser;
#[cfg(all(feature = "soft-authenticator", not(target_arch = "wasm32")))]
mod soft;

#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub use browser::BrowserAuthenticator;
#[cfg(all(feature = "soft-authenticator", not(target_arch = "wasm32")))]
pub use soft::SoftAuthenticator;

use crate::transport::{BoxFuture, MaybeSync};
use crate::wire::{AuthenticationResponse, CreationOptions, ErrorCode, RegistrationResponse, RequestOptions};

/// How a sign-in ceremony is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mediation {
    /// A modal prompt (the default).
    #[default]
    Required,
    /// Conditional UI: passkeys offered in the browser's autofill of a username field
    /// (`autocomplete="username webauthn"`); waits until the user picks one.
    Conditional,
}

/// Why a ceremony produced no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CeremonyError {
    /// The user dismissed the prompt, or it timed out (`NotAllowedError`, `AbortError`).
    #[error("the passkey prompt was cancelled")]
    Cancelled,
    /// The authenticator already holds a passkey of this account (`InvalidStateError`:
    /// one of `excludeCredentials`).
    #[error("this authenticator is already registered")]
    AlreadyRegistered,
    /// No authenticator, or none that can do what the options ask.
    #[error("passkeys are not supported here: {0}")]
    NotSupported(String),
    /// Any other failure of the authenticator.
    #[error("the authenticator failed: {0}")]
    Failed(String),
}

impl CeremonyError {
    /// The code better-auth's `passkeyClient` reports for this failure.
    pub fn code(&self, registering: bool) -> ErrorCode {
        match (self, registering) {
            (CeremonyError::AlreadyRegistered, _) => ErrorCode::PreviouslyRegistered,
            (CeremonyError::Cancelled, true) => ErrorCode::RegistrationCancelled,
            (CeremonyError::Cancelled, false) => ErrorCode::AuthCancelled,
            _ => ErrorCode::UnknownError,
        }
    }
}

/// Performs WebAuthn ceremonies: `navigator.credentials.create` and `.get`, on whatever
/// the platform offers.
pub trait Authenticator: MaybeSync {
    /// Creates a credential for `options` (registration).
    fn create(&self, options: CreationOptions) -> BoxFuture<'_, Result<RegistrationResponse, CeremonyError>>;

    /// Signs `options`' challenge with a credential (sign-in).
    fn get(
        &self,
        options: RequestOptions,
        mediation: Mediation,
    ) -> BoxFuture<'_, Result<AuthenticationResponse, CeremonyError>>;
}

/// A shared authenticator (one set of passkeys behind several clients).
impl<A: Authenticator + ?Sized> Authenticator for std::sync::Arc<A> {
    fn create(&self, options: CreationOptions) -> BoxFuture<'_, Result<RegistrationResponse, CeremonyError>> {
        (**self).create(options)
    }

    fn get(
        &self,
        options: RequestOptions,
        mediation: Mediation,
    ) -> BoxFuture<'_, Result<AuthenticationResponse, CeremonyError>> {
        (**self).get(options, mediation)
    }
}
