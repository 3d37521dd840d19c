//! `/two-factor/get-totp-uri` and `/two-factor/verify-totp`.

use axum::Json;
use axum::http::StatusCode;

use super::challenge::{Verifier, assert_not_locked, record_lockout_failure, reset_lockout};
use super::store;
use super::{check_password, is_enabled, plugin, set_enabled, totp_for};
use crate::crypto::totp::unix_now;
use crate::error::ApiError;
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::Answer;
use keyward_client::wire::routes::two_factor as route;
use keyward_client::wire::{ErrorCode, TotpUri, TotpUriResponse, TwoFactorPasswordRequest, VerifyCodeRequest};

impl Endpoint for VerifyCodeRequest {}

/// better-auth answers these two endpoints with its own wording when TOTP is off.
fn totp_off() -> ApiError {
    ApiError::with_message(
        StatusCode::BAD_REQUEST,
        ErrorCode::TotpNotConfigured,
        "totp isn't configured",
    )
}

/// `POST /two-factor/get-totp-uri`: the URI again, for a new authenticator app.
pub(crate) async fn get_uri(mut ctx: Ctx, Body(request): Body<TwoFactorPasswordRequest>) -> Answer<route::GetTotpUri> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if config.totp.disabled {
        return Err(totp_off());
    }
    let mut db = auth.0.db.clone();
    let row = store::find_by_user(&mut db, &data.user.id)
        .await?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::TotpNotEnabled))?;
    let totp = totp_for(&auth, config, &row.secret)?;
    check_password(&ctx, config, &data.user.id, request.password.as_ref()).await?;
    let issuer = config.issuer.clone().unwrap_or_else(|| auth.0.config.app_name.clone());
    Ok(Json(TotpUriResponse {
        totp_uri: TotpUri::new(totp.uri(&issuer, &data.user.email)),
    }))
}

/// `POST /two-factor/verify-totp`: completes a sign-in, or confirms TOTP after enabling it
/// (which switches two-factor on and rotates the session).
pub(crate) async fn verify(mut ctx: Ctx, Body(request): Body<VerifyCodeRequest>) -> Answer<route::VerifyTotp> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if config.totp.disabled {
        return Err(totp_off());
    }
    let verifier = Verifier::resolve(&mut ctx).await?;
    let sign_in = verifier.is_sign_in();
    let mut db = auth.0.db.clone();
    let row = store::find_by_user(&mut db, &verifier.user().id)
        .await?
        .filter(|row| !sign_in || row.is_verified())
        .ok_or_else(|| ApiError::bad_request(ErrorCode::TotpNotEnabled))?;
    if sign_in {
        assert_not_locked(&ctx, config, &row).await?;
    }
    let attempt = verifier.begin_attempt(&mut ctx).await?;
    let totp = match totp_for(&auth, config, &row.secret) {
        Ok(totp) => totp,
        Err(error) => {
            if let Some(attempt) = &attempt {
                attempt.restore(&ctx).await?;
            }
            return Err(error);
        }
    };
    if !totp.verify(request.code.expose(), unix_now()) {
        if let Some(attempt) = &attempt {
            attempt.record_failure(&ctx).await?;
        }
        if sign_in {
            record_lockout_failure(&ctx, config, &row).await?;
        }
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode));
    }
    if sign_in {
        reset_lockout(&ctx, config, &row).await?;
    }
    if row.verified != Some(true) {
        if let Verifier::Session(data) = &verifier
            && !is_enabled(&data.user)
        {
            let user = set_enabled(&auth, &data.user.id, true).await?;
            ctx.rotate_session(&data.session, user).await?;
        }
        store::mark_verified(&mut db, &row.id).await?;
    }
    Ok(Json(
        verifier.complete(&mut ctx, request.trust_device == Some(true)).await?,
    ))
}
