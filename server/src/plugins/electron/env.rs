//! The electron plugin's variables (`KEYWARD_ELECTRON_*`).

use super::config::{check_scheme, is_cookie_name_part};
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.electron.as_mut() else {
        return Ok(());
    };
    set(
        &mut options.code_expires_in,
        env.seconds("KEYWARD_ELECTRON_CODE_EXPIRES_IN")?,
    );
    set(
        &mut options.redirect_cookie_expires_in,
        env.seconds("KEYWARD_ELECTRON_REDIRECT_COOKIE_EXPIRES_IN")?,
    );
    set(
        &mut options.cookie_prefix,
        env.parsed("KEYWARD_ELECTRON_COOKIE_PREFIX", cookie_name_part)?,
    );
    set(
        &mut options.client_id,
        env.parsed("KEYWARD_ELECTRON_CLIENT_ID", cookie_name_part)?,
    );
    if let Some(schemes) = env.list("KEYWARD_ELECTRON_DEEP_LINK_SCHEMES") {
        options.deep_link_schemes = schemes
            .iter()
            .map(|scheme| check_scheme(scheme))
            .collect::<Result<_, _>>()
            .map_err(|reason| ConfigError::InvalidVariable {
                name: "KEYWARD_ELECTRON_DEEP_LINK_SCHEMES",
                reason,
            })?;
    }
    Ok(())
}

/// A value that goes into a cookie name: letters, digits, `-`, `_` and `.`.
fn cookie_name_part(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim();
    if is_cookie_name_part(value) {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::InvalidVariable {
            name,
            reason: format!("`{value}` may hold only letters, digits, `-`, `_` and `.`"),
        })
    }
}
