//! `client.admin()`: the admin plugin's `/admin/*` endpoints (user management, bans,
//! sessions, impersonation) and a local permission check for its default roles.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! use std::time::Duration;
//!
//! use keyward_client::wire::admin::AdminUserFields;
//! use keyward_client::wire::organization::Permissions;
//!
//! let bob = client
//!     .admin()
//!     .create_user("bob@example.com", "Bob")
//!     .password("correct-horse-battery")
//!     .role("user")
//!     .await?;
//! let page = client.admin().list_users().search("email", "contains", "example.com").limit(20).await?;
//! println!("{} of {} users", page.users.len(), page.total);
//! // Act as Bob, then come back: the token and the session store follow both steps.
//! let as_bob = client.admin().impersonate_user(&bob.id).await?;
//! client.admin().stop_impersonating().await?;
//! let banned = client
//!     .admin()
//!     .ban_user(&bob.id)
//!     .reason("spam")
//!     .expires_in(Duration::from_secs(7 * 24 * 60 * 60))
//!     .await?;
//! assert!(banned.banned());
//! let may_ban = client.admin().has_permission(Permissions::new().with("user", ["ban"])).await?;
//! // Without a request, by the default roles:
//! assert!(client.admin().check_role_permission("admin", &Permissions::new().with("user", ["ban"])));
//! # let _ = (as_bob, may_ban); Ok(()) }
//! ```

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::api::query_string;
use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::admin::{
    AdminRoles, AdminUpdateUserRequest, BanUserRequest, CreateUserRequest, GetUserQuery, ListUsersQuery,
    RevokeUserSessionRequest, SetRoleRequest, SetUserPasswordRequest, UserHasPermissionRequest, UserIdRequest,
    UserList,
};
use crate::wire::organization::{FilterValue, Permissions, Roles};
use crate::wire::routes::Route;
use crate::wire::routes::admin as route;
use crate::wire::{EmptyRequest, Password, Session, SessionData, SessionToken, User};

impl AuthClient {
    /// Admin endpoints (servers with the admin plugin; the caller needs an admin role).
    pub fn admin(&self) -> AdminApi<'_> {
        AdminApi { client: self }
    }
}

/// The admin endpoints.
#[derive(Clone, Copy, Debug)]
pub struct AdminApi<'a> {
    client: &'a AuthClient,
}

impl<'a> AdminApi<'a> {
    /// `POST` route `R` with a user id.
    async fn post_user_id<R>(self, user_id: impl Into<String>) -> Result<R::Response>
    where
        R: Route<Request = UserIdRequest>,
        R::Response: DeserializeOwned,
    {
        let body = UserIdRequest {
            user_id: user_id.into(),
        };
        self.client.post_route::<R>(None, &body).await
    }

    /// Whether a role value (`"admin"`, or several comma-separated) grants `permissions`,
    /// by the admin plugin's default roles alone, without asking the server (better-auth's
    /// `checkRolePermission`). An empty value is the default role, `user`.
    pub fn check_role_permission(self, role: &str, permissions: &Permissions) -> bool {
        let role = if role.is_empty() { "user" } else { role };
        AdminRoles::defaults().allows(role, permissions)
    }

    /// `POST /admin/set-role` with one role or several (`vec!["admin", …]`).
    pub async fn set_role(self, user_id: impl Into<String>, roles: impl Into<Roles>) -> Result<User> {
        let body = SetRoleRequest {
            user_id: user_id.into(),
            role: roles.into(),
        };
        let answer = self.client.post_route::<route::SetRole>(None, &body).await?;
        Ok(answer.user)
    }

    /// `GET /admin/get-user`.
    pub async fn get_user(self, id: impl Into<String>) -> Result<User> {
        let query = query_string(&GetUserQuery { id: id.into() })?;
        self.client.get_route::<route::GetUser>(Some(&query)).await
    }

