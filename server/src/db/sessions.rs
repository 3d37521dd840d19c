//! The `session` table.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::users::{self, field_arg};
use super::{Arg, Exec, ModelFields, Row};
use crate::config::AdditionalField;
use crate::crypto::generate_id;
use keyward_client::wire::{Session, SessionData, SessionToken};

/// A session to create.
#[derive(Clone, Debug)]
pub struct NewSession {
    /// The owner.
    pub user_id: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// Client IP.
    pub ip_address: String,
    /// Client user agent.
    pub user_agent: String,
    /// Values of configured additional fields.
    pub additional: Map<String, Value>,
}

/// Columns to change on a session; `updatedAt` is always set.
#[derive(Clone, Debug, Default)]
pub struct SessionChanges {
    /// Column name and new value (`expiresAt`, `activeOrganizationId`, an additional
    /// field …).
    pub columns: Vec<(String, Arg)>,
}

const COLUMNS: &[&str] = &[
    "id",
    "token",
    "userId",
    "expiresAt",
    "createdAt",
    "updatedAt",
    "ipAddress",
    "userAgent",
];

/// The select list of sessions with these additional fields, columns of `table_alias`.
pub(crate) fn select_list_of(extra: &[AdditionalField], table_alias: &str) -> String {
    super::select_list(COLUMNS, extra, table_alias)
}

/// How many columns [`select_list_of`] selects.
pub(crate) fn column_count(extra: &[AdditionalField]) -> usize {
    COLUMNS.len() + extra.iter().filter(|f| f.returned).count()
}

/// Reads a session from the columns of a row selected with [`select_list_of`], from
/// position `start` on.
fn from_row(row: &Row, fields: &ModelFields, start: usize) -> Result<Session, sqlx::Error> {
    let mut columns = row.columns_from(start);
    // In the order of `COLUMNS`.
    let id = columns.text()?;
    let token = SessionToken::new(columns.text()?);
    let user_id = columns.text()?;
    let expires_at = columns.time()?;
    let created_at = columns.time()?;
    let updated_at = columns.time()?;
    let ip_address = columns.opt_text()?;
    let user_agent = columns.opt_text()?;
    let mut additional = Map::new();
    for field in fields.session.iter().filter(|f| f.returned) {
        additional.insert(field.name.clone(), columns.json(field.field_type)?);
    }
    Ok(Session {
        id,
        token,
        user_id,
        expires_at,
        created_at,
        updated_at,
        ip_address,
        user_agent,
        additional,
    })
}

/// Creates a session with a fresh 32-character token.
pub async fn insert(
    exec: &mut impl Exec,
    fields: &ModelFields,
    session: NewSession,
    now: DateTime<Utc>,
) -> Result<Session, sqlx::Error> {
    // The values below follow `COLUMNS`.
    let mut columns = COLUMNS.to_vec();
    let mut args: Vec<Arg> = crate::args![
        generate_id(),
        generate_id(),
        session.user_id,
        session.expires_at,
        now,
        now,
        session.ip_address,
        session.user_agent
    ];
    for field in &fields.session {
        let value = session.additional.get(&field.name).or(field.default.as_ref());
        if let Some(value) = value {
            columns.push(&field.name);
            args.push(field_arg(field, value));
        }
    }
    let sql = super::insert_sql("session", &columns, fields.session_select());
    let row = exec.fetch_optional(&sql, args).await?.ok_or(sqlx::Error::RowNotFound)?;
    from_row(&row, fields, 0)
}

/// Finds a session and its user by token.
pub async fn find_with_user(
    exec: &mut impl Exec,
    fields: &ModelFields,
    token: &str,
) -> Result<Option<SessionData>, sqlx::Error> {
    let Some(row) = exec
        .fetch_optional(fields.session_with_user_sql(), crate::args![token])
        .await?
    else {
        return Ok(None);
    };
    with_user_from_row(&row, fields).map(Some)
}

