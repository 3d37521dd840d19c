//! Typed configuration, built in code ([`Config::builder`]) or read from the environment
//! ([`Config::from_env`]; every variable is in [`ENV_VARIABLES`] and the README's table).
//! Option names follow better-auth's where one exists.

pub(crate) mod env;
mod options;

use std::time::Duration;

use url::Url;

use keyward_client::wire::DEFAULT_BASE_PATH;

pub use crate::plugins::admin::AdminConfig;
pub use crate::plugins::anonymous::{
    AnonymousConfig, AnonymousEmailGenerator, AnonymousLink, AnonymousNameGenerator, OnLinkAccount,
};
pub use crate::plugins::api_key::{ApiKeyConfig, ApiKeyExpiration, ApiKeyOwner, ApiKeyRateLimit};
pub use crate::plugins::device_authorization::{
    ClientValidator, CodeGenerator, DeviceAuthRequestHook, DeviceAuthorizationConfig,
};
pub use crate::plugins::electron::ElectronConfig;
pub use crate::plugins::email_otp::{
    EmailOtpChangeEmail, EmailOtpCipher, EmailOtpConfig, EmailOtpGenerator, EmailOtpStorage, ResendStrategy,
    VerificationOtp, VerificationOtpSender,
};
pub use crate::plugins::jwt::{JwtConfig, JwtKeyAlgorithm, JwtPayload};
pub use crate::plugins::last_login_method::{BeforeStoreCookie, LastLoginMethodConfig, ResolveLoginMethod};
pub use crate::plugins::magic_link::{MagicLink, MagicLinkConfig, MagicLinkSender, MagicLinkTokenGenerator};
pub use crate::plugins::multi_session::MultiSessionConfig;
pub use crate::plugins::one_time_token::{OneTimeTokenConfig, TokenGenerator, TokenHasher, TokenStorage};
pub use crate::plugins::open_api::OpenApiConfig;
pub use crate::plugins::organization::{DynamicAccessControlConfig, OrganizationConfig, TeamsConfig};
pub use crate::plugins::passkey::PasskeyConfig;
pub use crate::plugins::phone_number::{
    DevSmsSender, FromPhoneNumber, OnPhoneNumberVerified, OtpVerifier, PhoneNumberConfig, PhoneNumberValidator,
    SignUpOnVerification, Sms, SmsError, SmsKind, SmsRequest, SmsSender, is_e164,
};
pub use crate::plugins::two_factor::{
    AccountLockoutConfig, BackupCodeConfig, BackupCodeStorage, OtpConfig, OtpStorage, TotpConfig, TwoFactorConfig,
};
pub use crate::plugins::username::{
    Normalization, Order, UsernameConfig, UsernameNormalizer, UsernameValidator, ValidationOrder,
};
pub use env::{ENV_VARIABLES, EnvVariable};
pub use options::{
    AccountConfig, AccountLinkingConfig, AdditionalField, AdvancedConfig, ChangeEmailConfig, CookieCacheConfig,
    DeleteUserConfig, EmailPasswordConfig, EmailTransportConfig, EmailVerificationConfig, RateLimitConfig,
    RateLimitRule, SessionConfig, StateStrategy, TrustedProxy, UserConfig,
};

/// better-auth's development fallback secret. Keyward uses it only in debug builds when
/// no secret is configured, and says so loudly.
pub const DEVELOPMENT_SECRET: &str = "better-auth-secret-12345678901234567890";

