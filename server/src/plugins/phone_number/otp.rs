//! The plugin's codes in `verification` rows, as better-auth keeps them: identifier
//! `phone-number-otp-<number>` or `phone-number-reset-<number>`, value
//! `<code>:<failed attempts>`.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::PhoneNumberConfig;
use crate::auth::Auth;
use crate::crypto::random_string;
use crate::db::Exec;
use crate::error::{ApiError, ApiResult};
use keyward_client::wire::ErrorCode;
use keyward_client::wire::secret::constant_time_eq;
use keyward_client::wire::time::now_millis;

/// The identifier of a number's verification code.
pub(super) fn otp_identifier(phone_number: &str) -> String {
    format!("phone-number-otp-{phone_number}")
}

/// The identifier of a number's password-reset code.
pub(super) fn reset_identifier(phone_number: &str) -> String {
    format!("phone-number-reset-{phone_number}")
}

/// A new code of `length` digits.
pub(super) fn generate(length: usize) -> String {
    random_string(length, b"0123456789")
}

/// When a code made now stops working.
pub(super) fn expiry(config: &PhoneNumberConfig, now: DateTime<Utc>) -> DateTime<Utc> {
    chrono::Duration::from_std(config.expires_in)
        .ok()
        .and_then(|lifetime| now.checked_add_signed(lifetime))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Stores `value` (`<code>:0`, or the bare code a refused sign-in stores) under
/// `identifier` for the configured lifetime.
pub(super) async fn store(auth: &Auth, config: &PhoneNumberConfig, identifier: &str, value: &str) -> ApiResult<()> {
    let now = now_millis();
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(&mut db, identifier, value, expiry(config, now), now)
        .await
}

/// The failed attempts a stored value counts: better-auth's `Number(part)` when it is a
/// positive safe integer, else 0.
pub(super) fn parse_attempts(part: Option<&str>) -> u64 {
    let Some(text) = part.map(|text| text.trim_matches(is_js_space)) else {
        return 0;
    };
    if text.is_empty() {
        return 0;
    }
    let radix = [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)]
        .into_iter()
        .find_map(|(prefix, radix)| text.strip_prefix(prefix).map(|digits| (digits, radix)));
    let value = match radix {
        Some((digits, radix)) if !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)) => {
            u64::from_str_radix(digits, radix).ok().map(|n| n as f64)
        }
        Some(_) => None,
        None if text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) =>
        {
            text.parse::<f64>().ok()
        }
        None => None,
    };
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    match value {
        Some(n) if n > 0.0 && n.fract() == 0.0 && n <= MAX_SAFE => n as u64,
        _ => 0,
    }
}

/// JavaScript's white space and line terminators, which `Number()` trims.
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// What a right code does to its row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OnSuccess {
    /// The code is used up.
    Consume,
    /// The code is written back unchanged, for a later [`OnSuccess::Consume`] check.
    Restore,
}

/// Checks `code` against the code stored under `identifier`, as better-auth's
/// `verifyPhoneNumberOTP`: `OTP_NOT_FOUND`, `OTP_EXPIRED` (the row dropped),
/// `TOO_MANY_ATTEMPTS` (403, the row dropped), `INVALID_OTP` (the row kept with one more
/// failed attempt). Taking the row is the race gate: of two concurrent checks of one
/// code, one wins.
pub(super) async fn verify(
    auth: &Auth,
    exec: &mut impl Exec,
    config: &PhoneNumberConfig,
    identifier: &str,
    code: &str,
    on_success: OnSuccess,
) -> ApiResult<()> {
    let store = auth.verifications();
    let now = now_millis();
    let existing = store
        .find_latest(exec, identifier)
        .await?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::OtpNotFound))?;
    if existing.expires_at < now {
        store.delete(exec, identifier).await?;
        return Err(ApiError::bad_request(ErrorCode::OtpExpired));
    }
    let allowed = config.allowed_attempts;
    if parse_attempts(existing.value.split(':').nth(1)) >= allowed {
        store.delete(exec, identifier).await?;
        return Err(too_many_attempts());
    }
    let consumed = store
        .consume(exec, identifier, now)
        .await?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidOtp))?;
    let mut parts = consumed.value.split(':');
    let stored = parts.next().unwrap_or_default();
    let attempts = parse_attempts(parts.next());
    if attempts >= allowed {
        return Err(too_many_attempts());
    }
    if !constant_time_eq(stored.as_bytes(), code.as_bytes()) {
        let value = format!("{stored}:{}", attempts + 1);
        store.insert(exec, identifier, &value, consumed.expires_at, now).await?;
        return Err(ApiError::bad_request(ErrorCode::InvalidOtp));
    }
    if on_success == OnSuccess::Consume {
        return Ok(());
    }
    if store.find_latest(exec, identifier).await?.is_some() {
        return Err(ApiError::bad_request(ErrorCode::InvalidOtp));
    }
    store
        .insert(exec, identifier, &consumed.value, consumed.expires_at, now)
        .await
}

fn too_many_attempts() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ErrorCode::TooManyAttempts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_read_as_javascripts_number_does() {
        for (part, attempts) in [
            (None, 0),
            (Some(""), 0),
            (Some("0"), 0),
            (Some("2"), 2),
            (Some(" 3 "), 3),
            (Some("0x10"), 16),
            (Some("1e2"), 100),
            (Some("2.5"), 0),
            (Some("-1"), 0),
            (Some("abc"), 0),
            (Some("Infinity"), 0),
            (Some("9007199254740992"), 0),
        ] {
            assert_eq!(parse_attempts(part), attempts, "{part:?}");
        }
    }

    #[test]
    fn identifiers_are_better_auths() {
        assert_eq!(otp_identifier("+15550001"), "phone-number-otp-+15550001");
        assert_eq!(reset_identifier("+15550001"), "phone-number-reset-+15550001");
        let code = generate(8);
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }
}
