//! The admin plugin's `/admin/*` endpoints: user management, bans, impersonation and
//! the `user`/`session` permission statements.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::models::{Session, User};
use super::organization::{AccessControl, Permissions, Role, Roles};
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{Password, SessionToken};

/// The admin plugin's statements (`user:[create, list, …]`, `session:[list, revoke, delete]`).
pub fn default_statements() -> AccessControl {
    AccessControl::new(
        Permissions::new()
            .with(
                "user",
                [
                    "create",
                    "list",
                    "set-role",
                    "ban",
                    "impersonate",
                    "impersonate-admins",
                    "delete",
                    "set-password",
                    "set-email",
                    "set-phone",
                    "get",
                    "update",
                ],
            )
            .with("session", ["list", "revoke", "delete"]),
    )
}

/// The roles the admin plugin knows, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminRoles(pub BTreeMap<String, Role>);

impl AdminRoles {
    /// better-auth's defaults: `admin` may do everything but impersonate admins; `user`
    /// nothing.
    pub fn defaults() -> Self {
        let mut admin = default_statements().statements().clone();
        if let Some(user) = admin.0.get_mut("user") {
            user.retain(|action| action != "impersonate-admins");
        }
        let user = Permissions::new()
            .with("user", Vec::<String>::new())
            .with("session", Vec::<String>::new());
        Self(BTreeMap::from([
            ("admin".to_owned(), Role::new(admin)),
            ("user".to_owned(), Role::new(user)),
        ]))
    }

    /// Adds (or replaces) a role.
    pub fn with(mut self, name: &str, role: Role) -> Self {
        self.0.insert(name.to_owned(), role);
        self
    }

    /// Whether a role of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// better-auth's admin `hasPermission` for a role value: the value is split on `,`
    /// (not trimmed, as better-auth does) and any role granting all of `permissions`
    /// allows it.
    pub fn allows(&self, role_value: &str, permissions: &Permissions) -> bool {
        role_value
            .split(',')
            .any(|name| self.0.get(name).is_some_and(|role| role.authorize(permissions)))
    }
}

/// The admin plugin's fields of a user (absent fields read as their defaults).
pub trait AdminUserFields {
    /// `role` (better-auth stores several comma-separated).
    fn role(&self) -> Option<&str>;
    /// `banned`.
    fn banned(&self) -> bool;
    /// `banReason`.
    fn ban_reason(&self) -> Option<&str>;
    /// `banExpires`, as sent (ISO 8601).
    fn ban_expires(&self) -> Option<&str>;
}

impl AdminUserFields for User {
    fn role(&self) -> Option<&str> {
        self.additional.get("role").and_then(Value::as_str)
    }

    fn banned(&self) -> bool {
        self.additional.get("banned").and_then(Value::as_bool).unwrap_or(false)
    }

    fn ban_reason(&self) -> Option<&str> {
        self.additional.get("banReason").and_then(Value::as_str)
    }

    fn ban_expires(&self) -> Option<&str> {
        self.additional.get("banExpires").and_then(Value::as_str)
    }
}

/// The admin who started an impersonated session (`session.impersonatedBy`).
pub fn impersonated_by(session: &Session) -> Option<&str> {
    session.additional.get("impersonatedBy").and_then(Value::as_str)
}

/// Body of `POST /admin/set-role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetRoleRequest {
    /// The user.
    pub user_id: String,
    /// The new role or roles.
    pub role: Roles,
}

impl RequestSchema for SetRoleRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("userId", FieldKind::Any),
        FieldSpec::required("role", FieldKind::StringOrList),
    ];
}

/// `{user}`: the answer of set-role, create-user, ban-user and unban-user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserResponse {
    /// The user as it is now.
    pub user: User,
}

/// Query of `GET /admin/get-user`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetUserQuery {
    /// The user id.
    pub id: String,
}

impl RequestSchema for GetUserQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("id", FieldKind::String)];
}

/// Body of `POST /admin/create-user`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserRequest {
    /// Email address (stored lowercase).
    pub email: String,
    /// Password; without it the user has no credential account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    /// Display name.
    pub name: String,
    /// Role or roles (default: the configured default role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Roles>,
    /// Other user fields (`emailVerified`, `image`, additional fields, ban fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
}

