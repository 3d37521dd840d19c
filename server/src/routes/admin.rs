//! The admin plugin's `/admin/*` endpoints: roles, user management, bans, sessions and
//! impersonation. Every endpoint but `has-permission` needs a signed-in user whose role
//! (or id, through `adminUserIds`) grants the action.

use axum::Json;
use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Map, Value};

use super::sign_up::{check_new_password, check_password_not_too_long};
use super::user::remove_user_data;
use crate::auth::Auth;
use crate::config::{AdditionalField, AdminConfig};
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

/// `POST /admin/set-role`.
pub(crate) async fn set_role(mut ctx: Ctx, Body(request): Body<SetRoleRequest>) -> Answer<route::SetRole> {
    let (_, config) = admin(
        &mut ctx,
        "user",
        "set-role",
        ErrorCode::YouAreNotAllowedToChangeUsersRole,
    )
    .await?;
    if config.custom_roles {
        let names = match &request.role {
            Roles::One(role) => vec![role.clone()],
            Roles::Many(roles) => roles.clone(),
        };
        if names.iter().any(|name| !config.roles.contains(name)) {
            return Err(ApiError::bad_request(ErrorCode::YouAreNotAllowedToSetNonExistentValue));
        }
    }
    find_user(&ctx.auth, &request.user_id).await?;
    let changes = UserChanges::default().set("role", stored_roles(&request.role));
    let user = update(&ctx.auth, &request.user_id, changes).await?;
    Ok(Json(UserResponse { user }))
}

/// `GET /admin/get-user`.
pub(crate) async fn get_user(mut ctx: Ctx, QueryOf(query): QueryOf<GetUserQuery>) -> Answer<route::GetUser> {
    admin(&mut ctx, "user", "get", ErrorCode::YouAreNotAllowedToGetUser).await?;
    Ok(Json(find_user(&ctx.auth, &query.id).await?))
}

/// `POST /admin/create-user`: a user with the given role (default role otherwise) and,
/// with a password, a credential account.
pub(crate) async fn create_user(mut ctx: Ctx, Body(request): Body<CreateUserRequest>) -> Answer<route::CreateUser> {
    let (data, config) = admin(&mut ctx, "user", "create", ErrorCode::YouAreNotAllowedToCreateUsers).await?;
    let mut user_data = request.data.clone().unwrap_or_default();
    let data_role = user_data.remove("role");
    let requested_role = match (&request.role, data_role) {
        (Some(roles), _) => Some(serde_json::to_value(roles).unwrap_or(Value::Null)),
        (None, role) => role,
    };
    let role = match &requested_role {
        Some(value) => {
            require(
                &config,
                &data.user,
                "user",
                "set-role",
                ErrorCode::YouAreNotAllowedToChangeUsersRole,
            )?;
            checked_roles(&config, value)?
        }
        None => config.default_role.clone(),
    };
    if BAN_FIELDS.iter().any(|key| user_data.contains_key(*key)) {
        require(
            &config,
            &data.user,
            "user",
            "ban",
            ErrorCode::YouAreNotAllowedToBanUsers,
        )?;
    }
    let email = request.email.to_lowercase();
    if !valid_email(&email) {
        return Err(ApiError::bad_request(ErrorCode::InvalidEmail));
    }
    if let Some(password) = &request.password {
        check_password_not_too_long(&ctx, password.expose())?;
    }
    let auth = ctx.auth.clone();
    let mut db = auth.0.db.clone();
    if users::find_by_email(&mut db, &auth.0.fields, &email).await?.is_some() {
        return Err(ApiError::bad_request(ErrorCode::UserAlreadyExistsUseAnotherEmail));
    }
    user_data.remove("email");
    user_data.remove("name");
    let extra = data_changes(&auth, &user_data)?;
    let hash = match &request.password {
        Some(password) if !password.expose().is_empty() => Some(password::hash(password.expose()).await?),
        _ => None,
    };
    let now = ctx.now();
    let mut email_verified = false;
    let mut image = None;
    let mut additional = Map::new();
    for (column, value) in extra.columns {
        match (column.as_str(), value) {
            ("emailVerified", Arg::Bool(verified)) => email_verified = verified.unwrap_or(false),
            ("image", Arg::Text(text)) => image = text,
            (name, _) => {
                if let Some(value) = user_data.get(name) {
                    additional.insert(name.to_owned(), value.clone());
                }
            }
        }
    }
    for field in auth.0.fields.user.iter() {
        if let (None, Some(default)) = (additional.get(&field.name), &field.default) {
            additional.insert(field.name.clone(), default.clone());
        }
    }
    additional.insert("role".to_owned(), Value::String(role));
    let mut new_user = users::NewUser {
        name: request.name.clone(),
        email,
        email_verified,
        image,
        additional,
    };
    auth.0.hooks.before_user_create(&auth, &mut new_user).await?;
    let mut tx = auth.0.db.begin().await?;
    let user = match users::insert(&mut tx, &auth.0.fields, new_user, now).await {
        Ok(user) => user,
        Err(error) if is_unique_violation(&error) => {
            return Err(ApiError::bad_request(ErrorCode::UserAlreadyExistsUseAnotherEmail));
        }
        Err(error) => return Err(error.into()),
    };
    if let Some(hash) = hash {
        crate::hooks::insert_credential_account(&auth, &mut tx, &user.id, &hash, now).await?;
    }
    tx.commit().await?;
    auth.0.hooks.after_user_create(&auth, &user).await;
    Ok(Json(UserResponse { user }))
}