/// A configuration mistake, reported before the server starts.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No secret in a release build.
    #[error(
        "BETTER_AUTH_SECRET is not set. A release build refuses to start without a secret; \
         generate one with `keyward-server secret` and export it as BETTER_AUTH_SECRET"
    )]
    MissingSecret,
    /// A secret too short to be safe.
    #[error("the secret must be at least 32 characters long (BETTER_AUTH_SECRET)")]
    WeakSecret,
    /// `BETTER_AUTH_SECRETS` or the versioned secrets given to the builder are unusable.
    #[error("the versioned secrets (BETTER_AUTH_SECRETS) are invalid: {0}")]
    InvalidSecrets(String),
    /// An environment variable that does not parse.
    #[error("{name} is invalid: {reason}")]
    InvalidVariable {
        /// The variable.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Signing and encryption secret (`BETTER_AUTH_SECRET`, or the current one of
    /// `BETTER_AUTH_SECRETS`).
    pub secret: String,
    /// Versioned secrets, newest first (`BETTER_AUTH_SECRETS="2:new,1:old"`): new values
    /// are encrypted with the first, older ones stay readable.
    pub versioned_secrets: Vec<(u32, String)>,
    /// With versioned secrets: the former single secret, for values encrypted before them.
    pub legacy_secret: Option<String>,
    /// Whether `secret` is the development fallback.
    pub using_development_secret: bool,
    /// The public origin of the server (`BETTER_AUTH_URL`).
    pub base_url: Url,
    /// Where the endpoints are mounted (`/api/auth`).
    pub base_path: String,
    /// `sqlite://path` or `postgres://…` (`DATABASE_URL`).
    pub database_url: String,
    /// Extra trusted origins (`BETTER_AUTH_TRUSTED_ORIGINS`, comma separated).
    pub trusted_origins: Vec<String>,
    /// Application name (TOTP issuer, email subjects).
    pub app_name: String,
    /// TCP port for `serve` (`PORT`).
    pub port: u16,
    /// Maximum request body size in bytes.
    pub body_limit: usize,
    /// Deadlines for reading a request and the cap on open connections.
    pub connection_limits: ConnectionLimits,
    /// Answer CORS requests from trusted origins (needed by browser apps on another origin).
    pub cors: bool,
    /// Where `/error` redirects (better-auth `onAPIError.errorURL`); `None` renders a page.
    pub error_url: Option<String>,
    /// `emailAndPassword`.
    pub email_and_password: EmailPasswordConfig,
    /// `emailVerification`.
    pub email_verification: EmailVerificationConfig,
    /// `user`.
    pub user: UserConfig,
    /// `session`.
    pub session: SessionConfig,
    /// `account`.
    pub account: AccountConfig,
    /// Social sign-in providers (better-auth's `socialProviders` and `genericOAuth`;
    /// `GITHUB_CLIENT_ID` … in the environment).
    pub social_providers: Vec<crate::social::SocialProvider>,
    /// How long a call to a provider (token, user info, keys, discovery) may take
    /// (`KEYWARD_PROVIDER_TIMEOUT`, seconds; 10 s).
    pub provider_timeout: Duration,
    /// `rateLimit`.
    pub rate_limit: RateLimitConfig,
    /// `advanced`.
    pub advanced: AdvancedConfig,
    /// Email transport from the environment.
    pub email: EmailTransportConfig,
    /// The two-factor plugin, when enabled.
    pub two_factor: Option<TwoFactorConfig>,
    /// The organization plugin, when enabled.
    pub organization: Option<OrganizationConfig>,
    /// The passkey plugin, when enabled.
    pub passkey: Option<PasskeyConfig>,
    /// The admin plugin, when enabled.
    pub admin: Option<AdminConfig>,
    /// The one-time-token plugin, when enabled.
    pub one_time_token: Option<OneTimeTokenConfig>,
    /// The electron plugin, when enabled.
    pub electron: Option<ElectronConfig>,
    /// The device-authorization plugin, when enabled.
    pub device_authorization: Option<DeviceAuthorizationConfig>,
    /// The last-login-method plugin, when enabled.
    pub last_login_method: Option<LastLoginMethodConfig>,
    /// The magic-link plugin, when enabled.
    pub magic_link: Option<MagicLinkConfig>,
    /// The email-OTP plugin, when enabled.
    pub email_otp: Option<EmailOtpConfig>,
    /// The username plugin, when enabled.
    pub username: Option<UsernameConfig>,
    /// The phone-number plugin, when enabled.
    pub phone_number: Option<PhoneNumberConfig>,
    /// The anonymous plugin, when enabled.
    pub anonymous: Option<AnonymousConfig>,
    /// The multi-session plugin, when enabled.
    pub multi_session: Option<MultiSessionConfig>,
    /// The jwt plugin, when enabled.
    pub jwt: Option<JwtConfig>,
    /// The api-key plugin, when enabled.
    pub api_key: Option<ApiKeyConfig>,
    /// The open-api plugin, when enabled.
    pub open_api: Option<OpenApiConfig>,
    /// better-auth's `secondaryStorage` on Redis, when configured.
    pub secondary_storage: SecondaryStorageConfig,
    /// Verification values (better-auth `verification`).
    pub verification: VerificationConfig,
}

