//! The phone-number plugin's variables (`KEYWARD_PHONE_NUMBER_*`).

use super::{PhoneNumberValidator, SignUpOnVerification, is_e164};
use crate::config::env::formats::parse_choice;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// The domain of the addresses users created on verification get by default.
pub(crate) const DEFAULT_TEMP_EMAIL_DOMAIN: &str = "phone.invalid";

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.phone_number.as_mut() else {
        return Ok(());
    };
    set(
        &mut options.otp_length,
        env.whole("KEYWARD_PHONE_NUMBER_OTP_LENGTH", 1, 32)?,
    );
    set(&mut options.expires_in, env.seconds("KEYWARD_PHONE_NUMBER_EXPIRES_IN")?);
    set(
        &mut options.allowed_attempts,
        env.whole("KEYWARD_PHONE_NUMBER_ALLOWED_ATTEMPTS", 1, 1_000)?,
    );
    set(
        &mut options.require_verification,
        env.switch("KEYWARD_PHONE_NUMBER_REQUIRE_VERIFICATION")?,
    );
    let domain = env.parsed("KEYWARD_PHONE_NUMBER_TEMP_EMAIL_DOMAIN", |name, value| {
        let value = value.trim();
        let valid = value.contains('.')
            && value
                .split('.')
                .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        if valid {
            Ok(value.to_ascii_lowercase())
        } else {
            Err(ConfigError::InvalidVariable {
                name,
                reason: format!("`{value}` is not a domain like `phone.example.com`"),
            })
        }
    })?;
    match env.switch("KEYWARD_PHONE_NUMBER_SIGN_UP_ON_VERIFICATION")? {
        Some(true) => {
            let domain = domain.unwrap_or_else(|| DEFAULT_TEMP_EMAIL_DOMAIN.to_owned());
            options.sign_up_on_verification = Some(SignUpOnVerification::with_domain(domain));
        }
        Some(false) => options.sign_up_on_verification = None,
        None if domain.is_some() => {
            return Err(ConfigError::InvalidVariable {
                name: "KEYWARD_PHONE_NUMBER_TEMP_EMAIL_DOMAIN",
                reason:
                    "set, but KEYWARD_PHONE_NUMBER_SIGN_UP_ON_VERIFICATION is not on, so no user gets such an address"
                        .into(),
            });
        }
        None => {}
    }
    let e164 = env.parsed("KEYWARD_PHONE_NUMBER_VALIDATOR", |name, value| {
        parse_choice(name, value, &[("none", false), ("e164", true)])
    })?;
    match e164 {
        Some(true) => {
            options.phone_number_validator =
                Some(std::sync::Arc::new(is_e164) as std::sync::Arc<dyn PhoneNumberValidator>)
        }
        Some(false) => options.phone_number_validator = None,
        None => {}
    }
    Ok(())
}
