//! `GET /token`, `GET /jwks`, and the `set-auth-jwt` header of `/get-session`.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, header};

use super::{plugin, sign};
use crate::error::ApiResult;
use crate::hooks::{EndpointHook, EndpointRequest, EndpointResponse};
use crate::request::Ctx;
use crate::routes::{Answer, Endpoints};
use keyward_client::wire::routes::jwt as route;
use keyward_client::wire::{JwtTokenResponse, SET_AUTH_JWT_HEADER, SessionData};

/// Adds `/token` and `/jwks`.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router.route(route::Token, token).route(route::Jwks, jwks)
}

/// `GET /token`: a signed token for the caller's session (`401` without one).
async fn token(mut ctx: Ctx) -> Answer<route::Token> {
    let session = ctx.require_session().await?;
    let config = plugin(&ctx.auth)?;
    let token = sign::session_token(&ctx.auth, config, &session).await?;
    Ok(Json(JwtTokenResponse { token }))
}

/// `GET /jwks`: the public keys whose grace period has not ended.
async fn jwks(ctx: Ctx) -> Answer<route::Jwks> {
    let config = plugin(&ctx.auth)?;
    Ok(Json(sign::published_keys(&ctx.auth, config).await?))
}

/// Sends the session's token in `set-auth-jwt` on every `/get-session` that answers a
/// session (better-auth's after hook), and exposes the header to cross-origin scripts.
pub(super) struct SetAuthJwt;

#[async_trait::async_trait]
impl EndpointHook for SetAuthJwt {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let auth = request.auth().clone();
        let config = plugin(&auth)?;
        if config.disable_setting_jwt_header || !response.status().is_success() {
            return Ok(());
        }
        let Some(session) = response
            .json()
            .and_then(|json| serde_json::from_value::<SessionData>(json.clone()).ok())
        else {
            return Ok(());
        };
        let token = sign::session_token(&auth, config, &session).await?;
        let Ok(value) = HeaderValue::from_str(token.expose()) else {
            return Ok(());
        };
        let headers = response.headers_mut();
        headers.insert(HeaderName::from_static(SET_AUTH_JWT_HEADER), value);
        let mut exposed: Vec<String> = headers
            .get(header::ACCESS_CONTROL_EXPOSE_HEADERS)
            .and_then(|value| value.to_str().ok())
            .map(|value| {
                value
                    .split(',')
                    .map(|name| name.trim().to_owned())
                    .filter(|name| !name.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if !exposed
            .iter()
            .any(|name| name.eq_ignore_ascii_case(SET_AUTH_JWT_HEADER))
        {
            exposed.push(SET_AUTH_JWT_HEADER.to_owned());
        }
        if let Ok(value) = HeaderValue::from_str(&exposed.join(", ")) {
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, value);
        }
        Ok(())
    }
}
