//! `client.device_authorization()`: the device-authorization plugin's `/device/*`
//! (RFC 8628; servers with better-auth's `deviceAuthorization` or Keyward's
//! `device-authorization`).
//!
//! A device signs in without typing a password: it asks for a code, shows the user a
//! short code and a URL, and waits while the user approves it in a browser where they
//! are signed in. This is `gh auth login` for your app:
//!
//! ```no_run
//! # async fn run(device: keyward_client::AuthClient, browser: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! // On the device (a CLI, a TV app), in bearer mode (the native default):
//! let pending = device.device_authorization().request_code("my-cli").scope("profile").await?;
//! println!("Open {} and enter {}", pending.verification_uri, pending.user_code.expose());
//!
//! // Meanwhile, in the signed-in browser (the verification page does this):
//! let status = browser.device_authorization().verify(pending.user_code.clone()).await?;
//! assert_eq!(status.client_id.as_deref(), Some("my-cli")); // claimed by this user
//! browser.device_authorization().approve(pending.user_code.clone()).await?;
//!
//! // The device's poll returns once the user approved (or fails if they denied):
//! let session = device.device_authorization().poll(&pending).await?;
//! println!("signed in as {}", session.user.email);
//! assert!(device.session().get().is_signed_in()); // token stored, store refreshed
//! # Ok(()) }
//! ```
//!
//! The poll waits `interval` seconds between requests and five seconds more after each
//! `slow_down`, as RFC 8628 asks. A denial ends it with
//! [`Error::OAuth`](crate::Error::OAuth) `access_denied`, an expired code with
//! `expired_token`.

use std::time::Duration;

use crate::client::{AuthClient, CredentialMode, into_future};
use crate::error::{Error, Result};
use crate::wire::routes::device_authorization as route;
use crate::wire::{
    DeviceCode, DeviceCodeRequest, DeviceDecisionRequest, DeviceTokenRequest, DeviceTokenResponse, DeviceVerifyQuery,
    DeviceVerifyResponse, OAuthErrorCode, SessionData, UserCode,
};

/// What RFC 8628 adds to the interval after each `slow_down`.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The interval when the server answers none (RFC 8628 §3.2) or less than a second.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

impl AuthClient {
    /// Device-authorization endpoints (RFC 8628).
    pub fn device_authorization(&self) -> DeviceAuthorizationApi<'_> {
        DeviceAuthorizationApi { client: self }
    }
}

/// The device-authorization endpoints.
#[derive(Clone, Copy, Debug)]
pub struct DeviceAuthorizationApi<'a> {
    client: &'a AuthClient,
}

/// A device authorization under way: what to show the user, and what to poll with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingDevice {
    /// The `client_id` the codes were requested for (the poll sends it).
    pub client_id: String,
    /// What the device polls with; never show it.
    pub device_code: DeviceCode,
    /// What the user types on the verification page.
    pub user_code: UserCode,
    /// The verification page.
    pub verification_uri: String,
    /// The verification page with the code filled in, for a link or a QR code.
    pub verification_uri_complete: String,
    /// How long the codes work.
    pub expires_in: Duration,
    /// How long to wait between polls.
    pub interval: Duration,
}

