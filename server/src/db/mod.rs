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
mod session_reads;
pub mod sessions;
mod sqlite;
pub mod teams;
pub mod two_factors;
pub mod users;
pub mod verifications;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Postgres, Row as _};

use postgres::{PgPool, PgTx};
use sqlite::{LitePool, convert};
pub use sqlite::{LiteRow, LiteTx};

use keyward_client::wire::organization::FilterValue;
use keyward_client::wire::time::{format_iso, parse_iso};

pub use schema::FieldType;
pub(crate) use session_reads::SessionReads;

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
            Pool::Sqlite(pool) => Tx::new(Conn::Sqlite(pool.begin().await?)),
            Pool::Postgres(pool) => Tx::new(Conn::Postgres(pool.begin().await?)),
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

/// Work to run once a transaction has committed (an `after` database hook).
pub type AfterCommit = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A transaction. Dropped without [`Tx::commit`], it rolls back, and the work queued with
/// [`Exec::after_commit`] is dropped with it.
pub struct Tx {
    conn: Conn,
    after_commit: Vec<AfterCommit>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("conn", &self.conn)
            .field("after_commit", &self.after_commit.len())
            .finish()
    }
}

/// The transaction's connection.
#[derive(Debug)]
enum Conn {
    Sqlite(LiteTx),
    Postgres(PgTx),
}

