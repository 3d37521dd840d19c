//! The organization plugin's `team` and `teamMember` tables.
//!
//! `team.memberCount` is kept as better-auth keeps it (it enforces the per-team limit),
//! and `teamMember.membershipKey` (`base64url(SHA-256(JSON [teamId, userId]))`, unique)
//! makes adding the same user twice impossible even under concurrency.

use chrono::{DateTime, Utc};

use crate::crypto::{base64url, generate_id, sha256};
use crate::db::{Exec, Row};
use keyward_client::wire::organization::{Team, TeamMember};

const TEAM_COLUMNS: &str = r#""id", "name", "organizationId", "createdAt", "updatedAt", "memberCount""#;

fn team_from_row(row: &Row, with_count: bool) -> Result<Team, sqlx::Error> {
    Ok(Team {
        id: row.text("id")?,
        name: row.text("name")?,
        organization_id: row.text("organizationId")?,
        created_at: row.time("createdAt")?,
        updated_at: row.opt_time("updatedAt")?,
        member_count: if with_count { row.opt_int("memberCount")? } else { None },
    })
}

fn team_member_from_row(row: &Row) -> Result<TeamMember, sqlx::Error> {
    Ok(TeamMember {
        id: row.text("id")?,
        team_id: row.text("teamId")?,
        user_id: row.text("userId")?,
        created_at: row.opt_time("createdAt")?,
    })
}

/// better-auth's `membershipKey` for a `(team, user)` pair.
pub fn membership_key(team_id: &str, user_id: &str) -> String {
    let pair = serde_json::json!([team_id, user_id]).to_string();
    base64url(&sha256(pair.as_bytes()))
}

