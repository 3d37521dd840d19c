//! `client.user()`: `/update-user`, `/change-email`, `/change-password`, `/delete-user`,
//! `/delete-user/callback`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! client.user().update().name("Ada Lovelace").clear_image().await?;
//! // The session store already shows the new name: no refetch needed.
//! client.user().change_password("old-password", "new-password-123").revoke_other_sessions().await?;
//! client.user().change_email("ada@lovelace.org").callback_url("/settings").await?;
//! client.user().delete().password("new-password-123").await?;
//! # Ok(()) }
//! ```

use serde_json::{Map, Value};

use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::session_store::{SessionEvent, apply_user};
use crate::wire::routes as route;
use crate::wire::{
    ChangeEmailRequest, ChangePasswordRequest, ChangePasswordResponse, DeleteUserRequest, EmailToken, Password,
    SuccessMessage, UpdateUserRequest,
};

/// The user endpoints.
#[derive(Clone, Copy, Debug)]
pub struct UserApi<'a> {
    client: &'a AuthClient,
}

impl AuthClient {
    /// User endpoints.
    pub fn user(&self) -> UserApi<'_> {
        UserApi { client: self }
    }
}

impl<'a> UserApi<'a> {
    /// `POST /update-user`: set any of name, image and additional fields.
    pub fn update(self) -> UpdateUser<'a> {
        UpdateUser {
            client: self.client,
            body: UpdateUserRequest::default(),
        }
    }

    /// `POST /change-email`: starts an email change (completed through the emailed link).
    pub fn change_email(self, new_email: impl Into<String>) -> ChangeEmail<'a> {
        ChangeEmail {
            client: self.client,
            body: ChangeEmailRequest {
                new_email: new_email.into(),
                callback_url: None,
            },
        }
    }

    /// `POST /change-password`.
    pub fn change_password(self, current: impl Into<Password>, new: impl Into<Password>) -> ChangePassword<'a> {
        ChangePassword {
            client: self.client,
            body: ChangePasswordRequest {
                current_password: current.into(),
                new_password: new.into(),
                revoke_other_sessions: None,
            },
        }
    }

    /// `POST /delete-user`.
    pub fn delete(self) -> DeleteUser<'a> {
        DeleteUser {
            client: self.client,
            body: DeleteUserRequest::default(),
        }
    }

    /// `GET /delete-user/callback?token=…`: confirms a deletion with the emailed token.
    pub async fn confirm_delete(self, token: impl Into<EmailToken>) -> Result<SuccessMessage> {
        let token = token.into();
        let query = form_query(&[("token", token.expose())]);
        let response = self.client.get_route::<route::DeleteUserCallback>(Some(&query)).await?;
        self.client.clear_credentials()?;
        self.client.session_store_set_signed_out(Some(SessionEvent::SignedOut));
        Ok(response)
    }
}

pub(crate) fn form_query(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `POST /update-user`.
#[derive(Debug)]
pub struct UpdateUser<'a> {
    client: &'a AuthClient,
    body: UpdateUserRequest,
}

impl UpdateUser<'_> {
    /// New display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    /// New avatar URL.
    pub fn image(mut self, url: impl Into<String>) -> Self {
        self.body.image = Some(Some(url.into()));
        self
    }

    /// Removes the avatar.
    pub fn clear_image(mut self) -> Self {
        self.body.image = Some(None);
        self
    }

    /// An additional user field.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.additional.insert(name.into(), value.into());
        self
    }

    /// Several additional fields.
    pub fn fields(mut self, fields: Map<String, Value>) -> Self {
        self.body.additional.extend(fields);
        self
    }

    /// Sends it, then refreshes the session store (the answer carries no user).
    pub async fn send(self) -> Result<()> {
        self.client.post_route::<route::UpdateUser>(None, &self.body).await?;
        let _ = self.client.refresh_session(false).await;
        crate::session_store::broadcast(self.client, crate::session_store::Broadcast::UpdateUser);
        Ok(())
    }
}

into_future!(UpdateUser, ());

/// `POST /change-email`.
#[derive(Debug)]
pub struct ChangeEmail<'a> {
    client: &'a AuthClient,
    body: ChangeEmailRequest,
}

impl ChangeEmail<'_> {
    /// Where the verification link leads.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// Sends it, then refreshes the session store (the email may have changed at once).
    pub async fn send(self) -> Result<()> {
        self.client.post_route::<route::ChangeEmail>(None, &self.body).await?;
        let _ = self.client.refresh_session(false).await;
        Ok(())
    }
}

into_future!(ChangeEmail, ());

/// `POST /change-password`.
#[derive(Debug)]
pub struct ChangePassword<'a> {
    client: &'a AuthClient,
    body: ChangePasswordRequest,
}

impl ChangePassword<'_> {
    /// End every other session; this client gets a new one.
    pub fn revoke_other_sessions(mut self) -> Self {
        self.body.revoke_other_sessions = Some(true);
        self
    }

    /// Sends it. With a new session, its token is stored and the store refreshed.
    pub async fn send(self) -> Result<ChangePasswordResponse> {
        let reply = self
            .client
            .post_route_reply::<route::ChangePassword>(&self.body)
            .await?;
        let response = crate::client::decode_route::<route::ChangePassword>(&reply)?;
        match &response.token {
            Some(token) => {
                self.client.keep_token_of(&reply, token)?;
                let _ = self.client.refresh_session(false).await;
            }
            None => apply_user(self.client, response.user.clone()),
        }
        Ok(response)
    }
}

into_future!(ChangePassword, ChangePasswordResponse);

/// `POST /delete-user`.
#[derive(Debug)]
pub struct DeleteUser<'a> {
    client: &'a AuthClient,
    body: DeleteUserRequest,
}

impl DeleteUser<'_> {
    /// The current password (lifts the fresh-session requirement).
    pub fn password(mut self, password: impl Into<Password>) -> Self {
        self.body.password = Some(password.into());
        self
    }

    /// The token from a deletion confirmation email.
    pub fn token(mut self, token: impl Into<EmailToken>) -> Self {
        self.body.token = Some(token.into());
        self
    }

    /// Where the confirmation link leads after deleting.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// Sends it. When the account is gone, the client is signed out; otherwise (a
    /// confirmation email was sent) nothing changes yet.
    pub async fn send(self) -> Result<SuccessMessage> {
        let response = self.client.post_route::<route::DeleteUser>(None, &self.body).await?;
        if response.message == "User deleted" {
            self.client.clear_credentials()?;
            self.client.session_store_set_signed_out(Some(SessionEvent::SignedOut));
        }
        Ok(response)
    }
}

into_future!(DeleteUser, SuccessMessage);
