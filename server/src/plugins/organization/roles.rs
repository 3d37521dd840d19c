//! Dynamic access control: `/organization/create-role`, `delete-role`, `list-roles`,
//! `get-role`, `update-role`. Roles are stored per organization; a member may only
//! create or change a role with permissions they hold themselves.

use axum::Json;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::store::organizations;
use super::store::roles::{self as organization_roles, RoleKey};
use super::{bad_request, forbidden, member_of, plugin, role_set};
use crate::auth::Auth;
use crate::config::OrganizationConfig;
use crate::db::{Exec, Lock};
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, QueryOf};
use crate::routes::Answer;
use keyward_client::wire::organization::{
    AccessControl, CreateRoleRequest, CreatedRole, OrganizationIdQuery, OrganizationRole, Permissions, RoleSelector,
    RoleSet, SuccessResponse, UpdateRoleRequest, UpdatedRole, parse_role_list,
};
use keyward_client::wire::routes::organization as route;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{ErrorCode, SessionData};

/// `roleName` or `roleId`, one of them non-empty (zod's union of the two objects).
fn check_selector(body: &Map<String, Value>) -> Result<(), String> {
    let present = |key: &str| body.get(key);
    let non_empty = |key: &str| present(key).and_then(Value::as_str).is_some_and(|v| !v.is_empty());
    if non_empty("roleName") || non_empty("roleId") {
        return Ok(());
    }
    for key in ["roleName", "roleId"] {
        if present(key).and_then(Value::as_str) == Some("") {
            return Err(format!(
                "[body.{key}] Too small: expected string to have >=1 characters"
            ));
        }
    }
    Err("[body] Invalid input".into())
}

impl Endpoint for CreateRoleRequest {}

impl Endpoint for RoleSelector {
    fn check(body: &Map<String, Value>) -> Result<(), String> {
        check_selector(body)
    }
}

impl Endpoint for UpdateRoleRequest {
    fn check(body: &Map<String, Value>) -> Result<(), String> {
        check_selector(body)
    }
}

fn missing_ac() -> ApiError {
    ApiError::new(StatusCode::NOT_IMPLEMENTED, ErrorCode::MissingAcInstance)
}

/// The organization a role request is about, and the caller's role value there.
async fn caller(
    auth: &Auth,
    data: &SessionData,
    requested: Option<&String>,
    missing: ErrorCode,
    permission: &str,
    refused: ErrorCode,
) -> ApiResult<(String, String)> {
    let config = plugin(auth)?;
    let organization_id =
        super::organization_or_active(requested, &data.session).ok_or_else(|| bad_request(missing))?;
    let member = member_of(auth, &organization_id, &data.user.id)
        .await?
        .ok_or_else(|| forbidden(ErrorCode::YouAreNotAMemberOfThisOrganization))?;
    let wanted = Permissions::new().with("ac", [permission]);
    if !role_set(auth, config, &organization_id)
        .await?
        .allows(&member.role, &wanted)
    {
        return Err(forbidden(refused));
    }
    Ok((organization_id, member.role))
}

/// Names the configured roles take (so a stored role cannot shadow one).
fn predefined_roles(config: &OrganizationConfig) -> Vec<String> {
    config
        .roles
        .as_ref()
        .unwrap_or(&RoleSet::defaults())
        .0
        .keys()
        .cloned()
        .collect()
}

/// The name is neither a configured role's nor a stored one's. Run it on a transaction
/// that holds the organization's lock, with the write that takes the name.
async fn check_name_free(
    exec: &mut impl Exec,
    config: &OrganizationConfig,
    organization_id: &str,
    name: &str,
) -> ApiResult<()> {
    if predefined_roles(config).iter().any(|r| r == name)
        || organization_roles::find(exec, organization_id, RoleKey::Name(name))
            .await?
            .is_some()
    {
        return Err(bad_request(ErrorCode::RoleNameIsAlreadyTaken));
    }
    Ok(())
}

