//! [`SecondaryStorage`] on Redis: one multiplexed connection that reconnects by itself,
//! with short timeouts so a Redis outage fails requests quickly instead of hanging them.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{SecondaryStorage, StorageError};

/// How long a command may take before the request fails.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long connecting (or reconnecting) may take.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(1);

/// `INCR`, and the expiry only when the counter was created (a fixed window).
const INCREMENT: &str = r"local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count";

/// Secondary storage on Redis (`REDIS_URL`), with an optional key prefix.
#[derive(Clone)]
pub struct RedisStorage {
    connection: ConnectionManager,
    prefix: String,
    increment: redis::Script,
}

impl std::fmt::Debug for RedisStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStorage")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn unavailable(error: redis::RedisError) -> StorageError {
    StorageError(error.to_string())
}

impl RedisStorage {
    /// Connects to `url` (`redis://host:port/db`); keys get `prefix` in front (empty to
    /// share better-auth's keys as they are).
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StorageError> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECTION_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = tokio::time::timeout(
            RESPONSE_TIMEOUT + CONNECTION_TIMEOUT,
            client.get_connection_manager_with_config(config),
        )
        .await
        .map_err(|_| StorageError(format!("connecting to {url} timed out")))?
        .map_err(unavailable)?;
        Ok(Self {
            connection,
            prefix: prefix.to_owned(),
            increment: redis::Script::new(INCREMENT),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

#[async_trait::async_trait]
impl SecondaryStorage for RedisStorage {
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        let mut connection = self.connection.clone();
        connection.get(self.key(key)).await.map_err(unavailable)
    }

    async fn set(&self, key: &str, value: String, ttl_seconds: Option<u64>) -> Result<(), StorageError> {
        let mut connection = self.connection.clone();
        let key = self.key(key);
        match ttl_seconds {
            // A key that would live zero seconds is gone at once (Redis refuses `EX 0`).
            Some(0) => connection.del::<_, ()>(key).await,
            Some(ttl) => connection.set_ex::<_, _, ()>(key, value, ttl).await,
            None => connection.set::<_, _, ()>(key, value).await,
        }
        .map_err(unavailable)
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let mut connection = self.connection.clone();
        connection.del::<_, ()>(self.key(key)).await.map_err(unavailable)
    }

    async fn get_and_delete(&self, key: &str) -> Result<Option<String>, StorageError> {
        let mut connection = self.connection.clone();
        connection.get_del(self.key(key)).await.map_err(unavailable)
    }

    async fn increment(&self, key: &str, ttl_seconds: u64) -> Result<i64, StorageError> {
        let mut connection = self.connection.clone();
        self.increment
            .key(self.key(key))
            .arg(ttl_seconds.max(1))
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)
    }
}