/// `POST /admin/update-user`: any user field but the id and the password; a ban through
/// it ends the user's sessions. Answers the bare user.
pub(crate) async fn update_user(
    mut ctx: Ctx,
    Body(request): Body<AdminUpdateUserRequest>,
) -> Answer<route::UpdateUser> {
    let (data, config) = admin(&mut ctx, "user", "update", ErrorCode::YouAreNotAllowedToUpdateUsers).await?;
    let mut update_data = request.data.clone();
    if update_data.is_empty() {
        return Err(ApiError::bad_request(ErrorCode::NoDataToUpdate));
    }
    if update_data.contains_key("password") {
        return Err(ApiError::bad_request(ErrorCode::PasswordCannotBeUpdatedViaUpdateUser));
    }
    if update_data.contains_key("id") {
        return Err(ApiError::bad_request(ErrorCode::UserIdCannotBeUpdated));
    }
    if let Some(value) = update_data.get("role") {
        require(
            &config,
            &data.user,
            "user",
            "set-role",
            ErrorCode::YouAreNotAllowedToChangeUsersRole,
        )?;
        let role = checked_roles(&config, value)?;
        update_data.insert("role".to_owned(), Value::String(role));
    }
    let bans = update_data.get("banned") == Some(&Value::Bool(true));
    if BAN_FIELDS.iter().any(|key| update_data.contains_key(*key)) {
        require(
            &config,
            &data.user,
            "user",
            "ban",
            ErrorCode::YouAreNotAllowedToBanUsers,
        )?;
        if bans && request.user_id == data.user.id {
            return Err(ApiError::bad_request(ErrorCode::YouCannotBanYourself));
        }
    }
    let auth = ctx.auth.clone();
    if update_data.contains_key("email") || update_data.contains_key("emailVerified") {
        require(
            &config,
            &data.user,
            "user",
            "set-email",
            ErrorCode::YouAreNotAllowedToSetUsersEmail,
        )?;
        if let Some(email) = update_data.get("email") {
            let email = match email {
                Value::String(email) => email.to_lowercase(),
                other => other.to_string().to_lowercase(),
            };
            if !valid_email(&email) {
                return Err(ApiError::bad_request(ErrorCode::InvalidEmail));
            }
            let mut db = auth.0.db.clone();
            if let Some(existing) = users::find_by_email(&mut db, &auth.0.fields, &email).await?
                && existing.id != request.user_id
            {
                return Err(ApiError::bad_request(ErrorCode::UserAlreadyExistsUseAnotherEmail));
            }
            update_data.insert("email".to_owned(), Value::String(email));
        }
    }
    if update_data.contains_key("phoneNumber") || update_data.contains_key("phoneNumberVerified") {
        require(
            &config,
            &data.user,
            "user",
            "set-phone",
            ErrorCode::YouAreNotAllowedToSetUsersPhoneNumber,
        )?;
    }
    find_user(&auth, &request.user_id).await?;
    let changes = data_changes(&auth, &update_data)?;
    let mut db = auth.0.db.clone();
    let user = match crate::hooks::update_user(&auth, &mut db, &request.user_id, changes, ctx.now()).await? {
        Ok(Some(user)) => user,
        Ok(None) => return Err(user_not_found()),
        Err(error) if is_unique_violation(&error) => {
            return Err(ApiError::bad_request(ErrorCode::UserAlreadyExistsUseAnotherEmail));
        }
        Err(error) => return Err(error.into()),
    };
    if bans {
        auth.sessions().delete_for_user(&mut db, &user.id).await?;
    } else {
        auth.sessions().refresh_user(&user).await?;
    }
    Ok(Json(user))
}

