//! The organization plugin (better-auth `organization`): organizations, members,
//! invitations, teams, and roles, with better-auth's access control on every endpoint.
//!
//! One module per part, as better-auth splits them: `org` (create … set-active), `members`,
//! `invitations`, `teams`, `roles` (dynamic access control), and `has-permission` here.

mod config;
mod env;
mod invitations;
mod members;
mod org;
mod roles;
mod schema;
mod store;
mod teams;

pub use config::{DynamicAccessControlConfig, OrganizationConfig, TeamsConfig};

pub(crate) use members::add_member;
pub(crate) use org::insert_for_user as create_organization;

use std::collections::BTreeSet;

use axum::Json;
use axum::http::StatusCode;

use crate::auth::Auth;
use std::sync::Arc;

use super::Builtin;
use crate::config::AdditionalField;
use crate::db::Arg;
use crate::db::{FieldType, Tx};
use crate::error::{ApiError, ApiResult};
use crate::hooks::UserHooks;
use crate::plugin::{Plugin, Setup};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint};
use crate::routes::Answer;
use crate::routes::Endpoints;
use keyward_client::wire::organization::{
    HasPermissionRequest, HasPermissionResponse, Invitation, Member, Permissions, RoleSet, parse_role_list,
};
use keyward_client::wire::routes::organization as route;
use keyward_client::wire::{ErrorCode, Session, SessionData};
use schema::organization_tables;
use store::organizations;
use store::roles as organization_roles;

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "organization",
    enable: |config| config.organization = Some(OrganizationConfig::default()),
    is_enabled: |config| config.organization.is_some(),
    read_env: env::read,
    plugin: |config| {
        let options = config.organization.clone()?;
        Some(Arc::new(OrganizationPlugin(options)) as Arc<dyn Plugin>)
    },
};

/// The organization plugin: the active organization (and team) on the session, its
/// tables, the removal of a deleted user's memberships, and the routes.
pub(crate) struct OrganizationPlugin(pub OrganizationConfig);

impl Plugin for OrganizationPlugin {
    fn id(&self) -> &'static str {
        "organization"
    }

    fn setup(&self, setup: &mut Setup) {
        let teams = self.0.teams.enabled;
        setup.session_field(AdditionalField::new("activeOrganizationId", FieldType::String).server_only());
        if teams {
            setup.session_field(AdditionalField::new("activeTeamId", FieldType::String).server_only());
        }
        for table in organization_tables(teams, self.0.dynamic_access_control.is_some()) {
            setup.table(table);
        }
        setup.user_hooks(DeleteMemberships { teams });
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes(endpoints, &self.0)
    }
}

/// Removes a deleted user's memberships, team memberships and invitations sent.
struct DeleteMemberships {
    teams: bool,
}

#[async_trait::async_trait]
impl UserHooks for DeleteMemberships {
    async fn before_delete(&self, tx: &mut Tx, user_id: &str) -> ApiResult<()> {
        organizations::delete_user_data(tx, user_id, self.teams).await?;
        Ok(())
    }
}

/// Adds the `/organization/*` routes (teams and dynamic roles only when configured).
fn routes(router: Endpoints, config: &OrganizationConfig) -> Endpoints {
    let mut router = router
        .route(route::Create, org::create)
        .route(route::CheckSlug, org::check_slug)
        .route(route::Update, org::update)
        .route(route::Delete, org::delete)
        .route(route::GetOrganization, org::get_organization)
        .route(route::GetFullOrganization, org::get_full_organization)
        .route(route::SetActive, org::set_active)
        .route(route::List, org::list)
        .route(route::InviteMember, invitations::invite)
        .route(route::AcceptInvitation, invitations::accept)
        .route(route::RejectInvitation, invitations::reject)
        .route(route::CancelInvitation, invitations::cancel)
        .route(route::GetInvitation, invitations::get_invitation)
        .route(route::ListInvitations, invitations::list)
        .route(route::ListUserInvitations, invitations::list_for_user)
        .route(route::RemoveMember, members::remove)
        .route(route::UpdateMemberRole, members::update_role)
        .route(route::GetActiveMember, members::active_member)
        .route(route::GetActiveMemberRole, members::active_member_role)
        .route(route::Leave, members::leave)
        .route(route::ListMembers, members::list)
        .route(route::HasPermission, has_permission);
    if config.teams.enabled {
        router = router
            .route(route::CreateTeam, teams::create)
            .route(route::ListTeams, teams::list)
            .route(route::UpdateTeam, teams::update)
            .route(route::RemoveTeam, teams::remove)
            .route(route::SetActiveTeam, teams::set_active)
            .route(route::ListUserTeams, teams::list_for_user)
            .route(route::ListTeamMembers, teams::list_members)
            .route(route::AddTeamMember, teams::add_member)
            .route(route::RemoveTeamMember, teams::remove_member);
    }
    if config.dynamic_access_control.is_some() {
        router = router
            .route(route::CreateRole, roles::create)
            .route(route::DeleteRole, roles::delete)
            .route(route::ListRoles, roles::list)
            .route(route::GetRole, roles::get_role)
            .route(route::UpdateRole, roles::update);
    }
    router
}

