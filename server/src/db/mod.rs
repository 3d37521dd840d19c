//! Storage on SQLite or PostgreSQL, in better-auth's own schema.
//!
//! Queries are written once, with `$1…$n` placeholders and quoted camelCase identifiers,
//! which both dialects accept. What differs between the dialects is how values are
//! stored (SQLite keeps dates as ISO-8601 text and booleans as 0/1, as better-auth's
//! SQLite adapter does), and [`Arg`] and [`Row`] hide exactly that.

pub mod accounts;
pub mod invitations;
pub mod organization_roles;
pub mod organizations;
pub mod passkeys;
mod postgres;
pub mod schema;
pub mod sessions;
mod sqlite;
pub mod teams;
pub mod two_factors;
pub mod users;
pub mod verifications;

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Postgres, Row as _};

use postgres::{PgPool, PgTx};
use sqlite::{LitePool, convert};
pub use sqlite::{LiteRow, LiteTx};

use keyward_client::wire::time::{format_iso, parse_iso};

pub use schema::FieldType;

use crate::config::AdditionalField;

/// The configured additional fields of the `user` and `session` tables.
#[derive(Clone, Debug, Default)]
pub struct ModelFields {
    /// Extra `user` columns.
    pub user: Vec<AdditionalField>,
    /// Extra `session` columns.
    pub session: Vec<AdditionalField>,
}

/// A future returned by [`Exec`] methods.
pub type DbFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, sqlx::Error>> + Send + 'a>>;

/// The SQL dialect in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (the embedded default).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A bound query parameter. `None` binds a typed SQL `NULL`.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// Text.
    Text(Option<String>),
    /// Integer.
    Int(Option<i64>),
    /// Floating point.
    Float(Option<f64>),
    /// Boolean (0/1 on SQLite).
    Bool(Option<bool>),
    /// Timestamp (ISO-8601 text on SQLite, `timestamptz` on PostgreSQL).
    Time(Option<DateTime<Utc>>),
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(Some(value))
    }
}
impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(Some(value.to_owned()))
    }
}
impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(Some(value.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(value: Option<String>) -> Self {
        Self::Text(value)
    }
}
impl From<bool> for Arg {
    fn from(value: bool) -> Self {
        Self::Bool(Some(value))
    }
}
impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Self::Int(Some(value))
    }
}
impl From<DateTime<Utc>> for Arg {
    fn from(value: DateTime<Utc>) -> Self {
        Self::Time(Some(value))
    }
}
impl From<Option<DateTime<Utc>>> for Arg {
    fn from(value: Option<DateTime<Utc>>) -> Self {
        Self::Time(value)
    }
}

/// `t."c" as "p_c", …` for the core `columns` and the returned `extra` fields.
pub(crate) fn select_list(columns: &[&str], extra: &[AdditionalField], table_alias: &str, prefix: &str) -> String {
    columns
        .iter()
        .copied()
        .chain(extra.iter().filter(|f| f.returned).map(|f| f.name.as_str()))
        .map(|c| format!("{table_alias}\"{c}\" as \"{prefix}{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `insert into "table" ("a", "b") values ($1, $2) returning …`.
pub(crate) fn insert_sql(table: &str, columns: &[&str], returning: &str) -> String {
    let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    format!(
        "insert into \"{table}\" ({}) values ({}) returning {returning}",
        names.join(", "),
        placeholders.join(", ")
    )
}

/// `update "table" set "a" = $1, …, "updatedAt" = $n where "key" = $n+1 returning …`,
/// with its arguments.
pub(crate) fn update_sql(
    table: &str,
    key_column: &str,
    key: &str,
    changes: Vec<(String, Arg)>,
    now: DateTime<Utc>,
    returning: &str,
) -> (String, Vec<Arg>) {
    let mut assignments = Vec::new();
    let mut args = Vec::new();
    for (column, value) in changes.into_iter().chain([("updatedAt".to_owned(), Arg::from(now))]) {
        args.push(value);
        assignments.push(format!("\"{column}\" = ${}", args.len()));
    }
    args.push(Arg::from(key));
    let sql = format!(
        "update \"{table}\" set {} where \"{key_column}\" = ${} returning {returning}",
        assignments.join(", "),
        args.len()
    );
    (sql, args)
}

/// Whether a query failed on a unique constraint (a concurrent insert won).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Whether a statement failed because a text value holds a character PostgreSQL cannot
/// store (NUL: 22021 `character_not_in_repertoire`; 22P05 `untranslatable_character`):
/// bad input, not a server fault.
pub fn is_unstorable_text(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database)
        if matches!(database.code().as_deref(), Some("22021" | "22P05")))
}

/// Whether `error` says the database could not be reached or used at all (refused or
/// cut connection, no connection within the pool's timeout, the server shutting down or
/// the database file locked past the busy timeout), rather than that a statement failed.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(database) => {
            let code = database.code().unwrap_or_default();
            // PostgreSQL: 57P01-57P03 (shutting down, cannot connect now), 08xxx
            // (connection exceptions), 53300 (too many connections); SQLite: 5 and 6
            // (busy, locked).
            code.starts_with("57P") || code.starts_with("08") || code == "53300" || code == "5" || code == "6"
        }
        _ => false,
    }
}