/// A user column `list-users` may search, filter or sort by, with its type.
fn user_column(auth: &Auth, name: &str) -> Option<(String, FieldType)> {
    let core = match name {
        "id" | "name" | "email" | "image" => Some(FieldType::String),
        "emailVerified" => Some(FieldType::Boolean),
        "createdAt" | "updatedAt" => Some(FieldType::Date),
        _ => None,
    };
    core.map(|kind| (name.to_owned(), kind)).or_else(|| {
        auth.0
            .fields
            .user
            .iter()
            .find(|field| field.name == name)
            .map(|field| (field.name.clone(), field.field_type))
    })
}

/// A query value as an argument for a column of `kind` (`None`: it cannot be one).
fn typed_arg(kind: FieldType, text: &str) -> Option<Arg> {
    match kind {
        FieldType::String => Some(Arg::from(text)),
        // As better-auth's adapter reads a string for a boolean column: `"true"` or not.
        FieldType::Boolean => Some(Arg::Bool(Some(text == "true"))),
        FieldType::Number | FieldType::BigInt => text.trim().parse::<f64>().ok().map(|n| {
            if n.fract() == 0.0 {
                Arg::Int(Some(n as i64))
            } else {
                Arg::Float(Some(n))
            }
        }),
        FieldType::Date => parse_iso(text).map(Arg::from),
    }
}

/// One `where` fragment for `list-users`, numbering its placeholders from `first`; `None`
/// for an unknown operator or a value the column cannot hold.
fn condition(
    column: &str,
    kind: FieldType,
    operator: &str,
    value: &FilterValue,
    first: usize,
) -> Option<(String, Vec<Arg>)> {
    where_operator(
        &format!("\"{column}\""),
        operator,
        value,
        first,
        |text| typed_arg(kind, text).ok_or(()),
        || (),
    )
    .ok()
    .flatten()
}

/// The listing a `list-users` query asks for; `None` when it names a field users do not
/// have or a value the field cannot hold (better-auth then answers an empty list).
fn listing(auth: &Auth, query: &ListUsersQuery) -> Option<UserListing> {
    let number = |raw: &Option<String>| {
        raw.as_deref()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite() && *n != 0.0)
    };
    let mut listing = UserListing {
        limit: number(&query.limit).map(|n| n.max(0.0) as i64),
        offset: number(&query.offset).map(|n| n.max(0.0) as i64).unwrap_or(0),
        ..UserListing::default()
    };
    let mut next = 1;
    if let Some(search) = query.search_value.as_deref().filter(|v| !v.is_empty()) {
        let (column, kind) = user_column(auth, query.search_field.as_deref().unwrap_or("email"))?;
        let operator = query.search_operator.as_deref().unwrap_or("contains");
        let fragment = condition(&column, kind, operator, &FilterValue::One(search.to_owned()), next)?;
        next += fragment.1.len();
        listing.conditions.push(fragment);
    }
    if let Some(value) = &query.filter_value {
        let (column, kind) = user_column(auth, query.filter_field.as_deref().unwrap_or("email"))?;
        let operator = query.filter_operator.as_deref().unwrap_or("eq");
        listing
            .conditions
            .push(condition(&column, kind, operator, value, next)?);
    }
    if let Some(sort_by) = query.sort_by.as_deref().filter(|s| !s.is_empty()) {
        let (column, _) = user_column(auth, sort_by)?;
        listing.sort = Some((column, query.sort_direction.as_deref() == Some("desc")));
    }
    Some(listing)
}

