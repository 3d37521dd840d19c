//! The api-key plugin (`@better-auth/api-key` 1.7.5): keys a user makes for scripts and
//! services.
//!
//! A key is `prefix` + 64 random letters; the `apikey` table keeps its SHA-256
//! (base64url, as better-auth's `defaultKeyHasher`), its first six characters (`start`),
//! its owner (`referenceId`), expiry, uses left and refill, rate limit, permissions and
//! metadata, in better-auth's columns, so keys made by either server work at the other
//! on a shared database. [`ApiKeyConfig::enable_session_for_api_keys`] makes a request
//! carrying a key (`x-api-key`) a session of the key's owner: the session is not stored,
//! its `id` is the key's and its `token` the key; every such request spends a use and
//! counts against the key's rate limit. `auth.api().verify_api_key` checks a key on the
//! server, with permissions.

mod config;
mod env;
mod routes;
mod session;
mod store;
mod verify;

pub use config::{ApiKeyConfig, ApiKeyExpiration, ApiKeyOwner, ApiKeyRateLimit};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::http::StatusCode;
use chrono::Utc;

use super::Builtin;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::hooks::EndpointMatcher;
use crate::log_safe::Escaped;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::organization::access::Permissions;
use keyward_client::wire::{ApiKey, CreateApiKeyRequest, CreatedApiKey, ErrorCode, UpdateApiKeyRequest};

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "api-key",
    enable: |config| config.api_key = Some(ApiKeyConfig::default()),
    is_enabled: |config| config.api_key.is_some(),
    read_env: env::read,
    plugin: |config| {
        config.api_key.as_ref().map(|options| {
            let sessions = options.all().any(|options| options.enable_session_for_api_keys);
            Arc::new(ApiKeyPlugin(sessions)) as Arc<dyn Plugin>
        })
    },
};

/// The api-key plugin: its table, routes and, with sessions for keys, the hook on every
/// route. Holds whether that hook is wanted.
pub(crate) struct ApiKeyPlugin(bool);

impl Plugin for ApiKeyPlugin {
    fn id(&self) -> &'static str {
        "api-key"
    }

    fn setup(&self, setup: &mut Setup) {
        setup.table(store::apikey_table());
        if self.0 {
            setup.endpoint_hook(EndpointMatcher::any("*"), session::KeySession);
        }
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
pub(crate) fn plugin(auth: &Auth) -> ApiResult<&ApiKeyConfig> {
    auth.0
        .config
        .api_key
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// When expired keys were last removed (milliseconds since the epoch).
static LAST_REMOVAL: AtomicI64 = AtomicI64::new(0);

/// Removes expired keys, at most every ten seconds unless `now` (better-auth's
/// `deleteAllExpiredApiKeys`, run by every route). A failure is logged: the route's own
/// work stands.
pub(super) async fn remove_expired(auth: &Auth, now: bool) -> Option<u64> {
    let current = Utc::now().timestamp_millis();
    let last = LAST_REMOVAL.load(Ordering::Relaxed);
    if !now && current - last < 10_000 {
        return None;
    }
    LAST_REMOVAL.store(current, Ordering::Relaxed);
    let mut db = auth.0.db.clone();
    match store::delete_expired(&mut db, keyward_client::wire::time::now_millis()).await {
        Ok(removed) => Some(removed),
        Err(error) => {
            tracing::error!(error = %Escaped(&error), "expired API keys could not be removed");
            None
        }
    }
}

/// What a user may do with an organization's keys: the organization plugin must be on,
/// the user a member whose role grants `action` on `apiKey` (the creator role grants
/// all), as `@better-auth/api-key`'s `checkOrgApiKeyPermission`.
pub(super) async fn organization_allows(
    auth: &Auth,
    user_id: &str,
    organization_id: &str,
    action: &str,
) -> ApiResult<()> {
    if auth.0.config.organization.is_none() {
        return Err(ApiError::bad_request(ErrorCode::OrganizationPluginRequired));
    }
    let wanted = Permissions::new().with("apiKey", [action]);
    match super::organization::member_allows(auth, organization_id, user_id, &wanted).await? {
        None => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::UserNotMemberOfOrganization,
        )),
        Some(false) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InsufficientApiKeyPermissions,
        )),
        Some(true) => Ok(()),
    }
}

/// A key made by the server itself (better-auth's `auth.api.createApiKey` without
/// headers): limits, refills and permissions may be set; `user_id` names the owner.
pub(crate) async fn create_for(auth: &Auth, request: CreateApiKeyRequest) -> ApiResult<CreatedApiKey> {
    routes::create_key(auth, request, None, false).await
}

/// A change made by the server itself (`auth.api.updateApiKey` without headers);
/// `user_id` names the owner.
pub(crate) async fn update_for(auth: &Auth, request: UpdateApiKeyRequest) -> ApiResult<ApiKey> {
    routes::update_key(auth, request, None, false).await
}

/// better-auth's server-only `verifyApiKey`: the key after this use, or why it is
/// refused (`{message, code}` of the refusal).
pub(crate) async fn verify(auth: &Auth, key: &str, permissions: Option<&Permissions>) -> ApiResult<ApiKey> {
    let config = plugin(auth)?;
    Ok(verify::validate(auth, config, config, None, key, permissions)
        .await?
        .describe())
}

/// Removes every expired key now (`auth.api.deleteAllExpiredApiKeys`): how many.
pub(crate) async fn remove_all_expired(auth: &Auth) -> ApiResult<u64> {
    plugin(auth)?;
    Ok(remove_expired(auth, true).await.unwrap_or(0))
}