/// Builds a `Vec<Arg>` from heterogeneous values.
#[macro_export]
#[doc(hidden)]
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::db::Arg::from($value)),*]
    };
}

/// Runs queries: the pool ([`Db`]) or a transaction ([`Tx`]).
pub trait Exec: Send {
    /// The dialect.
    fn dialect(&self) -> Dialect;
    /// Runs a statement and returns the number of affected rows.
    fn execute<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, u64>;
    /// Runs a query expected to return at most one row.
    fn fetch_optional<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Option<Row>>;
    /// Runs a query and returns every row.
    fn fetch_all<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Vec<Row>>;
}

fn postgres_query(sql: &str, args: Vec<Arg>) -> sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments> {
    let mut query = sqlx::query(AssertSqlSafe(sql.to_owned()));
    for arg in args {
        query = match arg {
            Arg::Text(value) => query.bind(value),
            Arg::Int(value) => query.bind(value),
            Arg::Float(value) => query.bind(value),
            Arg::Bool(value) => query.bind(value),
            Arg::Time(value) => query.bind(value),
        };
    }
    query
}

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(LitePool),
    Postgres(PgPool),
}

/// A connection pool to SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
}

impl Db {
    /// Connects to `sqlite://path` (created if missing, WAL), `sqlite::memory:`, or
    /// `postgres://…` (a `?options=-c search_path=…` parameter selects a schema).
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPool::open(url).await?;
            return Ok(Self {
                pool: Pool::Postgres(pool),
            });
        }
        if !url.starts_with("sqlite:") {
            return Err(sqlx::Error::Configuration(
                format!("unsupported DATABASE_URL `{url}`: use sqlite://path or postgres://…").into(),
            ));
        }
        let pool = LitePool::open(url)?;
        Ok(Self {
            pool: Pool::Sqlite(pool),
        })
    }

    /// Starts a transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`),
    /// so two concurrent writers wait for each other instead of failing with `SQLITE_BUSY`.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close(),
            Pool::Postgres(pool) => pool.close(),
        }
    }
}

impl Exec for Db {
    fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    fn execute<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, u64> {
        Box::pin(async move {
            Ok(match &self.pool {
                Pool::Sqlite(pool) => pool.query(sql, args).await?.1,
                Pool::Postgres(pool) => pool.acquire().await?.execute(sql, args).await?,
            })
        })
    }

    fn fetch_optional<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Option<Row>> {
        Box::pin(async move {
            Ok(match &self.pool {
                Pool::Sqlite(pool) => pool.query(sql, args).await?.0.into_iter().next().map(Row::Sqlite),
                Pool::Postgres(pool) => pool
                    .acquire()
                    .await?
                    .fetch_optional(sql, args)
                    .await?
                    .map(Row::Postgres),
            })
        })
    }

    fn fetch_all<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Vec<Row>> {
        Box::pin(async move {
            Ok(match &self.pool {
                Pool::Sqlite(pool) => pool.query(sql, args).await?.0.into_iter().map(Row::Sqlite).collect(),
                Pool::Postgres(pool) => pool
                    .acquire()
                    .await?
                    .fetch_all(sql, args)
                    .await?
                    .into_iter()
                    .map(Row::Postgres)
                    .collect(),
            })
        })
    }
}

/// A transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    /// On SQLite.
    Sqlite(LiteTx),
    /// On PostgreSQL.
    Postgres(PgTx),
}

impl Tx {
    /// Commits.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit(),
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

impl Exec for Tx {
    fn dialect(&self) -> Dialect {
        match self {
            Tx::Sqlite(_) => Dialect::Sqlite,
            Tx::Postgres(_) => Dialect::Postgres,
        }
    }

    fn execute<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, u64> {
        Box::pin(async move {
            Ok(match self {
                Tx::Sqlite(tx) => tx.query(sql, args)?.1,
                Tx::Postgres(tx) => tx.lease().execute(sql, args).await?,
            })
        })
    }

    fn fetch_optional<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Option<Row>> {
        Box::pin(async move {
            Ok(match self {
                Tx::Sqlite(tx) => tx.query(sql, args)?.0.into_iter().next().map(Row::Sqlite),
                Tx::Postgres(tx) => tx.lease().fetch_optional(sql, args).await?.map(Row::Postgres),
            })
        })
    }

    fn fetch_all<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Vec<Row>> {
        Box::pin(async move {
            Ok(match self {
                Tx::Sqlite(tx) => tx.query(sql, args)?.0.into_iter().map(Row::Sqlite).collect(),
                Tx::Postgres(tx) => tx
                    .lease()
                    .fetch_all(sql, args)
                    .await?
                    .into_iter()
                    .map(Row::Postgres)
                    .collect(),
            })
        })
    }
}

/// A result row from either dialect, read with better-auth's storage conventions.
#[derive(Debug)]
pub enum Row {
    /// From SQLite.
    Sqlite(LiteRow),
    /// From PostgreSQL.
    Postgres(PgRow),
}

fn decode_error(column: &str, reason: impl Into<String>) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: reason.into().into(),
    }
}

