//! The variable list against the code and the README: every bad value names its
//! variable, every listed variable is read, and the README's table lists exactly them.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::ENV_VARIABLES;
use super::tests::{ALL_PLUGINS, read, refused};
use crate::config::{Config, ConfigError};

/// A value each variable refuses. Variables that take any text are in [`FREE_TEXT`].
pub(super) const BAD_VALUES: &[(&str, &str)] = &[
    ("GITHUB_CLIENT_ID", "only-the-id"),
    ("GITHUB_CLIENT_SECRET", "only-the-secret"),
    ("GOOGLE_CLIENT_ID", "only-the-id"),
    ("GOOGLE_CLIENT_SECRET", "only-the-secret"),
    ("APPLE_CLIENT_ID", "only-the-id"),
    ("APPLE_CLIENT_SECRET", "only-the-secret"),
    ("MICROSOFT_CLIENT_ID", "only-the-id"),
    ("MICROSOFT_CLIENT_SECRET", "only-the-secret"),
    ("DISCORD_CLIENT_ID", "only-the-id"),
    ("DISCORD_CLIENT_SECRET", "only-the-secret"),
    ("GITLAB_CLIENT_ID", "only-the-id"),
    ("GITLAB_CLIENT_SECRET", "only-the-secret"),
    ("GITLAB_ISSUER", "gitlab.example.com"),
    ("FACEBOOK_CLIENT_ID", "only-the-id"),
    ("FACEBOOK_CLIENT_SECRET", "only-the-secret"),
    (
        "KEYWARD_GENERIC_OAUTH",
        "[{\"providerId\":\"corp\",\"clientId\":\"x\"}]",
    ),
    ("KEYWARD_PROVIDER_TIMEOUT", "soon"),
    ("KEYWARD_ACCOUNT_LINKING", "maybe"),
    ("KEYWARD_ACCOUNT_ALLOW_DIFFERENT_EMAILS", "maybe"),
    ("KEYWARD_ACCOUNT_UPDATE_USER_INFO_ON_LINK", "maybe"),
    ("KEYWARD_ACCOUNT_DISABLE_IMPLICIT_LINKING", "maybe"),
    ("KEYWARD_ACCOUNT_REQUIRE_LOCAL_EMAIL_VERIFIED", "maybe"),
    ("KEYWARD_ACCOUNT_ENCRYPT_OAUTH_TOKENS", "maybe"),
    ("KEYWARD_ACCOUNT_UPDATE_ON_SIGN_IN", "maybe"),
    ("KEYWARD_ACCOUNT_SKIP_STATE_COOKIE_CHECK", "maybe"),
    ("KEYWARD_ACCOUNT_STORE_STATE_STRATEGY", "memory"),
    ("BETTER_AUTH_URL", "localhost:3000"),
    ("KEYWARD_BASE_PATH", "/"),
    ("PORT", "eighty"),
    ("KEYWARD_BODY_LIMIT", "1MB"),
    ("KEYWARD_HEADER_READ_TIMEOUT", "0"),
    ("KEYWARD_BODY_READ_TIMEOUT", "-3"),
    ("KEYWARD_MAX_CONNECTIONS", "0"),
    ("KEYWARD_CORS", "yes"),
    ("KEYWARD_ERROR_URL", "error page"),
    ("KEYWARD_HASH_CONCURRENCY", "0"),
    ("SMTP_URL", "http://smtp.example.com"),
    ("SMTP_FROM", "not an address"),
    ("KEYWARD_LOG_EMAIL_LINKS", "sometimes"),
    ("KEYWARD_EMAIL_PASSWORD", "disabled"),
    ("KEYWARD_EMAIL_PASSWORD_DISABLE_SIGN_UP", "2"),
    ("KEYWARD_EMAIL_PASSWORD_REQUIRE_EMAIL_VERIFICATION", "y"),
    ("KEYWARD_EMAIL_PASSWORD_MIN_LENGTH", "0"),
    ("KEYWARD_EMAIL_PASSWORD_MAX_LENGTH", "-1"),
    ("KEYWARD_EMAIL_PASSWORD_AUTO_SIGN_IN", "enabled"),
    ("KEYWARD_EMAIL_PASSWORD_RESET_TOKEN_EXPIRES_IN", "1h"),
    ("KEYWARD_EMAIL_PASSWORD_REVOKE_SESSIONS_ON_RESET", "always"),
    ("KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_UP", "maybe"),
    ("KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_IN", "maybe"),
    ("KEYWARD_EMAIL_VERIFICATION_AUTO_SIGN_IN", "maybe"),
    ("KEYWARD_EMAIL_VERIFICATION_EXPIRES_IN", "inf"),
    ("KEYWARD_USER_CHANGE_EMAIL", "enabled"),
    ("KEYWARD_USER_CHANGE_EMAIL_WITHOUT_VERIFICATION", "enabled"),
    ("KEYWARD_USER_CHANGE_EMAIL_CONFIRMATION", "enabled"),
    ("KEYWARD_USER_DELETE_USER", "enabled"),
    ("KEYWARD_USER_DELETE_USER_VERIFICATION", "enabled"),
    ("KEYWARD_USER_DELETE_USER_TOKEN_EXPIRES_IN", "NaN"),
    ("KEYWARD_USER_ADDITIONAL_FIELDS", "plan:text"),
    ("KEYWARD_SESSION_EXPIRES_IN", "a week"),
    ("KEYWARD_SESSION_UPDATE_AGE", "-1"),
    ("KEYWARD_SESSION_FRESH_AGE", "day"),
    ("KEYWARD_SESSION_DISABLE_REFRESH", "enabled"),
    ("KEYWARD_SESSION_DEFER_REFRESH", "enabled"),
    ("KEYWARD_SESSION_COOKIE_CACHE", "enabled"),
    ("KEYWARD_SESSION_COOKIE_CACHE_MAX_AGE", "0"),
    ("KEYWARD_SESSION_ADDITIONAL_FIELDS", "device"),
    ("KEYWARD_SESSION_IN_DATABASE", "enabled"),
    ("KEYWARD_PRESERVE_SESSION_IN_DATABASE", "enabled"),
    ("KEYWARD_ACCOUNT_ALLOW_UNLINKING_ALL", "enabled"),
    ("KEYWARD_RATE_LIMIT", "sometimes"),
    ("KEYWARD_RATE_LIMIT_WINDOW", "0.5"),
    ("KEYWARD_RATE_LIMIT_MAX", "0"),
    ("KEYWARD_RATE_LIMIT_RULES", "/sign-in=fast"),
    ("KEYWARD_COOKIE_PREFIX", "my app"),
    ("KEYWARD_SECURE_COOKIES", "auto"),
    ("KEYWARD_IP_ADDRESS_HEADERS", "x forwarded for"),
    ("KEYWARD_TRUSTED_PROXIES", "10.0.0.0/99"),
    ("KEYWARD_SESSION_IP_FROM_PEER", "enabled"),
    ("KEYWARD_DISABLE_ORIGIN_CHECK", "enabled"),
    ("KEYWARD_DISABLE_CSRF_CHECK", "enabled"),
    ("KEYWARD_VERIFICATION_IN_DATABASE", "enabled"),
    ("KEYWARD_PLUGINS", "two-factor,telepathy"),
    ("KEYWARD_TWO_FACTOR_TOTP", "enabled"),
    ("KEYWARD_TWO_FACTOR_TOTP_DIGITS", "9"),
    ("KEYWARD_TWO_FACTOR_TOTP_PERIOD", "0"),
    ("KEYWARD_TWO_FACTOR_OTP", "enabled"),
    ("KEYWARD_TWO_FACTOR_OTP_DIGITS", "0"),
    ("KEYWARD_TWO_FACTOR_OTP_PERIOD", "soon"),
    ("KEYWARD_TWO_FACTOR_OTP_STORAGE", "base64"),
    ("KEYWARD_TWO_FACTOR_OTP_ALLOWED_ATTEMPTS", "0"),
    ("KEYWARD_TWO_FACTOR_BACKUP_CODES_AMOUNT", "0"),
    ("KEYWARD_TWO_FACTOR_BACKUP_CODES_LENGTH", "65"),
    ("KEYWARD_TWO_FACTOR_BACKUP_CODES_STORAGE", "hashed"),
    ("KEYWARD_TWO_FACTOR_SKIP_VERIFICATION_ON_ENABLE", "enabled"),
    ("KEYWARD_TWO_FACTOR_ALLOW_PASSWORDLESS", "enabled"),
    ("KEYWARD_TWO_FACTOR_TRUST_DEVICE_MAX_AGE", "30d"),
    ("KEYWARD_TWO_FACTOR_CHALLENGE_MAX_AGE", "0"),
    ("KEYWARD_TWO_FACTOR_LOCKOUT", "enabled"),
    ("KEYWARD_TWO_FACTOR_LOCKOUT_MAX_FAILED_ATTEMPTS", "0"),
    ("KEYWARD_TWO_FACTOR_LOCKOUT_DURATION", "15m"),
    ("KEYWARD_ORGANIZATION_ALLOW_USER_TO_CREATE", "enabled"),
    ("KEYWARD_ORGANIZATION_LIMIT", "0"),
    ("KEYWARD_ORGANIZATION_MEMBERSHIP_LIMIT", "many"),
    ("KEYWARD_ORGANIZATION_INVITATION_LIMIT", "0"),
    ("KEYWARD_ORGANIZATION_INVITATION_EXPIRES_IN", "2d"),
    (
        "KEYWARD_ORGANIZATION_CANCEL_PENDING_INVITATIONS_ON_RE_INVITE",
        "enabled",
    ),
    (
        "KEYWARD_ORGANIZATION_REQUIRE_EMAIL_VERIFICATION_ON_INVITATION",
        "enabled",
    ),
    ("KEYWARD_ORGANIZATION_DISABLE_DELETION", "enabled"),
    ("KEYWARD_ORGANIZATION_SEND_INVITATION_EMAIL", "enabled"),
    ("KEYWARD_ORGANIZATION_INVITATION_LINK", "/accept/{id}"),
    ("KEYWARD_ORGANIZATION_TEAMS", "enabled"),
    ("KEYWARD_ORGANIZATION_TEAMS_DEFAULT_TEAM", "enabled"),
    ("KEYWARD_ORGANIZATION_TEAMS_MAXIMUM", "0"),
    ("KEYWARD_ORGANIZATION_TEAMS_MAXIMUM_MEMBERS", "-5"),
    ("KEYWARD_ORGANIZATION_TEAMS_ALLOW_REMOVING_ALL", "enabled"),
    ("KEYWARD_ORGANIZATION_ACCESS_CONTROL", "project:create"),
    ("KEYWARD_ORGANIZATION_ROLES", "{\"owner\": [\"all\"]}"),
    ("KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL", "enabled"),
    ("KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL_MAXIMUM_ROLES", "0"),
    ("KEYWARD_PASSKEY_RP_ID", "https://example.com"),
    ("KEYWARD_PASSKEY_AUTHENTICATOR_ATTACHMENT", "usb"),
    ("KEYWARD_PASSKEY_RESIDENT_KEY", "mandatory"),
    ("KEYWARD_PASSKEY_REQUIRE_RESIDENT_KEY", "enabled"),
    ("KEYWARD_PASSKEY_USER_VERIFICATION", "always"),
    ("KEYWARD_PASSKEY_REQUIRE_SESSION", "enabled"),
    ("KEYWARD_PASSKEY_CHALLENGE_MAX_AGE", "5m"),
    ("KEYWARD_PASSKEY_CHALLENGE_COOKIE", "passkey;challenge"),
    ("KEYWARD_ADMIN_ROLES", "[\"admin\"]"),
    ("KEYWARD_ADMIN_IMPERSONATION_SESSION_DURATION", "1h"),
    ("KEYWARD_ADMIN_ALLOW_IMPERSONATING_ADMINS", "enabled"),
    ("KEYWARD_ADMIN_DEFAULT_BAN_EXPIRES_IN", "forever"),
    ("KEYWARD_ONE_TIME_TOKEN_EXPIRES_IN", "3m"),
    ("KEYWARD_ONE_TIME_TOKEN_STORE_TOKEN", "custom-hasher"),
    ("KEYWARD_ONE_TIME_TOKEN_DISABLE_CLIENT_REQUEST", "server-only"),
    ("KEYWARD_ONE_TIME_TOKEN_DISABLE_SET_SESSION_COOKIE", "yes"),
    ("KEYWARD_ONE_TIME_TOKEN_SET_OTT_HEADER_ON_NEW_SESSION", "always"),
    ("KEYWARD_ELECTRON_CODE_EXPIRES_IN", "0"),
    ("KEYWARD_ELECTRON_REDIRECT_COOKIE_EXPIRES_IN", "2 minutes"),
    ("KEYWARD_ELECTRON_COOKIE_PREFIX", "my app"),
    ("KEYWARD_ELECTRON_CLIENT_ID", "a;b"),
    ("KEYWARD_ELECTRON_DEEP_LINK_SCHEMES", "myapp,https"),
    ("KEYWARD_DEVICE_AUTHORIZATION_EXPIRES_IN", "30m"),
    ("KEYWARD_DEVICE_AUTHORIZATION_INTERVAL", "-5"),
    ("KEYWARD_DEVICE_AUTHORIZATION_DEVICE_CODE_LENGTH", "200"),
    ("KEYWARD_DEVICE_AUTHORIZATION_USER_CODE_LENGTH", "eight"),
    ("KEYWARD_LAST_LOGIN_METHOD_STORE_IN_DATABASE", "sometimes"),
    ("KEYWARD_LAST_LOGIN_METHOD_MAX_AGE", "a month"),
    ("KEYWARD_LAST_LOGIN_METHOD_COOKIE_NAME", "last method"),
    ("KEYWARD_MAGIC_LINK_EXPIRES_IN", "5m"),
    ("KEYWARD_MAGIC_LINK_DISABLE_SIGN_UP", "never"),
    ("KEYWARD_MAGIC_LINK_STORE_TOKEN", "custom-hasher"),
    ("KEYWARD_USERNAME_MIN_USERNAME_LENGTH", "three"),
    ("KEYWARD_USERNAME_MAX_USERNAME_LENGTH", "0"),
    ("KEYWARD_USERNAME_NORMALIZATION", "uppercase"),
    ("KEYWARD_USERNAME_VALIDATION_ORDER", "after"),
    ("KEYWARD_USERNAME_DISPLAY_VALIDATION_ORDER", "before"),
    ("KEYWARD_USERNAME_IMMUTABLE_USERNAME", "forever"),
    ("KEYWARD_USERNAME_DISPLAY_USERNAME", "shown"),
    ("KEYWARD_EMAIL_OTP_LENGTH", "six"),
    ("KEYWARD_EMAIL_OTP_EXPIRES_IN", "5m"),
    ("KEYWARD_EMAIL_OTP_ALLOWED_ATTEMPTS", "0"),
    ("KEYWARD_EMAIL_OTP_STORE_OTP", "custom-hasher"),
    ("KEYWARD_EMAIL_OTP_RESEND_STRATEGY", "sometimes"),
    ("KEYWARD_EMAIL_OTP_DISABLE_SIGN_UP", "never"),
    ("KEYWARD_EMAIL_OTP_SEND_VERIFICATION_ON_SIGN_UP", "maybe"),
    ("KEYWARD_EMAIL_OTP_OVERRIDE_DEFAULT_EMAIL_VERIFICATION", "perhaps"),
    ("KEYWARD_EMAIL_OTP_CHANGE_EMAIL", "enabled"),
    ("KEYWARD_EMAIL_OTP_CHANGE_EMAIL_VERIFY_CURRENT_EMAIL", "yes please"),
    ("KEYWARD_PHONE_NUMBER_OTP_LENGTH", "six"),
    ("KEYWARD_PHONE_NUMBER_EXPIRES_IN", "5m"),
    ("KEYWARD_PHONE_NUMBER_ALLOWED_ATTEMPTS", "0"),
    ("KEYWARD_PHONE_NUMBER_REQUIRE_VERIFICATION", "always"),
    ("KEYWARD_PHONE_NUMBER_SIGN_UP_ON_VERIFICATION", "sometimes"),
    ("KEYWARD_PHONE_NUMBER_TEMP_EMAIL_DOMAIN", "not a domain"),
    ("KEYWARD_PHONE_NUMBER_VALIDATOR", "e.164"),
    ("KEYWARD_ANONYMOUS_EMAIL_DOMAIN_NAME", "not a domain"),
    ("KEYWARD_ANONYMOUS_DISABLE_DELETE_ANONYMOUS_USER", "sometimes"),
    ("KEYWARD_MULTI_SESSION_MAXIMUM_SESSIONS", "five"),
    ("KEYWARD_JWT_ALGORITHM", "ES384"),
    ("KEYWARD_JWT_EXPIRATION_TIME", "15m"),
    ("KEYWARD_JWT_ROTATION_INTERVAL", "monthly"),
    ("KEYWARD_JWT_GRACE_PERIOD", "a while"),
    ("KEYWARD_JWT_DISABLE_PRIVATE_KEY_ENCRYPTION", "sometimes"),
    ("KEYWARD_JWT_DISABLE_SETTING_JWT_HEADER", "sometimes"),
    ("KEYWARD_API_KEY_DEFAULT_KEY_LENGTH", "8"),
    ("KEYWARD_API_KEY_REQUIRE_NAME", "sometimes"),
    ("KEYWARD_API_KEY_ENABLE_METADATA", "sometimes"),
    ("KEYWARD_API_KEY_ENABLE_SESSION_FOR_API_KEYS", "sometimes"),
    ("KEYWARD_API_KEY_RATE_LIMIT_ENABLED", "sometimes"),
    ("KEYWARD_API_KEY_RATE_LIMIT_TIME_WINDOW", "a day"),
    ("KEYWARD_API_KEY_RATE_LIMIT_MAX", "0"),
    ("KEYWARD_API_KEY_DEFAULT_EXPIRES_IN", "a year"),
    ("KEYWARD_API_KEY_DISABLE_CUSTOM_EXPIRES_TIME", "sometimes"),
    ("KEYWARD_API_KEY_MIN_EXPIRES_IN_DAYS", "-1"),
    ("KEYWARD_API_KEY_MAX_EXPIRES_IN_DAYS", "0"),
    ("KEYWARD_API_KEY_REFERENCES", "team"),
    ("KEYWARD_OPEN_API_DISABLE_DEFAULT_REFERENCE", "sometimes"),
];

