//! The api-key plugin's options (`@better-auth/api-key`'s `apiKey(options)`).

use std::time::Duration;

use keyward_client::wire::API_KEY_HEADER;
use keyward_client::wire::organization::access::Permissions;

/// The api-key plugin: `/api-key/create|get|update|delete|list`, the `apikey` table,
/// and, with [`ApiKeyConfig::enable_session_for_api_keys`], sessions for requests that
/// carry a key.
///
/// ```
/// use std::time::Duration;
/// use keyward_server::config::ApiKeyConfig;
///
/// let keys = ApiKeyConfig::default()
///     .default_prefix("kw_")
///     .rate_limit(100, Duration::from_secs(60))
///     .enable_metadata()
///     .enable_session_for_api_keys();
/// assert_eq!(keys.default_key_length, 64);
/// assert_eq!(keys.headers, ["x-api-key"]);
/// ```
#[derive(Clone, Debug)]
pub struct ApiKeyConfig {
    /// The headers a key may come in, the first present wins (`apiKeyHeaders`,
    /// default `x-api-key`).
    pub headers: Vec<String>,
    /// Random characters of a new key, after its prefix (`defaultKeyLength`, 64); a
    /// session is refused for a shorter key.
    pub default_key_length: usize,
    /// The prefix of keys created without one (`defaultPrefix`).
    pub default_prefix: Option<String>,
    /// Bounds of a requested prefix's length (`minimumPrefixLength` 1,
    /// `maximumPrefixLength` 32).
    pub prefix_length: (usize, usize),
    /// Bounds of a name's length (`minimumNameLength` 1, `maximumNameLength` 32).
    pub name_length: (usize, usize),
    /// Every key needs a name (`requireName`).
    pub require_name: bool,
    /// Keys may carry metadata (`enableMetadata`; refused with `METADATA_DISABLED`
    /// otherwise).
    pub enable_metadata: bool,
    /// Keys are stored as they are instead of hashed (`disableKeyHashing`; not advised).
    pub disable_key_hashing: bool,
    /// How many of a key's first characters are stored as `start`
    /// (`startingCharactersConfig`; `None`: none are).
    pub starting_characters: Option<usize>,
    /// The rate limit of new keys and whether limits apply at all (`rateLimit`).
    pub rate_limit: ApiKeyRateLimit,
    /// Expiry rules (`keyExpiration`).
    pub key_expiration: ApiKeyExpiration,
    /// A request carrying a key is a session of the key's owner
    /// (`enableSessionForAPIKeys`).
    pub enable_session_for_api_keys: bool,
    /// The permissions of keys created without any (`permissions.defaultPermissions`).
    pub default_permissions: Option<Permissions>,
    /// Who owns keys (`references`): users (the default), or organizations, whose
    /// members manage them as their role allows (`apiKey: create|read|update|delete`;
    /// the creator role may do all).
    pub references: ApiKeyOwner,
}

/// Who owns a server's keys (`references`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApiKeyOwner {
    /// A key belongs to the user who made it.
    #[default]
    User,
    /// A key belongs to an organization (the organization plugin must be on); it gives no
    /// session.
    Organization,
}

/// The per-key rate limit (`rateLimit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiKeyRateLimit {
    /// `false`: no key is rate limited (`rateLimit.enabled`, default `true`).
    pub enabled: bool,
    /// The window of new keys (`rateLimit.timeWindow`, one day).
    pub time_window: Duration,
    /// Requests a window allows new keys (`rateLimit.maxRequests`, 10).
    pub max_requests: u64,
}

/// What `expiresIn` may be (`keyExpiration`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ApiKeyExpiration {
    /// How long keys created without `expiresIn` live (`defaultExpiresIn`; `None`:
    /// forever).
    pub default_expires_in: Option<Duration>,
    /// Callers may not choose an expiry (`disableCustomExpiresTime`).
    pub disable_custom_expires_time: bool,
    /// The shortest `expiresIn`, in days (`minExpiresIn`, 1).
    pub min_expires_in_days: f64,
    /// The longest `expiresIn`, in days (`maxExpiresIn`, 365).
    pub max_expires_in_days: f64,
}

impl Default for ApiKeyConfig {
    fn default() -> Self {
        Self {
            headers: vec![API_KEY_HEADER.to_owned()],
            default_key_length: 64,
            default_prefix: None,
            prefix_length: (1, 32),
            name_length: (1, 32),
            require_name: false,
            enable_metadata: false,
            disable_key_hashing: false,
            starting_characters: Some(6),
            rate_limit: ApiKeyRateLimit {
                enabled: true,
                time_window: Duration::from_secs(24 * 3600),
                max_requests: 10,
            },
            key_expiration: ApiKeyExpiration {
                default_expires_in: None,
                disable_custom_expires_time: false,
                min_expires_in_days: 1.0,
                max_expires_in_days: 365.0,
            },
            enable_session_for_api_keys: false,
            default_permissions: None,
            references: ApiKeyOwner::User,
        }
    }
}

impl ApiKeyConfig {
    /// Keys come in these headers instead of `x-api-key`.
    pub fn headers<I, S>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// New keys start with `prefix` unless the caller asks for another.
    pub fn default_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.default_prefix = Some(prefix.into());
        self
    }

    /// New keys allow `max_requests` per `time_window`.
    pub fn rate_limit(mut self, max_requests: u64, time_window: Duration) -> Self {
        self.rate_limit.max_requests = max_requests;
        self.rate_limit.time_window = time_window;
        self
    }

    /// No key is rate limited.
    pub fn disable_rate_limit(mut self) -> Self {
        self.rate_limit.enabled = false;
        self
    }

    /// Keys may carry metadata.
    pub fn enable_metadata(mut self) -> Self {
        self.enable_metadata = true;
        self
    }

    /// Requests carrying a key are sessions of its owner.
    pub fn enable_session_for_api_keys(mut self) -> Self {
        self.enable_session_for_api_keys = true;
        self
    }

    /// Keys created without `expiresIn` expire after `lifetime`.
    pub fn default_expires_in(mut self, lifetime: Duration) -> Self {
        self.key_expiration.default_expires_in = Some(lifetime);
        self
    }

    /// Keys created without permissions get `permissions`.
    pub fn default_permissions(mut self, permissions: Permissions) -> Self {
        self.default_permissions = Some(permissions);
        self
    }
}
