//! `POST /api-key/create`, `GET /api-key/get`, `POST /api-key/update`,
//! `POST /api-key/delete` and `GET /api-key/list`, in `@better-auth/api-key` 1.7.5's
//! order of checks and with its error codes.

use axum::Json;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::{Map, Value};

use super::config::{ApiKeyConfig, ApiKeyOwner};
use super::store::{self, ApiKeyRow};
use super::{organization_allows, plugin, remove_expired, verify};
use crate::auth::Auth;
use crate::db::Arg;
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::{Answer, Endpoints};
use keyward_client::wire::routes::api_key as route;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{
    ApiKeyDeleted, ApiKeyList, ApiKeySecret, CreateApiKeyRequest, CreatedApiKey, DeleteApiKeyRequest, ErrorCode,
    GetApiKeyQuery, ListApiKeysQuery, UpdateApiKeyRequest,
};

impl Endpoint for CreateApiKeyRequest {
    fn check(body: &Map<String, Value>) -> Result<(), String> {
        match body.get("prefix").and_then(Value::as_str) {
            Some(prefix) if !is_prefix(prefix) => Err(
                "[body.prefix] Invalid prefix format, must be alphanumeric and contain only underscores and hyphens."
                    .to_owned(),
            ),
            _ => Ok(()),
        }
    }
}
impl Endpoint for UpdateApiKeyRequest {}
impl Endpoint for DeleteApiKeyRequest {}
impl QueryEndpoint for GetApiKeyQuery {}
impl QueryEndpoint for ListApiKeysQuery {}

/// better-auth's prefix pattern, `^[a-zA-Z0-9_-]+$`.
fn is_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Adds the api-key routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::Create, create)
        .route(route::Get, get)
        .route(route::Update, update)
        .route(route::Delete, delete)
        .route(route::List, list)
}

fn bad(code: ErrorCode) -> ApiError {
    ApiError::bad_request(code)
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::KeyNotFound)
}

fn unauthorized_session() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::UnauthorizedSession)
}

/// `metadata` as `enableMetadata` and its type allow: JavaScript's truthiness decides
/// whether it was given, and arrays pass as objects.
fn check_metadata(config: &ApiKeyConfig, metadata: Option<&Value>) -> ApiResult<Option<Value>> {
    let given = match metadata {
        None | Some(Value::Null) | Some(Value::Bool(false)) => return Ok(None),
        Some(Value::String(text)) if text.is_empty() => return Ok(None),
        Some(Value::Number(number)) if number.as_f64() == Some(0.0) => return Ok(None),
        Some(value) => value,
    };
    if !config.enable_metadata {
        return Err(bad(ErrorCode::MetadataDisabled));
    }
    if !matches!(given, Value::Object(_) | Value::Array(_)) {
        return Err(bad(ErrorCode::InvalidMetadataType));
    }
    Ok(Some(given.clone()))
}

/// `expiresIn` (seconds) within the configured bounds, in days.
fn check_expires_in(config: &ApiKeyConfig, seconds: u64) -> ApiResult<()> {
    let rules = &config.key_expiration;
    if rules.disable_custom_expires_time {
        return Err(bad(ErrorCode::KeyDisabledExpiration));
    }
    let days = seconds as f64 / (24.0 * 3600.0);
    if days < rules.min_expires_in_days {
        return Err(bad(ErrorCode::ExpiresInIsTooSmall));
    }
    if days > rules.max_expires_in_days {
        return Err(bad(ErrorCode::ExpiresInIsTooLarge));
    }
    Ok(())
}

fn check_name(config: &ApiKeyConfig, name: &str) -> ApiResult<()> {
    let (min, max) = config.name_length;
    let length = name.encode_utf16().count();
    if length < min || length > max {
        return Err(bad(ErrorCode::InvalidNameLength));
    }
    Ok(())
}

fn seconds_from_now(seconds: u64) -> chrono::DateTime<Utc> {
    now_millis() + Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX / 1000).min(i64::MAX / 1000))
}

fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Makes a key for `owner`. `from_client`: the request came over HTTP, where limits,
/// refills and permissions may not be set.
pub(super) async fn create_key(
    auth: &Auth,
    request: CreateApiKeyRequest,
    owner: Option<&str>,
    from_client: bool,
) -> ApiResult<CreatedApiKey> {
    let config = plugin(auth)?.resolve(request.config_id.as_deref());
    let server_only = request.refill_amount.is_some()
        || request.refill_interval.is_some()
        || request.rate_limit_max.is_some()
        || request.rate_limit_time_window.is_some()
        || request.rate_limit_enabled.is_some()
        || request.permissions.is_some()
        || request.remaining.is_some();
    if from_client && server_only {
        return Err(bad(ErrorCode::ServerOnlyProperty));
    }
    if from_client && request.user_id.is_some() {
        return Err(unauthorized_session());
    }
    let reference_id = if config.references == ApiKeyOwner::Organization {
        let organization = request
            .organization_id
            .clone()
            .ok_or_else(|| bad(ErrorCode::OrganizationIdRequired))?;
        let user = owner.or(request.user_id.as_deref()).ok_or_else(unauthorized_session)?;
        organization_allows(auth, user, &organization, "create").await?;
        organization
    } else {
        match (owner, request.user_id.as_deref()) {
            (Some(session_user), Some(asked)) if session_user != asked => return Err(unauthorized_session()),
            (Some(user), _) | (None, Some(user)) => user.to_owned(),
            (None, None) => return Err(unauthorized_session()),
        }
    };
    let metadata = check_metadata(config, request.metadata.as_ref())?;
    let given = |value: Option<u64>| value.is_some_and(|value| value != 0);
    if given(request.refill_amount) && !given(request.refill_interval) {
        return Err(bad(ErrorCode::RefillAmountAndIntervalRequired));
    }
    if given(request.refill_interval) && !given(request.refill_amount) {
        return Err(bad(ErrorCode::RefillIntervalAndAmountRequired));
    }
    let expires_in = request.expires_in.filter(|seconds| *seconds != 0);
    if let Some(seconds) = expires_in {
        check_expires_in(config, seconds)?;
    }
    if let Some(prefix) = request.prefix.as_deref().filter(|p| !p.is_empty()) {
        let (min, max) = config.prefix_length;
        if prefix.len() < min || prefix.len() > max {
            return Err(bad(ErrorCode::InvalidPrefixLength));
        }
    }
    match request.name.as_deref().filter(|name| !name.is_empty()) {
        Some(name) => check_name(config, name)?,
        None if config.require_name => return Err(bad(ErrorCode::NameRequired)),
        None => {}
    }
    remove_expired(auth, false).await;
    let prefix = request
        .prefix
        .clone()
        .filter(|p| !p.is_empty())
        .or_else(|| config.default_prefix.clone());
    let key = format!(
        "{}{}",
        prefix.as_deref().unwrap_or(""),
        crate::crypto::random_string(config.default_key_length, crate::crypto::LETTERS)
    );
    let now = now_millis();
    let permissions = request
        .permissions
        .clone()
        .or_else(|| config.default_permissions.clone())
        .map(|permissions| serde_json::to_string(&permissions).unwrap_or_default());
    let row = ApiKeyRow {
        id: crate::crypto::generate_id(),
        config_id: Some(config.id().to_owned()),
        name: request.name.clone(),
        start: config
            .starting_characters
            .map(|length| key.chars().take(length).collect()),
        reference_id,
        prefix: request.prefix.clone().or_else(|| config.default_prefix.clone()),
        key: verify::stored_form(config, &key),
        refill_interval: request.refill_interval.map(int),
        refill_amount: request.refill_amount.map(int),
        last_refill_at: None,
        enabled: Some(true),
        rate_limit_enabled: Some(request.rate_limit_enabled.unwrap_or(config.rate_limit.enabled)),
        rate_limit_time_window: Some(
            request
                .rate_limit_time_window
                .map(int)
                .unwrap_or_else(|| config.rate_limit.time_window.as_millis() as i64),
        ),
        rate_limit_max: Some(
            request
                .rate_limit_max
                .map(int)
                .unwrap_or_else(|| int(config.rate_limit.max_requests)),
        ),
        request_count: Some(0),
        remaining: request.remaining.map(int),
        last_request: None,
        expires_at: match expires_in {
            Some(seconds) => Some(seconds_from_now(seconds)),
            None => config
                .key_expiration
                .default_expires_in
                .map(|lifetime| now + Duration::milliseconds(lifetime.as_millis() as i64)),
        },
        created_at: now,
        updated_at: now,
        permissions,
        metadata: Some(serde_json::to_string(&metadata).unwrap_or_else(|_| "null".to_owned())),
    };
    let mut db = auth.0.db.clone();
    store::insert(&mut db, &row).await?;
    Ok(CreatedApiKey {
        api_key: row.describe(),
        key: ApiKeySecret::new(key),
    })
}

