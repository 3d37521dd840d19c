//! Storage on SQLite or PostgreSQL, in better-auth's own schema.
//!
//! Queries are written once, with `$1…$n` placeholders and quoted camelCase identifiers,
//! which both dialects accept. What differs between the dialects is how values are
//! stored (SQLite keeps dates as ISO-8601 text and booleans as 0/1, as better-auth's
//! SQLite adapter does), and [`Arg`] and [`Row`] hide exactly that.

pub mod accounts;
mod postgres;
mod row;
pub mod schema;
mod session_reads;
pub mod sessions;
mod sqlite;
mod tx;
pub mod users;
pub mod verifications;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Postgres};

use postgres::PgPool;
use sqlite::LitePool;
pub use sqlite::{LiteRow, LiteTx};

use keyward_client::wire::organization::FilterValue;

pub use row::{Column, Columns, Row};
pub use schema::FieldType;
pub(crate) use session_reads::SessionReads;
pub use tx::{AfterCommit, Lock, Tx};

use crate::config::AdditionalField;

/// The configured additional fields of the `user` and `session` tables, with the
/// statements that depend on them, built once by [`ModelFields::new`].
#[derive(Clone, Debug)]
pub struct ModelFields {
    /// Extra `user` columns.
    pub user: Vec<AdditionalField>,
    /// Extra `session` columns.
    pub session: Vec<AdditionalField>,
    statements: Arc<Statements>,
}

/// The hot statements, formatted once instead of per request.
#[derive(Debug)]
struct Statements {
    /// The select list of a user (see [`users::from_row`]).
    user_select: String,
    /// The select list of a session.
    session_select: String,
    /// A session and its user by token (`$1`).
    session_with_user: String,
    /// Sessions and their users by a list of tokens (`$1`, see [`in_list`]), per dialect.
    sessions_with_users: [String; 2],
    /// How many columns of those rows are the session's (the user's follow).
    session_columns: usize,
}

impl ModelFields {
    /// The fields, and the statements over them.
    pub fn new(user: Vec<AdditionalField>, session: Vec<AdditionalField>) -> Self {
        let select = format!(
            "select {}, {} from \"session\" s join \"user\" u on u.\"id\" = s.\"userId\" where ",
            sessions::select_list_of(&session, "s."),
            users::select_list_of(&user, "u.")
        );
        let statements = Statements {
            user_select: users::select_list_of(&user, ""),
            session_select: sessions::select_list_of(&session, ""),
            session_with_user: format!("{select}s.\"token\" = $1"),
            sessions_with_users: [Dialect::Sqlite, Dialect::Postgres]
                .map(|dialect| format!("{select}{}", in_list("s.\"token\"", 1, dialect))),
            session_columns: sessions::column_count(&session),
        };
        Self {
            user,
            session,
            statements: Arc::new(statements),
        }
    }

    /// The columns to select for [`users::from_row`].
    pub(crate) fn user_select(&self) -> &str {
        &self.statements.user_select
    }

    /// The columns to select for a session.
    pub(crate) fn session_select(&self) -> &str {
        &self.statements.session_select
    }

    /// `select <session>, <user> … where s."token" = $1`.
    pub(crate) fn session_with_user_sql(&self) -> &str {
        &self.statements.session_with_user
    }

    /// `select <session>, <user> … where s."token"` in the list `$1`.
    pub(crate) fn sessions_with_users_sql(&self, dialect: Dialect) -> &str {
        &self.statements.sessions_with_users[dialect as usize]
    }

    /// Where the user's columns start in a row of [`Self::session_with_user_sql`].
    pub(crate) fn user_columns_start(&self) -> usize {
        self.statements.session_columns
    }
}

impl Default for ModelFields {
    fn default() -> Self {
        Self::new(Vec::new(), Vec::new())
    }
}

/// `column` in the list of texts bound at `$n` ([`Arg::TextList`]): `= any($n)` on
/// PostgreSQL (a `text[]`), `in (select value from json_each($n))` on SQLite (a JSON
/// array).
pub(crate) fn in_list(column: &str, n: usize, dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => format!("{column} in (select \"value\" from json_each(${n}))"),
        Dialect::Postgres => format!("{column} = any(${n})"),
    }
}

