//! The options of better-auth's core sections: email and password, email verification,
//! user, session, account, rate limit, advanced, and the email transport.

use std::path::PathBuf;
use std::time::Duration;

use crate::db::FieldType;

/// A user or session column beyond better-auth's core ones (better-auth's `additionalFields`).
#[derive(Clone, Debug, PartialEq)]
pub struct AdditionalField {
    /// Column and JSON name (camelCase by convention).
    pub name: String,
    /// Column type.
    pub field_type: FieldType,
    /// Must be given on create when it has no default.
    pub required: bool,
    /// Value used when the client does not send one.
    pub default: Option<serde_json::Value>,
    /// Whether clients may set it (`false`: server-controlled, like `role`).
    pub input: bool,
    /// Whether it appears in responses.
    pub returned: bool,
    /// Whether two users may not share a value (better-auth's `unique`: the column is
    /// `unique` in `create table`, a unique index `<table>_<column>_uidx` when added).
    pub unique: bool,
}

impl AdditionalField {
    /// A client-settable, returned, optional field.
    pub fn new(name: impl Into<String>, field_type: FieldType) -> Self {
        Self {
            name: name.into(),
            field_type,
            required: false,
            default: None,
            input: true,
            returned: true,
            unique: false,
        }
    }

    /// Makes the field unique (no two rows share a value; `null`s do not count).
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Makes the field required on create.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the default value.
    pub fn default_value(mut self, value: impl Into<serde_json::Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// Makes the field server-controlled (clients may not set it).
    pub fn server_only(mut self) -> Self {
        self.input = false;
        self
    }

    /// Hides the field from responses.
    pub fn hidden(mut self) -> Self {
        self.returned = false;
        self
    }
}

/// Email and password sign-in options (better-auth `emailAndPassword`).
#[derive(Clone, Debug)]
pub struct EmailPasswordConfig {
    /// Whether email and password sign-in is available.
    pub enabled: bool,
    /// Refuse new sign-ups.
    pub disable_sign_up: bool,
    /// Refuse sign-in until the email is verified.
    pub require_email_verification: bool,
    /// Minimum password length (UTF-16 units, like better-auth).
    pub min_password_length: usize,
    /// Maximum password length.
    pub max_password_length: usize,
    /// Sign new users in right away.
    pub auto_sign_in: bool,
    /// Lifetime of a password reset token.
    pub reset_password_token_expires_in: Duration,
    /// End every session of a user whose password was reset.
    pub revoke_sessions_on_password_reset: bool,
}

impl Default for EmailPasswordConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            disable_sign_up: false,
            require_email_verification: false,
            min_password_length: 8,
            max_password_length: 128,
            auto_sign_in: true,
            reset_password_token_expires_in: Duration::from_secs(3600),
            revoke_sessions_on_password_reset: false,
        }
    }
}

/// Email verification options (better-auth `emailVerification`).
#[derive(Clone, Debug)]
pub struct EmailVerificationConfig {
    /// Send a verification email on sign-up. `None` follows `require_email_verification`.
    pub send_on_sign_up: Option<bool>,
    /// Send a new verification email when an unverified user tries to sign in.
    pub send_on_sign_in: bool,
    /// Sign the user in when they open the verification link.
    pub auto_sign_in_after_verification: bool,
    /// Lifetime of a verification link.
    pub expires_in: Duration,
}

impl Default for EmailVerificationConfig {
    fn default() -> Self {
        Self {
            send_on_sign_up: None,
            send_on_sign_in: false,
            auto_sign_in_after_verification: false,
            expires_in: Duration::from_secs(3600),
        }
    }
}

/// Change-email options (better-auth `user.changeEmail`).
#[derive(Clone, Debug, Default)]
pub struct ChangeEmailConfig {
    /// Whether `/change-email` is available.
    pub enabled: bool,
    /// Unverified users may switch address without confirming it.
    pub update_email_without_verification: bool,
    /// Verified users first confirm from their current address.
    pub send_change_email_confirmation: bool,
}

/// Delete-user options (better-auth `user.deleteUser`).
#[derive(Clone, Debug)]
pub struct DeleteUserConfig {
    /// Whether `/delete-user` is available (404 otherwise, as in better-auth).
    pub enabled: bool,
    /// Require confirmation through an emailed link.
    pub send_delete_account_verification: bool,
    /// Lifetime of a deletion link.
    pub delete_token_expires_in: Duration,
}

impl Default for DeleteUserConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            send_delete_account_verification: false,
            delete_token_expires_in: Duration::from_secs(86_400),
        }
    }
}