/// `POST /api-key/create`: a key for the caller.
async fn create(mut ctx: Ctx, Body(request): Body<CreateApiKeyRequest>) -> Answer<route::Create> {
    let session = ctx.session().await;
    let owner = session.as_ref().map(|data| data.user.id.as_str());
    Ok(Json(create_key(&ctx.auth, request, owner, true).await?))
}

/// The key `id` when `user_id` owns it, or may do `action` with it as a member of the
/// organization that owns it (`404 KEY_NOT_FOUND` otherwise, `403` for a member whose
/// role does not allow `action`).
async fn owned_key(
    auth: &Auth,
    id: &str,
    config_id: Option<&str>,
    user_id: &str,
    action: &str,
) -> ApiResult<ApiKeyRow> {
    let root = plugin(auth)?;
    let mut db = auth.0.db.clone();
    let row = store::find(&mut db, id).await?.ok_or_else(not_found)?;
    if !verify::config_id_matches(row.config_id.as_deref(), root.resolve(config_id).id()) {
        return Err(not_found());
    }
    if root.resolve(row.config_id.as_deref()).references == ApiKeyOwner::Organization {
        organization_allows(auth, user_id, &row.reference_id, action).await?;
    } else if row.reference_id != user_id {
        return Err(not_found());
    }
    Ok(row)
}

/// Who owns the keys of the configuration a key names: users unless that configuration
/// (exactly; an unknown one counts as users') says organizations.
fn owner_of(root: &ApiKeyConfig, row: &ApiKeyRow) -> ApiKeyOwner {
    root.all()
        .find(|options| verify::config_id_matches(row.config_id.as_deref(), options.id()))
        .map_or(ApiKeyOwner::User, |options| options.references)
}

/// `GET /api-key/get`: one of the caller's keys.
async fn get(mut ctx: Ctx, QueryOf(query): QueryOf<GetApiKeyQuery>) -> Answer<route::Get> {
    let session = ctx.require_session().await?;
    plugin(&ctx.auth)?;
    let row = owned_key(
        &ctx.auth,
        &query.id,
        query.config_id.as_deref(),
        &session.user.id,
        "read",
    )
    .await?;
    remove_expired(&ctx.auth, false).await;
    Ok(Json(row.describe()))
}