    /// `POST /admin/create-user`; without [`password`](CreateUser::password) the user has
    /// no credential account.
    pub fn create_user(self, email: impl Into<String>, name: impl Into<String>) -> CreateUser<'a> {
        CreateUser {
            client: self.client,
            body: CreateUserRequest {
                email: email.into(),
                password: None,
                name: name.into(),
                role: None,
                data: None,
            },
        }
    }

    /// `POST /admin/update-user`: set any of the user's fields.
    pub fn update_user(self, user_id: impl Into<String>) -> AdminUpdateUser<'a> {
        AdminUpdateUser {
            client: self.client,
            body: AdminUpdateUserRequest {
                user_id: user_id.into(),
                data: Map::new(),
            },
        }
    }

    /// `GET /admin/list-users` (searched, paged, sorted and filtered with the setters).
    pub fn list_users(self) -> ListUsers<'a> {
        ListUsers {
            client: self.client,
            query: ListUsersQuery::default(),
        }
    }

    /// `POST /admin/list-user-sessions`: every session of a user, impersonated ones too.
    pub async fn list_user_sessions(self, user_id: impl Into<String>) -> Result<Vec<Session>> {
        let answer = self.post_user_id::<route::ListUserSessions>(user_id).await?;
        Ok(answer.sessions)
    }

    /// `POST /admin/ban-user`: the user is signed out everywhere and cannot sign in until
    /// unbanned (or the ban expires).
    pub fn ban_user(self, user_id: impl Into<String>) -> BanUser<'a> {
        BanUser {
            client: self.client,
            body: BanUserRequest {
                user_id: user_id.into(),
                ban_reason: None,
                ban_expires_in: None,
            },
        }
    }

    /// `POST /admin/unban-user`.
    pub async fn unban_user(self, user_id: impl Into<String>) -> Result<User> {
        let answer = self.post_user_id::<route::UnbanUser>(user_id).await?;
        Ok(answer.user)
    }

    /// `POST /admin/impersonate-user`: this client is signed in as the user (its token
    /// replaced, the session store refreshed) until
    /// [`stop_impersonating`](AdminApi::stop_impersonating). The admin's own session is
    /// kept by the server's `admin_session` cookie, which the client holds meanwhile.
    pub async fn impersonate_user(self, user_id: impl Into<String>) -> Result<SessionData> {
        let body = UserIdRequest {
            user_id: user_id.into(),
        };
        self.adopt_session::<route::ImpersonateUser>(&body).await
    }

    /// `POST /admin/stop-impersonating`: ends the impersonated session and signs this
    /// client back in as the admin (token and session store).
    pub async fn stop_impersonating(self) -> Result<SessionData> {
        self.adopt_session::<route::StopImpersonating>(&EmptyRequest {}).await
    }

    /// Sends a call answering with a session this client now holds: keeps its token (the
    /// `set-auth-token` header's when there is one) and refreshes the session store.
    async fn adopt_session<R>(self, body: &R::Request) -> Result<SessionData>
    where
        R: Route<Response = SessionData>,
        R::Request: Serialize,
    {
        let reply = self.client.post_route_reply::<R>(body).await?;
        let data = crate::client::decode_route::<R>(&reply)?;
        if reply.response.header("set-auth-token").is_none() {
            self.client.set_token(data.session.token.clone())?;
        }
        let _ = self.client.refresh_session(false).await;
        Ok(data)
    }

    /// `POST /admin/revoke-user-session`: ends one session (a token from
    /// [`list_user_sessions`](AdminApi::list_user_sessions)).
    pub async fn revoke_user_session(self, token: impl Into<SessionToken>) -> Result<()> {
        let body = RevokeUserSessionRequest {
            session_token: token.into(),
        };
        self.client.post_route::<route::RevokeUserSession>(None, &body).await?;
        Ok(())
    }

    /// `POST /admin/revoke-user-sessions`: ends every session of a user.
    pub async fn revoke_user_sessions(self, user_id: impl Into<String>) -> Result<()> {
        self.post_user_id::<route::RevokeUserSessions>(user_id).await?;
        Ok(())
    }

    /// `POST /admin/remove-user`: deletes the user, with their sessions and accounts.
    pub async fn remove_user(self, user_id: impl Into<String>) -> Result<()> {
        self.post_user_id::<route::RemoveUser>(user_id).await?;
        Ok(())
    }

    /// `POST /admin/set-user-password`: sets (or creates) the user's credential password.
    pub async fn set_user_password(self, user_id: impl Into<String>, password: impl Into<Password>) -> Result<()> {
        let body = SetUserPasswordRequest {
            user_id: user_id.into(),
            new_password: password.into(),
        };
        self.client.post_route::<route::SetUserPassword>(None, &body).await?;
        Ok(())
    }

    /// `POST /admin/has-permission`: whether the caller's role grants every one of
    /// `permissions`.
    pub async fn has_permission(self, permissions: Permissions) -> Result<bool> {
        let body = UserHasPermissionRequest {
            permissions: Some(permissions),
            ..Default::default()
        };
        let answer = self.client.post_route::<route::HasPermission>(None, &body).await?;
        Ok(answer.success)
    }
}

