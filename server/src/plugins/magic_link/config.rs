//! The magic-link plugin's options (better-auth `magicLink(options)`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::config::{RateLimitRule, TokenStorage};
use crate::email::EmailError;
use keyward_client::wire::MagicLinkToken;

/// The magic-link plugin (better-auth `magicLink`): `POST /sign-in/magic-link` emails a
/// link, `GET /magic-link/verify` (the link) signs the address's owner in, creating the
/// user on first use unless [`MagicLinkConfig::disable_sign_up`].
///
/// Links go out through the server's [`crate::email::EmailSender`] (an email of kind
/// [`crate::email::EmailKind::MagicLink`]) unless [`MagicLinkConfig::sender`] delivers
/// them otherwise (better-auth's `sendMagicLink`).
#[derive(Clone, Debug)]
pub struct MagicLinkConfig {
    /// How long a link works (`expiresIn`, default five minutes).
    pub expires_in: Duration,
    /// Links of addresses without a user fail with `new_user_signup_disabled` instead of
    /// creating one (`disableSignUp`).
    pub disable_sign_up: bool,
    /// How the token is kept in its `verification` row (`storeToken`); the link carries
    /// the token itself either way.
    pub store_token: TokenStorage,
    /// Makes the tokens instead of 32 random letters (`generateToken`), from the address.
    pub generate_token: Option<Arc<dyn MagicLinkTokenGenerator>>,
    /// Delivers the links instead of the email sender (`sendMagicLink`).
    pub sender: Option<Arc<dyn MagicLinkSender>>,
    /// The rate limit of both routes (`rateLimit`, default five per minute).
    pub rate_limit: RateLimitRule,
}

impl Default for MagicLinkConfig {
    fn default() -> Self {
        Self {
            expires_in: Duration::from_secs(5 * 60),
            disable_sign_up: false,
            store_token: TokenStorage::Plain,
            generate_token: None,
            sender: None,
            rate_limit: RateLimitRule {
                window: Duration::from_secs(60),
                max: 5,
            },
        }
    }
}

impl MagicLinkConfig {
    /// Sets how long a link works.
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Sets how tokens are stored.
    pub fn store_token(mut self, storage: TokenStorage) -> Self {
        self.store_token = storage;
        self
    }

    /// Makes tokens with `generator` (any `Fn(&str) -> String` of the address is one).
    pub fn generate_token(mut self, generator: impl MagicLinkTokenGenerator) -> Self {
        self.generate_token = Some(Arc::new(generator));
        self
    }

    /// Delivers links with `sender`.
    pub fn sender(mut self, sender: impl MagicLinkSender + 'static) -> Self {
        self.sender = Some(Arc::new(sender));
        self
    }
}

/// Makes magic-link tokens (better-auth's `generateToken`).
pub trait MagicLinkTokenGenerator: Send + Sync + 'static {
    /// A new token for a link to `email`: unguessable, and never one handed out before.
    fn generate(&self, email: &str) -> String;
}

impl<F: Fn(&str) -> String + Send + Sync + 'static> MagicLinkTokenGenerator for F {
    fn generate(&self, email: &str) -> String {
        self(email)
    }
}

impl std::fmt::Debug for dyn MagicLinkTokenGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MagicLinkTokenGenerator(..)")
    }
}

/// A magic link to deliver (better-auth's `sendMagicLink` argument).
#[derive(Clone)]
pub struct MagicLink {
    /// The address it goes to, as the request gave it.
    pub email: String,
    /// The link: `<auth URL>/magic-link/verify?token=…&callbackURL=…`.
    pub url: String,
    /// The token inside the link.
    pub token: MagicLinkToken,
    /// The request's `metadata`, if any.
    pub metadata: Option<Map<String, Value>>,
}

impl std::fmt::Debug for MagicLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MagicLink")
            .field("email", &self.email)
            .field("token", &self.token)
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

/// Delivers magic links (better-auth's `sendMagicLink`). A failure is logged; the client
/// is answered `{"status": true}` all the same (whether an address exists must not show).
///
/// ```
/// use keyward_server::config::{MagicLink, MagicLinkSender};
/// use keyward_server::email::EmailError;
///
/// struct Chat;
///
/// #[async_trait::async_trait]
/// impl MagicLinkSender for Chat {
///     async fn send_magic_link(&self, link: &MagicLink) -> Result<(), EmailError> {
///         // post `link.url` to the user's chat account found by `link.email`
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait MagicLinkSender: Send + Sync {
    /// Delivers one link.
    async fn send_magic_link(&self, link: &MagicLink) -> Result<(), EmailError>;
}

impl std::fmt::Debug for dyn MagicLinkSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MagicLinkSender(..)")
    }
}
