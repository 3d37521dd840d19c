//! The jwt plugin's options (better-auth `jwt(options)`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use keyward_client::wire::SessionData;

/// The jwt plugin (better-auth `jwt`): `GET /token`, `GET /jwks`, the `set-auth-jwt`
/// header on `/get-session`, and the `jwks` table of signing keys.
///
/// ```
/// use std::time::Duration;
/// use keyward_server::config::{JwtConfig, JwtKeyAlgorithm};
///
/// let jwt = JwtConfig::default()
///     .algorithm(JwtKeyAlgorithm::Es256)
///     .issuer("https://auth.example.com")
///     .audience(["https://api.example.com"])
///     .expiration_time(Duration::from_secs(600))
///     .rotation_interval(Duration::from_secs(30 * 24 * 3600));
/// assert_eq!(jwt.grace_period, Duration::from_secs(30 * 24 * 3600));
/// ```
#[derive(Clone, Debug)]
pub struct JwtConfig {
    /// The algorithm of new keys (`jwks.keyPairConfig.alg`, default EdDSA over Ed25519).
    pub algorithm: JwtKeyAlgorithm,
    /// Private keys are stored as plain JWK JSON instead of encrypted with the secret
    /// (`jwks.disablePrivateKeyEncryption`).
    pub disable_private_key_encryption: bool,
    /// A key signs for this long, then the next signature makes a new one
    /// (`jwks.rotationInterval`; `None`: keys never expire).
    pub rotation_interval: Option<Duration>,
    /// How long an expired key stays in `/jwks`, for the tokens it signed
    /// (`jwks.gracePeriod`, default 30 days).
    pub grace_period: Duration,
    /// The `iss` claim (`jwt.issuer`; default the base URL's origin).
    pub issuer: Option<String>,
    /// The `aud` claim: one audience is a string, several an array (`jwt.audience`;
    /// default the base URL's origin).
    pub audience: Vec<String>,
    /// How long a token lives (`jwt.expirationTime`, default 15 minutes).
    pub expiration_time: Duration,
    /// The claims of a session's token (`jwt.definePayload`; default the user).
    pub define_payload: Option<Arc<dyn JwtPayload>>,
    /// No `set-auth-jwt` header on `/get-session` (`disableSettingJwtHeader`).
    pub disable_setting_jwt_header: bool,
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            algorithm: JwtKeyAlgorithm::EdDsa,
            disable_private_key_encryption: false,
            rotation_interval: None,
            grace_period: Duration::from_secs(30 * 24 * 3600),
            issuer: None,
            audience: Vec::new(),
            expiration_time: Duration::from_secs(15 * 60),
            define_payload: None,
            disable_setting_jwt_header: false,
        }
    }
}

impl JwtConfig {
    /// Sets the algorithm of new keys.
    pub fn algorithm(mut self, algorithm: JwtKeyAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Stores private keys unencrypted.
    pub fn disable_private_key_encryption(mut self) -> Self {
        self.disable_private_key_encryption = true;
        self
    }

    /// Makes a new key after `every`.
    pub fn rotation_interval(mut self, every: Duration) -> Self {
        self.rotation_interval = Some(every);
        self
    }

    /// Keeps expired keys in `/jwks` for `grace`.
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.grace_period = grace;
        self
    }

    /// Sets the `iss` claim.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets the `aud` claim.
    pub fn audience<I: Into<String>>(mut self, audience: impl IntoIterator<Item = I>) -> Self {
        self.audience = audience.into_iter().map(Into::into).collect();
        self
    }

    /// Sets how long a token lives.
    pub fn expiration_time(mut self, lifetime: Duration) -> Self {
        self.expiration_time = lifetime;
        self
    }

    /// Makes a session's claims with `payload` instead of the user.
    pub fn define_payload(mut self, payload: impl JwtPayload) -> Self {
        self.define_payload = Some(Arc::new(payload));
        self
    }

    /// Sends no `set-auth-jwt` header.
    pub fn disable_setting_jwt_header(mut self) -> Self {
        self.disable_setting_jwt_header = true;
        self
    }
}

/// The algorithm of the signing keys (better-auth's `keyPairConfig.alg`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JwtKeyAlgorithm {
    /// EdDSA over Ed25519 (better-auth's default).
    #[default]
    EdDsa,
    /// ECDSA over P-256 with SHA-256.
    Es256,
    /// ECDSA over P-521 with SHA-512.
    Es512,
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys.
    Rs256,
    /// RSASSA-PSS with SHA-256, 2048-bit keys.
    Ps256,
}

impl JwtKeyAlgorithm {
    /// The JOSE name (`EdDSA`, `ES256`, `ES512`, `RS256`, `PS256`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Es512 => "ES512",
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
        }
    }

    /// The algorithm named `name`; `None` for one better-auth does not offer.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::EdDsa, Self::Es256, Self::Es512, Self::Rs256, Self::Ps256]
            .into_iter()
            .find(|alg| alg.as_str() == name)
    }
}

/// Makes the claims of a session's token (better-auth's `definePayload`); `iat`, `sub`,
/// `exp`, `iss` and `aud` are added around them unless present.
///
/// ```
/// use keyward_server::config::JwtPayload;
/// use keyward_client::wire::SessionData;
/// use serde_json::{Map, Value, json};
///
/// struct RoleOnly;
///
/// impl JwtPayload for RoleOnly {
///     fn payload(&self, session: &SessionData) -> Map<String, Value> {
///         let mut claims = Map::new();
///         claims.insert("email".into(), json!(session.user.email));
///         claims.insert("role".into(), session.user.additional.get("role").cloned().unwrap_or(Value::Null));
///         claims
///     }
/// }
/// ```
pub trait JwtPayload: Send + Sync + 'static {
    /// The claims for `session`.
    fn payload(&self, session: &SessionData) -> Map<String, Value>;
}

impl<F: Fn(&SessionData) -> Map<String, Value> + Send + Sync + 'static> JwtPayload for F {
    fn payload(&self, session: &SessionData) -> Map<String, Value> {
        self(session)
    }
}

impl std::fmt::Debug for dyn JwtPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtPayload(..)")
    }
}
