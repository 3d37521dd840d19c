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
    /// This configuration's id (`configId`): `None` for the default one, the one these
    /// options are; set on the [`ApiKeyConfig::configurations`].
    pub config_id: Option<String>,
    /// Further configurations (better-auth's `apiKey([...])`), each with its own
    /// `config_id`: keys made with `configId` follow that configuration's rules and are
    /// found only through it. Add them with [`ApiKeyConfig::configuration`].
    pub configurations: Vec<ApiKeyConfig>,
}

/// Whether `id` names the default configuration (none, empty or `default`, as
/// better-auth's `isDefaultConfigId`).
pub(crate) fn is_default_id(id: Option<&str>) -> bool {
    id.is_none_or(|id| id.is_empty() || id == "default")
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
            config_id: None,
            configurations: Vec::new(),
        }
    }
}

impl ApiKeyConfig {
    /// Adds the configuration `id` (keys made with `configId: id` follow `options`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use keyward_server::config::ApiKeyConfig;
    ///
    /// let keys = ApiKeyConfig::default().configuration(
    ///     "public",
    ///     ApiKeyConfig::default().default_prefix("pub_").rate_limit(100, Duration::from_secs(60)),
    /// );
    /// assert_eq!(keys.configurations[0].config_id.as_deref(), Some("public"));
    /// ```
    pub fn configuration(mut self, id: impl Into<String>, options: ApiKeyConfig) -> Self {
        let mut options = options;
        options.config_id = Some(id.into());
        options.configurations.clear();
        self.configurations.push(options);
        self
    }

    /// This configuration's id as stored in `configId` (`default` for the default one).
    pub(crate) fn id(&self) -> &str {
        self.config_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .unwrap_or("default")
    }

    /// The configuration `id` names, the default one for none or an unknown id
    /// (better-auth's `resolveConfiguration`).
    pub(crate) fn resolve(&self, id: Option<&str>) -> &ApiKeyConfig {
        if is_default_id(id) {
            return self;
        }
        self.configurations
            .iter()
            .find(|options| options.config_id.as_deref() == id)
            .unwrap_or(self)
    }

    /// Every configuration, the default one first.
    pub(crate) fn all(&self) -> impl Iterator<Item = &ApiKeyConfig> {
        std::iter::once(self).chain(self.configurations.iter())
    }

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