/// Variables that take any text (checked later, when used, or not at all), those whose
/// mistakes have their own error ([`ConfigError::WeakSecret`],
/// [`ConfigError::InvalidSecrets`]), and those only the binary reads.
pub(super) const FREE_TEXT: &[&str] = &[
    "BETTER_AUTH_SECRET",
    "AUTH_SECRET",
    "BETTER_AUTH_SECRETS",
    "BETTER_AUTH_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "HOST",
    "KEYWARD_APP_NAME",
    "KEYWARD_STATIC_DIR",
    "RUST_LOG",
    "KEYWARD_OUTBOX",
    "REDIS_URL",
    "KEYWARD_REDIS_PREFIX",
    "KEYWARD_TWO_FACTOR_ISSUER",
    "KEYWARD_ORGANIZATION_CREATOR_ROLE",
    "KEYWARD_PASSKEY_RP_NAME",
    "KEYWARD_PASSKEY_ORIGINS",
    "KEYWARD_ADMIN_DEFAULT_ROLE",
    "KEYWARD_ADMIN_ADMIN_ROLES",
    "KEYWARD_ADMIN_USER_IDS",
    "KEYWARD_ADMIN_BANNED_USER_MESSAGE",
    "KEYWARD_ADMIN_DEFAULT_BAN_REASON",
    "APPLE_APP_BUNDLE_IDENTIFIER",
    "MICROSOFT_TENANT_ID",
    "KEYWARD_ACCOUNT_TRUSTED_PROVIDERS",
    "KEYWARD_DEVICE_AUTHORIZATION_CLIENT_IDS",
    "KEYWARD_DEVICE_AUTHORIZATION_VERIFICATION_URI",
    "KEYWARD_JWT_ISSUER",
    "KEYWARD_JWT_AUDIENCE",
    "KEYWARD_API_KEY_HEADERS",
    "KEYWARD_API_KEY_DEFAULT_PREFIX",
    "KEYWARD_OPEN_API_THEME",
];