impl RequestSchema for CreateUserRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::String),
        FieldSpec::optional("password", FieldKind::String),
        FieldSpec::required("name", FieldKind::String),
        FieldSpec::optional("role", FieldKind::StringOrList),
        FieldSpec::optional("data", FieldKind::Record),
    ];
}

/// Body of `POST /admin/update-user`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminUpdateUserRequest {
    /// The user.
    pub user_id: String,
    /// The fields to change.
    pub data: Map<String, Value>,
}

impl RequestSchema for AdminUpdateUserRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("userId", FieldKind::Any),
        FieldSpec::required("data", FieldKind::Record),
    ];
}

/// The text comparison of a `list-users` search.
pub const SEARCH_OPERATORS: &[&str] = &["contains", "starts_with", "ends_with"];

/// The comparison of a `list-users` filter (better-auth's `whereOperators`).
pub const FILTER_OPERATORS: &[&str] = super::organization::FILTER_OPERATORS;

/// Query of `GET /admin/list-users`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListUsersQuery {
    /// Text to search for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_value: Option<String>,
    /// `email` (default) or `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_field: Option<String>,
    /// One of [`SEARCH_OPERATORS`] (default `contains`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_operator: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Rows to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
    /// A user field to sort by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// `asc` (default) or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_direction: Option<String>,
    /// A user field to filter on (default `email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_field: Option<String>,
    /// The value to compare with (several for `in` and `not_in`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_value: Option<super::organization::FilterValue>,
    /// One of [`FILTER_OPERATORS`] (default `eq`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_operator: Option<String>,
}

impl RequestSchema for ListUsersQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("searchValue", FieldKind::String),
        FieldSpec::optional("searchField", FieldKind::OneOf(&["email", "name"])),
        FieldSpec::optional("searchOperator", FieldKind::OneOf(SEARCH_OPERATORS)),
        FieldSpec::optional("limit", FieldKind::StringOrNumber),
        FieldSpec::optional("offset", FieldKind::StringOrNumber),
        FieldSpec::optional("sortBy", FieldKind::String),
        FieldSpec::optional("sortDirection", FieldKind::OneOf(&["asc", "desc"])),
        FieldSpec::optional("filterField", FieldKind::String),
        FieldSpec::optional("filterValue", FieldKind::StringOrList),
        FieldSpec::optional("filterOperator", FieldKind::OneOf(FILTER_OPERATORS)),
    ];
}

/// The answer of `GET /admin/list-users`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserList {
    /// The page of users.
    pub users: Vec<User>,
    /// How many users match, across pages.
    pub total: u64,
    /// The page size asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The offset asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// `{userId}`: the body of list-user-sessions, unban-user, impersonate-user,
/// revoke-user-sessions and remove-user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdRequest {
    /// The user.
    pub user_id: String,
}

impl RequestSchema for UserIdRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("userId", FieldKind::Any)];
}

/// The answer of `POST /admin/list-user-sessions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserSessions {
    /// The user's sessions, impersonated ones included.
    pub sessions: Vec<Session>,
}

/// Body of `POST /admin/ban-user`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BanUserRequest {
    /// The user.
    pub user_id: String,
    /// Why (default "No reason").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_reason: Option<String>,
    /// Seconds until the ban lifts (default: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_expires_in: Option<f64>,
}

impl RequestSchema for BanUserRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("userId", FieldKind::Any),
        FieldSpec::optional("banReason", FieldKind::String),
        FieldSpec::optional("banExpiresIn", FieldKind::Number),
    ];
}

/// Body of `POST /admin/revoke-user-session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokeUserSessionRequest {
    /// The session's token.
    pub session_token: SessionToken,
}

impl RequestSchema for RevokeUserSessionRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("sessionToken", FieldKind::String)];
}

/// Body of `POST /admin/set-user-password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetUserPasswordRequest {
    /// The user.
    pub user_id: String,
    /// The new password.
    pub new_password: Password,
}

impl RequestSchema for SetUserPasswordRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("userId", FieldKind::Any),
        FieldSpec::required("newPassword", FieldKind::NonEmptyString),
    ];
}

