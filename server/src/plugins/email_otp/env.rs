//! The email-OTP plugin's variables (`KEYWARD_EMAIL_OTP_*`).

use super::{EmailOtpStorage, ResendStrategy};
use crate::config::env::formats::parse_choice;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.email_otp.as_mut() else {
        return Ok(());
    };
    set(&mut options.otp_length, env.whole("KEYWARD_EMAIL_OTP_LENGTH", 1, 64)?);
    set(&mut options.expires_in, env.seconds("KEYWARD_EMAIL_OTP_EXPIRES_IN")?);
    set(
        &mut options.allowed_attempts,
        env.whole("KEYWARD_EMAIL_OTP_ALLOWED_ATTEMPTS", 1, 1_000)?,
    );
    let storage = env.parsed("KEYWARD_EMAIL_OTP_STORE_OTP", |name, value| {
        parse_choice(name, value, &[("plain", 0u8), ("hashed", 1), ("encrypted", 2)])
    })?;
    if let Some(storage) = storage {
        options.store_otp = match storage {
            0 => EmailOtpStorage::Plain,
            1 => EmailOtpStorage::Hashed,
            _ => EmailOtpStorage::Encrypted,
        };
    }
    let strategy = env.parsed("KEYWARD_EMAIL_OTP_RESEND_STRATEGY", |name, value| {
        parse_choice(
            name,
            value,
            &[("rotate", ResendStrategy::Rotate), ("reuse", ResendStrategy::Reuse)],
        )
    })?;
    set(&mut options.resend_strategy, strategy);
    set(
        &mut options.disable_sign_up,
        env.switch("KEYWARD_EMAIL_OTP_DISABLE_SIGN_UP")?,
    );
    set(
        &mut options.send_verification_on_sign_up,
        env.switch("KEYWARD_EMAIL_OTP_SEND_VERIFICATION_ON_SIGN_UP")?,
    );
    set(
        &mut options.override_default_email_verification,
        env.switch("KEYWARD_EMAIL_OTP_OVERRIDE_DEFAULT_EMAIL_VERIFICATION")?,
    );
    set(
        &mut options.change_email.enabled,
        env.switch("KEYWARD_EMAIL_OTP_CHANGE_EMAIL")?,
    );
    set(
        &mut options.change_email.verify_current_email,
        env.switch("KEYWARD_EMAIL_OTP_CHANGE_EMAIL_VERIFY_CURRENT_EMAIL")?,
    );
    Ok(())
}
