//! The api-key plugin (`@better-auth/api-key`): keys a user makes for scripts and
//! services, sent in `x-api-key`.
//!
//! `POST /api-key/create` makes a key and answers it in plain text, once; the server keeps
//! only its SHA-256 (base64url) and its first characters (`start`). `GET /api-key/get`,
//! `GET /api-key/list`, `POST /api-key/update` and `POST /api-key/delete` manage the
//! caller's keys. A key may expire, may have a number of uses left (refilled on a
//! schedule), a rate limit of its own, permissions and metadata. Limits, refills and
//! permissions are set by the server only: a browser that sends them is refused with
//! `400 SERVER_ONLY_PROPERTY`. With `enableSessionForAPIKeys` the server treats a request
//! carrying a key as a session of the key's owner.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::object::deserialize_from_members;
use super::organization::access::Permissions;
use super::organization::nullable;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::ApiKeySecret;
use super::time::{iso, iso_opt};

/// The header a key travels in, unless the server names others (`apiKeyHeaders`).
pub const API_KEY_HEADER: &str = "x-api-key";

/// An API key as the server describes it: everything but the key itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// The key's id (also the id of the sessions it makes).
    pub id: String,
    /// The configuration the key belongs to (`default` unless the server has several).
    #[serde(default)]
    pub config_id: Option<String>,
    /// The name its owner gave it.
    #[serde(default)]
    pub name: Option<String>,
    /// The key's first characters, prefix included, to recognise it by.
    #[serde(default)]
    pub start: Option<String>,
    /// The key's prefix, stored in plain text.
    #[serde(default)]
    pub prefix: Option<String>,
    /// The owner: a user's id (or an organization's, for organization keys).
    pub reference_id: String,
    /// Milliseconds between refills of `remaining`.
    #[serde(default)]
    pub refill_interval: Option<i64>,
    /// What `remaining` is set to at each refill.
    #[serde(default)]
    pub refill_amount: Option<i64>,
    /// When `remaining` was last refilled.
    #[serde(default, with = "iso_opt")]
    pub last_refill_at: Option<DateTime<Utc>>,
    /// A disabled key is refused (`401 KEY_DISABLED`).
    pub enabled: bool,
    /// Whether the key's own rate limit applies.
    pub rate_limit_enabled: bool,
    /// The rate limit's window, in milliseconds.
    #[serde(default)]
    pub rate_limit_time_window: Option<i64>,
    /// How many requests a window allows.
    #[serde(default)]
    pub rate_limit_max: Option<i64>,
    /// Requests counted in the current window.
    pub request_count: i64,
    /// Uses left (`None`: unlimited); at `0` without a refill the key is deleted.
    #[serde(default)]
    pub remaining: Option<i64>,
    /// When the key was last used.
    #[serde(default, with = "iso_opt")]
    pub last_request: Option<DateTime<Utc>>,
    /// When the key stops working (`None`: never).
    #[serde(default, with = "iso_opt")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Creation time.
    #[serde(with = "iso")]
    pub created_at: DateTime<Utc>,
    /// Last change (every use of the key counts).
    #[serde(with = "iso")]
    pub updated_at: DateTime<Utc>,
    /// The application's data about the key (servers with `enableMetadata`).
    #[serde(default)]
    pub metadata: Option<Value>,
    /// What the key may do: resources and their actions.
    #[serde(default)]
    pub permissions: Option<Permissions>,
}

/// The answer of `POST /api-key/create`: the new key, in plain text this one time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CreatedApiKey {
    /// The key's description.
    #[serde(flatten)]
    pub api_key: ApiKey,
    /// The key: show it to its owner now, it cannot be read again.
    pub key: ApiKeySecret,
}

deserialize_from_members!(CreatedApiKey, |members| Self {
    key: members.take("key")?,
    api_key: members.rest_as()?,
});

/// Body of `POST /api-key/create`. From a browser only `name`, `expiresIn`, `prefix`,
/// `metadata` and `organizationId` may be set; the rest is for the server's own calls
/// (`400 SERVER_ONLY_PROPERTY` over HTTP).
///
/// ```
/// use keyward_client::wire::CreateApiKeyRequest;
///
/// let body = CreateApiKeyRequest::named("deploy bot").expires_in_days(30).prefix("kw_");
/// assert_eq!(
///     serde_json::to_value(&body).unwrap(),
///     serde_json::json!({"name": "deploy bot", "expiresIn": 2592000, "prefix": "kw_"})
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiKeyRequest {
    /// The configuration to make the key with (servers with several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
    /// A name for the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Seconds until the key expires (`None`: the server's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// A prefix for the key (letters, digits, `_` and `-`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The application's data about the key (an object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// The organization that owns the key (servers whose keys belong to organizations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Server only: uses before the key is spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// Server only: what `remaining` is refilled to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_amount: Option<u64>,
    /// Server only: milliseconds between refills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_interval: Option<u64>,
    /// Server only: the rate limit's window in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_time_window: Option<u64>,
    /// Server only: requests a window allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_max: Option<u64>,
    /// Server only: whether the rate limit applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_enabled: Option<bool>,
    /// Server only: what the key may do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    /// Server only: the owner, when no session makes the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl CreateApiKeyRequest {
    /// A key with this name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            ..Self::default()
        }
    }

    /// Expires after `days` days.
    pub fn expires_in_days(mut self, days: u64) -> Self {
        self.expires_in = Some(days * 24 * 3600);
        self
    }

    /// Starts with `prefix`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Carries `metadata` (an object).
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