/// A future returned by [`Exec`] methods.
pub type DbFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, sqlx::Error>> + Send + 'a>>;

/// The SQL dialect in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (the embedded default).
    Sqlite = 0,
    /// PostgreSQL.
    Postgres = 1,
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
    /// A list of texts, for [`in_list`] (a JSON array on SQLite, `text[]` on PostgreSQL).
    TextList(Vec<String>),
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

/// `t."c", …` for the core `columns` and the returned `extra` fields, in that order.
pub(crate) fn select_list(columns: &[&str], extra: &[AdditionalField], table_alias: &str) -> String {
    columns
        .iter()
        .copied()
        .chain(extra.iter().filter(|f| f.returned).map(|f| f.name.as_str()))
        .map(|c| format!("{table_alias}\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `where` fragment for one of better-auth's where operators (`eq`, `ne`, `lt`, `lte`,
/// `gt`, `gte`, `contains`, `starts_with`, `ends_with`, `in`, `not_in`) on `column` (as it
/// is written in the statement, quoted), its placeholders numbered from `$first`, with its
/// arguments, as better-auth's Kysely adapter builds it: `argument` turns each value into
/// an argument; the `like` operators put the text in the pattern as it is (`%` and `_` in
/// it are wildcards there too); `in` needs a list (better-auth's adapter refuses a single
/// value) and `not_in` takes one value as a list of one. `Ok(None)` for an operator that
/// is not one of these; `mismatch()` for a value of the wrong shape.
pub(crate) fn where_operator<E>(
    column: &str,
    operator: &str,
    value: &FilterValue,
    first: usize,
    argument: impl Fn(&str) -> Result<Arg, E>,
    mismatch: impl Fn() -> E,
) -> Result<Option<(String, Vec<Arg>)>, E> {
    let single = || match value {
        FilterValue::One(text) => Ok(text.as_str()),
        FilterValue::Many(_) => Err(mismatch()),
    };
    let like = |pattern: String| (format!("{column} like ${first}"), vec![Arg::from(pattern)]);
    let compare = |sql: &str| -> Result<(String, Vec<Arg>), E> {
        Ok((format!("{column} {sql} ${first}"), vec![argument(single()?)?]))
    };
    Ok(Some(match operator {
        "eq" => compare("=")?,
        "ne" => compare("<>")?,
        "lt" => compare("<")?,
        "lte" => compare("<=")?,
        "gt" => compare(">")?,
        "gte" => compare(">=")?,
        "contains" => like(format!("%{}%", single()?)),
        "starts_with" => like(format!("{}%", single()?)),
        "ends_with" => like(format!("%{}", single()?)),
        "in" | "not_in" => {
            let values: Vec<&str> = match value {
                FilterValue::Many(values) => values.iter().map(String::as_str).collect(),
                FilterValue::One(_) if operator == "in" => return Err(mismatch()),
                FilterValue::One(text) => vec![text.as_str()],
            };
            let args = values.into_iter().map(&argument).collect::<Result<Vec<Arg>, E>>()?;
            if args.is_empty() {
                let never = if operator == "in" { "1 = 0" } else { "1 = 1" };
                return Ok(Some((never.to_owned(), Vec::new())));
            }
            let placeholders: Vec<String> = (0..args.len()).map(|i| format!("${}", first + i)).collect();
            let not = if operator == "not_in" { "not " } else { "" };
            (format!("{column} {not}in ({})", placeholders.join(", ")), args)
        }
        _ => return Ok(None),
    }))
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
    /// Whether statements run inside a transaction (else each on any pooled connection).
    fn in_transaction(&self) -> bool;
    /// Queues `work` to run once this transaction has committed (dropped if it rolls back);
    /// outside a transaction the work is handed back, to be run now.
    fn after_commit(&mut self, work: AfterCommit) -> Option<AfterCommit> {
        Some(work)
    }
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
            Arg::TextList(values) => query.bind(values),
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
            Pool::Sqlite(pool) => Tx::sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::postgres(pool.begin().await?),
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

    fn in_transaction(&self) -> bool {
        false
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

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_client::wire::time::parse_iso;

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
