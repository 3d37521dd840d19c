//! Authenticates the callers of a Rust service that is not the auth server, against a
//! better-auth compatible server (Keyward, or better-auth itself) with the jwt plugin.
//!
//! A caller sends `Authorization: Bearer <JWT>` with a token the auth server signed
//! (`GET /token`, or the `set-auth-jwt` header of `/get-session`). The [`Verifier`] checks
//! it against the server's published keys (`GET /jwks`), fetched on first use, fetched
//! again when a token names a key it does not know (a rotated key), and at most every
//! [`VerifierBuilder::max_key_age`] otherwise, so a removed key stops verifying within
//! that bound. No request goes to the auth server for a token whose key is cached.
//!
//! With [`VerifierBuilder::accept_sessions`] a caller may also present a session token
//! (`Authorization: Bearer <session token>`) or the auth server's session cookie: those
//! are asked of the server's `/get-session`, the answer cached per credential for the
//! given time, and callers asking about one credential at once share one request.
//!
//! With [`VerifierBuilder::accept_api_keys`] a caller may present an API key
//! (`x-api-key`, the api-key plugin's header) instead: the key is checked by the auth
//! server (`/get-session` with the key, which needs `enableSessionForAPIKeys` there, then
//! `/api-key/get` for its permissions), and the answer kept per key for the given time.
//! Each check the server sees spends uses of the key and counts against its rate limit,
//! as any request with the key does: the cache keeps that to two requests per key per
//! `ttl`.
//!
//! In an axum service, the [`Authenticated`] extractor gives a handler its caller (a
//! `401` with better-auth's `{message, code}` otherwise), and the [`RequireCaller`]
//! layer guards whole routers.
//!
//! ```no_run
//! # async fn run() -> Result<(), keyward_verifier::VerifyError> {
//! use keyward_verifier::Verifier;
//!
//! let verifier = Verifier::builder("https://auth.example.com".parse().unwrap())
//!     .audience("https://auth.example.com")
//!     .build()?;
//! let caller = verifier.verify_jwt("eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9…").await?;
//! println!("user {} ({:?})", caller.user_id, caller.claims.get("email"));
//! # Ok(()) }
//! ```

mod api_keys;
#[cfg(feature = "axum")]
mod axum;
mod cache;
pub mod jose;
mod jwks;
mod sessions;

#[cfg(feature = "axum")]
pub use axum::{Authenticated, RequireCaller, RequireCallerService, Unauthorized};
pub use sessions::SessionCredential;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use url::Url;

use api_keys::ApiKeyCache;
use jwks::KeyCache;
use keyward_client::wire::{API_KEY_HEADER, ApiKey, Session};
use sessions::SessionCache;

/// Why a caller was refused.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Not a compact JWS, or a header without `kid`.
    #[error("the token is malformed")]
    Malformed,
    /// No published key has the token's `kid` (also after fetching the keys again).
    #[error("no published key signed the token")]
    UnknownKey,
    /// A bad signature, an algorithm other than the key's (`none` included), an expired
    /// token, or the wrong issuer or audience.
    #[error("the token is invalid: {0}")]
    Invalid(String),
    /// The auth server's keys could not be fetched or read.
    #[error("the auth server's keys are unavailable: {0}")]
    KeysUnavailable(String),
    /// The session is unknown, expired or revoked.
    #[error("no live session")]
    NoSession,
    /// Sessions are not accepted ([`VerifierBuilder::accept_sessions`] is off).
    #[error("session credentials are not accepted here")]
    SessionsNotAccepted,
    /// The auth server could not be asked about a session.
    #[error("the auth server's sessions are unavailable: {0}")]
    SessionsUnavailable(String),
    /// The auth server refused the API key: `INVALID_API_KEY`, `KEY_DISABLED`,
    /// `KEY_EXPIRED` (401), `RATE_LIMITED`, `USAGE_EXCEEDED` (429) ….
    #[error("the API key is refused ({status} {code}): {message}")]
    ApiKeyRefused {
        /// The auth server's status.
        status: u16,
        /// Its error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// API keys are not accepted ([`VerifierBuilder::accept_api_keys`] is off).
    #[error("API keys are not accepted here")]
    ApiKeysNotAccepted,
    /// The auth server could not be asked about an API key.
    #[error("the auth server's API keys are unavailable: {0}")]
    ApiKeysUnavailable(String),
    /// The verifier's configuration is unusable.
    #[error("invalid verifier configuration: {0}")]
    Config(String),
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq)]
pub struct Caller {
    /// The user's id (`sub`).
    pub user_id: String,
    /// Every claim of the token (the user's fields unless the server defines its own);
    /// for a session, the user's fields.
    pub claims: Map<String, Value>,
    /// The session, when the caller presented one (not a JWT); for an API key, the
    /// session the auth server made of it (its `id` is the key's).
    pub session: Option<Session>,
    /// The API key the caller presented, as the auth server describes it: its name,
    /// permissions, metadata, uses left (never the key itself).
    pub api_key: Option<ApiKey>,
}

