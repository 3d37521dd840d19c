//! The list of environment variables, in the order of the README's configuration table
//! (a test compares the two).

/// One environment variable that [`Config::from_env`](crate::Config::from_env) or the
/// `keyward-server` binary reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvVariable {
    /// The variable's name.
    pub name: &'static str,
    /// What it sets, in one line.
    pub summary: &'static str,
    /// The plugin it belongs to, as named in `KEYWARD_PLUGINS`: setting it while the
    /// plugin is off is an error.
    pub plugin: Option<&'static str>,
    /// Read by the `keyward-server` binary only (listening address, static files, log
    /// filter), not by [`Config::from_env`](crate::Config::from_env).
    pub binary_only: bool,
}

const fn core(name: &'static str, summary: &'static str) -> EnvVariable {
    EnvVariable {
        name,
        summary,
        plugin: None,
        binary_only: false,
    }
}

const fn binary(name: &'static str, summary: &'static str) -> EnvVariable {
    EnvVariable {
        name,
        summary,
        plugin: None,
        binary_only: true,
    }
}

const fn plugin(plugin: &'static str, name: &'static str, summary: &'static str) -> EnvVariable {
    EnvVariable {
        name,
        summary,
        plugin: Some(plugin),
        binary_only: false,
    }
}

/// Every environment variable Keyward reads, with a one-line summary; the README's
/// configuration table has one row for each, in this order.
pub const ENV_VARIABLES: &[EnvVariable] = &[
    core("BETTER_AUTH_SECRET", "signing and encryption secret"),
    core("AUTH_SECRET", "the secret when BETTER_AUTH_SECRET is unset"),
    core("BETTER_AUTH_SECRETS", "versioned secrets for rotation, newest first"),
    core(
        "BETTER_AUTH_URL",
        "public URL of the server (a path on it is the base path)",
    ),
    core("KEYWARD_BASE_PATH", "mount path of the endpoints"),
    core("BETTER_AUTH_TRUSTED_ORIGINS", "extra trusted origins"),
    core("DATABASE_URL", "SQLite or PostgreSQL database"),
    core("PORT", "listening port"),
    binary("HOST", "listening address"),
    core("KEYWARD_APP_NAME", "application name"),
    core("KEYWARD_BODY_LIMIT", "largest request body, in bytes"),
    core("KEYWARD_HEADER_READ_TIMEOUT", "deadline for a request's headers"),
    core("KEYWARD_BODY_READ_TIMEOUT", "deadline for a request's body"),
    core("KEYWARD_MAX_CONNECTIONS", "open connections at once"),
    core("KEYWARD_CORS", "answer CORS requests from trusted origins"),
    core("KEYWARD_ERROR_URL", "where GET /error redirects"),
    core("KEYWARD_HASH_CONCURRENCY", "password hashes computed at once"),
    binary("KEYWARD_STATIC_DIR", "web app served at /"),
    binary("RUST_LOG", "log filter"),
    core("KEYWARD_OUTBOX", "file that receives every email as a JSON line"),
    core("SMTP_URL", "SMTP server that sends email"),
    core("SMTP_FROM", "sender address for SMTP"),
    core("KEYWARD_LOG_EMAIL_LINKS", "log the links of emails"),
    core("KEYWARD_EMAIL_PASSWORD", "email and password sign-in"),
    core("KEYWARD_EMAIL_PASSWORD_DISABLE_SIGN_UP", "refuse new sign-ups"),
    core(
        "KEYWARD_EMAIL_PASSWORD_REQUIRE_EMAIL_VERIFICATION",
        "refuse sign-in until the email is verified",
    ),
    core("KEYWARD_EMAIL_PASSWORD_MIN_LENGTH", "shortest password"),
    core("KEYWARD_EMAIL_PASSWORD_MAX_LENGTH", "longest password"),
    core("KEYWARD_EMAIL_PASSWORD_AUTO_SIGN_IN", "sign new users in"),
    core(
        "KEYWARD_EMAIL_PASSWORD_RESET_TOKEN_EXPIRES_IN",
        "lifetime of a password reset token",
    ),
    core(
        "KEYWARD_EMAIL_PASSWORD_REVOKE_SESSIONS_ON_RESET",
        "end a user's sessions when the password is reset",
    ),
    core(
        "KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_UP",
        "send a verification email on sign-up",
    ),
    core(
        "KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_IN",
        "send a verification email when an unverified user signs in",
    ),
    core(
        "KEYWARD_EMAIL_VERIFICATION_AUTO_SIGN_IN",
        "sign in from the verification link",
    ),
    core(
        "KEYWARD_EMAIL_VERIFICATION_EXPIRES_IN",
        "lifetime of a verification link",
    ),
    core("KEYWARD_USER_CHANGE_EMAIL", "POST /change-email"),
    core(
        "KEYWARD_USER_CHANGE_EMAIL_WITHOUT_VERIFICATION",
        "unverified users change address at once",
    ),
    core(
        "KEYWARD_USER_CHANGE_EMAIL_CONFIRMATION",
        "verified users confirm from their current address",
    ),
    core("KEYWARD_USER_DELETE_USER", "POST /delete-user"),
    core(
        "KEYWARD_USER_DELETE_USER_VERIFICATION",
        "confirm deletion through an emailed link",
    ),
    core(
        "KEYWARD_USER_DELETE_USER_TOKEN_EXPIRES_IN",
        "lifetime of a deletion link",
    ),
    core("KEYWARD_USER_ADDITIONAL_FIELDS", "extra columns on the user table"),
    core("KEYWARD_SESSION_EXPIRES_IN", "session lifetime"),
    core(
        "KEYWARD_SESSION_UPDATE_AGE",
        "age at which a request rolls the expiry forward",
    ),
    core(
        "KEYWARD_SESSION_FRESH_AGE",
        "maximum session age for sensitive endpoints",
    ),
    core("KEYWARD_SESSION_DISABLE_REFRESH", "never roll the expiry forward"),
    core("KEYWARD_SESSION_DEFER_REFRESH", "GET /get-session never writes"),
    core("KEYWARD_SESSION_COOKIE_CACHE", "the session_data cookie cache"),
    core(
        "KEYWARD_SESSION_COOKIE_CACHE_MAX_AGE",
        "how long a cached session is trusted",
    ),
    core(
        "KEYWARD_SESSION_ADDITIONAL_FIELDS",
        "extra columns on the session table",
    ),
    core(
        "KEYWARD_SESSION_IN_DATABASE",
        "with Redis, also keep sessions in the database",
    ),
    core(
        "KEYWARD_PRESERVE_SESSION_IN_DATABASE",
        "keep the rows of ended sessions",
    ),
    core(
        "KEYWARD_ACCOUNT_ALLOW_UNLINKING_ALL",
        "allow unlinking a user's last account",
    ),
    core("GITHUB_CLIENT_ID", "GitHub OAuth app client id"),
    core("GITHUB_CLIENT_SECRET", "GitHub OAuth app client secret"),
    core("GOOGLE_CLIENT_ID", "Google OAuth client id"),
    core("GOOGLE_CLIENT_SECRET", "Google OAuth client secret"),
    core("APPLE_CLIENT_ID", "Apple services id"),
    core("APPLE_CLIENT_SECRET", "Apple client-secret JWT"),
    core("APPLE_APP_BUNDLE_IDENTIFIER", "also accept ID tokens of this app"),
    core("MICROSOFT_CLIENT_ID", "Microsoft Entra ID client id"),
    core("MICROSOFT_CLIENT_SECRET", "Microsoft Entra ID client secret"),
    core("MICROSOFT_TENANT_ID", "Microsoft tenant"),
    core("DISCORD_CLIENT_ID", "Discord client id"),
    core("DISCORD_CLIENT_SECRET", "Discord client secret"),
    core("GITLAB_CLIENT_ID", "GitLab application id"),
    core("GITLAB_CLIENT_SECRET", "GitLab application secret"),
    core("GITLAB_ISSUER", "GitLab instance"),
    core("FACEBOOK_CLIENT_ID", "Facebook app id"),
    core("FACEBOOK_CLIENT_SECRET", "Facebook app secret"),
    core("KEYWARD_GENERIC_OAUTH", "OpenID Connect and OAuth 2.0 providers (JSON)"),
    core("KEYWARD_PROVIDER_TIMEOUT", "deadline of each call to a provider"),
    core("KEYWARD_ACCOUNT_LINKING", "link provider accounts to users"),
    core(
        "KEYWARD_ACCOUNT_TRUSTED_PROVIDERS",
        "providers whose address counts as verified",
    ),
    core(
        "KEYWARD_ACCOUNT_ALLOW_DIFFERENT_EMAILS",
        "link accounts of another address",
    ),
    core(
        "KEYWARD_ACCOUNT_UPDATE_USER_INFO_ON_LINK",
        "copy name and image when linking",
    ),
    core("KEYWARD_ACCOUNT_DISABLE_IMPLICIT_LINKING", "never link on sign-in"),
    core(
        "KEYWARD_ACCOUNT_REQUIRE_LOCAL_EMAIL_VERIFIED",
        "link only to verified users",
    ),
    core("KEYWARD_ACCOUNT_ENCRYPT_OAUTH_TOKENS", "encrypt provider tokens"),
    core("KEYWARD_ACCOUNT_UPDATE_ON_SIGN_IN", "store new tokens on sign-in"),
    core("KEYWARD_ACCOUNT_SKIP_STATE_COOKIE_CHECK", "skip the state cookie check"),
    core("KEYWARD_ACCOUNT_STORE_STATE_STRATEGY", "where OAuth state is kept"),
    core("KEYWARD_RATE_LIMIT", "rate limiting"),
    core("KEYWARD_RATE_LIMIT_WINDOW", "window of the default rule"),
    core("KEYWARD_RATE_LIMIT_MAX", "requests per window of the default rule"),
    core("KEYWARD_RATE_LIMIT_RULES", "rules per path"),
    core("KEYWARD_COOKIE_PREFIX", "cookie name prefix"),
    core("KEYWARD_SECURE_COOKIES", "force __Secure- cookies on or off"),
    core("KEYWARD_IP_ADDRESS_HEADERS", "headers that name the client IP"),
    core("KEYWARD_TRUSTED_PROXIES", "proxies whose IP headers are believed"),
    core("KEYWARD_SESSION_IP_FROM_PEER", "record the TCP peer as a session's IP"),
    core(
        "KEYWARD_DISABLE_ORIGIN_CHECK",
        "skip the Origin and callback URL checks",
    ),
    core("KEYWARD_DISABLE_CSRF_CHECK", "skip the CSRF Origin check"),
    core("REDIS_URL", "secondary storage on Redis"),
    core("KEYWARD_REDIS_PREFIX", "prefix of every Redis key"),
    core(
        "KEYWARD_VERIFICATION_IN_DATABASE",
        "with Redis, also keep verification values in the database",
    ),
    core("KEYWARD_PLUGINS", "plugins to enable"),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_ISSUER",
        "issuer shown by authenticator apps",
    ),
    plugin("two-factor", "KEYWARD_TWO_FACTOR_TOTP", "authenticator-app codes"),
    plugin("two-factor", "KEYWARD_TWO_FACTOR_TOTP_DIGITS", "digits per TOTP code"),
    plugin("two-factor", "KEYWARD_TWO_FACTOR_TOTP_PERIOD", "seconds per TOTP code"),
    plugin("two-factor", "KEYWARD_TWO_FACTOR_OTP", "emailed one-time codes"),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_OTP_DIGITS",
        "digits per one-time code",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_OTP_PERIOD",
        "lifetime of a one-time code",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_OTP_STORAGE",
        "how one-time codes are stored",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_OTP_ALLOWED_ATTEMPTS",
        "wrong guesses allowed per one-time code",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_BACKUP_CODES_AMOUNT",
        "backup codes per set",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_BACKUP_CODES_LENGTH",
        "characters per backup code",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_BACKUP_CODES_STORAGE",
        "how backup codes are stored",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_SKIP_VERIFICATION_ON_ENABLE",
        "switch TOTP on without a first code",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_ALLOW_PASSWORDLESS",
        "users without a password manage two-factor",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_TRUST_DEVICE_MAX_AGE",
        "how long a trusted device skips the second factor",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_CHALLENGE_MAX_AGE",
        "how long a sign-in challenge stays open",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_LOCKOUT",
        "lock after repeated wrong codes",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_LOCKOUT_MAX_FAILED_ATTEMPTS",
        "wrong codes before the lock",
    ),
    plugin(
        "two-factor",
        "KEYWARD_TWO_FACTOR_LOCKOUT_DURATION",
        "how long the lock lasts",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_ALLOW_USER_TO_CREATE",
        "users may create organizations",
    ),
    plugin("organization", "KEYWARD_ORGANIZATION_LIMIT", "organizations per user"),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_CREATOR_ROLE",
        "role of an organization's creator",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_MEMBERSHIP_LIMIT",
        "members per organization",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_INVITATION_LIMIT",
        "pending invitations per organization",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_INVITATION_EXPIRES_IN",
        "lifetime of an invitation",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_CANCEL_PENDING_INVITATIONS_ON_RE_INVITE",
        "re-inviting replaces the pending invitation",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_REQUIRE_EMAIL_VERIFICATION_ON_INVITATION",
        "only verified addresses see invitations",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_DISABLE_DELETION",
        "refuse /organization/delete",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_SEND_INVITATION_EMAIL",
        "email invitations",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_INVITATION_LINK",
        "link in invitation emails",
    ),
    plugin("organization", "KEYWARD_ORGANIZATION_TEAMS", "teams"),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_TEAMS_DEFAULT_TEAM",
        "a first team in every new organization",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_TEAMS_MAXIMUM",
        "teams per organization",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_TEAMS_MAXIMUM_MEMBERS",
        "members per team",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_TEAMS_ALLOW_REMOVING_ALL",
        "allow removing the last team",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_ACCESS_CONTROL",
        "statements roles are made from",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_ROLES",
        "roles that replace the defaults",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL",
        "roles stored per organization",
    ),
    plugin(
        "organization",
        "KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL_MAXIMUM_ROLES",
        "stored roles per organization",
    ),
    plugin("passkey", "KEYWARD_PASSKEY_RP_ID", "WebAuthn relying party id"),
    plugin("passkey", "KEYWARD_PASSKEY_RP_NAME", "name authenticators show"),
    plugin("passkey", "KEYWARD_PASSKEY_ORIGINS", "WebAuthn origins accepted"),
    plugin(
        "passkey",
        "KEYWARD_PASSKEY_AUTHENTICATOR_ATTACHMENT",
        "platform or roaming authenticators",
    ),
    plugin("passkey", "KEYWARD_PASSKEY_RESIDENT_KEY", "discoverable credentials"),
    plugin(
        "passkey",
        "KEYWARD_PASSKEY_REQUIRE_RESIDENT_KEY",
        "legacy requireResidentKey",
    ),
    plugin("passkey", "KEYWARD_PASSKEY_USER_VERIFICATION", "user verification"),
    plugin(
        "passkey",
        "KEYWARD_PASSKEY_REQUIRE_SESSION",
        "registration needs a session",
    ),
    plugin(
        "passkey",
        "KEYWARD_PASSKEY_CHALLENGE_MAX_AGE",
        "lifetime of a ceremony's challenge",
    ),
    plugin(
        "passkey",
        "KEYWARD_PASSKEY_CHALLENGE_COOKIE",
        "name of the challenge cookie",
    ),
    plugin("admin", "KEYWARD_ADMIN_DEFAULT_ROLE", "role of new users"),
    plugin("admin", "KEYWARD_ADMIN_ADMIN_ROLES", "roles that count as admins"),
    plugin("admin", "KEYWARD_ADMIN_USER_IDS", "users allowed every admin action"),
    plugin("admin", "KEYWARD_ADMIN_ROLES", "roles that replace the defaults"),
    plugin(
        "admin",
        "KEYWARD_ADMIN_IMPERSONATION_SESSION_DURATION",
        "how long an impersonation lasts",
    ),
    plugin(
        "admin",
        "KEYWARD_ADMIN_ALLOW_IMPERSONATING_ADMINS",
        "admins may impersonate admins",
    ),
    plugin(
        "admin",
        "KEYWARD_ADMIN_BANNED_USER_MESSAGE",
        "message of a banned user's error",
    ),
    plugin(
        "admin",
        "KEYWARD_ADMIN_DEFAULT_BAN_REASON",
        "reason stored when a ban gives none",
    ),
    plugin(
        "admin",
        "KEYWARD_ADMIN_DEFAULT_BAN_EXPIRES_IN",
        "length of a ban that gives none",
    ),
    plugin(
        "one-time-token",
        "KEYWARD_ONE_TIME_TOKEN_EXPIRES_IN",
        "how long a one-time token works",
    ),
    plugin(
        "one-time-token",
        "KEYWARD_ONE_TIME_TOKEN_STORE_TOKEN",
        "one-time tokens stored plain or hashed",
    ),
    plugin(
        "one-time-token",
        "KEYWARD_ONE_TIME_TOKEN_DISABLE_CLIENT_REQUEST",
        "generate tokens from server code only",
    ),
    plugin(
        "one-time-token",
        "KEYWARD_ONE_TIME_TOKEN_DISABLE_SET_SESSION_COOKIE",
        "verify answers without signing in",
    ),
    plugin(
        "one-time-token",
        "KEYWARD_ONE_TIME_TOKEN_SET_OTT_HEADER_ON_NEW_SESSION",
        "a set-ott header on every new session",
    ),
    plugin(
        "electron",
        "KEYWARD_ELECTRON_CODE_EXPIRES_IN",
        "how long a desktop app's code works",
    ),
    plugin(
        "electron",
        "KEYWARD_ELECTRON_REDIRECT_COOKIE_EXPIRES_IN",
        "how long the code cookie lives",
    ),
    plugin("electron", "KEYWARD_ELECTRON_COOKIE_PREFIX", "the code cookie's prefix"),
    plugin(
        "electron",
        "KEYWARD_ELECTRON_CLIENT_ID",
        "the client id desktop apps send",
    ),
    plugin(
        "electron",
        "KEYWARD_ELECTRON_DEEP_LINK_SCHEMES",
        "schemes a redirect_uri deep link may use",
    ),
    plugin(
        "device-authorization",
        "KEYWARD_DEVICE_AUTHORIZATION_EXPIRES_IN",
        "how long device and user codes work",
    ),
    plugin(
        "device-authorization",
        "KEYWARD_DEVICE_AUTHORIZATION_INTERVAL",
        "seconds a device waits between polls",
    ),
    plugin(
        "device-authorization",
        "KEYWARD_DEVICE_AUTHORIZATION_DEVICE_CODE_LENGTH",
        "length of device codes",
    ),
    plugin(
        "device-authorization",
        "KEYWARD_DEVICE_AUTHORIZATION_USER_CODE_LENGTH",
        "length of user codes",
    ),
    plugin(
        "device-authorization",
        "KEYWARD_DEVICE_AUTHORIZATION_CLIENT_IDS",
        "the only client ids accepted",
    ),
    plugin(
        "device-authorization",
        "KEYWARD_DEVICE_AUTHORIZATION_VERIFICATION_URI",
        "the verification page",
    ),
    plugin(
        "last-login-method",
        "KEYWARD_LAST_LOGIN_METHOD_STORE_IN_DATABASE",
        "keep the method in the user's row too",
    ),
    plugin(
        "last-login-method",
        "KEYWARD_LAST_LOGIN_METHOD_MAX_AGE",
        "how long the last-method cookie lasts",
    ),
    plugin(
        "last-login-method",
        "KEYWARD_LAST_LOGIN_METHOD_COOKIE_NAME",
        "the last-method cookie's name",
    ),
    plugin(
        "magic-link",
        "KEYWARD_MAGIC_LINK_EXPIRES_IN",
        "how long a magic link works",
    ),
    plugin(
        "magic-link",
        "KEYWARD_MAGIC_LINK_DISABLE_SIGN_UP",
        "magic links never create users",
    ),
    plugin(
        "magic-link",
        "KEYWARD_MAGIC_LINK_STORE_TOKEN",
        "magic-link tokens stored plain or hashed",
    ),
    plugin(
        "username",
        "KEYWARD_USERNAME_MIN_USERNAME_LENGTH",
        "the shortest username (3)",
    ),
    plugin(
        "username",
        "KEYWARD_USERNAME_MAX_USERNAME_LENGTH",
        "the longest username (30)",
    ),
    plugin(
        "username",
        "KEYWARD_USERNAME_NORMALIZATION",
        "usernames stored lowercase or as given",
    ),
    plugin(
        "username",
        "KEYWARD_USERNAME_VALIDATION_ORDER",
        "usernames validated before or after normalisation",
    ),
    plugin(
        "username",
        "KEYWARD_USERNAME_DISPLAY_VALIDATION_ORDER",
        "display usernames validated before or after normalisation",
    ),
    plugin(
        "username",
        "KEYWARD_USERNAME_IMMUTABLE_USERNAME",
        "a username cannot change once set",
    ),
    plugin(
        "username",
        "KEYWARD_USERNAME_DISPLAY_USERNAME",
        "users have a displayUsername",
    ),
    plugin("email-otp", "KEYWARD_EMAIL_OTP_LENGTH", "digits in an email code"),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_EXPIRES_IN",
        "how long an email code works",
    ),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_ALLOWED_ATTEMPTS",
        "wrong guesses an email code survives",
    ),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_STORE_OTP",
        "email codes stored plain, hashed or encrypted",
    ),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_RESEND_STRATEGY",
        "a new email code on every request, or the valid one again",
    ),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_DISABLE_SIGN_UP",
        "email codes never create users",
    ),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_SEND_VERIFICATION_ON_SIGN_UP",
        "an email-verification code after every sign-up",
    ),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_OVERRIDE_DEFAULT_EMAIL_VERIFICATION",
        "verification emails carry a code instead of a link",
    ),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_CHANGE_EMAIL",
        "the change of address by email code",
    ),
    plugin(
        "email-otp",
        "KEYWARD_EMAIL_OTP_CHANGE_EMAIL_VERIFY_CURRENT_EMAIL",
        "a change of address needs a code of the current address",
    ),
    plugin(
        "phone-number",
        "KEYWARD_PHONE_NUMBER_OTP_LENGTH",
        "digits in a texted code (6)",
    ),
    plugin(
        "phone-number",
        "KEYWARD_PHONE_NUMBER_EXPIRES_IN",
        "seconds a texted code works (300)",
    ),
    plugin(
        "phone-number",
        "KEYWARD_PHONE_NUMBER_ALLOWED_ATTEMPTS",
        "wrong codes before a code is gone (3)",
    ),
    plugin(
        "phone-number",
        "KEYWARD_PHONE_NUMBER_REQUIRE_VERIFICATION",
        "unverified numbers cannot sign in or reset a password",
    ),
    plugin(
        "phone-number",
        "KEYWARD_PHONE_NUMBER_SIGN_UP_ON_VERIFICATION",
        "verifying an unknown number creates its user",
    ),
    plugin(
        "phone-number",
        "KEYWARD_PHONE_NUMBER_TEMP_EMAIL_DOMAIN",
        "the domain of such users' addresses (phone.invalid)",
    ),
    plugin(
        "phone-number",
        "KEYWARD_PHONE_NUMBER_VALIDATOR",
        "numbers checked as E.164 (e164) or not at all (none)",
    ),
    plugin(
        "anonymous",
        "KEYWARD_ANONYMOUS_EMAIL_DOMAIN_NAME",
        "the domain of anonymous users' addresses (temp-<id>@domain)",
    ),
    plugin(
        "anonymous",
        "KEYWARD_ANONYMOUS_DISABLE_DELETE_ANONYMOUS_USER",
        "anonymous users are kept after a link and cannot be deleted",
    ),
    plugin(
        "multi-session",
        "KEYWARD_MULTI_SESSION_MAXIMUM_SESSIONS",
        "how many sessions one browser keeps (5)",
    ),
    plugin(
        "jwt",
        "KEYWARD_JWT_ALGORITHM",
        "the algorithm of new signing keys: EdDSA, ES256, RS256 or PS256",
    ),
    plugin("jwt", "KEYWARD_JWT_ISSUER", "the tokens' iss (the base URL's origin)"),
    plugin(
        "jwt",
        "KEYWARD_JWT_AUDIENCE",
        "the tokens' aud, comma-separated (the base URL's origin)",
    ),
    plugin("jwt", "KEYWARD_JWT_EXPIRATION_TIME", "seconds a token lives (900)"),
    plugin(
        "jwt",
        "KEYWARD_JWT_ROTATION_INTERVAL",
        "seconds a key signs before a new one is made (never)",
    ),
    plugin(
        "jwt",
        "KEYWARD_JWT_GRACE_PERIOD",
        "seconds an expired key stays in /jwks (30 days)",
    ),
    plugin(
        "jwt",
        "KEYWARD_JWT_DISABLE_PRIVATE_KEY_ENCRYPTION",
        "private keys are stored unencrypted",
    ),
    plugin(
        "jwt",
        "KEYWARD_JWT_DISABLE_SETTING_JWT_HEADER",
        "no set-auth-jwt header on /get-session",
    ),
];

/// Whether `name` is in [`ENV_VARIABLES`].
pub(super) fn is_listed(name: &str) -> bool {
    ENV_VARIABLES.iter().any(|variable| variable.name == name)
}
