//! The `account` table.

use chrono::{DateTime, Utc};

use super::{Exec, Row};
use crate::crypto::generate_id;
use keyward_client::wire::AccountSummary;

/// The provider id of email-and-password accounts.
pub const CREDENTIAL_PROVIDER: &str = "credential";

/// An account row. Provider tokens are kept as stored (encrypted when
/// `account.encryptOAuthTokens` was on when they were written).
#[derive(Clone)]
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
    /// The provider's access token, as stored.
    pub access_token: Option<String>,
    /// The provider's refresh token, as stored.
    pub refresh_token: Option<String>,
    /// The provider's ID token (never encrypted).
    pub id_token: Option<String>,
    /// When the access token expires.
    pub access_token_expires_at: Option<DateTime<Utc>>,
    /// When the refresh token expires.
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update time.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("account_id", &self.account_id)
            .field("provider_id", &self.provider_id)
            .field("user_id", &self.user_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
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

const COLUMNS: &str = r#""id", "accountId", "providerId", "userId", "password", "scope", "accessToken", "refreshToken", "idToken", "accessTokenExpiresAt", "refreshTokenExpiresAt", "createdAt", "updatedAt""#;

fn from_row(row: &Row) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: row.text("id")?,
        account_id: row.text("accountId")?,
        provider_id: row.text("providerId")?,
        user_id: row.text("userId")?,
        password: row.opt_text("password")?,
        scope: row.opt_text("scope")?,
        access_token: row.opt_text("accessToken")?,
        refresh_token: row.opt_text("refreshToken")?,
        id_token: row.opt_text("idToken")?,
        access_token_expires_at: row.opt_time("accessTokenExpiresAt")?,
        refresh_token_expires_at: row.opt_time("refreshTokenExpiresAt")?,
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
) -> Result<Account, sqlx::Error> {
    let id = generate_id();
    exec.execute(
        r#"insert into "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6, $7)"#,
        crate::args![id.clone(), user_id, CREDENTIAL_PROVIDER, user_id, password_hash, now, now],
    )
    .await?;
    Ok(Account {
        id,
        account_id: user_id.to_owned(),
        provider_id: CREDENTIAL_PROVIDER.to_owned(),
        user_id: user_id.to_owned(),
        password: Some(password_hash.to_owned()),
        scope: None,
        access_token: None,
        refresh_token: None,
        id_token: None,
        access_token_expires_at: None,
        refresh_token_expires_at: None,
        created_at: now,
        updated_at: now,
    })
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

/// Deletes an account row.
pub async fn delete(exec: &mut impl Exec, id: &str) -> Result<(), sqlx::Error> {
    exec.execute(r#"delete from "account" where "id" = $1"#, crate::args![id])
        .await?;
    Ok(())
}

/// The tokens and grant of a provider account, as written to its row (tokens already
/// encrypted where the configuration says so).
#[derive(Clone, Default)]
pub struct AccountTokens {
    /// Access token.
    pub access_token: Option<String>,
    /// Refresh token.
    pub refresh_token: Option<String>,
    /// ID token.
    pub id_token: Option<String>,
    /// Access-token expiry.
    pub access_token_expires_at: Option<DateTime<Utc>>,
    /// Refresh-token expiry.
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// Comma-separated scopes.
    pub scope: Option<String>,
}

/// The account `(provider_id, account_id)`, if linked to anyone.
pub async fn find_by_provider(
    exec: &mut impl Exec,
    provider_id: &str,
    account_id: &str,
) -> Result<Option<Account>, sqlx::Error> {
    let sql = format!(
        r#"select {COLUMNS} from "account" where "providerId" = $1 and "accountId" = $2 order by "createdAt" asc limit 1"#
    );
    exec.fetch_optional(&sql, crate::args![provider_id, account_id])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Links a provider account to `user_id`.
pub async fn insert_oauth(
    exec: &mut impl Exec,
    user_id: &str,
    provider_id: &str,
    account_id: &str,
    tokens: AccountTokens,
    now: DateTime<Utc>,
) -> Result<Account, sqlx::Error> {
    let id = generate_id();
    exec.execute(
        r#"insert into "account" ("id", "accountId", "providerId", "userId", "accessToken", "refreshToken", "idToken", "accessTokenExpiresAt", "refreshTokenExpiresAt", "scope", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"#,
        crate::args![
            id.clone(),
            account_id,
            provider_id,
            user_id,
            tokens.access_token.clone(),
            tokens.refresh_token.clone(),
            tokens.id_token.clone(),
            tokens.access_token_expires_at,
            tokens.refresh_token_expires_at,
            tokens.scope.clone(),
            now,
            now
        ],
    )
    .await?;
    Ok(Account {
        id,
        account_id: account_id.to_owned(),
        provider_id: provider_id.to_owned(),
        user_id: user_id.to_owned(),
        password: None,
        scope: tokens.scope,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token: tokens.id_token,
        access_token_expires_at: tokens.access_token_expires_at,
        refresh_token_expires_at: tokens.refresh_token_expires_at,
        created_at: now,
        updated_at: now,
    })
}

/// What an account update writes; a field left `None` keeps its stored value, as
/// better-auth drops undefined fields from an update.
#[derive(Clone, Default)]
pub struct AccountChanges {
    /// A new password hash (scrypt, as [`crate::password::hash`] makes it).
    pub password: Option<String>,
    /// Provider tokens, their expiries and the scope, as stored (encrypted where the
    /// configuration says so).
    pub tokens: AccountTokens,
}

impl std::fmt::Debug for AccountChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tokens = &self.tokens;
        f.debug_struct("AccountChanges")
            .field("password", &self.password.is_some())
            .field("access_token", &tokens.access_token.is_some())
            .field("refresh_token", &tokens.refresh_token.is_some())
            .field("id_token", &tokens.id_token.is_some())
            .field("access_token_expires_at", &tokens.access_token_expires_at)
            .field("refresh_token_expires_at", &tokens.refresh_token_expires_at)
            .field("scope", &tokens.scope)
            .finish()
    }
}

impl AccountChanges {
    /// A new password hash.
    pub fn password(hash: &str) -> Self {
        Self {
            password: Some(hash.to_owned()),
            ..Self::default()
        }
    }

    /// New provider tokens.
    pub fn tokens(tokens: AccountTokens) -> Self {
        Self { password: None, tokens }
    }
}

/// Writes `changes` to the account `id` (and `updatedAt`); the updated row, `None` when
/// it no longer exists.
pub async fn update(
    exec: &mut impl Exec,
    id: &str,
    changes: &AccountChanges,
    now: DateTime<Utc>,
) -> Result<Option<Account>, sqlx::Error> {
    let tokens = &changes.tokens;
    let sql = format!(
        r#"update "account" set "password" = coalesce($1, "password"), "accessToken" = coalesce($2, "accessToken"), "refreshToken" = coalesce($3, "refreshToken"), "idToken" = coalesce($4, "idToken"), "accessTokenExpiresAt" = coalesce($5, "accessTokenExpiresAt"), "refreshTokenExpiresAt" = coalesce($6, "refreshTokenExpiresAt"), "scope" = coalesce($7, "scope"), "updatedAt" = $8 where "id" = $9 returning {COLUMNS}"#
    );
    exec.fetch_optional(
        &sql,
        crate::args![
            changes.password.clone(),
            tokens.access_token.clone(),
            tokens.refresh_token.clone(),
            tokens.id_token.clone(),
            tokens.access_token_expires_at,
            tokens.refresh_token_expires_at,
            tokens.scope.clone(),
            now,
            id
        ],
    )
    .await?
    .map(|row| from_row(&row))
    .transpose()
}
