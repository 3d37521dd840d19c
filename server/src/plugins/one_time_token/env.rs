//! The one-time-token plugin's variables (`KEYWARD_ONE_TIME_TOKEN_*`).

use super::TokenStorage;
use crate::config::env::formats::parse_choice;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.one_time_token.as_mut() else {
        return Ok(());
    };
    set(
        &mut options.expires_in,
        env.seconds("KEYWARD_ONE_TIME_TOKEN_EXPIRES_IN")?,
    );
    set(
        &mut options.disable_client_request,
        env.switch("KEYWARD_ONE_TIME_TOKEN_DISABLE_CLIENT_REQUEST")?,
    );
    set(
        &mut options.disable_set_session_cookie,
        env.switch("KEYWARD_ONE_TIME_TOKEN_DISABLE_SET_SESSION_COOKIE")?,
    );
    set(
        &mut options.set_ott_header_on_new_session,
        env.switch("KEYWARD_ONE_TIME_TOKEN_SET_OTT_HEADER_ON_NEW_SESSION")?,
    );
    set(
        &mut options.store_token,
        token_storage(env, "KEYWARD_ONE_TIME_TOKEN_STORE_TOKEN")?,
    );
    Ok(())
}

/// A `plain` or `hashed` token storage variable (`storeToken`), shared with the
/// magic-link plugin.
pub(crate) fn token_storage(env: &Env, name: &'static str) -> Result<Option<TokenStorage>, ConfigError> {
    let hashed = env.parsed(name, |name, value| {
        parse_choice(name, value, &[("plain", false), ("hashed", true)])
    })?;
    Ok(hashed.map(|hashed| {
        if hashed {
            TokenStorage::Hashed
        } else {
            TokenStorage::Plain
        }
    }))
}
