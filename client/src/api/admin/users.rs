//! User management: create, get, update, list (searched, paged, sorted, filtered),
//! roles, bans, passwords and removal; with the builders of those calls.

use std::time::Duration;

use serde_json::{Map, Value};

use super::AdminApi;
use crate::api::query_string;
use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::admin::{
    AdminUpdateUserRequest, BanUserRequest, CreateUserRequest, GetUserQuery, ListUsersQuery, SetRoleRequest,
    SetUserPasswordRequest, UserList,
};
use crate::wire::organization::{FilterValue, Roles};
use crate::wire::routes::admin as route;
use crate::wire::{Password, User};

impl<'a> AdminApi<'a> {
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
