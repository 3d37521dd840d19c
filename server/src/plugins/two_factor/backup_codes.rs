//! `/two-factor/generate-backup-codes`, `/two-factor/verify-backup-code`, and the
//! server-side view of a user's codes.

use axum::Json;
use axum::http::StatusCode;

use super::challenge::{Verifier, assert_not_locked, record_lockout_failure, reset_lockout};
use super::store;
use super::{check_password, decode_backup_codes, encode_backup_codes, is_enabled, new_backup_codes, plugin};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::Answer;
use keyward_client::wire::routes::two_factor as route;
use keyward_client::wire::secret::constant_time_eq;
use keyward_client::wire::{
    BackupCode, BackupCodesResponse, ErrorCode, TwoFactorPasswordRequest, TwoFactorVerifyResponse,
    VerifyBackupCodeRequest,
};

impl Endpoint for VerifyBackupCodeRequest {}

/// `POST /two-factor/generate-backup-codes`: replaces every backup code.
pub(crate) async fn generate(
    mut ctx: Ctx,
    Body(request): Body<TwoFactorPasswordRequest>,
) -> Answer<route::GenerateBackupCodes> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let not_enabled = || ApiError::bad_request(ErrorCode::TwoFactorNotEnabled);
    if !is_enabled(&data.user) {
        return Err(not_enabled());
    }
    check_password(&ctx, config, &data.user.id, request.password.as_ref()).await?;
    let mut db = auth.0.db.clone();
    let row = store::find_by_user(&mut db, &data.user.id)
        .await?
        .ok_or_else(not_enabled)?;
    let (codes, stored) = new_backup_codes(&auth, config);
    store::set_backup_codes(&mut db, &row.id, &stored).await?;
    Ok(Json(BackupCodesResponse {
        status: true,
        backup_codes: codes,
    }))
}

/// `POST /two-factor/verify-backup-code`: spends one backup code.
pub(crate) async fn verify(
    mut ctx: Ctx,
    Body(request): Body<VerifyBackupCodeRequest>,
) -> Answer<route::VerifyBackupCode> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let verifier = Verifier::resolve(&mut ctx).await?;
    let sign_in = verifier.is_sign_in();
    let mut db = auth.0.db.clone();
    let row = store::find_by_user(&mut db, &verifier.user().id)
        .await?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BackupCodesNotEnabled))?;
    if sign_in {
        assert_not_locked(&ctx, config, &row).await?;
    }
    let attempt = verifier.begin_attempt(&mut ctx).await?;
    let codes = match decode_backup_codes(&auth, config, &row.backup_codes) {
        Ok(codes) => codes.unwrap_or_default(),
        Err(error) => {
            if let Some(attempt) = &attempt {
                attempt.restore(&ctx).await?;
            }
            return Err(error);
        }
    };
    let given = request.code.expose();
    let mut found = false;
    for code in &codes {
        found |= constant_time_eq(code.as_bytes(), given.as_bytes());
    }
    if !found {
        if let Some(attempt) = &attempt {
            attempt.record_failure(&ctx).await?;
        }
        if sign_in {
            record_lockout_failure(&ctx, config, &row).await?;
        }
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidBackupCode));
    }
    let remaining: Vec<String> = codes.into_iter().filter(|code| code != given).collect();
    let replacement = encode_backup_codes(&auth, config, &remaining);
    if !store::swap_backup_codes(&mut db, &row.id, &row.backup_codes, &replacement).await? {
        return Err(ApiError::message_only(
            StatusCode::CONFLICT,
            "Failed to verify backup code. Please try again.",
        ));
    }
    if sign_in {
        reset_lockout(&ctx, config, &row).await?;
    }
    if request.disable_session != Some(true) {
        return Ok(Json(
            verifier.complete(&mut ctx, request.trust_device == Some(true)).await?,
        ));
    }
    let token = match &verifier {
        Verifier::Session(data) => Some(data.session.token.clone()),
        Verifier::SignIn(_) => None,
    };
    Ok(Json(TwoFactorVerifyResponse {
        token,
        user: verifier.user().clone(),
    }))
}

/// The user's current backup codes (better-auth's server-only `viewBackupCodes`).
pub(crate) async fn view_backup_codes(auth: &Auth, user_id: &str) -> ApiResult<BackupCodesResponse> {
    let config = plugin(auth)?;
    let mut db = auth.0.db.clone();
    let row = store::find_by_user(&mut db, user_id)
        .await?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BackupCodesNotEnabled))?;
    let codes = decode_backup_codes(auth, config, &row.backup_codes)?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidBackupCode))?;
    Ok(BackupCodesResponse {
        status: true,
        backup_codes: codes.into_iter().map(BackupCode::new).collect(),
    })
}