/// How long a client may take to send a request, and how many connections may be open,
/// so slow clients (slowloris) cannot hold the server's connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this, counted from when the connection is
    /// ready for a request, so an idle keep-alive connection is closed after it too
    /// (`KEYWARD_HEADER_READ_TIMEOUT`, seconds; 10 s). Applied by [`crate::serve`].
    pub header_read_timeout: Duration,
    /// A request's body must arrive within this, counted from when the endpoint starts
    /// reading it; a later body is answered `408 REQUEST_TIMEOUT` and the connection
    /// closed (`KEYWARD_BODY_READ_TIMEOUT`, seconds; 30 s).
    pub body_read_timeout: Duration,
    /// At most this many connections are open at once; further clients wait in the
    /// listen queue (`KEYWARD_MAX_CONNECTIONS`; 1024). Applied by [`crate::serve`].
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

/// Where verification values live (better-auth `verification`).
#[derive(Clone, Debug, Default)]
pub struct VerificationConfig {
    /// With secondary storage: also write verification values to the `verification`
    /// table and read it when storage misses one (`storeInDatabase`; without secondary
    /// storage they are always rows).
    pub store_in_database: bool,
}

/// Where the secondary storage lives.
#[derive(Clone, Debug, Default)]
pub struct SecondaryStorageConfig {
    /// `redis://host:port/db` (`REDIS_URL`); `None` keeps everything in the database and
    /// rate-limit counters in memory.
    pub redis_url: Option<String>,
    /// Put in front of every key (`KEYWARD_REDIS_PREFIX`); empty to share better-auth's
    /// keys as they are.
    pub key_prefix: String,
}

