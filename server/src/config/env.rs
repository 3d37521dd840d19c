//! [`Config::from_lookup`]: every variable of [`ENV_VARIABLES`], parsed and checked. A value
//! that does not parse is a [`ConfigError::InvalidVariable`] naming the variable; blank
//! values count as unset.

pub(crate) mod formats;
mod plugins;
mod social;
mod variables;
mod variables_plugins;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_plugins;
#[cfg(test)]
mod tests_variables;

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::{
    AccountConfig, AdvancedConfig, Config, ConfigError, EmailPasswordConfig, EmailTransportConfig,
    EmailVerificationConfig, RateLimitConfig, SessionConfig, UserConfig,
};
use formats::{
    check_absolute_url, check_base_path, check_cookie_name, parse_additional_fields, parse_header_names, parse_list,
    parse_rate_limit_rules, parse_seconds, parse_seconds_or_zero, parse_switch, parse_trusted_proxies,
    parse_versioned_secrets, parse_whole,
};
pub use variables::{ENV_VARIABLES, EnvVariable};

/// The variable source, with typed readers. Each returns `Ok(None)` when the variable is
/// unset or blank.
pub(crate) struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Env<'_> {
    /// The value as given.
    pub(crate) fn raw(&self, name: &'static str) -> Option<String> {
        debug_assert!(variables::is_listed(name), "{name} is missing from ENV_VARIABLES");
        (self.lookup)(name).filter(|value| !value.trim().is_empty())
    }

    /// The value, trimmed.
    pub(crate) fn text(&self, name: &'static str) -> Option<String> {
        self.raw(name).map(|value| value.trim().to_owned())
    }

    pub(crate) fn parsed<T>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&'static str, &str) -> Result<T, ConfigError>,
    ) -> Result<Option<T>, ConfigError> {
        self.raw(name).map(|value| parse(name, &value)).transpose()
    }

    pub(crate) fn switch(&self, name: &'static str) -> Result<Option<bool>, ConfigError> {
        self.parsed(name, parse_switch)
    }

    pub(crate) fn seconds(&self, name: &'static str) -> Result<Option<Duration>, ConfigError> {
        self.parsed(name, parse_seconds)
    }

    pub(crate) fn seconds_or_zero(&self, name: &'static str) -> Result<Option<Duration>, ConfigError> {
        self.parsed(name, parse_seconds_or_zero)
    }

    /// A whole number from `min` to `max`, converted to the field's type.
    pub(crate) fn whole<T: TryFrom<u64>>(
        &self,
        name: &'static str,
        min: u64,
        max: u64,
    ) -> Result<Option<T>, ConfigError> {
        self.parsed(name, |name, value| {
            let number = parse_whole(name, value, min, max)?;
            T::try_from(number).map_err(|_| ConfigError::InvalidVariable {
                name,
                reason: format!("`{value}` is too large"),
            })
        })
    }

    pub(crate) fn list(&self, name: &'static str) -> Option<Vec<String>> {
        self.raw(name).map(|value| parse_list(&value))
    }
}

/// Replaces `target` when the variable was set.
pub(crate) fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *target = value;
    }
}

/// Reads the whole configuration.
pub(super) fn read(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let env = Env { lookup };
    let mut config = server(&env)?;
    email_transport(&env, &mut config.email)?;
    email_and_password(&env, &mut config.email_and_password)?;
    email_verification(&env, &mut config.email_verification)?;
    user(&env, &mut config.user)?;
    session(&env, &mut config.session)?;
    account(&env, &mut config.account)?;
    social::social(&env, &mut config)?;
    rate_limit(&env, &mut config.rate_limit)?;
    advanced(&env, &mut config.advanced)?;
    config.secondary_storage.redis_url = env.text("REDIS_URL");
    set(
        &mut config.secondary_storage.key_prefix,
        env.raw("KEYWARD_REDIS_PREFIX"),
    );
    set(
        &mut config.verification.store_in_database,
        env.switch("KEYWARD_VERIFICATION_IN_DATABASE")?,
    );
    plugins::read(&env, &mut config)?;
    config.validate()?;
    Ok(config)
}