/// `GET /admin/list-users`: a page of users matching a search and a filter, and the
/// total.
pub(crate) async fn list_users(mut ctx: Ctx, QueryOf(query): QueryOf<ListUsersQuery>) -> Answer<route::ListUsers> {
    admin(&mut ctx, "user", "list", ErrorCode::YouAreNotAllowedToListUsers).await?;
    let auth = ctx.auth.clone();
    let Some(listing) = listing(&auth, &query) else {
        return Ok(Json(UserList {
            users: Vec::new(),
            total: 0,
            limit: None,
            offset: None,
        }));
    };
    let mut db = auth.0.db.clone();
    let (users, total) = users::list(&mut db, &auth.0.fields, &listing).await?;
    Ok(Json(UserList {
        users,
        total,
        limit: listing.limit.map(|n| n as u64),
        offset: (listing.offset > 0).then_some(listing.offset as u64),
    }))
}

/// `POST /admin/list-user-sessions`: every session of a user, impersonated ones too.
pub(crate) async fn list_user_sessions(
    mut ctx: Ctx,
    Body(request): Body<UserIdRequest>,
) -> Answer<route::ListUserSessions> {
    admin(
        &mut ctx,
        "session",
        "list",
        ErrorCode::YouAreNotAllowedToListUsersSessions,
    )
    .await?;
    let mut db = ctx.auth.0.db.clone();
    let sessions = ctx.auth.sessions().list_for_user(&mut db, &request.user_id).await?;
    Ok(Json(UserSessions { sessions }))
}

/// `POST /admin/ban-user`: bans a user (for `banExpiresIn` seconds, or the configured
/// default, or for good) and ends all their sessions on every instance.
pub(crate) async fn ban_user(mut ctx: Ctx, Body(request): Body<BanUserRequest>) -> Answer<route::BanUser> {
    let (data, config) = admin(&mut ctx, "user", "ban", ErrorCode::YouAreNotAllowedToBanUsers).await?;
    find_user(&ctx.auth, &request.user_id).await?;
    if request.user_id == data.user.id {
        return Err(ApiError::bad_request(ErrorCode::YouCannotBanYourself));
    }
    let reason = request
        .ban_reason
        .clone()
        .filter(|reason| !reason.is_empty())
        .or_else(|| config.default_ban_reason.clone())
        .unwrap_or_else(|| "No reason".to_owned());
    let now = ctx.now();
    let expires = match request.ban_expires_in.filter(|seconds| *seconds != 0.0) {
        Some(seconds) if seconds.is_finite() => Some(now + Duration::milliseconds((seconds * 1000.0) as i64)),
        Some(_) => {
            return Err(ApiError::validation(
                "[body.banExpiresIn] Invalid input: expected number",
            ));
        }
        None => config
            .default_ban_expires_in
            .and_then(|lasts| Duration::from_std(lasts).ok())
            .map(|lasts| now + lasts),
    };
    let changes = UserChanges::default()
        .set("banned", true)
        .set("banReason", reason)
        .set("banExpires", Arg::Time(expires));
    let auth = ctx.auth.clone();
    let mut db = auth.0.db.clone();
    let user = crate::hooks::update_user(&auth, &mut db, &request.user_id, changes, now)
        .await??
        .ok_or_else(user_not_found)?;
    auth.sessions().delete_for_user(&mut db, &user.id).await?;
    Ok(Json(UserResponse { user }))
}