impl Config {
    /// Starts a configuration with development defaults (see [`ConfigBuilder`]).
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config::development_defaults(),
        }
    }

    fn development_defaults() -> Self {
        Self {
            secret: DEVELOPMENT_SECRET.into(),
            versioned_secrets: Vec::new(),
            legacy_secret: None,
            using_development_secret: true,
            base_url: Url::parse("http://localhost:3000").expect("static URL parses"),
            base_path: DEFAULT_BASE_PATH.into(),
            database_url: "sqlite://keyward.db".into(),
            trusted_origins: Vec::new(),
            app_name: "Keyward".into(),
            port: 3000,
            body_limit: 1024 * 1024,
            connection_limits: ConnectionLimits::default(),
            cors: true,
            error_url: None,
            email_and_password: EmailPasswordConfig::default(),
            email_verification: EmailVerificationConfig::default(),
            user: UserConfig::default(),
            session: SessionConfig::default(),
            account: AccountConfig::default(),
            social_providers: Vec::new(),
            provider_timeout: Duration::from_secs(10),
            rate_limit: RateLimitConfig::default(),
            advanced: AdvancedConfig::default(),
            email: EmailTransportConfig {
                log_links: cfg!(debug_assertions),
                ..Default::default()
            },
            two_factor: None,
            organization: None,
            admin: None,
            passkey: None,
            one_time_token: None,
            electron: None,
            device_authorization: None,
            last_login_method: None,
            magic_link: None,
            email_otp: None,
            username: None,
            phone_number: None,
            anonymous: None,
            multi_session: None,
            jwt: None,
            api_key: None,
            open_api: None,
            secondary_storage: SecondaryStorageConfig::default(),
            verification: VerificationConfig::default(),
        }
    }

    /// Reads the configuration from environment variables (see the README's table).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Config::from_env`], with a custom variable source (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        env::read(&lookup)
    }

    /// Checks the rules a running server relies on (a release build needs a real secret).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_for(!cfg!(debug_assertions))
    }

    /// [`Config::validate`] as a release (`true`) or debug build would run it.
    pub fn validate_for(&self, release: bool) -> Result<(), ConfigError> {
        if self.using_development_secret && release {
            return Err(ConfigError::MissingSecret);
        }
        let mut versions = std::collections::BTreeSet::new();
        for (version, value) in &self.versioned_secrets {
            if value.is_empty() {
                return Err(ConfigError::InvalidSecrets(format!("version {version} is empty")));
            }
            if !versions.insert(*version) {
                return Err(ConfigError::InvalidSecrets(format!("version {version} appears twice")));
            }
        }
        if !self.using_development_secret && self.secret.len() < 32 {
            return Err(ConfigError::WeakSecret);
        }
        Ok(())
    }

    /// The keys that encrypt TOTP secrets, backup codes and stored codes.
    pub fn encryption_keys(&self) -> crate::crypto::symmetric::EncryptionKeys {
        use crate::crypto::symmetric::EncryptionKeys;
        match self.versioned_secrets.first() {
            None => EncryptionKeys::Single(self.secret.clone()),
            Some((current, _)) => EncryptionKeys::Versioned {
                current: *current,
                keys: self.versioned_secrets.iter().cloned().collect(),
                legacy: self.legacy_secret.clone(),
            },
        }
    }

    /// `base_url` + `base_path`, the prefix of every link the server emails.
    pub fn auth_url(&self) -> String {
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), self.base_path)
    }
}

