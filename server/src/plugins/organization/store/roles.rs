//! The organization plugin's `organizationRole` table: roles defined per organization at
//! run time, with their permissions as JSON text.

use chrono::{DateTime, Utc};

use crate::crypto::generate_id;
use crate::db::{Arg, Exec, Row};
use keyward_client::wire::organization::{OrganizationRole, Permissions};

const COLUMNS: &str = r#""id", "organizationId", "role", "permission", "createdAt", "updatedAt""#;

fn from_row(row: &Row) -> Result<OrganizationRole, sqlx::Error> {
    let text = row.text("permission")?;
    let permission: Permissions = serde_json::from_str(&text)
        .map_err(|e| sqlx::Error::Decode(format!("organizationRole.permission is not a permission map: {e}").into()))?;
    Ok(OrganizationRole {
        id: row.text("id")?,
        organization_id: row.text("organizationId")?,
        role: row.text("role")?,
        permission,
        created_at: row.time("createdAt")?,
        updated_at: row.opt_time("updatedAt")?,
    })
}

/// How a request names a role.
#[derive(Clone, Copy, Debug)]
pub enum RoleKey<'a> {
    /// By name.
    Name(&'a str),
    /// By id.
    Id(&'a str),
}

impl RoleKey<'_> {
    fn condition(&self) -> (&'static str, Arg) {
        match self {
            RoleKey::Name(name) => (r#""role" = $2"#, Arg::from(*name)),
            RoleKey::Id(id) => (r#""id" = $2"#, Arg::from(*id)),
        }
    }
}

/// Stores a role.
pub async fn insert(
    exec: &mut impl Exec,
    organization_id: &str,
    role: &str,
    permission: &Permissions,
    now: DateTime<Utc>,
) -> Result<OrganizationRole, sqlx::Error> {
    let text = serde_json::to_string(permission).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let sql = format!(
        r#"insert into "organizationRole" ("id", "organizationId", "role", "permission", "createdAt") values ($1, $2, $3, $4, $5) returning {COLUMNS}"#
    );
    let row = exec
        .fetch_optional(&sql, crate::args![generate_id(), organization_id, role, text, now])
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    from_row(&row)
}

/// A role of an organization.
pub async fn find(
    exec: &mut impl Exec,
    organization_id: &str,
    key: RoleKey<'_>,
) -> Result<Option<OrganizationRole>, sqlx::Error> {
    let (condition, arg) = key.condition();
    let sql =
        format!(r#"select {COLUMNS} from "organizationRole" where "organizationId" = $1 and {condition} limit 1"#);
    exec.fetch_optional(&sql, vec![Arg::from(organization_id), arg])
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// An organization's roles.
pub async fn list(exec: &mut impl Exec, organization_id: &str) -> Result<Vec<OrganizationRole>, sqlx::Error> {
    let sql =
        format!(r#"select {COLUMNS} from "organizationRole" where "organizationId" = $1 order by "createdAt", "id""#);
    exec.fetch_all(&sql, crate::args![organization_id])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// How many roles an organization has.
pub async fn count(exec: &mut impl Exec, organization_id: &str) -> Result<u64, sqlx::Error> {
    let row = exec
        .fetch_optional(
            r#"select count(*) as "n" from "organizationRole" where "organizationId" = $1"#,
            crate::args![organization_id],
        )
        .await?;
    Ok(row.map(|r| r.int("n")).transpose()?.unwrap_or(0).max(0) as u64)
}

/// Changes a role's name and/or permissions.
pub async fn update(
    exec: &mut impl Exec,
    organization_id: &str,
    key: RoleKey<'_>,
    name: Option<&str>,
    permission: Option<&Permissions>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let (condition, arg) = key.condition();
    let text = permission
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let sql = format!(
        r#"update "organizationRole" set "role" = coalesce($3, "role"), "permission" = coalesce($4, "permission"), "updatedAt" = $5
           where "organizationId" = $1 and {condition}"#
    );
    exec.execute(
        &sql,
        vec![
            Arg::from(organization_id),
            arg,
            Arg::from(name.map(str::to_owned)),
            Arg::from(text),
            Arg::from(now),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes a role.
pub async fn delete(exec: &mut impl Exec, organization_id: &str, key: RoleKey<'_>) -> Result<(), sqlx::Error> {
    let (condition, arg) = key.condition();
    let sql = format!(r#"delete from "organizationRole" where "organizationId" = $1 and {condition}"#);
    exec.execute(&sql, vec![Arg::from(organization_id), arg]).await?;
    Ok(())
}
