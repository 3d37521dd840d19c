//! The two-factor plugin's variables (`KEYWARD_TWO_FACTOR_*`).

use super::{BackupCodeStorage, OtpStorage};
use crate::config::env::formats::parse_choice;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.two_factor.as_mut() else {
        return Ok(());
    };
    if let Some(issuer) = env.text("KEYWARD_TWO_FACTOR_ISSUER") {
        options.issuer = Some(issuer);
    }
    if let Some(on) = env.switch("KEYWARD_TWO_FACTOR_TOTP")? {
        options.totp.disabled = !on;
    }
    set(
        &mut options.totp.digits,
        env.whole("KEYWARD_TWO_FACTOR_TOTP_DIGITS", 1, 8)?,
    );
    set(
        &mut options.totp.period,
        env.whole("KEYWARD_TWO_FACTOR_TOTP_PERIOD", 1, u64::from(u32::MAX))?,
    );
    set(&mut options.otp.enabled, env.switch("KEYWARD_TWO_FACTOR_OTP")?);
    set(
        &mut options.otp.digits,
        env.whole("KEYWARD_TWO_FACTOR_OTP_DIGITS", 1, 32)?,
    );
    set(&mut options.otp.period, env.seconds("KEYWARD_TWO_FACTOR_OTP_PERIOD")?);
    set(
        &mut options.otp.storage,
        env.parsed("KEYWARD_TWO_FACTOR_OTP_STORAGE", |name, value| {
            parse_choice(
                name,
                value,
                &[
                    ("plain", OtpStorage::Plain),
                    ("hashed", OtpStorage::Hashed),
                    ("encrypted", OtpStorage::Encrypted),
                ],
            )
        })?,
    );
    set(
        &mut options.otp.allowed_attempts,
        env.whole("KEYWARD_TWO_FACTOR_OTP_ALLOWED_ATTEMPTS", 1, u64::from(u32::MAX))?,
    );
    set(
        &mut options.backup_codes.amount,
        env.whole("KEYWARD_TWO_FACTOR_BACKUP_CODES_AMOUNT", 1, 1000)?,
    );
    set(
        &mut options.backup_codes.length,
        env.whole("KEYWARD_TWO_FACTOR_BACKUP_CODES_LENGTH", 1, 64)?,
    );
    set(
        &mut options.backup_codes.storage,
        env.parsed("KEYWARD_TWO_FACTOR_BACKUP_CODES_STORAGE", |name, value| {
            parse_choice(
                name,
                value,
                &[
                    ("encrypted", BackupCodeStorage::Encrypted),
                    ("plain", BackupCodeStorage::Plain),
                ],
            )
        })?,
    );
    set(
        &mut options.skip_verification_on_enable,
        env.switch("KEYWARD_TWO_FACTOR_SKIP_VERIFICATION_ON_ENABLE")?,
    );
    set(
        &mut options.allow_passwordless,
        env.switch("KEYWARD_TWO_FACTOR_ALLOW_PASSWORDLESS")?,
    );
    set(
        &mut options.trust_device_max_age,
        env.seconds("KEYWARD_TWO_FACTOR_TRUST_DEVICE_MAX_AGE")?,
    );
    set(
        &mut options.challenge_max_age,
        env.seconds("KEYWARD_TWO_FACTOR_CHALLENGE_MAX_AGE")?,
    );
    let lockout = &mut options.account_lockout;
    set(&mut lockout.enabled, env.switch("KEYWARD_TWO_FACTOR_LOCKOUT")?);
    set(
        &mut lockout.max_failed_attempts,
        env.whole("KEYWARD_TWO_FACTOR_LOCKOUT_MAX_FAILED_ATTEMPTS", 1, u64::from(u32::MAX))?,
    );
    set(
        &mut lockout.duration,
        env.seconds("KEYWARD_TWO_FACTOR_LOCKOUT_DURATION")?,
    );
    Ok(())
}
