//! `/organization/invite-member`, `accept-invitation`, `reject-invitation`,
//! `cancel-invitation`, `get-invitation`, `list-invitations`, `list-user-invitations`.

use axum::Json;
use axum::http::StatusCode;

use super::store::{invitations, organizations, teams};
use super::{
    bad_request, can_view_invitations, forbidden, has_permission_for, is_creator, member_of, plugin, set_session_field,
    set_session_field_and_cookie, unknown_roles, without_creator_invitations,
};
use crate::auth::Auth;
use crate::config::OrganizationConfig;
use crate::db::Lock;
use crate::email::{Email, EmailKind};
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::Answer;
use keyward_client::wire::organization::{
    GetInvitationQuery, Invitation, InvitationDetails, InvitationIdRequest, InvitationResponse, InvitationStatus,
    InviteMemberRequest, Member, Organization, OrganizationIdQuery, Permissions, UserInvitationsQuery,
};
use keyward_client::wire::routes::organization as route;
use keyward_client::wire::schema::is_valid_email;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{ErrorCode, User};

impl Endpoint for InviteMemberRequest {}
impl Endpoint for InvitationIdRequest {}
impl QueryEndpoint for UserInvitationsQuery {}

fn expires_in(config: &OrganizationConfig) -> chrono::Duration {
    chrono::Duration::from_std(config.invitation_expires_in).unwrap_or(chrono::Duration::hours(48))
}

/// Emails an invitation (when an email sender is configured).
async fn send_invitation(
    auth: &Auth,
    config: &OrganizationConfig,
    invitation: &Invitation,
    organization: &Organization,
    inviter: &User,
) {
    if !config.send_invitation_email || !auth.can_send_email() {
        return;
    }
    let url = match &config.invitation_link {
        Some(template) => template.replace("{id}", &invitation.id),
        None => format!(
            "{}/accept-invitation/{}",
            auth.0.config.base_url.as_str().trim_end_matches('/'),
            invitation.id
        ),
    };
    auth.send_email(Email {
        kind: EmailKind::OrganizationInvitation,
        to: invitation.email.clone(),
        user_id: inviter.id.clone(),
        subject: format!("{} invited you to {}", inviter.name, organization.name),
        text: format!(
            "{} ({}) invited you to join {} on {} as {}. Open this link to accept: {url}",
            inviter.name, inviter.email, organization.name, auth.0.config.app_name, invitation.role
        ),
        url: Some(url),
        token: invitation.id.clone(),
        new_email: None,
    })
    .await;
}

