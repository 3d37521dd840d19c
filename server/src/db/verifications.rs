//! The `verification` table: single-use tokens (password reset, account deletion, …).

use chrono::{DateTime, Utc};

use super::{Exec, Row};
use crate::crypto::generate_id;

/// A verification row.
#[derive(Clone, Debug)]
pub struct Verification {
    /// Row id.
    pub id: String,
    /// What it verifies, e.g. `reset-password:<token>`.
    pub identifier: String,
    /// Its payload, e.g. a user id.
    pub value: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

fn from_row(row: &Row) -> Result<Verification, sqlx::Error> {
    Ok(Verification {
        id: row.text("id")?,
        identifier: row.text("identifier")?,
        value: row.text("value")?,
        expires_at: row.time("expiresAt")?,
    })
}

/// Stores a verification value.
pub async fn insert(
    exec: &mut impl Exec,
    identifier: &str,
    value: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"insert into "verification" ("id", "identifier", "value", "expiresAt", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6)"#,
        crate::args![generate_id(), identifier, value, expires_at, now, now],
    )
    .await?;
    Ok(())
}

const LATEST: &str = r#"select "id", "identifier", "value", "expiresAt" from "verification" where "identifier" = $1 order by "createdAt" desc limit 1"#;

/// The newest row for `identifier`, expired or not.
pub async fn find_latest(exec: &mut impl Exec, identifier: &str) -> Result<Option<Verification>, sqlx::Error> {
    exec.fetch_optional(LATEST, crate::args![identifier])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Takes the newest row for `identifier`, deleting every row of that identifier; an
/// expired row is deleted and reported as `None`. Run it inside a transaction: of
/// concurrent callers only the one whose delete removed the rows gets the value.
pub async fn consume(
    exec: &mut impl Exec,
    identifier: &str,
    now: DateTime<Utc>,
) -> Result<Option<Verification>, sqlx::Error> {
    Ok(take(exec, identifier).await?.filter(|latest| latest.expires_at > now))
}

/// [`consume`], expired or not: the newest row of `identifier` when this caller's delete
/// removed its rows.
pub async fn take(exec: &mut impl Exec, identifier: &str) -> Result<Option<Verification>, sqlx::Error> {
    let latest = match exec.fetch_optional(LATEST, crate::args![identifier]).await? {
        Some(row) => from_row(&row)?,
        None => return Ok(None),
    };
    let deleted = exec
        .execute(
            r#"delete from "verification" where "identifier" = $1"#,
            crate::args![identifier],
        )
        .await?;
    Ok((deleted > 0).then_some(latest))
}

/// Sets when every row of `identifier` expires.
pub async fn update_expiry(
    exec: &mut impl Exec,
    identifier: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "verification" set "expiresAt" = $1, "updatedAt" = $2 where "identifier" = $3"#,
        crate::args![expires_at, now, identifier],
    )
    .await?;
    Ok(())
}

/// Deletes every row of `identifier`.
pub async fn delete(exec: &mut impl Exec, identifier: &str) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"delete from "verification" where "identifier" = $1"#,
        crate::args![identifier],
    )
    .await?;
    Ok(())
}

/// Deletes expired rows.
pub async fn delete_expired(exec: &mut impl Exec, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    exec.execute(
        r#"delete from "verification" where "expiresAt" < $1"#,
        crate::args![now],
    )
    .await
}
