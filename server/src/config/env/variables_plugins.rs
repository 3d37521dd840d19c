//! The plugins' variables, in the order of the README's table (after the core's).

use super::variables::{EnvVariable, plugin};

/// The variables of Keyward's plugins, each read only when its plugin is on.
pub(super) const PLUGIN_VARIABLES: &[EnvVariable] = &[
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
        "the algorithm of new signing keys: EdDSA, ES256, ES512, RS256 or PS256",
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
    plugin(
        "api-key",
        "KEYWARD_API_KEY_HEADERS",
        "the headers a key may come in, comma-separated (x-api-key)",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_DEFAULT_KEY_LENGTH",
        "random letters of a new key after its prefix (64)",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_DEFAULT_PREFIX",
        "the prefix of new keys (none)",
    ),
    plugin("api-key", "KEYWARD_API_KEY_REQUIRE_NAME", "every key needs a name"),
    plugin("api-key", "KEYWARD_API_KEY_ENABLE_METADATA", "keys may carry metadata"),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_ENABLE_SESSION_FOR_API_KEYS",
        "a request carrying a key is a session of its owner",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_RATE_LIMIT_ENABLED",
        "keys are rate limited (on; off: no key is)",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_RATE_LIMIT_TIME_WINDOW",
        "seconds of a new key's rate-limit window (86400)",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_RATE_LIMIT_MAX",
        "requests a new key may make per window (10)",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_DEFAULT_EXPIRES_IN",
        "seconds a key created without expiresIn lives (forever)",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_DISABLE_CUSTOM_EXPIRES_TIME",
        "callers may not choose a key's expiry",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_MIN_EXPIRES_IN_DAYS",
        "the shortest expiresIn, in days (1)",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_MAX_EXPIRES_IN_DAYS",
        "the longest expiresIn, in days (365)",
    ),
    plugin(
        "api-key",
        "KEYWARD_API_KEY_REFERENCES",
        "who owns keys: user or organization (user)",
    ),
    plugin(
        "open-api",
        "KEYWARD_OPEN_API_DISABLE_DEFAULT_REFERENCE",
        "no /reference page, only the document",
    ),
    plugin(
        "open-api",
        "KEYWARD_OPEN_API_THEME",
        "the Scalar theme of /reference (default)",
    ),
];
