//! Typed configuration, built in code ([`Config::builder`]) or read from the environment
//! ([`Config::from_env`]). Option names follow better-auth's where one exists.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::db::FieldType;
use keyward_client::wire::DEFAULT_BASE_PATH;

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
    #[error("versioned secrets are invalid: {0}")]
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
        }
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
#[derive(Clone, Debug, Default)]
pub struct AccountConfig {
    /// Allow unlinking the last account of a user (`accountLinking.allowUnlinkingAll`).
    pub allow_unlinking_all: bool,
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

/// How stored one-time codes are kept (better-auth `otpOptions.storeOTP`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OtpStorage {
    /// As issued (better-auth's default).
    #[default]
    Plain,
    /// `base64url(SHA-256(code))`.
    Hashed,
    /// Encrypted with the server secret.
    Encrypted,
}

/// How backup codes are kept (better-auth `backupCodeOptions.storeBackupCodes`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackupCodeStorage {
    /// Encrypted JSON array (better-auth's default).
    #[default]
    Encrypted,
    /// Plain JSON array.
    Plain,
}

/// Authenticator-app codes (better-auth `totpOptions`).
#[derive(Clone, Debug)]
pub struct TotpConfig {
    /// Digits per code (6).
    pub digits: u32,
    /// Seconds per code (30).
    pub period: u64,
    /// Turn TOTP off (only emailed or texted codes remain).
    pub disabled: bool,
}

impl Default for TotpConfig {
    fn default() -> Self {
        Self {
            digits: 6,
            period: 30,
            disabled: false,
        }
    }
}

/// Codes sent by email or SMS (better-auth `otpOptions`).
#[derive(Clone, Debug)]
pub struct OtpConfig {
    /// Offer OTP when a sender is available (the email sender unless another is set).
    pub enabled: bool,
    /// Lifetime of a code (3 minutes).
    pub period: Duration,
    /// Digits per code (6).
    pub digits: usize,
    /// How codes are stored until used.
    pub storage: OtpStorage,
    /// Wrong guesses allowed per code (5).
    pub allowed_attempts: u32,
}

impl Default for OtpConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            period: Duration::from_secs(180),
            digits: 6,
            storage: OtpStorage::Plain,
            allowed_attempts: 5,
        }
    }
}

/// Recovery codes (better-auth `backupCodeOptions`).
#[derive(Clone, Debug)]
pub struct BackupCodeConfig {
    /// Codes per set (10).
    pub amount: usize,
    /// Characters per code before the dash is inserted (10: `XXXXX-XXXXX`).
    pub length: usize,
    /// How codes are stored.
    pub storage: BackupCodeStorage,
}

impl Default for BackupCodeConfig {
    fn default() -> Self {
        Self {
            amount: 10,
            length: 10,
            storage: BackupCodeStorage::Encrypted,
        }
    }
}

/// Locks an account's second factor after repeated wrong codes during sign-in (better-auth
/// `accountLockout`).
#[derive(Clone, Debug)]
pub struct AccountLockoutConfig {
    /// On by default.
    pub enabled: bool,
    /// Consecutive failures before locking (10).
    pub max_failed_attempts: i64,
    /// How long the lock lasts (15 minutes).
    pub duration: Duration,
}

impl Default for AccountLockoutConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_failed_attempts: 10,
            duration: Duration::from_secs(900),
        }
    }
}

/// The passkey plugin (`@better-auth/passkey`): WebAuthn registration and sign-in.
#[derive(Clone, Debug)]
pub struct PasskeyConfig {
    /// The relying party id (default: the host of the base URL).
    pub rp_id: Option<String>,
    /// The name authenticators show (default: the application name).
    pub rp_name: Option<String>,
    /// The WebAuthn origins accepted in client data. Empty (the default) accepts the
    /// request's `Origin` header, as better-auth does; native apps need their own origin
    /// here (`android:apk-key-hash:…`, or the web origin an iOS associated domain uses).
    pub origins: Vec<String>,
    /// What registration asks of the authenticator (merged over `residentKey` and
    /// `userVerification` `"preferred"`).
    pub authenticator_selection: keyward_client::wire::AuthenticatorSelection,
    /// Registration needs a fresh session (better-auth's default).
    pub require_session: bool,
    /// How long a ceremony's challenge lives (five minutes).
    pub challenge_max_age: Duration,
    /// The challenge cookie's name after the cookie prefix.
    pub challenge_cookie: String,
}