/// User options (better-auth `user`).
#[derive(Clone, Debug, Default)]
pub struct UserConfig {
    /// `/change-email`.
    pub change_email: ChangeEmailConfig,
    /// `/delete-user`.
    pub delete_user: DeleteUserConfig,
    /// Extra columns on the `user` table.
    pub additional_fields: Vec<AdditionalField>,
}

/// The `session_data` cookie cache (better-auth `session.cookieCache`, compact strategy).
#[derive(Clone, Debug)]
pub struct CookieCacheConfig {
    /// Off by default, as in better-auth.
    pub enabled: bool,
    /// How long a cached session is trusted.
    pub max_age: Duration,
}

impl Default for CookieCacheConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            max_age: Duration::from_secs(300),
        }
    }
}

/// Session options (better-auth `session`).
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Session lifetime.
    pub expires_in: Duration,
    /// Minimum age before a request rolls the expiry forward (0: every request).
    pub update_age: Duration,
    /// Maximum session age for sensitive endpoints (0: no freshness check).
    pub fresh_age: Duration,
    /// Never roll the expiry forward.
    pub disable_session_refresh: bool,
    /// `GET /get-session` never writes; clients `POST /get-session` to refresh.
    pub defer_session_refresh: bool,
    /// The `session_data` cookie cache.
    pub cookie_cache: CookieCacheConfig,
    /// Extra columns on the `session` table.
    pub additional_fields: Vec<AdditionalField>,
    /// With secondary storage: also write sessions to the `session` table, and read it
    /// when storage misses a session (better-auth's `storeSessionInDatabase`; without
    /// secondary storage sessions are always rows).
    pub store_session_in_database: bool,
    /// With secondary storage and [`SessionConfig::store_session_in_database`]: keep the
    /// rows of ended sessions, their `expiresAt` set to when they ended (better-auth's
    /// `preserveSessionInDatabase`).
    pub preserve_session_in_database: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            expires_in: Duration::from_secs(604_800),
            update_age: Duration::from_secs(86_400),
            fresh_age: Duration::from_secs(86_400),
            disable_session_refresh: false,
            defer_session_refresh: false,
            cookie_cache: CookieCacheConfig::default(),
            additional_fields: Vec::new(),
            store_session_in_database: false,
            preserve_session_in_database: false,
        }
    }
}

/// Account options (better-auth `account`).
#[derive(Clone, Debug)]
pub struct AccountConfig {
    /// Allow unlinking the last account of a user (`accountLinking.allowUnlinkingAll`).
    pub allow_unlinking_all: bool,
    /// When a provider account joins an existing user (`accountLinking`).
    pub account_linking: AccountLinkingConfig,
    /// Encrypt provider access and refresh tokens at rest (`encryptOAuthTokens`).
    pub encrypt_oauth_tokens: bool,
    /// Store the provider's new tokens on every sign-in (`updateAccountOnSignIn`).
    pub update_account_on_sign_in: bool,
    /// Skip checking that the callback comes from the browser that started the flow
    /// (`skipStateCookieCheck`; for native apps whose flow leaves the app's cookie jar).
    pub skip_state_cookie_check: bool,
    /// Where an OAuth flow's state is kept (`storeStateStrategy`).
    pub store_state_strategy: StateStrategy,
}

/// Where an OAuth flow's state is kept between the start and the callback.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StateStrategy {
    /// A verification value (table or secondary storage), tied to the browser by a signed
    /// `state` cookie: single use, and any instance can finish the flow.
    #[default]
    Database,
    /// The whole state encrypted in an `oauth_state` cookie (better-auth's `"cookie"`
    /// strategy): nothing stored on the server.
    Cookie,
}

impl Default for AccountConfig {
    fn default() -> Self {
        Self {
            allow_unlinking_all: false,
            account_linking: AccountLinkingConfig::default(),
            encrypt_oauth_tokens: false,
            update_account_on_sign_in: true,
            skip_state_cookie_check: false,
            store_state_strategy: StateStrategy::Database,
        }
    }
}

/// better-auth's `account.accountLinking`.
#[derive(Clone, Debug)]
pub struct AccountLinkingConfig {
    /// Linking at all (`enabled`, on by default).
    pub enabled: bool,
    /// Providers whose address counts as verified even when they do not say so.
    pub trusted_providers: Vec<String>,
    /// Allow linking an account whose address differs from the user's.
    pub allow_different_emails: bool,
    /// Copy name and image from the provider when an account is linked.
    pub update_user_info_on_link: bool,
    /// Never link on sign-in by a matching address (only `/link-social` links).
    pub disable_implicit_linking: bool,
    /// Link by address only to users whose address is verified here (on by default).
    pub require_local_email_verified: bool,
}

impl Default for AccountLinkingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            trusted_providers: Vec::new(),
            allow_different_emails: false,
            update_user_info_on_link: false,
            disable_implicit_linking: false,
            require_local_email_verified: true,
        }
    }
}

