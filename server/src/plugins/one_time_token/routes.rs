//! `GET /one-time-token/generate` and `POST /one-time-token/verify`.

use axum::Json;

use super::{bad_request, check_live, issue, plugin, redeem};
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::{Answer, Endpoints};
use keyward_client::wire::routes::one_time_token as route;
use keyward_client::wire::{OneTimeTokenResponse, VerifyOneTimeTokenRequest};

impl Endpoint for VerifyOneTimeTokenRequest {}

/// Adds the `/one-time-token/*` routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router.route(route::Generate, generate).route(route::Verify, verify)
}

/// `GET /one-time-token/generate`: a token for the caller's session (`401` without one).
async fn generate(mut ctx: Ctx) -> Answer<route::Generate> {
    let data = ctx.require_session().await?;
    let config = plugin(&ctx.auth)?;
    if config.disable_client_request {
        return Err(bad_request("Client requests are disabled"));
    }
    let token = issue(&ctx.auth, config, &data).await?;
    Ok(Json(OneTimeTokenResponse { token }))
}

/// `POST /one-time-token/verify`: takes the token and answers its session and user,
/// setting the session cookie (unless `disable_set_session_cookie`). As in better-auth,
/// the cookie is set before the session's expiry is checked, so a session that expired
/// meanwhile is `400 Session expired` with its cookie.
async fn verify(mut ctx: Ctx, Body(request): Body<VerifyOneTimeTokenRequest>) -> Answer<route::Verify> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let data = redeem(&auth, config, &request.token).await?;
    if !config.disable_set_session_cookie {
        ctx.set_session_cookie(&data, None);
    }
    check_live(&data)?;
    Ok(Json(data))
}
