//! The multi-session plugin's variables (`KEYWARD_MULTI_SESSION_*`).

use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.multi_session.as_mut() else {
        return Ok(());
    };
    set(
        &mut options.maximum_sessions,
        env.whole("KEYWARD_MULTI_SESSION_MAXIMUM_SESSIONS", 0, 1000)?,
    );
    Ok(())
}