/// Secrets, URL, database, port and the server's own limits.
fn server(env: &Env) -> Result<Config, ConfigError> {
    let mut builder = Config::builder();
    if let Some(secret) = env.raw("BETTER_AUTH_SECRET").or_else(|| env.raw("AUTH_SECRET")) {
        builder = builder.secret(secret);
    }
    if let Some(list) = env.raw("BETTER_AUTH_SECRETS") {
        builder = builder.versioned_secrets(parse_versioned_secrets(&list)?);
    }
    let port = env.whole("PORT", 0, u64::from(u16::MAX))?.unwrap_or(3000);
    builder = builder.port(port);
    // Read by the hashing pool itself (`password.rs`); checked here so a typo stops the
    // server instead of being ignored.
    env.whole::<usize>("KEYWARD_HASH_CONCURRENCY", 1, u64::MAX)?;
    let base_url = match env.text("BETTER_AUTH_URL") {
        Some(raw) => Url::parse(&raw)
            .map_err(|e| e.to_string())
            .and_then(|url| match (url.scheme(), url.has_host()) {
                ("http" | "https", true) => Ok(url),
                _ => Err(format!("`{raw}` is not an http:// or https:// URL")),
            })
            .map_err(|reason| ConfigError::InvalidVariable {
                name: "BETTER_AUTH_URL",
                reason,
            })?,
        None => Url::parse(&format!("http://localhost:{port}")).expect("localhost URL parses"),
    };
    // A path on BETTER_AUTH_URL is the base path, as in better-auth.
    let url_path = match base_url.path().trim_end_matches('/') {
        "" => None,
        path => Some(check_base_path("BETTER_AUTH_URL", path)?),
    };
    let path_variable = env.parsed("KEYWARD_BASE_PATH", check_base_path)?;
    if let (Some(from_url), Some(given)) = (&url_path, &path_variable)
        && from_url != given
    {
        return Err(ConfigError::InvalidVariable {
            name: "KEYWARD_BASE_PATH",
            reason: format!("`{given}` differs from the path of BETTER_AUTH_URL (`{from_url}`); set one of them"),
        });
    }
    let mut origin = base_url;
    origin.set_path("");
    builder = builder.base_url(origin);
    if let Some(path) = url_path.or(path_variable) {
        builder = builder.base_path(path);
    }
    if let Some(url) = env.text("DATABASE_URL") {
        builder = builder.database_url(url);
    }
    if let Some(origins) = env.list("BETTER_AUTH_TRUSTED_ORIGINS") {
        builder = builder.trusted_origins(origins);
    }
    let mut config = builder.build_unchecked();
    set(&mut config.app_name, env.text("KEYWARD_APP_NAME"));
    set(&mut config.body_limit, env.whole("KEYWARD_BODY_LIMIT", 1, u64::MAX)?);
    let limits = &mut config.connection_limits;
    set(
        &mut limits.header_read_timeout,
        env.seconds("KEYWARD_HEADER_READ_TIMEOUT")?,
    );
    set(&mut limits.body_read_timeout, env.seconds("KEYWARD_BODY_READ_TIMEOUT")?);
    set(
        &mut limits.max_connections,
        env.whole("KEYWARD_MAX_CONNECTIONS", 1, u64::MAX)?,
    );
    set(&mut config.cors, env.switch("KEYWARD_CORS")?);
    config.error_url = env.parsed("KEYWARD_ERROR_URL", |name, value| {
        let value = value.trim();
        if value.starts_with('/') && !value.starts_with("//") && !value.contains(char::is_whitespace) {
            Ok(value.to_owned())
        } else {
            check_absolute_url(name, value)
        }
    })?;
    Ok(config)
}

fn email_transport(env: &Env, email: &mut EmailTransportConfig) -> Result<(), ConfigError> {
    email.outbox = env.text("KEYWARD_OUTBOX").map(PathBuf::from);
    email.smtp_url = env.parsed("SMTP_URL", |name, value| {
        let url = check_absolute_url(name, value)?;
        if url.starts_with("smtp://") || url.starts_with("smtps://") {
            Ok(url)
        } else {
            Err(ConfigError::InvalidVariable {
                name,
                reason: format!("`{url}` is not an smtp:// or smtps:// URL"),
            })
        }
    })?;
    email.smtp_from = env.parsed("SMTP_FROM", |name, value| {
        value
            .trim()
            .parse::<lettre::message::Mailbox>()
            .map(|_| value.trim().to_owned())
            .map_err(|error| ConfigError::InvalidVariable {
                name,
                reason: format!("`{value}` is not an address like `Keyward <auth@example.com>`: {error}"),
            })
    })?;
    match (&email.smtp_url, &email.smtp_from) {
        (Some(_), None) => {
            return Err(ConfigError::InvalidVariable {
                name: "SMTP_FROM",
                reason: "unset, but SMTP_URL needs a sender address".into(),
            });
        }
        (None, Some(_)) => {
            return Err(ConfigError::InvalidVariable {
                name: "SMTP_FROM",
                reason: "SMTP_URL is not set, so nothing would send from it".into(),
            });
        }
        _ => {}
    }
    if email.outbox.is_some() || email.smtp_url.is_some() {
        email.log_links = false;
    }
    set(&mut email.log_links, env.switch("KEYWARD_LOG_EMAIL_LINKS")?);
    Ok(())
}

