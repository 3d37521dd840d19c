//! The device-authorization plugin's variables (`KEYWARD_DEVICE_AUTHORIZATION_*`).

use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// better-auth's bound on both code lengths.
const MAX_CODE_LENGTH: u64 = 191;

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.device_authorization.as_mut() else {
        return Ok(());
    };
    set(
        &mut options.expires_in,
        env.seconds("KEYWARD_DEVICE_AUTHORIZATION_EXPIRES_IN")?,
    );
    set(
        &mut options.interval,
        env.seconds("KEYWARD_DEVICE_AUTHORIZATION_INTERVAL")?,
    );
    set(
        &mut options.device_code_length,
        env.whole("KEYWARD_DEVICE_AUTHORIZATION_DEVICE_CODE_LENGTH", 1, MAX_CODE_LENGTH)?,
    );
    set(
        &mut options.user_code_length,
        env.whole("KEYWARD_DEVICE_AUTHORIZATION_USER_CODE_LENGTH", 1, MAX_CODE_LENGTH)?,
    );
    if let Some(uri) = env.text("KEYWARD_DEVICE_AUTHORIZATION_VERIFICATION_URI") {
        options.verification_uri = Some(uri);
    }
    if let Some(clients) = env.list("KEYWARD_DEVICE_AUTHORIZATION_CLIENT_IDS") {
        *options = std::mem::take(options).allowed_clients(clients);
    }
    Ok(())
}
