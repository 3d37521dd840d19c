//! The plugin's hooks: a before hook on `/sign-up/email` and `/update-user` (better-auth's
//! three `hooks.before` and its schema's input transforms) and the user row hooks
//! (better-auth's `databaseHooks.user`).

use serde_json::{Map, Value};

use super::{bad_request, display_invalid, find_by_username, invalid, plugin};
use crate::auth::Auth;
use crate::db::Arg;
use crate::db::users::{NewUser, UserChanges};
use crate::error::ApiResult;
use crate::hooks::{EndpointHook, EndpointRequest, UserHooks};
use axum::response::Response;
use keyward_client::wire::ErrorCode;
use keyward_client::wire::routes::{Route, SignUpEmail};

/// The value of `key` when it is a string.
fn string(body: &Map<String, Value>, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A non-empty string (JavaScript's truthy string).
fn truthy(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str).filter(|text| !text.is_empty())
}

/// Checks and completes the username fields of a sign-up or update-user body.
pub(super) struct CheckBody;

#[async_trait::async_trait]
impl EndpointHook for CheckBody {
    async fn before(&self, request: &mut EndpointRequest) -> ApiResult<Option<Response>> {
        let auth = request.auth().clone();
        let config = plugin(&auth)?;
        let sign_up = request.path() == SignUpEmail::PATH;
        let Some(Value::Object(body)) = request.body() else {
            return Ok(None);
        };
        let mut body = body.clone();
        // Sign-up with a display username only: a valid one is the username too.
        if sign_up
            && !body.contains_key("username")
            && let Some(display) = string(&body, "displayUsername")
            && invalid(config, &display).is_none()
        {
            body.insert("username".into(), Value::String(display));
        }
        if let Some(username) = string(&body, "username") {
            if let Some(code) = invalid(config, &username) {
                return Err(bad_request(code));
            }
            let normalized = config.normalize(&username);
            let session = if sign_up { None } else { request.session().await? };
            if !sign_up && config.immutable_username {
                let current = session
                    .as_ref()
                    .and_then(|data| truthy(data.user.additional.get("username")));
                if current.is_some_and(|current| current != normalized) {
                    return Err(bad_request(ErrorCode::UsernameIsImmutable));
                }
            }
            if let Some(existing) = find_by_username(&auth, &normalized).await? {
                let own = session.as_ref().is_some_and(|data| data.user.id == existing.id);
                if sign_up || !own {
                    return Err(bad_request(ErrorCode::UsernameIsAlreadyTaken));
                }
            }
        }
        if config.display_username {
            if let Some(display) = string(&body, "displayUsername")
                && display_invalid(config, &display)
            {
                return Err(bad_request(ErrorCode::InvalidDisplayUsername));
            }
            // Sign-up with a username only: it is the display username too, as sent.
            if sign_up
                && truthy(body.get("displayUsername")).is_none()
                && let Some(username) = truthy(body.get("username")).map(str::to_owned)
            {
                body.insert("displayUsername".into(), Value::String(username));
            }
        }
        // The schema's input transforms: both fields are stored normalised.
        if let Some(username) = string(&body, "username") {
            body.insert("username".into(), Value::String(config.normalize(&username)));
        }
        if config.display_username
            && let Some(display) = string(&body, "displayUsername")
        {
            body.insert(
                "displayUsername".into(),
                Value::String(config.normalize_display(&display)),
            );
        }
        *request.body_mut() = Some(Value::Object(body));
        Ok(None)
    }
}

/// Normalises the username fields of every user written (and, for a new user, validates
/// its username), whichever path writes it.
pub(super) struct NormalizeUser(pub(super) super::UsernameConfig);

#[async_trait::async_trait]
impl UserHooks for NormalizeUser {
    async fn before_create(&self, auth: &Auth, user: &mut NewUser) -> ApiResult<()> {
        let config = plugin(auth)?;
        let username = truthy(user.additional.get("username")).map(str::to_owned);
        let display = truthy(user.additional.get("displayUsername")).map(str::to_owned);
        if let Some(username) = username {
            if let Some(code) = invalid(config, &username) {
                return Err(bad_request(code));
            }
            if find_by_username(auth, &config.normalize(&username)).await?.is_some() {
                return Err(bad_request(ErrorCode::UsernameIsAlreadyTaken));
            }
            if let Some(display) = &display
                && display_invalid(config, display)
            {
                return Err(bad_request(ErrorCode::InvalidDisplayUsername));
            }
            user.additional
                .insert("username".into(), Value::String(config.normalize(&username)));
            if config.display_username {
                let display = display.map_or(username, |display| config.normalize_display(&display));
                user.additional.insert("displayUsername".into(), Value::String(display));
            }
        } else if let (true, Some(display)) = (config.display_username, display) {
            user.additional.insert(
                "displayUsername".into(),
                Value::String(config.normalize_display(&display)),
            );
        }
        Ok(())
    }

    /// Every write of a new username (update-user's was checked by [`CheckBody`] already,
    /// the admin's update-user and the application's own updates are checked here): a
    /// valid one, no other user's.
    async fn before_update(&self, auth: &Auth, user_id: &str, changes: &mut UserChanges) -> ApiResult<()> {
        let config = &self.0;
        let username = changes.columns.iter().find_map(|(column, value)| match value {
            Arg::Text(Some(text)) if column == "username" && !text.is_empty() => Some(text.clone()),
            _ => None,
        });
        if let Some(username) = username {
            if let Some(code) = invalid(config, &username) {
                return Err(bad_request(code));
            }
            if let Some(existing) = find_by_username(auth, &config.normalize(&username)).await?
                && existing.id != user_id
            {
                return Err(bad_request(ErrorCode::UsernameIsAlreadyTaken));
            }
        }
        normalize_changes(config, changes);
        Ok(())
    }
}

/// Normalises the username columns of `changes` with `config`.
fn normalize_changes(config: &super::UsernameConfig, changes: &mut UserChanges) {
    for (column, value) in &mut changes.columns {
        let Arg::Text(Some(text)) = value else { continue };
        if text.is_empty() {
            continue;
        }
        match column.as_str() {
            "username" => *text = config.normalize(text),
            "displayUsername" if config.display_username => *text = config.normalize_display(text),
            _ => {}
        }
    }
}