fn email_and_password(env: &Env, options: &mut EmailPasswordConfig) -> Result<(), ConfigError> {
    set(&mut options.enabled, env.switch("KEYWARD_EMAIL_PASSWORD")?);
    set(
        &mut options.disable_sign_up,
        env.switch("KEYWARD_EMAIL_PASSWORD_DISABLE_SIGN_UP")?,
    );
    set(
        &mut options.require_email_verification,
        env.switch("KEYWARD_EMAIL_PASSWORD_REQUIRE_EMAIL_VERIFICATION")?,
    );
    set(
        &mut options.min_password_length,
        env.whole("KEYWARD_EMAIL_PASSWORD_MIN_LENGTH", 1, u64::MAX)?,
    );
    set(
        &mut options.max_password_length,
        env.whole("KEYWARD_EMAIL_PASSWORD_MAX_LENGTH", 1, u64::MAX)?,
    );
    if options.min_password_length > options.max_password_length {
        return Err(ConfigError::InvalidVariable {
            name: "KEYWARD_EMAIL_PASSWORD_MIN_LENGTH",
            reason: format!(
                "{} is above the maximum length {} (KEYWARD_EMAIL_PASSWORD_MAX_LENGTH)",
                options.min_password_length, options.max_password_length
            ),
        });
    }
    set(
        &mut options.auto_sign_in,
        env.switch("KEYWARD_EMAIL_PASSWORD_AUTO_SIGN_IN")?,
    );
    set(
        &mut options.reset_password_token_expires_in,
        env.seconds("KEYWARD_EMAIL_PASSWORD_RESET_TOKEN_EXPIRES_IN")?,
    );
    set(
        &mut options.revoke_sessions_on_password_reset,
        env.switch("KEYWARD_EMAIL_PASSWORD_REVOKE_SESSIONS_ON_RESET")?,
    );
    Ok(())
}

fn email_verification(env: &Env, options: &mut EmailVerificationConfig) -> Result<(), ConfigError> {
    if let Some(on) = env.switch("KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_UP")? {
        options.send_on_sign_up = Some(on);
    }
    set(
        &mut options.send_on_sign_in,
        env.switch("KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_IN")?,
    );
    set(
        &mut options.auto_sign_in_after_verification,
        env.switch("KEYWARD_EMAIL_VERIFICATION_AUTO_SIGN_IN")?,
    );
    set(
        &mut options.expires_in,
        env.seconds("KEYWARD_EMAIL_VERIFICATION_EXPIRES_IN")?,
    );
    Ok(())
}

/// The columns `table` has before any additional field (its `id` included).
fn core_columns(table: &str) -> Vec<String> {
    crate::db::schema::core_tables(&[], &[], crate::db::Dialect::Sqlite)
        .into_iter()
        .filter(|t| t.name == table)
        .flat_map(|t| t.columns.into_iter().map(|column| column.name))
        .chain(["id".to_owned()])
        .collect()
}

fn user(env: &Env, options: &mut UserConfig) -> Result<(), ConfigError> {
    let change = &mut options.change_email;
    set(&mut change.enabled, env.switch("KEYWARD_USER_CHANGE_EMAIL")?);
    set(
        &mut change.update_email_without_verification,
        env.switch("KEYWARD_USER_CHANGE_EMAIL_WITHOUT_VERIFICATION")?,
    );
    set(
        &mut change.send_change_email_confirmation,
        env.switch("KEYWARD_USER_CHANGE_EMAIL_CONFIRMATION")?,
    );
    let delete = &mut options.delete_user;
    set(&mut delete.enabled, env.switch("KEYWARD_USER_DELETE_USER")?);
    set(
        &mut delete.send_delete_account_verification,
        env.switch("KEYWARD_USER_DELETE_USER_VERIFICATION")?,
    );
    set(
        &mut delete.delete_token_expires_in,
        env.seconds("KEYWARD_USER_DELETE_USER_TOKEN_EXPIRES_IN")?,
    );
    set(
        &mut options.additional_fields,
        env.parsed("KEYWARD_USER_ADDITIONAL_FIELDS", |name, value| {
            parse_additional_fields(name, value, &core_columns("user"))
        })?,
    );
    Ok(())
}

