//! `/organization/create`, `check-slug`, `update`, `delete`, `get-organization`,
//! `get-full-organization`, `set-active`, `list`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::store::{invitations, organizations, teams};
use super::{
    active_organization_id, bad_request, can_view_invitations, forbidden, has_permission_for, member_of, plugin,
    set_session_field, set_session_field_and_cookie, without_creator_invitations,
};
use crate::db::{Arg, Lock};
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, QueryOf};
use crate::routes::Answer;
use keyward_client::wire::organization::{
    CheckSlugRequest, CreateOrganizationRequest, CreatedOrganization, FullOrganization, Member, Metadata, Organization,
    OrganizationIdRequest, OrganizationQuery, Permissions, SetActiveOrganizationRequest, UpdateOrganizationRequest,
};
use keyward_client::wire::routes::organization as route;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{ErrorCode, StatusResponse};

impl Endpoint for CreateOrganizationRequest {}
impl Endpoint for CheckSlugRequest {}
impl Endpoint for UpdateOrganizationRequest {}
impl Endpoint for OrganizationIdRequest {}
impl Endpoint for SetActiveOrganizationRequest {}

/// `POST /organization/create`: the caller becomes its first member (the creator role)
/// and, unless asked not to, it becomes the session's active organization.
pub(crate) async fn create(mut ctx: Ctx, Body(request): Body<CreateOrganizationRequest>) -> Answer<route::Create> {
    let Some(data) = ctx.session().await else {
        return Err(ApiError::empty(StatusCode::UNAUTHORIZED));
    };
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if !config.allow_user_to_create_organization {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToCreateANewOrganization));
    }
    let (mut organization, member, default_team) = insert_for_user(&auth, &data.user.id, &request).await?;
    if request.keep_current_active_organization != Some(true) {
        let session = set_session_field(&auth, &data.session, "activeOrganizationId", Some(&organization.id)).await?;
        if let Some(team_id) = &default_team {
            set_session_field(&auth, &session, "activeTeamId", Some(team_id)).await?;
        }
    }
    organization.metadata = match request.metadata {
        Some(map) => Metadata::Object(map),
        None => Metadata::Absent,
    };
    Ok(Json(CreatedOrganization {
        organization,
        members: vec![member],
    }))
}

/// Creates an organization with `user_id` as its first member (the creator role) and,
/// with teams, its default team: the organization limit is checked under the user's lock,
/// with the inserts (the slug needs none: it has a unique index, and losing that race
/// answers as the check).
pub(crate) async fn insert_for_user(
    auth: &crate::auth::Auth,
    user_id: &str,
    request: &CreateOrganizationRequest,
) -> ApiResult<(Organization, Member, Option<String>)> {
    let config = plugin(auth)?;
    let mut tx = auth.0.db.begin().await?;
    tx.lock(Lock::UserOrganizations(user_id)).await?;
    let existing = organizations::list_for_user(&mut tx, user_id).await?;
    if config.organization_limit.is_some_and(|limit| existing.len() >= limit) {
        return Err(forbidden(ErrorCode::YouHaveReachedTheMaximumNumberOfOrganizations));
    }
    if organizations::find_by_slug(&mut tx, &request.slug).await?.is_some() {
        return Err(bad_request(ErrorCode::OrganizationAlreadyExists));
    }
    let now = now_millis();
    let metadata_text = request.metadata.as_ref().map(|m| Value::Object(m.clone()).to_string());
    let created = organizations::insert(
        &mut tx,
        organizations::NewOrganization {
            name: request.name.clone(),
            slug: request.slug.clone(),
            logo: request.logo.clone().flatten(),
            metadata: metadata_text,
        },
        now,
    )
    .await;
    let organization = match created {
        Ok(organization) => organization,
        Err(error) if crate::db::is_unique_violation(&error) => {
            return Err(bad_request(ErrorCode::OrganizationAlreadyExists));
        }
        Err(error) => return Err(error.into()),
    };
    let member =
        organizations::insert_member(&mut tx, &organization.id, user_id, &config.creator_role, now_millis()).await?;
    let mut default_team = None;
    if config.teams.enabled && config.teams.default_team {
        let team = teams::insert(&mut tx, &organization.id, &organization.name, now_millis(), None).await?;
        teams::add_member(&mut tx, &team.id, user_id, None, now_millis()).await?;
        default_team = Some(team.id);
    }
    tx.commit().await?;
    Ok((organization, member, default_team))
}