/// `POST /admin/unban-user`.
pub(crate) async fn unban_user(mut ctx: Ctx, Body(request): Body<UserIdRequest>) -> Answer<route::UnbanUser> {
    admin(&mut ctx, "user", "ban", ErrorCode::YouAreNotAllowedToBanUsers).await?;
    find_user(&ctx.auth, &request.user_id).await?;
    let changes = UserChanges::default()
        .set("banned", false)
        .set("banExpires", Arg::Time(None))
        .set("banReason", Arg::Text(None));
    let user = update(&ctx.auth, &request.user_id, changes).await?;
    Ok(Json(UserResponse { user }))
}

/// `POST /admin/impersonate-user`: signs the admin in as the user for the impersonation
/// duration, keeping the admin's own session in the signed `admin_session` cookie.
pub(crate) async fn impersonate_user(
    mut ctx: Ctx,
    Body(request): Body<UserIdRequest>,
) -> Answer<route::ImpersonateUser> {
    let (data, config) = admin(
        &mut ctx,
        "user",
        "impersonate",
        ErrorCode::YouAreNotAllowedToImpersonateUsers,
    )
    .await?;
    let target = find_user(&ctx.auth, &request.user_id).await?;
    let admin_roles: Vec<&str> = config.admin_roles.iter().map(|role| role.trim()).collect();
    let target_is_admin = target
        .role()
        .unwrap_or(&config.default_role)
        .split(',')
        .any(|role| admin_roles.contains(&role))
        || config.admin_user_ids.contains(&target.id);
    if target_is_admin
        && !config.allow_impersonating_admins
        && !allowed(
            &config,
            &data.user.id,
            data.user.role(),
            &Permissions::new().with("user", ["impersonate-admins"]),
        )
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::YouCannotImpersonateAdmins,
        ));
    }
    let now = ctx.now();
    let mut record = ctx.new_session_record(&target.id, true, now);
    record.expires_at = now + Duration::from_std(config.impersonation_session_duration).unwrap_or(Duration::hours(1));
    record
        .additional
        .insert("impersonatedBy".to_owned(), Value::String(data.user.id.clone()));
    let auth = ctx.auth.clone();
    let mut db = auth.0.db.clone();
    let session = auth.sessions().create(&mut db, record, &target, now).await?;
    let dont_remember = if ctx.dont_remember_cookie() { "true" } else { "" };
    ctx.delete_session_cookies();
    let names = auth.0.cookies.clone();
    ctx.set_signed_cookie(
        &names.admin_session,
        &format!("{}:{dont_remember}", data.session.token.expose()),
        Some(auth.0.config.session.expires_in),
    );
    let impersonated = SessionData {
        session,
        user: target,
        needs_refresh: None,
    };
    ctx.set_session_cookie(&impersonated, Some(true));
    Ok(Json(impersonated))
}

/// `POST /admin/stop-impersonating`: ends the impersonated session and restores the
/// admin's from the `admin_session` cookie.
pub(crate) async fn stop_impersonating(mut ctx: Ctx) -> Answer<route::StopImpersonating> {
    plugin(&ctx.auth)?;
    let data = ctx.require_session().await?;
    let Some(admin_id) = impersonated_by(&data.session).map(str::to_owned) else {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            "You are not impersonating anyone",
        ));
    };
    let auth = ctx.auth.clone();
    let names = auth.0.cookies.clone();
    // better-auth answers these with a 500; the request is what is wrong, so a 400 here.
    let lost = || ApiError::message_only(StatusCode::BAD_REQUEST, "Failed to find admin session");
    let cookie = ctx
        .cookies
        .signed(&names.admin_session, ctx.secret())
        .value()
        .map(str::to_owned)
        .ok_or_else(lost)?;
    let (admin_token, dont_remember) = cookie.split_once(':').unwrap_or((cookie.as_str(), ""));
    let mut db = auth.0.db.clone();
    let store = auth.sessions();
    let admin_session = store
        .find_with_user(&mut db, admin_token)
        .await?
        .filter(|found| found.session.user_id == admin_id && found.session.expires_at > ctx.now())
        .ok_or_else(lost)?;
    store.delete(&mut db, data.session.token.expose()).await?;
    ctx.set_session_cookie(&admin_session, Some(!dont_remember.is_empty()));
    ctx.out.expire_cookie(&names.admin_session, auth.0.cookies.secure);
    Ok(Json(SessionData {
        needs_refresh: None,
        ..admin_session
    }))
}