/// A role or roles as a JSON value (`"admin"` or `["admin", "auditor"]`).
fn roles_value(roles: Roles) -> Value {
    match roles {
        Roles::One(role) => Value::String(role),
        Roles::Many(roles) => Value::Array(roles.into_iter().map(Value::String).collect()),
    }
}

/// `POST /admin/create-user`.
#[derive(Debug)]
pub struct CreateUser<'a> {
    client: &'a AuthClient,
    body: CreateUserRequest,
}

impl CreateUser<'_> {
    /// The password (gives the user a credential account).
    pub fn password(mut self, password: impl Into<Password>) -> Self {
        self.body.password = Some(password.into());
        self
    }

    /// One role or several (default: the server's default role).
    pub fn role(mut self, roles: impl Into<Roles>) -> Self {
        self.body.role = Some(roles.into());
        self
    }

    /// Another user field (`emailVerified`, `image`, an additional field, …).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .data
            .get_or_insert_with(Map::new)
            .insert(name.into(), value.into());
        self
    }

    /// Several other user fields.
    pub fn fields(mut self, fields: Map<String, Value>) -> Self {
        self.body.data.get_or_insert_with(Map::new).extend(fields);
        self
    }

    /// Sends it and returns the new user.
    pub async fn send(self) -> Result<User> {
        let answer = self.client.post_route::<route::CreateUser>(None, &self.body).await?;
        Ok(answer.user)
    }
}

into_future!(CreateUser, User);

/// `POST /admin/update-user`.
#[derive(Debug)]
pub struct AdminUpdateUser<'a> {
    client: &'a AuthClient,
    body: AdminUpdateUserRequest,
}

impl AdminUpdateUser<'_> {
    /// New display name.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.field("name", name.into())
    }

    /// New email address (set as it is: no verification email is sent).
    pub fn email(self, email: impl Into<String>) -> Self {
        self.field("email", email.into())
    }

    /// Whether the email address counts as verified.
    pub fn email_verified(self, verified: bool) -> Self {
        self.field("emailVerified", verified)
    }

    /// New avatar URL.
    pub fn image(self, url: impl Into<String>) -> Self {
        self.field("image", url.into())
    }

    /// Removes the avatar.
    pub fn clear_image(self) -> Self {
        self.field("image", Value::Null)
    }

    /// New role or roles.
    pub fn role(self, roles: impl Into<Roles>) -> Self {
        self.field("role", roles_value(roles.into()))
    }

    /// Any user field, additional ones included.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.data.insert(name.into(), value.into());
        self
    }

    /// Several user fields.
    pub fn fields(mut self, fields: Map<String, Value>) -> Self {
        self.body.data.extend(fields);
        self
    }

    /// Sends it and returns the user as it is now.
    pub async fn send(self) -> Result<User> {
        self.client.post_route::<route::UpdateUser>(None, &self.body).await
    }
}

into_future!(AdminUpdateUser, User);

/// `GET /admin/list-users`.
#[derive(Debug)]
pub struct ListUsers<'a> {
    client: &'a AuthClient,
    query: ListUsersQuery,
}

impl ListUsers<'_> {
    /// Only users whose `field` (`email` or `name`) matches `value` by `operator`
    /// (`contains`, `starts_with` or `ends_with`).
    pub fn search(mut self, field: &str, operator: &str, value: impl Into<String>) -> Self {
        self.query.search_field = Some(field.to_owned());
        self.query.search_operator = Some(operator.to_owned());
        self.query.search_value = Some(value.into());
        self
    }

    /// Page size.
    pub fn limit(mut self, limit: u64) -> Self {
        self.query.limit = Some(limit.to_string());
        self
    }

    /// Users to skip.
    pub fn offset(mut self, offset: u64) -> Self {
        self.query.offset = Some(offset.to_string());
        self
    }

    /// Sorts by a user field (`createdAt`, `name`, …), ascending unless `descending`.
    pub fn sort_by(mut self, field: impl Into<String>, descending: bool) -> Self {
        self.query.sort_by = Some(field.into());
        self.query.sort_direction = Some(if descending { "desc" } else { "asc" }.to_owned());
        self
    }

    /// Only users whose `field` compares to `value` by `operator` (`eq`, `ne`, `lt`,
    /// `contains`, …; `in` and `not_in` take several values: `["Ada", "Cy"]`).
    pub fn filter(mut self, field: impl Into<String>, operator: &str, value: impl Into<FilterValue>) -> Self {
        self.query.filter_field = Some(field.into());
        self.query.filter_operator = Some(operator.to_owned());
        self.query.filter_value = Some(value.into());
        self
    }

    /// Sends it and returns the page, with the total count.
    pub async fn send(self) -> Result<UserList> {
        let query = query_string(&self.query)?;
        self.client.get_route::<route::ListUsers>(Some(&query)).await
    }
}

