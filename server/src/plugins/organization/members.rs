//! `/organization/remove-member`, `update-member-role`, `get-active-member`,
//! `get-active-member-role`, `leave`, `list-members`, and the server-side `addMember`.

use axum::Json;
use axum::http::StatusCode;

use super::store::{organizations, teams};
use super::{
    active_organization_id, bad_request, forbidden, has_permission_for, is_creator, member_of, plugin,
    set_session_field, unknown_roles,
};
use crate::auth::Auth;
use crate::db::{Arg, Lock, users, where_operator};
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, QueryOf};
use crate::routes::Answer;
use keyward_client::wire::organization::{
    FILTER_OPERATORS, FilterValue, ListMembersQuery, Member, MemberList, MemberRole, MemberRoleQuery,
    OrganizationIdRequest, Permissions, RemoveMemberRequest, RemovedMember, Roles, SortDirection,
    UpdateMemberRoleRequest,
};
use keyward_client::wire::routes::organization as route;
use keyward_client::wire::time::{now_millis, parse_iso};
use keyward_client::wire::{ErrorCode, Session};

impl Endpoint for RemoveMemberRequest {}
impl Endpoint for UpdateMemberRoleRequest {}

/// Whether an organization would have no creator-role member left without `leaving`.
async fn is_last_creator(auth: &Auth, organization_id: &str, creator_role: &str) -> ApiResult<bool> {
    let mut db = auth.0.db.clone();
    let members = organizations::all_members(&mut db, organization_id).await?;
    let creators = members
        .iter()
        .filter(|m| m.roles().iter().any(|r| r == creator_role))
        .count();
    Ok(creators <= 1)
}

/// `POST /organization/remove-member` (needs `member: [delete]`; only a creator may
/// remove a creator, and never the last one).
pub(crate) async fn remove(mut ctx: Ctx, Body(request): Body<RemoveMemberRequest>) -> Answer<route::RemoveMember> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = super::organization_or_active(request.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?;
    let mut db = auth.0.db.clone();
    // better-auth answers with the user when the member was named by email, without it
    // when named by id.
    let target = if request.member_id_or_email.contains('@') {
        organizations::find_member_by_email(&mut db, &organization_id, &request.member_id_or_email.to_lowercase())
            .await?
    } else {
        organizations::find_member_by_id(&mut db, &request.member_id_or_email)
            .await?
            .map(|member| Member { user: None, ..member })
    };
    let target = target.ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?;
    if is_creator(config, &target.role)
        && (!is_creator(config, &member.role) || is_last_creator(&auth, &organization_id, &config.creator_role).await?)
    {
        return Err(bad_request(ErrorCode::YouCannotLeaveTheOrganizationAsTheOnlyOwner));
    }
    let delete = Permissions::new().with("member", ["delete"]);
    if !has_permission_for(&auth, config, &organization_id, &member.role, &delete).await? {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::YouAreNotAllowedToDeleteThisMember,
        ));
    }
    if target.organization_id != organization_id {
        return Err(bad_request(ErrorCode::MemberNotFound));
    }
    let mut tx = auth.0.db.begin().await?;
    organizations::delete_member(&mut tx, &target, config.teams.enabled).await?;
    tx.commit().await?;
    if target.user_id == data.user.id
        && active_organization_id(&data.session).as_deref() == Some(organization_id.as_str())
    {
        set_session_field(&auth, &data.session, "activeOrganizationId", None).await?;
    }
    Ok(Json(RemovedMember { member: target }))
}

/// `POST /organization/update-member-role` (needs `member: [update]`; only a creator
/// may grant or take the creator role; an organization keeps at least one creator).
pub(crate) async fn update_role(
    mut ctx: Ctx,
    Body(request): Body<UpdateMemberRoleRequest>,
) -> Answer<route::UpdateMemberRole> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if matches!(&request.role, Roles::One(role) if role.is_empty()) {
        return Err(ApiError::empty(StatusCode::BAD_REQUEST));
    }
    let organization_id = super::organization_or_active(request.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let roles = request.role.names();
    if roles.is_empty() {
        return Err(ApiError::empty(StatusCode::BAD_REQUEST));
    }
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?;
    let mut db = auth.0.db.clone();
    let target = if member.id == request.member_id {
        member.clone()
    } else {
        organizations::find_member_by_id(&mut db, &request.member_id)
            .await?
            .ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?
    };
    if target.organization_id != organization_id {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToUpdateThisMember));
    }
    let updater_is_creator = is_creator(config, &member.role);
    let sets_creator = roles.iter().any(|r| r == &config.creator_role);
    if (is_creator(config, &target.role) || sets_creator) && !updater_is_creator {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToUpdateThisMember));
    }
    if updater_is_creator
        && member.id == target.id
        && !sets_creator
        && is_last_creator(&auth, &organization_id, &config.creator_role).await?
    {
        return Err(bad_request(ErrorCode::YouCannotLeaveTheOrganizationWithoutAnOwner));
    }
    let update = Permissions::new().with("member", ["update"]);
    if !updater_is_creator && !has_permission_for(&auth, config, &organization_id, &member.role, &update).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToUpdateThisMember));
    }
    let unknown = unknown_roles(&auth, config, &organization_id, &roles).await?;
    if !unknown.is_empty() {
        return Err(ApiError::with_message(
            StatusCode::BAD_REQUEST,
            ErrorCode::RoleNotFound,
            format!("ROLE_NOT_FOUND: {}", unknown.join(", ")),
        ));
    }
    let updated = organizations::set_member_role(&mut db, &request.member_id, &roles.join(","))
        .await?
        .ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?;
    Ok(Json(updated))
}

