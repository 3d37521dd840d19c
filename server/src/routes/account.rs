//! `/list-accounts`, `/unlink-account`, and a linked provider account's tokens and
//! profile: `/get-access-token`, `/refresh-token`, `/account-info`.

use std::sync::Arc;

use axum::Json;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::db::accounts::{self, Account, AccountChanges, AccountTokens};
use crate::error::{ApiError, ApiResult};
use crate::log_safe::Escaped;
use crate::request::{Body, Ctx, Endpoint, raw_query};
use crate::routes::Answer;
use crate::social::{Provider, ProviderTokens, TokenVault};
use keyward_client::wire::routes as route;
use keyward_client::wire::{
    AccessTokenResponse, AccountInfoResponse, AccountRef, AccountSelector, ErrorCode, ProviderToken, ProviderUser,
    RefreshTokenResponse, StatusResponse, UnlinkAccountRequest,
};

impl Endpoint for UnlinkAccountRequest {}

impl Endpoint for AccountSelector {
    fn check(body: &Map<String, Value>) -> Result<(), String> {
        if AccountSelector::is_valid(body) {
            Ok(())
        } else {
            Err("[body] Invalid input".to_owned())
        }
    }
}

/// An access token is refreshed when it expires within this.
const REFRESH_MARGIN: chrono::Duration = chrono::Duration::seconds(5);

/// `GET /list-accounts`: the user's linked accounts, without tokens or password.
pub(crate) async fn list(mut ctx: Ctx) -> Answer<route::ListAccounts> {
    let data = ctx.require_session().await?;
    let mut db = ctx.auth.0.db.clone();
    let list = accounts::list_for_user(&mut db, &data.user.id).await?;
    Ok(Json(list.iter().map(accounts::Account::summary).collect()))
}

/// `POST /unlink-account`: removes a linked account (never the last one, unless allowed).
pub(crate) async fn unlink(mut ctx: Ctx, Body(request): Body<UnlinkAccountRequest>) -> Answer<route::UnlinkAccount> {
    let data = ctx.require_fresh_session().await?;
    let mut db = ctx.auth.0.db.clone();
    let list = accounts::list_for_user(&mut db, &data.user.id).await?;
    if list.len() == 1 && !ctx.auth.0.config.account.allow_unlinking_all {
        return Err(ApiError::bad_request(ErrorCode::FailedToUnlinkLastAccount));
    }
    let Some(account) = list.into_iter().find(|a| a.id == request.account_id) else {
        return Err(ApiError::bad_request(ErrorCode::AccountNotFound));
    };
    accounts::delete(&mut db, &account.id).await?;
    crate::hooks::after_account_delete(&ctx.auth, &mut db, account).await;
    Ok(Json(StatusResponse { status: true }))
}

/// The signed-in user's account the selector names, and its configured provider. An
/// HTTP request acts for its session's user (`userId` is for server-side calls).
async fn selected_account(ctx: &mut Ctx, account_id: Option<&str>) -> ApiResult<Account> {
    let Some(data) = ctx.session().await else {
        return Err(ApiError::empty(StatusCode::UNAUTHORIZED));
    };
    let mut db = ctx.auth.0.db.clone();
    let list = accounts::list_for_user(&mut db, &data.user.id).await?;
    // Keyward keeps no `account_data` cookie, so the cookie selector names no account.
    let Some(account_id) = account_id else {
        return Err(ApiError::bad_request(ErrorCode::AccountNotFound));
    };
    list.into_iter()
        .find(|a| a.id == account_id)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::AccountNotFound))
}

fn provider_for(ctx: &Ctx, account: &Account, code: ErrorCode) -> ApiResult<Arc<Provider>> {
    ctx.auth
        .0
        .providers
        .get(&account.provider_id)
        .ok_or_else(|| match code {
            ErrorCode::ProviderNotSupported => ApiError::with_message(
                StatusCode::BAD_REQUEST,
                code,
                format!("Provider {} is not supported.", account.provider_id),
            ),
            code => ApiError::bad_request(code),
        })
}

