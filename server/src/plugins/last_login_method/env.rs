//! The last-login-method plugin's variables (`KEYWARD_LAST_LOGIN_METHOD_*`).

use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.last_login_method.as_mut() else {
        return Ok(());
    };
    set(
        &mut options.store_in_database,
        env.switch("KEYWARD_LAST_LOGIN_METHOD_STORE_IN_DATABASE")?,
    );
    set(&mut options.max_age, env.seconds("KEYWARD_LAST_LOGIN_METHOD_MAX_AGE")?);
    if let Some(name) = env.parsed("KEYWARD_LAST_LOGIN_METHOD_COOKIE_NAME", cookie_name)? {
        options.cookie_name = name;
    }
    Ok(())
}

/// A cookie name (RFC 6265 token characters).
fn cookie_name(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim();
    let token = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if token {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::InvalidVariable {
            name,
            reason: format!("`{value}` is not a cookie name"),
        })
    }
}
