//! Answers of the auth server kept for a short time per credential, with one request for
//! any number of callers asking about the same credential at once.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::VerifyError;

/// One credential's answer, and when it was fetched.
type Entry<V> = Arc<tokio::sync::Mutex<Option<(Instant, V)>>>;

/// Entries above this many make the next lookup forget the stale ones.
const PRUNE_ABOVE: usize = 10_000;

pub(crate) struct Coalesced<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, Entry<V>>>,
    fetches: AtomicU64,
}

impl<K: Clone + Eq + Hash, V: Clone> Coalesced<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many times `fetch` ran.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn entry(&self, key: &K) -> Entry<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() > PRUNE_ABOVE {
            entries.retain(|_, entry| {
                entry
                    .try_lock()
                    .map(|held| held.as_ref().is_some_and(|(at, _)| at.elapsed() < self.ttl))
                    .unwrap_or(true)
            });
        }
        entries.entry(key.clone()).or_default().clone()
    }

    /// The answer for `key`: the cached one while fresh, else `fetch`'s (callers asking at
    /// the same time wait for one fetch). Errors are not kept.
    pub async fn get<F, Fut>(&self, key: &K, fetch: F) -> Result<V, VerifyError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, VerifyError>>,
    {
        let entry = self.entry(key);
        let mut held = entry.lock().await;
        if let Some((at, answer)) = held.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(answer.clone());
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let answer = fetch().await?;
        *held = Some((Instant::now(), answer.clone()));
        Ok(answer)
    }
}
