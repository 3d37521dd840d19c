//! Social sign-in: OAuth 2.0 and OpenID Connect providers, as better-auth 1.7.25's
//! `socialProviders` and `genericOAuth` configure them, behind its routes
//! (`/sign-in/social`, `/callback/{id}`, `/link-social`, `/get-access-token`,
//! `/refresh-token`, `/account-info`).
//!
//! The protocol mechanics come from crates: `oauth2` builds the authorization URL (state,
//! PKCE S256) and runs the code exchange and refresh, `jsonwebtoken` verifies ID tokens
//! against the provider's key set; this module holds better-auth's rules around them.
//!
//! ```no_run
//! use keyward_server::social::SocialProvider;
//! use keyward_server::{Auth, Config};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = Config::builder()
//!     .secret(std::env::var("BETTER_AUTH_SECRET")?)
//!     .base_url("https://auth.example.com".parse()?)
//!     .database_url("sqlite://auth.db")
//!     .trusted_origins(["https://app.example.com"])
//!     .build()?;
//! config.social_providers.push(SocialProvider::github(
//!     &std::env::var("GITHUB_CLIENT_ID")?,
//!     std::env::var("GITHUB_CLIENT_SECRET")?,
//! ));
//! // Users with a verified address at the provider join the local account of that address.
//! config.account.account_linking.trusted_providers.push("github".into());
//! let app = axum::Router::new().merge(Auth::new(config).await?.router());
//! # let _ = app; Ok(()) }
//! ```

mod endpoints;
mod http;
mod id_token;
mod oauth;
mod profile;
mod provider;
pub(crate) mod state;
pub(crate) mod user_info;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OnceCell;

pub(crate) use endpoints::Endpoints;
pub use http::ProviderError;
pub(crate) use http::ProviderHttp;
pub(crate) use id_token::{Expectations, IdTokenError, KeyCache};
pub(crate) use oauth::{AuthorizationRequest, ProviderTokens, RESERVED_PARAMS};
pub(crate) use profile::ProviderProfile;
pub use provider::{ProviderKind, SocialProvider, TokenAuth};

use crate::crypto::symmetric::EncryptionKeys;
use crate::crypto::{hex, random_string};
use keyward_client::wire::routes::{Route, SocialCallback};

/// better-auth's `generateRandomString` alphabet (`a-z0-9A-Z-_`): states, PKCE
/// verifiers and nonces.
pub(crate) const STATE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// A random state, verifier or nonce of `len` characters.
pub(crate) fn random_token(len: usize) -> String {
    random_string(len, STATE_ALPHABET)
}

/// A configured provider with what is learned about it at run time.
pub(crate) struct Provider {
    pub config: SocialProvider,
    endpoints: OnceCell<Arc<Endpoints>>,
    pub keys: KeyCache,
}

/// Every configured provider and the HTTP client that talks to them.
pub(crate) struct Providers {
    list: Vec<Arc<Provider>>,
    pub http: ProviderHttp,
}

impl Providers {
    /// The providers of `configs`, whose calls give up after `timeout`.
    pub fn new(configs: &[SocialProvider], timeout: Duration) -> Self {
        Self {
            list: configs
                .iter()
                .map(|config| {
                    Arc::new(Provider {
                        config: config.clone(),
                        endpoints: OnceCell::new(),
                        keys: KeyCache::default(),
                    })
                })
                .collect(),
            http: ProviderHttp::new(timeout),
        }
    }

    /// The provider with id `id`.
    pub fn get(&self, id: &str) -> Option<Arc<Provider>> {
        self.list.iter().find(|p| p.config.id == id).cloned()
    }
}

impl Provider {
    /// Its endpoints; a discovery document is fetched once, and again after a failure.
    pub async fn endpoints(&self, http: &ProviderHttp) -> Result<Arc<Endpoints>, ProviderError> {
        self.endpoints
            .get_or_try_init(|| async { endpoints::resolve(&self.config, http).await.map(Arc::new) })
            .await
            .cloned()
    }

    /// The redirect URI registered at the provider.
    pub fn redirect_uri(&self, auth_url: &str) -> String {
        self.config
            .redirect_uri
            .clone()
            .unwrap_or_else(|| format!("{auth_url}{}", SocialCallback::path_with(&self.config.id)))
    }

    /// Whether `POST /sign-in/social` takes an ID token of this provider.
    pub fn supports_id_token(&self, endpoints: &Endpoints) -> bool {
        endpoints.id_token.is_some() && !self.config.disable_id_token_sign_in
    }

    /// Facebook's limited-login tokens may be opaque (not a JWT): the profile of one,
    /// after `debug_token` said it is valid and this app's (better-auth's
    /// `allowOpaqueToken`). `None` for other providers' tokens and for JWTs.
    pub async fn opaque_token_profile(&self, http: &ProviderHttp, token: &str) -> Option<Option<ProviderProfile>> {
        if !matches!(self.config.kind, ProviderKind::Facebook) || token.split('.').count() == 3 {
            return None;
        }
        let secret = self
            .config
            .client_secret
            .as_ref()
            .map(|s| s.expose())
            .unwrap_or_default();
        Some(profile::facebook_opaque(http, token, &self.config.audiences(), secret).await)
    }

    /// Whether the authorization request binds a nonce to the ID token (generic
    /// providers with a key set).
    pub fn binds_nonce(&self, endpoints: &Endpoints) -> bool {
        self.config.is_generic() && endpoints.id_token.is_some() && !self.config.disable_id_token_nonce_binding
    }