/// Changes one of `user`'s keys (`from_client`: over HTTP, where limits, refills and
/// permissions may not be set).
pub(super) async fn update_key(
    auth: &Auth,
    request: UpdateApiKeyRequest,
    user: Option<&str>,
    from_client: bool,
) -> ApiResult<keyward_client::wire::ApiKey> {
    plugin(auth)?;
    let user_id = match (user, request.user_id.as_deref()) {
        (None, _) if from_client => return Err(unauthorized_session()),
        (Some(session_user), Some(asked)) if session_user != asked => return Err(unauthorized_session()),
        (Some(user), _) | (None, Some(user)) => user.to_owned(),
        (None, None) => return Err(unauthorized_session()),
    };
    let server_only = request.refill_amount.is_some()
        || request.refill_interval.is_some()
        || request.rate_limit_max.is_some()
        || request.rate_limit_time_window.is_some()
        || request.rate_limit_enabled.is_some()
        || request.remaining.is_some()
        || request.permissions.is_some();
    if from_client && server_only {
        return Err(bad(ErrorCode::ServerOnlyProperty));
    }
    let row = owned_key(auth, &request.key_id, request.config_id.as_deref(), &user_id, "update").await?;
    let config = plugin(auth)?.resolve(row.config_id.as_deref());
    let mut changes: Vec<(&'static str, Arg)> = Vec::new();
    if let Some(name) = &request.name {
        check_name(config, name)?;
        changes.push(("name", name.clone().into()));
    }
    if let Some(enabled) = request.enabled {
        changes.push(("enabled", enabled.into()));
    }
    if let Some(expires_in) = request.expires_in {
        if config.key_expiration.disable_custom_expires_time {
            return Err(bad(ErrorCode::KeyDisabledExpiration));
        }
        if let Some(seconds) = expires_in {
            check_expires_in(config, seconds)?;
        }
        changes.push(("expiresAt", expires_in.map(seconds_from_now).into()));
    }
    if let Some(metadata) = &request.metadata
        && config.enable_metadata
    {
        if !matches!(metadata, Value::Object(_) | Value::Array(_) | Value::Null) {
            return Err(bad(ErrorCode::InvalidMetadataType));
        }
        changes.push(("metadata", metadata.to_string().into()));
    }
    if let Some(remaining) = request.remaining {
        changes.push(("remaining", int(remaining).into()));
    }
    match (request.refill_amount, request.refill_interval) {
        (Some(_), None) => return Err(bad(ErrorCode::RefillAmountAndIntervalRequired)),
        (None, Some(_)) => return Err(bad(ErrorCode::RefillIntervalAndAmountRequired)),
        (Some(amount), Some(interval)) => {
            changes.push(("refillAmount", int(amount).into()));
            changes.push(("refillInterval", int(interval).into()));
        }
        (None, None) => {}
    }
    if let Some(enabled) = request.rate_limit_enabled {
        changes.push(("rateLimitEnabled", enabled.into()));
    }
    if let Some(window) = request.rate_limit_time_window {
        changes.push(("rateLimitTimeWindow", int(window).into()));
    }
    if let Some(max) = request.rate_limit_max {
        changes.push(("rateLimitMax", int(max).into()));
    }
    if let Some(permissions) = &request.permissions {
        let text = serde_json::to_string(permissions).unwrap_or_else(|_| "null".to_owned());
        changes.push(("permissions", text.into()));
    }
    if changes.is_empty() {
        return Err(bad(ErrorCode::NoValuesToUpdate));
    }
    let mut db = auth.0.db.clone();
    let updated = store::update(&mut db, &row.id, changes).await?.ok_or_else(not_found)?;
    remove_expired(auth, false).await;
    Ok(updated.describe())
}

/// `POST /api-key/update`: changes one of the caller's keys.
async fn update(mut ctx: Ctx, Body(request): Body<UpdateApiKeyRequest>) -> Answer<route::Update> {
    let session = ctx.session().await;
    let user = session.as_ref().map(|data| data.user.id.as_str());
    Ok(Json(update_key(&ctx.auth, request, user, true).await?))
}

/// `POST /api-key/delete`: deletes one of the caller's keys (banned users may not).
async fn delete(mut ctx: Ctx, Body(request): Body<DeleteApiKeyRequest>) -> Answer<route::Delete> {
    let session = ctx.require_session().await?;
    plugin(&ctx.auth)?;
    if session.user.additional.get("banned") == Some(&Value::Bool(true)) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::UserBanned));
    }
    let row = owned_key(
        &ctx.auth,
        &request.key_id,
        request.config_id.as_deref(),
        &session.user.id,
        "delete",
    )
    .await?;
    let mut db = ctx.auth.0.db.clone();
    store::delete(&mut db, &row.id).await?;
    remove_expired(&ctx.auth, false).await;
    Ok(Json(ApiKeyDeleted { success: true }))
}

/// `GET /api-key/list`: the caller's keys, or an organization's keys to its members
/// whose role may read them, sorted and paged as asked. A server's keys belong either to
/// users or to organizations: the other kind of list is empty.
async fn list(mut ctx: Ctx, QueryOf(query): QueryOf<ListApiKeysQuery>) -> Answer<route::List> {
    let session = ctx.require_session().await?;
    let root = plugin(&ctx.auth)?;
    let reference_id = match &query.organization_id {
        Some(organization_id) => {
            organization_allows(&ctx.auth, &session.user.id, organization_id, "read").await?;
            organization_id.clone()
        }
        None => session.user.id.clone(),
    };
    let wanted_owner = if query.organization_id.is_some() {
        ApiKeyOwner::Organization
    } else {
        ApiKeyOwner::User
    };
    let sort = match query.sort_by.as_deref() {
        Some(column) if !store::SORTABLE.contains(&column) => {
            return Err(ApiError::validation(format!(
                "[query.sortBy] Unknown field `{column}`: expected one of {}",
                store::SORTABLE.join(", ")
            )));
        }
        Some(column) => Some((column, query.sort_direction.as_deref() == Some("desc"))),
        None => None,
    };
    let mut db = ctx.auth.0.db.clone();
    let mut rows = store::list(&mut db, &reference_id, sort).await?;
    rows.retain(|row| {
        owner_of(root, row) == wanted_owner
            && query
                .config_id
                .as_deref()
                .is_none_or(|config_id| verify::config_id_matches(row.config_id.as_deref(), config_id))
    });
    let total = rows.len() as u64;
    let offset = query.offset.unwrap_or(0) as usize;
    let page: Vec<_> = rows
        .iter()
        .skip(offset)
        .take(query.limit.map_or(usize::MAX, |limit| limit as usize))
        .map(ApiKeyRow::describe)
        .collect();
    remove_expired(&ctx.auth, false).await;
    Ok(Json(ApiKeyList {
        api_keys: page,
        total,
        limit: query.limit,
        offset: query.offset,
    }))
}
