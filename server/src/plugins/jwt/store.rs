//! The `jwks` table, as better-auth's jwt plugin creates and fills it: one row per key,
//! the public JWK as JSON, the private JWK as JSON (or, by default, the JSON string of its
//! encryption with the server secret), and the key's algorithm, curve and expiry.

use chrono::{DateTime, Utc};

use crate::db::schema::{Column, FieldType, Table};
use crate::db::{Exec, Row};

/// The plugin's table.
pub(super) fn jwks_table() -> Table {
    use FieldType::*;
    Table {
        name: "jwks",
        columns: vec![
            Column::new("publicKey", String, true),
            Column::new("privateKey", String, true),
            Column::new("createdAt", Date, true),
            Column::new("expiresAt", Date, false),
            Column::new("alg", String, false),
            Column::new("crv", String, false),
        ],
        indexes: Vec::new(),
        unique_indexes: Vec::new(),
    }
}

/// One stored key.
#[derive(Clone, Debug)]
pub(super) struct StoredKey {
    /// The row id: the tokens' `kid`.
    pub id: String,
    pub public_key: String,
    pub private_key: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// `None` on rows of older better-auth releases: the configured algorithm.
    pub alg: Option<String>,
    pub crv: Option<String>,
}

impl StoredKey {
    /// Whether the key may still sign at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|expires| expires > now)
    }
}

const COLUMNS: &str = r#""id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv""#;

fn from_row(row: &Row) -> Result<StoredKey, sqlx::Error> {
    Ok(StoredKey {
        id: row.text("id")?,
        public_key: row.text("publicKey")?,
        private_key: row.text("privateKey")?,
        created_at: row.time("createdAt")?,
        expires_at: row.opt_time("expiresAt")?,
        alg: row.opt_text("alg")?,
        crv: row.opt_text("crv")?,
    })
}

/// Every key, newest first.
pub(super) async fn all(exec: &mut impl Exec) -> Result<Vec<StoredKey>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "jwks" order by "createdAt" desc, "id" desc"#);
    exec.fetch_all(&sql, crate::args![])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The key named `id`.
pub(super) async fn find(exec: &mut impl Exec, id: &str) -> Result<Option<StoredKey>, sqlx::Error> {
    let sql = format!(r#"select {COLUMNS} from "jwks" where "id" = $1 limit 1"#);
    exec.fetch_optional(&sql, crate::args![id])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Stores a new key.
pub(super) async fn insert(exec: &mut impl Exec, key: &StoredKey) -> Result<(), sqlx::Error> {
    let sql = format!(r#"insert into "jwks" ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)"#);
    exec.execute(
        &sql,
        crate::args![
            key.id.as_str(),
            key.public_key.as_str(),
            key.private_key.as_str(),
            key.created_at,
            key.expires_at,
            key.alg.clone(),
            key.crv.clone()
        ],
    )
    .await?;
    Ok(())
}

/// Ends the signing life of every live key but `keep` at `now` (their grace period starts).
pub(super) async fn expire_all_but(exec: &mut impl Exec, keep: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    exec.execute(
        r#"update "jwks" set "expiresAt" = $1 where "id" <> $2 and ("expiresAt" is null or "expiresAt" > $1)"#,
        crate::args![now, keep],
    )
    .await
}