impl Default for PasskeyConfig {
    fn default() -> Self {
        Self {
            rp_id: None,
            rp_name: None,
            origins: Vec::new(),
            authenticator_selection: keyward_client::wire::AuthenticatorSelection::default(),
            require_session: true,
            challenge_max_age: Duration::from_secs(300),
            challenge_cookie: "better-auth-passkey".to_owned(),
        }
    }
}

impl PasskeyConfig {
    /// Sets the relying party id.
    pub fn rp_id(mut self, rp_id: impl Into<String>) -> Self {
        self.rp_id = Some(rp_id.into());
        self
    }

    /// Sets the relying party name.
    pub fn rp_name(mut self, rp_name: impl Into<String>) -> Self {
        self.rp_name = Some(rp_name.into());
        self
    }

    /// Accepts this WebAuthn origin (call once per origin).
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origins.push(origin.into());
        self
    }
}

/// The admin plugin (better-auth `admin`): roles on users, bans, impersonation and user
/// management under `/admin/*`.
#[derive(Clone, Debug)]
pub struct AdminConfig {
    /// The role new users get (`"user"`).
    pub default_role: String,
    /// Roles whose holders count as admins when impersonation is asked for (`["admin"]`).
    pub admin_roles: Vec<String>,
    /// Users who may do everything, whatever their role.
    pub admin_user_ids: Vec<String>,
    /// The roles and what they grant (default: `admin` and `user`).
    pub roles: keyward_client::wire::admin::AdminRoles,
    /// Whether custom `roles` were configured: set-role then refuses unknown roles.
    pub custom_roles: bool,
    /// How long an impersonated session lasts (1 hour).
    pub impersonation_session_duration: Duration,
    /// Admins may impersonate other admins without `user:impersonate-admins`.
    pub allow_impersonating_admins: bool,
    /// The message of a banned user's `BANNED_USER` error.
    pub banned_user_message: String,
    /// The reason stored when a ban gives none (`"No reason"`).
    pub default_ban_reason: Option<String>,
    /// How long a ban lasts when it gives no duration (default: forever).
    pub default_ban_expires_in: Option<Duration>,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            default_role: "user".to_owned(),
            admin_roles: vec!["admin".to_owned()],
            admin_user_ids: Vec::new(),
            roles: keyward_client::wire::admin::AdminRoles::defaults(),
            custom_roles: false,
            impersonation_session_duration: Duration::from_secs(3600),
            allow_impersonating_admins: false,
            banned_user_message:
                "You have been banned from this application. Please contact support if you believe this is an error."
                    .to_owned(),
            default_ban_reason: None,
            default_ban_expires_in: None,
        }
    }
}

impl AdminConfig {
    /// Replaces the roles; set-role and create-user then accept only these names.
    pub fn roles(mut self, roles: keyward_client::wire::admin::AdminRoles) -> Self {
        self.roles = roles;
        self.custom_roles = true;
        self
    }
}

/// The two-factor plugin (better-auth `twoFactor`).
#[derive(Clone, Debug)]
pub struct TwoFactorConfig {
    /// Issuer shown by authenticator apps (default: the application name).
    pub issuer: Option<String>,
    /// Authenticator-app codes.
    pub totp: TotpConfig,
    /// Emailed or texted codes.
    pub otp: OtpConfig,
    /// Recovery codes.
    pub backup_codes: BackupCodeConfig,
    /// Switch TOTP on at `/two-factor/enable` without a first code.
    pub skip_verification_on_enable: bool,
    /// Users without a password (passkey or social only) may manage two-factor without one.
    pub allow_passwordless: bool,
    /// How long a trusted device skips the second factor (30 days).
    pub trust_device_max_age: Duration,
    /// How long a sign-in challenge stays open (10 minutes).
    pub challenge_max_age: Duration,
    /// Lock after repeated wrong codes.
    pub account_lockout: AccountLockoutConfig,
}

