//! Codes in their `verification` rows: stored, read back, checked and counted as
//! better-auth's `otp-token.ts` and `atomicVerifyOTP` do.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::{EmailOtpConfig, EmailOtpStorage, ResendStrategy, generate, identifier};
use crate::auth::Auth;
use crate::crypto::{base64url, sha256};
use crate::db::Exec;
use crate::error::{ApiError, ApiResult};
use keyward_client::wire::secret::constant_time_eq;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{EmailOtpType, ErrorCode};

/// What a right code does to its row (better-auth's `successDisposition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OnSuccess {
    /// The row stays taken: the code is used up.
    Consume,
    /// The row is put back unchanged, for a later call to use.
    Restore,
}

/// The stored form of `otp` (better-auth's `storeOTP`).
fn stored_form(auth: &Auth, config: &EmailOtpConfig, otp: &str) -> String {
    match &config.store_otp {
        EmailOtpStorage::Plain => otp.to_owned(),
        EmailOtpStorage::Hashed => base64url(&sha256(otp.as_bytes())),
        EmailOtpStorage::Encrypted => auth.0.encryption.encrypt(otp),
        EmailOtpStorage::CustomHasher(hasher) => hasher.hash(otp),
        EmailOtpStorage::Custom(cipher) => cipher.encrypt(otp),
    }
}

/// Whether `otp` is the code `stored` holds, compared in constant time. A stored form
/// that does not decrypt matches nothing.
fn matches(auth: &Auth, config: &EmailOtpConfig, stored: &str, otp: &str) -> bool {
    let expected = match &config.store_otp {
        EmailOtpStorage::Plain => return constant_time_eq(otp.as_bytes(), stored.as_bytes()),
        EmailOtpStorage::Hashed => base64url(&sha256(otp.as_bytes())),
        EmailOtpStorage::CustomHasher(hasher) => hasher.hash(otp),
        EmailOtpStorage::Encrypted | EmailOtpStorage::Custom(_) => match plain_form(auth, config, stored) {
            Some(plain) => return constant_time_eq(plain.as_bytes(), otp.as_bytes()),
            None => return false,
        },
    };
    constant_time_eq(expected.as_bytes(), stored.as_bytes())
}

/// The code a stored form holds; `None` when it is hashed or does not decrypt
/// (better-auth's `retrieveOTP`).
fn plain_form(auth: &Auth, config: &EmailOtpConfig, stored: &str) -> Option<String> {
    match &config.store_otp {
        EmailOtpStorage::Plain => Some(stored.to_owned()),
        EmailOtpStorage::Encrypted => auth.0.encryption.decrypt(stored).ok(),
        EmailOtpStorage::Custom(cipher) => cipher.decrypt(stored),
        EmailOtpStorage::Hashed | EmailOtpStorage::CustomHasher(_) => None,
    }
}

/// A row's value split at its last `:` into the stored code and the attempts so far.
fn split_value(value: &str) -> (&str, u32) {
    let (code, attempts) = value.rsplit_once(':').unwrap_or((value, ""));
    // JavaScript's parseInt: the leading digits count, nothing is 0.
    let digits: String = attempts.trim_start().chars().take_while(char::is_ascii_digit).collect();
    (code, digits.parse().unwrap_or(0))
}

/// better-auth's `opts.allowedAttempts || 3`.
fn allowed_attempts(config: &EmailOtpConfig) -> u32 {
    if config.allowed_attempts == 0 {
        3
    } else {
        config.allowed_attempts
    }
}

