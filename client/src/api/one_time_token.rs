//! `client.one_time_token()`: the one-time-token plugin's `/one-time-token/*` (servers
//! with better-auth's `oneTimeToken` or Keyward's `one-time-token`).
//!
//! A signed-in client makes a token; another client trades it for the same session, once,
//! within minutes. This hands a session from a browser to a native process (a desktop
//! app, a CLI) without the password ever leaving the browser:
//!
//! ```no_run
//! # async fn run(browser: keyward_client::AuthClient, native: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! // In the signed-in browser (or any signed-in client):
//! let token = browser.one_time_token().generate().await?;
//! // … the token reaches the native app (a deep link such as `myapp://signed-in?ott=…`) …
//! let signed_in = native.one_time_token().verify(token).await?;
//! println!("hello {}", signed_in.user.name);
//! assert!(native.session().get().is_signed_in());
//! # Ok(()) }
//! ```

use crate::client::AuthClient;
use crate::error::Result;
use crate::wire::routes::one_time_token as route;
use crate::wire::{OneTimeToken, SessionData, VerifyOneTimeTokenRequest};

impl AuthClient {
    /// One-time-token endpoints.
    pub fn one_time_token(&self) -> OneTimeTokenApi<'_> {
        OneTimeTokenApi { client: self }
    }
}

/// The one-time-token endpoints.
#[derive(Clone, Copy, Debug)]
pub struct OneTimeTokenApi<'a> {
    client: &'a AuthClient,
}

impl OneTimeTokenApi<'_> {
    /// `GET /one-time-token/generate`: a token for this client's session (three minutes by
    /// default, single use). Fails with `401` when signed out, and with `400` when the
    /// server makes tokens only from its own code (`disableClientRequest`).
    pub async fn generate(self) -> Result<OneTimeToken> {
        let answer = self.client.get_route::<route::Generate>(None).await?;
        Ok(answer.token)
    }

    /// `POST /one-time-token/verify`: trades `token` for its session and user. The server
    /// sets that session's cookie (and `set-auth-token`), so this client is then signed in
    /// as that user: the token is stored in bearer mode, the cookie kept in cookie mode,
    /// and the session store refreshed. A server configured with
    /// `disableSetSessionCookie` only answers who the token belongs to, and this client's
    /// session stays as it was. A used, expired or unknown token is `400 Invalid token`.
    pub async fn verify(self, token: impl Into<OneTimeToken>) -> Result<SessionData> {
        let body = VerifyOneTimeTokenRequest { token: token.into() };
        let answer = self.client.post_route::<route::Verify>(None, &body).await?;
        let _ = self.client.refresh_session(false).await;
        Ok(answer)
    }
}
