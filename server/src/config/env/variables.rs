//! The list of environment variables, in the order of the README's configuration table
//! (a test compares the two): the core's here, the plugins' in `variables_plugins.rs`.

use super::variables_plugins::PLUGIN_VARIABLES;

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

pub(super) const fn plugin(plugin: &'static str, name: &'static str, summary: &'static str) -> EnvVariable {
    EnvVariable {
        name,
        summary,
        plugin: Some(plugin),
        binary_only: false,
    }
}

/// Every environment variable Keyward reads, with a one-line summary; the README's
/// configuration table has one row for each, in this order: the core's, then each
/// plugin's (`variables_plugins.rs`).
pub const ENV_VARIABLES: &[EnvVariable] = &ALL;

/// How many variables there are.
const COUNT: usize = CORE_VARIABLES.len() + PLUGIN_VARIABLES.len();

/// The core's variables, then the plugins', joined at compile time.
const ALL: [EnvVariable; COUNT] = {
    let mut all = [CORE_VARIABLES[0]; COUNT];
    let mut i = 0;
    while i < CORE_VARIABLES.len() {
        all[i] = CORE_VARIABLES[i];
        i += 1;
    }
    let mut j = 0;
    while j < PLUGIN_VARIABLES.len() {
        all[CORE_VARIABLES.len() + j] = PLUGIN_VARIABLES[j];
        j += 1;
    }
    all
};

/// The variables of the server itself and of its binary.
const CORE_VARIABLES: &[EnvVariable] = &[
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
];

/// Whether `name` is in [`ENV_VARIABLES`].
pub(super) fn is_listed(name: &str) -> bool {
    ENV_VARIABLES.iter().any(|variable| variable.name == name)
}
