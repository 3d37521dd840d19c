//! `/organization/create-team`, `list-teams`, `update-team`, `remove-team`,
//! `set-active-team`, `list-user-teams`, `list-team-members`, `add-team-member`,
//! `remove-team-member` (servers with teams).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::store::{invitations, organizations, teams};
use super::{
    active_organization_id, active_team_id, bad_request, forbidden, has_permission_for, member_of, plugin,
    set_session_field_and_cookie,
};
use crate::db::{Lock, users};
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, QueryOf};
use crate::routes::Answer;
use keyward_client::wire::ErrorCode;
use keyward_client::wire::organization::{
    CreateTeamRequest, MessageResponse, OrganizationIdQuery, Permissions, RemoveTeamRequest, SetActiveTeamRequest,
    Team, TeamMemberRequest, TeamMembersQuery, UpdateTeamRequest, UserTeamsQuery,
};
use keyward_client::wire::routes::organization as route;
use keyward_client::wire::time::now_millis;

impl Endpoint for CreateTeamRequest {}
impl Endpoint for UpdateTeamRequest {}
impl Endpoint for RemoveTeamRequest {}
impl Endpoint for SetActiveTeamRequest {}
impl Endpoint for TeamMemberRequest {}

/// `POST /organization/create-team` (needs `team: [create]`).
pub(crate) async fn create(mut ctx: Ctx, Body(request): Body<CreateTeamRequest>) -> Answer<route::CreateTeam> {
    let Some(data) = ctx.session().await else {
        return Err(ApiError::empty(StatusCode::UNAUTHORIZED));
    };
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = super::organization_or_active(request.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| forbidden(ErrorCode::YouAreNotAllowedToInviteUsersToThisOrganization))?;
    let create = Permissions::new().with("team", ["create"]);
    if !has_permission_for(&auth, config, &organization_id, &member.role, &create).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToCreateTeamsInThisOrganization));
    }
    // The team limit is checked under the organization's lock, with the insert. (Team
    // names may repeat, as in better-auth.)
    let mut tx = auth.0.db.begin().await?;
    tx.lock(Lock::Organization(&organization_id)).await?;
    let existing = teams::list(&mut tx, &organization_id, false).await?;
    if config.teams.maximum_teams.is_some_and(|max| existing.len() >= max) {
        return Err(bad_request(ErrorCode::YouHaveReachedTheMaximumNumberOfTeams));
    }
    if organizations::find_by_id(&mut tx, &organization_id).await?.is_none() {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    let now = now_millis();
    let team = teams::insert(&mut tx, &organization_id, &request.name, now, Some(now)).await?;
    tx.commit().await?;
    Ok(Json(team))
}

/// `GET /organization/list-teams`: the teams of an organization the caller belongs to.
pub(crate) async fn list(mut ctx: Ctx, QueryOf(query): QueryOf<OrganizationIdQuery>) -> Answer<route::ListTeams> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let organization_id = super::organization_or_active(query.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    if member_of(&auth, &organization_id, &data.user.id).await?.is_none() {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToAccessThisOrganization));
    }
    let mut db = auth.0.db.clone();
    Ok(Json(teams::list(&mut db, &organization_id, false).await?))
}

/// `POST /organization/update-team` (needs `team: [update]`).
pub(crate) async fn update(mut ctx: Ctx, Body(request): Body<UpdateTeamRequest>) -> Answer<route::UpdateTeam> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = super::organization_or_active(request.data.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| forbidden(ErrorCode::YouAreNotAllowedToUpdateThisTeam))?;
    let update = Permissions::new().with("team", ["update"]);
    if !has_permission_for(&auth, config, &organization_id, &member.role, &update).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToUpdateThisTeam));
    }
    let mut db = auth.0.db.clone();
    if teams::find(&mut db, &request.team_id, Some(&organization_id))
        .await?
        .is_none()
    {
        return Err(bad_request(ErrorCode::TeamNotFound));
    }
    if organizations::find_by_id(&mut db, &organization_id).await?.is_none() {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    let team = teams::rename(&mut db, &request.team_id, request.data.name.as_deref(), now_millis())
        .await?
        .ok_or_else(|| bad_request(ErrorCode::TeamNotFound))?;
    Ok(Json(team))
}

