//! The `after` hook that links an anonymous user who signs in or up by another method.

use super::{AnonymousConfig, AnonymousLink};
use crate::error::ApiResult;
use crate::hooks::{EndpointHook, EndpointRequest, EndpointResponse};
use crate::log_safe::Escaped;

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
        let Some(anonymous) = request.session().await?.filter(|data| data.user.is_anonymous()) else {
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