/// Reads a timestamp stored as text: ISO-8601 (better-auth), SQLite's
/// `CURRENT_TIMESTAMP` form, or milliseconds since the epoch.
fn parse_stored_time(raw: &str) -> Option<DateTime<Utc>> {
    if let Some(time) = parse_iso(raw) {
        return Some(time);
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f") {
        return Some(Utc.from_utc_datetime(&naive));
    }
    raw.parse::<i64>()
        .ok()
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
}

impl Row {
    /// A non-null text column.
    pub fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.opt_text(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable text column.
    pub fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::text(row.value(column)?)),
            Row::Postgres(row) => row.try_get::<Option<String>, _>(column),
        }
    }

    /// A non-null boolean column.
    pub fn bool(&self, column: &str) -> Result<bool, sqlx::Error> {
        self.opt_bool(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable boolean column.
    pub fn opt_bool(&self, column: &str) -> Result<Option<bool>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::int(row.value(column)?).map(|v| v != 0)),
            Row::Postgres(row) => row.try_get::<Option<bool>, _>(column),
        }
    }

    /// A nullable integer column (any integer width).
    pub fn opt_int(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::int(row.value(column)?)),
            Row::Postgres(row) => match row.try_get::<Option<i64>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(row.try_get::<Option<i32>, _>(column)?.map(i64::from)),
            },
        }
    }

    /// A non-null integer column.
    pub fn int(&self, column: &str) -> Result<i64, sqlx::Error> {
        self.opt_int(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable floating point column.
    pub fn opt_float(&self, column: &str) -> Result<Option<f64>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::float(row.value(column)?)),
            Row::Postgres(row) => match row.try_get::<Option<f64>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(self.opt_int(column)?.map(|v| v as f64)),
            },
        }
    }

    /// A non-null timestamp column.
    pub fn time(&self, column: &str) -> Result<DateTime<Utc>, sqlx::Error> {
        self.opt_time(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable timestamp column.
    pub fn opt_time(&self, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => match convert::text(row.value(column)?) {
                None => Ok(None),
                Some(raw) => parse_stored_time(&raw)
                    .map(Some)
                    .ok_or_else(|| decode_error(column, format!("unreadable timestamp `{raw}`"))),
            },
            Row::Postgres(row) => match row.try_get::<Option<DateTime<Utc>>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(row
                    .try_get::<Option<NaiveDateTime>, _>(column)?
                    .map(|naive| Utc.from_utc_datetime(&naive))),
            },
        }
    }

    /// A column of a configured field type, as JSON (`null` for SQL `NULL`).
    pub fn json(&self, column: &str, field_type: FieldType) -> Result<Value, sqlx::Error> {
        Ok(match field_type {
            FieldType::String => self.opt_text(column)?.map(Value::String).unwrap_or(Value::Null),
            FieldType::Boolean => self.opt_bool(column)?.map(Value::Bool).unwrap_or(Value::Null),
            FieldType::Number => match self.opt_float(column)? {
                Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Value::from(v as i64),
                Some(v) => serde_json::Number::from_f64(v)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                None => Value::Null,
            },
            FieldType::BigInt => self.opt_int(column)?.map(Value::from).unwrap_or(Value::Null),
            FieldType::Date => self
                .opt_time(column)?
                .map(|t| Value::String(format_iso(&t)))
                .unwrap_or(Value::Null),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_stored_time_format() {
        let expected = parse_iso("2026-11-23T20:44:55.557Z").expect("valid");
        assert_eq!(parse_stored_time("2026-11-23T20:44:55.557Z"), Some(expected));
        assert_eq!(parse_stored_time("2026-11-23 20:44:55.557"), Some(expected));
        assert_eq!(parse_stored_time("1795466695557"), Some(expected));
        assert_eq!(parse_stored_time("tomorrow"), None);
    }

    #[tokio::test]
    async fn sqlite_binds_dollar_placeholders_by_number() {
        let mut db = Db::connect("sqlite::memory:").await.expect("connects");
        db.execute(r#"create table "t" ("a" text, "b" integer, "c" date)"#, vec![])
            .await
            .expect("creates");
        let when = parse_iso("2026-11-23T20:44:55.557Z").expect("valid");
        db.execute(
            r#"insert into "t" ("c", "a", "b") values ($3, $1, $2)"#,
            crate::args!["x", true, when],
        )
        .await
        .expect("inserts");
        let row = db
            .fetch_optional(
                r#"select "a", "b", "c" from "t" where "a" = $1 and "b" = $2"#,
                crate::args!["x", true],
            )
            .await
            .expect("selects")
            .expect("one row");
        assert_eq!(row.text("a").expect("a"), "x");
        assert!(row.bool("b").expect("b"));
        assert_eq!(row.time("c").expect("c"), when);
        assert_eq!(row.opt_text("c").expect("raw"), Some("2026-11-23T20:44:55.557Z".into()));
    }
}