fn split_scopes(scope: Option<&str>) -> Vec<String> {
    scope
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Why an account's tokens were not refreshed.
enum RefreshError {
    /// The provider or the database failed (logged; the endpoint answers its own code).
    Failed(String),
    /// An account hook refused the new tokens: its error is the answer.
    Refused(ApiError),
}

impl RefreshError {
    fn failed(error: impl std::fmt::Display) -> Self {
        Self::Failed(error.to_string())
    }

    /// The answer: a hook's refusal, or else `code`, with the failure logged.
    fn answer(self, provider_id: &str, code: ErrorCode) -> ApiError {
        match self {
            Self::Refused(refusal) => refusal,
            Self::Failed(error) => {
                tracing::info!(provider = %Escaped(provider_id), %error, "token refresh failed");
                ApiError::bad_request(code)
            }
        }
    }
}

/// Refreshes the account's tokens at the provider and stores them through the account
/// hooks (a refresh token or ID token the provider did not send again stays as it was).
async fn refresh_and_store(
    ctx: &Ctx,
    provider: &Provider,
    account: &mut Account,
    refresh_token: &str,
) -> Result<(), RefreshError> {
    let http = &ctx.auth.0.providers.http;
    let endpoints = provider.endpoints(http).await.map_err(RefreshError::failed)?;
    let redirect_uri = provider.redirect_uri(&ctx.auth.0.config.auth_url());
    let fresh: ProviderTokens = provider
        .refresh(http, &endpoints, refresh_token, &redirect_uri)
        .await
        .map_err(RefreshError::failed)?;
    let vault = TokenVault::of(&ctx.auth);
    let stored = AccountTokens {
        access_token: vault.seal(fresh.access_token.as_deref()),
        refresh_token: vault.seal(fresh.refresh_token.as_deref()),
        id_token: fresh.id_token.clone(),
        access_token_expires_at: fresh.access_token_expires_at,
        refresh_token_expires_at: fresh.refresh_token_expires_at,
        scope: None,
    };
    let mut db = ctx.auth.0.db.clone();
    let changes = AccountChanges::tokens(stored);
    let updated = crate::hooks::update_account(&ctx.auth, &mut db, account, changes, ctx.now())
        .await
        .map_err(RefreshError::Refused)?
        .map_err(RefreshError::failed)?;
    match updated {
        Some(updated) => *account = updated,
        None => return Err(RefreshError::failed("the account was deleted")),
    }
    Ok(())
}

/// The account's access token, refreshed first when it expires within five seconds.
async fn valid_access_token(
    ctx: &Ctx,
    provider: &Provider,
    account: &mut Account,
) -> Result<AccessTokenResponse, RefreshError> {
    let vault = TokenVault::of(&ctx.auth);
    let expiring = account
        .access_token_expires_at
        .is_some_and(|at| at - ctx.now() < REFRESH_MARGIN);
    if expiring && let Some(refresh_token) = vault.open(account.refresh_token.as_deref()) {
        refresh_and_store(ctx, provider, account, &refresh_token).await?;
    }
    Ok(AccessTokenResponse {
        access_token: ProviderToken::new(vault.open(account.access_token.as_deref()).unwrap_or_default()),
        access_token_expires_at: account.access_token_expires_at,
        scopes: split_scopes(account.scope.as_deref()),
        id_token: account.id_token.clone().map(ProviderToken::new),
    })
}

/// `POST /get-access-token`: a valid access token of one of the user's provider accounts.
pub(crate) async fn access_token(mut ctx: Ctx, Body(selector): Body<AccountSelector>) -> Answer<route::GetAccessToken> {
    let mut account = selected_account(&mut ctx, selector.account_id.as_deref()).await?;
    let provider = provider_for(&ctx, &account, ErrorCode::ProviderNotSupported)?;
    match valid_access_token(&ctx, &provider, &mut account).await {
        Ok(response) => Ok(Json(response)),
        Err(error) => Err(error.answer(&account.provider_id, ErrorCode::FailedToGetAccessToken)),
    }
}

/// `POST /refresh-token`: new tokens from the provider, now.
pub(crate) async fn refresh_token(mut ctx: Ctx, Body(selector): Body<AccountSelector>) -> Answer<route::RefreshToken> {
    let mut account = selected_account(&mut ctx, selector.account_id.as_deref()).await?;
    let provider = provider_for(&ctx, &account, ErrorCode::ProviderNotSupported)?;
    let Some(refresh_token) = TokenVault::of(&ctx.auth).open(account.refresh_token.as_deref()) else {
        return Err(ApiError::bad_request(ErrorCode::RefreshTokenNotFound));
    };
    if let Err(error) = refresh_and_store(&ctx, &provider, &mut account, &refresh_token).await {
        return Err(error.answer(&account.provider_id, ErrorCode::FailedToRefreshAccessToken));
    }
    let vault = TokenVault::of(&ctx.auth);
    Ok(Json(RefreshTokenResponse {
        access_token: ProviderToken::new(vault.open(account.access_token.as_deref()).unwrap_or_default()),
        refresh_token: vault.open(account.refresh_token.as_deref()).map(ProviderToken::new),
        access_token_expires_at: account.access_token_expires_at,
        refresh_token_expires_at: account.refresh_token_expires_at,
        scope: account.scope.clone(),
        id_token: account.id_token.clone().map(ProviderToken::new),
        provider_id: account.provider_id.clone(),
        account_id: account.id.clone(),
    }))
}

/// `GET /account-info?accountId=…`: the provider's profile of a linked account. The query
/// is strict (`{accountId, userId?}` or `{useAccountCookie: true, userId?}`).
pub(crate) async fn info(mut ctx: Ctx, RawQuery(query): RawQuery) -> Answer<route::AccountInfo> {
    let mut query = raw_query(query.as_deref());
    if let Some(Value::String(flag)) = query.get("useAccountCookie") {
        let flag = flag == "true";
        query.insert("useAccountCookie".to_owned(), Value::Bool(flag));
    }
    if !AccountSelector::is_valid(&query) {
        return Err(ApiError::validation("[query] Invalid input"));
    }
    let account_id = query.get("accountId").and_then(Value::as_str).map(str::to_owned);
    let mut account = selected_account(&mut ctx, account_id.as_deref()).await?;
    let provider = provider_for(&ctx, &account, ErrorCode::ProviderNotConfigured)?;
    let token = valid_access_token(&ctx, &provider, &mut account)
        .await
        .map_err(|error| error.answer(&account.provider_id, ErrorCode::FailedToGetAccessToken))?;
    if token.access_token.expose().is_empty() {
        return Err(ApiError::bad_request(ErrorCode::AccessTokenNotFound));
    }
    let http = &ctx.auth.0.providers.http;
    let endpoints = provider
        .endpoints(http)
        .await
        .map_err(|_| ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::FailedToGetUserInfo))?;
    let tokens = ProviderTokens {
        access_token: Some(token.access_token.expose().to_owned()),
        id_token: account.id_token.clone(),
        ..ProviderTokens::default()
    };
    let Some(profile) = provider.profile(http, &endpoints, &tokens, None, None).await else {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::FailedToGetUserInfo));
    };
    Ok(Json(AccountInfoResponse {
        user: ProviderUser {
            id: None,
            name: Some(profile.name),
            email: profile.email,
            image: profile.image,
            email_verified: profile.email_verified,
        },
        data: profile.data,
        account: AccountRef {
            id: account.id.clone(),
            provider_id: account.provider_id.clone(),
            account_id: account.account_id.clone(),
        },
    }))
}
