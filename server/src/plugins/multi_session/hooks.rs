//! The multi-session hooks: a cookie for every new session, and sign-out ending them all.

use super::{MultiSessionConfig, cookie_name};
use crate::error::ApiResult;
use crate::hooks::{EndpointHook, EndpointRequest, EndpointResponse};
use keyward_client::wire::is_multi_session_cookie;

/// The names of the request's multi-session cookies, in the order they came.
fn device_cookies(request: &EndpointRequest) -> Vec<String> {
    request
        .cookie_names()
        .into_iter()
        .filter(|name| is_multi_session_cookie(name))
        .collect()
}

/// After every endpoint: an answer that starts a session the browser does not hold yet
/// gets its multi-session cookie (better-auth's first `after` hook).
pub(super) struct KeepDeviceSession(pub(super) MultiSessionConfig);

#[async_trait::async_trait]
impl EndpointHook for KeepDeviceSession {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let Some(new) = response.new_session().await? else {
            return Ok(());
        };
        let auth = request.auth().clone();
        let token = new.session.token.expose();
        let name = cookie_name(&auth, token);
        if response.sets_cookie_containing(&name) || request.cookie(&name).is_some() {
            return Ok(());
        }
        let held = device_cookies(request);
        let store = auth.sessions();
        let mut db = auth.0.db.clone();
        // The same user's older sessions in this browser end: one session per user.
        let mut replaced = Vec::new();
        for key in &held {
            let Some(old) = request.signed_cookie(key) else {
                continue;
            };
            let same_user = store
                .find_with_user(&mut db, &old)
                .await?
                .is_some_and(|data| data.user.id == new.user.id);
            if same_user {
                response.expire_cookie(key);
                replaced.push(old);
            }
        }
        let ending: Vec<&str> = replaced.iter().map(String::as_str).collect();
        store.delete_many(&mut db, &ending).await?;
        if held.len() - replaced.len() + 1 > self.0.maximum_sessions {
            return Ok(());
        }
        let lifetime = auth.0.config.session.expires_in;
        response.set_signed_cookie(&name, token, Some(lifetime));
        Ok(())
    }
}

/// After `/sign-out`: every session the browser's multi-session cookies hold ends, and the
/// cookies are expired (better-auth's second `after` hook).
pub(super) struct EndDeviceSessions;

#[async_trait::async_trait]
impl EndpointHook for EndDeviceSessions {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let mut tokens = Vec::new();
        for key in device_cookies(request) {
            let Some(token) = request.signed_cookie(&key) else {
                continue;
            };
            // better-auth lowercases the name, then restores the `__Secure-` prefix.
            let expired = key.to_lowercase().replacen("__secure-", "__Secure-", 1);
            response.expire_cookie(&expired);
            tokens.push(token);
        }
        let auth = request.auth().clone();
        let ending: Vec<&str> = tokens.iter().map(String::as_str).collect();
        auth.sessions().delete_many(&mut auth.0.db.clone(), &ending).await?;
        Ok(())
    }
}
