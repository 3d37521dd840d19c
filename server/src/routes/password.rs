//! `/change-password`, `/verify-password`, `/request-password-reset`, `/reset-password`,
//! `/reset-password/:token`.

use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use url::Url;

use super::email_verification::redirect;
use super::sign_up::{check_new_password, check_password_not_too_long};
use crate::cookies::encode_uri_component;
use crate::crypto::{ALPHANUMERIC, random_string};
use crate::db::{Lock, accounts, users};
use crate::email::{Email, EmailKind};
use crate::error::{ApiError, ApiResult};
use crate::password;
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf, raw_query};
use crate::routes::Answer;
use keyward_client::wire::routes::{self as route, Route};
use keyward_client::wire::{
    ChangePasswordRequest, ChangePasswordResponse, ErrorCode, RequestPasswordResetRequest,
    RequestPasswordResetResponse, ResetPasswordCallbackQuery, ResetPasswordRequest, SessionData, StatusResponse,
    VerifyPasswordRequest,
};

impl Endpoint for ChangePasswordRequest {}
impl Endpoint for VerifyPasswordRequest {}
impl Endpoint for RequestPasswordResetRequest {}
impl Endpoint for ResetPasswordRequest {}
impl QueryEndpoint for ResetPasswordCallbackQuery {
    const CALLBACK_FIELD: Option<&'static str> = Some("callbackURL");
}

const RESET_MESSAGE: &str = "If this email exists in our system, check your email for the reset link";

/// `POST /change-password`; with `revokeOtherSessions`, every session ends and this client
/// gets a new one.
pub(crate) async fn change(mut ctx: Ctx, Body(request): Body<ChangePasswordRequest>) -> Answer<route::ChangePassword> {
    let data = ctx.require_sensitive_session().await?;
    let auth = ctx.auth.clone();
    check_new_password(&ctx, request.new_password.expose())?;
    check_password_not_too_long(&ctx, request.current_password.expose())?;
    let mut db = auth.0.db.clone();
    let Some(account) = accounts::find_credential(&mut db, &data.user.id).await? else {
        return Err(ApiError::bad_request(ErrorCode::CredentialAccountNotFound));
    };
    let Some(stored) = account.password.clone() else {
        return Err(ApiError::bad_request(ErrorCode::CredentialAccountNotFound));
    };
    let hash = password::hash(request.new_password.expose()).await?;
    if !password::verify(request.current_password.expose(), &stored).await? {
        return Err(ApiError::bad_request(ErrorCode::InvalidPassword));
    }
    let revoke = request.revoke_other_sessions == Some(true);
    let now = ctx.now();
    let store = auth.sessions();
    let mut tx = auth.0.db.begin().await?;
    if revoke {
        store.delete_for_user(&mut tx, &data.user.id).await?;
    }
    crate::hooks::set_password(&auth, &mut tx, &account, &hash, now).await?;
    let new_session = if revoke {
        // Created after the revocation, so it is not among the sessions it ended.
        let created = ctx.now();
        let record = ctx.new_session_record(&data.user.id, false, created);
        Some(store.create(&mut tx, record, &data.user, created).await?)
    } else {
        None
    };
    tx.commit().await?;
    let token = new_session.map(|session| {
        let token = session.token.clone();
        ctx.set_session_cookie(
            &SessionData {
                session,
                user: data.user.clone(),
                needs_refresh: None,
            },
            None,
        );
        token
    });
    Ok(Json(ChangePasswordResponse { token, user: data.user }))
}

