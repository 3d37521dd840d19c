//! The client's credentials: the bearer token (in memory and in the token store), the
//! plugin cookies it recognises, and the state of an open two-factor sign-in.

use std::sync::atomic::Ordering;

use super::AuthClient;
use crate::error::{Error, Result};
use crate::wire::{SessionToken, TrustedDevice};

/// The two-factor plugin's challenge cookie (`better-auth.two_factor`).
pub(super) fn is_challenge_cookie(name: &str) -> bool {
    name.ends_with(".two_factor") || name.ends_with(".better-auth-passkey")
}

/// The two-factor plugin's trusted-device cookie (`better-auth.trust_device`).
pub(super) fn is_trust_cookie(name: &str) -> bool {
    name.ends_with(".trust_device")
}

/// The admin plugin's cookie keeping the admin's session while impersonating
/// (`better-auth.admin_session`).
pub(super) fn is_admin_session_cookie(name: &str) -> bool {
    name.ends_with(".admin_session")
}

pub(super) fn poisoned<T>(_: T) -> Error {
    Error::Storage {
        message: "client state lock poisoned".into(),
    }
}

impl AuthClient {
    /// The current session token (bearer mode), loading it from the store if needed.
    pub fn token(&self) -> Result<Option<SessionToken>> {
        self.ensure_token_loaded()?;
        Ok(self.inner.token.lock().map_err(poisoned)?.clone())
    }

    pub(super) fn ensure_token_loaded(&self) -> Result<()> {
        if self.inner.token_loaded.load(Ordering::Acquire) {
            return Ok(());
        }
        let stored = self.inner.token_store.load()?;
        let trusted = self.inner.token_store.load_trusted_device()?;
        let mut token = self.inner.token.lock().map_err(poisoned)?;
        if !self.inner.token_loaded.swap(true, Ordering::AcqRel) {
            *token = stored;
            if let Some((name, value)) = trusted.as_ref().and_then(|t| t.expose().split_once('=')) {
                self.inner.jar.insert(name, value);
            }
        }
        Ok(())
    }

    /// Keeps the trusted-device cookie in the token store after a response changed it.
    pub(super) fn persist_trusted_device(&self) -> Result<()> {
        match self.inner.jar.find(is_trust_cookie) {
            Some((name, value)) => self
                .inner
                .token_store
                .save_trusted_device(&TrustedDevice::new(format!("{name}={value}"))),
            None => self.inner.token_store.clear_trusted_device(),
        }
    }

    /// Forgets the bearer token without telling the server (a new sign-in has started;
    /// in a browser the server's cookie expiry does the same).
    pub(crate) fn drop_token(&self) -> Result<()> {
        *self.inner.token.lock().map_err(poisoned)? = None;
        self.inner.token_loaded.store(true, Ordering::Release);
        self.inner.token_store.clear()
    }

    /// The methods of the open two-factor sign-in challenge.
    pub(crate) fn set_pending_two_factor(&self, methods: Option<Vec<String>>) -> Result<()> {
        *self.inner.pending_two_factor.lock().map_err(poisoned)? = methods;
        Ok(())
    }

    /// Whether the jar holds a two-factor challenge cookie (native targets).
    pub(crate) fn has_challenge_cookie(&self) -> bool {
        self.inner.jar.find(is_challenge_cookie).is_some()
    }

    /// The factors an open two-factor sign-in challenge accepts (`"totp"`, `"otp"`), or
    /// `None` when no sign-in is waiting for a second factor.
    pub fn pending_two_factor(&self) -> Option<Vec<String>> {
        self.inner.pending_two_factor.lock().ok()?.clone()
    }

    /// Stores a new token (memory and token store).
    pub(crate) fn set_token(&self, token: SessionToken) -> Result<()> {
        *self.inner.token.lock().map_err(poisoned)? = Some(token.clone());
        self.inner.token_loaded.store(true, Ordering::Release);
        self.inner.token_store.save(&token)
    }

    /// Forgets the token and cookies (memory and token store), except a trusted-device
    /// cookie and the last-login-method one, which outlive sign-out as in a browser.
    pub(crate) fn clear_credentials(&self) -> Result<()> {
        *self.inner.token.lock().map_err(poisoned)? = None;
        self.inner.token_loaded.store(true, Ordering::Release);
        self.inner
            .jar
            .retain(|name| is_trust_cookie(name) || crate::api::last_login_method::is_last_login_cookie(name));
        self.set_pending_two_factor(None)?;
        self.inner.jwt.set(None);
        self.inner.token_store.clear()
    }
}
