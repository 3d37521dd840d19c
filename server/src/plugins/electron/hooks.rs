//! The plugin's endpoint hooks: [`HandToApp`] on the paths that sign in, and
//! [`KeepTransferCookie`] on every other path (better-auth's two `after` hooks).

use axum::http::StatusCode;
use axum::http::header::{HeaderValue, LOCATION};
use serde_json::{Map, Value};

use super::redirect::AppRedirect;
use super::{ElectronConfig, TransferPayload, code_cookie, is_sign_in_path, issue_code, plugin, transfer_cookie};
use crate::error::{ApiError, ApiResult};
use crate::hooks::{EndpointHook, EndpointRequest, EndpointResponse};
use keyward_client::wire::ErrorCode;

/// Whether `path` is `/sign-in*` or `/sign-up*`, where the query may start a transfer.
fn takes_query(path: &str) -> bool {
    path.starts_with("/sign-in") || path.starts_with("/sign-up")
}

/// A string parameter of the query.
fn query_str<'a>(query: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    query.get(name).and_then(Value::as_str)
}

/// The payload a query names: `client_id` (this app's), a non-empty `code_challenge` and
/// `state`, and Keyward's `redirect_uri` (checked by [`HandToApp::before`]).
fn payload_from_query(config: &ElectronConfig, query: &Map<String, Value>) -> Option<TransferPayload> {
    let payload = TransferPayload {
        client_id: query_str(query, "client_id")?.to_owned(),
        code_challenge: query_str(query, "code_challenge").filter(|s| !s.is_empty())?.to_owned(),
        state: query_str(query, "state").filter(|s| !s.is_empty())?.to_owned(),
        redirect_uri: query_str(query, "redirect_uri").map(str::to_owned),
    };
    (payload.client_id == config.client_id).then_some(payload)
}

/// The `redirect_uri` of a payload, when it names one this server still allows.
fn app_redirect(config: &ElectronConfig, payload: &TransferPayload) -> Option<AppRedirect> {
    AppRedirect::parse(config, payload.redirect_uri.as_deref()?).ok()
}

/// On the paths that sign in: keeps a `/sign-in*` or `/sign-up*` query's state and
/// challenge in the `transfer_token` cookie, and once the answer makes a session, turns
/// the cookie (or the query) into a code for the app.
pub(super) struct HandToApp;

#[async_trait::async_trait]
impl EndpointHook for HandToApp {
    /// Keyward's extension: a `redirect_uri` on a `/sign-in*` or `/sign-up*` request for
    /// this app is checked before anything signs in.
    async fn before(&self, request: &mut EndpointRequest) -> ApiResult<Option<axum::response::Response>> {
        let config = plugin(request.auth())?;
        let query = request.query();
        if !takes_query(request.path()) || query_str(query, "client_id") != Some(config.client_id.as_str()) {
            return Ok(None);
        }
        let Some(raw) = query_str(query, "redirect_uri") else {
            return Ok(None);
        };
        AppRedirect::parse(config, raw)?;
        if query_str(query, "state").is_none_or(str::is_empty) {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MissingState));
        }
        if query_str(query, "code_challenge").is_none_or(str::is_empty) {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MissingPkce));
        }
        Ok(None)
    }

    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let auth = request.auth().clone();
        let config = plugin(&auth)?;
        let cookie = transfer_cookie(&auth);
        let from_query = payload_from_query(config, request.query());
        if takes_query(request.path())
            && let Some(payload) = &from_query
        {
            response.set_signed_cookie(&cookie, &payload.to_json(), Some(config.code_expires_in));
        }
        let Some(session) = response.new_session().await? else {
            if request.path().starts_with("/callback") {
                send_failure_to_app(config, &cookie, request, response);
            }
            return Ok(());
        };
        let from_cookie = request.signed_cookie(&cookie);
        response.expire_cookie(&cookie);
        let payload = match from_cookie {
            Some(json) => serde_json::from_str::<TransferPayload>(&json).ok(),
            None => from_query,
        };
        let Some(payload) = payload else {
            return Ok(());
        };
        let Some(issued) = issue_code(&auth, config, &session.user.id, &payload).await? else {
            return Ok(());
        };
        response.set_readable_cookie(
            &code_cookie(config),
            &issued.cookie,
            Some(config.redirect_cookie_expires_in),
        );
        if let Some(Value::Object(body)) = response.json_mut() {
            body.insert(
                "electron_authorization_code".into(),
                Value::String(issued.code.expose().to_owned()),
            );
        }
        if let Some(target) = app_redirect(config, &payload)
            && let Ok(location) = HeaderValue::from_str(&target.success(&issued.code, &payload.state))
        {
            response.set_status(StatusCode::FOUND);
            response.headers_mut().insert(LOCATION, location);
        }
        Ok(())
    }
}

/// Keyward's extension: a social callback that failed (its redirect carries `?error=`) in
/// a browser whose transfer names a `redirect_uri` sends the browser there with the error
/// and the app's state, and ends the transfer.
fn send_failure_to_app(
    config: &ElectronConfig,
    cookie: &str,
    request: &EndpointRequest,
    response: &mut EndpointResponse,
) {
    if !response.status().is_redirection() {
        return;
    }
    let Some(payload) = request
        .signed_cookie(cookie)
        .and_then(|json| serde_json::from_str::<TransferPayload>(&json).ok())
        .filter(|payload| payload.client_id == config.client_id)
    else {
        return;
    };
    let Some(target) = app_redirect(config, &payload) else {
        return;
    };
    let base = &request.auth().0.config.base_url;
    let error = response
        .headers()
        .get(LOCATION)
        .and_then(|location| location.to_str().ok())
        .and_then(|location| base.join(location).ok())
        .and_then(|location| {
            location
                .query_pairs()
                .find(|(name, _)| name == "error")
                .map(|(_, code)| code.into_owned())
        });
    let Some(error) = error else {
        return;
    };
    if let Ok(location) = HeaderValue::from_str(&target.failure(&error, &payload.state)) {
        response.headers_mut().insert(LOCATION, location);
        response.expire_cookie(cookie);
    }
}

/// On every other path: an answer that makes a session in a browser with a transfer
/// under way sets the `transfer_token` cookie again, for the code's full lifetime (as
/// better-auth does, it reads the cookie by the plugin's prefix and writes it by the
/// server's name).
pub(super) struct KeepTransferCookie;

#[async_trait::async_trait]
impl EndpointHook for KeepTransferCookie {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        if is_sign_in_path(request.path()) {
            return Ok(());
        }
        let auth = request.auth().clone();
        let config = plugin(&auth)?;
        let Some(value) = request.signed_cookie(&format!("{}.transfer_token", config.cookie_prefix)) else {
            return Ok(());
        };
        if response.new_session().await?.is_none() {
            return Ok(());
        }
        response.set_signed_cookie(&transfer_cookie(&auth), &value, Some(config.code_expires_in));
        Ok(())
    }
}
