//! The `apikey` table, as `@better-auth/api-key` 1.7.5 creates and fills it, and the
//! guarded updates that spend a key's uses and rate limit: each one changes the row only
//! while what it read still holds, so concurrent requests (at either server, on a shared
//! database) cannot take a key below zero uses or past its limit.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::db::schema::{Column, FieldType, Table};
use crate::db::{Arg, Exec, Row};
use keyward_client::wire::ApiKey;
use keyward_client::wire::organization::access::Permissions;

/// The plugin's table. better-auth's adapter fills the defaults (`configId` `default`,
/// `enabled`, the rate limit, `requestCount` 0), not the DDL.
pub(super) fn apikey_table() -> Table {
    use FieldType::*;
    Table::new(
        "apikey",
        vec![
            Column::new("configId", String, true),
            Column::new("name", String, false),
            Column::new("start", String, false),
            Column::new("referenceId", String, true),
            Column::new("prefix", String, false),
            Column::new("key", String, true),
            Column::new("refillInterval", Number, false),
            Column::new("refillAmount", Number, false),
            Column::new("lastRefillAt", Date, false),
            Column::new("enabled", Boolean, false),
            Column::new("rateLimitEnabled", Boolean, false),
            Column::new("rateLimitTimeWindow", Number, false),
            Column::new("rateLimitMax", Number, false),
            Column::new("requestCount", Number, false),
            Column::new("remaining", Number, false),
            Column::new("lastRequest", Date, false),
            Column::new("expiresAt", Date, false),
            Column::new("createdAt", Date, true),
            Column::new("updatedAt", Date, true),
            Column::new("permissions", String, false),
            Column::new("metadata", String, false),
        ],
    )
    .index("configId")
    .index("referenceId")
    .index("key")
}

/// Columns a list may be sorted by (better-auth's field names).
pub(super) const SORTABLE: &[&str] = &[
    "id",
    "configId",
    "name",
    "start",
    "prefix",
    "refillInterval",
    "refillAmount",
    "lastRefillAt",
    "enabled",
    "rateLimitEnabled",
    "rateLimitTimeWindow",
    "rateLimitMax",
    "requestCount",
    "remaining",
    "lastRequest",
    "expiresAt",
    "createdAt",
    "updatedAt",
];

/// One stored key.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ApiKeyRow {
    pub id: String,
    /// `None` on rows of releases before configurations (the default one).
    pub config_id: Option<String>,
    pub name: Option<String>,
    pub start: Option<String>,
    pub reference_id: String,
    pub prefix: Option<String>,
    /// The key's hash (or the key, with hashing disabled).
    pub key: String,
    pub refill_interval: Option<i64>,
    pub refill_amount: Option<i64>,
    pub last_refill_at: Option<DateTime<Utc>>,
    /// `None` reads as enabled (the column's default).
    pub enabled: Option<bool>,
    pub rate_limit_enabled: Option<bool>,
    pub rate_limit_time_window: Option<i64>,
    pub rate_limit_max: Option<i64>,
    pub request_count: Option<i64>,
    pub remaining: Option<i64>,
    pub last_request: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// JSON text.
    pub permissions: Option<String>,
    /// JSON text (`"null"` when there is none).
    pub metadata: Option<String>,
}

impl ApiKeyRow {
    /// The key as the routes answer it: no hash, permissions and metadata parsed.
    pub fn describe(&self) -> ApiKey {
        ApiKey {
            id: self.id.clone(),
            config_id: self.config_id.clone(),
            name: self.name.clone(),
            start: self.start.clone(),
            prefix: self.prefix.clone(),
            reference_id: self.reference_id.clone(),
            refill_interval: self.refill_interval,
            refill_amount: self.refill_amount,
            last_refill_at: self.last_refill_at,
            enabled: self.enabled.unwrap_or(true),
            rate_limit_enabled: self.rate_limit_enabled.unwrap_or(true),
            rate_limit_time_window: self.rate_limit_time_window,
            rate_limit_max: self.rate_limit_max,
            request_count: self.request_count.unwrap_or(0),
            remaining: self.remaining,
            last_request: self.last_request,
            expires_at: self.expires_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            metadata: self.metadata_value(),
            permissions: self.permission_set(),
        }
    }