/// Creates a team (no members yet).
pub async fn insert(
    exec: &mut impl Exec,
    organization_id: &str,
    name: &str,
    created_at: DateTime<Utc>,
    updated_at: Option<DateTime<Utc>>,
) -> Result<Team, sqlx::Error> {
    let sql = format!(
        r#"insert into "team" ("id", "name", "organizationId", "createdAt", "updatedAt", "memberCount")
           values ($1, $2, $3, $4, $5, $6) returning {TEAM_COLUMNS}"#
    );
    let row = exec
        .fetch_optional(
            &sql,
            crate::args![generate_id(), name, organization_id, created_at, updated_at, 0i64],
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    team_from_row(&row, false)
}

/// A team, optionally only if it belongs to `organization_id`.
pub async fn find(
    exec: &mut impl Exec,
    team_id: &str,
    organization_id: Option<&str>,
) -> Result<Option<Team>, sqlx::Error> {
    let row = match organization_id {
        Some(organization_id) => {
            let sql = format!(r#"select {TEAM_COLUMNS} from "team" where "id" = $1 and "organizationId" = $2"#);
            exec.fetch_optional(&sql, crate::args![team_id, organization_id])
                .await?
        }
        None => {
            let sql = format!(r#"select {TEAM_COLUMNS} from "team" where "id" = $1"#);
            exec.fetch_optional(&sql, crate::args![team_id]).await?
        }
    };
    row.map(|row| team_from_row(&row, false)).transpose()
}

/// An organization's teams; `with_count` includes `memberCount` (as
/// `get-full-organization` does).
pub async fn list(exec: &mut impl Exec, organization_id: &str, with_count: bool) -> Result<Vec<Team>, sqlx::Error> {
    let sql = format!(r#"select {TEAM_COLUMNS} from "team" where "organizationId" = $1 order by "createdAt", "id""#);
    exec.fetch_all(&sql, crate::args![organization_id])
        .await?
        .iter()
        .map(|row| team_from_row(row, with_count))
        .collect()
}

/// Renames a team.
pub async fn rename(
    exec: &mut impl Exec,
    team_id: &str,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Team>, sqlx::Error> {
    let sql = format!(
        r#"update "team" set "name" = coalesce($1, "name"), "updatedAt" = $2 where "id" = $3 returning {TEAM_COLUMNS}"#
    );
    exec.fetch_optional(&sql, crate::args![name.map(str::to_owned), now, team_id])
        .await?
        .map(|row| team_from_row(&row, false))
        .transpose()
}

/// Deletes a team and its memberships.
pub async fn delete(exec: &mut impl Exec, team_id: &str) -> Result<(), sqlx::Error> {
    exec.execute(r#"delete from "teamMember" where "teamId" = $1"#, crate::args![team_id])
        .await?;
    exec.execute(r#"delete from "team" where "id" = $1"#, crate::args![team_id])
        .await?;
    Ok(())
}

/// A user's membership of a team.
pub async fn find_member(
    exec: &mut impl Exec,
    team_id: &str,
    user_id: &str,
) -> Result<Option<TeamMember>, sqlx::Error> {
    exec.fetch_optional(
        r#"select "id", "teamId", "userId", "createdAt" from "teamMember" where "teamId" = $1 and "userId" = $2 limit 1"#,
        crate::args![team_id, user_id],
    )
    .await?
    .map(|row| team_member_from_row(&row))
    .transpose()
}

/// A team's members.
pub async fn list_members(exec: &mut impl Exec, team_id: &str) -> Result<Vec<TeamMember>, sqlx::Error> {
    exec.fetch_all(
        r#"select "id", "teamId", "userId", "createdAt" from "teamMember" where "teamId" = $1 order by "createdAt", "id""#,
        crate::args![team_id],
    )
    .await?
    .iter()
    .map(team_member_from_row)
    .collect()
}

/// The teams a user is in (of every organization).
pub async fn list_for_user(exec: &mut impl Exec, user_id: &str) -> Result<Vec<Team>, sqlx::Error> {
    let sql = r#"select t."id", t."name", t."organizationId", t."createdAt", t."updatedAt", t."memberCount"
        from "teamMember" tm join "team" t on t."id" = tm."teamId" where tm."userId" = $1 order by tm."createdAt", tm."id""#;
    exec.fetch_all(sql, crate::args![user_id])
        .await?
        .iter()
        .map(|row| team_from_row(row, false))
        .collect()
}

/// What adding a team member did.
#[derive(Debug)]
pub enum AddOutcome {
    /// The user is (now, or already was) a member.
    Added(TeamMember),
    /// The team is full.
    Full,
}

/// Adds a user to a team unless already in it, respecting `limit` (members per team).
/// The count and the insert are guarded so concurrent adds cannot overfill a team.
pub async fn add_member(
    exec: &mut impl Exec,
    team_id: &str,
    user_id: &str,
    limit: Option<usize>,
    now: DateTime<Utc>,
) -> Result<AddOutcome, sqlx::Error> {
    if let Some(existing) = find_member(exec, team_id, user_id).await? {
        return Ok(AddOutcome::Added(existing));
    }
    // Keep the counter honest before trusting it (rows written by other tools).
    exec.execute(
        r#"update "team" set "memberCount" = (select count(*) from "teamMember" where "teamId" = $1) where "id" = $1"#,
        crate::args![team_id],
    )
    .await?;
    let reserved = match limit {
        Some(limit) => {
            exec.execute(
                r#"update "team" set "memberCount" = "memberCount" + 1 where "id" = $1 and "memberCount" < $2"#,
                crate::args![team_id, limit as i64],
            )
            .await?
        }
        None => {
            exec.execute(
                r#"update "team" set "memberCount" = "memberCount" + 1 where "id" = $1"#,
                crate::args![team_id],
            )
            .await?
        }
    };
    if reserved == 0 {
        return Ok(AddOutcome::Full);
    }
    let inserted = exec
        .fetch_optional(
            r#"insert into "teamMember" ("id", "teamId", "userId", "membershipKey", "createdAt") values ($1, $2, $3, $4, $5)
               on conflict do nothing returning "id", "teamId", "userId", "createdAt""#,
            crate::args![generate_id(), team_id, user_id, membership_key(team_id, user_id), now],
        )
        .await?;
    match inserted {
        Some(row) => Ok(AddOutcome::Added(team_member_from_row(&row)?)),
        // A concurrent request added the same user first: give the seat back.
        None => {
            release_seats(exec, team_id, 1).await?;
            find_member(exec, team_id, user_id)
                .await?
                .map(AddOutcome::Added)
                .ok_or(sqlx::Error::RowNotFound)
        }
    }
}

/// Removes a user from a team.
pub async fn remove_member(exec: &mut impl Exec, team_id: &str, user_id: &str) -> Result<(), sqlx::Error> {
    let removed = exec
        .execute(
            r#"delete from "teamMember" where "teamId" = $1 and "userId" = $2"#,
            crate::args![team_id, user_id],
        )
        .await?;
    release_seats(exec, team_id, removed).await
}

async fn release_seats(exec: &mut impl Exec, team_id: &str, count: u64) -> Result<(), sqlx::Error> {
    if count > 0 {
        exec.execute(
            r#"update "team" set "memberCount" = "memberCount" - $1 where "id" = $2 and "memberCount" >= $1"#,
            crate::args![count as i64, team_id],
        )
        .await?;
    }
    Ok(())
}

/// Removes a user from every team of an organization (they left it).
pub async fn remove_user_from_organization_teams(
    exec: &mut impl Exec,
    organization_id: &str,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    for team in list(exec, organization_id, false).await? {
        remove_member(exec, &team.id, user_id).await?;
    }
    Ok(())
}
