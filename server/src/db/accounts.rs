//! The `account` table.

use chrono::{DateTime, Utc};

use super::{Exec, Row};
use crate::crypto::generate_id;
use keyward_client::wire::AccountSummary;

/// The provider id of email-and-password accounts.
pub const CREDENTIAL_PROVIDER: &str = "credential";

/// An account row (tokens left out: Keyward core never reads them).
#[derive(Clone, Debug)]
pub struct Account {
    /// Row id.
    pub id: String,
    /// Provider's user id.
    pub account_id: String,
    /// Provider id.
    pub provider_id: String,
    /// Owner.
    pub user_id: String,
    /// scrypt hash for credential accounts.
    pub password: Option<String>,
    /// Comma-separated scopes.
    pub scope: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update time.
    pub updated_at: DateTime<Utc>,
}

impl Account {
    /// The public shape, as `/list-accounts` returns it.
    pub fn summary(&self) -> AccountSummary {
        AccountSummary {
            id: self.id.clone(),
            provider_id: self.provider_id.clone(),
            account_id: self.account_id.clone(),
            user_id: self.user_id.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            scopes: self
                .scope
                .as_deref()
                .map(|scope| {
                    scope
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

const COLUMNS: &str = r#""id", "accountId", "providerId", "userId", "password", "scope", "createdAt", "updatedAt""#;

fn from_row(row: &Row) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: row.text("id")?,
        account_id: row.text("accountId")?,
        provider_id: row.text("providerId")?,
        user_id: row.text("userId")?,
        password: row.opt_text("password")?,
        scope: row.opt_text("scope")?,
        created_at: row.time("createdAt")?,
        updated_at: row.time("updatedAt")?,
    })
}

/// Links a credential account holding `password_hash`.
pub async fn insert_credential(
    exec: &mut impl Exec,
    user_id: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"insert into "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6, $7)"#,
        crate::args![generate_id(), user_id, CREDENTIAL_PROVIDER, user_id, password_hash, now, now],
    )
    .await?;
    Ok(())
}

/// Every account of a user, oldest first.
pub async fn list_for_user(exec: &mut impl Exec, user_id: &str) -> Result<Vec<Account>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "account" where "userId" = $1 order by "createdAt" asc"#);
    exec.fetch_all(&sql, crate::args![user_id])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The user's credential account, if any.
pub async fn find_credential(exec: &mut impl Exec, user_id: &str) -> Result<Option<Account>, sqlx::Error> {
    let sql = format!(
        r#"select {COLUMNS} from "account" where "userId" = $1 and "providerId" = $2 order by "createdAt" asc limit 1"#
    );
    exec.fetch_optional(&sql, crate::args![user_id, CREDENTIAL_PROVIDER])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Replaces an account's password hash.
pub async fn set_password(
    exec: &mut impl Exec,
    account_id: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "account" set "password" = $1, "updatedAt" = $2 where "id" = $3"#,
        crate::args![hash, now, account_id],
    )
    .await?;
    Ok(())
}

/// Deletes an account row.
pub async fn delete(exec: &mut impl Exec, id: &str) -> Result<(), sqlx::Error> {
    exec.execute(r#"delete from "account" where "id" = $1"#, crate::args![id])
        .await?;
    Ok(())
}
