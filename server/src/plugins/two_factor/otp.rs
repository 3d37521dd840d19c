//! `/two-factor/send-otp` and `/two-factor/verify-otp`: codes delivered by email or SMS.

use crate::log_safe::Escaped;
use axum::Json;
use axum::http::StatusCode;

use super::challenge::{Verifier, assert_not_locked, record_lockout_failure, reset_lockout};
use super::store;
use super::{is_enabled, plugin, set_enabled};
use crate::config::{OtpStorage, TwoFactorConfig};
use crate::crypto::{DIGITS, base64url, random_string, sha256};
use crate::email::TwoFactorCode;
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::Answer;
use keyward_client::wire::routes::two_factor as route;
use keyward_client::wire::secret::constant_time_eq;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{
    ErrorCode, OtpCode, SendOtpRequest, StatusResponse, TwoFactorVerifyResponse, VerifyCodeRequest,
};

impl Endpoint for SendOtpRequest {}

fn stored_form(auth: &crate::auth::Auth, config: &TwoFactorConfig, code: &str) -> String {
    match config.otp.storage {
        OtpStorage::Plain => code.to_owned(),
        OtpStorage::Hashed => base64url(&sha256(code.as_bytes())),
        OtpStorage::Encrypted => auth.0.encryption.encrypt(code),
    }
}

/// Whether `input` is the code stored as `stored`.
fn matches(auth: &crate::auth::Auth, config: &TwoFactorConfig, stored: &str, input: &str) -> ApiResult<bool> {
    let (expected, given) = match config.otp.storage {
        OtpStorage::Plain => (stored.to_owned(), input.to_owned()),
        OtpStorage::Hashed => (stored.to_owned(), base64url(&sha256(input.as_bytes()))),
        OtpStorage::Encrypted => (
            auth.0
                .encryption
                .decrypt(stored)
                .map_err(|e| ApiError::internal("two-factor code", e))?,
            input.to_owned(),
        ),
    };
    Ok(constant_time_eq(expected.as_bytes(), given.as_bytes()))
}

/// `POST /two-factor/send-otp`: sends a code to the user being verified.
pub(crate) async fn send(mut ctx: Ctx, Body(_request): Body<SendOtpRequest>) -> Answer<route::SendOtp> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let Some(sender) = auth.0.otp_sender.clone() else {
        return Err(ApiError::with_message(
            StatusCode::BAD_REQUEST,
            ErrorCode::OtpNotConfigured,
            "otp isn't configured",
        ));
    };
    let verifier = Verifier::resolve(&mut ctx).await?;
    let code = random_string(config.otp.digits, DIGITS);
    let now = now_millis();
    let expires_at = now + chrono::Duration::from_std(config.otp.period).unwrap_or(chrono::Duration::minutes(3));
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(
            &mut db,
            &format!("2fa-otp-{}", verifier.key()),
            &format!("{}:0", stored_form(&auth, config, &code)),
            expires_at,
            now,
        )
        .await?;
    let message = TwoFactorCode {
        user: verifier.user().clone(),
        code: OtpCode::new(code),
    };
    if let Err(error) = sender.send_otp(&message).await {
        tracing::error!(error = %Escaped(&error), "two-factor code delivery failed");
    }
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /two-factor/verify-otp`: completes a sign-in with a sent code; for a signed-in
/// user who enabled OTP, the first code switches two-factor on.
pub(crate) async fn verify(mut ctx: Ctx, Body(request): Body<VerifyCodeRequest>) -> Answer<route::VerifyOtp> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let verifier = Verifier::resolve(&mut ctx).await?;
    let mut db = auth.0.db.clone();
    let row = match verifier.is_sign_in() {
        true => store::find_by_user(&mut db, &verifier.user().id).await?,
        false => None,
    };
    if let Some(row) = &row {
        assert_not_locked(&ctx, config, row).await?;
    }
    let identifier = format!("2fa-otp-{}", verifier.key());
    let consumed = auth
        .verifications()
        .consume_now(&auth.0.db, &identifier, now_millis())
        .await?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::OtpHasExpired))?;
    let (stored, attempts) = consumed.value.rsplit_once(':').unwrap_or((&consumed.value, "0"));
    let attempts: u32 = attempts.parse().unwrap_or(0);
    if attempts >= config.otp.allowed_attempts {
        return Err(ApiError::bad_request(ErrorCode::TooManyAttemptsRequestNewCode));
    }
    if matches(&auth, config, stored, request.code.expose())? {
        if let Some(row) = &row {
            reset_lockout(&ctx, config, row).await?;
        }
        if !is_enabled(verifier.user()) {
            let Verifier::Session(data) = &verifier else {
                return Err(ApiError::bad_request(ErrorCode::FailedToCreateSession));
            };
            let user = set_enabled(&auth, &data.user.id, true).await?;
            let rotated = ctx.rotate_session(&data.session, user).await?;
            return Ok(Json(TwoFactorVerifyResponse {
                token: Some(rotated.session.token),
                user: rotated.user,
            }));
        }
        return Ok(Json(
            verifier.complete(&mut ctx, request.trust_device == Some(true)).await?,
        ));
    }
    auth.verifications()
        .insert(
            &mut db,
            &identifier,
            &format!("{stored}:{}", attempts + 1),
            consumed.expires_at,
            now_millis(),
        )
        .await?;
    if let Some(row) = &row {
        record_lockout_failure(&ctx, config, row).await?;
    }
    Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode))
}