#[test]
fn every_bad_value_names_its_variable() {
    for (name, bad) in BAD_VALUES {
        let mut vars = vec![(*name, *bad)];
        if *name != "KEYWARD_PLUGINS" {
            vars.push(("KEYWARD_PLUGINS", ALL_PLUGINS));
        }
        if name.starts_with("SMTP_") {
            vars.push(("SMTP_URL", "smtp://smtp.example.com"));
            vars.push(("SMTP_FROM", "auth@example.com"));
            vars.retain(|(var, value)| var != name || value == bad);
        }
        let (refused_name, reason) = refused(&vars);
        assert_eq!(refused_name, *name, "{name}={bad}: {reason}");
        let message = read(&vars).expect_err("refused").to_string();
        assert!(message.starts_with(name), "the message names {name}: {message}");
    }
    let weak = read(&[("BETTER_AUTH_SECRET", "short")]);
    assert!(matches!(weak, Err(ConfigError::WeakSecret)));
    let covered: BTreeSet<&str> = BAD_VALUES
        .iter()
        .map(|(name, _)| *name)
        .chain(FREE_TEXT.iter().copied())
        .collect();
    let listed: BTreeSet<&str> = ENV_VARIABLES.iter().map(|v| v.name).collect();
    assert_eq!(
        covered, listed,
        "every variable has a bad value here, or takes any text"
    );
}