/// One rate-limit rule: at most `max` requests per `window` per client and path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitRule {
    /// Window length.
    pub window: Duration,
    /// Requests allowed per window.
    pub max: u32,
}

/// Rate limiting (better-auth `rateLimit`).
#[derive(Clone, Debug)]
pub struct RateLimitConfig {
    /// On by default in release builds, off in debug builds (better-auth: on in production).
    pub enabled: bool,
    /// The default rule.
    pub default_rule: RateLimitRule,
    /// Per-path overrides: exact path or `*` glob, relative to the base path; `None`
    /// disables limiting for the path.
    pub custom_rules: Vec<(String, Option<RateLimitRule>)>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: !cfg!(debug_assertions),
            default_rule: RateLimitRule {
                window: Duration::from_secs(10),
                max: 100,
            },
            custom_rules: Vec::new(),
        }
    }
}

/// Cookie and network details (better-auth `advanced`).
#[derive(Clone, Debug)]
pub struct AdvancedConfig {
    /// Cookie name prefix (`better-auth`).
    pub cookie_prefix: String,
    /// Force `__Secure-` cookies on or off; `None` follows the base URL's scheme.
    pub use_secure_cookies: Option<bool>,
    /// Headers that carry the client IP, first match wins (`x-forwarded-for`). They are
    /// read only on connections from a [`AdvancedConfig::trusted_proxies`] address.
    pub ip_address_headers: Vec<String>,
    /// The reverse proxies whose IP headers are believed (`KEYWARD_TRUSTED_PROXIES`;
    /// loopback by default). A client connecting directly cannot choose its own rate-limit
    /// bucket by sending `X-Forwarded-For`.
    pub trusted_proxies: Vec<TrustedProxy>,
    /// Record the TCP peer's address as a new session's `ipAddress` when no trusted IP
    /// header names the client (`KEYWARD_SESSION_IP_FROM_PEER`). Off by default, as
    /// better-auth, which reads only the IP headers and stores `""` without one.
    pub session_ip_from_peer: bool,
    /// Skip the Origin and callback URL checks (better-auth `disableOriginCheck`).
    pub disable_origin_check: bool,
    /// Skip only the CSRF Origin check (better-auth `disableCSRFCheck`).
    pub disable_csrf_check: bool,
}

impl Default for AdvancedConfig {
    fn default() -> Self {
        Self {
            cookie_prefix: "better-auth".into(),
            use_secure_cookies: None,
            ip_address_headers: vec!["x-forwarded-for".into()],
            trusted_proxies: TrustedProxy::loopback(),
            session_ip_from_peer: false,
            disable_origin_check: false,
            disable_csrf_check: false,
        }
    }
}

/// Addresses of reverse proxies whose client-IP headers are believed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustedProxy {
    /// Any peer (better-auth's behaviour: the header is always believed).
    Any,
    /// A network: an address and how many leading bits must match.
    Network(std::net::IpAddr, u8),
}

impl TrustedProxy {
    /// `127.0.0.0/8` and `::1`: a proxy on the same machine.
    pub fn loopback() -> Vec<Self> {
        vec![
            Self::Network(std::net::Ipv4Addr::LOCALHOST.into(), 8),
            Self::Network(std::net::Ipv6Addr::LOCALHOST.into(), 128),
        ]
    }

    /// Parses `*`, an address, or `address/bits`.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value == "*" {
            return Some(Self::Any);
        }
        let (address, bits) = match value.split_once('/') {
            Some((address, bits)) => (address, Some(bits.parse::<u8>().ok()?)),
            None => (value, None),
        };
        let address: std::net::IpAddr = address.parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Self::Network(address, bits))
    }

    /// Whether `ip` is this proxy (an IPv4-mapped IPv6 address counts as its IPv4 one).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (*self, ip) {
            (Self::Any, _) => true,
            (Self::Network(IpAddr::V4(network), bits), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
                u32::from(network) & mask == u32::from(ip) & mask
            }
            (Self::Network(IpAddr::V6(network), bits), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
                u128::from(network) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// How emails leave the server when configured from the environment.
#[derive(Clone, Debug, Default)]
pub struct EmailTransportConfig {
    /// Append every email as a JSON line to this file (`KEYWARD_OUTBOX`).
    pub outbox: Option<PathBuf>,
    /// Send through SMTP (`SMTP_URL`, e.g. `smtps://user:pass@smtp.example.com`).
    pub smtp_url: Option<String>,
    /// Sender address for SMTP (`SMTP_FROM`).
    pub smtp_from: Option<String>,
    /// Log links at INFO level (on in development when nothing else is configured).
    pub log_links: bool,
}