    /// The stored permissions, when they parse.
    pub fn permission_set(&self) -> Option<Permissions> {
        self.permissions
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
    }

    /// The stored metadata: JSON text, read twice when an old release stored the JSON of
    /// its JSON (better-auth's `parseDoubleStringifiedMetadata`).
    pub fn metadata_value(&self) -> Option<Value> {
        let parsed: Value = serde_json::from_str(self.metadata.as_deref()?).ok()?;
        match parsed {
            Value::Null => None,
            Value::String(inner) => serde_json::from_str(&inner)
                .ok()
                .filter(|value: &Value| !value.is_null()),
            other => Some(other),
        }
    }
}

const COLUMNS: &str = r#""id", "configId", "name", "start", "referenceId", "prefix", "key", "refillInterval", "refillAmount", "lastRefillAt", "enabled", "rateLimitEnabled", "rateLimitTimeWindow", "rateLimitMax", "requestCount", "remaining", "lastRequest", "expiresAt", "createdAt", "updatedAt", "permissions", "metadata""#;

fn from_row(row: &Row) -> Result<ApiKeyRow, sqlx::Error> {
    Ok(ApiKeyRow {
        id: row.text("id")?,
        config_id: row.opt_text("configId")?,
        name: row.opt_text("name")?,
        start: row.opt_text("start")?,
        reference_id: row.text("referenceId")?,
        prefix: row.opt_text("prefix")?,
        key: row.text("key")?,
        refill_interval: row.opt_int("refillInterval")?,
        refill_amount: row.opt_int("refillAmount")?,
        last_refill_at: row.opt_time("lastRefillAt")?,
        enabled: row.opt_bool("enabled")?,
        rate_limit_enabled: row.opt_bool("rateLimitEnabled")?,
        rate_limit_time_window: row.opt_int("rateLimitTimeWindow")?,
        rate_limit_max: row.opt_int("rateLimitMax")?,
        request_count: row.opt_int("requestCount")?,
        remaining: row.opt_int("remaining")?,
        last_request: row.opt_time("lastRequest")?,
        expires_at: row.opt_time("expiresAt")?,
        created_at: row.time("createdAt")?,
        updated_at: row.time("updatedAt")?,
        permissions: row.opt_text("permissions")?,
        metadata: row.opt_text("metadata")?,
    })
}

async fn one(exec: &mut impl Exec, sql: &str, args: Vec<Arg>) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    exec.fetch_optional(sql, args)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Stores a new key.
pub(super) async fn insert(exec: &mut impl Exec, key: &ApiKeyRow) -> Result<(), sqlx::Error> {
    let placeholders: Vec<String> = (1..=22).map(|i| format!("${i}")).collect();
    let sql = format!(
        r#"insert into "apikey" ({COLUMNS}) values ({})"#,
        placeholders.join(", ")
    );
    let args = vec![
        Arg::from(key.id.as_str()),
        Arg::from(key.config_id.clone()),
        Arg::from(key.name.clone()),
        Arg::from(key.start.clone()),
        Arg::from(key.reference_id.as_str()),
        Arg::from(key.prefix.clone()),
        Arg::from(key.key.as_str()),
        Arg::Int(key.refill_interval),
        Arg::Int(key.refill_amount),
        Arg::from(key.last_refill_at),
        Arg::Bool(key.enabled),
        Arg::Bool(key.rate_limit_enabled),
        Arg::Int(key.rate_limit_time_window),
        Arg::Int(key.rate_limit_max),
        Arg::Int(key.request_count),
        Arg::Int(key.remaining),
        Arg::from(key.last_request),
        Arg::from(key.expires_at),
        Arg::from(key.created_at),
        Arg::from(key.updated_at),
        Arg::from(key.permissions.clone()),
        Arg::from(key.metadata.clone()),
    ];
    exec.execute(&sql, args).await?;
    Ok(())
}

/// The key whose hash (or plain value) is `key`.
pub(super) async fn find_by_key(exec: &mut impl Exec, key: &str) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "apikey" where "key" = $1 limit 1"#);
    one(exec, &sql, crate::args![key]).await
}

/// The key named `id`.
pub(super) async fn find(exec: &mut impl Exec, id: &str) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "apikey" where "id" = $1 limit 1"#);
    one(exec, &sql, crate::args![id]).await
}

