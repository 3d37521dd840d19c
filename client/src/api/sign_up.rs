//! `client.sign_up()`: `POST /sign-up/email`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! let created = client
//!     .sign_up()
//!     .email("Ada", "ada@example.com", "correct-horse-battery")
//!     .remember_me(true)
//!     .field("plan", "pro") // an additional field the server accepts
//!     .await?;
//! println!("welcome {}", created.user.name);
//! # Ok(()) }
//! ```

use serde_json::{Map, Value};

use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::routes as route;
use crate::wire::{Password, SignUpEmailRequest, SignUpResponse};

/// The sign-up endpoints.
#[derive(Clone, Copy, Debug)]
pub struct SignUp<'a> {
    pub(crate) client: &'a AuthClient,
}

impl AuthClient {
    /// Sign-up endpoints.
    pub fn sign_up(&self) -> SignUp<'_> {
        SignUp { client: self }
    }
}

impl<'a> SignUp<'a> {
    /// Creates an account with email and password.
    pub fn email(
        self,
        name: impl Into<String>,
        email: impl Into<String>,
        password: impl Into<Password>,
    ) -> SignUpEmail<'a> {
        SignUpEmail {
            client: self.client,
            body: SignUpEmailRequest {
                name: name.into(),
                email: email.into(),
                password: password.into(),
                image: None,
                callback_url: None,
                remember_me: None,
                additional: Map::new(),
            },
        }
    }
}

/// `POST /sign-up/email`; the body is the wire request.
#[derive(Debug)]
pub struct SignUpEmail<'a> {
    client: &'a AuthClient,
    body: SignUpEmailRequest,
}

impl SignUpEmail<'_> {
    /// Avatar URL.
    pub fn image(mut self, url: impl Into<String>) -> Self {
        self.body.image = Some(url.into());
        self
    }

    /// Where the verification email's link leads.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// `false`: the session ends with the browser session (one day at most).
    pub fn remember_me(mut self, remember: bool) -> Self {
        self.body.remember_me = Some(remember);
        self
    }

    /// An additional user field the server is configured to accept.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.additional.insert(name.into(), value.into());
        self
    }

    /// Sends it. When the server signs the new user in, the token is stored and the
    /// session store refreshed.
    pub async fn send(self) -> Result<SignUpResponse> {
        let reply = self.client.post_route_reply::<route::SignUpEmail>(&self.body).await?;
        let response = crate::client::decode_route::<route::SignUpEmail>(&reply)?;
        if let Some(token) = &response.token {
            self.client.keep_token_of(&reply, token)?;
            let _ = self.client.refresh_session(false).await;
        }
        Ok(response)
    }
}

into_future!(SignUpEmail, SignUpResponse);
