//! The api-key plugin's variables (`KEYWARD_API_KEY_*`).

use super::ApiKeyOwner;
use crate::config::env::formats::parse_choice;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.api_key.as_mut() else {
        return Ok(());
    };
    set(&mut options.headers, env.list("KEYWARD_API_KEY_HEADERS"));
    set(
        &mut options.default_key_length,
        env.whole("KEYWARD_API_KEY_DEFAULT_KEY_LENGTH", 16, 256)?,
    );
    if let Some(prefix) = env.text("KEYWARD_API_KEY_DEFAULT_PREFIX") {
        options.default_prefix = Some(prefix);
    }
    set(&mut options.require_name, env.switch("KEYWARD_API_KEY_REQUIRE_NAME")?);
    set(
        &mut options.enable_metadata,
        env.switch("KEYWARD_API_KEY_ENABLE_METADATA")?,
    );
    set(
        &mut options.enable_session_for_api_keys,
        env.switch("KEYWARD_API_KEY_ENABLE_SESSION_FOR_API_KEYS")?,
    );
    set(
        &mut options.rate_limit.enabled,
        env.switch("KEYWARD_API_KEY_RATE_LIMIT_ENABLED")?,
    );
    set(
        &mut options.rate_limit.time_window,
        env.seconds("KEYWARD_API_KEY_RATE_LIMIT_TIME_WINDOW")?,
    );
    set(
        &mut options.rate_limit.max_requests,
        env.whole("KEYWARD_API_KEY_RATE_LIMIT_MAX", 1, u64::from(u32::MAX))?,
    );
    if let Some(lifetime) = env.seconds("KEYWARD_API_KEY_DEFAULT_EXPIRES_IN")? {
        options.key_expiration.default_expires_in = Some(lifetime);
    }
    set(
        &mut options.key_expiration.disable_custom_expires_time,
        env.switch("KEYWARD_API_KEY_DISABLE_CUSTOM_EXPIRES_TIME")?,
    );
    if let Some(days) = env.whole::<u32>("KEYWARD_API_KEY_MIN_EXPIRES_IN_DAYS", 0, 36_500)? {
        options.key_expiration.min_expires_in_days = f64::from(days);
    }
    if let Some(days) = env.whole::<u32>("KEYWARD_API_KEY_MAX_EXPIRES_IN_DAYS", 1, 36_500)? {
        options.key_expiration.max_expires_in_days = f64::from(days);
    }
    let references = env.parsed("KEYWARD_API_KEY_REFERENCES", |name, value| {
        parse_choice(
            name,
            value,
            &[("user", ApiKeyOwner::User), ("organization", ApiKeyOwner::Organization)],
        )
    })?;
    set(&mut options.references, references);
    Ok(())
}
