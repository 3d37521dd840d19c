//! `client.username()`: the username plugin's `/sign-in/username` and
//! `/is-username-available` (servers with better-auth's `username` or Keyward's), and the
//! `username` / `display_username` setters of sign-up and update-user.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! if client.username().is_available("ada_lovelace").await? {
//!     client
//!         .sign_up()
//!         .email("Ada", "ada@example.com", "correct-horse-battery")
//!         .username("Ada_Lovelace") // stored as ada_lovelace, shown as Ada_Lovelace
//!         .await?;
//! }
//! let signed_in = client
//!     .username()
//!     .sign_in("ADA_LOVELACE", "correct-horse-battery")
//!     .await?
//!     .into_signed_in()?;
//! println!("hello {:?}", signed_in.user.additional.get("displayUsername"));
//! client.user().update().username("countess").await?;
//! # Ok(()) }
//! ```
//!
//! Failures are [`Error::Api`](crate::Error::Api) with the plugin's codes:
//! `INVALID_USERNAME_OR_PASSWORD` (401), `USERNAME_TOO_SHORT`, `USERNAME_TOO_LONG`,
//! `INVALID_USERNAME` (422 here, 400 on sign-up and update-user),
//! `USERNAME_IS_ALREADY_TAKEN`, `INVALID_DISPLAY_USERNAME`, `USERNAME_IS_IMMUTABLE` (400).

use crate::api::sign_up::SignUpEmail;
use crate::api::user::UpdateUser;
use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::routes::username as route;
use crate::wire::{IsUsernameAvailableRequest, Password, SignInOutcome, SignInUsernameRequest};

impl AuthClient {
    /// Username endpoints.
    pub fn username(&self) -> UsernameApi<'_> {
        UsernameApi { client: self }
    }
}

/// The username endpoints.
#[derive(Clone, Copy, Debug)]
pub struct UsernameApi<'a> {
    client: &'a AuthClient,
}

impl<'a> UsernameApi<'a> {
    /// Signs in with a username (any casing: the server normalises it) and password.
    pub fn sign_in(self, username: impl Into<String>, password: impl Into<Password>) -> SignInUsername<'a> {
        SignInUsername {
            client: self.client,
            body: SignInUsernameRequest {
                username: username.into(),
                password: password.into(),
                remember_me: None,
                callback_url: None,
            },
        }
    }

    /// `POST /is-username-available`: whether no user has `username` (normalised). A
    /// malformed username is an error (`422` with its code), not `false`.
    pub async fn is_available(self, username: impl Into<String>) -> Result<bool> {
        let body = IsUsernameAvailableRequest {
            username: username.into(),
        };
        let answer = self
            .client
            .post_route::<route::IsUsernameAvailable>(None, &body)
            .await?;
        Ok(answer.available)
    }
}

/// `POST /sign-in/username`.
#[derive(Debug)]
pub struct SignInUsername<'a> {
    client: &'a AuthClient,
    body: SignInUsernameRequest,
}

impl SignInUsername<'_> {
    /// Returned as `url` (with `redirect: true`).
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// `false`: the session ends with the browser session (one day at most).
    pub fn remember_me(mut self, remember: bool) -> Self {
        self.body.remember_me = Some(remember);
        self
    }

    /// Sends it. As [`client.sign_in().email(..)`](crate::api::sign_in::SignIn::email):
    /// the token is stored (or the two-factor challenge kept) and the session store
    /// refreshed, as better-auth's `usernameClient` signals the session atom on
    /// `/sign-in/username`.
    pub async fn send(self) -> Result<SignInOutcome> {
        let reply = self
            .client
            .post_route_reply::<route::SignInUsername>(&self.body)
            .await?;
        let outcome = crate::client::decode_route::<route::SignInUsername>(&reply)?;
        self.client.finish_sign_in(&reply, &outcome).await?;
        Ok(outcome)
    }
}

into_future!(SignInUsername, SignInOutcome);

impl SignUpEmail<'_> {
    /// The new user's username (username plugin): stored normalised, and its display
    /// username unless [`display_username`](Self::display_username) gives one.
    pub fn username(self, username: impl Into<String>) -> Self {
        self.field("username", username.into())
    }

    /// The new user's display username (username plugin); alone, it is the username too
    /// when it is a valid one.
    pub fn display_username(self, display_username: impl Into<String>) -> Self {
        self.field("displayUsername", display_username.into())
    }
}

impl UpdateUser<'_> {
    /// A new username (username plugin).
    pub fn username(self, username: impl Into<String>) -> Self {
        self.field("username", username.into())
    }

    /// A new display username (username plugin).
    pub fn display_username(self, display_username: impl Into<String>) -> Self {
        self.field("displayUsername", display_username.into())
    }
}