/// The plugin's configuration (its routes exist only when it is enabled).
pub(crate) fn plugin(auth: &Auth) -> ApiResult<&OrganizationConfig> {
    auth.0
        .config
        .organization
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

fn bad_request(code: ErrorCode) -> ApiError {
    ApiError::bad_request(code)
}

fn forbidden(code: ErrorCode) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, code)
}

/// The session's active organization, when set.
fn active_organization_id(session: &Session) -> Option<String> {
    session
        .additional
        .get("activeOrganizationId")
        .and_then(|v| v.as_str())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The session's active team, when set.
fn active_team_id(session: &Session) -> Option<String> {
    session
        .additional
        .get("activeTeamId")
        .and_then(|v| v.as_str())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// An explicit id from the request, or else the session's active organization.
fn organization_or_active(requested: Option<&String>, session: &Session) -> Option<String> {
    requested
        .filter(|id| !id.is_empty())
        .cloned()
        .or_else(|| active_organization_id(session))
}

/// Sets one of the session's organization fields (`activeOrganizationId`,
/// `activeTeamId`) and returns the updated session.
async fn set_session_field(auth: &Auth, session: &Session, field: &str, value: Option<&str>) -> ApiResult<Session> {
    let mut db = auth.0.db.clone();
    let changes = vec![(field.to_owned(), Arg::from(value.map(str::to_owned)))];
    let now = keyward_client::wire::time::now_millis();
    auth.sessions()
        .update(&mut db, session.token.expose(), changes, now)
        .await?
        .ok_or_else(ApiError::unauthorized)
}

/// [`set_session_field`], then re-sets the session cookie (and `set-auth-token`), as
/// better-auth's `set-active` endpoints do.
async fn set_session_field_and_cookie(
    ctx: &mut Ctx,
    data: &SessionData,
    field: &str,
    value: Option<&str>,
) -> ApiResult<Session> {
    let auth = ctx.auth.clone();
    let session = set_session_field(&auth, &data.session, field, value).await?;
    let updated = SessionData {
        session: session.clone(),
        user: data.user.clone(),
        needs_refresh: None,
    };
    ctx.set_session_cookie(&updated, None);
    Ok(session)
}

/// The caller's membership of an organization.
async fn member_of(auth: &Auth, organization_id: &str, user_id: &str) -> ApiResult<Option<Member>> {
    let mut db = auth.0.db.clone();
    Ok(organizations::find_member(&mut db, organization_id, user_id).await?)
}

/// The roles permission checks use: the configured ones (which replace the defaults) or
/// the defaults; with dynamic access control, the organization's stored roles are
/// merged in.
async fn role_set(auth: &Auth, config: &OrganizationConfig, organization_id: &str) -> ApiResult<RoleSet> {
    let mut roles = config.roles.clone().unwrap_or_else(RoleSet::defaults);
    if config.dynamic_access_control.is_some() && config.access_control.is_some() {
        let mut db = auth.0.db.clone();
        for stored in organization_roles::list(&mut db, organization_id).await? {
            let mut statements = roles
                .0
                .get(&stored.role)
                .map(|r| r.statements().clone())
                .unwrap_or_default();
            statements.merge(&stored.permission);
            roles.0.insert(
                stored.role.clone(),
                keyward_client::wire::organization::Role::new(statements),
            );
        }
    }
    Ok(roles)
}

/// better-auth's `hasPermission` for a member's role value.
async fn has_permission_for(
    auth: &Auth,
    config: &OrganizationConfig,
    organization_id: &str,
    member_role: &str,
    permissions: &Permissions,
) -> ApiResult<bool> {
    Ok(role_set(auth, config, organization_id)
        .await?
        .allows(member_role, permissions))
}

/// Whether a role value includes the creator role.
fn is_creator(config: &OrganizationConfig, role: &str) -> bool {
    parse_role_list(role).iter().any(|r| r == &config.creator_role)
}

/// Members who may invite may see invitations (their ids act as invitation links).
async fn can_view_invitations(
    auth: &Auth,
    config: &OrganizationConfig,
    organization_id: &str,
    member_role: &str,
) -> ApiResult<bool> {
    let create = Permissions::new().with("invitation", ["create"]);
    has_permission_for(auth, config, organization_id, member_role, &create).await
}

/// Hides invitations that grant the creator role from members who do not hold it.
fn without_creator_invitations(
    config: &OrganizationConfig,
    member_role: &str,
    invitations: Vec<Invitation>,
) -> Vec<Invitation> {
    if is_creator(config, member_role) {
        return invitations;
    }
    invitations
        .into_iter()
        .filter(|invitation| !is_creator(config, &invitation.role))
        .collect()
}

/// The roles requests may name: the defaults and the configured ones.
fn static_role_names(config: &OrganizationConfig) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = RoleSet::defaults().0.into_keys().collect();
    if let Some(roles) = &config.roles {
        names.extend(roles.0.keys().cloned());
    }
    names
}

/// The requested role names no static or stored role has.
async fn unknown_roles(
    auth: &Auth,
    config: &OrganizationConfig,
    organization_id: &str,
    requested: &[String],
) -> ApiResult<Vec<String>> {
    let known = static_role_names(config);
    let mut unknown: Vec<String> = requested.iter().filter(|r| !known.contains(*r)).cloned().collect();
    if !unknown.is_empty() && config.dynamic_access_control.is_some() {
        let mut db = auth.0.db.clone();
        let stored: BTreeSet<String> = organization_roles::list(&mut db, organization_id)
            .await?
            .into_iter()
            .map(|r| r.role)
            .collect();
        unknown.retain(|r| !stored.contains(r));
    }
    Ok(unknown)
}

/// Whether a JSON value is a permission map (`{resource: [action, …]}`).
fn is_permission_map(value: &serde_json::Value) -> bool {
    value.as_object().is_some_and(|map| {
        map.values()
            .all(|v| v.as_array().is_some_and(|a| a.iter().all(|x| x.is_string())))
    })
}

impl Endpoint for HasPermissionRequest {
    /// Exactly one of `permissions` and the legacy `permission` (zod's `xor`).
    fn check(body: &serde_json::Map<String, serde_json::Value>) -> Result<(), String> {
        let valid = |key: &str| body.get(key).is_some_and(is_permission_map);
        match (valid("permissions"), valid("permission")) {
            (true, true) => Err("[body] Invalid input: more than one option matched".into()),
            (false, false) => Err("[body] Invalid input".into()),
            _ => Ok(()),
        }
    }
}

/// `POST /organization/has-permission`.
async fn has_permission(mut ctx: Ctx, Body(request): Body<HasPermissionRequest>) -> Answer<route::HasPermission> {
    // better-auth accepts the deprecated `permission` but checks only `permissions`: a
    // request naming only the old key is granted nothing.
    let permissions = request.permissions;
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let organization_id = organization_or_active(request.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::NoActiveOrganization))?;
    let member = member_of(&auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::UserIsNotAMemberOfTheOrganization))?;
    let success = match permissions {
        Some(permissions) => has_permission_for(&auth, config, &organization_id, &member.role, &permissions).await?,
        None => false,
    };
    Ok(Json(HasPermissionResponse { error: None, success }))
}