/// Builds a [`Config`].
///
/// ```
/// use keyward_server::Config;
/// let config = Config::builder()
///     .secret("a-long-random-secret-of-at-least-32-characters")
///     .base_url("https://auth.example.com".parse().unwrap())
///     .database_url("sqlite://auth.db")
///     .trusted_origins(["https://app.example.com"])
///     .build()
///     .unwrap();
/// assert_eq!(config.auth_url(), "https://auth.example.com/api/auth");
/// ```
#[derive(Clone, Debug)]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// The signing secret (at least 32 characters).
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.config.secret = secret.into();
        self.config.using_development_secret = false;
        self
    }

    /// Versioned secrets, newest first (better-auth's `secrets` option): the first signs
    /// cookies and encrypts new values, the others still decrypt. The single secret set
    /// before, if any, keeps decrypting values from before the rotation.
    pub fn versioned_secrets<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = (u32, S)>,
        S: Into<String>,
    {
        let secrets: Vec<(u32, String)> = secrets.into_iter().map(|(v, s)| (v, s.into())).collect();
        if let Some((_, current)) = secrets.first() {
            if !self.config.using_development_secret {
                self.config.legacy_secret = Some(self.config.secret.clone());
            }
            self.config.secret = current.clone();
            self.config.using_development_secret = false;
        }
        self.config.versioned_secrets = secrets;
        self
    }

    /// Enables the organization plugin.
    pub fn organization(mut self, config: OrganizationConfig) -> Self {
        self.config.organization = Some(config);
        self
    }

    /// Enables the passkey plugin.
    pub fn passkey(mut self, config: PasskeyConfig) -> Self {
        self.config.passkey = Some(config);
        self
    }

    /// Enables the admin plugin.
    pub fn admin(mut self, config: AdminConfig) -> Self {
        self.config.admin = Some(config);
        self
    }

    /// Enables the one-time-token plugin.
    pub fn one_time_token(mut self, config: OneTimeTokenConfig) -> Self {
        self.config.one_time_token = Some(config);
        self
    }

    /// Enables the magic-link plugin.
    pub fn magic_link(mut self, config: MagicLinkConfig) -> Self {
        self.config.magic_link = Some(config);
        self
    }

    /// Enables the email-OTP plugin.
    pub fn email_otp(mut self, config: EmailOtpConfig) -> Self {
        self.config.email_otp = Some(config);
        self
    }

    /// Enables the electron plugin.
    pub fn electron(mut self, config: ElectronConfig) -> Self {
        self.config.electron = Some(config);
        self
    }

    /// Enables the device-authorization plugin.
    pub fn device_authorization(mut self, config: DeviceAuthorizationConfig) -> Self {
        self.config.device_authorization = Some(config);
        self
    }

    /// Enables the last-login-method plugin.
    pub fn last_login_method(mut self, config: LastLoginMethodConfig) -> Self {
        self.config.last_login_method = Some(config);
        self
    }

    /// Enables the anonymous plugin.
    pub fn anonymous(mut self, config: AnonymousConfig) -> Self {
        self.config.anonymous = Some(config);
        self
    }

    /// Enables the multi-session plugin.
    pub fn multi_session(mut self, config: MultiSessionConfig) -> Self {
        self.config.multi_session = Some(config);
        self
    }

    /// Enables the jwt plugin.
    pub fn jwt(mut self, config: JwtConfig) -> Self {
        self.config.jwt = Some(config);
        self
    }

    /// Enables the api-key plugin.
    pub fn api_key(mut self, config: ApiKeyConfig) -> Self {
        self.config.api_key = Some(config);
        self
    }

    /// Enables the open-api plugin.
    pub fn open_api(mut self, config: OpenApiConfig) -> Self {
        self.config.open_api = Some(config);
        self
    }

    /// Enables the username plugin.
    pub fn username(mut self, config: UsernameConfig) -> Self {
        self.config.username = Some(config);
        self
    }

    /// Enables the phone-number plugin.
    pub fn phone_number(mut self, config: PhoneNumberConfig) -> Self {
        self.config.phone_number = Some(config);
        self
    }

    /// Enables the two-factor plugin.
    pub fn two_factor(mut self, config: TwoFactorConfig) -> Self {
        self.config.two_factor = Some(config);
        self
    }

    /// The public origin of the server.
    pub fn base_url(mut self, url: Url) -> Self {
        self.config.base_url = url;
        self
    }

    /// The mount path of the endpoints (default `/api/auth`).
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        let trimmed = path.trim_end_matches('/');
        self.config.base_path = if trimmed.starts_with('/') {
            trimmed.to_owned()
        } else {
            format!("/{trimmed}")
        };
        self
    }

    /// `sqlite://path`, `sqlite::memory:` or `postgres://…`.
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.config.database_url = url.into();
        self
    }

    /// Adds trusted origins (exact origins, `*` globs, or custom schemes like `myapp://`).
    pub fn trusted_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.trusted_origins.extend(origins.into_iter().map(Into::into));
        self
    }

    /// Application name.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.config.app_name = name.into();
        self
    }

    /// Port for the standalone server.
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// Turns rate limiting on or off.
    pub fn rate_limit_enabled(mut self, enabled: bool) -> Self {
        self.config.rate_limit.enabled = enabled;
        self
    }

    /// Changes anything else.
    pub fn with(mut self, change: impl FnOnce(&mut Config)) -> Self {
        change(&mut self.config);
        self
    }

    /// Finishes, checking the configuration.
    pub fn build(self) -> Result<Config, ConfigError> {
        self.config.validate()?;
        Ok(self.config)
    }

    fn build_unchecked(self) -> Config {
        self.config
    }
}
