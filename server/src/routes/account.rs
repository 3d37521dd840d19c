//! `/list-accounts`, `/unlink-account`, `/account-info`.

use axum::Json;
use axum::extract::RawQuery;
use axum::http::StatusCode;

use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, raw_query};
use keyward_client::wire::{AccountInfoResponse, AccountSummary, ErrorCode, StatusResponse, UnlinkAccountRequest};

impl Endpoint for UnlinkAccountRequest {}

/// `GET /list-accounts`: the user's linked accounts, without tokens or password.
pub(crate) async fn list(mut ctx: Ctx) -> ApiResult<Json<Vec<AccountSummary>>> {
    let data = ctx.require_session().await?;
    let mut db = ctx.auth.0.db.clone();
    let list = accounts::list_for_user(&mut db, &data.user.id).await?;
    Ok(Json(list.iter().map(accounts::Account::summary).collect()))
}

/// `POST /unlink-account`: removes a linked account (never the last one, unless allowed).
pub(crate) async fn unlink(mut ctx: Ctx, Body(request): Body<UnlinkAccountRequest>) -> ApiResult<Json<StatusResponse>> {
    let data = ctx.require_fresh_session().await?;
    let mut db = ctx.auth.0.db.clone();
    let list = accounts::list_for_user(&mut db, &data.user.id).await?;
    if list.len() == 1 && !ctx.auth.0.config.account.allow_unlinking_all {
        return Err(ApiError::bad_request(ErrorCode::FailedToUnlinkLastAccount));
    }
    let Some(account) = list.iter().find(|a| a.id == request.account_id) else {
        return Err(ApiError::bad_request(ErrorCode::AccountNotFound));
    };
    accounts::delete(&mut db, &account.id).await?;
    Ok(Json(StatusResponse { status: true }))
}

/// `GET /account-info?accountId=…`: the provider's profile of a linked OAuth account.
/// The query is strict (`{accountId, userId?}` or `{useAccountCookie: true, userId?}`).
pub(crate) async fn info(mut ctx: Ctx, RawQuery(query): RawQuery) -> ApiResult<Json<AccountInfoResponse>> {
    let query = raw_query(query.as_deref());
    let allowed = |key: &str| matches!(key, "accountId" | "userId" | "useAccountCookie");
    let by_id = query.get("accountId").is_some_and(|v| v.is_string()) && !query.contains_key("useAccountCookie");
    let by_cookie =
        query.get("useAccountCookie").and_then(|v| v.as_str()) == Some("true") && !query.contains_key("accountId");
    if !query.keys().all(|k| allowed(k)) || !(by_id || by_cookie) {
        return Err(ApiError::validation("[query] Invalid input"));
    }
    let Some(data) = ctx.session().await else {
        return Err(ApiError::empty(StatusCode::UNAUTHORIZED));
    };
    let account_id = query.get("accountId").and_then(|v| v.as_str()).unwrap_or_default();
    let mut db = ctx.auth.0.db.clone();
    let list = accounts::list_for_user(&mut db, &data.user.id).await?;
    if by_cookie || !list.iter().any(|a| a.id == account_id) {
        return Err(ApiError::bad_request(ErrorCode::AccountNotFound));
    }
    // Keyward's core has no OAuth providers configured, so no account has a provider
    // profile to fetch; credential accounts never do.
    Err(ApiError::bad_request(ErrorCode::ProviderNotConfigured))
}
