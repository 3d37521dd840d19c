//! `client.multi_session()`: the multi-session plugin's device sessions (servers with
//! better-auth's `multiSession` or Keyward's): several accounts signed in on one device,
//! listed, switched between and signed out one by one.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! client.sign_in().email("ada@example.com", "correct-horse-battery").await?;
//! client.sign_in().email("bob@example.com", "correct-horse-battery").await?; // Bob is active
//! let accounts = client.multi_session().device_sessions(); // a reactive store
//! for account in client.multi_session().list_device_sessions().await? {
//!     println!("{} on this device", account.user.email);
//! }
//! let ada = accounts.refetch().await?.unwrap_or_default().into_iter().find(|a| a.user.email == "ada@example.com");
//! if let Some(ada) = ada {
//!     client.multi_session().set_active(ada.session.token).await?; // Ada is active again
//! }
//! # Ok(()) }
//! ```
//!
//! The server keeps the device's sessions in cookies (`<session cookie>_multi-<token>`),
//! one per sign-in: a cookie-mode client (a browser, or a native client's own cookie jar)
//! holds them as a browser does. A bearer-mode client keeps them in its jar too and sends
//! them along with its token, so every method here works; the jar is not in the token
//! store, though, so after a restart a bearer client knows only its active session (keep
//! one client per account, each with its own token store, to hold several accounts across
//! restarts). Failures are [`Error::Api`](crate::Error::Api) with `INVALID_SESSION_TOKEN`
//! (401) for a token this device holds no cookie for.

use crate::client::AuthClient;
use crate::error::Result;
use crate::query_store::QueryHandle;
use crate::wire::routes::Route;
use crate::wire::routes::multi_session as route;
use crate::wire::{SessionData, SessionToken, SessionTokenRequest};

impl AuthClient {
    /// Multi-session endpoints.
    pub fn multi_session(&self) -> MultiSessionApi<'_> {
        MultiSessionApi { client: self }
    }
}

/// The multi-session endpoints.
#[derive(Clone, Copy, Debug)]
pub struct MultiSessionApi<'a> {
    client: &'a AuthClient,
}

impl MultiSessionApi<'_> {
    /// `GET /multi-session/list-device-sessions`: the live sessions this device holds,
    /// one per user, in the order the device's cookies go.
    pub async fn list_device_sessions(self) -> Result<Vec<SessionData>> {
        self.client.get_route::<route::ListDeviceSessions>(None).await
    }

    /// The device sessions as a reactive store (fetched when first used, refetched after
    /// every sign-in, [`set_active`](Self::set_active) and [`revoke`](Self::revoke),
    /// cleared on sign-out).
    pub fn device_sessions(self) -> QueryHandle<Vec<SessionData>> {
        self.client.query(route::ListDeviceSessions::PATH)
    }

    /// `POST /multi-session/set-active`: makes one of the device's sessions the active one
    /// (its cookie, or the bearer token) and refreshes the session store, as better-auth's
    /// `multiSessionClient` signals the session atom.
    pub async fn set_active(self, session_token: impl Into<SessionToken>) -> Result<SessionData> {
        let body = SessionTokenRequest {
            session_token: session_token.into(),
        };
        let reply = self.client.post_route_reply::<route::SetActive>(&body).await?;
        let data = crate::client::decode_route::<route::SetActive>(&reply)?;
        self.client.keep_token_of(&reply, &data.session.token)?;
        let _ = self.client.refresh_session(false).await;
        Ok(data)
    }

    /// `POST /multi-session/revoke`: ends one of the device's sessions. When it was the
    /// active one, the server makes the next live one active (the client follows), or the
    /// client is signed out.
    pub async fn revoke(self, session_token: impl Into<SessionToken>) -> Result<()> {
        let body = SessionTokenRequest {
            session_token: session_token.into(),
        };
        let active = self.client.session().get().data.map(|data| data.session.token);
        let reply = self.client.post_route_reply::<route::Revoke>(&body).await?;
        let was_active = active.as_ref() == Some(&body.session_token);
        if was_active && !reply.sets_auth_token() {
            self.client.clear_credentials()?;
            self.client
                .session_store_set_signed_out(Some(crate::session_store::SessionEvent::SignedOut));
            return Ok(());
        }
        let _ = self.client.refresh_session(false).await;
        Ok(())
    }
}