into_future!(ListUsers, UserList);

/// `POST /admin/ban-user`.
#[derive(Debug)]
pub struct BanUser<'a> {
    client: &'a AuthClient,
    body: BanUserRequest,
}

impl BanUser<'_> {
    /// Why (shown to the user when a sign-in is refused; default "No reason").
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.body.ban_reason = Some(reason.into());
        self
    }

    /// How long the ban lasts (default: the server's, else for ever).
    pub fn expires_in(mut self, duration: Duration) -> Self {
        self.body.ban_expires_in = Some(duration.as_secs_f64());
        self
    }

    /// Sends it and returns the banned user.
    pub async fn send(self) -> Result<User> {
        let answer = self.client.post_route::<route::BanUser>(None, &self.body).await?;
        Ok(answer.user)
    }
}

into_future!(BanUser, User);

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::json;

    use super::*;
    use crate::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};

    /// Answers like a better-auth server with the admin plugin (bearer mode) and records
    /// every request.
    #[derive(Clone, Default)]
    struct FakeServer {
        requests: Arc<Mutex<Vec<HttpRequest>>>,
    }

    fn user(id: &str) -> Value {
        json!({"id": id, "name": id, "email": format!("{id}@example.com"), "emailVerified": true,
            "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"})
    }

    fn session_data(user_id: &str, token: &str) -> Value {
        json!({"session": {"id": format!("s-{token}"), "token": token, "userId": user_id,
            "expiresAt": "2026-02-01T00:00:00.000Z", "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z"}, "user": user(user_id)})
    }

    fn header<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
        request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    impl Transport for FakeServer {
        fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
            let bearer = header(&request, "authorization").unwrap_or_default().to_owned();
            let (headers, body) = match request.url.path() {
                "/api/auth/get-session" => match bearer.as_str() {
                    "Bearer admin-token" => (vec![], session_data("admin", "admin-token")),
                    "Bearer bob-token" => (vec![], session_data("bob", "bob-token")),
                    _ => (vec![], Value::Null),
                },
                "/api/auth/admin/impersonate-user" => (
                    vec![
                        (
                            "set-cookie".to_owned(),
                            "better-auth.admin_session=admin-token%3A.sig; Max-Age=3600; Path=/; HttpOnly".to_owned(),
                        ),
                        (
                            "set-cookie".to_owned(),
                            "better-auth.session_token=bob-token.sig; Max-Age=3600; Path=/; HttpOnly".to_owned(),
                        ),
                    ],
                    session_data("bob", "bob-token"),
                ),
                "/api/auth/admin/stop-impersonating" => (
                    vec![
                        ("set-auth-token".to_owned(), "admin-token".to_owned()),
                        (
                            "set-cookie".to_owned(),
                            "better-auth.admin_session=; Max-Age=0; Path=/".to_owned(),
                        ),
                    ],
                    session_data("admin", "admin-token"),
                ),
                "/api/auth/admin/list-users" => (vec![], json!({"users": [user("bob")], "total": 1, "limit": 10})),
                "/api/auth/admin/update-user" => (vec![], user("bob")),
                "/api/auth/admin/ban-user" => (vec![], json!({"user": user("bob")})),
                _ => (vec![], json!({"success": true})),
            };
            self.requests.lock().expect("lock").push(request);
            Box::pin(async move {
                Ok(HttpResponse {
                    status: 200,
                    headers,
                    body: serde_json::to_vec(&body).expect("json"),
                })
            })
        }
    }

    fn client(server: &FakeServer) -> AuthClient {
        let client = AuthClient::builder("http://localhost:3000".parse().expect("url"))
            .transport(server.clone())
            .build()
            .expect("builds");
        client.set_token(SessionToken::new("admin-token")).expect("token");
        client
    }

    fn signed_in_as(client: &AuthClient) -> Option<String> {
        client.session().get().data.map(|data| data.user.id)
    }

    #[tokio::test]
    async fn impersonation_swaps_the_token_and_keeps_the_admin_session_cookie() {
        let server = FakeServer::default();
        let client = client(&server);

        let as_bob = client.admin().impersonate_user("bob").await.expect("impersonates");
        assert_eq!(as_bob.user.id, "bob");
        assert_eq!(
            client.token().expect("token").map(|t| t.expose().to_owned()).as_deref(),
            Some("bob-token")
        );
        assert_eq!(signed_in_as(&client).as_deref(), Some("bob"));

        let admin = client.admin().stop_impersonating().await.expect("stops");
        assert_eq!(admin.user.id, "admin");
        assert_eq!(
            client.token().expect("token").map(|t| t.expose().to_owned()).as_deref(),
            Some("admin-token")
        );
        assert_eq!(signed_in_as(&client).as_deref(), Some("admin"));

        let requests = server.requests.lock().expect("lock");
        let stop = requests
            .iter()
            .find(|r| r.url.path() == "/api/auth/admin/stop-impersonating")
            .expect("sent");
        assert_eq!(header(stop, "authorization"), Some("Bearer bob-token"));
        assert_eq!(
            header(stop, "cookie"),
            Some("better-auth.admin_session=admin-token%3A.sig")
        );
        assert_eq!(header(stop, "origin"), Some("http://localhost:3000"));
        assert_eq!(stop.body.as_deref(), Some(&b"{}"[..]));
        let last = requests.last().expect("a refetch");
        assert_eq!(last.url.path(), "/api/auth/get-session");
        assert_eq!(header(last, "cookie"), None, "the expired cookie is gone");
    }

    #[tokio::test]
    async fn builders_send_better_auth_shapes() {
        let server = FakeServer::default();
        let client = client(&server);

        let page = client
            .admin()
            .list_users()
            .search("email", "contains", "bob")
            .limit(10)
            .offset(20)
            .sort_by("createdAt", true)
            .filter("role", "eq", "user")
            .await
            .expect("lists");
        assert_eq!((page.users.len(), page.total), (1, 1));
        client
            .admin()
            .update_user("bob")
            .name("Bob")
            .email_verified(false)
            .role(vec!["user", "auditor"])
            .field("nickname", "bobby")
            .await
            .expect("updates");
        client
            .admin()
            .ban_user("bob")
            .reason("spam")
            .expires_in(Duration::from_secs(90))
            .await
            .expect("bans");

        let requests = server.requests.lock().expect("lock");
        let list = requests.first().expect("list-users");
        // The order of the pairs follows serde_json's map order, which a workspace build
        // may change (`preserve_order`): compare them sorted.
        let mut pairs: Vec<(String, String)> = list.url.query_pairs().into_owned().collect();
        pairs.sort();
        let expected: Vec<(String, String)> = [
            ("filterField", "role"),
            ("filterOperator", "eq"),
            ("filterValue", "user"),
            ("limit", "10"),
            ("offset", "20"),
            ("searchField", "email"),
            ("searchOperator", "contains"),
            ("searchValue", "bob"),
            ("sortBy", "createdAt"),
            ("sortDirection", "desc"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(pairs, expected);
        let body = |path: &str| -> Value {
            let request = requests.iter().find(|r| r.url.path() == path).expect("sent");
            serde_json::from_slice(request.body.as_deref().expect("a body")).expect("json")
        };
        assert_eq!(
            body("/api/auth/admin/update-user"),
            json!({"userId": "bob", "data": {"name": "Bob", "emailVerified": false,
                "role": ["user", "auditor"], "nickname": "bobby"}})
        );
        assert_eq!(
            body("/api/auth/admin/ban-user"),
            json!({"userId": "bob", "banReason": "spam", "banExpiresIn": 90.0})
        );
    }

    #[test]
    fn checks_roles_locally() {
        let client = AuthClient::builder("http://localhost:3000".parse().expect("url"))
            .build()
            .expect("builds");
        let ban = Permissions::new().with("user", ["ban"]);
        assert!(client.admin().check_role_permission("admin", &ban));
        assert!(client.admin().check_role_permission("user,admin", &ban));
        assert!(!client.admin().check_role_permission("user", &ban));
        assert!(!client.admin().check_role_permission("", &ban));
        let impersonate_admins = Permissions::new().with("user", ["impersonate-admins"]);
        assert!(!client.admin().check_role_permission("admin", &impersonate_admins));
    }
}
