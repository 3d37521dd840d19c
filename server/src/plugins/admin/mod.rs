//! The admin plugin: its fields, hooks and `/admin/*` endpoints (user management in
//! `management`, bans, sessions and impersonation in `user_sessions`, `has-permission` here). Every
//! endpoint but `has-permission` needs a signed-in user whose role (or id, through
//! `adminUserIds`) grants the action.

mod config;
mod env;
mod management;
mod user_sessions;

pub use config::AdminConfig;

use management::{create_user, get_user, list_users, remove_user, set_role, set_user_password, update_user};
use user_sessions::{
    ban_user, impersonate_user, list_user_sessions, revoke_user_session, revoke_user_sessions, stop_impersonating,
    unban_user,
};

use axum::Json;
use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::routes::remove_user_data;
use crate::routes::{check_new_password, check_password_not_too_long};
use std::sync::Arc;

use super::Builtin;
use crate::config::AdditionalField;
use crate::db::sessions::NewSession;
use crate::db::users::NewUser;
use crate::db::users::{self, UserChanges, UserListing, field_arg};
use crate::db::{Arg, FieldType, Lock, accounts, is_unique_violation, where_operator};
use crate::error::{ApiError, ApiResult};
use crate::hooks::{EndpointHook, EndpointMatcher, EndpointRequest, EndpointResponse, SessionHooks, UserHooks};
use crate::password;
use crate::plugin::{Plugin, Setup};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::Answer;
use crate::routes::Endpoints;
use keyward_client::wire::admin::{
    AdminUpdateUserRequest, AdminUserFields, BanUserRequest, CreateUserRequest, GetUserQuery, ListUsersQuery,
    RevokeUserSessionRequest, SetRoleRequest, SetUserPasswordRequest, UserHasPermissionRequest, UserIdRequest,
    UserList, UserResponse, UserSessions, impersonated_by,
};
use keyward_client::wire::organization::{FilterValue, HasPermissionResponse, Permissions, Roles, SuccessResponse};
use keyward_client::wire::routes::admin as route;
use keyward_client::wire::routes::{ListSessions, Route};
use keyward_client::wire::time::{now_millis, parse_iso};
use keyward_client::wire::{ErrorCode, SessionData, StatusResponse, User};

impl Endpoint for SetRoleRequest {}
impl Endpoint for CreateUserRequest {}
impl Endpoint for AdminUpdateUserRequest {}
impl Endpoint for UserIdRequest {}
impl Endpoint for BanUserRequest {}
impl Endpoint for RevokeUserSessionRequest {}
impl Endpoint for SetUserPasswordRequest {}
impl Endpoint for UserHasPermissionRequest {}
impl QueryEndpoint for GetUserQuery {}
impl QueryEndpoint for ListUsersQuery {}

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "admin",
    enable: |config| config.admin = Some(AdminConfig::default()),
    is_enabled: |config| config.admin.is_some(),
    read_env: env::read,
    plugin: |config| {
        let options = config.admin.clone()?;
        Some(Arc::new(AdminPlugin(options)) as Arc<dyn Plugin>)
    },
};

/// The admin plugin: the `role` and ban fields on users, `impersonatedBy` on sessions,
/// the default role of every new user, the hiding of impersonation sessions from the
/// user's own `/list-sessions`, and the routes.
pub(crate) struct AdminPlugin(pub AdminConfig);

impl Plugin for AdminPlugin {
    fn id(&self) -> &'static str {
        "admin"
    }

    fn setup(&self, setup: &mut Setup) {
        // `role` has no column default, as in better-auth: the user hook writes it.
        setup
            .user_field(AdditionalField::new("role", FieldType::String).server_only())
            .user_field(
                AdditionalField::new("banned", FieldType::Boolean)
                    .server_only()
                    .default_value(false),
            )
            .user_field(AdditionalField::new("banReason", FieldType::String).server_only())
            .user_field(AdditionalField::new("banExpires", FieldType::Date).server_only())
            .session_field(AdditionalField::new("impersonatedBy", FieldType::String).server_only())
            .user_hooks(DefaultRole(self.0.default_role.clone()))
            .session_hooks(NoSessionWhileBanned(self.0.banned_user_message.clone()))
            .endpoint_hook(EndpointMatcher::get(ListSessions::PATH), HideImpersonations);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes(endpoints)
    }
}