/// The caller may only hand out permissions they hold themselves.
async fn check_grantable(
    auth: &Auth,
    config: &OrganizationConfig,
    ac: &AccessControl,
    organization_id: &str,
    caller_role: &str,
    permission: &Permissions,
    refused: ErrorCode,
) -> ApiResult<()> {
    if !ac.knows_resources(permission) {
        return Err(bad_request(ErrorCode::InvalidResource));
    }
    let roles = role_set(auth, config, organization_id).await?;
    let missing: Vec<String> = permission
        .pairs()
        .filter(|(resource, action)| !roles.allows(caller_role, &Permissions::new().with(resource, [*action])))
        .map(|(resource, action)| format!("{resource}:{action}"))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, refused).with_field("missingPermissions", missing.into()));
    }
    Ok(())
}

/// `POST /organization/create-role` (needs `ac: [create]`).
pub(crate) async fn create(mut ctx: Ctx, Body(request): Body<CreateRoleRequest>) -> Answer<route::CreateRole> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let ac = config.access_control.clone().ok_or_else(missing_ac)?;
    let organization_id = super::organization_or_active(request.organization_id.as_ref(), &data.session)
        .ok_or_else(|| bad_request(ErrorCode::YouMustBeInAnOrganizationToCreateARole))?;
    let name = request.role.to_lowercase();
    if predefined_roles(config).contains(&name) {
        return Err(bad_request(ErrorCode::RoleNameIsAlreadyTaken));
    }
    let (organization_id, caller_role) = caller(
        &auth,
        &data,
        Some(&organization_id),
        ErrorCode::YouMustBeInAnOrganizationToCreateARole,
        "create",
        ErrorCode::YouAreNotAllowedToCreateARole,
    )
    .await?;
    let mut db = auth.0.db.clone();
    let limit = config
        .dynamic_access_control
        .as_ref()
        .and_then(|d| d.maximum_roles_per_organization);
    if let Some(max) = limit
        && organization_roles::count(&mut db, &organization_id).await? >= max as u64
    {
        return Err(bad_request(ErrorCode::TooManyRoles));
    }
    check_grantable(
        &auth,
        config,
        &ac,
        &organization_id,
        &caller_role,
        &request.permission,
        ErrorCode::YouAreNotAllowedToCreateARole,
    )
    .await?;
    // The limit again and the name, under the organization's lock, with the insert (the
    // first check answers in better-auth's order; this one holds under parallel requests).
    let mut tx = auth.0.db.begin().await?;
    tx.lock(Lock::Organization(&organization_id)).await?;
    if let Some(max) = limit
        && organization_roles::count(&mut tx, &organization_id).await? >= max as u64
    {
        return Err(bad_request(ErrorCode::TooManyRoles));
    }
    check_name_free(&mut tx, config, &organization_id, &name).await?;
    let stored =
        organization_roles::insert(&mut tx, &organization_id, &name, &request.permission, now_millis()).await?;
    tx.commit().await?;
    Ok(Json(CreatedRole {
        success: true,
        statements: stored.permission.clone(),
        role_data: stored,
    }))
}

fn selector_key(selector: &RoleSelector) -> ApiResult<RoleKey<'_>> {
    match (&selector.role_name, &selector.role_id) {
        (Some(name), _) if !name.is_empty() => Ok(RoleKey::Name(name)),
        (_, Some(id)) if !id.is_empty() => Ok(RoleKey::Id(id)),
        _ => Err(bad_request(ErrorCode::RoleNotFound)),
    }
}