fn session(env: &Env, options: &mut SessionConfig) -> Result<(), ConfigError> {
    set(&mut options.expires_in, env.seconds("KEYWARD_SESSION_EXPIRES_IN")?);
    set(
        &mut options.update_age,
        env.seconds_or_zero("KEYWARD_SESSION_UPDATE_AGE")?,
    );
    set(
        &mut options.fresh_age,
        env.seconds_or_zero("KEYWARD_SESSION_FRESH_AGE")?,
    );
    set(
        &mut options.disable_session_refresh,
        env.switch("KEYWARD_SESSION_DISABLE_REFRESH")?,
    );
    set(
        &mut options.defer_session_refresh,
        env.switch("KEYWARD_SESSION_DEFER_REFRESH")?,
    );
    set(
        &mut options.cookie_cache.enabled,
        env.switch("KEYWARD_SESSION_COOKIE_CACHE")?,
    );
    set(
        &mut options.cookie_cache.max_age,
        env.seconds("KEYWARD_SESSION_COOKIE_CACHE_MAX_AGE")?,
    );
    set(
        &mut options.additional_fields,
        env.parsed("KEYWARD_SESSION_ADDITIONAL_FIELDS", |name, value| {
            parse_additional_fields(name, value, &core_columns("session"))
        })?,
    );
    set(
        &mut options.store_session_in_database,
        env.switch("KEYWARD_SESSION_IN_DATABASE")?,
    );
    set(
        &mut options.preserve_session_in_database,
        env.switch("KEYWARD_PRESERVE_SESSION_IN_DATABASE")?,
    );
    Ok(())
}

fn account(env: &Env, options: &mut AccountConfig) -> Result<(), ConfigError> {
    set(
        &mut options.allow_unlinking_all,
        env.switch("KEYWARD_ACCOUNT_ALLOW_UNLINKING_ALL")?,
    );
    Ok(())
}

fn rate_limit(env: &Env, options: &mut RateLimitConfig) -> Result<(), ConfigError> {
    set(&mut options.enabled, env.switch("KEYWARD_RATE_LIMIT")?);
    if let Some(window) = env.whole::<u64>("KEYWARD_RATE_LIMIT_WINDOW", 1, u64::MAX)? {
        options.default_rule.window = Duration::from_secs(window);
    }
    set(
        &mut options.default_rule.max,
        env.whole("KEYWARD_RATE_LIMIT_MAX", 1, u64::from(u32::MAX))?,
    );
    set(
        &mut options.custom_rules,
        env.parsed("KEYWARD_RATE_LIMIT_RULES", parse_rate_limit_rules)?,
    );
    Ok(())
}

fn advanced(env: &Env, options: &mut AdvancedConfig) -> Result<(), ConfigError> {
    set(
        &mut options.cookie_prefix,
        env.parsed("KEYWARD_COOKIE_PREFIX", check_cookie_name)?,
    );
    if let Some(secure) = env.switch("KEYWARD_SECURE_COOKIES")? {
        options.use_secure_cookies = Some(secure);
    }
    set(
        &mut options.ip_address_headers,
        env.parsed("KEYWARD_IP_ADDRESS_HEADERS", parse_header_names)?,
    );
    set(
        &mut options.trusted_proxies,
        env.parsed("KEYWARD_TRUSTED_PROXIES", parse_trusted_proxies)?,
    );
    set(
        &mut options.session_ip_from_peer,
        env.switch("KEYWARD_SESSION_IP_FROM_PEER")?,
    );
    set(
        &mut options.disable_origin_check,
        env.switch("KEYWARD_DISABLE_ORIGIN_CHECK")?,
    );
    set(
        &mut options.disable_csrf_check,
        env.switch("KEYWARD_DISABLE_CSRF_CHECK")?,
    );
    Ok(())
}
