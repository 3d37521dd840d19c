//! The `twoFactor` table of the two-factor plugin: one row per user with an encrypted
//! TOTP secret, the backup codes, and the account-lockout counters.

use chrono::{DateTime, Utc};

use crate::crypto::generate_id;
use crate::db::{Exec, Row};

/// A `twoFactor` row.
#[derive(Clone, Debug)]
pub struct TwoFactorRow {
    /// Row id.
    pub id: String,
    /// The encrypted TOTP secret.
    pub secret: String,
    /// The stored backup codes (encrypted or plain JSON, per configuration).
    pub backup_codes: String,
    /// `false` until the first TOTP code is verified (`None` counts as verified, as in
    /// better-auth, whose column default is `true`).
    pub verified: Option<bool>,
    /// Set while the account's second factor is locked.
    pub locked_until: Option<DateTime<Utc>>,
}

impl TwoFactorRow {
    /// Whether TOTP was confirmed with a first code.
    pub fn is_verified(&self) -> bool {
        self.verified != Some(false)
    }
}

const COLUMNS: &str = r#""id", "secret", "backupCodes", "verified", "lockedUntil""#;

fn from_row(row: &Row) -> Result<TwoFactorRow, sqlx::Error> {
    Ok(TwoFactorRow {
        id: row.text("id")?,
        secret: row.text("secret")?,
        backup_codes: row.text("backupCodes")?,
        verified: row.opt_bool("verified")?,
        locked_until: row.opt_time("lockedUntil")?,
    })
}

/// The user's row, if any.
pub async fn find_by_user(exec: &mut impl Exec, user_id: &str) -> Result<Option<TwoFactorRow>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "twoFactor" where "userId" = $1 limit 1"#);
    exec.fetch_optional(&sql, crate::args![user_id])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Creates the user's row.
pub async fn insert(
    exec: &mut impl Exec,
    user_id: &str,
    secret: &str,
    backup_codes: &str,
    verified: bool,
) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"insert into "twoFactor" ("id", "secret", "backupCodes", "userId", "verified", "failedVerificationCount") values ($1, $2, $3, $4, $5, $6)"#,
        crate::args![generate_id(), secret, backup_codes, user_id, verified, 0i64],
    )
    .await?;
    Ok(())
}

/// Replaces the secret and backup codes of a row (enabling TOTP again before verifying).
pub async fn reset_secret(
    exec: &mut impl Exec,
    id: &str,
    secret: &str,
    backup_codes: &str,
    verified: bool,
) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "twoFactor" set "secret" = $1, "backupCodes" = $2, "verified" = $3 where "id" = $4"#,
        crate::args![secret, backup_codes, verified, id],
    )
    .await?;
    Ok(())
}

/// Marks TOTP as confirmed.
pub async fn mark_verified(exec: &mut impl Exec, id: &str) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "twoFactor" set "verified" = $1 where "id" = $2"#,
        crate::args![true, id],
    )
    .await?;
    Ok(())
}

/// Replaces the backup codes.
pub async fn set_backup_codes(exec: &mut impl Exec, id: &str, backup_codes: &str) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "twoFactor" set "backupCodes" = $1 where "id" = $2"#,
        crate::args![backup_codes, id],
    )
    .await?;
    Ok(())
}

/// Replaces the backup codes only if they are still `expected`: of two requests spending
/// codes at the same time, one wins and the other sees `false`.
pub async fn swap_backup_codes(
    exec: &mut impl Exec,
    id: &str,
    expected: &str,
    replacement: &str,
) -> Result<bool, sqlx::Error> {
    let changed = exec
        .execute(
            r#"update "twoFactor" set "backupCodes" = $1 where "id" = $2 and "backupCodes" = $3"#,
            crate::args![replacement, id, expected],
        )
        .await?;
    Ok(changed == 1)
}

/// Counts one failed sign-in verification and returns the new count (atomic).
pub async fn record_failure(exec: &mut impl Exec, id: &str) -> Result<i64, sqlx::Error> {
    let row = exec
        .fetch_optional(
            r#"update "twoFactor" set "failedVerificationCount" = coalesce("failedVerificationCount", 0) + 1 where "id" = $1 returning "failedVerificationCount""#,
            crate::args![id],
        )
        .await?;
    match row {
        Some(row) => Ok(row.opt_int("failedVerificationCount")?.unwrap_or(0)),
        None => Ok(0),
    }
}

/// Locks the row until `until`, if its count is still at least `threshold`.
pub async fn lock(exec: &mut impl Exec, id: &str, threshold: i64, until: DateTime<Utc>) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "twoFactor" set "lockedUntil" = $1 where "id" = $2 and "failedVerificationCount" >= $3"#,
        crate::args![until, id, threshold],
    )
    .await?;
    Ok(())
}

/// Clears the failure count and any lock.
pub async fn reset_failures(exec: &mut impl Exec, id: &str) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "twoFactor" set "failedVerificationCount" = $1, "lockedUntil" = $2 where "id" = $3"#,
        crate::args![0i64, None::<DateTime<Utc>>, id],
    )
    .await?;
    Ok(())
}

/// Deletes the user's rows.
pub async fn delete_for_user(exec: &mut impl Exec, user_id: &str) -> Result<(), sqlx::Error> {
    exec.execute(r#"delete from "twoFactor" where "userId" = $1"#, crate::args![user_id])
        .await?;
    Ok(())
}
