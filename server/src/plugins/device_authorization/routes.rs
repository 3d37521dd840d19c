//! The `/device/*` routes.

use axum::http::header;
use axum::{Extension, Json};

use super::{Decision, bad_request, decide, redeem, request_code, verify};
use crate::error::ApiError;
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf, RepeatedFormFields};
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
/// answers it, and so is a form giving `client_id`, `user_id` or `scope` twice.
async fn code(
    ctx: Ctx,
    repeated: Option<Extension<RepeatedFormFields>>,
    body: Result<Body<DeviceCodeRequest>, ApiError>,
) -> Answer<route::Code> {
    let Body(request) = body.map_err(|error| match (error.code(), error.body()) {
        (Some(ErrorCode::ValidationError), Some(body)) => bad_request(OAuthErrorCode::InvalidRequest, &body.message),
        _ => error,
    })?;
    no_store(&ctx);
    let repeated = repeated
        .map(|Extension(RepeatedFormFields(names))| names)
        .unwrap_or_default();
    if let Some(field) = ["client_id", "user_id", "scope"]
        .into_iter()
        .find(|field| repeated.iter().any(|name| name == field))
    {
        return Err(bad_request(
            OAuthErrorCode::InvalidRequest,
            &format!("{field} must not be repeated"),
        ));
    }
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