/// `POST /organization/remove-team` (needs `team: [delete]`; never the caller's active
/// team, nor an organization's last team unless configured).
pub(crate) async fn remove(mut ctx: Ctx, Body(request): Body<RemoveTeamRequest>) -> Answer<route::RemoveTeam> {
    let session = ctx.session().await;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = match &session {
        Some(data) => super::organization_or_active(request.organization_id.as_ref(), &data.session),
        None => request.organization_id.clone().filter(|id| !id.is_empty()),
    }
    .ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let Some(data) = session else {
        return Err(ApiError::empty(StatusCode::UNAUTHORIZED));
    };
    let member = member_of(&auth, &organization_id, &data.user.id).await?;
    let member = match member {
        Some(member) if active_team_id(&data.session).as_deref() != Some(request.team_id.as_str()) => member,
        _ => return Err(forbidden(ErrorCode::YouAreNotAllowedToDeleteThisTeam)),
    };
    let delete = Permissions::new().with("team", ["delete"]);
    if !has_permission_for(&auth, config, &organization_id, &member.role, &delete).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToDeleteTeamsInThisOrganization));
    }
    let mut db = auth.0.db.clone();
    let team = teams::find(&mut db, &request.team_id, Some(&organization_id))
        .await?
        .ok_or_else(|| bad_request(ErrorCode::TeamNotFound))?;
    if !config.teams.allow_removing_all_teams && teams::list(&mut db, &organization_id, false).await?.len() <= 1 {
        return Err(bad_request(ErrorCode::UnableToRemoveLastTeam));
    }
    if organizations::find_by_id(&mut db, &organization_id).await?.is_none() {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    let mut tx = auth.0.db.begin().await?;
    teams::delete(&mut tx, &team.id).await?;
    for invitation in invitations::pending(&mut tx, &organization_id, None, true, now_millis()).await? {
        let ids = invitation.team_ids();
        if ids.contains(&team.id) {
            let remaining: Vec<String> = ids.into_iter().filter(|id| id != &team.id).collect();
            let value = (!remaining.is_empty()).then(|| remaining.join(","));
            invitations::set_team_ids(&mut tx, &invitation.id, value).await?;
        }
    }
    tx.commit().await?;
    Ok(Json(MessageResponse {
        message: "Team removed successfully.".into(),
    }))
}

/// `POST /organization/set-active-team`: sets (or with `null` clears) the session's
/// active team, which must be one of the caller's in the active organization.
pub(crate) async fn set_active(mut ctx: Ctx, Body(request): Body<SetActiveTeamRequest>) -> ApiResult<Response> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    if request.team_id == Some(None) {
        if active_team_id(&data.session).is_none() {
            return Ok(Json(Value::Null).into_response());
        }
        set_session_field_and_cookie(&mut ctx, &data, "activeTeamId", None).await?;
        return Ok(Json(Value::Null).into_response());
    }
    let team_id = match request.team_id.flatten().filter(|id| !id.is_empty()) {
        Some(id) => id,
        None => match active_team_id(&data.session) {
            Some(id) => id,
            None => return Ok(Json(Value::Null).into_response()),
        },
    };
    let organization_id =
        active_organization_id(&data.session).ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let mut db = auth.0.db.clone();
    let team = teams::find(&mut db, &team_id, Some(&organization_id))
        .await?
        .ok_or_else(|| bad_request(ErrorCode::TeamNotFound))?;
    if teams::find_member(&mut db, &team_id, &data.user.id).await?.is_none() {
        return Err(forbidden(ErrorCode::UserIsNotAMemberOfTheTeam));
    }
    set_session_field_and_cookie(&mut ctx, &data, "activeTeamId", Some(&team.id)).await?;
    Ok(Json(team).into_response())
}

/// `GET /organization/list-user-teams`: the caller's teams (of one organization, or of
/// all), or another member's (needs `member: [update]`).
pub(crate) async fn list_for_user(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<UserTeamsQuery>,
) -> Answer<route::ListUserTeams> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let target = query
        .user_id
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| data.user.id.clone());
    let explicit = query.organization_id.clone().filter(|o| !o.is_empty());
    let organization_id = explicit.clone().or_else(|| active_organization_id(&data.session));
    let mut db = auth.0.db.clone();
    if target != data.user.id {
        let organization_id = organization_id.ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
        let requester = member_of(&auth, &organization_id, &data.user.id)
            .await?
            .ok_or_else(|| forbidden(ErrorCode::YouAreNotAMemberOfThisOrganization))?;
        let update = Permissions::new().with("member", ["update"]);
        if !has_permission_for(&auth, config, &organization_id, &requester.role, &update).await? {
            return Err(forbidden(ErrorCode::YouAreNotAllowedToUpdateThisMember));
        }
        if member_of(&auth, &organization_id, &target).await?.is_none() {
            return Err(bad_request(ErrorCode::UserIsNotAMemberOfTheOrganization));
        }
        let all = teams::list_for_user(&mut db, &target).await?;
        return Ok(Json(
            all.into_iter()
                .filter(|t| t.organization_id == organization_id)
                .collect(),
        ));
    }
    let all = teams::list_for_user(&mut db, &data.user.id).await?;
    if let Some(organization_id) = explicit {
        if member_of(&auth, &organization_id, &data.user.id).await?.is_none() {
            return Err(forbidden(ErrorCode::YouAreNotAMemberOfThisOrganization));
        }
        return Ok(Json(
            all.into_iter()
                .filter(|t| t.organization_id == organization_id)
                .collect(),
        ));
    }
    let mut visible = Vec::new();
    for team in all {
        if member_of(&auth, &team.organization_id, &data.user.id).await?.is_some() {
            visible.push(team);
        }
    }
    Ok(Json(visible))
}