impl Default for TwoFactorConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            totp: TotpConfig::default(),
            otp: OtpConfig::default(),
            backup_codes: BackupCodeConfig::default(),
            skip_verification_on_enable: false,
            allow_passwordless: false,
            trust_device_max_age: Duration::from_secs(2_592_000),
            challenge_max_age: Duration::from_secs(600),
            account_lockout: AccountLockoutConfig::default(),
        }
    }
}

/// Teams within organizations (better-auth `organization({ teams })`).
#[derive(Clone, Debug)]
pub struct TeamsConfig {
    /// Off by default, as in better-auth.
    pub enabled: bool,
    /// Give every new organization a team named after it, with the creator in it.
    pub default_team: bool,
    /// Teams per organization.
    pub maximum_teams: Option<usize>,
    /// Members per team.
    pub maximum_members_per_team: Option<usize>,
    /// Allow removing an organization's last team.
    pub allow_removing_all_teams: bool,
}

impl Default for TeamsConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            default_team: true,
            maximum_teams: None,
            maximum_members_per_team: None,
            allow_removing_all_teams: false,
        }
    }
}

/// Roles stored per organization at run time (better-auth `dynamicAccessControl`).
#[derive(Clone, Debug, Default)]
pub struct DynamicAccessControlConfig {
    /// Stored roles per organization.
    pub maximum_roles_per_organization: Option<usize>,
}

/// The organization plugin (better-auth `organization`).
#[derive(Clone, Debug)]
pub struct OrganizationConfig {
    /// Whether users may create organizations.
    pub allow_user_to_create_organization: bool,
    /// Organizations one user may belong to when creating another.
    pub organization_limit: Option<usize>,
    /// The role of an organization's creator (`owner`); only it may grant itself.
    pub creator_role: String,
    /// Members per organization.
    pub membership_limit: usize,
    /// Pending invitations per organization.
    pub invitation_limit: usize,
    /// Lifetime of an invitation (48 hours).
    pub invitation_expires_in: Duration,
    /// Re-inviting an address cancels its pending invitation instead of failing.
    pub cancel_pending_invitations_on_re_invite: bool,
    /// Only verified addresses may see, accept or reject invitations.
    pub require_email_verification_on_invitation: bool,
    /// Refuse `/organization/delete`.
    pub disable_organization_deletion: bool,
    /// Email invitations through the email sender.
    pub send_invitation_email: bool,
    /// The link in invitation emails; `{id}` becomes the invitation id.
    pub invitation_link: Option<String>,
    /// Teams.
    pub teams: TeamsConfig,
    /// The statements roles are made from (better-auth `ac`); needed by dynamic roles.
    pub access_control: Option<keyward_client::wire::organization::AccessControl>,
    /// Roles that replace the defaults (`owner`, `admin`, `member`) in permission checks.
    pub roles: Option<keyward_client::wire::organization::RoleSet>,
    /// Roles stored per organization.
    pub dynamic_access_control: Option<DynamicAccessControlConfig>,
}

