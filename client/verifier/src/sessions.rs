//! Session tokens and cookies checked through the auth server's `/get-session`, with a
//! short cache per credential and one request for any number of callers asking about the
//! same credential at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use keyward_client::wire::SessionData;
use url::Url;

use crate::VerifyError;

/// How a request presents its session.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SessionCredential {
    /// `Authorization: Bearer <session token>` (better-auth's bearer plugin).
    Bearer(String),
    /// The request's `Cookie` header (a browser on the auth server's site).
    Cookie(String),
}

/// One credential's answer, and when it was fetched.
type Entry = Arc<tokio::sync::Mutex<Option<(Instant, Option<SessionData>)>>>;

pub(crate) struct SessionCache {
    http: reqwest::Client,
    url: Url,
    ttl: Duration,
    entries: Mutex<HashMap<SessionCredential, Entry>>,
    fetches: AtomicU64,
}

impl SessionCache {
    pub fn new(http: reqwest::Client, url: Url, ttl: Duration) -> Self {
        Self {
            http,
            url,
            ttl,
            entries: Mutex::new(HashMap::new()),
            fetches: AtomicU64::new(0),
        }
    }

    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn entry(&self, credential: &SessionCredential) -> Entry {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() > 10_000 {
            // Forget the answers that are stale anyway, so the map stays bounded.
            entries.retain(|_, entry| {
                entry
                    .try_lock()
                    .map(|held| held.as_ref().is_some_and(|(at, _)| at.elapsed() < self.ttl))
                    .unwrap_or(true)
            });
        }
        entries.entry(credential.clone()).or_default().clone()
    }

    /// The session `credential` holds: the cached answer while it is fresh, else the auth
    /// server's (callers asking at the same time wait for one request).
    pub async fn session(&self, credential: &SessionCredential) -> Result<Option<SessionData>, VerifyError> {
        let entry = self.entry(credential);
        let mut held = entry.lock().await;
        if let Some((at, answer)) = held.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(answer.clone());
        }
        let answer = self.fetch(credential).await?;
        *held = Some((Instant::now(), answer.clone()));
        Ok(answer)
    }

    async fn fetch(&self, credential: &SessionCredential) -> Result<Option<SessionData>, VerifyError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
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