/// `GET /organization/list-team-members`: the members of a team the caller is in.
pub(crate) async fn list_members(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<TeamMembersQuery>,
) -> Answer<route::ListTeamMembers> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let team_id = query
        .team_id
        .filter(|t| !t.is_empty())
        .or_else(|| active_team_id(&data.session))
        .ok_or_else(|| bad_request(ErrorCode::YouDoNotHaveAnActiveTeam))?;
    let mut db = auth.0.db.clone();
    let team = teams::find(&mut db, &team_id, None)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::TeamNotFound))?;
    if member_of(&auth, &team.organization_id, &data.user.id).await?.is_none()
        || teams::find_member(&mut db, &team_id, &data.user.id).await?.is_none()
    {
        return Err(bad_request(ErrorCode::UserIsNotAMemberOfTheTeam));
    }
    Ok(Json(teams::list_members(&mut db, &team_id).await?))
}

/// The checks `add-team-member` and `remove-team-member` share: the caller may
/// (`member: [action]`), the user is a member of the organization, the team is in it.
async fn team_member_change(
    ctx: &mut Ctx,
    request: &TeamMemberRequest,
    action: &str,
    refused: ErrorCode,
) -> ApiResult<(String, Team)> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = super::organization_or_active(request.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let current = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::UserIsNotAMemberOfTheOrganization))?;
    let permission = Permissions::new().with("member", [action]);
    if !has_permission_for(&auth, config, &organization_id, &current.role, &permission).await? {
        return Err(forbidden(refused));
    }
    if member_of(&auth, &organization_id, &request.user_id).await?.is_none() {
        return Err(bad_request(ErrorCode::UserIsNotAMemberOfTheOrganization));
    }
    let mut db = auth.0.db.clone();
    let team = teams::find(&mut db, &request.team_id, Some(&organization_id))
        .await?
        .ok_or_else(|| bad_request(ErrorCode::TeamNotFound))?;
    if organizations::find_by_id(&mut db, &organization_id).await?.is_none() {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    if users::find_by_id(&mut db, &auth.0.fields, &request.user_id)
        .await?
        .is_none()
    {
        return Err(ApiError::message_only(StatusCode::BAD_REQUEST, "User not found"));
    }
    Ok((organization_id, team))
}

/// `POST /organization/add-team-member` (needs `member: [update]`).
pub(crate) async fn add_member(mut ctx: Ctx, Body(request): Body<TeamMemberRequest>) -> Answer<route::AddTeamMember> {
    let (_, team) = team_member_change(
        &mut ctx,
        &request,
        "update",
        ErrorCode::YouAreNotAllowedToCreateANewTeamMember,
    )
    .await?;
    let config = plugin(&ctx.auth)?;
    let mut tx = ctx.auth.0.db.begin().await?;
    let outcome = teams::add_member(
        &mut tx,
        &team.id,
        &request.user_id,
        config.teams.maximum_members_per_team,
        now_millis(),
    )
    .await?;
    tx.commit().await?;
    match outcome {
        teams::AddOutcome::Added(member) => Ok(Json(member)),
        teams::AddOutcome::Full => Err(forbidden(ErrorCode::TeamMemberLimitReached)),
    }
}

/// `POST /organization/remove-team-member` (needs `member: [delete]`).
pub(crate) async fn remove_member(
    mut ctx: Ctx,
    Body(request): Body<TeamMemberRequest>,
) -> Answer<route::RemoveTeamMember> {
    let (_, team) = team_member_change(
        &mut ctx,
        &request,
        "delete",
        ErrorCode::YouAreNotAllowedToRemoveATeamMember,
    )
    .await?;
    let mut tx = ctx.auth.0.db.begin().await?;
    if teams::find_member(&mut tx, &team.id, &request.user_id).await?.is_none() {
        return Err(bad_request(ErrorCode::UserIsNotAMemberOfTheTeam));
    }
    teams::remove_member(&mut tx, &team.id, &request.user_id).await?;
    tx.commit().await?;
    Ok(Json(MessageResponse {
        message: "Team member removed successfully.".into(),
    }))
}
