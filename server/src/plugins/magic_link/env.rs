//! The magic-link plugin's variables (`KEYWARD_MAGIC_LINK_*`).

use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};
use crate::plugins::one_time_token::token_storage;

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
    set(
        &mut options.store_token,
        token_storage(env, "KEYWARD_MAGIC_LINK_STORE_TOKEN")?,
    );
    Ok(())
}