/// `GET /organization/get-active-member`: the caller's membership of the active
/// organization, with the user.
pub(crate) async fn active_member(mut ctx: Ctx) -> Answer<route::GetActiveMember> {
    let data = ctx.require_session().await?;
    let organization_id =
        active_organization_id(&data.session).ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let member = member_of(&ctx.auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?;
    Ok(Json(member))
}

/// The organization of a members query: by slug, id, or the active one; the caller
/// must belong to it.
async fn organization_for_query(
    auth: &Auth,
    session: &Session,
    user_id: &str,
    organization_id: Option<&String>,
    organization_slug: Option<&String>,
) -> ApiResult<(String, Member)> {
    let mut organization_id = super::organization_or_active(organization_id, session);
    if let Some(slug) = organization_slug.filter(|s| !s.is_empty()) {
        let mut db = auth.0.db.clone();
        let organization = organizations::find_by_slug(&mut db, slug)
            .await?
            .ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
        organization_id = Some(organization.id);
    }
    let organization_id = organization_id.ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let member = member_of(auth, &organization_id, user_id)
        .await?
        .ok_or_else(|| forbidden(ErrorCode::YouAreNotAMemberOfThisOrganization))?;
    Ok((organization_id, member))
}

/// `GET /organization/get-active-member-role`: the caller's roles, or another member's.
pub(crate) async fn active_member_role(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<MemberRoleQuery>,
) -> Answer<route::GetActiveMemberRole> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let (organization_id, member) = organization_for_query(
        &auth,
        &data.session,
        &data.user.id,
        query.organization_id.as_ref(),
        query.organization_slug.as_ref(),
    )
    .await?;
    let Some(user_id) = query.user_id.filter(|u| !u.is_empty()) else {
        return Ok(Json(MemberRole { role: member.role }));
    };
    let other = member_of(&auth, &organization_id, &user_id)
        .await?
        .ok_or_else(|| forbidden(ErrorCode::YouAreNotAMemberOfThisOrganization))?;
    Ok(Json(MemberRole { role: other.role }))
}

/// `POST /organization/leave`: ends the caller's membership (not the last creator's).
pub(crate) async fn leave(mut ctx: Ctx, Body(request): Body<OrganizationIdRequest>) -> Answer<route::Leave> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let member = member_of(&auth, &request.organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?;
    if is_creator(config, &member.role)
        && is_last_creator(&auth, &request.organization_id, &config.creator_role).await?
    {
        return Err(bad_request(ErrorCode::YouCannotLeaveTheOrganizationAsTheOnlyOwner));
    }
    let mut tx = auth.0.db.begin().await?;
    organizations::delete_member(&mut tx, &member, config.teams.enabled).await?;
    tx.commit().await?;
    if active_organization_id(&data.session).as_deref() == Some(request.organization_id.as_str()) {
        set_session_field(&auth, &data.session, "activeOrganizationId", None).await?;
    }
    Ok(Json(member))
}

/// The member columns `list-members` may sort and filter by.
fn member_column(name: &str) -> Option<&'static str> {
    match name {
        "id" => Some("id"),
        "organizationId" => Some("organizationId"),
        "userId" => Some("userId"),
        "role" => Some("role"),
        "createdAt" => Some("createdAt"),
        _ => None,
    }
}

fn unknown_field(name: &str) -> ApiError {
    ApiError::validation(format!("[query] {name} is not a member field"))
}

