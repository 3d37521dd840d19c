//! `GET /multi-session/list-device-sessions`, `POST /multi-session/set-active` and
//! `POST /multi-session/revoke`.

use axum::Json;
use axum::http::StatusCode;

use super::cookie_name;
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::{Answer, Endpoints};
use keyward_client::wire::routes::multi_session as route;
use keyward_client::wire::{ErrorCode, SessionData, SessionTokenRequest, StatusResponse, is_multi_session_cookie};

impl Endpoint for SessionTokenRequest {}

/// Adds the multi-session routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::ListDeviceSessions, list)
        .route(route::SetActive, set_active)
        .route(route::Revoke, revoke)
}

fn invalid_token() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidSessionToken)
}

/// The tokens the request's multi-session cookies hold (those signed by this server), in
/// the order the cookies came, each once.
fn device_tokens(ctx: &Ctx) -> Vec<String> {
    let secret = &ctx.auth.0.config.secret;
    let mut tokens: Vec<String> = Vec::new();
    for name in ctx.cookies.names().filter(|name| is_multi_session_cookie(name)) {
        if let Some(token) = ctx.cookies.signed(name, secret).value()
            && !tokens.iter().any(|seen| seen == token)
        {
            tokens.push(token.to_owned());
        }
    }
    tokens
}

/// The live sessions (and users) of `tokens`, in their order.
async fn live_sessions(ctx: &Ctx, tokens: &[String]) -> ApiResult<Vec<SessionData>> {
    let now = ctx.now();
    let store = ctx.auth.sessions();
    let mut db = ctx.auth.0.db.clone();
    let mut live = Vec::new();
    for token in tokens {
        if let Some(data) = store.find_with_user(&mut db, token).await?
            && data.session.expires_at > now
        {
            live.push(data);
        }
    }
    Ok(live)
}

/// The token a request's multi-session cookie for `token` holds, when it has one signed by
/// this server.
fn held_token(ctx: &Ctx, token: &str) -> Option<String> {
    let name = cookie_name(&ctx.auth, token);
    ctx.cookies
        .signed(&name, &ctx.auth.0.config.secret)
        .value()
        .map(str::to_owned)
}

/// `GET /multi-session/list-device-sessions`: the live sessions the browser's
/// multi-session cookies hold, the first of each user; `[]` without cookies.
async fn list(ctx: Ctx) -> Answer<route::ListDeviceSessions> {
    let mut sessions = live_sessions(&ctx, &device_tokens(&ctx)).await?;
    let mut users: Vec<String> = Vec::new();
    sessions.retain(|data| {
        let first = !users.contains(&data.user.id);
        users.push(data.user.id.clone());
        first
    });
    Ok(Json(sessions))
}

/// `POST /multi-session/set-active`: the session of one of the browser's multi-session
/// cookies becomes the session cookie. `401 INVALID_SESSION_TOKEN` for a token the
/// browser holds no cookie for, and for an ended session (whose cookie is expired).
async fn set_active(mut ctx: Ctx, Body(request): Body<SessionTokenRequest>) -> Answer<route::SetActive> {
    let asked = request.session_token.expose();
    let token = held_token(&ctx, asked).ok_or_else(invalid_token)?;
    let mut db = ctx.auth.0.db.clone();
    let found = ctx.auth.sessions().find_with_user(&mut db, &token).await?;
    let Some(data) = found.filter(|data| data.session.expires_at >= ctx.now()) else {
        let name = cookie_name(&ctx.auth, asked);
        ctx.out.expire_cookie(&name, ctx.secure());
        return Err(invalid_token());
    };
    ctx.set_session_cookie(&data, None);
    Ok(Json(SessionData {
        session: data.session,
        user: data.user,
        needs_refresh: None,
    }))
}

/// `POST /multi-session/revoke`: ends the session of one of the browser's multi-session
/// cookies and expires the cookie (signed-in callers only). When it was the active
/// session, the first other live one the cookies hold becomes the session cookie, or the
/// caller is signed out. `401 INVALID_SESSION_TOKEN` for a token the browser holds no
/// cookie for.
async fn revoke(mut ctx: Ctx, Body(request): Body<SessionTokenRequest>) -> Answer<route::Revoke> {
    let current = ctx.require_session().await?;
    let asked = request.session_token.expose();
    let token = held_token(&ctx, asked).ok_or_else(invalid_token)?;
    let mut db = ctx.auth.0.db.clone();
    ctx.auth.sessions().delete(&mut db, &token).await?;
    let name = cookie_name(&ctx.auth, asked);
    ctx.out.expire_cookie(&name, ctx.secure());
    if current.session.token.expose() != token {
        return Ok(Json(StatusResponse { status: true }));
    }
    let next = live_sessions(&ctx, &device_tokens(&ctx)).await?.into_iter().next();
    match next {
        Some(next) => ctx.set_session_cookie(&next, None),
        None => ctx.delete_session_cookies(),
    }
    Ok(Json(StatusResponse { status: true }))
}
