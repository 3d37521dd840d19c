//! Sessions of any user: list and revoke them, and impersonation (which swaps this
//! client's own session).

use serde::Serialize;

use super::AdminApi;
use crate::error::Result;
use crate::wire::admin::{RevokeUserSessionRequest, UserIdRequest};
use crate::wire::routes::Route;
use crate::wire::routes::admin as route;
use crate::wire::{EmptyRequest, Session, SessionData, SessionToken};

impl AdminApi<'_> {
    /// `POST /admin/list-user-sessions`: every session of a user, impersonated ones too.
    pub async fn list_user_sessions(self, user_id: impl Into<String>) -> Result<Vec<Session>> {
        let answer = self.post_user_id::<route::ListUserSessions>(user_id).await?;
        Ok(answer.sessions)
    }

    /// `POST /admin/impersonate-user`: this client is signed in as the user (its token
    /// replaced, the session store refreshed) until
    /// [`stop_impersonating`](AdminApi::stop_impersonating). The admin's own session is
    /// kept by the server's `admin_session` cookie, which the client holds meanwhile.
    pub async fn impersonate_user(self, user_id: impl Into<String>) -> Result<SessionData> {
        let body = UserIdRequest {
            user_id: user_id.into(),
        };
        self.adopt_session::<route::ImpersonateUser>(&body).await
    }

    /// `POST /admin/stop-impersonating`: ends the impersonated session and signs this
    /// client back in as the admin (token and session store).
    pub async fn stop_impersonating(self) -> Result<SessionData> {
        self.adopt_session::<route::StopImpersonating>(&EmptyRequest {}).await
    }

    /// Sends a call answering with a session this client now holds: keeps its token (the
    /// `set-auth-token` header's when there is one) and refreshes the session store.
    async fn adopt_session<R>(self, body: &R::Request) -> Result<SessionData>
    where
        R: Route<Response = SessionData>,
        R::Request: Serialize,
    {
        let reply = self.client.post_route_reply::<R>(body).await?;
        let data = crate::client::decode_route::<R>(&reply)?;
        self.client.keep_token_of(&reply, &data.session.token)?;
        let _ = self.client.refresh_session(false).await;
        Ok(data)
    }

    /// `POST /admin/revoke-user-session`: ends one session (a token from
    /// [`list_user_sessions`](AdminApi::list_user_sessions)).
    pub async fn revoke_user_session(self, token: impl Into<SessionToken>) -> Result<()> {
        let body = RevokeUserSessionRequest {
            session_token: token.into(),
        };
        self.client.post_route::<route::RevokeUserSession>(None, &body).await?;
        Ok(())
    }

    /// `POST /admin/revoke-user-sessions`: ends every session of a user.
    pub async fn revoke_user_sessions(self, user_id: impl Into<String>) -> Result<()> {
        self.post_user_id::<route::RevokeUserSessions>(user_id).await?;
        Ok(())
    }
}