impl Caller {
    /// The caller of a session the auth server answered: the user's fields as claims.
    fn of_session(data: keyward_client::wire::SessionData, api_key: Option<ApiKey>) -> Self {
        let claims = match serde_json::to_value(&data.user) {
            Ok(Value::Object(user)) => user,
            _ => Map::new(),
        };
        Caller {
            user_id: data.user.id,
            claims,
            session: Some(data.session),
            api_key,
        }
    }

    /// Whether the caller's API key grants every action of `permissions` (`false` for a
    /// caller without a key): better-auth's check of a key's permissions.
    pub fn key_allows(&self, permissions: &keyward_client::wire::organization::access::Permissions) -> bool {
        use keyward_client::wire::organization::access::Role;
        self.api_key
            .as_ref()
            .and_then(|key| key.permissions.clone())
            .is_some_and(|granted| Role::new(granted).authorize(permissions))
    }
}

/// Builds a [`Verifier`].
#[derive(Debug)]
pub struct VerifierBuilder {
    auth_url: Url,
    base_path: String,
    issuer: Option<String>,
    audience: Option<Vec<String>>,
    max_key_age: Duration,
    min_refresh_interval: Duration,
    session_ttl: Option<Duration>,
    api_key_ttl: Option<Duration>,
    api_key_header: String,
    http: Option<reqwest::Client>,
}

impl VerifierBuilder {
    /// Also accepts API keys in `x-api-key` (or [`VerifierBuilder::api_key_header`]),
    /// checked by the auth server and trusted for `ttl` (a deleted or disabled key keeps
    /// working here for at most that long).
    pub fn accept_api_keys(mut self, ttl: Duration) -> Self {
        self.api_key_ttl = Some(ttl);
        self
    }

    /// The header API keys come in (the auth server's `apiKeyHeaders`; `x-api-key`).
    pub fn api_key_header(mut self, name: impl Into<String>) -> Self {
        self.api_key_header = name.into();
        self
    }

    /// Also accepts session tokens (`Authorization: Bearer <session token>`) and the
    /// auth server's session cookie, checked through its `/get-session` and trusted for
    /// `ttl` (a revoked session keeps working here for at most that long).
    pub fn accept_sessions(mut self, ttl: Duration) -> Self {
        self.session_ttl = Some(ttl);
        self
    }

    /// Where the auth server mounts its endpoints (`/api/auth`).
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = path.into();
        self
    }

    /// The `iss` tokens must have (default: the auth server's origin, the servers'
    /// default issuer).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// An `aud` tokens must name (default: the auth server's origin); call again for
    /// several accepted audiences.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience.get_or_insert_with(Vec::new).push(audience.into());
        self
    }

    /// How long fetched keys are trusted before they are fetched again (default five
    /// minutes): the bound on how long a removed key keeps verifying.
    pub fn max_key_age(mut self, age: Duration) -> Self {
        self.max_key_age = age;
        self
    }

    /// The least time between two fetches caused by unknown `kid`s (default ten
    /// seconds), so forged `kid`s cannot make the verifier flood the auth server.
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// The HTTP client that fetches the keys (default: a new rustls client).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The verifier.
    pub fn build(self) -> Result<Verifier, VerifyError> {
        let origin = self.auth_url.origin().ascii_serialization();
        let endpoint = |path: &str| {
            self.auth_url
                .join(&format!("{}{path}", self.base_path.trim_end_matches('/')))
                .map_err(|error| VerifyError::Config(error.to_string()))
        };
        let jwks_url = endpoint("/jwks")?;
        let session_url = endpoint("/get-session")?;
        let key_url = endpoint("/api-key/get")?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(|error| VerifyError::Config(error.to_string()))?,
        };
        Ok(Verifier(Arc::new(Inner {
            api_keys: self
                .api_key_ttl
                .map(|ttl| ApiKeyCache::new(http.clone(), session_url.clone(), key_url, self.api_key_header, ttl)),
            sessions: self
                .session_ttl
                .map(|ttl| SessionCache::new(http.clone(), session_url, ttl)),
            keys: KeyCache::new(http, jwks_url, self.max_key_age, self.min_refresh_interval),
            issuer: self.issuer.unwrap_or_else(|| origin.clone()),
            audience: self.audience.unwrap_or_else(|| vec![origin]),
        })))
    }
}