/// What a transaction serialises on with [`Tx::lock`]: the scope of a check that an insert
/// relies on ("no pending invitation for this address", "fewer teams than the limit").
/// better-auth's schema has no unique index for these (and must stay as it is), so two
/// requests that check at the same time would both insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock<'a> {
    /// An organization's members, invitations, teams and stored roles (by organization id).
    Organization(&'a str),
    /// The organizations a user creates, for the organization limit (by user id).
    UserOrganizations(&'a str),
    /// A passkey credential id (base64url).
    PasskeyCredential(&'a str),
    /// A user's TOTP row (by user id).
    TwoFactor(&'a str),
    /// A user's credential (password) account (by user id).
    UserCredential(&'a str),
}

impl Lock<'_> {
    /// The text the lock is taken on.
    fn key(self) -> String {
        match self {
            Lock::Organization(id) => format!("keyward:organization:{id}"),
            Lock::UserOrganizations(id) => format!("keyward:user-organizations:{id}"),
            Lock::PasskeyCredential(id) => format!("keyward:passkey-credential:{id}"),
            Lock::TwoFactor(id) => format!("keyward:two-factor:{id}"),
            Lock::UserCredential(id) => format!("keyward:user-credential:{id}"),
        }
    }
}

impl Tx {
    fn new(conn: Conn) -> Self {
        Self {
            conn,
            after_commit: Vec::new(),
        }
    }

    /// Commits, then runs the work queued with [`Exec::after_commit`], in order.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.conn {
            Conn::Sqlite(tx) => tx.commit()?,
            Conn::Postgres(tx) => tx.commit().await?,
        }
        for work in self.after_commit {
            work.await;
        }
        Ok(())
    }

    /// Serialises the rest of this transaction with every other transaction that takes
    /// the same `lock`, until it commits or rolls back: a check made after this call and
    /// the insert that relies on it cannot interleave with another request's. Take it
    /// first, then check and write on this transaction. One lock per transaction (two,
    /// taken in different orders elsewhere, could deadlock).
    ///
    /// On PostgreSQL it is a transaction-scoped advisory lock on a 64-bit hash of the
    /// scope (`pg_advisory_xact_lock(hashtextextended(key, 0))`). It waits only for
    /// transactions on the same scope (or, very rarely, on a colliding hash: they wait too,
    /// nothing breaks), needs no row to exist (a credential id not stored yet), and takes no
    /// row lock. `select … for update` on the organization row would also serialise every
    /// insert into `member`, `invitation` and `team` behind it, because their foreign-key
    /// checks take a share lock on that row. Statements after the lock see every write
    /// committed before it was granted (read committed: a snapshot per statement).
    ///
    /// On SQLite there is nothing more to take: a transaction holds the database's write
    /// lock from `BEGIN IMMEDIATE` on (and this process's writer mutex), so no other
    /// writer runs until it ends and its reads see every committed write.
    pub async fn lock(&mut self, lock: Lock<'_>) -> Result<(), sqlx::Error> {
        match &mut self.conn {
            Conn::Sqlite(_) => Ok(()),
            Conn::Postgres(tx) => {
                tx.lease()
                    .execute(
                        "select pg_advisory_xact_lock(hashtextextended($1, 0))",
                        crate::args![lock.key()],
                    )
                    .await?;
                Ok(())
            }
        }
    }
}

impl Exec for Tx {
    fn dialect(&self) -> Dialect {
        match self.conn {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    fn in_transaction(&self) -> bool {
        true
    }

    fn after_commit(&mut self, work: AfterCommit) -> Option<AfterCommit> {
        self.after_commit.push(work);
        None
    }

    fn execute<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, u64> {
        Box::pin(async move {
            Ok(match &mut self.conn {
                Conn::Sqlite(tx) => tx.query(sql, args)?.1,
                Conn::Postgres(tx) => tx.lease().execute(sql, args).await?,
            })
        })
    }

    fn fetch_optional<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Option<Row>> {
        Box::pin(async move {
            Ok(match &mut self.conn {
                Conn::Sqlite(tx) => tx.query(sql, args)?.0.into_iter().next().map(Row::Sqlite),
                Conn::Postgres(tx) => tx.lease().fetch_optional(sql, args).await?.map(Row::Postgres),
            })
        })
    }

    fn fetch_all<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Vec<Row>> {
        Box::pin(async move {
            Ok(match &mut self.conn {
                Conn::Sqlite(tx) => tx.query(sql, args)?.0.into_iter().map(Row::Sqlite).collect(),
                Conn::Postgres(tx) => tx
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

/// Names a column of a [`Row`]: by its name (`"id"`) or by its position in the select
/// list (`0`), which costs no lookup.
pub trait Column: sqlx::ColumnIndex<PgRow> + Copy + std::fmt::Display {
    /// Where the column is in a SQLite row.
    fn position(self, row: &LiteRow) -> Option<usize>;
}

impl Column for &str {
    fn position(self, row: &LiteRow) -> Option<usize> {
        row.position(self)
    }
}

impl Column for usize {
    fn position(self, row: &LiteRow) -> Option<usize> {
        (self < row.len()).then_some(self)
    }
}

fn decode_error(column: impl std::fmt::Display, reason: impl Into<String>) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_string(),
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
    fn lite_value<C: Column>(row: &LiteRow, column: C) -> Result<&rusqlite::types::Value, sqlx::Error> {
        column
            .position(row)
            .and_then(|index| row.get(index))
            .ok_or_else(|| sqlx::Error::ColumnNotFound(column.to_string()))
    }

    /// A non-null text column.
    pub fn text<C: Column>(&self, column: C) -> Result<String, sqlx::Error> {
        self.opt_text(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable text column.
    pub fn opt_text<C: Column>(&self, column: C) -> Result<Option<String>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::text(Self::lite_value(row, column)?)),
            Row::Postgres(row) => row.try_get::<Option<String>, _>(column),
        }
    }

    /// A non-null boolean column.
    pub fn bool<C: Column>(&self, column: C) -> Result<bool, sqlx::Error> {
        self.opt_bool(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable boolean column.
    pub fn opt_bool<C: Column>(&self, column: C) -> Result<Option<bool>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::int(Self::lite_value(row, column)?).map(|v| v != 0)),
            Row::Postgres(row) => row.try_get::<Option<bool>, _>(column),
        }
    }

    /// A nullable integer column (any integer width).
    pub fn opt_int<C: Column>(&self, column: C) -> Result<Option<i64>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::int(Self::lite_value(row, column)?)),
            Row::Postgres(row) => match row.try_get::<Option<i64>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(row.try_get::<Option<i32>, _>(column)?.map(i64::from)),
            },
        }
    }

    /// A non-null integer column.
    pub fn int<C: Column>(&self, column: C) -> Result<i64, sqlx::Error> {
        self.opt_int(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable floating point column.
    pub fn opt_float<C: Column>(&self, column: C) -> Result<Option<f64>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::float(Self::lite_value(row, column)?)),
            Row::Postgres(row) => match row.try_get::<Option<f64>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(self.opt_int(column)?.map(|v| v as f64)),
            },
        }
    }

    /// A non-null timestamp column.
    pub fn time<C: Column>(&self, column: C) -> Result<DateTime<Utc>, sqlx::Error> {
        self.opt_time(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable timestamp column.
    pub fn opt_time<C: Column>(&self, column: C) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => {
                // Text (how better-auth stores dates) is read in place, anything else as
                // SQLite would convert it to text.
                let raw = match Self::lite_value(row, column)? {
                    rusqlite::types::Value::Text(raw) => std::borrow::Cow::Borrowed(raw.as_str()),
                    other => match convert::text(other) {
                        Some(raw) => std::borrow::Cow::Owned(raw),
                        None => return Ok(None),
                    },
                };
                parse_stored_time(&raw)
                    .map(Some)
                    .ok_or_else(|| decode_error(column, format!("unreadable timestamp `{raw}`")))
            }
            Row::Postgres(row) => match row.try_get::<Option<DateTime<Utc>>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(row
                    .try_get::<Option<NaiveDateTime>, _>(column)?
                    .map(|naive| Utc.from_utc_datetime(&naive))),
            },
        }
    }

    /// A column of a configured field type, as JSON (`null` for SQL `NULL`).
    pub fn json<C: Column>(&self, column: C, field_type: FieldType) -> Result<Value, sqlx::Error> {
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

    /// Reads columns in select-list order from position `start` on.
    pub fn columns_from(&self, start: usize) -> Columns<'_> {
        Columns { row: self, next: start }
    }
}

/// Reads a [`Row`]'s columns one after the other, by position (see [`Row::columns_from`]).
pub struct Columns<'r> {
    row: &'r Row,
    next: usize,
}

impl Columns<'_> {
    fn advance(&mut self) -> usize {
        self.next += 1;
        self.next - 1
    }

    /// The next column, non-null text.
    pub fn text(&mut self) -> Result<String, sqlx::Error> {
        let index = self.advance();
        self.row.text(index)
    }

    /// The next column, nullable text.
    pub fn opt_text(&mut self) -> Result<Option<String>, sqlx::Error> {
        let index = self.advance();
        self.row.opt_text(index)
    }

    /// The next column, a non-null boolean.
    pub fn bool(&mut self) -> Result<bool, sqlx::Error> {
        let index = self.advance();
        self.row.bool(index)
    }

    /// The next column, a non-null timestamp.
    pub fn time(&mut self) -> Result<DateTime<Utc>, sqlx::Error> {
        let index = self.advance();
        self.row.time(index)
    }

    /// The next column, as JSON of a configured field type.
    pub fn json(&mut self, field_type: FieldType) -> Result<Value, sqlx::Error> {
        let index = self.advance();
        self.row.json(index, field_type)
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