/// `POST /organization/check-slug`: whether a slug is free.
pub(crate) async fn check_slug(mut ctx: Ctx, Body(request): Body<CheckSlugRequest>) -> Answer<route::CheckSlug> {
    ctx.require_session().await?;
    let mut db = ctx.auth.0.db.clone();
    if organizations::find_by_slug(&mut db, &request.slug).await?.is_some() {
        return Err(bad_request(ErrorCode::OrganizationSlugAlreadyTaken));
    }
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /organization/update` (needs `organization: [update]`).
pub(crate) async fn update(mut ctx: Ctx, Body(request): Body<UpdateOrganizationRequest>) -> Answer<route::Update> {
    let Some(data) = ctx.session().await else {
        return Err(ApiError::message_only(StatusCode::UNAUTHORIZED, "User not found"));
    };
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = super::organization_or_active(request.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::UserIsNotAMemberOfTheOrganization))?;
    let update = Permissions::new().with("organization", ["update"]);
    if !has_permission_for(&auth, config, &organization_id, &member.role, &update).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToUpdateThisOrganization));
    }
    let mut db = auth.0.db.clone();
    let changes = request.data;
    if let Some(slug) = &changes.slug
        && organizations::find_by_slug(&mut db, slug)
            .await?
            .is_some_and(|other| other.id != organization_id)
    {
        return Err(bad_request(ErrorCode::OrganizationSlugAlreadyTaken));
    }
    let mut columns: Vec<(&'static str, Arg)> = Vec::new();
    if let Some(name) = &changes.name {
        columns.push(("name", Arg::from(name)));
    }
    if let Some(slug) = &changes.slug {
        columns.push(("slug", Arg::from(slug)));
    }
    if let Some(logo) = &changes.logo {
        columns.push(("logo", Arg::from(logo.clone())));
    }
    if let Some(metadata) = &changes.metadata {
        columns.push(("metadata", Arg::from(Value::Object(metadata.clone()).to_string())));
    }
    let mut organization = match organizations::update(&mut db, &organization_id, columns).await {
        Ok(Some(organization)) => organization,
        Ok(None) => return Err(bad_request(ErrorCode::OrganizationNotFound)),
        Err(error) if crate::db::is_unique_violation(&error) => {
            return Err(bad_request(ErrorCode::OrganizationSlugAlreadyTaken));
        }
        Err(error) => return Err(error.into()),
    };
    // better-auth answers the update with parsed metadata (and none when there is none).
    organization.metadata = match organization.metadata.object() {
        Some(map) => Metadata::Object(map),
        None => Metadata::Absent,
    };
    Ok(Json(organization))
}

/// `POST /organization/delete` (needs `organization: [delete]`): the organization with
/// its members, invitations and teams.
pub(crate) async fn delete(mut ctx: Ctx, Body(request): Body<OrganizationIdRequest>) -> Answer<route::Delete> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if config.disable_organization_deletion {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::OrganizationDeletionDisabled,
        ));
    }
    let Some(data) = ctx.session().await else {
        return Err(ApiError::empty(StatusCode::UNAUTHORIZED));
    };
    let organization_id = request.organization_id;
    if organization_id.is_empty() {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::UserIsNotAMemberOfTheOrganization))?;
    let delete = Permissions::new().with("organization", ["delete"]);
    if !has_permission_for(&auth, config, &organization_id, &member.role, &delete).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToDeleteThisOrganization));
    }
    let mut db = auth.0.db.clone();
    let Some(organization) = organizations::find_by_id(&mut db, &organization_id).await? else {
        return Err(ApiError::empty(StatusCode::BAD_REQUEST));
    };
    let mut tx = auth.0.db.begin().await?;
    organizations::delete(
        &mut tx,
        &organization_id,
        config.teams.enabled,
        config.dynamic_access_control.is_some(),
    )
    .await?;
    tx.commit().await?;
    if active_organization_id(&data.session).as_deref() == Some(organization_id.as_str()) {
        set_session_field(&auth, &data.session, "activeOrganizationId", None).await?;
    }
    Ok(Json(organization))
}

/// Resolves the organization of a `get-organization` style query; `Ok(None)` when the
/// query names none and none is active.
async fn requested_organization(
    ctx: &mut Ctx,
    query: &OrganizationQuery,
) -> ApiResult<Option<(keyward_client::wire::SessionData, Organization)>> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let by_slug = query.organization_slug.as_ref().filter(|s| !s.is_empty());
    let key = by_slug
        .or(query.organization_id.as_ref().filter(|s| !s.is_empty()))
        .cloned()
        .or_else(|| active_organization_id(&data.session));
    let Some(key) = key else {
        return Ok(None);
    };
    let mut db = auth.0.db.clone();
    let organization = match by_slug {
        Some(_) => organizations::find_by_slug(&mut db, &key).await?,
        None => organizations::find_by_id(&mut db, &key).await?,
    }
    .ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
    if member_of(&auth, &organization.id, &data.user.id).await?.is_none() {
        set_session_field(&auth, &data.session, "activeOrganizationId", None).await?;
        return Err(forbidden(ErrorCode::UserIsNotAMemberOfTheOrganization));
    }
    Ok(Some((data, organization)))
}

/// `GET /organization/get-organization`: the named or active organization (`null` when
/// there is none).
pub(crate) async fn get_organization(mut ctx: Ctx, QueryOf(query): QueryOf<OrganizationQuery>) -> ApiResult<Response> {
    Ok(match requested_organization(&mut ctx, &query).await? {
        Some((_, organization)) => Json(organization).into_response(),
        None => Json(Value::Null).into_response(),
    })
}

/// `GET /organization/get-full-organization`: with members, invitations (for members who
/// may invite) and teams.
pub(crate) async fn get_full_organization(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<OrganizationQuery>,
) -> ApiResult<Response> {
    let Some((data, organization)) = requested_organization(&mut ctx, &query).await? else {
        return Ok(Json(Value::Null).into_response());
    };
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let mut db = auth.0.db.clone();
    let limit = query
        .members_limit
        .as_deref()
        .and_then(|l| l.trim().parse::<i64>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(config.membership_limit as i64);
    let listing = organizations::MemberListing {
        limit,
        ..Default::default()
    };
    let (members, _) = organizations::list_members(&mut db, &organization.id, &listing).await?;
    let caller = members
        .iter()
        .find(|m| m.user_id == data.user.id)
        .cloned()
        .or(member_of(&auth, &organization.id, &data.user.id).await?)
        .ok_or_else(|| forbidden(ErrorCode::UserIsNotAMemberOfTheOrganization))?;
    let all_invitations = invitations::list(&mut db, &organization.id, config.teams.enabled).await?;
    let invitations =
        if !all_invitations.is_empty() && can_view_invitations(&auth, config, &organization.id, &caller.role).await? {
            without_creator_invitations(config, &caller.role, all_invitations)
        } else {
            Vec::new()
        };
    let teams = match config.teams.enabled {
        true => Some(teams::list(&mut db, &organization.id, true).await?),
        false => None,
    };
    Ok(Json(FullOrganization {
        organization,
        invitations,
        members,
        teams,
    })
    .into_response())
}

/// `POST /organization/set-active`: sets (or with `null` clears) the session's active
/// organization and re-sets the session cookie.
pub(crate) async fn set_active(mut ctx: Ctx, Body(request): Body<SetActiveOrganizationRequest>) -> ApiResult<Response> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let mut db = auth.0.db.clone();
    if request.organization_id == Some(None) {
        if active_organization_id(&data.session).is_none() {
            return Ok(Json(Value::Null).into_response());
        }
        set_session_field_and_cookie(&mut ctx, &data, "activeOrganizationId", None).await?;
        return Ok(Json(Value::Null).into_response());
    }
    let mut organization_id = request.organization_id.flatten().filter(|id| !id.is_empty());
    let slug = request.organization_slug.filter(|s| !s.is_empty());
    if organization_id.is_none() && slug.is_none() {
        match active_organization_id(&data.session) {
            Some(active) => organization_id = Some(active),
            None => return Ok(Json(Value::Null).into_response()),
        }
    }
    if let (None, Some(slug)) = (&organization_id, &slug) {
        let organization = organizations::find_by_slug(&mut db, slug)
            .await?
            .ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
        organization_id = Some(organization.id);
    }
    let organization_id = organization_id.ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
    if member_of(&auth, &organization_id, &data.user.id).await?.is_none() {
        set_session_field(&auth, &data.session, "activeOrganizationId", None).await?;
        return Err(forbidden(ErrorCode::UserIsNotAMemberOfTheOrganization));
    }
    let organization = organizations::find_by_id(&mut db, &organization_id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
    set_session_field_and_cookie(&mut ctx, &data, "activeOrganizationId", Some(&organization.id)).await?;
    Ok(Json(organization).into_response())
}

/// `GET /organization/list`: the caller's organizations.
pub(crate) async fn list(mut ctx: Ctx) -> Answer<route::List> {
    let data = ctx.require_session().await?;
    let mut db = ctx.auth.0.db.clone();
    Ok(Json(organizations::list_for_user(&mut db, &data.user.id).await?))
}