/// The `where` fragment of a `list-members` filter.
fn filter_clause(field: &str, operator: &str, value: &FilterValue) -> ApiResult<(String, Vec<Arg>)> {
    let column = member_column(field).ok_or_else(|| unknown_field(field))?;
    let argument = |text: &str| match column {
        "createdAt" => parse_iso(text)
            .map(Arg::from)
            .ok_or_else(|| ApiError::validation(format!("[query] {text} is not a date"))),
        _ => Ok(Arg::from(text)),
    };
    let mismatch = || {
        let expected = if operator == "in" {
            "a list of values"
        } else {
            "one value"
        };
        ApiError::validation(format!("[query.filterValue] `{operator}` compares with {expected}"))
    };
    where_operator(&format!(r#"m."{column}""#), operator, value, 2, argument, mismatch)?.ok_or_else(|| {
        ApiError::validation(format!(
            "[query.filterOperator] Invalid option: expected one of {}",
            FILTER_OPERATORS
                .iter()
                .map(|o| format!("\"{o}\""))
                .collect::<Vec<_>>()
                .join("|")
        ))
    })
}

/// `GET /organization/list-members`: a page of members with their users, and the total.
pub(crate) async fn list(mut ctx: Ctx, QueryOf(query): QueryOf<ListMembersQuery>) -> Answer<route::ListMembers> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let (organization_id, _) = organization_for_query(
        &auth,
        &data.session,
        &data.user.id,
        query.organization_id.as_ref(),
        query.organization_slug.as_ref(),
    )
    .await?;
    let number = |raw: &Option<String>| raw.as_deref().and_then(|v| v.trim().parse::<f64>().ok());
    let limit = number(&query.limit)
        .filter(|l| *l > 0.0)
        .map(|l| l as i64)
        .unwrap_or(config.membership_limit as i64);
    let offset = number(&query.offset)
        .filter(|o| *o > 0.0)
        .map(|o| o as i64)
        .unwrap_or(0);
    let sort = match query.sort_by.as_deref().filter(|s| !s.is_empty()) {
        Some(field) => Some((
            member_column(field).ok_or_else(|| unknown_field(field))?,
            query.sort_direction == Some(SortDirection::Desc),
        )),
        None => None,
    };
    let filter = match query.filter_field.as_deref().filter(|f| !f.is_empty()) {
        Some(field) => Some(filter_clause(
            field,
            query.filter_operator.as_deref().unwrap_or("eq"),
            query.filter_value.as_ref().unwrap_or(&FilterValue::One(String::new())),
        )?),
        None => None,
    };
    let listing = organizations::MemberListing {
        limit,
        offset,
        sort,
        filter,
    };
    let mut db = auth.0.db.clone();
    let (members, total) = organizations::list_members(&mut db, &organization_id, &listing).await?;
    Ok(Json(MemberList { members, total }))
}

/// Adds a user to an organization directly, without an invitation (better-auth's
/// server-only `addMember`). No permission check: the caller decides.
pub(crate) async fn add_member(
    auth: &Auth,
    user_id: &str,
    organization_id: &str,
    role: Roles,
    team_id: Option<&str>,
) -> ApiResult<Member> {
    let config = plugin(auth)?;
    if team_id.is_some() && !config.teams.enabled {
        return Err(ApiError::message_only(StatusCode::BAD_REQUEST, "Teams are not enabled"));
    }
    let mut db = auth.0.db.clone();
    let user = users::find_by_id(&mut db, &auth.0.fields, user_id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::UserNotFound))?;
    // The membership checks run under the organization's lock, with the insert: the same
    // user added twice at once becomes one member.
    let mut tx = auth.0.db.begin().await?;
    tx.lock(Lock::Organization(organization_id)).await?;
    if organizations::find_member_by_email(&mut tx, organization_id, &user.email)
        .await?
        .is_some()
    {
        return Err(bad_request(ErrorCode::UserIsAlreadyAMemberOfThisOrganization));
    }
    if let Some(team_id) = team_id
        && teams::find(&mut tx, team_id, Some(organization_id)).await?.is_none()
    {
        return Err(bad_request(ErrorCode::TeamNotFound));
    }
    if organizations::find_by_id(&mut tx, organization_id).await?.is_none() {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    if organizations::count_members(&mut tx, organization_id).await? >= config.membership_limit as u64 {
        return Err(forbidden(ErrorCode::OrganizationMembershipLimitReached));
    }
    let member = organizations::insert_member(
        &mut tx,
        organization_id,
        &user.id,
        &role.names().join(","),
        now_millis(),
    )
    .await?;
    if let Some(team_id) = team_id
        && let teams::AddOutcome::Full = teams::add_member(
            &mut tx,
            team_id,
            &user.id,
            config.teams.maximum_members_per_team,
            now_millis(),
        )
        .await?
    {
        return Err(forbidden(ErrorCode::TeamMemberLimitReached));
    }
    tx.commit().await?;
    Ok(member)
}
