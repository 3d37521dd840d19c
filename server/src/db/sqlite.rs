//! SQLite, called in place.
//!
//! A SQLite query takes microseconds; handing it to a driver thread and waking the task
//! again cost more than the query itself (the profile of `/get-session` under load was
//! dominated by those thread wake-ups). So statements run on the calling task's thread,
//! on pooled connections with cached prepared statements. Writers take an async lock
//! first, so two writers of this process never meet inside SQLite's busy handler; reads
//! never wait for writers (WAL).
//!
//! The pool is written here because the async ones for SQLite hand statements to other
//! threads: sqlx's SQLite driver runs each on a worker thread (the profile: 30% kernel
//! time in the request workers, 20% in `sqlx-sqlite-worker`), and `deadpool-sqlite`'s
//! `interact` is the same hop through the blocking pool. Running them in place took
//! get-session at c=16 from 14.9k to 37.0k req/s with wrk (commit e248a11). `r2d2`
//! would block a runtime worker while it waits for a connection, where this pool waits
//! on a semaphore.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use keyward_client::wire::time::format_iso;

use super::Arg;

/// How long a writer waits for this process's other writer before giving up with
/// "database is locked" (SQLite's own busy timeout covers other processes).
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// A pool of SQLite connections to one database.
#[derive(Clone, Debug)]
pub(crate) struct LitePool(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    path: String,
    in_memory: bool,
    idle: Mutex<Vec<Pooled>>,
    slots: Arc<Semaphore>,
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// Column-name lists kept per connection at most (statements are cached up to 256 too).
const COLUMN_LISTS: usize = 256;

/// A pooled connection, and the column names of the statements it ran (asked of SQLite
/// once per statement, not per query).
#[derive(Debug)]
struct Pooled {
    connection: Connection,
    column_names: HashMap<String, Arc<[String]>>,
}

/// A connection taken from the pool, returned when dropped.
#[derive(Debug)]
pub(crate) struct Lease {
    pool: LitePool,
    connection: Option<Pooled>,
    _slot: OwnedSemaphorePermit,
}

impl Lease {
    fn get(&mut self) -> Result<&mut Pooled, sqlx::Error> {
        self.connection.as_mut().ok_or(sqlx::Error::PoolClosed)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take()
            && let Ok(mut idle) = self.pool.0.idle.lock()
        {
            idle.push(connection);
        }
    }
}

/// An SQLite error as sqlx reports database errors, so callers see one error type and
/// `is_unique_violation` works on both dialects.
#[derive(Debug)]
struct LiteError {
    message: String,
    code: Option<i32>,
    source: rusqlite::Error,
}

impl std::fmt::Display for LiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LiteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl sqlx::error::DatabaseError for LiteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.code.map(|code| code.to_string().into())
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        match self.code {
            Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                sqlx::error::ErrorKind::UniqueViolation
            }
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => sqlx::error::ErrorKind::ForeignKeyViolation,
            Some(ffi::SQLITE_CONSTRAINT_NOTNULL) => sqlx::error::ErrorKind::NotNullViolation,
            Some(ffi::SQLITE_CONSTRAINT_CHECK) => sqlx::error::ErrorKind::CheckViolation,
            _ => sqlx::error::ErrorKind::Other,
        }
    }
}

fn error(source: rusqlite::Error) -> sqlx::Error {
    let code = match &source {
        rusqlite::Error::SqliteFailure(failure, _) => Some(failure.extended_code),
        _ => None,
    };
    sqlx::Error::Database(Box::new(LiteError {
        message: source.to_string(),
        code,
        source,
    }))
}

/// A result row: the column names of its statement and its values.
#[derive(Debug)]
pub struct LiteRow {
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

impl LiteRow {
    /// Where `column` is among the row's columns.
    pub(crate) fn position(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|name| name == column)
    }

    /// The value at `index`.
    pub(crate) fn get(&self, index: usize) -> Option<&SqlValue> {
        self.values.get(index)
    }

    /// How many columns the row has.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

/// SQLite's own conversions (as `sqlite3_column_text` and `_int64` apply them).
pub(crate) mod convert {
    use rusqlite::types::Value;

    /// As text.
    pub fn text(value: &Value) -> Option<String> {
        match value {
            Value::Null => None,
            Value::Integer(v) => Some(v.to_string()),
            Value::Real(v) => Some(v.to_string()),
            Value::Text(v) => Some(v.clone()),
            Value::Blob(v) => Some(String::from_utf8_lossy(v).into_owned()),
        }
    }