/// better-auth's `user.create.before`: a new user without a role gets the default one
/// (create-user sets its own).
struct DefaultRole(String);

#[async_trait::async_trait]
impl UserHooks for DefaultRole {
    async fn before_create(&self, _auth: &Auth, user: &mut NewUser) -> ApiResult<()> {
        user.additional
            .entry("role")
            .or_insert_with(|| Value::from(self.0.clone()));
        Ok(())
    }
}

/// better-auth's `session.create.before`: a banned user gets no session (every sign-in
/// path, impersonation included), unless the ban has expired, which lifts it. Reads the
/// user afresh, so a ban made since the request loaded the user counts.
struct NoSessionWhileBanned(String);

#[async_trait::async_trait]
impl SessionHooks for NoSessionWhileBanned {
    async fn before_create(&self, auth: &Auth, session: &mut NewSession) -> ApiResult<()> {
        let mut db = auth.0.db.clone();
        let Some(current) = users::find_by_id(&mut db, &auth.0.fields, &session.user_id).await? else {
            return Ok(());
        };
        if !current.banned() {
            return Ok(());
        }
        let now = now_millis();
        let lapsed = current
            .ban_expires()
            .and_then(parse_iso)
            .is_some_and(|expires| expires < now);
        if !lapsed {
            return Err(ApiError::with_message(
                StatusCode::FORBIDDEN,
                ErrorCode::BannedUser,
                self.0.clone(),
            ));
        }
        let changes = UserChanges::default()
            .set("banned", false)
            .set("banReason", Arg::Text(None))
            .set("banExpires", Arg::Time(None));
        if let Some(unbanned) = crate::hooks::update_user(auth, &mut db, &current.id, changes, now).await?? {
            auth.sessions().refresh_user(&unbanned).await?;
        }
        Ok(())
    }
}

/// better-auth's after hook on `/list-sessions`: sessions an admin opened as the user are
/// not the user's to see.
struct HideImpersonations;

#[async_trait::async_trait]
impl EndpointHook for HideImpersonations {
    async fn after(&self, _request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        if let Some(Value::Array(sessions)) = response.json_mut() {
            sessions.retain(|session| session.get("impersonatedBy").is_none_or(Value::is_null));
        }
        Ok(())
    }
}

fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::SetRole, set_role)
        .route(route::GetUser, get_user)
        .route(route::CreateUser, create_user)
        .route(route::UpdateUser, update_user)
        .route(route::ListUsers, list_users)
        .route(route::ListUserSessions, list_user_sessions)
        .route(route::BanUser, ban_user)
        .route(route::UnbanUser, unban_user)
        .route(route::ImpersonateUser, impersonate_user)
        .route(route::StopImpersonating, stop_impersonating)
        .route(route::RevokeUserSession, revoke_user_session)
        .route(route::RevokeUserSessions, revoke_user_sessions)
        .route(route::RemoveUser, remove_user)
        .route(route::SetUserPassword, set_user_password)
        .route(route::HasPermission, has_permission)
}

fn plugin(auth: &Auth) -> ApiResult<&AdminConfig> {
    auth.0
        .config
        .admin
        .as_ref()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound))
}

/// better-auth's admin `hasPermission`: `adminUserIds` may do anything; otherwise any
/// role of the user's role value (default role when unset) must grant all of it.
fn allowed(config: &AdminConfig, user_id: &str, role: Option<&str>, permissions: &Permissions) -> bool {
    if config.admin_user_ids.iter().any(|id| id == user_id) {
        return true;
    }
    config.roles.allows(role.unwrap_or(&config.default_role), permissions)
}

/// The signed-in user (read from storage, not the cookie cache), who must be granted
/// `resource:action`; `refused` is the error code otherwise.
async fn admin(
    ctx: &mut Ctx,
    resource: &str,
    action: &str,
    refused: ErrorCode,
) -> ApiResult<(SessionData, AdminConfig)> {
    let data = ctx.require_sensitive_session().await?;
    let config = plugin(&ctx.auth)?.clone();
    require(&config, &data.user, resource, action, refused)?;
    Ok((data, config))
}

fn require(config: &AdminConfig, user: &User, resource: &str, action: &str, refused: ErrorCode) -> ApiResult<()> {
    if allowed(
        config,
        &user.id,
        user.role(),
        &Permissions::new().with(resource, [action]),
    ) {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, refused))
    }
}

