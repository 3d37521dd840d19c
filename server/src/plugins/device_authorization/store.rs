//! The `deviceCode` table: one row per device authorization request, from the request
//! until the token is issued, the user denies it (and the device hears so), or it expires
//! (and the device hears so).

use chrono::{DateTime, Utc};

use crate::db::{Arg, Exec, Row};

const COLUMNS: &str = r#""id", "deviceCode", "userCode", "userId", "expiresAt", "status", "lastPolledAt", "pollingInterval", "clientId", "scope""#;

/// One request.
#[derive(Clone, Debug)]
pub(super) struct DeviceCodeRow {
    pub id: String,
    pub device_code: String,
    pub user_code: String,
    /// The user who claimed it (or it was requested for).
    pub user_id: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// `pending`, `approved` or `denied`.
    pub status: String,
    pub last_polled_at: Option<DateTime<Utc>>,
    /// Milliseconds.
    pub polling_interval: Option<i64>,
    pub client_id: Option<String>,
    pub scope: Option<String>,
}

fn from_row(row: &Row) -> Result<DeviceCodeRow, sqlx::Error> {
    Ok(DeviceCodeRow {
        id: row.text("id")?,
        device_code: row.text("deviceCode")?,
        user_code: row.text("userCode")?,
        user_id: row.opt_text("userId")?,
        expires_at: row.time("expiresAt")?,
        status: row.text("status")?,
        last_polled_at: row.opt_time("lastPolledAt")?,
        polling_interval: row.opt_int("pollingInterval")?,
        client_id: row.opt_text("clientId")?,
        scope: row.opt_text("scope")?,
    })
}

/// Stores a new request (a unique violation when either code is taken).
pub(super) async fn insert(exec: &mut impl Exec, row: &DeviceCodeRow) -> Result<(), sqlx::Error> {
    let sql = format!(r#"insert into "deviceCode" ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"#);
    exec.execute(
        &sql,
        crate::args![
            row.id.as_str(),
            row.device_code.as_str(),
            row.user_code.as_str(),
            row.user_id.clone(),
            row.expires_at,
            row.status.as_str(),
            row.last_polled_at,
            Arg::Int(row.polling_interval),
            row.client_id.clone(),
            row.scope.clone()
        ],
    )
    .await?;
    Ok(())
}

async fn find_by(exec: &mut impl Exec, column: &str, value: &str) -> Result<Option<DeviceCodeRow>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "deviceCode" where "{column}" = $1 limit 1"#);
    exec.fetch_optional(&sql, crate::args![value])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The request with this device code.
pub(super) async fn find_by_device_code(
    exec: &mut impl Exec,
    code: &str,
) -> Result<Option<DeviceCodeRow>, sqlx::Error> {
    find_by(exec, "deviceCode", code).await
}

/// The request with exactly this user code.
pub(super) async fn find_by_user_code(exec: &mut impl Exec, code: &str) -> Result<Option<DeviceCodeRow>, sqlx::Error> {
    find_by(exec, "userCode", code).await
}

/// The request with this row id.
pub(super) async fn find(exec: &mut impl Exec, id: &str) -> Result<Option<DeviceCodeRow>, sqlx::Error> {
    find_by(exec, "id", id).await
}

/// Records a poll.
pub(super) async fn set_last_polled(exec: &mut impl Exec, id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "deviceCode" set "lastPolledAt" = $1 where "id" = $2"#,
        crate::args![now, id],
    )
    .await?;
    Ok(())
}

/// Deletes a request.
pub(super) async fn delete(exec: &mut impl Exec, id: &str) -> Result<(), sqlx::Error> {
    exec.execute(r#"delete from "deviceCode" where "id" = $1"#, crate::args![id])
        .await?;
    Ok(())
}

/// Gives a pending, unclaimed request to `user_id`; `false` when someone else was first.
pub(super) async fn claim(exec: &mut impl Exec, id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let changed = exec
        .execute(
            r#"update "deviceCode" set "userId" = $1 where "id" = $2 and "status" = 'pending' and "userId" is null"#,
            crate::args![user_id, id],
        )
        .await?;
    Ok(changed == 1)
}

/// Approves or denies a pending request; `false` when it was decided meanwhile.
pub(super) async fn decide(exec: &mut impl Exec, id: &str, status: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let changed = exec
        .execute(
            r#"update "deviceCode" set "status" = $1, "userId" = $2 where "id" = $3 and "status" = 'pending'"#,
            crate::args![status, user_id, id],
        )
        .await?;
    Ok(changed == 1)
}

/// Takes an approved request of `client_id` (deleting it): of two polls at once, only
/// one gets it.
pub(super) async fn consume_approved(
    exec: &mut impl Exec,
    id: &str,
    client_id: &str,
) -> Result<Option<DeviceCodeRow>, sqlx::Error> {
    let sql = format!(
        r#"delete from "deviceCode" where "id" = $1 and "clientId" = $2 and "status" = 'approved' returning {COLUMNS}"#
    );
    exec.fetch_optional(&sql, crate::args![id, client_id])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}