/// Every key of `reference_id`, sorted by `sort` (a column of [`SORTABLE`] and whether
/// descending), else as stored.
pub(super) async fn list(
    exec: &mut impl Exec,
    reference_id: &str,
    sort: Option<(&str, bool)>,
) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    let order = match sort {
        Some((column, descending)) if SORTABLE.contains(&column) => {
            format!(r#" order by "{column}" {}"#, if descending { "desc" } else { "asc" })
        }
        _ => String::new(),
    };
    let sql = format!(r#"select {COLUMNS} from "apikey" where "referenceId" = $1{order}"#);
    exec.fetch_all(&sql, crate::args![reference_id])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Sets `changes` on the key `id` (not `updatedAt`, as better-auth's update leaves it),
/// answering the changed row.
pub(super) async fn update(
    exec: &mut impl Exec,
    id: &str,
    changes: Vec<(&'static str, Arg)>,
) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let mut assignments = Vec::new();
    let mut args = Vec::new();
    for (column, value) in changes {
        args.push(value);
        assignments.push(format!(r#""{column}" = ${}"#, args.len()));
    }
    args.push(Arg::from(id));
    let sql = format!(
        r#"update "apikey" set {} where "id" = ${} returning {COLUMNS}"#,
        assignments.join(", "),
        args.len()
    );
    one(exec, &sql, args).await
}

/// Deletes the key `id`.
pub(super) async fn delete(exec: &mut impl Exec, id: &str) -> Result<(), sqlx::Error> {
    exec.execute(r#"delete from "apikey" where "id" = $1"#, crate::args![id])
        .await?;
    Ok(())
}

/// Deletes every key that expired before `now`.
pub(super) async fn delete_expired(exec: &mut impl Exec, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    exec.execute(
        r#"delete from "apikey" where "expiresAt" < $1 and "expiresAt" is not null"#,
        crate::args![now],
    )
    .await
}

/// Refills the key's uses to `amount - 1` (this use spent) at `now`, if nobody refilled it
/// since `last_refill_at` was read.
pub(super) async fn refill(
    exec: &mut impl Exec,
    id: &str,
    last_refill_at: Option<DateTime<Utc>>,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let guard = if last_refill_at.is_some() {
        r#""lastRefillAt" = $4"#
    } else {
        r#""lastRefillAt" is null and $4 is null"#
    };
    let sql = format!(
        r#"update "apikey" set "remaining" = $1, "lastRefillAt" = $2 where "id" = $3 and {guard} returning {COLUMNS}"#
    );
    one(exec, &sql, crate::args![amount - 1, now, id, last_refill_at]).await
}

/// Spends one use, if one is left.
pub(super) async fn spend_use(exec: &mut impl Exec, id: &str) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let sql = format!(
        r#"update "apikey" set "remaining" = "remaining" - 1 where "id" = $1 and "remaining" > 0 returning {COLUMNS}"#
    );
    one(exec, &sql, crate::args![id]).await
}

/// Counts a request in the current window, if the window is still the one read (its last
/// request after `window_start`) and below `max`.
pub(super) async fn count_request(
    exec: &mut impl Exec,
    id: &str,
    window_start: DateTime<Utc>,
    max: i64,
    now: DateTime<Utc>,
) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let sql = format!(
        r#"update "apikey" set "requestCount" = coalesce("requestCount", 0) + 1, "lastRequest" = $1 where "id" = $2 and "lastRequest" > $3 and coalesce("requestCount", 0) < $4 returning {COLUMNS}"#
    );
    one(exec, &sql, crate::args![now, id, window_start, max]).await
}

/// Starts a new window with this request, if the key has had no request (`after` `None`)
/// or none since `after`.
pub(super) async fn start_window(
    exec: &mut impl Exec,
    id: &str,
    after: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let guard = match after {
        Some(_) => r#""lastRequest" <= $3"#,
        None => r#""lastRequest" is null and $3 is null"#,
    };
    let sql = format!(
        r#"update "apikey" set "requestCount" = 1, "lastRequest" = $1 where "id" = $2 and {guard} returning {COLUMNS}"#
    );
    one(exec, &sql, crate::args![now, id, after]).await
}
