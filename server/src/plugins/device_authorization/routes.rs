//! The `/device/*` routes.

use axum::Json;
use axum::http::header;

use super::{Decision, bad_request, decide, redeem, request_code, verify};
use crate::error::ApiError;
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::{Answer, Endpoints};
use keyward_client::wire::routes::device_authorization as route;
use keyward_client::wire::{
    DeviceCodeRequest, DeviceDecisionRequest, DeviceTokenRequest, DeviceVerifyQuery, ErrorCode, OAuthErrorCode,
};

impl Endpoint for DeviceCodeRequest {}
impl Endpoint for DeviceTokenRequest {}
impl Endpoint for DeviceDecisionRequest {}
impl QueryEndpoint for DeviceVerifyQuery {}

/// Adds the `/device/*` routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::Code, code)
        .route(route::Token, token)
        .route(route::Verify, device)
        .route(route::Approve, approve)
        .route(route::Deny, deny)
}

/// `Cache-Control: no-store` and `Pragma: no-cache` on every answer of the handler,
/// errors included (RFC 6749 §5.1; better-auth's `noStore`).
fn no_store(ctx: &Ctx) {
    ctx.set_header(header::CACHE_CONTROL, "no-store");
    ctx.set_header(header::PRAGMA, "no-cache");
}

/// `POST /device/code` (JSON or a form). A body that does not fit the schema is
/// `invalid_request` with the validation message, as better-auth's `onValidationError`
/// answers it.
async fn code(ctx: Ctx, body: Result<Body<DeviceCodeRequest>, ApiError>) -> Answer<route::Code> {
    let Body(request) = body.map_err(|error| match (error.code(), error.body()) {
        (Some(ErrorCode::ValidationError), Some(body)) => bad_request(OAuthErrorCode::InvalidRequest, &body.message),
        _ => error,
    })?;
    no_store(&ctx);
    Ok(Json(request_code(&ctx, request).await?))
}

/// `POST /device/token`: one poll.
async fn token(ctx: Ctx, Body(request): Body<DeviceTokenRequest>) -> Answer<route::Token> {
    no_store(&ctx);
    Ok(Json(redeem(&ctx, request).await?))
}

/// `GET /device?user_code=…`.
async fn device(mut ctx: Ctx, QueryOf(query): QueryOf<DeviceVerifyQuery>) -> Answer<route::Verify> {
    Ok(Json(verify(&mut ctx, &query.user_code).await?))
}

/// `POST /device/approve`.
async fn approve(mut ctx: Ctx, Body(request): Body<DeviceDecisionRequest>) -> Answer<route::Approve> {
    Ok(Json(decide(&mut ctx, &request.user_code, Decision::Approve).await?))
}

/// `POST /device/deny`.
async fn deny(mut ctx: Ctx, Body(request): Body<DeviceDecisionRequest>) -> Answer<route::Deny> {
    Ok(Json(decide(&mut ctx, &request.user_code, Decision::Deny).await?))
}
