//! Sessions for keys (`enableSessionForAPIKeys`): a request carrying a key in one of the
//! configured headers is a session of the key's owner, on every route. The key is checked
//! and one use spent as `verifyApiKey` does; a key shorter than `defaultKeyLength` is
//! refused with `403 INVALID_API_KEY` before any lookup. `/get-session` answers the
//! session at once; other routes see it as the request's session. Nothing is stored and
//! no cookie is set: the session's `id` is the key's, its `token` the key.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde_json::Map;

use super::config::ApiKeyOwner;
use super::{plugin, remove_expired, verify};
use crate::db::users;
use crate::error::{ApiError, ApiResult};
use crate::hooks::{EndpointHook, EndpointRequest};
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{ErrorCode, Session, SessionData, SessionToken};

/// The `before` hook on every route.
pub(super) struct KeySession;

#[async_trait::async_trait]
impl EndpointHook for KeySession {
    async fn before(&self, request: &mut EndpointRequest) -> ApiResult<Option<Response>> {
        let auth = request.auth().clone();
        let root = plugin(&auth)?;
        // The first configuration with sessions whose header the request carries.
        let Some((key, config)) = root
            .all()
            .filter(|config| config.enable_session_for_api_keys)
            .find_map(|config| {
                config
                    .headers
                    .iter()
                    .find_map(|name| request.headers().get(name.as_str()))
                    .and_then(|value| value.to_str().ok())
                    .filter(|key| !key.is_empty())
                    .map(|key| (key.to_owned(), config))
            })
        else {
            return Ok(None);
        };
        if key.encode_utf16().count() < config.default_key_length {
            return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::InvalidApiKey));
        }
        let row = verify::validate(&auth, root, config, Some(config.id()), &key, None).await?;
        remove_expired(&auth, false).await;
        if config.references != ApiKeyOwner::User {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidReferenceIdFromApiKey,
            ));
        }
        let mut db = auth.0.db.clone();
        let Some(user) = users::find_by_id(&mut db, &auth.0.fields, &row.reference_id).await? else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidReferenceIdFromApiKey,
            ));
        };
        let now = now_millis();
        let lifetime = Duration::from_std(auth.0.config.session.expires_in).unwrap_or(Duration::days(7));
        let headers = request.headers();
        let session = Session {
            id: row.id.clone(),
            token: SessionToken::new(key),
            user_id: row.reference_id.clone(),
            expires_at: row.expires_at.unwrap_or(now + lifetime),
            created_at: now,
            updated_at: now,
            ip_address: crate::request::forwarded_ip(&auth, headers, None).map(crate::session::stored_ip_address),
            user_agent: headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            additional: Map::new(),
        };
        let data = SessionData {
            session,
            user,
            needs_refresh: None,
        };
        if request.path() == "/get-session" {
            return Ok(Some(Json(data).into_response()));
        }
        request.set_session(data);
        Ok(None)
    }

    fn runs_after(&self) -> bool {
        false
    }
}
