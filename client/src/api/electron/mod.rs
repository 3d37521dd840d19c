//! `client.electron()`: the electron plugin's `/electron/*` (servers with
//! `@better-auth/electron` or Keyward's `electron`), and, with feature `system-browser`,
//! a native app's social sign-in through the user's default browser
//! (`client.sign_in().social(provider).in_system_browser()`).
//!
//! The browser signs in with the provider; the app gets a single-use code back (over a
//! loopback redirect or a deep link) and trades it, with the PKCE verifier only the app
//! holds, for a session of its own ([`crate::wire::electron`] has the protocol):
//!
//! ```no_run
//! # #[cfg(feature = "system-browser")]
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! use std::time::Duration;
//!
//! // Opens the provider in the default browser, waits on http://127.0.0.1:<port>/callback.
//! let signed_in = client
//!     .sign_in()
//!     .social("github")
//!     .in_system_browser()
//!     .timeout(Duration::from_secs(300))
//!     .await?;
//! println!("hello {}", signed_in.user.name);
//! # Ok(()) }
//! ```
//!
//! A web page where the user is already signed in hands the session to the app with
//! [`ElectronApi::transfer_user`]; the app then calls [`ElectronApi::token`] (or
//! [`PendingBrowserSignIn::complete`] with the deep link it received).

#[cfg(all(feature = "system-browser", not(target_arch = "wasm32")))]
mod loopback;
#[cfg(all(feature = "system-browser", not(target_arch = "wasm32")))]
mod opener;
#[cfg(all(feature = "system-browser", not(target_arch = "wasm32")))]
mod system_browser;

#[cfg(all(feature = "system-browser", not(target_arch = "wasm32")))]
pub use opener::{BrowserOpener, SystemBrowser};
#[cfg(all(feature = "system-browser", not(target_arch = "wasm32")))]
pub use system_browser::{BrowserRedirect, PendingBrowserSignIn, SystemBrowserSignIn};

use crate::client::{AuthClient, CredentialMode};
use crate::error::Result;
use crate::wire::routes::{Route, electron as route};
use crate::wire::{
    ElectronCode, ElectronTokenRequest, ElectronTransferUserQuery, ElectronTransferUserRequest,
    ElectronTransferUserResponse, PkceVerifier, SessionData,
};

impl AuthClient {
    /// The electron plugin's endpoints.
    pub fn electron(&self) -> ElectronApi<'_> {
        ElectronApi { client: self }
    }
}

/// The electron plugin's endpoints.
#[derive(Clone, Copy, Debug)]
pub struct ElectronApi<'a> {
    client: &'a AuthClient,
}

impl ElectronApi<'_> {
    /// `POST /electron/token`: trades `code` (made for `state`) and the verifier of the
    /// flow's challenge for a new session. This client is then signed in: the token is
    /// stored in bearer mode (the cookie kept in cookie mode) and the session store
    /// refreshed. A used, expired or unknown code is `404 INVALID_TOKEN`; a wrong state
    /// `400 STATE_MISMATCH`; a wrong verifier `400 INVALID_CODE_VERIFIER` (and the code is
    /// spent).
    pub async fn token(self, code: ElectronCode, state: &str, verifier: &PkceVerifier) -> Result<SessionData> {
        let body = ElectronTokenRequest {
            token: code,
            state: state.to_owned(),
            code_verifier: verifier.clone(),
        };
        let reply = self.client.post_route_reply::<route::Token>(&body).await?;
        let answer = crate::client::decode_route::<route::Token>(&reply)?;
        let bearer = self.client.credential_mode() == CredentialMode::Bearer;
        if bearer && !reply.sets_auth_token() {
            // A server without the bearer plugin: the body's token is the bearer.
            self.client.set_token(answer.token)?;
        }
        match self.client.refresh_session(false).await? {
            Some(data) => Ok(data),
            None => Err(crate::error::Error::Decode {
                message: format!("{}: signed in, but the session is not readable", route::Token::PATH),
                body: String::new(),
            }),
        }
    }

    /// `POST /electron/transfer-user`: from a client signed in on the web, a code for the
    /// app that started a flow with `client_id`, `state` and `code_challenge` (the
    /// parameters the app put on the URL it opened). With `callback_url` the answer says
    /// where the page goes next. `400 INVALID_CLIENT_ID` for an unknown client id.
    pub async fn transfer_user(
        self,
        query: &ElectronTransferUserQuery,
        callback_url: Option<String>,
    ) -> Result<ElectronTransferUserResponse> {
        let query = crate::api::query_string(query)?;
        let body = ElectronTransferUserRequest { callback_url };
        self.client.post_route::<route::TransferUser>(Some(&query), &body).await
    }
}
