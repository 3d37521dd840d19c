//! The jwt plugin's variables (`KEYWARD_JWT_*`).

use super::JwtKeyAlgorithm;
use crate::config::env::formats::parse_choice;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.jwt.as_mut() else {
        return Ok(());
    };
    let algorithm = env.parsed("KEYWARD_JWT_ALGORITHM", |name, value| {
        parse_choice(
            name,
            value,
            &[
                ("EdDSA", JwtKeyAlgorithm::EdDsa),
                ("ES256", JwtKeyAlgorithm::Es256),
                ("ES512", JwtKeyAlgorithm::Es512),
                ("RS256", JwtKeyAlgorithm::Rs256),
                ("PS256", JwtKeyAlgorithm::Ps256),
            ],
        )
    })?;
    set(&mut options.algorithm, algorithm);
    if let Some(issuer) = env.text("KEYWARD_JWT_ISSUER") {
        options.issuer = Some(issuer);
    }
    set(&mut options.audience, env.list("KEYWARD_JWT_AUDIENCE"));
    set(
        &mut options.expiration_time,
        env.seconds("KEYWARD_JWT_EXPIRATION_TIME")?,
    );
    if let Some(every) = env.seconds("KEYWARD_JWT_ROTATION_INTERVAL")? {
        options.rotation_interval = Some(every);
    }
    set(
        &mut options.grace_period,
        env.seconds_or_zero("KEYWARD_JWT_GRACE_PERIOD")?,
    );
    set(
        &mut options.disable_private_key_encryption,
        env.switch("KEYWARD_JWT_DISABLE_PRIVATE_KEY_ENCRYPTION")?,
    );
    set(
        &mut options.disable_setting_jwt_header,
        env.switch("KEYWARD_JWT_DISABLE_SETTING_JWT_HEADER")?,
    );
    Ok(())
}