/// `POST /organization/invite-member` (needs `invitation: [create]`; only a creator may
/// invite a creator).
pub(crate) async fn invite(mut ctx: Ctx, Body(request): Body<InviteMemberRequest>) -> Answer<route::InviteMember> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = super::organization_or_active(request.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
    let email = request.email.to_lowercase();
    if !is_valid_email(&email) {
        return Err(bad_request(ErrorCode::InvalidEmail));
    }
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?;
    let create = Permissions::new().with("invitation", ["create"]);
    if !has_permission_for(&auth, config, &organization_id, &member.role, &create).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToInviteUsersToThisOrganization));
    }
    let roles = request.role.names();
    if roles.is_empty() {
        return Err(bad_request(ErrorCode::RoleNotFound));
    }
    let unknown = unknown_roles(&auth, config, &organization_id, &roles).await?;
    if !unknown.is_empty() {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            format!("ROLE_NOT_FOUND: {}", unknown.join(", ")),
        ));
    }
    let caller_is_creator = is_creator(config, &member.role);
    if !caller_is_creator && roles.iter().any(|r| r == &config.creator_role) {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToInviteUserWithThisRole));
    }
    // The checks below and the insert run under the organization's lock: eight parallel
    // invitations of one address make one invitation, and the invitation limit holds.
    let mut tx = auth.0.db.begin().await?;
    tx.lock(Lock::Organization(&organization_id)).await?;
    if organizations::find_member_by_email(&mut tx, &organization_id, &email)
        .await?
        .is_some()
    {
        return Err(bad_request(ErrorCode::UserIsAlreadyAMemberOfThisOrganization));
    }
    let teams_enabled = config.teams.enabled;
    let now = now_millis();
    let already = invitations::pending(&mut tx, &organization_id, Some(&email), teams_enabled, now).await?;
    let resend = request.resend == Some(true);
    if !already.is_empty() && !resend && !config.cancel_pending_invitations_on_re_invite {
        return Err(bad_request(ErrorCode::UserIsAlreadyInvitedToThisOrganization));
    }
    let organization = organizations::find_by_id(&mut tx, &organization_id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
    if let (Some(existing), true) = (already.first(), resend) {
        if !caller_is_creator && is_creator(config, &existing.role) {
            return Err(forbidden(ErrorCode::YouAreNotAllowedToInviteUserWithThisRole));
        }
        let expires_at = now + expires_in(config);
        invitations::extend(&mut tx, &existing.id, expires_at).await?;
        tx.commit().await?;
        let renewed = Invitation {
            expires_at,
            ..existing.clone()
        };
        send_invitation(&auth, config, &renewed, &organization, &data.user).await;
        return Ok(Json(renewed));
    }
    if let Some(existing) = already.first() {
        invitations::set_status(&mut tx, &existing.id, InvitationStatus::Canceled, None, teams_enabled).await?;
    }
    let pending = invitations::pending(&mut tx, &organization_id, None, teams_enabled, now).await?;
    if pending.len() >= config.invitation_limit {
        return Err(forbidden(ErrorCode::InvitationLimitReached));
    }
    let team_ids = request.team_id.map(|t| match t {
        keyward_client::wire::organization::Roles::One(id) => vec![id],
        keyward_client::wire::organization::Roles::Many(ids) => ids,
    });
    let team_ids = team_ids.unwrap_or_default();
    if teams_enabled && !team_ids.is_empty() {
        if team_ids.iter().any(|id| id.contains(',')) {
            return Err(bad_request(ErrorCode::InvalidTeamId));
        }
        for team_id in &team_ids {
            if teams::find(&mut tx, team_id, Some(&organization_id)).await?.is_none() {
                return Err(bad_request(ErrorCode::TeamNotFound));
            }
        }
        if let Some(limit) = config.teams.maximum_members_per_team {
            for team_id in &team_ids {
                if teams::list_members(&mut tx, team_id).await?.len() >= limit {
                    return Err(forbidden(ErrorCode::TeamMemberLimitReached));
                }
            }
        }
    }
    let invitation = invitations::insert(
        &mut tx,
        invitations::NewInvitation {
            organization_id,
            email,
            role: roles.join(","),
            team_ids: (teams_enabled && !team_ids.is_empty()).then(|| team_ids.join(",")),
            inviter_id: data.user.id.clone(),
            expires_at: now + expires_in(config),
        },
        teams_enabled,
        now,
    )
    .await?;
    tx.commit().await?;
    send_invitation(&auth, config, &invitation, &organization, &data.user).await;
    Ok(Json(invitation))
}

/// The checks accepting, rejecting and viewing share: the invitation is the caller's,
/// and (where required) the caller's address is verified.
fn check_recipient(
    config: &OrganizationConfig,
    invitation: &Invitation,
    user: &User,
    unverified: ErrorCode,
) -> ApiResult<()> {
    if invitation.email.to_lowercase() != user.email.to_lowercase() {
        return Err(forbidden(ErrorCode::YouAreNotTheRecipientOfTheInvitation));
    }
    if config.require_email_verification_on_invitation && !user.email_verified {
        return Err(forbidden(unverified));
    }
    Ok(())
}