/// Body of `POST /admin/has-permission`: for the signed-in user, or (server-side calls)
/// for `userId` or `role`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserHasPermissionRequest {
    /// A user to check instead of the signed-in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// A role value to check instead of a user's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// What to check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    /// The same, under its other name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<Permissions>,
}

impl RequestSchema for UserHasPermissionRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("userId", FieldKind::Any),
        FieldSpec::optional("role", FieldKind::String),
        FieldSpec::optional("permissions", FieldKind::PermissionRecord),
        FieldSpec::optional("permission", FieldKind::PermissionRecord),
    ];
}

/// The admin plugin's routes (better-auth `admin`).
pub mod routes {
    use crate::wire::admin::{
        AdminUpdateUserRequest, BanUserRequest, CreateUserRequest, GetUserQuery, ListUsersQuery,
        RevokeUserSessionRequest, SetRoleRequest, SetUserPasswordRequest, UserHasPermissionRequest, UserIdRequest,
        UserList, UserResponse, UserSessions,
    };
    use crate::wire::organization::{HasPermissionResponse, SuccessResponse};
    use crate::wire::routes::declare_routes;
    use crate::wire::{EmptyRequest, SessionData, StatusResponse, User};

    declare_routes! {
        /// The admin routes, in declaration order.
        pub const ROUTES;

        /// `POST /admin/set-role`.
        SetRole: Post "/admin/set-role", SetRoleRequest => UserResponse;
        /// `GET /admin/get-user`.
        GetUser: Get "/admin/get-user", GetUserQuery => User;
        /// `POST /admin/create-user`.
        CreateUser: Post "/admin/create-user", CreateUserRequest => UserResponse;
        /// `POST /admin/update-user`.
        UpdateUser: Post "/admin/update-user", AdminUpdateUserRequest => User;
        /// `GET /admin/list-users`: searched, paged, sorted and filtered.
        ListUsers: Get "/admin/list-users", ListUsersQuery => UserList;
        /// `POST /admin/list-user-sessions`.
        ListUserSessions: Post "/admin/list-user-sessions", UserIdRequest => UserSessions;
        /// `POST /admin/ban-user`.
        BanUser: Post "/admin/ban-user", BanUserRequest => UserResponse;
        /// `POST /admin/unban-user`.
        UnbanUser: Post "/admin/unban-user", UserIdRequest => UserResponse;
        /// `POST /admin/impersonate-user`: a session as the user.
        ImpersonateUser: Post "/admin/impersonate-user", UserIdRequest => SessionData;
        /// `POST /admin/stop-impersonating`: the admin's session back.
        StopImpersonating: Post "/admin/stop-impersonating", EmptyRequest => SessionData;
        /// `POST /admin/revoke-user-session`.
        RevokeUserSession: Post "/admin/revoke-user-session", RevokeUserSessionRequest => SuccessResponse;
        /// `POST /admin/revoke-user-sessions`.
        RevokeUserSessions: Post "/admin/revoke-user-sessions", UserIdRequest => SuccessResponse;
        /// `POST /admin/remove-user`.
        RemoveUser: Post "/admin/remove-user", UserIdRequest => SuccessResponse;
        /// `POST /admin/set-user-password`.
        SetUserPassword: Post "/admin/set-user-password", SetUserPasswordRequest => StatusResponse;
        /// `POST /admin/has-permission`: whether the caller's role grants permissions.
        HasPermission: Post "/admin/has-permission", UserHasPermissionRequest => HasPermissionResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_roles_match_better_auth() {
        let roles = AdminRoles::defaults();
        let p = |resource: &str, action: &str| Permissions::new().with(resource, [action]);
        assert!(roles.allows("admin", &p("user", "ban")));
        assert!(roles.allows("admin", &p("session", "revoke")));
        assert!(!roles.allows("admin", &p("user", "impersonate-admins")));
        assert!(!roles.allows("user", &p("user", "list")));
        assert!(roles.allows("user,admin", &p("user", "list")));
        assert!(!roles.allows("user, admin", &p("user", "list")), "not trimmed");
        assert!(!roles.allows("admin", &Permissions::new()));
    }
}