struct Inner {
    keys: KeyCache,
    sessions: Option<SessionCache>,
    api_keys: Option<ApiKeyCache>,
    issuer: String,
    audience: Vec<String>,
}

/// Checks callers' tokens against an auth server's keys. Cheap to clone; share one per
/// service.
#[derive(Clone)]
pub struct Verifier(Arc<Inner>);

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuer", &self.0.issuer)
            .field("audience", &self.0.audience)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for the auth server at `auth_url` (its origin; the endpoints are under
    /// `/api/auth` unless [`VerifierBuilder::base_path`] says otherwise).
    pub fn builder(auth_url: Url) -> VerifierBuilder {
        VerifierBuilder {
            auth_url,
            base_path: keyward_client::wire::DEFAULT_BASE_PATH.to_owned(),
            issuer: None,
            audience: None,
            max_key_age: Duration::from_secs(300),
            min_refresh_interval: Duration::from_secs(10),
            session_ttl: None,
            api_key_ttl: None,
            api_key_header: API_KEY_HEADER.to_owned(),
            http: None,
        }
    }

    /// The caller a token names, when one of the auth server's published keys signed it
    /// with that key's algorithm, it has not expired, and its issuer and audience are the
    /// expected ones.
    pub async fn verify_jwt(&self, token: &str) -> Result<Caller, VerifyError> {
        let key = self.0.keys.key(&jose::key_id(token)?).await?;
        let expected = jose::ExpectedClaims {
            issuers: vec![self.0.issuer.clone()],
            audiences: self.0.audience.clone(),
            required: &["exp", "sub"],
        };
        let claims = jose::verify(token, &key, &expected)?;
        let user_id = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or_else(|| VerifyError::Invalid("`sub` is not a string".into()))?
            .to_owned();
        Ok(Caller {
            user_id,
            claims,
            session: None,
            api_key: None,
        })
    }

    /// The caller a session token or cookie holds, asked of the auth server's
    /// `/get-session` (or answered from the cache while fresh).
    pub async fn verify_session(&self, credential: &SessionCredential) -> Result<Caller, VerifyError> {
        let sessions = self.0.sessions.as_ref().ok_or(VerifyError::SessionsNotAccepted)?;
        let data = sessions.session(credential).await?.ok_or(VerifyError::NoSession)?;
        Ok(Caller::of_session(data, None))
    }

    /// The caller an API key stands for, with the key's description, asked of the auth
    /// server (or answered from the cache while fresh).
    pub async fn verify_api_key(&self, key: &str) -> Result<Caller, VerifyError> {
        let api_keys = self.0.api_keys.as_ref().ok_or(VerifyError::ApiKeysNotAccepted)?;
        let (data, details) = api_keys.check(key).await?;
        Ok(Caller::of_session(data, Some(details)))
    }

    /// The header API keys come in, when they are accepted.
    pub fn api_key_header(&self) -> Option<&str> {
        self.0.api_keys.as_ref().map(ApiKeyCache::header)
    }

    /// The caller of a request's `Authorization` or `Cookie` header: a bearer JWT is
    /// checked locally, any other bearer token and the cookies as a session (when
    /// sessions are accepted).
    pub async fn verify_headers(
        &self,
        authorization: Option<&str>,
        cookie: Option<&str>,
    ) -> Result<Caller, VerifyError> {
        let bearer = authorization
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|token| !token.is_empty());
        match (bearer, cookie.filter(|cookie| !cookie.is_empty())) {
            (Some(token), _) if token.split('.').count() == 3 => self.verify_jwt(token).await,
            (Some(token), _) => self.verify_session(&SessionCredential::Bearer(token.to_owned())).await,
            (None, Some(cookie)) if self.0.sessions.is_some() => {
                self.verify_session(&SessionCredential::Cookie(cookie.to_owned())).await
            }
            _ => Err(VerifyError::Malformed),
        }
    }

    /// How many times sessions were asked of the auth server (for tests and metrics).
    pub fn session_fetches(&self) -> u64 {
        self.0.sessions.as_ref().map_or(0, SessionCache::fetches)
    }

    /// How many API keys were asked of the auth server (for tests and metrics).
    pub fn api_key_fetches(&self) -> u64 {
        self.0.api_keys.as_ref().map_or(0, ApiKeyCache::fetches)
    }

    /// How many times the keys were fetched (for tests and metrics).
    pub fn key_fetches(&self) -> u64 {
        self.0.keys.fetches()
    }
}
