//! The `after` hook on every endpoint: which method signed in, its cookie, its column.

use keyward_client::wire::time::now_millis;
use serde_json::Value;

use super::{COLUMN, LastLoginMethodConfig};
use crate::db::users::UserChanges;
use crate::error::{ApiError, ApiResult};
use crate::hooks::{EndpointHook, EndpointRequest, EndpointResponse};

/// Records the method of every answer that signs in.
pub(super) struct RecordLoginMethod(pub(super) LastLoginMethodConfig);

/// better-auth's method for a path: `email`, a provider's id, `google`, `siwe`, `passkey`,
/// `magic-link` or `email-otp`; `None` for every other path.
fn builtin_method(request: &EndpointRequest) -> Option<String> {
    let path = request.path();
    if let Some(rest) = path.strip_prefix("/callback/") {
        return Some(
            request
                .param("id")
                .map(str::to_owned)
                .unwrap_or_else(|| rest.rsplit('/').next().unwrap_or(rest).to_owned()),
        );
    }
    let method = match path {
        "/one-tap/callback" => "google",
        "/sign-in/email" | "/sign-up/email" => "email",
        "/sign-in/email-otp" => "email-otp",
        _ if path.contains("siwe") => "siwe",
        _ if path.contains("/passkey/verify-authentication") => "passkey",
        _ if path.starts_with("/magic-link/verify") => "magic-link",
        _ => return None,
    };
    Some(method.to_owned())
}

impl RecordLoginMethod {
    /// The configured resolver's answer, else the built-in one.
    fn method(&self, request: &EndpointRequest) -> Option<String> {
        self.0
            .resolve_method
            .as_ref()
            .and_then(|resolve| resolve.resolve(request))
            .or_else(|| builtin_method(request))
    }
}

#[async_trait::async_trait]
impl EndpointHook for RecordLoginMethod {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let Some(method) = self.method(request) else {
            return Ok(());
        };
        if self.0.store_in_database {
            store(request, response, &method).await?;
        }
        // Any `Set-Cookie` of the session cookie counts, as in better-auth (a sign-in whose
        // second factor is pending expires it, and still gets the method's cookie).
        let session_cookie = request.auth().0.cookies.session_token.clone();
        if !response.sets_cookie_containing(&session_cookie) {
            return Ok(());
        }
        let permitted = self
            .0
            .before_store_cookie
            .as_ref()
            .is_none_or(|decide| decide.permits(request, &method));
        if permitted {
            response.set_readable_cookie(&self.0.cookie_name, &method, Some(self.0.max_age));
        }
        Ok(())
    }
}

/// Writes the method into the new session's user, and into the answer's `user` when it
/// is that user (better-auth's answer shows the row after its session hook wrote it).
async fn store(request: &EndpointRequest, response: &mut EndpointResponse, method: &str) -> ApiResult<()> {
    let Some(session) = response.new_session().await? else {
        return Ok(());
    };
    let auth = request.auth().clone();
    let mut db = auth.0.db.clone();
    let changes = UserChanges::default().set(COLUMN, method.to_owned());
    let updated = crate::hooks::update_user(&auth, &mut db, &session.user.id, changes, now_millis())
        .await?
        .map_err(ApiError::from)?;
    let Some(user) = updated else {
        return Ok(());
    };
    if let Some(answered) = response.json_mut().and_then(|body| body.get_mut("user"))
        && answered.get("id").and_then(Value::as_str) == Some(user.id.as_str())
        && let Value::Object(answered) = answered
    {
        answered.insert(COLUMN.to_owned(), Value::from(method));
        if let Ok(Value::String(updated_at)) = serde_json::to_value(user.updated_at) {
            answered.insert("updatedAt".to_owned(), Value::String(updated_at));
        }
    }
    Ok(())
}