fn user_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UserNotFound)
}

async fn find_user(auth: &Auth, id: &str) -> ApiResult<User> {
    let mut db = auth.0.db.clone();
    users::find_by_id(&mut db, &auth.0.fields, id)
        .await?
        .ok_or_else(user_not_found)
}

/// The stored form of roles (better-auth's `parseRoles`): a list is joined with `,`.
fn stored_roles(roles: &Roles) -> String {
    match roles {
        Roles::One(role) => role.clone(),
        Roles::Many(roles) => roles.join(","),
    }
}

/// A role value from a JSON body (`data.role`): each role must be a string and, with
/// custom roles configured, a known one.
fn checked_roles(config: &AdminConfig, value: &Value) -> ApiResult<String> {
    let names: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut roles = Vec::with_capacity(names.len());
    for name in names {
        let Value::String(name) = name else {
            return Err(ApiError::bad_request(ErrorCode::InvalidRoleType));
        };
        if config.custom_roles && !config.roles.contains(name) {
            return Err(ApiError::bad_request(ErrorCode::YouAreNotAllowedToSetNonExistentValue));
        }
        roles.push(name.as_str());
    }
    Ok(roles.join(","))
}

/// Updates a user and the copies cached in their live sessions.
async fn update(auth: &Auth, user_id: &str, changes: UserChanges) -> ApiResult<User> {
    let mut db = auth.0.db.clone();
    let user = crate::hooks::update_user(auth, &mut db, user_id, changes, now_millis())
        .await??
        .ok_or_else(user_not_found)?;
    auth.sessions().refresh_user(&user).await?;
    Ok(user)
}

fn valid_email(email: &str) -> bool {
    keyward_client::wire::schema::is_valid_email(email)
}

/// User columns an admin may write through `create-user` and `update-user` data: the
/// core profile fields and every configured or plugin field, each type-checked.
fn data_changes(auth: &Auth, data: &Map<String, Value>) -> ApiResult<UserChanges> {
    let mut changes = UserChanges::default();
    for (key, value) in data {
        match key.as_str() {
            "name" => match value {
                Value::String(name) => changes = changes.set("name", name.clone()),
                _ => return Err(ApiError::validation("[body.data.name] Invalid input: expected string")),
            },
            "image" => match value {
                Value::String(image) => changes = changes.set("image", image.clone()),
                Value::Null => changes = changes.set("image", Arg::Text(None)),
                _ => return Err(ApiError::validation("[body.data.image] Invalid input: expected string")),
            },
            "emailVerified" => match value {
                Value::Bool(verified) => changes = changes.set("emailVerified", *verified),
                _ => {
                    return Err(ApiError::validation(
                        "[body.data.emailVerified] Invalid input: expected boolean",
                    ));
                }
            },
            "email" => match value {
                Value::String(email) => changes = changes.set("email", email.to_lowercase()),
                _ => return Err(ApiError::validation("[body.data.email] Invalid input: expected string")),
            },
            other => {
                let Some(field) = auth.0.fields.user.iter().find(|f| f.name == other) else {
                    continue;
                };
                crate::fields::check_type(field, value, "body.data")?;
                changes.columns.push((field.name.clone(), field_arg(field, value)));
            }
        }
    }
    Ok(changes)
}

const BAN_FIELDS: [&str; 3] = ["banned", "banReason", "banExpires"];

/// `POST /admin/has-permission`: whether the signed-in user's role grants `permissions`.
pub(crate) async fn has_permission(
    mut ctx: Ctx,
    Body(request): Body<UserHasPermissionRequest>,
) -> Answer<route::HasPermission> {
    let config = plugin(&ctx.auth)?.clone();
    if request.permission.is_some() && request.permissions.is_some() {
        return Err(ApiError::validation(
            "[body] Invalid input: pass either permission or permissions, not both",
        ));
    }
    let Some(permissions) = request.permissions else {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            "invalid permission check. no permission(s) were passed.",
        ));
    };
    let data = ctx.require_sensitive_session().await?;
    let success = allowed(&config, &data.user.id, data.user.role(), &permissions);
    Ok(Json(HasPermissionResponse { error: None, success }))
}