/// Finds the sessions with these tokens and their users, in no particular order.
pub async fn find_many_with_user(
    exec: &mut impl Exec,
    fields: &ModelFields,
    tokens: Vec<String>,
) -> Result<Vec<SessionData>, sqlx::Error> {
    let sql = fields.sessions_with_users_sql(exec.dialect());
    exec.fetch_all(sql, vec![Arg::TextList(tokens)])
        .await?
        .iter()
        .map(|row| with_user_from_row(row, fields))
        .collect()
}

fn with_user_from_row(row: &Row, fields: &ModelFields) -> Result<SessionData, sqlx::Error> {
    Ok(SessionData {
        session: from_row(row, fields, 0)?,
        user: users::from_row(row, fields, fields.user_columns_start())?,
        needs_refresh: None,
    })
}

/// Every session of a user, oldest first.
pub async fn list_for_user(
    exec: &mut impl Exec,
    fields: &ModelFields,
    user_id: &str,
) -> Result<Vec<Session>, sqlx::Error> {
    let sql = format!(
        "select {} from \"session\" where \"userId\" = $1 order by \"createdAt\" asc",
        fields.session_select()
    );
    exec.fetch_all(&sql, crate::args![user_id])
        .await?
        .iter()
        .map(|row| from_row(row, fields, 0))
        .collect()
}

/// Updates columns of a session (and `updatedAt`); `None` when it no longer exists.
pub async fn update(
    exec: &mut impl Exec,
    fields: &ModelFields,
    token: &str,
    columns: Vec<(String, Arg)>,
    now: DateTime<Utc>,
) -> Result<Option<Session>, sqlx::Error> {
    let (sql, args) = super::update_sql("session", "token", token, columns, now, fields.session_select());
    exec.fetch_optional(&sql, args)
        .await?
        .map(|row| from_row(&row, fields, 0))
        .transpose()
}

/// Deletes a session; returns whether it existed.
pub async fn delete(exec: &mut impl Exec, token: &str) -> Result<bool, sqlx::Error> {
    Ok(exec
        .execute("delete from \"session\" where \"token\" = $1", crate::args![token])
        .await?
        > 0)
}

/// Deletes every session of a user.
pub async fn delete_for_user(exec: &mut impl Exec, user_id: &str) -> Result<u64, sqlx::Error> {
    exec.execute("delete from \"session\" where \"userId\" = $1", crate::args![user_id])
        .await
}

/// The tokens as one list argument (see [`super::in_list`]).
fn token_list(tokens: &[&str]) -> Arg {
    Arg::TextList(tokens.iter().map(|token| (*token).to_owned()).collect())
}

/// Deletes the sessions with these tokens.
pub async fn delete_tokens(exec: &mut impl Exec, tokens: &[&str]) -> Result<u64, sqlx::Error> {
    if tokens.is_empty() {
        return Ok(0);
    }
    let condition = super::in_list("\"token\"", 1, exec.dialect());
    exec.execute(
        &format!("delete from \"session\" where {condition}"),
        vec![token_list(tokens)],
    )
    .await
}

/// Ends the live sessions with these tokens but keeps their rows, `expiresAt` set to
/// `now` (better-auth's `preserveSessionInDatabase`).
pub async fn end_by_tokens(exec: &mut impl Exec, tokens: &[&str], now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    if tokens.is_empty() {
        return Ok(0);
    }
    let condition = super::in_list("\"token\"", 4, exec.dialect());
    let mut args = crate::args![now, now, now];
    args.push(token_list(tokens));
    exec.execute(
        &format!(
            "update \"session\" set \"expiresAt\" = $1, \"updatedAt\" = $2 where \"expiresAt\" > $3 and {condition}"
        ),
        args,
    )
    .await
}

/// Ends every live session of a user but keeps the rows (see [`end_by_tokens`]).
pub async fn end_for_user(exec: &mut impl Exec, user_id: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    exec.execute(
        "update \"session\" set \"expiresAt\" = $1, \"updatedAt\" = $2 where \"userId\" = $3 and \"expiresAt\" > $4",
        crate::args![now, now, user_id, now],
    )
    .await
}