/// `POST /organization/delete-role` (needs `ac: [delete]`; not a configured role, nor
/// one that members hold).
pub(crate) async fn delete(mut ctx: Ctx, Body(request): Body<RoleSelector>) -> Answer<route::DeleteRole> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let (organization_id, _) = caller(
        &auth,
        &data,
        request.organization_id.as_ref(),
        ErrorCode::NoActiveOrganization,
        "delete",
        ErrorCode::YouAreNotAllowedToDeleteARole,
    )
    .await?;
    if let Some(name) = &request.role_name
        && predefined_roles(config).contains(name)
    {
        return Err(bad_request(ErrorCode::CannotDeleteAPreDefinedRole));
    }
    let key = selector_key(&request)?;
    let mut db = auth.0.db.clone();
    let stored = organization_roles::find(&mut db, &organization_id, key)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::RoleNotFound))?;
    let members = organizations::all_members(&mut db, &organization_id).await?;
    if members.iter().any(|m| parse_role_list(&m.role).contains(&stored.role)) {
        return Err(bad_request(ErrorCode::RoleIsAssignedToMembers));
    }
    organization_roles::delete(&mut db, &organization_id, key).await?;
    Ok(Json(SuccessResponse { success: true }))
}

/// `GET /organization/list-roles` (needs `ac: [read]`).
pub(crate) async fn list(mut ctx: Ctx, QueryOf(query): QueryOf<OrganizationIdQuery>) -> Answer<route::ListRoles> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let (organization_id, _) = caller(
        &auth,
        &data,
        query.organization_id.as_ref(),
        ErrorCode::NoActiveOrganization,
        "read",
        ErrorCode::YouAreNotAllowedToListARole,
    )
    .await?;
    let mut db = auth.0.db.clone();
    Ok(Json(organization_roles::list(&mut db, &organization_id).await?))
}

/// `GET /organization/get-role` (needs `ac: [read]`).
pub(crate) async fn get_role(mut ctx: Ctx, QueryOf(query): QueryOf<RoleSelector>) -> Answer<route::GetRole> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let (organization_id, _) = caller(
        &auth,
        &data,
        query.organization_id.as_ref(),
        ErrorCode::NoActiveOrganization,
        "read",
        ErrorCode::YouAreNotAllowedToReadARole,
    )
    .await?;
    let key = selector_key(&query)?;
    let mut db = auth.0.db.clone();
    let role = organization_roles::find(&mut db, &organization_id, key)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::RoleNotFound))?;
    Ok(Json(role))
}

/// `POST /organization/update-role` (needs `ac: [update]`).
pub(crate) async fn update(mut ctx: Ctx, Body(request): Body<UpdateRoleRequest>) -> Answer<route::UpdateRole> {
    let data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let ac = config.access_control.clone().ok_or_else(missing_ac)?;
    let (organization_id, caller_role) = caller(
        &auth,
        &data,
        request.selector.organization_id.as_ref(),
        ErrorCode::NoActiveOrganization,
        "update",
        ErrorCode::YouAreNotAllowedToUpdateARole,
    )
    .await?;
    let key = selector_key(&request.selector)?;
    let mut db = auth.0.db.clone();
    let stored = organization_roles::find(&mut db, &organization_id, key)
        .await?
        .ok_or_else(|| bad_request(ErrorCode::RoleNotFound))?;
    if let Some(permission) = &request.data.permission {
        check_grantable(
            &auth,
            config,
            &ac,
            &organization_id,
            &caller_role,
            permission,
            ErrorCode::YouAreNotAllowedToUpdateARole,
        )
        .await?;
    }
    let new_name = request.data.role_name.as_ref().map(|n| n.to_lowercase());
    let mut tx = auth.0.db.begin().await?;
    if let Some(name) = &new_name {
        tx.lock(Lock::Organization(&organization_id)).await?;
        check_name_free(&mut tx, config, &organization_id, name).await?;
    }
    let now = now_millis();
    organization_roles::update(
        &mut tx,
        &organization_id,
        key,
        new_name.as_deref(),
        request.data.permission.as_ref(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(UpdatedRole {
        success: true,
        role_data: OrganizationRole {
            role: new_name.unwrap_or(stored.role.clone()),
            permission: request.data.permission.clone().unwrap_or(stored.permission.clone()),
            ..stored
        },
    }))
}