    /// As an integer (text: its leading number, else 0).
    pub fn int(value: &Value) -> Option<i64> {
        match value {
            Value::Null => None,
            Value::Integer(v) => Some(*v),
            Value::Real(v) => Some(*v as i64),
            Value::Text(v) => Some(
                v.trim()
                    .parse::<i64>()
                    .or_else(|_| v.trim().parse::<f64>().map(|f| f as i64))
                    .unwrap_or(0),
            ),
            Value::Blob(_) => Some(0),
        }
    }

    /// As a float (text: its number, else 0).
    pub fn float(value: &Value) -> Option<f64> {
        match value {
            Value::Null => None,
            Value::Integer(v) => Some(*v as f64),
            Value::Real(v) => Some(*v),
            Value::Text(v) => Some(v.trim().parse::<f64>().unwrap_or(0.0)),
            Value::Blob(_) => Some(0.0),
        }
    }
}

fn to_sql(arg: Arg) -> SqlValue {
    match arg {
        Arg::Text(value) => value.map_or(SqlValue::Null, SqlValue::Text),
        Arg::Int(value) => value.map_or(SqlValue::Null, SqlValue::Integer),
        Arg::Float(value) => value.map_or(SqlValue::Null, SqlValue::Real),
        Arg::Bool(value) => value.map_or(SqlValue::Null, |b| SqlValue::Integer(i64::from(b))),
        Arg::Time(value) => value.map_or(SqlValue::Null, |time| SqlValue::Text(format_iso(&time))),
        Arg::TextList(values) => SqlValue::Text(serde_json::Value::from(values).to_string()),
    }
}

/// `$1`, `$2`, … as SQLite looks placeholders up by name.
fn placeholder(number: usize) -> std::borrow::Cow<'static, str> {
    static NAMES: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| (1..=32).map(|n| format!("${n}")).collect());
    match NAMES.get(number - 1) {
        Some(name) => name.as_str().into(),
        None => format!("${number}").into(),
    }
}

/// What [`run`] did.
enum Ran {
    /// The rows, and how many rows changed.
    Done(Vec<LiteRow>, u64),
    /// Nothing: the statement writes, and writes were not allowed (the arguments back).
    Writes(Vec<Arg>),
}

/// Runs `sql` with `$1…$n` bound by number and returns its rows (and the rows changed),
/// unless it writes and `may_write` is false.
fn run(pooled: &mut Pooled, sql: &str, args: Vec<Arg>, may_write: bool) -> Result<Ran, sqlx::Error> {
    let Pooled {
        connection,
        column_names,
    } = pooled;
    let mut statement = connection.prepare_cached(sql).map_err(error)?;
    if !may_write && !statement.readonly() {
        return Ok(Ran::Writes(args));
    }
    for (index, arg) in args.into_iter().enumerate() {
        if let Some(position) = statement.parameter_index(&placeholder(index + 1)).map_err(error)? {
            statement.raw_bind_parameter(position, to_sql(arg)).map_err(error)?;
        }
    }
    let columns = match column_names.get(sql) {
        Some(columns) => columns.clone(),
        None => {
            let columns: Arc<[String]> = statement.column_names().into_iter().map(str::to_owned).collect();
            if column_names.len() >= COLUMN_LISTS {
                column_names.clear();
            }
            column_names.insert(sql.to_owned(), columns.clone());
            columns
        }
    };
    let mut rows = Vec::new();
    let mut cursor = statement.raw_query();
    while let Some(row) = cursor.next().map_err(error)? {
        let mut values = Vec::with_capacity(columns.len());
        for index in 0..columns.len() {
            values.push(row.get::<usize, SqlValue>(index).unwrap_or(SqlValue::Null));
        }
        rows.push(LiteRow {
            columns: columns.clone(),
            values,
        });
    }
    drop(cursor);
    drop(statement);
    Ok(Ran::Done(rows, connection.changes()))
}

/// Runs `sql`, which may write.
fn run_writing(pooled: &mut Pooled, sql: &str, args: Vec<Arg>) -> Result<(Vec<LiteRow>, u64), sqlx::Error> {
    match run(pooled, sql, args, true)? {
        Ran::Done(rows, changed) => Ok((rows, changed)),
        Ran::Writes(_) => Err(sqlx::Error::Protocol("a write was refused".into())),
    }
}

