//! The organization plugin's `organization` and `member` tables.

use chrono::{DateTime, Utc};

use crate::crypto::generate_id;
use crate::db::{Arg, Exec, Row};
use keyward_client::wire::organization::{Member, MemberUser, Metadata, Organization};

const ORGANIZATION_COLUMNS: &str = r#""id", "name", "slug", "logo", "createdAt", "metadata""#;

fn organization_from_row(row: &Row) -> Result<Organization, sqlx::Error> {
    Ok(Organization {
        id: row.text("id")?,
        name: row.text("name")?,
        slug: row.text("slug")?,
        logo: row.opt_text("logo")?,
        created_at: row.time("createdAt")?,
        metadata: match row.opt_text("metadata")? {
            Some(text) => Metadata::Text(text),
            None => Metadata::Null,
        },
    })
}

/// A new organization.
#[derive(Clone, Debug)]
pub struct NewOrganization {
    /// Name.
    pub name: String,
    /// Slug (unique).
    pub slug: String,
    /// Logo URL.
    pub logo: Option<String>,
    /// Metadata as stored: JSON text.
    pub metadata: Option<String>,
}

/// Creates an organization and returns it as stored.
pub async fn insert(
    exec: &mut impl Exec,
    organization: NewOrganization,
    now: DateTime<Utc>,
) -> Result<Organization, sqlx::Error> {
    let sql = format!(
        r#"insert into "organization" ({ORGANIZATION_COLUMNS}) values ($1, $2, $3, $4, $5, $6) returning {ORGANIZATION_COLUMNS}"#
    );
    let row = exec
        .fetch_optional(
            &sql,
            crate::args![
                generate_id(),
                organization.name,
                organization.slug,
                organization.logo,
                now,
                organization.metadata
            ],
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    organization_from_row(&row)
}

/// Finds an organization by id.
pub async fn find_by_id(exec: &mut impl Exec, id: &str) -> Result<Option<Organization>, sqlx::Error> {
    let sql = format!(r#"select {ORGANIZATION_COLUMNS} from "organization" where "id" = $1"#);
    exec.fetch_optional(&sql, crate::args![id])
        .await?
        .map(|row| organization_from_row(&row))
        .transpose()
}

/// Finds an organization by slug.
pub async fn find_by_slug(exec: &mut impl Exec, slug: &str) -> Result<Option<Organization>, sqlx::Error> {
    let sql = format!(r#"select {ORGANIZATION_COLUMNS} from "organization" where "slug" = $1"#);
    exec.fetch_optional(&sql, crate::args![slug])
        .await?
        .map(|row| organization_from_row(&row))
        .transpose()
}

/// Changes columns of an organization and returns it (`None` if it is gone).
pub async fn update(
    exec: &mut impl Exec,
    id: &str,
    changes: Vec<(&'static str, Arg)>,
) -> Result<Option<Organization>, sqlx::Error> {
    if changes.is_empty() {
        return find_by_id(exec, id).await;
    }
    let mut args: Vec<Arg> = Vec::new();
    let mut assignments = Vec::new();
    for (column, value) in changes {
        args.push(value);
        assignments.push(format!("\"{column}\" = ${}", args.len()));
    }
    args.push(Arg::from(id));
    let sql = format!(
        r#"update "organization" set {} where "id" = ${} returning {ORGANIZATION_COLUMNS}"#,
        assignments.join(", "),
        args.len()
    );
    exec.fetch_optional(&sql, args)
        .await?
        .map(|row| organization_from_row(&row))
        .transpose()
}

/// Deletes an organization with everything in it (members, invitations, teams, roles).
pub async fn delete(exec: &mut impl Exec, id: &str, teams: bool, roles: bool) -> Result<(), sqlx::Error> {
    if teams {
        exec.execute(
            r#"delete from "teamMember" where "teamId" in (select "id" from "team" where "organizationId" = $1)"#,
            crate::args![id],
        )
        .await?;
        exec.execute(r#"delete from "team" where "organizationId" = $1"#, crate::args![id])
            .await?;
    }
    if roles {
        exec.execute(
            r#"delete from "organizationRole" where "organizationId" = $1"#,
            crate::args![id],
        )
        .await?;
    }
    exec.execute(r#"delete from "member" where "organizationId" = $1"#, crate::args![id])
        .await?;
    exec.execute(
        r#"delete from "invitation" where "organizationId" = $1"#,
        crate::args![id],
    )
    .await?;
    exec.execute(r#"delete from "organization" where "id" = $1"#, crate::args![id])
        .await?;
    Ok(())
}

/// The organizations a user is a member of, in membership order.
pub async fn list_for_user(exec: &mut impl Exec, user_id: &str) -> Result<Vec<Organization>, sqlx::Error> {
    let sql = r#"select o."id", o."name", o."slug", o."logo", o."createdAt", o."metadata"
        from "member" m join "organization" o on o."id" = m."organizationId"
        where m."userId" = $1 order by m."createdAt", m."id""#;
    exec.fetch_all(sql, crate::args![user_id])
        .await?
        .iter()
        .map(organization_from_row)
        .collect()
}

const MEMBER_COLUMNS: &str = r#"m."id", m."organizationId", m."userId", m."role", m."createdAt""#;
const MEMBER_WITH_USER: &str = r#"m."id", m."organizationId", m."userId", m."role", m."createdAt", u."name" as "u_name", u."email" as "u_email", u."image" as "u_image""#;

fn member_from_row(row: &Row) -> Result<Member, sqlx::Error> {
    Ok(Member {
        id: row.text("id")?,
        organization_id: row.text("organizationId")?,
        user_id: row.text("userId")?,
        role: row.text("role")?,
        created_at: row.time("createdAt")?,
        user: None,
    })
}

fn member_with_user_from_row(row: &Row) -> Result<Member, sqlx::Error> {
    let mut member = member_from_row(row)?;
    member.user = Some(MemberUser {
        id: member.user_id.clone(),
        name: row.text("u_name")?,
        email: row.text("u_email")?,
        image: row.opt_text("u_image")?,
    });
    Ok(member)
}

/// Adds a member.
pub async fn insert_member(
    exec: &mut impl Exec,
    organization_id: &str,
    user_id: &str,
    role: &str,
    now: DateTime<Utc>,
) -> Result<Member, sqlx::Error> {
    let row = exec
        .fetch_optional(
            r#"insert into "member" ("id", "organizationId", "userId", "role", "createdAt") values ($1, $2, $3, $4, $5)
               returning "id", "organizationId", "userId", "role", "createdAt""#,
            crate::args![generate_id(), organization_id, user_id, role, now],
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    member_from_row(&row)
}

/// A user's membership of an organization, with the user.
pub async fn find_member(
    exec: &mut impl Exec,
    organization_id: &str,
    user_id: &str,
) -> Result<Option<Member>, sqlx::Error> {
    let sql = format!(
        r#"select {MEMBER_WITH_USER} from "member" m join "user" u on u."id" = m."userId"
           where m."userId" = $1 and m."organizationId" = $2 limit 1"#
    );
    exec.fetch_optional(&sql, crate::args![user_id, organization_id])
        .await?
        .map(|row| member_with_user_from_row(&row))
        .transpose()
}

/// A membership by id, with the user.
pub async fn find_member_by_id(exec: &mut impl Exec, id: &str) -> Result<Option<Member>, sqlx::Error> {
    let sql =
        format!(r#"select {MEMBER_WITH_USER} from "member" m join "user" u on u."id" = m."userId" where m."id" = $1"#);
    exec.fetch_optional(&sql, crate::args![id])
        .await?
        .map(|row| member_with_user_from_row(&row))
        .transpose()
}

/// The membership of the user with `email` (lowercase) in an organization, with the user.
pub async fn find_member_by_email(
    exec: &mut impl Exec,
    organization_id: &str,
    email: &str,
) -> Result<Option<Member>, sqlx::Error> {
    let sql = format!(
        r#"select {MEMBER_WITH_USER} from "member" m join "user" u on u."id" = m."userId"
           where u."email" = $1 and m."organizationId" = $2 limit 1"#
    );
    exec.fetch_optional(&sql, crate::args![email, organization_id])
        .await?
        .map(|row| member_with_user_from_row(&row))
        .transpose()
}

/// How to page, sort and filter `list-members`.
#[derive(Clone, Debug, Default)]
pub struct MemberListing {
    /// Page size.
    pub limit: i64,
    /// Members skipped.
    pub offset: i64,
    /// Sort column and descending flag.
    pub sort: Option<(&'static str, bool)>,
    /// A `where` fragment on member columns (using `$1`… after the organization) and its
    /// arguments.
    pub filter: Option<(String, Vec<Arg>)>,
}

/// A page of an organization's members with their users, and how many match in all.
pub async fn list_members(
    exec: &mut impl Exec,
    organization_id: &str,
    listing: &MemberListing,
) -> Result<(Vec<Member>, u64), sqlx::Error> {
    let mut args = vec![Arg::from(organization_id)];
    let mut condition = r#"m."organizationId" = $1"#.to_owned();
    if let Some((fragment, filter_args)) = &listing.filter {
        condition.push_str(" and ");
        condition.push_str(fragment);
        args.extend(filter_args.iter().cloned());
    }
    let count_sql = format!(r#"select count(*) as "n" from "member" m where {condition}"#);
    let total = exec
        .fetch_optional(&count_sql, args.clone())
        .await?
        .map(|row| row.int("n"))
        .transpose()?
        .unwrap_or(0);
    let order = match listing.sort {
        Some((column, descending)) => format!(r#"m."{column}" {}, m."id""#, if descending { "desc" } else { "asc" }),
        None => r#"m."createdAt", m."id""#.to_owned(),
    };
    args.push(Arg::Int(Some(listing.limit)));
    args.push(Arg::Int(Some(listing.offset)));
    let sql = format!(
        r#"select {MEMBER_WITH_USER} from "member" m join "user" u on u."id" = m."userId"
           where {condition} order by {order} limit ${} offset ${}"#,
        args.len() - 1,
        args.len()
    );
    let members = exec
        .fetch_all(&sql, args)
        .await?
        .iter()
        .map(member_with_user_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((members, total.max(0) as u64))
}

/// Every membership of an organization (without users), oldest first.
pub async fn all_members(exec: &mut impl Exec, organization_id: &str) -> Result<Vec<Member>, sqlx::Error> {
    let sql =
        format!(r#"select {MEMBER_COLUMNS} from "member" m where m."organizationId" = $1 order by m."createdAt""#);
    exec.fetch_all(&sql, crate::args![organization_id])
        .await?
        .iter()
        .map(member_from_row)
        .collect()
}

/// How many members an organization has.
pub async fn count_members(exec: &mut impl Exec, organization_id: &str) -> Result<u64, sqlx::Error> {
    let row = exec
        .fetch_optional(
            r#"select count(*) as "n" from "member" where "organizationId" = $1"#,
            crate::args![organization_id],
        )
        .await?;
    Ok(row.map(|r| r.int("n")).transpose()?.unwrap_or(0).max(0) as u64)
}

/// Changes a member's roles and returns the membership.
pub async fn set_member_role(exec: &mut impl Exec, id: &str, role: &str) -> Result<Option<Member>, sqlx::Error> {
    exec.fetch_optional(
        r#"update "member" set "role" = $1 where "id" = $2 returning "id", "organizationId", "userId", "role", "createdAt""#,
        crate::args![role, id],
    )
    .await?
    .map(|row| member_from_row(&row))
    .transpose()
}

/// Ends a membership, and the user's memberships of the organization's teams.
pub async fn delete_member(exec: &mut impl Exec, member: &Member, teams: bool) -> Result<(), sqlx::Error> {
    exec.execute(r#"delete from "member" where "id" = $1"#, crate::args![&member.id])
        .await?;
    if teams {
        super::teams::remove_user_from_organization_teams(exec, &member.organization_id, &member.user_id).await?;
    }
    Ok(())
}

/// Removes a deleted user's memberships, team memberships and sent invitations.
pub async fn delete_user_data(exec: &mut impl Exec, user_id: &str, teams: bool) -> Result<(), sqlx::Error> {
    if teams {
        exec.execute(r#"delete from "teamMember" where "userId" = $1"#, crate::args![user_id])
            .await?;
    }
    exec.execute(r#"delete from "member" where "userId" = $1"#, crate::args![user_id])
        .await?;
    exec.execute(
        r#"delete from "invitation" where "inviterId" = $1"#,
        crate::args![user_id],
    )
    .await?;
    Ok(())
}