    /// Verifies an ID token of this provider.
    pub async fn verify_id_token(
        &self,
        http: &ProviderHttp,
        endpoints: &Endpoints,
        token: &str,
        nonce: Option<&str>,
    ) -> Result<serde_json::Map<String, serde_json::Value>, IdTokenError> {
        let Some(rules) = &endpoints.id_token else {
            return Err(IdTokenError::Invalid("the provider publishes no keys".into()));
        };
        let audiences = self.config.audiences();
        let expect = Expectations {
            audiences: &audiences,
            nonce,
            accept_hashed_nonce: matches!(self.config.kind, ProviderKind::Apple),
        };
        id_token::verify(token, rules, &expect, &self.keys, http).await
    }

    /// The provider's profile of the user the tokens belong to.
    pub async fn profile(
        &self,
        http: &ProviderHttp,
        endpoints: &Endpoints,
        tokens: &ProviderTokens,
        verified_claims: Option<serde_json::Map<String, serde_json::Value>>,
        apple_user: Option<&serde_json::Value>,
    ) -> Option<ProviderProfile> {
        profile::fetch(
            &self.config.kind,
            endpoints.user_info.as_deref(),
            http,
            tokens,
            verified_claims,
            apple_user,
        )
        .await
    }

    /// The authorization URL of one flow.
    pub fn authorization_url(
        &self,
        endpoints: &Endpoints,
        request: &AuthorizationRequest<'_>,
    ) -> Result<url::Url, ProviderError> {
        oauth::authorization_url(&self.config, endpoints, request)
    }

    /// Exchanges an authorization code.
    pub async fn exchange_code(
        &self,
        http: &ProviderHttp,
        endpoints: &Endpoints,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<ProviderTokens, ProviderError> {
        oauth::exchange_code(&self.config, endpoints, http, code, code_verifier, redirect_uri).await
    }

    /// Refreshes an access token.
    pub async fn refresh(
        &self,
        http: &ProviderHttp,
        endpoints: &Endpoints,
        refresh_token: &str,
        redirect_uri: &str,
    ) -> Result<ProviderTokens, ProviderError> {
        oauth::refresh(&self.config, endpoints, http, refresh_token, redirect_uri).await
    }
}

/// better-auth's `derivePurposeKey`: HKDF-SHA256 of the secret for one purpose, as hex,
/// used in turn as a secret of [`EncryptionKeys`].
pub(crate) fn purpose_keys(secret: &str, purpose: &str) -> EncryptionKeys {
    EncryptionKeys::Single(purpose_key(secret, purpose))
}

fn purpose_key(secret: &str, purpose: &str) -> String {
    let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"better-auth:oauth-encryption:v1"), secret.as_bytes());
    let mut key = [0u8; 32];
    let info = format!("better-auth:{purpose}:v1");
    hkdf.expand(info.as_bytes(), &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    hex(&key)
}

/// better-auth's `isLikelyEncrypted`: a `$ba$` envelope, or even-length hex.
fn looks_encrypted(token: &str) -> bool {
    token.starts_with("$ba$")
        || (token.len().is_multiple_of(2) && !token.is_empty() && token.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Provider tokens at rest: encrypted with the server's keys when
/// `account.encryptOAuthTokens` is on (better-auth's `setTokenUtil`), else as given.
#[derive(Clone, Debug)]
pub(crate) struct TokenVault<'a> {
    pub encrypt: bool,
    pub keys: &'a EncryptionKeys,
}

impl<'a> TokenVault<'a> {
    /// The vault of `auth`: its keys, and whether `account.encryptOAuthTokens` is on.
    pub fn of(auth: &'a crate::Auth) -> Self {
        Self {
            encrypt: auth.0.config.account.encrypt_oauth_tokens,
            keys: &auth.0.encryption,
        }
    }

    /// The form a token is stored in.
    pub fn seal(&self, token: Option<&str>) -> Option<String> {
        let token = token.filter(|t| !t.is_empty())?;
        Some(if self.encrypt {
            self.keys.encrypt(token)
        } else {
            token.to_owned()
        })
    }

    /// A stored token in clear (values written before encryption was turned on, or by a
    /// server without it, are read as they are).
    pub fn open(&self, stored: Option<&str>) -> Option<String> {
        let stored = stored?;
        if self.encrypt && looks_encrypted(stored) {
            self.keys.decrypt(stored).ok()
        } else {
            Some(stored.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purpose_keys_are_better_auths() {
        let secret = "a-very-long-secret-value-for-testing-purposes-1234567890";
        // better-auth 1.7.25's derivePurposeKey(secret, "oauth-link-session-token").
        assert_eq!(
            purpose_key(secret, "oauth-link-session-token"),
            "a098791be9102c9d2fd9afb155510cb245214df96302422fe452064fd452e40d"
        );
        let keys = purpose_keys(secret, "oauth-link-session-token");
        let sealed = keys.encrypt("session-token");
        assert_eq!(keys.decrypt(&sealed).expect("round trip"), "session-token");
    }

    #[test]
    fn tokens_are_sealed_only_when_configured_and_old_clear_values_stay_readable() {
        let keys = EncryptionKeys::Single("a-very-long-secret-value-for-testing-purposes-1234567890".into());
        let on = TokenVault {
            encrypt: true,
            keys: &keys,
        };
        let sealed = on.seal(Some("gho_abc")).expect("sealed");
        assert_ne!(sealed, "gho_abc");
        assert_eq!(on.open(Some(&sealed)).as_deref(), Some("gho_abc"));
        assert_eq!(on.open(Some("ya29.clear-token")).as_deref(), Some("ya29.clear-token"));
        let off = TokenVault {
            encrypt: false,
            keys: &keys,
        };
        assert_eq!(off.seal(Some("gho_abc")).as_deref(), Some("gho_abc"));
        assert_eq!(off.seal(Some("")), None);
    }
}
