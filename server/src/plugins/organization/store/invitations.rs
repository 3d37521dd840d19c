//! The organization plugin's `invitation` table.

use chrono::{DateTime, Utc};

use crate::crypto::generate_id;
use crate::db::{Exec, Row};
use keyward_client::wire::organization::{Invitation, InvitationStatus, UserInvitation};

/// The columns, with `teamId` only on servers with teams.
fn columns(teams: bool) -> &'static str {
    if teams {
        r#"i."id", i."organizationId", i."email", i."role", i."teamId", i."status", i."expiresAt", i."createdAt", i."inviterId""#
    } else {
        r#"i."id", i."organizationId", i."email", i."role", i."status", i."expiresAt", i."createdAt", i."inviterId""#
    }
}

fn status_from(text: &str) -> Result<InvitationStatus, sqlx::Error> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| sqlx::Error::Decode(format!("unknown invitation status `{text}`").into()))
}

/// The wire string of a status.
pub fn status_text(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "pending",
        InvitationStatus::Accepted => "accepted",
        InvitationStatus::Rejected => "rejected",
        InvitationStatus::Canceled => "canceled",
    }
}

fn from_row(row: &Row, teams: bool) -> Result<Invitation, sqlx::Error> {
    Ok(Invitation {
        id: row.text("id")?,
        organization_id: row.text("organizationId")?,
        email: row.text("email")?,
        role: row.opt_text("role")?.unwrap_or_default(),
        team_id: if teams { Some(row.opt_text("teamId")?) } else { None },
        status: status_from(&row.text("status")?)?,
        expires_at: row.time("expiresAt")?,
        created_at: row.time("createdAt")?,
        inviter_id: row.text("inviterId")?,
    })
}

/// A new invitation.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    /// The organization.
    pub organization_id: String,
    /// The invitee (lowercase).
    pub email: String,
    /// Roles, comma-separated.
    pub role: String,
    /// Team ids, comma-separated.
    pub team_ids: Option<String>,
    /// Who invites.
    pub inviter_id: String,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
}

/// Stores a pending invitation.
pub async fn insert(
    exec: &mut impl Exec,
    invitation: NewInvitation,
    teams: bool,
    now: DateTime<Utc>,
) -> Result<Invitation, sqlx::Error> {
    let id = generate_id();
    let (sql, args) = if teams {
        (
            r#"insert into "invitation" ("id", "organizationId", "email", "role", "teamId", "status", "expiresAt", "createdAt", "inviterId")
               values ($1, $2, $3, $4, $5, 'pending', $6, $7, $8)"#,
            crate::args![
                &id,
                invitation.organization_id,
                invitation.email,
                invitation.role,
                invitation.team_ids,
                invitation.expires_at,
                now,
                invitation.inviter_id
            ],
        )
    } else {
        (
            r#"insert into "invitation" ("id", "organizationId", "email", "role", "status", "expiresAt", "createdAt", "inviterId")
               values ($1, $2, $3, $4, 'pending', $5, $6, $7)"#,
            crate::args![
                &id,
                invitation.organization_id,
                invitation.email,
                invitation.role,
                invitation.expires_at,
                now,
                invitation.inviter_id
            ],
        )
    };
    exec.execute(sql, args).await?;
    find(exec, &id, teams).await?.ok_or(sqlx::Error::RowNotFound)
}

/// An invitation by id.
pub async fn find(exec: &mut impl Exec, id: &str, teams: bool) -> Result<Option<Invitation>, sqlx::Error> {
    let sql = format!(r#"select {} from "invitation" i where i."id" = $1"#, columns(teams));
    exec.fetch_optional(&sql, crate::args![id])
        .await?
        .map(|row| from_row(&row, teams))
        .transpose()
}

/// An organization's invitations (all statuses), oldest first.
pub async fn list(exec: &mut impl Exec, organization_id: &str, teams: bool) -> Result<Vec<Invitation>, sqlx::Error> {
    let sql = format!(
        r#"select {} from "invitation" i where i."organizationId" = $1 order by i."createdAt", i."id""#,
        columns(teams)
    );
    exec.fetch_all(&sql, crate::args![organization_id])
        .await?
        .iter()
        .map(|row| from_row(row, teams))
        .collect()
}

/// Pending, unexpired invitations of an organization, optionally for one address.
pub async fn pending(
    exec: &mut impl Exec,
    organization_id: &str,
    email: Option<&str>,
    teams: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Invitation>, sqlx::Error> {
    let all = list(exec, organization_id, teams).await?;
    Ok(all
        .into_iter()
        .filter(|i| i.status == InvitationStatus::Pending && i.expires_at > now)
        .filter(|i| email.is_none_or(|e| i.email == e))
        .collect())
}

/// The invitations sent to an address, with their organization's name.
pub async fn list_for_email(
    exec: &mut impl Exec,
    email: &str,
    teams: bool,
) -> Result<Vec<UserInvitation>, sqlx::Error> {
    let sql = format!(
        r#"select {}, o."name" as "organizationName" from "invitation" i
           left join "organization" o on o."id" = i."organizationId" where i."email" = $1 order by i."createdAt", i."id""#,
        columns(teams)
    );
    exec.fetch_all(&sql, crate::args![email])
        .await?
        .iter()
        .map(|row| {
            Ok(UserInvitation {
                invitation: from_row(row, teams)?,
                organization_name: row.opt_text("organizationName")?,
            })
        })
        .collect()
}

/// Moves an invitation to `status` (only from `from`, when given) and returns it;
/// `None` when it was not in that state (someone else acted first).
pub async fn set_status(
    exec: &mut impl Exec,
    id: &str,
    status: InvitationStatus,
    from: Option<InvitationStatus>,
    teams: bool,
) -> Result<Option<Invitation>, sqlx::Error> {
    let changed = match from {
        Some(from) => {
            exec.execute(
                r#"update "invitation" set "status" = $1 where "id" = $2 and "status" = $3"#,
                crate::args![status_text(status), id, status_text(from)],
            )
            .await?
        }
        None => {
            exec.execute(
                r#"update "invitation" set "status" = $1 where "id" = $2"#,
                crate::args![status_text(status), id],
            )
            .await?
        }
    };
    if changed == 0 {
        return Ok(None);
    }
    find(exec, id, teams).await
}

/// Gives a pending invitation a new expiry (resending it).
pub async fn extend(exec: &mut impl Exec, id: &str, expires_at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "invitation" set "expiresAt" = $1 where "id" = $2"#,
        crate::args![expires_at, id],
    )
    .await?;
    Ok(())
}

/// Replaces the team list of an invitation.
pub async fn set_team_ids(exec: &mut impl Exec, id: &str, team_ids: Option<String>) -> Result<(), sqlx::Error> {
    exec.execute(
        r#"update "invitation" set "teamId" = $1 where "id" = $2"#,
        crate::args![team_ids, id],
    )
    .await?;
    Ok(())
}