impl RequestSchema for CreateApiKeyRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("configId", FieldKind::String),
        FieldSpec::optional("name", FieldKind::String),
        FieldSpec::optional("expiresIn", FieldKind::NullableNumberAtLeast(1)),
        FieldSpec::optional("prefix", FieldKind::String),
        FieldSpec::optional("remaining", FieldKind::NullableNumberAtLeast(0)),
        FieldSpec::optional("metadata", FieldKind::Any),
        FieldSpec::optional("refillAmount", FieldKind::NumberAtLeast(1)),
        FieldSpec::optional("refillInterval", FieldKind::Number),
        FieldSpec::optional("rateLimitTimeWindow", FieldKind::Number),
        FieldSpec::optional("rateLimitMax", FieldKind::Number),
        FieldSpec::optional("rateLimitEnabled", FieldKind::Bool),
        FieldSpec::optional("permissions", FieldKind::PermissionRecord),
        FieldSpec::optional("userId", FieldKind::Any),
        FieldSpec::optional("organizationId", FieldKind::Any),
    ];
}

/// Query of `GET /api-key/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetApiKeyQuery {
    /// The key's id.
    pub id: String,
    /// The configuration to look in (servers with several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
}

impl RequestSchema for GetApiKeyQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("configId", FieldKind::String),
        FieldSpec::required("id", FieldKind::String),
    ];
}

/// Query of `GET /api-key/list`: a page of the caller's keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListApiKeysQuery {
    /// Only this configuration's keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
    /// An organization's keys instead of the caller's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// At most this many.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "count_in_query"
    )]
    pub limit: Option<u64>,
    /// Skipping this many.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "count_in_query"
    )]
    pub offset: Option<u64>,
    /// A field to sort by (`createdAt`, `name`, `expiresAt`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// `asc` (default) or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_direction: Option<String>,
}

impl RequestSchema for ListApiKeysQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("configId", FieldKind::String),
        FieldSpec::optional("organizationId", FieldKind::String),
        FieldSpec::optional("limit", FieldKind::Count),
        FieldSpec::optional("offset", FieldKind::Count),
        FieldSpec::optional("sortBy", FieldKind::String),
        FieldSpec::optional("sortDirection", FieldKind::OneOf(&["asc", "desc"])),
    ];
}

/// A count in a query: a number, or the text of one (query parameters are text).
fn count_in_query<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number
            .as_u64()
            .map(Some)
            .ok_or_else(|| D::Error::custom("expected a count")),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(Some(0)),
        Some(Value::String(text)) => match text.trim().parse::<f64>() {
            Ok(number) if number >= 0.0 && number.fract() == 0.0 && number <= u64::MAX as f64 => {
                Ok(Some(number as u64))
            }
            _ => Err(D::Error::custom("expected a count")),
        },
        Some(_) => Err(D::Error::custom("expected a count")),
    }
}

/// The answer of `GET /api-key/list`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyList {
    /// The page of keys.
    pub api_keys: Vec<ApiKey>,
    /// How many keys there are across pages.
    pub total: u64,
    /// The page size asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The offset asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Body of `POST /api-key/update`: what to change (at least one field). From a browser
/// only `name`, `enabled`, `expiresIn` and `metadata`.
///
/// ```
/// use keyward_client::wire::UpdateApiKeyRequest;
///
/// let body = UpdateApiKeyRequest::key("k1").enabled(false).never_expires();
/// assert_eq!(
///     serde_json::to_value(&body).unwrap(),
///     serde_json::json!({"keyId": "k1", "enabled": false, "expiresIn": null})
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateApiKeyRequest {
    /// The key's id.
    pub key_id: String,
    /// The configuration to look in (servers with several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Switches the key on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Seconds from now until the key expires; `Some(None)` (`null`): never.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub expires_in: Option<Option<u64>>,
    /// New metadata (an object; servers with `enableMetadata`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Server only: uses left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// Server only: what `remaining` is refilled to (with `refillInterval`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_amount: Option<u64>,
    /// Server only: milliseconds between refills (with `refillAmount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_interval: Option<u64>,
    /// Server only: whether the rate limit applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_enabled: Option<bool>,
    /// Server only: the rate limit's window in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_time_window: Option<u64>,
    /// Server only: requests a window allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_max: Option<u64>,
    /// Server only: what the key may do (`Some(None)`: nothing stored).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub permissions: Option<Option<Permissions>>,
    /// Server only: the owner, when no session makes the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl UpdateApiKeyRequest {
    /// Changes the key `key_id`.
    pub fn key(key_id: impl Into<String>) -> Self {
        Self {
            key_id: key_id.into(),
            ..Self::default()
        }
    }

    /// Renames it.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Switches it on or off.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Makes it expire `seconds` from now.
    pub fn expires_in(mut self, seconds: u64) -> Self {
        self.expires_in = Some(Some(seconds));
        self
    }

    /// Makes it never expire.
    pub fn never_expires(mut self) -> Self {
        self.expires_in = Some(None);
        self
    }

    /// Replaces its metadata.
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

impl RequestSchema for UpdateApiKeyRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("configId", FieldKind::String),
        FieldSpec::required("keyId", FieldKind::String),
        FieldSpec::optional("userId", FieldKind::Any),
        FieldSpec::optional("name", FieldKind::String),
        FieldSpec::optional("enabled", FieldKind::Bool),
        FieldSpec::optional("remaining", FieldKind::NumberAtLeast(1)),
        FieldSpec::optional("refillAmount", FieldKind::Number),
        FieldSpec::optional("refillInterval", FieldKind::Number),
        FieldSpec::optional("metadata", FieldKind::Any),
        FieldSpec::optional("expiresIn", FieldKind::NullableNumberAtLeast(1)),
        FieldSpec::optional("rateLimitEnabled", FieldKind::Bool),
        FieldSpec::optional("rateLimitTimeWindow", FieldKind::Number),
        FieldSpec::optional("rateLimitMax", FieldKind::Number),
        FieldSpec::optional("permissions", FieldKind::PermissionRecord),
    ];
}

