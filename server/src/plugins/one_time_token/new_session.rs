//! `setOttHeaderOnNewSession`: an answer that sets a session cookie also carries a
//! one-time token for that session in `set-ott`.

use crate::error::ApiResult;
use crate::hooks::{EndpointHook, EndpointRequest, EndpointResponse};
use crate::request::expose_header;
use axum::http::HeaderValue;

/// The `after` hook on every endpoint.
pub(super) struct SetOttHeader;

#[async_trait::async_trait]
impl EndpointHook for SetOttHeader {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        // better-auth's `ctx.context.newSession`: the session whose cookie the answer sets.
        let Some(session) = response.new_session().await? else {
            return Ok(());
        };
        let auth = request.auth().clone();
        let ott = super::issue(&auth, super::plugin(&auth)?, &session).await?;
        if let Ok(value) = HeaderValue::from_str(ott.expose()) {
            let headers = response.headers_mut();
            headers.insert("set-ott", value);
            expose_header(headers, "set-ott");
        }
        Ok(())
    }
}
