//! The one-time-token plugin's options (better-auth `oneTimeToken(options)`).

use std::sync::Arc;
use std::time::Duration;

use keyward_client::wire::SessionData;

/// The one-time-token plugin (better-auth `oneTimeToken`): `GET /one-time-token/generate`
/// makes a single-use token for the caller's session, `POST /one-time-token/verify`
/// trades it for that session. An app hands a signed-in session from one client to
/// another with it (a browser to a native process, a web page to a desktop app).
#[derive(Clone, Debug)]
pub struct OneTimeTokenConfig {
    /// How long a token can be verified (`expiresIn`; better-auth counts it in minutes,
    /// default 3).
    pub expires_in: Duration,
    /// Refuse `/one-time-token/generate` over HTTP with `400 Client requests are
    /// disabled` (`disableClientRequest`): tokens then come only from the server's own
    /// code, [`crate::api::Api::generate_one_time_token`].
    pub disable_client_request: bool,
    /// `/one-time-token/verify` answers the session without setting its cookie
    /// (`disableSetSessionCookie`): the caller learns who the token belongs to and is not
    /// signed in as them.
    pub disable_set_session_cookie: bool,
    /// Every answer that sets a session cookie (sign-in, sign-up, a refreshed session,
    /// a verified token …) also carries a fresh one-time token for that session in the
    /// `set-ott` header, exposed to browsers (`setOttHeaderOnNewSession`).
    pub set_ott_header_on_new_session: bool,
    /// How the token is kept in the `verification` table (`storeToken`); the token handed
    /// out is the same either way.
    pub store_token: TokenStorage,
    /// Makes the tokens instead of the default 32 random URL-safe characters
    /// (`generateToken`).
    pub generate_token: Option<Arc<dyn TokenGenerator>>,
}

impl Default for OneTimeTokenConfig {
    fn default() -> Self {
        Self {
            expires_in: Duration::from_secs(3 * 60),
            disable_client_request: false,
            disable_set_session_cookie: false,
            set_ott_header_on_new_session: false,
            store_token: TokenStorage::Plain,
            generate_token: None,
        }
    }
}

impl OneTimeTokenConfig {
    /// Sets how long a token can be verified.
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Sets how tokens are stored.
    pub fn store_token(mut self, storage: TokenStorage) -> Self {
        self.store_token = storage;
        self
    }

    /// Makes tokens with `generator` (any `Fn(&SessionData) -> String` is one).
    pub fn generate_token(mut self, generator: impl TokenGenerator) -> Self {
        self.generate_token = Some(Arc::new(generator));
        self
    }
}

/// How a one-time token is kept in its `verification` row (`one-time-token:<stored>`).
#[derive(Clone, Default)]
pub enum TokenStorage {
    /// As handed out (better-auth's default).
    #[default]
    Plain,
    /// `base64url(SHA-256(token))` without padding, as better-auth's `"hashed"`.
    Hashed,
    /// The hasher's answer (better-auth's `{ type: "custom-hasher", hash }`); any
    /// `Fn(&str) -> String` is one.
    CustomHasher(Arc<dyn TokenHasher>),
}

impl TokenStorage {
    /// A custom hasher.
    pub fn custom_hasher(hasher: impl TokenHasher) -> Self {
        Self::CustomHasher(Arc::new(hasher))
    }
}

impl std::fmt::Debug for TokenStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Plain => "Plain",
            Self::Hashed => "Hashed",
            Self::CustomHasher(_) => "CustomHasher(..)",
        })
    }
}

/// Turns a one-time token into what its `verification` row is named by.
pub trait TokenHasher: Send + Sync + 'static {
    /// The stored form of `token` (the same token must always give the same answer).
    fn hash(&self, token: &str) -> String;
}

impl<F: Fn(&str) -> String + Send + Sync + 'static> TokenHasher for F {
    fn hash(&self, token: &str) -> String {
        self(token)
    }
}

/// Makes one-time tokens (better-auth's `generateToken`).
pub trait TokenGenerator: Send + Sync + 'static {
    /// A new token for `session`: unguessable, and never one handed out before.
    fn generate(&self, session: &SessionData) -> String;
}

impl<F: Fn(&SessionData) -> String + Send + Sync + 'static> TokenGenerator for F {
    fn generate(&self, session: &SessionData) -> String {
        self(session)
    }
}

impl std::fmt::Debug for dyn TokenGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenGenerator(..)")
    }
}