/// `POST /organization/accept-invitation`: the caller becomes a member (and joins the
/// invitation's teams); the organization becomes the active one.
pub(crate) async fn accept(mut ctx: Ctx, Body(request): Body<InvitationIdRequest>) -> Answer<route::AcceptInvitation> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let teams_enabled = config.teams.enabled;
    let mut db = auth.0.db.clone();
    let invitation = invitations::find(&mut db, &request.invitation_id, teams_enabled)
        .await?
        .filter(|i| i.status == InvitationStatus::Pending && i.expires_at >= now_millis())
        .ok_or_else(|| bad_request(ErrorCode::InvitationNotFound))?;
    check_recipient(
        config,
        &invitation,
        &data.user,
        ErrorCode::EmailVerificationRequiredBeforeAcceptingOrRejectingInvitation,
    )?;
    // The membership limit is checked under the organization's lock, with the insert.
    let mut tx = auth.0.db.begin().await?;
    tx.lock(Lock::Organization(&invitation.organization_id)).await?;
    let count = organizations::count_members(&mut tx, &invitation.organization_id).await?;
    if organizations::find_by_id(&mut tx, &invitation.organization_id)
        .await?
        .is_none()
    {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    if count >= config.membership_limit as u64 {
        return Err(forbidden(ErrorCode::OrganizationMembershipLimitReached));
    }
    let accepted = invitations::set_status(
        &mut tx,
        &invitation.id,
        InvitationStatus::Accepted,
        Some(InvitationStatus::Pending),
        teams_enabled,
    )
    .await?
    .ok_or_else(|| bad_request(ErrorCode::InvitationNotFound))?;
    let team_ids = if teams_enabled { accepted.team_ids() } else { Vec::new() };
    for team_id in &team_ids {
        if teams::find(&mut tx, team_id, Some(&accepted.organization_id))
            .await?
            .is_none()
        {
            return Err(bad_request(ErrorCode::TeamNotFound));
        }
        if let teams::AddOutcome::Full = teams::add_member(
            &mut tx,
            team_id,
            &data.user.id,
            config.teams.maximum_members_per_team,
            now_millis(),
        )
        .await?
        {
            return Err(forbidden(ErrorCode::TeamMemberLimitReached));
        }
    }
    let member = organizations::insert_member(
        &mut tx,
        &accepted.organization_id,
        &data.user.id,
        &keyward_client::wire::organization::parse_role_list(&accepted.role).join(","),
        now_millis(),
    )
    .await?;
    tx.commit().await?;
    let session = if let [team_id] = team_ids.as_slice() {
        set_session_field_and_cookie(&mut ctx, &data, "activeTeamId", Some(team_id)).await?
    } else {
        data.session.clone()
    };
    set_session_field(&auth, &session, "activeOrganizationId", Some(&accepted.organization_id)).await?;
    Ok(Json(InvitationResponse {
        invitation: Some(accepted),
        member: Some(member),
    }))
}

/// `POST /organization/reject-invitation`.
pub(crate) async fn reject(mut ctx: Ctx, Body(request): Body<InvitationIdRequest>) -> Answer<route::RejectInvitation> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let mut db = auth.0.db.clone();
    let invitation = invitations::find(&mut db, &request.invitation_id, config.teams.enabled)
        .await?
        .filter(|i| i.status == InvitationStatus::Pending)
        .ok_or_else(|| {
            ApiError::with_message(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvitationNotFound,
                "Invitation not found!",
            )
        })?;
    check_recipient(
        config,
        &invitation,
        &data.user,
        ErrorCode::EmailVerificationRequiredBeforeAcceptingOrRejectingInvitation,
    )?;
    if organizations::find_by_id(&mut db, &invitation.organization_id)
        .await?
        .is_none()
    {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    let rejected = invitations::set_status(
        &mut db,
        &invitation.id,
        InvitationStatus::Rejected,
        None,
        config.teams.enabled,
    )
    .await?;
    Ok(Json(InvitationResponse {
        invitation: rejected,
        member: None,
    }))
}

