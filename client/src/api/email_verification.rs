//! `client.email()`: `/send-verification-email` and `/verify-email`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! client.email().send_verification("ada@example.com").callback_url("/verified").await?;
//! // … with the token from the emailed link:
//! client.email().verify("eyJhbGciOiJIUzI1NiJ9…").await?;
//! # Ok(()) }
//! ```

use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::routes as route;
use crate::wire::{EmailToken, SendVerificationEmailRequest, VerifyEmailResponse};

/// The email verification endpoints.
#[derive(Clone, Copy, Debug)]
pub struct EmailApi<'a> {
    client: &'a AuthClient,
}

impl AuthClient {
    /// Email verification endpoints.
    pub fn email(&self) -> EmailApi<'_> {
        EmailApi { client: self }
    }
}

impl<'a> EmailApi<'a> {
    /// `POST /send-verification-email`.
    pub fn send_verification(self, email: impl Into<String>) -> SendVerification<'a> {
        SendVerification {
            client: self.client,
            body: SendVerificationEmailRequest {
                email: email.into(),
                callback_url: None,
            },
        }
    }

    /// `GET /verify-email?token=…`: verifies an address (or completes an email change) with
    /// the token from the emailed link, then refreshes the session store.
    pub async fn verify(self, token: impl Into<EmailToken>) -> Result<VerifyEmailResponse> {
        let token = token.into();
        let query = crate::api::user::form_query(&[("token", token.expose())]);
        let response = self.client.get_route::<route::VerifyEmail>(Some(&query)).await?;
        let _ = self.client.refresh_session(false).await;
        Ok(response)
    }
}

/// `POST /send-verification-email`.
#[derive(Debug)]
pub struct SendVerification<'a> {
    client: &'a AuthClient,
    body: SendVerificationEmailRequest,
}

impl SendVerification<'_> {
    /// Where the link leads after verifying.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<()> {
        self.client
            .post_route::<route::SendVerificationEmail>(None, &self.body)
            .await?;
        Ok(())
    }
}

into_future!(SendVerification, ());
