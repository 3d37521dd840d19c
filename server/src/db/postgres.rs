//! PostgreSQL connections, pooled here.
//!
//! sqlx's own pool checks every connection with a round trip (`Sync` → `ReadyForQuery`)
//! when it is handed back, whatever happened: on `/get-session` that doubled the round
//! trips (and the kernel's loopback work, which dominated the profile). This pool trusts a
//! connection whose last statement ran to the end, throws away one whose statement was
//! cut short (a cancelled request, an I/O error), and checks only connections that sat
//! idle for a while.
//!
//! Measured on a 2-core machine against the local PostgreSQL (16 tasks, 10 connections,
//! `select $1::int4`, 3 rounds of 5 s, sqlx 0.9): sqlx's `PgPool` 24.8k–29.5k queries/s at
//! 19–20 µs of client CPU a query; the same connections kept in an idle list as here
//! 67.1k–75.6k queries/s at 6.4–6.9 µs. The pools built on `tokio-postgres`
//! (`deadpool-postgres`, `bb8-postgres`) would mean a second PostgreSQL driver beside
//! sqlx's, whose types and errors the rest of `db` uses.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgConnection, PgDatabaseError, PgRow, PgSeverity};
use sqlx::{ConnectOptions, Connection, Executor};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{Arg, postgres_query};

/// Connections open at most.
const MAX_CONNECTIONS: usize = 10;
/// How long a query waits for a free connection (or a new one) before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may sit idle before it is checked on acquire.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(5);

/// A pool of PostgreSQL connections.
#[derive(Clone, Debug)]
pub(crate) struct PgPool(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    options: PgConnectOptions,
    idle: Mutex<Vec<Idle>>,
    slots: Arc<Semaphore>,
}

#[derive(Debug)]
struct Idle {
    connection: PgConnection,
    since: Instant,
}

impl PgPool {
    /// Parses `url` and opens a first connection, so a wrong URL fails at start.
    pub(crate) async fn open(url: &str) -> Result<Self, sqlx::Error> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = Self(Arc::new(Inner {
            options,
            idle: Mutex::new(Vec::new()),
            slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
        }));
        drop(pool.acquire().await?);
        Ok(pool)
    }

    /// A connection: an idle one (checked if it idled long), or a new one.
    pub(crate) async fn acquire(&self) -> Result<PgLease, sqlx::Error> {
        let deadline = Instant::now() + ACQUIRE_TIMEOUT;
        let slot = tokio::time::timeout(ACQUIRE_TIMEOUT, self.0.slots.clone().acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        loop {
            let idle = self.0.idle.lock().ok().and_then(|mut idle| idle.pop());
            let Some(Idle { mut connection, since }) = idle else {
                break;
            };
            if since.elapsed() < IDLE_BEFORE_PING || connection.ping().await.is_ok() {
                return Ok(self.lease(connection, slot));
            }
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        let connection = tokio::time::timeout(remaining, self.0.options.connect())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        Ok(self.lease(connection, slot))
    }

    fn lease(&self, connection: PgConnection, slot: OwnedSemaphorePermit) -> PgLease {
        PgLease {
            pool: self.clone(),
            connection: Some(connection),
            clean: true,
            slot: Some(slot),
        }
    }

    fn give_back(&self, connection: PgConnection) {
        if self.0.slots.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.0.idle.lock() {
            idle.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
    }

    /// Starts a transaction.
    pub(crate) async fn begin(&self) -> Result<PgTx, sqlx::Error> {
        let mut lease = self.acquire().await?;
        lease.raw("BEGIN").await?;
        Ok(PgTx { lease, open: true })
    }

    fn drop_idle(&self) {
        if let Ok(mut idle) = self.0.idle.lock() {
            idle.clear();
        }
    }

    /// Closes every connection and refuses new queries.
    pub(crate) fn close(&self) {
        self.0.slots.close();
        if let Ok(mut idle) = self.0.idle.lock() {
            idle.clear();
        }
    }
}

/// Whether a connection is fit for reuse after a statement ended with `result`: it ran
/// to the end (successfully, or with an error PostgreSQL reported, after which the
/// connection is ready again), unless the error ended the session itself (`FATAL`: the
/// server is shutting down or an administrator terminated the backend).
fn reusable<T>(result: &Result<T, sqlx::Error>) -> bool {
    match result {
        Ok(_) => true,
        Err(sqlx::Error::Database(error)) => error
            .try_downcast_ref::<PgDatabaseError>()
            .is_some_and(|error| !matches!(error.severity(), PgSeverity::Fatal | PgSeverity::Panic)),
        Err(_) => false,
    }
}

/// Whether `error` means the connection itself is gone: cut, broken, or ended by the
/// server (`FATAL`, as when it shuts down).
fn connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(error) => error
            .try_downcast_ref::<PgDatabaseError>()
            .is_some_and(|error| matches!(error.severity(), PgSeverity::Fatal | PgSeverity::Panic)),
        _ => false,
    }
}

