//! `client.password()`: `/request-password-reset`, `/reset-password`,
//! `/reset-password/:token`, `/verify-password`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! client.password().request_reset("ada@example.com").redirect_to("/reset").await?;
//! // … the user opens the emailed link; your `/reset` page receives `?token=…` …
//! client.password().reset("token-from-the-link", "a-new-password").await?;
//! client.password().verify("a-new-password").await?; // re-authenticate before a sensitive action
//! # Ok(()) }
//! ```

use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::routes as route;
use crate::wire::{
    EmailToken, Password, RequestPasswordResetRequest, RequestPasswordResetResponse, ResetPasswordRequest,
    VerifyPasswordRequest,
};

/// The password endpoints.
#[derive(Clone, Copy, Debug)]
pub struct PasswordApi<'a> {
    client: &'a AuthClient,
}

impl AuthClient {
    /// Password endpoints.
    pub fn password(&self) -> PasswordApi<'_> {
        PasswordApi { client: self }
    }
}

/// What a reset link leads to (`GET /reset-password/:token`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetLink {
    /// The token is valid; the server redirects here (with `?token=…`).
    Valid(String),
    /// The token is unknown or expired; the server redirects here (with `?error=INVALID_TOKEN`).
    Invalid(String),
}

impl<'a> PasswordApi<'a> {
    /// `POST /request-password-reset`. The answer is the same whether or not the address
    /// has an account.
    pub fn request_reset(self, email: impl Into<String>) -> RequestReset<'a> {
        RequestReset {
            client: self.client,
            body: RequestPasswordResetRequest {
                email: email.into(),
                redirect_to: None,
            },
        }
    }

    /// `POST /reset-password` with the token from the reset link.
    pub async fn reset(self, token: impl Into<EmailToken>, new_password: impl Into<Password>) -> Result<()> {
        let body = ResetPasswordRequest {
            new_password: new_password.into(),
            token: Some(token.into()),
        };
        self.client.post_route::<route::ResetPassword>(None, &body).await?;
        Ok(())
    }

    /// `POST /verify-password`: checks the signed-in user's password.
    pub async fn verify(self, password: impl Into<Password>) -> Result<()> {
        let body = VerifyPasswordRequest {
            password: password.into(),
        };
        self.client.post_route::<route::VerifyPassword>(None, &body).await?;
        Ok(())
    }

    /// `GET /reset-password/:token?callbackURL=…`: what the emailed link does, without
    /// following its redirect. Native targets only (browsers follow redirects themselves).
    #[cfg(not(target_arch = "wasm32"))]
    pub async fn check_reset_link(self, token: &str, callback_url: &str) -> Result<ResetLink> {
        use crate::wire::routes::Route;
        let token = percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC).to_string();
        let path = route::ResetPasswordCallback::path_with(&token);
        let query = crate::api::user::form_query(&[("callbackURL", callback_url)]);
        let reply = self
            .client
            .send_raw(route::ResetPasswordCallback::METHOD, &path, Some(&query), None)
            .await?;
        let location = reply.response.header("location").unwrap_or_default().to_owned();
        if location.contains("error=") || location.is_empty() {
            Ok(ResetLink::Invalid(location))
        } else {
            Ok(ResetLink::Valid(location))
        }
    }
}

/// `POST /request-password-reset`.
#[derive(Debug)]
pub struct RequestReset<'a> {
    client: &'a AuthClient,
    body: RequestPasswordResetRequest,
}

impl RequestReset<'_> {
    /// The app page that receives the token.
    pub fn redirect_to(mut self, url: impl Into<String>) -> Self {
        self.body.redirect_to = Some(url.into());
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<RequestPasswordResetResponse> {
        self.client
            .post_route::<route::RequestPasswordReset>(None, &self.body)
            .await
    }
}

into_future!(RequestReset, RequestPasswordResetResponse);