/// Body of `POST /api-key/delete`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteApiKeyRequest {
    /// The key's id.
    pub key_id: String,
    /// The configuration to look in (servers with several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
}

impl RequestSchema for DeleteApiKeyRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("configId", FieldKind::String),
        FieldSpec::required("keyId", FieldKind::String),
    ];
}

/// The answer of `POST /api-key/delete`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyDeleted {
    /// `true`.
    pub success: bool,
}

/// The api-key plugin's routes (`@better-auth/api-key`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{
        ApiKey, ApiKeyDeleted, ApiKeyList, CreateApiKeyRequest, CreatedApiKey, DeleteApiKeyRequest, GetApiKeyQuery,
        ListApiKeysQuery, UpdateApiKeyRequest,
    };

    declare_routes! {
        /// The api-key routes, in declaration order.
        pub const ROUTES;

        /// `POST /api-key/create`: a new key for the caller, in plain text this once.
        Create: Post "/api-key/create", CreateApiKeyRequest => CreatedApiKey;
        /// `GET /api-key/get`: one of the caller's keys (`404 KEY_NOT_FOUND` otherwise).
        Get: Get "/api-key/get", GetApiKeyQuery => ApiKey;
        /// `POST /api-key/update`: changes one of the caller's keys.
        Update: Post "/api-key/update", UpdateApiKeyRequest => ApiKey;
        /// `POST /api-key/delete`: deletes one of the caller's keys.
        Delete: Post "/api-key/delete", DeleteApiKeyRequest => ApiKeyDeleted;
        /// `GET /api-key/list`: the caller's keys (or an organization's).
        List: Get "/api-key/list", ListApiKeysQuery => ApiKeyList;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::schema::validate_body;

    #[test]
    fn a_created_key_reads_better_auths_answer_and_hides_the_key_in_logs() {
        let created: CreatedApiKey = serde_json::from_value(serde_json::json!({
            "configId": "default", "createdAt": "2026-12-03T10:00:00.000Z",
            "updatedAt": "2026-12-03T10:00:00.000Z", "name": "ci", "prefix": null,
            "start": "AbCdEf", "enabled": true, "expiresAt": null, "referenceId": "u1",
            "lastRefillAt": null, "lastRequest": null, "metadata": null,
            "rateLimitMax": 10, "rateLimitTimeWindow": 86400000, "remaining": null,
            "refillAmount": null, "refillInterval": null, "rateLimitEnabled": true,
            "requestCount": 0, "permissions": {"files": ["read"]}, "id": "k1",
            "key": "AbCdEfsecretsecret"
        }))
        .expect("parses");
        assert_eq!(created.api_key.reference_id, "u1");
        assert_eq!(created.api_key.rate_limit_time_window, Some(86_400_000));
        assert_eq!(created.key.expose(), "AbCdEfsecretsecret");
        assert!(!format!("{created:?}").contains("secret"));
        let permissions = created.api_key.permissions.expect("permissions");
        assert_eq!(permissions.0["files"], vec!["read".to_owned()]);
    }

    #[test]
    fn the_schema_checks_minimums_and_nulls_as_zod_does() {
        let ok = serde_json::json!({"expiresIn": null, "remaining": 0});
        assert!(validate_body::<CreateApiKeyRequest>(Some(&ok)).is_ok());
        let small = serde_json::json!({"expiresIn": 0});
        assert_eq!(
            validate_body::<CreateApiKeyRequest>(Some(&small)).expect_err("too small"),
            "[body.expiresIn] Too small: expected number to be >=1"
        );
        let text = serde_json::json!({"keyId": "k", "remaining": "1"});
        assert_eq!(
            validate_body::<UpdateApiKeyRequest>(Some(&text)).expect_err("a string"),
            "[body.remaining] Invalid input: expected number, received string"
        );
    }
}
