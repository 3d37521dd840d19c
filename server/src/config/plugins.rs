//! The options of the plugins: two-factor, passkey, admin and organization.

use std::time::Duration;

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