/// When a code made now expires.
fn expiry(config: &EmailOtpConfig, now: DateTime<Utc>) -> DateTime<Utc> {
    chrono::Duration::from_std(config.expires_in)
        .ok()
        .and_then(|lifetime| now.checked_add_signed(lifetime))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Stores a new code for `stored_identifier` and answers it.
pub(super) async fn store_new(
    auth: &Auth,
    config: &EmailOtpConfig,
    stored_identifier: &str,
    email: &str,
    otp_type: EmailOtpType,
) -> ApiResult<String> {
    let otp = generate(config, email, otp_type);
    let value = format!("{}:0", stored_form(auth, config, &otp));
    let now = now_millis();
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(&mut db, stored_identifier, &value, expiry(config, now), now)
        .await?;
    Ok(otp)
}

/// The code to send for `email` and `otp_type`: the valid one again with
/// [`ResendStrategy::Reuse`] when it can be read back and has attempts left (its lifetime
/// renewed), else a new one (better-auth's `resolveOTP`).
pub(super) async fn resolve_otp(
    auth: &Auth,
    config: &EmailOtpConfig,
    email: &str,
    otp_type: EmailOtpType,
) -> ApiResult<String> {
    let id = identifier(otp_type, email);
    if config.resend_strategy == ResendStrategy::Reuse {
        let now = now_millis();
        let mut db = auth.0.db.clone();
        if let Some(existing) = auth.verifications().find_latest(&mut db, &id).await?
            && existing.expires_at >= now
        {
            let (stored, attempts) = split_value(&existing.value);
            if attempts < allowed_attempts(config)
                && let Some(plain) = plain_form(auth, config, stored)
            {
                auth.verifications()
                    .update_expiry(&mut db, &id, expiry(config, now), now)
                    .await?;
                return Ok(plain);
            }
        }
    }
    store_new(auth, config, &id, email, otp_type).await
}

/// Stores a new `change-email` code for `user_id` moving to `new_email`.
pub(super) async fn new_change_email_otp(
    auth: &Auth,
    config: &EmailOtpConfig,
    user_id: &str,
    new_email: &str,
) -> ApiResult<(String, String)> {
    let id = identifier(EmailOtpType::ChangeEmail, &format!("{user_id}:{new_email}"));
    let otp = store_new(auth, config, &id, new_email, EmailOtpType::ChangeEmail).await?;
    Ok((otp, id))
}

/// Checks `otp` against the newest row of `id` in `exec` (better-auth's
/// `atomicVerifyOTP`). The outer error is the store's; the inner one the verdict, whose
/// row changes (a counted attempt, an expired row removed) stand, so commit `exec` either
/// way.
pub(super) async fn check(
    auth: &Auth,
    exec: &mut impl Exec,
    config: &EmailOtpConfig,
    id: &str,
    otp: &str,
    on_success: OnSuccess,
) -> ApiResult<Result<(), ApiError>> {
    let store = auth.verifications();
    let now = now_millis();
    if let Some(existing) = store.find_latest(&mut *exec, id).await?
        && existing.expires_at < now
    {
        store.delete(&mut *exec, id).await?;
        return Ok(Err(ApiError::bad_request(ErrorCode::OtpExpired)));
    }
    let Some(taken) = store.consume(&mut *exec, id, now).await? else {
        return Ok(Err(ApiError::bad_request(ErrorCode::InvalidOtp)));
    };
    let (stored, attempts) = split_value(&taken.value);
    if attempts >= allowed_attempts(config) {
        return Ok(Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::TooManyAttempts)));
    }
    if !matches(auth, config, stored, otp) {
        let counted = format!("{stored}:{}", attempts + 1);
        store.insert(&mut *exec, id, &counted, taken.expires_at, now).await?;
        return Ok(Err(ApiError::bad_request(ErrorCode::InvalidOtp)));
    }
    if on_success == OnSuccess::Restore {
        if store.find_latest(&mut *exec, id).await?.is_some() {
            return Ok(Err(ApiError::bad_request(ErrorCode::InvalidOtp)));
        }
        store
            .insert(&mut *exec, id, &taken.value, taken.expires_at, now)
            .await?;
    }
    Ok(Ok(()))
}

/// [`check`] in a transaction of its own, committed whatever the verdict.
pub(super) async fn verify(
    auth: &Auth,
    config: &EmailOtpConfig,
    id: &str,
    otp: &str,
    on_success: OnSuccess,
) -> ApiResult<()> {
    let mut tx = auth.0.db.begin().await?;
    let verdict = check(auth, &mut tx, config, id, otp, on_success).await?;
    tx.commit().await?;
    verdict
}

/// better-auth's server-only `createVerificationOTP`: stores a new code for `email`
/// (lowercased) and `otp_type` and answers it, sending nothing.
pub(crate) async fn create_otp(auth: &Auth, email: &str, otp_type: EmailOtpType) -> ApiResult<String> {
    let config = super::plugin(auth)?;
    let email = email.to_lowercase();
    store_new(auth, config, &identifier(otp_type, &email), &email, otp_type).await
}

/// better-auth's server-only `getVerificationOTP`: the valid code of `email` and
/// `otp_type` as sent; `None` when there is none or it expired; `400` when codes are
/// hashed.
pub(crate) async fn read_otp(auth: &Auth, email: &str, otp_type: EmailOtpType) -> ApiResult<Option<String>> {
    let config = super::plugin(auth)?;
    let id = identifier(otp_type, &email.to_lowercase());
    let mut db = auth.0.db.clone();
    let Some(row) = auth.verifications().find_latest(&mut db, &id).await? else {
        return Ok(None);
    };
    if row.expires_at < now_millis() {
        return Ok(None);
    }
    if matches!(
        config.store_otp,
        EmailOtpStorage::Hashed | EmailOtpStorage::CustomHasher(_)
    ) {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            "OTP is hashed, cannot return the plain text OTP",
        ));
    }
    let (stored, _) = split_value(&row.value);
    plain_form(auth, config, stored)
        .map(Some)
        .ok_or_else(|| ApiError::internal("email-otp", "a stored code does not decrypt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_at_the_last_colon() {
        assert_eq!(split_value("123456:0"), ("123456", 0));
        assert_eq!(split_value("$ba$1$abcdef:2"), ("$ba$1$abcdef", 2));
        assert_eq!(split_value("a:b:3"), ("a:b", 3));
        assert_eq!(split_value("123456"), ("123456", 0));
        assert_eq!(split_value("123456:7x"), ("123456", 7));
    }

    #[test]
    fn hashed_codes_are_better_auths() {
        // base64url(SHA-256("123456")) without padding, as better-auth's defaultKeyHasher.
        assert_eq!(
            base64url(&sha256(b"123456")),
            "jZae727K08KaOmKSgOaGzww_XVqGr_PKEgIMkjrcbJI"
        );
    }
}
