//! `POST /electron/token`, `GET /electron/init-oauth-proxy` and
//! `POST /electron/transfer-user`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::redirect::AppRedirect;
use super::{CodeRecord, TransferPayload, code_cookie, code_identifier, issue_code, plugin, transfer_cookie};
use crate::crypto::{base64url, sha256};
use crate::db::users;
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::{Answer, Endpoints, redirect, start_social_sign_in};
use keyward_client::wire::routes::electron as route;
use keyward_client::wire::secret::constant_time_eq;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{
    ElectronInitOAuthProxyQuery, ElectronTokenRequest, ElectronTokenResponse, ElectronTransferUserQuery,
    ElectronTransferUserRequest, ElectronTransferUserResponse, ErrorCode, SignInSocialRequest,
};

impl Endpoint for ElectronTokenRequest {}
impl Endpoint for ElectronTransferUserRequest {}
impl QueryEndpoint for ElectronInitOAuthProxyQuery {}
impl QueryEndpoint for ElectronTransferUserQuery {}

/// Adds the `/electron/*` routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::Token, token)
        .route(route::InitOAuthProxy, init_oauth_proxy)
        .route(route::TransferUser, transfer_user)
}

/// `404 INVALID_TOKEN` "Invalid or expired token.": a used, expired or unknown code.
fn invalid_code(status: StatusCode) -> ApiError {
    ApiError::with_message(status, ErrorCode::InvalidToken, "Invalid or expired token.")
}

/// `POST /electron/token`: takes the code (before any check, so a wrong state or verifier
/// burns it), checks the state and `base64url(SHA-256(code_verifier))` against the stored
/// challenge, then signs the user in: a new session, its cookie, `{token, user}`.
async fn token(mut ctx: Ctx, Body(request): Body<ElectronTokenRequest>) -> Answer<route::Token> {
    let auth = ctx.auth.clone();
    plugin(&auth)?;
    let taken = auth
        .verifications()
        .consume_now(&auth.0.db, &code_identifier(request.token.expose()), now_millis())
        .await?
        .ok_or_else(|| invalid_code(StatusCode::NOT_FOUND))?;
    // Only this server (or better-auth) writes the row: an unreadable one is logged and
    // answered as a code that does not exist (better-auth fails with a 500).
    let record: CodeRecord = serde_json::from_str(&taken.value).map_err(|error| {
        tracing::warn!(%error, "an electron code's verification row cannot be read");
        invalid_code(StatusCode::NOT_FOUND)
    })?;
    if record.state != request.state {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::StateMismatch));
    }
    if record.code_challenge.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MissingCodeChallenge));
    }
    let challenge = base64url(&sha256(request.code_verifier.expose().as_bytes()));
    if !constant_time_eq(challenge.as_bytes(), record.code_challenge.as_bytes()) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidCodeVerifier));
    }
    let mut db = auth.0.db.clone();
    let Some(user) = users::find_by_id(&mut db, &auth.0.fields, &record.user_id).await? else {
        // The user was deleted after the code was made: better-auth answers `500
        // USER_NOT_FOUND`, Keyward the same code as a `404` (nothing failed here).
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UserNotFound));
    };
    let data = ctx.start_session(user, None).await?;
    Ok(Json(ElectronTokenResponse {
        token: data.session.token,
        user: data.user,
    }))
}

/// `GET /electron/init-oauth-proxy`: starts the provider's sign-in as `POST /sign-in/social
/// {provider}` would (its state cookie, its provider URL) and, with a state and a
/// challenge, keeps them in the `transfer_token` cookie for the callback; answers `302`
/// to the provider. A failure of the sign-in is its own error answer (better-auth wraps
/// it in a `500`). Keyward's `redirect_uri` is checked first and kept in the cookie.
async fn init_oauth_proxy(mut ctx: Ctx, QueryOf(query): QueryOf<ElectronInitOAuthProxyQuery>) -> ApiResult<Response> {
    let config = plugin(&ctx.auth)?.clone();
    let app_redirect = match &query.redirect_uri {
        Some(raw) => {
            let checked = AppRedirect::parse(&config, raw)?;
            if query.state.is_empty() {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MissingState));
            }
            if query.code_challenge.is_empty() {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MissingPkce));
            }
            Some(checked)
        }
        None => None,
    };
    let request = SignInSocialRequest {
        provider: query.provider.clone(),
        ..SignInSocialRequest::default()
    };
    let started = start_social_sign_in(&mut ctx, &request).await?;
    if !query.state.is_empty() && !query.code_challenge.is_empty() {
        let payload = TransferPayload {
            client_id: config.client_id.clone(),
            code_challenge: query.code_challenge.clone(),
            state: query.state.clone(),
            redirect_uri: app_redirect.map(|checked| checked.as_str().to_owned()),
        };
        ctx.set_signed_cookie(
            &transfer_cookie(&ctx.auth),
            &payload.to_json(),
            Some(config.code_expires_in),
        );
    }
    if started.redirect {
        Ok(redirect(&started.url))
    } else {
        Ok(Json(started).into_response())
    }
}

/// `POST /electron/transfer-user?client_id&state&code_challenge`: a code for the signed-in
/// caller (`401` without a session, `400 INVALID_CLIENT_ID` for another client id), in the
/// answer and the code cookie; `url` and `redirect` echo the body's `callbackURL`.
async fn transfer_user(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<ElectronTransferUserQuery>,
    Body(request): Body<ElectronTransferUserRequest>,
) -> Answer<route::TransferUser> {
    let session = ctx.require_session().await?;
    let config = plugin(&ctx.auth)?.clone();
    let payload = TransferPayload {
        client_id: query.client_id,
        code_challenge: query.code_challenge,
        state: query.state,
        redirect_uri: None,
    };
    let Some(issued) = issue_code(&ctx.auth, &config, &session.user.id, &payload).await? else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidClientId));
    };
    ctx.out.set_readable_cookie(
        &ctx.auth,
        &code_cookie(&config),
        &issued.cookie,
        Some(config.redirect_cookie_expires_in),
    );
    let url = request.callback_url.filter(|url| !url.is_empty());
    Ok(Json(ElectronTransferUserResponse {
        redirect: url.is_some(),
        url,
        electron_authorization_code: issued.code,
    }))
}
