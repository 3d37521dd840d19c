//! `client.get_session()`, `client.sign_out()` and `client.sessions()`:
//! `/get-session`, `/sign-out`, `/list-sessions`, `/revoke-session(s)`,
//! `/revoke-other-sessions`, `/update-session`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! // Force a database read on a sensitive screen (bypasses a server-side cookie cache).
//! let fresh = client.get_session().disable_cookie_cache().await?;
//! for device in client.sessions().list().await? {
//!     println!("{:?} {:?}", device.user_agent, device.ip_address);
//! }
//! client.sessions().revoke_others().await?;
//! client.sign_out().await?;
//! # let _ = fresh; Ok(()) }
//! ```

use serde_json::{Map, Value};

use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::session_store::{SessionEvent, apply_result, apply_session, request_session};
use crate::wire::routes as route;
use crate::wire::{
    EmptyRequest, GetSessionQuery, RevokeSessionRequest, Session, SessionData, SessionToken, SignOutRequest,
    UpdateSessionRequest,
};

impl AuthClient {
    /// `GET /get-session`: the current session, also published to the session store.
    pub fn get_session(&self) -> GetSession<'_> {
        GetSession {
            client: self,
            query: GetSessionQuery::default(),
        }
    }

    /// `POST /sign-out`: ends the session, forgets the token and cookies, and publishes
    /// the signed-out state.
    pub async fn sign_out(&self) -> Result<()> {
        self.post_route::<route::SignOut>(None, &SignOutRequest::default())
            .await?;
        self.clear_credentials()?;
        self.session_store_set_signed_out(Some(SessionEvent::SignedOut));
        crate::session_store::broadcast(self, crate::session_store::Broadcast::SignOut);
        self.refresh_stores_after_sign_out().await;
        Ok(())
    }

    /// The signed-in user's sessions (devices).
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions { client: self }
    }
}

/// `GET /get-session`.
#[derive(Debug)]
pub struct GetSession<'a> {
    client: &'a AuthClient,
    query: GetSessionQuery,
}

impl GetSession<'_> {
    /// Read the database even if the server keeps a cookie cache.
    pub fn disable_cookie_cache(mut self) -> Self {
        self.query.disable_cookie_cache = true;
        self
    }

    /// Do not roll the session's expiry forward.
    pub fn disable_refresh(mut self) -> Self {
        self.query.disable_refresh = true;
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<Option<SessionData>> {
        let result = request_session(self.client, self.query).await;
        apply_result(self.client, &result);
        result
    }
}

into_future!(GetSession, Option<SessionData>);

/// Session management endpoints.
#[derive(Clone, Copy, Debug)]
pub struct Sessions<'a> {
    client: &'a AuthClient,
}

impl Sessions<'_> {
    /// `GET /list-sessions`: every live session of the user (needs a fresh session).
    pub async fn list(self) -> Result<Vec<Session>> {
        self.client.get_route::<route::ListSessions>(None).await
    }

    /// `POST /revoke-session`: ends one session (a token from [`Sessions::list`]).
    /// Revoking the current session signs this client out.
    pub async fn revoke(self, token: impl Into<SessionToken>) -> Result<()> {
        let token = token.into();
        let current = self.client.session().get().data.map(|d| d.session.token);
        self.client
            .post_route::<route::RevokeSession>(None, &RevokeSessionRequest { token: token.clone() })
            .await?;
        if current.as_ref() == Some(&token) {
            self.client.clear_credentials()?;
            self.client.session_store_set_signed_out(Some(SessionEvent::SignedOut));
        } else {
            let _ = self.client.refresh_session(false).await;
        }
        Ok(())
    }

    /// `POST /revoke-other-sessions`: ends every session but this one.
    pub async fn revoke_others(self) -> Result<()> {
        self.client
            .post_route::<route::RevokeOtherSessions>(None, &EmptyRequest {})
            .await?;
        let _ = self.client.refresh_session(false).await;
        Ok(())
    }

    /// `POST /revoke-sessions`: ends every session, this one included (signs out).
    pub async fn revoke_all(self) -> Result<()> {
        self.client
            .post_route::<route::RevokeSessions>(None, &EmptyRequest {})
            .await?;
        self.client.clear_credentials()?;
        self.client.session_store_set_signed_out(Some(SessionEvent::SignedOut));
        crate::session_store::broadcast(self.client, crate::session_store::Broadcast::SignOut);
        Ok(())
    }

    /// `POST /update-session`: sets the session's additional fields.
    pub async fn update(self, fields: Map<String, Value>) -> Result<Session> {
        let response = self
            .client
            .post_route::<route::UpdateSession>(None, &UpdateSessionRequest { fields })
            .await?;
        apply_session(self.client, response.session.clone());
        crate::session_store::broadcast(self.client, crate::session_store::Broadcast::UpdateUser);
        Ok(response.session)
    }
}
