//! Session tokens and cookies checked through the auth server's `/get-session`, with a
//! short cache per credential and one request for any number of callers asking about the
//! same credential at once.

use std::time::Duration;

use keyward_client::wire::SessionData;
use url::Url;

use crate::VerifyError;
use crate::cache::Coalesced;

/// How a request presents its session.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SessionCredential {
    /// `Authorization: Bearer <session token>` (better-auth's bearer plugin).
    Bearer(String),
    /// The request's `Cookie` header (a browser on the auth server's site).
    Cookie(String),
}

pub(crate) struct SessionCache {
    http: reqwest::Client,
    url: Url,
    answers: Coalesced<SessionCredential, Option<SessionData>>,
}

impl SessionCache {
    pub fn new(http: reqwest::Client, url: Url, ttl: Duration) -> Self {
        Self {
            http,
            url,
            answers: Coalesced::new(ttl),
        }
    }

    pub fn fetches(&self) -> u64 {
        self.answers.fetches()
    }

    /// The session `credential` holds: the cached answer while it is fresh, else the auth
    /// server's.
    pub async fn session(&self, credential: &SessionCredential) -> Result<Option<SessionData>, VerifyError> {
        self.answers.get(credential, || self.fetch(credential)).await
    }

    async fn fetch(&self, credential: &SessionCredential) -> Result<Option<SessionData>, VerifyError> {
        let request = self.http.get(self.url.clone());
        let request = match credential {
            SessionCredential::Bearer(token) => request.bearer_auth(token),
            SessionCredential::Cookie(cookies) => request.header(reqwest::header::COOKIE, cookies),
        };
        let unavailable = |error: reqwest::Error| VerifyError::SessionsUnavailable(error.to_string());
        let response = request.send().await.map_err(unavailable)?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Ok(None);
        }
        response
            .error_for_status()
            .map_err(unavailable)?
            .json::<Option<SessionData>>()
            .await
            .map_err(unavailable)
    }
}
