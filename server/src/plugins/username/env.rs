//! The username plugin's variables (`KEYWARD_USERNAME_*`).

use super::{Normalization, Order};
use crate::config::env::formats::parse_choice;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// `pre-normalization` or `post-normalization`, as better-auth's `validationOrder` says.
fn order(env: &Env, name: &'static str) -> Result<Option<Order>, ConfigError> {
    env.parsed(name, |name, value| {
        parse_choice(
            name,
            value,
            &[
                ("pre-normalization", Order::PreNormalization),
                ("post-normalization", Order::PostNormalization),
            ],
        )
    })
}

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.username.as_mut() else {
        return Ok(());
    };
    set(
        &mut options.min_username_length,
        env.whole("KEYWARD_USERNAME_MIN_USERNAME_LENGTH", 1, 10_000)?,
    );
    set(
        &mut options.max_username_length,
        env.whole("KEYWARD_USERNAME_MAX_USERNAME_LENGTH", 1, 10_000)?,
    );
    let lowercase = env.parsed("KEYWARD_USERNAME_NORMALIZATION", |name, value| {
        parse_choice(name, value, &[("lowercase", true), ("none", false)])
    })?;
    if let Some(lowercase) = lowercase {
        options.username_normalization = if lowercase {
            Normalization::Lowercase
        } else {
            Normalization::None
        };
    }
    set(
        &mut options.validation_order.username,
        order(env, "KEYWARD_USERNAME_VALIDATION_ORDER")?,
    );
    set(
        &mut options.validation_order.display_username,
        order(env, "KEYWARD_USERNAME_DISPLAY_VALIDATION_ORDER")?,
    );
    set(
        &mut options.immutable_username,
        env.switch("KEYWARD_USERNAME_IMMUTABLE_USERNAME")?,
    );
    set(
        &mut options.display_username,
        env.switch("KEYWARD_USERNAME_DISPLAY_USERNAME")?,
    );
    if options.min_length() > options.max_length() {
        return Err(ConfigError::InvalidVariable {
            name: "KEYWARD_USERNAME_MIN_USERNAME_LENGTH",
            reason: format!(
                "the shortest username ({}) is longer than the longest ({})",
                options.min_length(),
                options.max_length()
            ),
        });
    }
    Ok(())
}
