//! Plugin options both servers understand, each mapped to Keyward's configuration and
//! to the better-auth peer's environment by [`super::Peer::start`].

/// Email-OTP plugin options both servers understand (`None` and `false`: both servers'
/// defaults).
#[derive(Clone, Debug, Default)]
pub struct EmailOtpOptions {
    /// How codes are stored: `plain`, `hashed` or `encrypted` (`storeOTP`).
    pub store_otp: Option<&'static str>,
    /// Codes never create users (`disableSignUp`).
    pub disable_sign_up: bool,
    /// Whole seconds a code works (`expiresIn`).
    pub expires_in: Option<u64>,
    /// Wrong guesses a code survives (`allowedAttempts`).
    pub allowed_attempts: Option<u32>,
    /// Resend the valid code (`resendStrategy: "reuse"`).
    pub reuse: bool,
    /// The change of address by code (`changeEmail.enabled`).
    pub change_email: bool,
    /// Verification emails carry a code (`overrideDefaultEmailVerification`).
    pub override_default_email_verification: bool,
    /// A sign-up by email sends an `email-verification` code (`sendVerificationOnSignUp`).
    pub send_verification_on_sign_up: bool,
    /// A change of address needs a code of the current one (`changeEmail.verifyCurrentEmail`).
    pub verify_current_email: bool,
}

/// Phone-number plugin options both servers understand (`None` and `false`: both
/// servers' defaults). Both text codes to the outbox (`phone-number-otp`,
/// `phone-number-reset`).
#[derive(Clone, Debug, Default)]
pub struct PhoneNumberOptions {
    /// Digits in a code (`otpLength`).
    pub otp_length: Option<usize>,
    /// Whole seconds a code works (`expiresIn`).
    pub expires_in: Option<u64>,
    /// Wrong codes before a code is gone (`allowedAttempts`).
    pub allowed_attempts: Option<u64>,
    /// Unverified numbers cannot sign in (`requireVerification`).
    pub require_verification: bool,
    /// Verifying an unknown number creates a user `<number>@<domain>`
    /// (`signUpOnVerification`).
    pub sign_up_domain: Option<&'static str>,
    /// Numbers must be E.164 (`phoneNumberValidator`).
    pub e164: bool,
}

/// Anonymous plugin options both servers understand. On both, every link
/// (`onLinkAccount`) is written to the outbox as `{kind: "anonymous-link", to: <the new
/// user's address>, anonymousUserId, newUserId}`.
#[derive(Clone, Debug, Default)]
pub struct AnonymousOptions {
    /// Addresses `temp-<id>@<domain>` (`emailDomainName`).
    pub email_domain_name: Option<String>,
    /// Keep anonymous users (`disableDeleteAnonymousUser`).
    pub disable_delete: bool,
}

/// Multi-session plugin options both servers understand.
#[derive(Clone, Debug, Default)]
pub struct MultiSessionOptions {
    /// `maximumSessions` (both servers' default: 5).
    pub maximum_sessions: Option<usize>,
}

/// Magic-link plugin options both servers understand (the defaults are both servers'
/// defaults).
#[derive(Clone, Debug, Default)]
pub struct MagicLinkOptions {
    /// Store tokens hashed (`storeToken: "hashed"`).
    pub hashed: bool,
    /// Links never create users (`disableSignUp`).
    pub disable_sign_up: bool,
    /// Whole seconds a link works (`expiresIn`).
    pub expires_in: Option<u64>,
}

/// Username plugin options both servers understand (`None` and `false`: both servers'
/// defaults).
#[derive(Clone, Debug, Default)]
pub struct UsernameOptions {
    /// The shortest username (`minUsernameLength`).
    pub min_length: Option<usize>,
    /// The longest username (`maxUsernameLength`).
    pub max_length: Option<usize>,
    /// A username cannot change once set (`immutableUsername`).
    pub immutable: bool,
}

/// Device-authorization plugin options both servers understand (`None`: both servers'
/// defaults).
#[derive(Clone, Debug, Default)]
pub struct DeviceAuthorizationOptions {
    /// Whole seconds between polls (`interval`).
    pub interval: Option<u64>,
    /// Whole seconds the codes work (`expiresIn`).
    pub expires_in: Option<u64>,
    /// The only client ids accepted (`validateClient`); empty accepts any.
    pub client_ids: Vec<&'static str>,
}

/// One-time-token plugin options both servers understand (the defaults are both
/// servers' defaults).
#[derive(Clone, Debug, Default)]
pub struct OneTimeTokenOptions {
    /// Store tokens hashed (`storeToken: "hashed"`).
    pub hashed: bool,
    /// Verify answers without setting the session cookie (`disableSetSessionCookie`).
    pub disable_set_session_cookie: bool,
    /// A `set-ott` header on every new session (`setOttHeaderOnNewSession`).
    pub set_ott_header_on_new_session: bool,
}

