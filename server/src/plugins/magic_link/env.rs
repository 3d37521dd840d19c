//! The magic-link plugin's variables (`KEYWARD_MAGIC_LINK_*`).

use crate::config::TokenStorage;
use crate::config::env::formats::parse_choice;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.magic_link.as_mut() else {
        return Ok(());
    };
    set(&mut options.expires_in, env.seconds("KEYWARD_MAGIC_LINK_EXPIRES_IN")?);
    set(
        &mut options.disable_sign_up,
        env.switch("KEYWARD_MAGIC_LINK_DISABLE_SIGN_UP")?,
    );
    let hashed = env.parsed("KEYWARD_MAGIC_LINK_STORE_TOKEN", |name, value| {
        parse_choice(name, value, &[("plain", false), ("hashed", true)])
    })?;
    if let Some(hashed) = hashed {
        options.store_token = if hashed {
            TokenStorage::Hashed
        } else {
            TokenStorage::Plain
        };
    }
    Ok(())
}
