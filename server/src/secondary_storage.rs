//! better-auth's `secondaryStorage`: a key-value store with expiry that several server
//! processes share (Redis, in practice), holding sessions, the list of each user's active
//! sessions and rate-limit counters.
//!
//! Keys and values are better-auth's, so Keyward and better-auth can share one Redis:
//! `<token>` → `{"session":…,"user":…}`, `active-sessions-<userId>` →
//! `[{"token":…,"expiresAt":<ms>}]` sorted by expiry, `revoked-sessions-before-<userId>`
//! → epoch milliseconds, and rate-limit counters under `<ip>|<path>`. Expiries are in
//! whole seconds.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use keyward_server::secondary_storage::{MemoryStorage, SecondaryStorage};
//! let storage = MemoryStorage::default();
//! storage.set("greeting", "hello".into(), Some(60)).await.unwrap();
//! assert_eq!(storage.get("greeting").await.unwrap().as_deref(), Some("hello"));
//! assert_eq!(storage.increment("hits", 10).await.unwrap(), 1);
//! assert_eq!(storage.increment("hits", 10).await.unwrap(), 2);
//! # }
//! ```

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod redis_storage;

pub use self::redis_storage::RedisStorage;

/// Why the storage could not answer.
#[derive(Debug, thiserror::Error)]
#[error("secondary storage unavailable: {0}")]
pub struct StorageError(pub String);

/// A key-value store with expiry, shared by every server process.
#[async_trait::async_trait]
pub trait SecondaryStorage: Send + Sync + 'static {
    /// The value of `key`, if it exists and has not expired.
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    /// Sets `key`, expiring after `ttl_seconds` (never, with `None`).
    async fn set(&self, key: &str, value: String, ttl_seconds: Option<u64>) -> Result<(), StorageError>;
    /// Removes `key`.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
    /// Removes `key` and returns what it held, atomically.
    async fn get_and_delete(&self, key: &str) -> Result<Option<String>, StorageError>;
    /// Adds one to the counter `key` and returns the new count, atomically. A new counter
    /// starts at 1 and expires after `ttl_seconds`; later increments keep that expiry.
    async fn increment(&self, key: &str, ttl_seconds: u64) -> Result<i64, StorageError>;
}

struct Entry {
    value: String,
    expires: Option<Instant>,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.expires.is_none_or(|expires| expires > now)
    }
}

/// Secondary storage in this process's memory: for one process and for tests (it is not
/// shared, and is lost on restart).
#[derive(Default)]
pub struct MemoryStorage {
    entries: Mutex<Entries>,
}

/// The entries, and how many there were after expired ones were last removed.
#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    after_prune: usize,
}

impl Entries {
    /// Inserts, first dropping expired entries whenever the map has doubled since the
    /// last sweep (so an insert costs O(1) amortized and the map never fills with dead keys).
    fn insert(&mut self, key: &str, entry: Entry, now: Instant) {
        if self.map.len() >= 2 * self.after_prune.max(64) {
            self.map.retain(|_, entry| entry.live(now));
            self.after_prune = self.map.len();
        }
        self.map.insert(key.to_owned(), entry);
    }
}

impl std::fmt::Debug for MemoryStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStorage").finish_non_exhaustive()
    }
}

impl MemoryStorage {
    fn entries(&self) -> Result<std::sync::MutexGuard<'_, Entries>, StorageError> {
        self.entries
            .lock()
            .map_err(|_| StorageError("memory storage lock poisoned".into()))
    }
}

#[async_trait::async_trait]
impl SecondaryStorage for MemoryStorage {
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        let now = Instant::now();
        Ok(self
            .entries()?
            .map
            .get(key)
            .filter(|entry| entry.live(now))
            .map(|entry| entry.value.clone()))
    }

    async fn set(&self, key: &str, value: String, ttl_seconds: Option<u64>) -> Result<(), StorageError> {
        let now = Instant::now();
        let expires = ttl_seconds.map(|ttl| now + Duration::from_secs(ttl));
        self.entries()?.insert(key, Entry { value, expires }, now);
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.entries()?.map.remove(key);
        Ok(())
    }

    async fn get_and_delete(&self, key: &str) -> Result<Option<String>, StorageError> {
        let now = Instant::now();
        Ok(self
            .entries()?
            .map
            .remove(key)
            .filter(|entry| entry.live(now))
            .map(|entry| entry.value))
    }

    async fn increment(&self, key: &str, ttl_seconds: u64) -> Result<i64, StorageError> {
        let now = Instant::now();
        let mut entries = self.entries()?;
        let entry = entries
            .map
            .get_mut(key)
            .filter(|entry| entry.live(now))
            .and_then(|entry| entry.value.parse::<i64>().ok().map(|count| (entry, count)));
        match entry {
            Some((entry, count)) => {
                entry.value = (count + 1).to_string();
                Ok(count + 1)
            }
            None => {
                entries.insert(
                    key,
                    Entry {
                        value: "1".into(),
                        expires: Some(now + Duration::from_secs(ttl_seconds)),
                    },
                    now,
                );
                Ok(1)
            }
        }
    }
}

/// Seconds from `now` until `expires_at_ms`, rounded down and never negative: the
/// expiry better-auth gives a key that lives as long as a session.
pub fn ttl_until(expires_at_ms: i64, now_ms: i64) -> u64 {
    u64::try_from((expires_at_ms - now_ms).div_euclid(1000)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_storage_expires_and_counts() {
        let storage = MemoryStorage::default();
        storage.set("a", "1".into(), Some(0)).await.expect("sets");
        assert_eq!(
            storage.get("a").await.expect("gets"),
            None,
            "a zero expiry is gone at once"
        );
        storage.set("b", "kept".into(), None).await.expect("sets");
        assert_eq!(
            storage.get_and_delete("b").await.expect("takes").as_deref(),
            Some("kept")
        );
        assert_eq!(storage.get("b").await.expect("gets"), None);
        assert_eq!(storage.increment("n", 0).await.expect("counts"), 1);
        assert_eq!(
            storage.increment("n", 0).await.expect("counts"),
            1,
            "the expired counter restarts"
        );
        assert_eq!(storage.increment("m", 60).await.expect("counts"), 1);
        assert_eq!(storage.increment("m", 60).await.expect("counts"), 2);
    }

    #[tokio::test]
    async fn memory_storage_sweeps_expired_keys_as_it_grows() {
        let storage = MemoryStorage::default();
        for i in 0..1000 {
            storage
                .set(&format!("dead-{i}"), "x".into(), Some(0))
                .await
                .expect("sets");
        }
        storage.set("alive", "y".into(), Some(60)).await.expect("sets");
        let held = storage.entries().expect("lock").map.len();
        assert!(held < 200, "expired keys were swept, {held} held");
        assert_eq!(storage.get("alive").await.expect("gets").as_deref(), Some("y"));
    }

    #[test]
    fn ttls_round_down_and_stop_at_zero() {
        assert_eq!(ttl_until(10_999, 0), 10);
        assert_eq!(ttl_until(5, 10), 0);
        assert_eq!(ttl_until(604_800_000, 0), 604_800);
    }
}