/// Organization plugin options both servers understand.
#[derive(Clone, Debug, Default)]
pub struct OrganizationOptions {
    /// Organizations a user may belong to when creating another.
    pub organization_limit: Option<usize>,
    /// Members per organization.
    pub membership_limit: Option<usize>,
    /// Pending invitations per organization.
    pub invitation_limit: Option<usize>,
    /// Teams per organization.
    pub maximum_teams: Option<usize>,
    /// Members per team.
    pub maximum_members_per_team: Option<usize>,
    /// Users may not create organizations.
    pub forbid_creation: bool,
    /// Only verified addresses may act on invitations.
    pub require_verified_invitee: bool,
}

/// Jwt plugin options both servers understand (`None`: both servers' defaults).
#[derive(Clone, Debug, Default)]
pub struct JwtOptions {
    /// The algorithm of new keys (`jwks.keyPairConfig.alg`): `EdDSA`, `ES256`, `ES512`,
    /// `RS256` or `PS256`.
    pub algorithm: Option<&'static str>,
}

impl JwtOptions {
    /// Keyward's configuration of these options.
    pub fn keyward(&self) -> keyward_server::config::JwtConfig {
        let mut config = keyward_server::config::JwtConfig::default();
        if let Some(name) = self.algorithm {
            let algorithm = keyward_server::config::JwtKeyAlgorithm::parse(name).expect("an algorithm of the plugin");
            config = config.algorithm(algorithm);
        }
        config
    }

    /// The better-auth peer's variables for these options (`JWT_*`).
    pub fn env(&self) -> Vec<(String, String)> {
        self.algorithm
            .map(|name| ("JWT_ALG".to_owned(), name.to_owned()))
            .into_iter()
            .collect()
    }
}

/// Api-key plugin options both servers understand (`None` and `false`: both servers'
/// defaults).
#[derive(Clone, Debug, Default)]
pub struct ApiKeyOptions {
    /// A request carrying a key is a session of its owner (`enableSessionForAPIKeys`).
    pub sessions: bool,
    /// Requests per window of new keys (`rateLimit.maxRequests`).
    pub rate_limit_max: Option<u64>,
    /// Milliseconds of a new key's window (`rateLimit.timeWindow`).
    pub rate_limit_window_ms: Option<u64>,
    /// No key is rate limited (`rateLimit.enabled: false`).
    pub rate_limit_off: bool,
    /// Keys may carry metadata (`enableMetadata`).
    pub metadata: bool,
    /// The permissions of new keys (`permissions.defaultPermissions`), as JSON.
    pub default_permissions: Option<serde_json::Value>,
    /// Keys belong to organizations (`references: "organization"`).
    pub organization_keys: bool,
    /// A second configuration, `public`: keys with the prefix `pub_`, one request a
    /// minute, no sessions.
    pub public_configuration: bool,
}

impl ApiKeyOptions {
    /// Keyward's configuration of these options.
    pub fn keyward(&self) -> keyward_server::config::ApiKeyConfig {
        let mut config = keyward_server::config::ApiKeyConfig {
            enable_session_for_api_keys: self.sessions,
            enable_metadata: self.metadata,
            ..Default::default()
        };
        if let Some(max) = self.rate_limit_max {
            config.rate_limit.max_requests = max;
        }
        if let Some(window) = self.rate_limit_window_ms {
            config.rate_limit.time_window = std::time::Duration::from_millis(window);
        }
        config.rate_limit.enabled = !self.rate_limit_off;
        if self.organization_keys {
            config.references = keyward_server::config::ApiKeyOwner::Organization;
        }
        if self.public_configuration {
            let public = keyward_server::config::ApiKeyConfig::default()
                .default_prefix("pub_")
                .rate_limit(1, std::time::Duration::from_secs(60));
            config = config.configuration("public", public);
        }
        config.default_permissions = self
            .default_permissions
            .clone()
            .map(|permissions| serde_json::from_value(permissions).expect("a permission map"));
        config
    }

    /// The better-auth peer's variables for these options (`API_KEY_*`).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        let mut set = |name: &str, value: String| env.push((name.to_owned(), value));
        if self.sessions {
            set("API_KEY_SESSIONS", "1".into());
        }
        if let Some(max) = self.rate_limit_max {
            set("API_KEY_RATE_LIMIT_MAX", max.to_string());
        }
        if let Some(window) = self.rate_limit_window_ms {
            set("API_KEY_RATE_LIMIT_WINDOW", window.to_string());
        }
        if self.rate_limit_off {
            set("API_KEY_RATE_LIMIT_ENABLED", "0".into());
        }
        if self.metadata {
            set("API_KEY_METADATA", "1".into());
        }
        if self.organization_keys {
            set("API_KEY_REFERENCES", "organization".into());
        }
        if self.public_configuration {
            let public = serde_json::json!([{
                "configId": "public",
                "defaultPrefix": "pub_",
                "rateLimit": {"maxRequests": 1, "timeWindow": 60_000},
            }]);
            set("API_KEY_CONFIGURATIONS", public.to_string());
        }
        if let Some(permissions) = &self.default_permissions {
            set("API_KEY_DEFAULT_PERMISSIONS", permissions.to_string());
        }
        env
    }
}