/// A connection taken from the pool; back to it when dropped if its last statement ran
/// to the end.
#[derive(Debug)]
pub(crate) struct PgLease {
    pool: PgPool,
    connection: Option<PgConnection>,
    /// False while a statement runs: dropped then (a cancelled request), the connection
    /// is in an unknown state and is closed.
    clean: bool,
    slot: Option<OwnedSemaphorePermit>,
}

impl PgLease {
    fn connection(&mut self) -> Result<&mut PgConnection, sqlx::Error> {
        self.clean = false;
        self.connection.as_mut().ok_or(sqlx::Error::PoolClosed)
    }

    fn ended<T>(&mut self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        self.clean = reusable(&result);
        if let Err(error) = &result
            && connection_lost(error)
        {
            // The server went away (a restart, a failover): the idle connections went
            // with it, so the next requests connect afresh instead of failing on them.
            self.pool.drop_idle();
        }
        result
    }

    /// Runs a statement without arguments (simple protocol).
    async fn raw(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        let result = self.connection()?.execute(sql).await.map(|_| ());
        self.ended(result)
    }

    /// Runs one statement; the number of rows it affected.
    pub(crate) async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
        let connection = self.connection()?;
        let result = postgres_query(sql, args)
            .execute(&mut *connection)
            .await
            .map(|done| done.rows_affected());
        self.ended(result)
    }

    /// Runs a query expected to return at most one row.
    pub(crate) async fn fetch_optional(&mut self, sql: &str, args: Vec<Arg>) -> Result<Option<PgRow>, sqlx::Error> {
        let connection = self.connection()?;
        let result = postgres_query(sql, args).fetch_optional(&mut *connection).await;
        self.ended(result)
    }

    /// Runs a query and returns every row.
    pub(crate) async fn fetch_all(&mut self, sql: &str, args: Vec<Arg>) -> Result<Vec<PgRow>, sqlx::Error> {
        let connection = self.connection()?;
        let result = postgres_query(sql, args).fetch_all(&mut *connection).await;
        self.ended(result)
    }
}

impl Drop for PgLease {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take()
            && self.clean
        {
            self.pool.give_back(connection);
        }
    }
}

/// A transaction: rolled back when dropped without [`PgTx::commit`].
#[derive(Debug)]
pub struct PgTx {
    lease: PgLease,
    open: bool,
}

impl PgTx {
    /// Commits.
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.lease.raw("COMMIT").await?;
        self.open = false;
        Ok(())
    }

    /// The connection the transaction runs on.
    pub(crate) fn lease(&mut self) -> &mut PgLease {
        &mut self.lease
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if !self.open || !self.lease.clean {
            return;
        }
        // Roll back in the background, then the connection is reusable; with no runtime
        // left, closing the connection ends the transaction on the server.
        let (Some(mut connection), Some(slot)) = (self.lease.connection.take(), self.lease.slot.take()) else {
            return;
        };
        let pool = self.lease.pool.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if connection.execute("ROLLBACK").await.is_ok() {
                    pool.give_back(connection);
                }
                drop(slot);
            });
        }
    }
}