impl Default for OrganizationConfig {
    fn default() -> Self {
        Self {
            allow_user_to_create_organization: true,
            organization_limit: None,
            creator_role: "owner".into(),
            membership_limit: 100,
            invitation_limit: 100,
            invitation_expires_in: Duration::from_secs(172_800),
            cancel_pending_invitations_on_re_invite: false,
            require_email_verification_on_invitation: false,
            disable_organization_deletion: false,
            send_invitation_email: true,
            invitation_link: None,
            teams: TeamsConfig::default(),
            access_control: None,
            roles: None,
            dynamic_access_control: None,
        }
    }
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
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let mut builder = Config::builder();
        if let Some(secret) = get("BETTER_AUTH_SECRET").or_else(|| get("AUTH_SECRET")) {
            builder = builder.secret(secret);
        }
        if let Some(list) = get("BETTER_AUTH_SECRETS") {
            builder = builder.versioned_secrets(parse_versioned_secrets(&list)?);
        }
        let port = match get("PORT") {
            Some(raw) => raw.trim().parse::<u16>().map_err(|e| ConfigError::InvalidVariable {
                name: "PORT",
                reason: e.to_string(),
            })?,
            None => 3000,
        };
        builder = builder.port(port);
        // Read by the hashing pool itself (`password.rs`); checked here so a typo stops
        // the server instead of being ignored.
        if let Some(raw) = get("KEYWARD_HASH_CONCURRENCY")
            && !raw.trim().parse::<usize>().is_ok_and(|slots| slots > 0)
        {
            return Err(ConfigError::InvalidVariable {
                name: "KEYWARD_HASH_CONCURRENCY",
                reason: format!("`{raw}` is not a positive number of concurrent hashes"),
            });
        }
        let base_url = match get("BETTER_AUTH_URL") {
            Some(raw) => Url::parse(raw.trim()).map_err(|e| ConfigError::InvalidVariable {
                name: "BETTER_AUTH_URL",
                reason: e.to_string(),
            })?,
            None => Url::parse(&format!("http://localhost:{port}")).expect("localhost URL parses"),
        };
        // A path on BETTER_AUTH_URL is the base path, as in better-auth.
        let path = base_url.path().trim_end_matches('/').to_owned();
        let mut origin = base_url.clone();
        origin.set_path("");
        builder = builder.base_url(origin);
        if !path.is_empty() {
            builder = builder.base_path(path);
        }
        if let Some(url) = get("DATABASE_URL") {
            builder = builder.database_url(url);
        }
        if let Some(origins) = get("BETTER_AUTH_TRUSTED_ORIGINS") {
            builder = builder.trusted_origins(origins.split(',').map(str::trim).filter(|o| !o.is_empty()));
        }
        let trusted_proxies = match get("KEYWARD_TRUSTED_PROXIES") {
            Some(list) if list.trim() == "none" => Some(Vec::new()),
            Some(list) => Some(
                list.split(',')
                    .map(str::trim)
                    .filter(|entry| !entry.is_empty())
                    .map(|entry| {
                        TrustedProxy::parse(entry).ok_or_else(|| ConfigError::InvalidVariable {
                            name: "KEYWARD_TRUSTED_PROXIES",
                            reason: format!("`{entry}` is not `*`, `none`, an IP address or `address/bits`"),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        if let Some(value) = get("KEYWARD_RATE_LIMIT") {
            builder = builder.rate_limit_enabled(parse_switch("KEYWARD_RATE_LIMIT", &value)?);
        }
        let mut config = builder.build_unchecked();
        if let Some(trusted_proxies) = trusted_proxies {
            config.advanced.trusted_proxies = trusted_proxies;
        }
        config.email.outbox = get("KEYWARD_OUTBOX").map(PathBuf::from);
        config.email.smtp_url = get("SMTP_URL");
        config.email.smtp_from = get("SMTP_FROM");
        if config.email.outbox.is_some() || config.email.smtp_url.is_some() {
            config.email.log_links = false;
        }
        if let Some(raw) = get("KEYWARD_HEADER_READ_TIMEOUT") {
            config.connection_limits.header_read_timeout = parse_seconds("KEYWARD_HEADER_READ_TIMEOUT", &raw)?;
        }
        if let Some(raw) = get("KEYWARD_BODY_READ_TIMEOUT") {
            config.connection_limits.body_read_timeout = parse_seconds("KEYWARD_BODY_READ_TIMEOUT", &raw)?;
        }
        if let Some(raw) = get("KEYWARD_MAX_CONNECTIONS") {
            config.connection_limits.max_connections =
                raw.trim().parse::<usize>().ok().filter(|max| *max > 0).ok_or_else(|| {
                    ConfigError::InvalidVariable {
                        name: "KEYWARD_MAX_CONNECTIONS",
                        reason: format!("`{raw}` is not a positive number of connections"),
                    }
                })?;
        }
        if let Some(value) = get("KEYWARD_SESSION_IP_FROM_PEER") {
            config.advanced.session_ip_from_peer = parse_switch("KEYWARD_SESSION_IP_FROM_PEER", &value)?;
        }
        if let Some(app_name) = get("KEYWARD_APP_NAME") {
            config.app_name = app_name;
        }
        config.secondary_storage.redis_url = get("REDIS_URL").filter(|url| !url.trim().is_empty());
        if let Some(prefix) = get("KEYWARD_REDIS_PREFIX") {
            config.secondary_storage.key_prefix = prefix;
        }
        if let Some(value) = get("KEYWARD_SESSION_IN_DATABASE") {
            config.session.store_session_in_database = parse_switch("KEYWARD_SESSION_IN_DATABASE", &value)?;
        }
        if let Some(value) = get("KEYWARD_VERIFICATION_IN_DATABASE") {
            config.verification.store_in_database = parse_switch("KEYWARD_VERIFICATION_IN_DATABASE", &value)?;
        }
        if let Some(value) = get("KEYWARD_PRESERVE_SESSION_IN_DATABASE") {
            config.session.preserve_session_in_database = parse_switch("KEYWARD_PRESERVE_SESSION_IN_DATABASE", &value)?;
        }
        if let Some(plugins) = get("KEYWARD_PLUGINS") {
            for plugin in plugins.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match plugin {
                    "two-factor" => config.two_factor = Some(TwoFactorConfig::default()),
                    "organization" => config.organization = Some(OrganizationConfig::default()),
                    "passkey" => config.passkey = Some(PasskeyConfig::default()),
                    "admin" => config.admin = Some(AdminConfig::default()),
                    other => {
                        return Err(ConfigError::InvalidVariable {
                            name: "KEYWARD_PLUGINS",
                            reason: format!(
                                "unknown plugin `{other}` (known: two-factor, organization, passkey, admin)"
                            ),
                        });
                    }
                }
            }
        }
        if let Some(value) = get("KEYWARD_ADMIN_USER_IDS")
            && let Some(admin) = &mut config.admin
        {
            admin.admin_user_ids = value
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(value) = get("KEYWARD_ORGANIZATION_TEAMS") {
            let on = parse_switch("KEYWARD_ORGANIZATION_TEAMS", &value)?;
            if let Some(organization) = &mut config.organization {
                organization.teams.enabled = on;
            }
        }
        if let Some(passkey) = &mut config.passkey {
            passkey.rp_id = get("KEYWARD_PASSKEY_RP_ID");
            passkey.rp_name = get("KEYWARD_PASSKEY_RP_NAME");
            if let Some(origins) = get("KEYWARD_PASSKEY_ORIGINS") {
                passkey.origins = origins
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
        }
        config.validate()?;
        Ok(config)
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
        if !self.using_development_secret && self.secret.len() < 32 {
            return Err(ConfigError::WeakSecret);
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

/// A positive number of seconds, fractions allowed (`0.5`).
fn parse_seconds(name: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| ConfigError::InvalidVariable {
            name,
            reason: format!("`{value}` is not a positive number of seconds"),
        })
}

/// `on`/`off` (or `1`/`0`, `true`/`false`).
fn parse_switch(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "off" | "0" | "false" => Ok(false),
        "on" | "1" | "true" => Ok(true),
        other => Err(ConfigError::InvalidVariable {
            name,
            reason: format!("expected on or off, got `{other}`"),
        }),
    }
}

/// Parses `BETTER_AUTH_SECRETS`: `"<version>:<secret>,…"`, newest first.
fn parse_versioned_secrets(list: &str) -> Result<Vec<(u32, String)>, ConfigError> {
    list.split(',')
        .enumerate()
        .map(|(index, entry)| {
            let entry = entry.trim();
            let (version, value) = entry.split_once(':').ok_or_else(|| {
                ConfigError::InvalidSecrets(format!("entry {} is not `<version>:<secret>`", index + 1))
            })?;
            let version = version.trim().parse::<u32>().map_err(|_| {
                ConfigError::InvalidSecrets(format!("entry {} has no non-negative integer version", index + 1))
            })?;
            Ok((version, value.trim().to_owned()))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_environment() {
        let env = |name: &str| match name {
            "BETTER_AUTH_SECRET" => Some("0123456789abcdef0123456789abcdef".to_owned()),
            "BETTER_AUTH_URL" => Some("https://auth.example.com/auth".to_owned()),
            "BETTER_AUTH_TRUSTED_ORIGINS" => Some("https://app.example.com, myapp://".to_owned()),
            "DATABASE_URL" => Some("postgres://localhost/test".to_owned()),
            "PORT" => Some("8080".to_owned()),
            "KEYWARD_RATE_LIMIT" => Some("off".to_owned()),
            "REDIS_URL" => Some("redis://127.0.0.1:6379/2".to_owned()),
            "KEYWARD_REDIS_PREFIX" => Some("auth:".to_owned()),
            "KEYWARD_SESSION_IN_DATABASE" => Some("on".to_owned()),
            "KEYWARD_VERIFICATION_IN_DATABASE" => Some("1".to_owned()),
            "KEYWARD_TRUSTED_PROXIES" => Some("10.0.0.0/8, ::1".to_owned()),
            _ => None,
        };
        let config = Config::from_lookup(env).expect("valid");
        assert!(config.session.store_session_in_database);
        assert!(!config.session.preserve_session_in_database);
        assert!(config.verification.store_in_database);
        assert_eq!(
            config.advanced.trusted_proxies,
            [
                TrustedProxy::Network("10.0.0.0".parse().expect("ip"), 8),
                TrustedProxy::Network("::1".parse().expect("ip"), 128)
            ]
        );
        assert_eq!(
            config.secondary_storage.redis_url.as_deref(),
            Some("redis://127.0.0.1:6379/2")
        );
        assert_eq!(config.secondary_storage.key_prefix, "auth:");
        assert_eq!(config.base_url.as_str(), "https://auth.example.com/");
        assert_eq!(config.base_path, "/auth");
        assert_eq!(config.auth_url(), "https://auth.example.com/auth");
        assert_eq!(config.trusted_origins, ["https://app.example.com", "myapp://"]);
        assert_eq!(config.port, 8080);
        assert!(!config.rate_limit.enabled);
        assert!(!config.using_development_secret);
    }

    #[test]
    fn trusted_proxies_match_their_networks() {
        let parse = |value: &str| TrustedProxy::parse(value).expect("parses");
        let ip = |value: &str| value.parse::<std::net::IpAddr>().expect("ip");
        assert!(parse("10.0.0.0/8").contains(ip("10.200.3.4")));
        assert!(!parse("10.0.0.0/8").contains(ip("11.0.0.1")));
        assert!(parse("192.168.1.7").contains(ip("192.168.1.7")));
        assert!(!parse("192.168.1.7").contains(ip("192.168.1.8")));
        assert!(parse("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(parse("fd00::/8").contains(ip("fd12::1")));
        assert!(!parse("fd00::/8").contains(ip("fe80::1")));
        assert!(parse("127.0.0.1").contains(ip("::ffff:127.0.0.1")), "IPv4-mapped");
        assert!(parse("*").contains(ip("2001:db8::1")));
        assert!(!parse("127.0.0.0/8").contains(ip("::2")));
        for bad in ["10.0.0.0/33", "::1/129", "localhost", "10.0.0.0/x", ""] {
            assert_eq!(TrustedProxy::parse(bad), None, "{bad}");
        }
        let listed = |name: &str| (name == "KEYWARD_TRUSTED_PROXIES").then(|| "10.0.0.0/99".to_owned());
        assert!(Config::from_lookup(listed).is_err(), "a typo stops the server");
        let none = |name: &str| (name == "KEYWARD_TRUSTED_PROXIES").then(|| "none".to_owned());
        assert!(
            Config::from_lookup(none)
                .expect("valid")
                .advanced
                .trusted_proxies
                .is_empty()
        );
        assert_eq!(
            Config::from_lookup(|_| None).expect("valid").advanced.trusted_proxies,
            TrustedProxy::loopback()
        );
    }

    #[test]
    fn rejects_bad_values() {
        let weak = |name: &str| (name == "BETTER_AUTH_SECRET").then(|| "short".to_owned());
        assert!(matches!(Config::from_lookup(weak), Err(ConfigError::WeakSecret)));
        let port = |name: &str| (name == "PORT").then(|| "eighty".to_owned());
        assert!(matches!(
            Config::from_lookup(port),
            Err(ConfigError::InvalidVariable { name: "PORT", .. })
        ));
        let rl = |name: &str| (name == "KEYWARD_RATE_LIMIT").then(|| "sometimes".to_owned());
        assert!(Config::from_lookup(rl).is_err());
        for bad in ["0", "two", "-1"] {
            let slots = |name: &str| (name == "KEYWARD_HASH_CONCURRENCY").then(|| bad.to_owned());
            assert!(matches!(
                Config::from_lookup(slots),
                Err(ConfigError::InvalidVariable {
                    name: "KEYWARD_HASH_CONCURRENCY",
                    ..
                })
            ));
        }
    }

    #[test]
    fn versioned_secrets_and_plugins_from_the_environment() {
        let env = |name: &str| match name {
            "BETTER_AUTH_SECRET" => Some("0123456789abcdef0123456789abcdef".to_owned()),
            "BETTER_AUTH_SECRETS" => Some("2:the-new-secret-0123456789abcdefghij, 1:old".to_owned()),
            "KEYWARD_PLUGINS" => Some("two-factor".to_owned()),
            _ => None,
        };
        let config = Config::from_lookup(env).expect("valid");
        assert_eq!(config.secret, "the-new-secret-0123456789abcdefghij");
        assert_eq!(
            config.legacy_secret.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(config.versioned_secrets.len(), 2);
        assert!(config.encryption_keys().encrypt("x").starts_with("$ba$2$"));
        assert!(config.two_factor.is_some());

        let bad = |name: &str| (name == "BETTER_AUTH_SECRETS").then(|| "nocolon".to_owned());
        assert!(matches!(Config::from_lookup(bad), Err(ConfigError::InvalidSecrets(_))));
        let twice = |name: &str| {
            (name == "BETTER_AUTH_SECRETS").then(|| "1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,1:b".to_owned())
        };
        assert!(matches!(
            Config::from_lookup(twice),
            Err(ConfigError::InvalidSecrets(_))
        ));
        let unknown = |name: &str| (name == "KEYWARD_PLUGINS").then(|| "two-factor,telepathy".to_owned());
        assert!(matches!(
            Config::from_lookup(unknown),
            Err(ConfigError::InvalidVariable {
                name: "KEYWARD_PLUGINS",
                ..
            })
        ));
    }

    #[test]
    fn release_builds_refuse_the_development_secret() {
        let config = Config::from_lookup(|_| None);
        if let Ok(config) = config {
            assert!(matches!(config.validate_for(true), Err(ConfigError::MissingSecret)));
            assert!(config.validate_for(false).is_ok());
            let message = ConfigError::MissingSecret.to_string();
            assert!(message.contains("BETTER_AUTH_SECRET") && message.contains("keyward-server secret"));
        }
        let configured = Config::builder()
            .secret("0123456789abcdef0123456789abcdef")
            .build()
            .expect("valid");
        assert!(configured.validate_for(true).is_ok());
    }

    #[test]
    fn empty_environment_gives_development_defaults() {
        let config = Config::from_lookup(|_| None);
        if cfg!(debug_assertions) {
            let config = config.expect("debug builds start with the development secret");
            assert!(config.using_development_secret);
            assert_eq!(config.database_url, "sqlite://keyward.db");
            assert_eq!(config.auth_url(), "http://localhost:3000/api/auth");
        } else {
            assert!(matches!(config, Err(ConfigError::MissingSecret)));
        }
    }
}