/// `POST /verify-password`: checks the signed-in user's password.
pub(crate) async fn verify(mut ctx: Ctx, Body(request): Body<VerifyPasswordRequest>) -> Answer<route::VerifyPassword> {
    let data = ctx.require_sensitive_session().await?;
    check_password_not_too_long(&ctx, request.password.expose())?;
    let mut db = ctx.auth.0.db.clone();
    let stored = accounts::find_credential(&mut db, &data.user.id)
        .await?
        .and_then(|a| a.password);
    let valid = match stored {
        Some(stored) => password::verify(request.password.expose(), &stored).await?,
        None => false,
    };
    if !valid {
        return Err(ApiError::bad_request(ErrorCode::InvalidPassword));
    }
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /request-password-reset`: emails a reset link when the address is known; the
/// answer is the same either way, and the email leaves in the background so the timing
/// is too.
pub(crate) async fn request_reset(
    ctx: Ctx,
    Body(request): Body<RequestPasswordResetRequest>,
) -> Answer<route::RequestPasswordReset> {
    let auth = ctx.auth.clone();
    if !auth.can_send_email() {
        return Err(ApiError::bad_request(ErrorCode::ResetPasswordDisabled));
    }
    let ok = Json(RequestPasswordResetResponse {
        status: true,
        message: RESET_MESSAGE.into(),
    });
    let mut db = auth.0.db.clone();
    let Some(user) = users::find_by_email(&mut db, &auth.0.fields, &request.email.to_lowercase()).await? else {
        return Ok(ok);
    };
    let token = random_string(24, ALPHANUMERIC);
    let now = ctx.now();
    let lifetime = chrono::Duration::from_std(auth.0.config.email_and_password.reset_password_token_expires_in)
        .unwrap_or(chrono::Duration::hours(1));
    auth.verifications()
        .insert(
            &mut db,
            &format!("reset-password:{token}"),
            &user.id,
            now + lifetime,
            now,
        )
        .await?;
    let callback = request
        .redirect_to
        .as_deref()
        .map(encode_uri_component)
        .unwrap_or_default();
    let url = format!(
        "{}{}?callbackURL={callback}",
        auth.0.config.auth_url(),
        route::ResetPasswordCallback::path_with(&token)
    );
    let email = Email {
        kind: EmailKind::ResetPassword,
        to: user.email.clone(),
        user_id: user.id.clone(),
        subject: "Reset your password".into(),
        text: format!(
            "Open this link to choose a new password for {}: {url}",
            auth.0.config.app_name
        ),
        url: Some(url),
        token,
        new_email: None,
    };
    tokio::spawn(async move { auth.send_email(email).await });
    Ok(ok)
}

/// `POST /reset-password`: sets a new password with a reset token (body or `?token=`).
pub(crate) async fn reset(
    ctx: Ctx,
    RawQuery(query): RawQuery,
    Body(request): Body<ResetPasswordRequest>,
) -> Answer<route::ResetPassword> {
    let auth = ctx.auth.clone();
    let query_token = raw_query(query.as_deref())
        .get("token")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let token = request
        .token
        .as_ref()
        .map(|t| t.expose().to_owned())
        .filter(|t| !t.is_empty())
        .or(query_token.filter(|t| !t.is_empty()))
        .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidToken))?;
    check_new_password(&ctx, request.new_password.expose())?;
    let identifier = format!("reset-password:{token}");
    let now = ctx.now();
    let mut db = auth.0.db.clone();
    let verification = auth
        .verifications()
        .find_latest(&mut db, &identifier)
        .await?
        .filter(|v| v.expires_at >= now)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidToken))?;
    let user = users::find_by_id(&mut db, &auth.0.fields, &verification.value)
        .await?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::UserNotFound))?;
    let hash = password::hash(request.new_password.expose()).await?;
    let mut tx = auth.0.db.begin().await?;
    if auth.verifications().consume(&mut tx, &identifier, now).await?.is_none() {
        return Err(ApiError::bad_request(ErrorCode::InvalidToken));
    }
    if auth.0.config.email_and_password.revoke_sessions_on_password_reset {
        auth.sessions().delete_for_user(&mut tx, &user.id).await?;
    }
    // Two reset links of one passwordless user used at once make one credential account.
    tx.lock(Lock::UserCredential(&user.id)).await?;
    match accounts::find_credential(&mut tx, &user.id).await? {
        Some(account) => crate::hooks::set_password(&auth, &mut tx, &account, &hash, now).await?,
        None => crate::hooks::insert_credential_account(&auth, &mut tx, &user.id, &hash, now).await?,
    }
    tx.commit().await?;
    Ok(Json(StatusResponse { status: true }))
}

/// `callback_url` resolved against the auth URL, with `key` set in its query.
fn resolve_with(ctx: &Ctx, callback_url: &str, key: &str, value: &str) -> Option<String> {
    let base = Url::parse(&format!("{}/", ctx.auth.0.config.auth_url())).ok()?;
    let mut url = base.join(callback_url).ok()?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != key)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut().clear().extend_pairs(kept).append_pair(key, value);
    Some(url.to_string())
}

/// `GET /reset-password/:token?callbackURL=…`: the link in the reset email. Redirects to
/// the app with `?token=…`, or `?error=INVALID_TOKEN`.
pub(crate) async fn reset_callback(
    ctx: Ctx,
    Path(token): Path<String>,
    QueryOf(query): QueryOf<ResetPasswordCallbackQuery>,
) -> ApiResult<Response> {
    let invalid = || {
        resolve_with(&ctx, &query.callback_url, "error", "INVALID_TOKEN")
            .map(|url| redirect(&url))
            .ok_or_else(|| ApiError::new(StatusCode::FORBIDDEN, ErrorCode::InvalidCallbackUrl))
    };
    if token.is_empty() || query.callback_url.is_empty() {
        return invalid();
    }
    let mut db = ctx.auth.0.db.clone();
    let valid = ctx
        .auth
        .verifications()
        .find_latest(&mut db, &format!("reset-password:{token}"))
        .await?
        .is_some_and(|v| v.expires_at >= ctx.now());
    if !valid {
        return invalid();
    }
    match resolve_with(&ctx, &query.callback_url, "token", &token) {
        Some(url) => Ok(redirect(&url)),
        None => Ok(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::InvalidCallbackUrl).into_response()),
    }
}