impl LitePool {
    /// Opens the database of a `sqlite:` URL (created if missing; WAL unless in memory).
    pub(crate) fn open(url: &str) -> Result<Self, sqlx::Error> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let in_memory = path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory");
        let pool = Self(Arc::new(Inner {
            path: path.to_owned(),
            in_memory,
            idle: Mutex::new(Vec::new()),
            // Every connection to `:memory:` is its own database: keep exactly one.
            slots: Arc::new(Semaphore::new(if in_memory { 1 } else { 8 })),
            writer: Arc::new(tokio::sync::Mutex::new(())),
        }));
        let first = pool.connect()?;
        if !in_memory {
            first.pragma_update(None, "journal_mode", "WAL").map_err(error)?;
        }
        pool.0.idle.lock().map_err(|_| sqlx::Error::PoolClosed)?.push(Pooled {
            connection: first,
            column_names: HashMap::new(),
        });
        Ok(pool)
    }

    fn connect(&self) -> Result<Connection, sqlx::Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = if self.0.in_memory {
            Connection::open_in_memory_with_flags(flags)
        } else {
            Connection::open_with_flags(&self.0.path, flags)
        }
        .map_err(error)?;
        connection.busy_timeout(Duration::from_secs(10)).map_err(error)?;
        connection.set_prepared_statement_cache_capacity(256);
        connection.pragma_update(None, "foreign_keys", "ON").map_err(error)?;
        if !self.0.in_memory {
            connection.pragma_update(None, "synchronous", "NORMAL").map_err(error)?;
        }
        Ok(connection)
    }

    async fn lease(&self) -> Result<Lease, sqlx::Error> {
        let slot = self
            .0
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.0.idle.lock().map_err(|_| sqlx::Error::PoolClosed)?.pop();
        let connection = match idle {
            Some(pooled) => pooled,
            None => Pooled {
                connection: self.connect()?,
                column_names: HashMap::new(),
            },
        };
        Ok(Lease {
            pool: self.clone(),
            connection: Some(connection),
            _slot: slot,
        })
    }

    async fn write_lock(&self) -> Result<OwnedMutexGuard<()>, sqlx::Error> {
        tokio::time::timeout(WRITE_WAIT, self.0.writer.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)
    }

    /// Runs one statement on a pooled connection.
    pub(crate) async fn query(&self, sql: &str, args: Vec<Arg>) -> Result<(Vec<LiteRow>, u64), sqlx::Error> {
        let mut lease = self.lease().await?;
        let args = match run(lease.get()?, sql, args, false)? {
            Ran::Done(rows, changed) => return Ok((rows, changed)),
            Ran::Writes(args) => args,
        };
        // Writer lock first, then a connection, as transactions take them.
        drop(lease);
        let _writing = self.write_lock().await?;
        let mut lease = self.lease().await?;
        run_writing(lease.get()?, sql, args)
    }

    /// Starts a transaction holding the writer lock (`BEGIN IMMEDIATE`).
    pub(crate) async fn begin(&self) -> Result<LiteTx, sqlx::Error> {
        let writer = self.write_lock().await?;
        let mut lease = self.lease().await?;
        lease
            .get()?
            .connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(error)?;
        Ok(LiteTx {
            lease,
            open: true,
            _writer: writer,
        })
    }

    /// Closes every idle connection; the pool opens new ones if used again.
    pub(crate) fn close(&self) {
        if let Ok(mut idle) = self.0.idle.lock() {
            idle.clear();
        }
    }
}

/// A transaction: rolled back when dropped without [`LiteTx::commit`].
#[derive(Debug)]
pub struct LiteTx {
    lease: Lease,
    open: bool,
    _writer: OwnedMutexGuard<()>,
}

impl LiteTx {
    /// Runs one statement inside the transaction.
    pub(crate) fn query(&mut self, sql: &str, args: Vec<Arg>) -> Result<(Vec<LiteRow>, u64), sqlx::Error> {
        run_writing(self.lease.get()?, sql, args)
    }

    /// Commits.
    pub(crate) fn commit(mut self) -> Result<(), sqlx::Error> {
        self.lease.get()?.connection.execute_batch("COMMIT").map_err(error)?;
        self.open = false;
        Ok(())
    }
}

impl Drop for LiteTx {
    fn drop(&mut self) {
        if self.open
            && let Ok(pooled) = self.lease.get()
            && pooled.connection.execute_batch("ROLLBACK").is_err()
        {
            // A connection whose transaction could not be ended is not reused.
            self.lease.connection = None;
        }
    }
}