/// `POST /organization/cancel-invitation` (needs `invitation: [cancel]`).
pub(crate) async fn cancel(mut ctx: Ctx, Body(request): Body<InvitationIdRequest>) -> Answer<route::CancelInvitation> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let mut db = auth.0.db.clone();
    let invitation = invitations::find(&mut db, &request.invitation_id, config.teams.enabled)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::InvitationNotFound))?;
    let member = member_of(&auth, &invitation.organization_id, &data.user.id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::MemberNotFound))?;
    let cancel = Permissions::new().with("invitation", ["cancel"]);
    if !has_permission_for(&auth, config, &invitation.organization_id, &member.role, &cancel).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToCancelThisInvitation));
    }
    if organizations::find_by_id(&mut db, &invitation.organization_id)
        .await?
        .is_none()
    {
        return Err(bad_request(ErrorCode::OrganizationNotFound));
    }
    let canceled = invitations::set_status(
        &mut db,
        &invitation.id,
        InvitationStatus::Canceled,
        None,
        config.teams.enabled,
    )
    .await?;
    Ok(Json(canceled))
}

/// `GET /organization/get-invitation`: for its recipient, with the organization's name
/// and the inviter's address.
pub(crate) async fn get_invitation(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<GetInvitationQuery>,
) -> Answer<route::GetInvitation> {
    let Some(data) = ctx.session().await else {
        return Err(ApiError::message_only(StatusCode::UNAUTHORIZED, "Not authenticated"));
    };
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let mut db = auth.0.db.clone();
    let invitation = invitations::find(&mut db, &query.id, config.teams.enabled)
        .await?
        .filter(|i| i.status == InvitationStatus::Pending && i.expires_at >= now_millis())
        .ok_or_else(|| bad_request(ErrorCode::InvitationNotFound))?;
    check_recipient(
        config,
        &invitation,
        &data.user,
        ErrorCode::EmailVerificationRequiredForInvitation,
    )?;
    let organization = organizations::find_by_id(&mut db, &invitation.organization_id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::OrganizationNotFound))?;
    let inviter: Member = member_of(&auth, &invitation.organization_id, &invitation.inviter_id)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::InviterIsNoLongerAMemberOfTheOrganization))?;
    Ok(Json(InvitationDetails {
        invitation,
        organization_name: organization.name,
        organization_slug: organization.slug,
        inviter_email: inviter.user.map(|u| u.email).unwrap_or_default(),
    }))
}

/// `GET /organization/list-invitations`: every invitation of an organization, for
/// members who may invite.
pub(crate) async fn list(mut ctx: Ctx, QueryOf(query): QueryOf<OrganizationIdQuery>) -> Answer<route::ListInvitations> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = super::organization_or_active(query.organization_id.as_ref(), &data.session)
        .ok_or_else(|| ApiError::message_only(StatusCode::BAD_REQUEST, "Organization ID is required"))?;
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| ApiError::message_only(StatusCode::FORBIDDEN, "You are not a member of this organization"))?;
    if !can_view_invitations(&auth, config, &organization_id, &member.role).await? {
        return Err(forbidden(ErrorCode::YouAreNotAllowedToListInvitations));
    }
    let mut db = auth.0.db.clone();
    let all = invitations::list(&mut db, &organization_id, config.teams.enabled).await?;
    Ok(Json(without_creator_invitations(config, &member.role, all)))
}

/// `GET /organization/list-user-invitations`: the caller's pending invitations.
pub(crate) async fn list_for_user(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<UserInvitationsQuery>,
) -> Answer<route::ListUserInvitations> {
    let session = ctx.session().await;
    if query.email.is_some() {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            "User email cannot be passed for client side API calls.",
        ));
    }
    let Some(data) = session else {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            "Missing session headers, or email query parameter.",
        ));
    };
    if !data.user.email_verified {
        return Err(forbidden(ErrorCode::EmailVerificationRequiredForInvitation));
    }
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let mut db = auth.0.db.clone();
    let all = invitations::list_for_email(&mut db, &data.user.email.to_lowercase(), config.teams.enabled).await?;
    Ok(Json(
        all.into_iter()
            .filter(|i| i.invitation.status == InvitationStatus::Pending)
            .collect(),
    ))
}