impl<'a> DeviceAuthorizationApi<'a> {
    /// `POST /device/code`: codes for the application `client_id`. Add scopes with
    /// [`RequestCode::scope`].
    pub fn request_code(self, client_id: impl Into<String>) -> RequestCode<'a> {
        RequestCode {
            client: self.client,
            body: DeviceCodeRequest {
                client_id: client_id.into(),
                ..DeviceCodeRequest::default()
            },
        }
    }

    /// Polls `POST /device/token` until the user decides: waits the interval before each
    /// poll (five seconds more after every `slow_down`), and once the user approved,
    /// signs this client in with the new session's token (stored in the token store) and
    /// answers the session, which the session store then holds. Fails with
    /// [`Error::OAuth`] `access_denied` when the user denied, `expired_token` when the
    /// codes expired first, and with [`Error::InvalidRequest`] before polling in cookie
    /// mode, where a bare token cannot become a session cookie.
    pub async fn poll(self, pending: &PendingDevice) -> Result<SessionData> {
        require_bearer(self.client)?;
        let mut interval = if pending.interval.is_zero() {
            DEFAULT_INTERVAL
        } else {
            pending.interval
        };
        loop {
            crate::session_store::sleep(interval).await;
            match self.token(pending).await {
                Ok(_) => return self.signed_in().await,
                Err(Error::OAuth {
                    error: OAuthErrorCode::AuthorizationPending,
                    ..
                }) => {}
                Err(Error::OAuth {
                    error: OAuthErrorCode::SlowDown,
                    ..
                }) => interval += SLOW_DOWN_STEP,
                Err(error) => return Err(error),
            }
        }
    }

    /// One poll of `POST /device/token`. Before the user decides it fails with
    /// [`Error::OAuth`] `authorization_pending` (or `slow_down` when polled too soon);
    /// once approved it answers the token, which it also stores, signing this client in
    /// (the session store is refreshed by [`DeviceAuthorizationApi::poll`], or by the
    /// caller with `client.session().refetch()`).
    pub async fn token(self, pending: &PendingDevice) -> Result<DeviceTokenResponse> {
        require_bearer(self.client)?;
        let body = DeviceTokenRequest::new(pending.device_code.clone(), pending.client_id.clone());
        let answer = self.client.post_route::<route::Token>(None, &body).await?;
        self.client.set_token(answer.access_token.clone())?;
        Ok(answer)
    }

    /// `GET /device?user_code=…`: the status of a code, typed as the user typed it
    /// (case and dashes do not matter). Signed in, this client claims an unclaimed code,
    /// and then also learns the application and scopes asking.
    pub async fn verify(self, user_code: impl Into<UserCode>) -> Result<DeviceVerifyResponse> {
        let query = crate::api::query_string(&DeviceVerifyQuery {
            user_code: user_code.into(),
        })?;
        self.client.get_route::<route::Verify>(Some(&query)).await
    }

    /// `POST /device/approve`: the signed-in user who claimed the code (with
    /// [`DeviceAuthorizationApi::verify`]) approves it; the device's next poll signs it in
    /// as them.
    pub async fn approve(self, user_code: impl Into<UserCode>) -> Result<()> {
        let body = DeviceDecisionRequest {
            user_code: user_code.into(),
        };
        self.client.post_route::<route::Approve>(None, &body).await?;
        Ok(())
    }

    /// `POST /device/deny`: the signed-in user who claimed the code denies it; the
    /// device's next poll fails with `access_denied`.
    pub async fn deny(self, user_code: impl Into<UserCode>) -> Result<()> {
        let body = DeviceDecisionRequest {
            user_code: user_code.into(),
        };
        self.client.post_route::<route::Deny>(None, &body).await?;
        Ok(())
    }

    /// The session of the token just stored.
    async fn signed_in(self) -> Result<SessionData> {
        self.client.refresh_session(false).await?.ok_or_else(|| Error::Decode {
            message: "/device/token: the new session's token is not accepted".into(),
            body: String::new(),
        })
    }
}

fn require_bearer(client: &AuthClient) -> Result<()> {
    match client.credential_mode() {
        CredentialMode::Bearer => Ok(()),
        CredentialMode::Cookie => Err(Error::InvalidRequest {
            message: "device authorization signs in with a bearer token: use CredentialMode::Bearer".into(),
        }),
    }
}

/// `POST /device/code`.
#[derive(Debug)]
pub struct RequestCode<'a> {
    client: &'a AuthClient,
    body: DeviceCodeRequest,
}

impl RequestCode<'_> {
    /// Space-separated scopes, answered with the token.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.body.scope = Some(scope.into());
        self
    }

    /// Sends it. An application the server does not accept is [`Error::OAuth`]
    /// `invalid_client`.
    pub async fn send(self) -> Result<PendingDevice> {
        let answer = self.client.post_route::<route::Code>(None, &self.body).await?;
        Ok(PendingDevice {
            client_id: self.body.client_id,
            device_code: answer.device_code,
            user_code: answer.user_code,
            verification_uri: answer.verification_uri,
            verification_uri_complete: answer.verification_uri_complete,
            expires_in: Duration::from_secs(answer.expires_in),
            interval: Duration::from_secs(answer.interval),
        })
    }
}

into_future!(RequestCode, PendingDevice);
