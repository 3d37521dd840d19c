//! The hooks of the link: the `after` hook that links an anonymous user who signs in or
//! up by another method, and the `before` hook that keeps the user's id in the OAuth state
//! of a social sign-in, for a callback that arrives without their cookie.

use serde_json::Value;

use super::{AnonymousConfig, AnonymousLink};
use crate::db::users;
use crate::error::ApiResult;
use crate::hooks::{EndpointHook, EndpointRequest, EndpointResponse};
use crate::log_safe::Escaped;
use keyward_client::wire::SessionData;

/// The key of the anonymous user's id in the OAuth state's `serverContext` (better-auth's).
const STATE_KEY: &str = "anonymousUserId";

/// Keeps the anonymous caller's id in the OAuth state of `/sign-in/social` (better-auth's
/// `before` hook), so an in-app browser's callback without the cookie still links them.
pub(super) struct RememberAnonymous;

#[async_trait::async_trait]
impl EndpointHook for RememberAnonymous {
    async fn before(&self, request: &mut EndpointRequest) -> ApiResult<Option<axum::response::Response>> {
        if let Some(data) = request.session().await?.filter(|data| data.user.is_anonymous()) {
            request.add_oauth_server_context(STATE_KEY, Value::String(data.user.id));
        }
        Ok(None)
    }
}

/// The anonymous session to link: the request's, else (on a callback without the cookie)
/// the first live session of the anonymous user the OAuth state names.
async fn anonymous_session(request: &mut EndpointRequest) -> ApiResult<Option<SessionData>> {
    if let Some(data) = request.session().await?.filter(|data| data.user.is_anonymous()) {
        return Ok(Some(data));
    }
    let context = request.oauth_server_context();
    let Some(user_id) = context.get(STATE_KEY).and_then(Value::as_str) else {
        return Ok(None);
    };
    let auth = request.auth();
    let mut db = auth.0.db.clone();
    let Some(user) = users::find_by_id(&mut db, &auth.0.fields, user_id).await? else {
        return Ok(None);
    };
    if !user.is_anonymous() {
        return Ok(None);
    }
    let sessions = auth.sessions().list_for_user(&mut db, &user.id).await?;
    Ok(sessions.into_iter().next().map(|session| SessionData {
        session,
        user,
        needs_refresh: None,
    }))
}

/// The route prefixes better-auth's hook runs on (its matcher, in its order): any route
/// that may start a session.
pub(super) const LINK_PATHS: &[&str] = &[
    "/sign-in",
    "/sign-up",
    "/callback",
    "/magic-link/verify",
    "/email-otp/verify-email",
    "/one-tap/callback",
    "/passkey/verify-authentication",
    "/phone-number/verify",
    "/verify-email",
];

/// Links the request's anonymous user to the session the answer starts.
pub(super) struct LinkAnonymous(pub(super) AnonymousConfig);

#[async_trait::async_trait]
impl EndpointHook for LinkAnonymous {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        // Only an answer that sets a (non-empty) session cookie signs someone in.
        let Some(new) = response.new_session().await? else {
            return Ok(());
        };
        let Some(anonymous) = anonymous_session(request).await? else {
            return Ok(());
        };
        let link = AnonymousLink { anonymous, new };
        if let Some(hook) = &self.0.on_link_account {
            hook.on_link_account(request.auth(), &link).await?;
        }
        let same_user = link.new.user.id == link.anonymous.user.id;
        if self.0.disable_delete_anonymous_user || same_user || link.new.user.is_anonymous() {
            return Ok(());
        }
        // A failed clean-up is logged, never the client's answer (as in better-auth).
        if let Err(error) = crate::routes::remove_user_data(request.auth(), &link.anonymous.user.id).await {
            tracing::error!(
                anonymous_user_id = %link.anonymous.user.id,
                error = %Escaped(&error),
                "failed to delete the anonymous user after a link"
            );
        }
        Ok(())
    }
}