/// Query types of the plugin check their callback fields like any other.
macro_rules! query_endpoints {
    ($($query:ty),* $(,)?) => {
        $(impl QueryEndpoint for $query {})*
    };
}

query_endpoints!(
    keyward_client::wire::organization::OrganizationQuery,
    keyward_client::wire::organization::GetInvitationQuery,
    keyward_client::wire::organization::OrganizationIdQuery,
    keyward_client::wire::organization::ListMembersQuery,
    keyward_client::wire::organization::MemberRoleQuery,
    keyward_client::wire::organization::UserTeamsQuery,
    keyward_client::wire::organization::TeamMembersQuery,
    keyward_client::wire::organization::RoleSelector,
);

/// Whether `user_id`'s membership of `organization_id` grants `permissions`, the creator
/// role granting everything (better-auth's `hasPermission` with
/// `allowCreatorAllPermissions`, as the api-key plugin asks it); `None` for a user who is
/// not a member.
pub(crate) async fn member_allows(
    auth: &Auth,
    organization_id: &str,
    user_id: &str,
    permissions: &Permissions,
) -> ApiResult<Option<bool>> {
    let config = plugin(auth)?;
    let mut db = auth.0.db.clone();
    let Some(member) = organizations::find_member(&mut db, organization_id, user_id).await? else {
        return Ok(None);
    };
    if is_creator(config, &member.role) {
        return Ok(Some(true));
    }
    Ok(Some(
        has_permission_for(auth, config, organization_id, &member.role, permissions).await?,
    ))
}
