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

mod sessions;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
mod users;

pub use users::{AdminUpdateUser, BanUser, CreateUser, ListUsers};

use serde::de::DeserializeOwned;

use crate::client::AuthClient;
use crate::error::Result;
use crate::wire::admin::{AdminRoles, UserHasPermissionRequest, UserIdRequest};
use crate::wire::organization::Permissions;
use crate::wire::routes::Route;
use crate::wire::routes::admin as route;

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
