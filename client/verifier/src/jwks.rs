//! The auth server's published keys, cached: fetched on first use, again when a token
//! names an unknown key (at most once per minimum interval) and when they are older than
//! the maximum age.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use keyward_client::wire::JsonWebKeySet;
use tokio::sync::RwLock;
use url::Url;

use crate::VerifyError;
use crate::jose::VerifyingKey;

struct Fetched {
    keys: HashMap<String, VerifyingKey>,
    at: Instant,
}

pub(crate) struct KeyCache {
    http: reqwest::Client,
    url: Url,
    max_age: Duration,
    min_refresh_interval: Duration,
    state: RwLock<Option<Fetched>>,
    fetches: AtomicU64,
}

impl KeyCache {
    pub fn new(http: reqwest::Client, url: Url, max_age: Duration, min_refresh_interval: Duration) -> Self {
        Self {
            http,
            url,
            max_age,
            min_refresh_interval,
            state: RwLock::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The key named `kid`: from the cache while it is fresh, else after fetching the
    /// keys (once for any number of callers waiting at the same time).
    pub async fn key(&self, kid: &str) -> Result<VerifyingKey, VerifyError> {
        {
            let state = self.state.read().await;
            if let Some(fetched) = state.as_ref()
                && fetched.at.elapsed() < self.max_age
                && let Some(key) = fetched.keys.get(kid)
            {
                return Ok(key.clone());
            }
        }
        let mut state = self.state.write().await;
        // Another caller may have fetched while this one waited for the lock.
        let must_fetch = match state.as_ref() {
            None => true,
            Some(fetched) if fetched.at.elapsed() >= self.max_age => true,
            Some(fetched) if fetched.keys.contains_key(kid) => false,
            Some(fetched) => fetched.at.elapsed() >= self.min_refresh_interval,
        };
        if must_fetch {
            *state = Some(self.fetch().await?);
        }
        state
            .as_ref()
            .and_then(|fetched| fetched.keys.get(kid).cloned())
            .ok_or(VerifyError::UnknownKey)
    }

    async fn fetch(&self) -> Result<Fetched, VerifyError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let unavailable = |error: reqwest::Error| VerifyError::KeysUnavailable(error.to_string());
        let set: JsonWebKeySet = self
            .http
            .get(self.url.clone())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)?;
        // A key of an algorithm this crate cannot check is left out.
        let keys = set
            .keys
            .iter()
            .filter_map(|published| Some((published.kid.clone(), VerifyingKey::from_published(published)?)))
            .collect();
        Ok(Fetched {
            keys,
            at: Instant::now(),
        })
    }
}