/// `POST /admin/revoke-user-session`.
pub(crate) async fn revoke_user_session(
    mut ctx: Ctx,
    Body(request): Body<RevokeUserSessionRequest>,
) -> Answer<route::RevokeUserSession> {
    admin(
        &mut ctx,
        "session",
        "revoke",
        ErrorCode::YouAreNotAllowedToRevokeUsersSessions,
    )
    .await?;
    let mut db = ctx.auth.0.db.clone();
    ctx.auth
        .sessions()
        .delete(&mut db, request.session_token.expose())
        .await?;
    Ok(Json(SuccessResponse { success: true }))
}

/// `POST /admin/revoke-user-sessions`: ends every session of a user on every instance.
pub(crate) async fn revoke_user_sessions(
    mut ctx: Ctx,
    Body(request): Body<UserIdRequest>,
) -> Answer<route::RevokeUserSessions> {
    admin(
        &mut ctx,
        "session",
        "revoke",
        ErrorCode::YouAreNotAllowedToRevokeUsersSessions,
    )
    .await?;
    let mut db = ctx.auth.0.db.clone();
    ctx.auth.sessions().delete_for_user(&mut db, &request.user_id).await?;
    Ok(Json(SuccessResponse { success: true }))
}

/// `POST /admin/remove-user`: deletes a user with their sessions, accounts and plugin
/// data.
pub(crate) async fn remove_user(mut ctx: Ctx, Body(request): Body<UserIdRequest>) -> Answer<route::RemoveUser> {
    let (data, _) = admin(&mut ctx, "user", "delete", ErrorCode::YouAreNotAllowedToDeleteUsers).await?;
    if request.user_id == data.user.id {
        return Err(ApiError::bad_request(ErrorCode::YouCannotRemoveYourself));
    }
    find_user(&ctx.auth, &request.user_id).await?;
    let mut db = ctx.auth.0.db.clone();
    ctx.auth.sessions().delete_for_user(&mut db, &request.user_id).await?;
    remove_user_data(&ctx.auth, &request.user_id).await?;
    Ok(Json(SuccessResponse { success: true }))
}

/// `POST /admin/set-user-password`: sets (or creates) the user's credential password.
pub(crate) async fn set_user_password(
    mut ctx: Ctx,
    Body(request): Body<SetUserPasswordRequest>,
) -> Answer<route::SetUserPassword> {
    admin(
        &mut ctx,
        "user",
        "set-password",
        ErrorCode::YouAreNotAllowedToSetUsersPassword,
    )
    .await?;
    check_new_password(&ctx, request.new_password.expose())?;
    let user = find_user(&ctx.auth, &request.user_id).await?;
    let hash = password::hash(request.new_password.expose()).await?;
    let now = ctx.now();
    // The lookup and the insert under one lock: parallel calls make one credential account.
    let mut tx = ctx.auth.0.db.begin().await?;
    tx.lock(Lock::UserCredential(&user.id)).await?;
    match accounts::find_credential(&mut tx, &user.id).await? {
        Some(account) => accounts::set_password(&mut tx, &account.id, &hash, now).await?,
        None => crate::hooks::insert_credential_account(&ctx.auth, &mut tx, &user.id, &hash, now).await?,
    }
    tx.commit().await?;
    Ok(Json(StatusResponse { status: true }))
}

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
