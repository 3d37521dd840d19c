//! The `passkey` table of the passkey plugin: one row per registered WebAuthn credential,
//! in SimpleWebAuthn's storage format (standard-base64 COSE key, base64url credential id).

use chrono::{DateTime, Utc};
use keyward_client::wire::{DeviceType, Passkey};

use crate::db::{Exec, Row};

const COLUMNS: &str = r#""id", "name", "publicKey", "userId", "credentialID", "counter", "deviceType", "backedUp", "transports", "createdAt", "aaguid""#;

fn from_row(row: &Row) -> Result<Passkey, sqlx::Error> {
    Ok(Passkey {
        id: row.text("id")?,
        name: row.opt_text("name")?,
        public_key: row.text("publicKey")?,
        user_id: row.text("userId")?,
        credential_id: row.text("credentialID")?,
        counter: u64::try_from(row.int("counter")?).unwrap_or(0),
        device_type: DeviceType::parse(&row.text("deviceType")?),
        backed_up: row.bool("backedUp")?,
        transports: row.opt_text("transports")?,
        created_at: row.opt_time("createdAt")?,
        aaguid: row.opt_text("aaguid")?,
    })
}

/// A user's passkeys, oldest first.
pub async fn list_for_user(exec: &mut impl Exec, user_id: &str) -> Result<Vec<Passkey>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "passkey" where "userId" = $1 order by "createdAt", "id""#);
    exec.fetch_all(&sql, crate::args![user_id])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The passkey with this row id.
pub async fn find(exec: &mut impl Exec, id: &str) -> Result<Option<Passkey>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "passkey" where "id" = $1 limit 1"#);
    exec.fetch_optional(&sql, crate::args![id])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The passkey with this credential id (base64url).
pub async fn find_by_credential_id(exec: &mut impl Exec, credential_id: &str) -> Result<Option<Passkey>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "passkey" where "credentialID" = $1 limit 1"#);
    exec.fetch_optional(&sql, crate::args![credential_id])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Stores a new passkey.
pub async fn insert(exec: &mut impl Exec, passkey: &Passkey) -> Result<(), sqlx::Error> {
    let counter = i64::try_from(passkey.counter).unwrap_or(i64::MAX);
    let created_at: Option<DateTime<Utc>> = passkey.created_at;
    let sql = format!(r#"insert into "passkey" ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"#);
    exec.execute(
        &sql,
        crate::args![
            passkey.id.as_str(),
            passkey.name.clone(),
            passkey.public_key.as_str(),
            passkey.user_id.as_str(),
            passkey.credential_id.as_str(),
            counter,
            passkey.device_type.as_str(),
            passkey.backed_up,
            passkey.transports.clone(),
            created_at,
            passkey.aaguid.clone()
        ],
    )
    .await?;
    Ok(())
}

/// Records a sign-in: the new counter and backup state. Only moves the counter forward, so
/// of two sign-ins with the same assertion one wins (`false` for the other).
pub async fn record_use(
    exec: &mut impl Exec,
    id: &str,
    old_counter: u64,
    new_counter: u64,
    backed_up: bool,
) -> Result<bool, sqlx::Error> {
    let old = i64::try_from(old_counter).unwrap_or(i64::MAX);
    let new = i64::try_from(new_counter).unwrap_or(i64::MAX);
    let changed = exec
        .execute(
            r#"update "passkey" set "counter" = $1, "backedUp" = $2 where "id" = $3 and "counter" = $4"#,
            crate::args![new, backed_up, id, old],
        )
        .await?;
    Ok(changed == 1)
}

/// Renames a passkey.
pub async fn rename(exec: &mut impl Exec, id: &str, name: &str) -> Result<bool, sqlx::Error> {
    let changed = exec
        .execute(
            r#"update "passkey" set "name" = $1 where "id" = $2"#,
            crate::args![name, id],
        )
        .await?;
    Ok(changed == 1)
}

/// Deletes a passkey.
pub async fn delete(exec: &mut impl Exec, id: &str) -> Result<(), sqlx::Error> {
    exec.execute(r#"delete from "passkey" where "id" = $1"#, crate::args![id])
        .await?;
    Ok(())
}