#[test]
fn every_listed_variable_is_read() {
    let asked = RefCell::new(BTreeSet::new());
    let _ = Config::from_lookup(|name| {
        asked.borrow_mut().insert(name.to_owned());
        (name == "KEYWARD_PLUGINS").then(|| ALL_PLUGINS.to_owned())
    });
    let asked = asked.into_inner();
    let read_by_config: BTreeSet<String> = ENV_VARIABLES
        .iter()
        .filter(|v| !v.binary_only)
        .map(|v| v.name.to_owned())
        .collect();
    assert_eq!(asked, read_by_config);
    let mut names = BTreeSet::new();
    for variable in ENV_VARIABLES {
        assert!(names.insert(variable.name), "{} listed twice", variable.name);
        assert!(!variable.summary.is_empty());
        if let Some(plugin) = variable.plugin {
            let prefix = format!("KEYWARD_{}_", plugin.to_uppercase().replace('-', "_"));
            assert!(variable.name.starts_with(&prefix), "{}", variable.name);
        }
    }
}

/// The variable names of the README's `## Configuration` table, in order.
fn readme_variables() -> Vec<String> {
    let readme = include_str!("../../../../README.md");
    let section = readme
        .split("\n## ")
        .find(|section| section.starts_with("Configuration\n"))
        .expect("README has a ## Configuration section");
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|row| {
            let cell = row.split('|').nth(1).expect("a first cell").trim();
            let name = cell.trim_matches('`');
            assert!(
                !name.contains('`') && !name.contains(' '),
                "one variable per row: {row}"
            );
            name.to_owned()
        })
        .collect()
}

#[test]
fn readme_table_lists_exactly_the_variables_the_code_reads() {
    let documented = readme_variables();
    let listed: Vec<String> = ENV_VARIABLES.iter().map(|v| v.name.to_owned()).collect();
    let missing: Vec<&String> = listed.iter().filter(|name| !documented.contains(name)).collect();
    let unknown: Vec<&String> = documented.iter().filter(|name| !listed.contains(name)).collect();
    assert!(missing.is_empty(), "variables without a README row: {missing:?}");
    assert!(
        unknown.is_empty(),
        "README rows for variables the code does not read: {unknown:?}"
    );
    assert_eq!(
        documented, listed,
        "the README's rows follow the order of ENV_VARIABLES"
    );
}
