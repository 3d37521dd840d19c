//! `client.api_keys()`: the api-key plugin's endpoints (servers with
//! `@better-auth/api-key` or Keyward's `api-key`): keys the signed-in user makes for
//! scripts and services, which send them in `x-api-key`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! use keyward_client::wire::{CreateApiKeyRequest, UpdateApiKeyRequest};
//!
//! let created = client
//!     .api_keys()
//!     .create(CreateApiKeyRequest::named("deploy bot").expires_in_days(30))
//!     .await?;
//! println!("x-api-key: {}", created.key.expose()); // shown this once
//! let page = client.api_keys().list().sort_by("createdAt", true).limit(20).send().await?;
//! println!("{} keys, the newest {:?}", page.total, page.api_keys.first().map(|k| &k.start));
//! let key = client.api_keys().get(&created.api_key.id).await?;
//! client.api_keys().update(UpdateApiKeyRequest::key(&key.id).enabled(false)).await?;
//! client.api_keys().delete(&key.id).await?;
//! # Ok(()) }
//! ```
//!
//! Refusals are [`Error::Api`](crate::Error::Api) with the plugin's codes:
//! `KEY_NOT_FOUND` (404) for another user's key, `SERVER_ONLY_PROPERTY` (400) for limits,
//! refills or permissions (only the server sets those), `EXPIRES_IN_IS_TOO_SMALL`,
//! `METADATA_DISABLED`, `NO_VALUES_TO_UPDATE` ….

use crate::client::AuthClient;
use crate::error::Result;
use crate::wire::routes::api_key as route;
use crate::wire::{
    ApiKey, ApiKeyList, CreateApiKeyRequest, CreatedApiKey, DeleteApiKeyRequest, GetApiKeyQuery, ListApiKeysQuery,
    UpdateApiKeyRequest,
};

use super::query_string;

impl AuthClient {
    /// The api-key endpoints.
    pub fn api_keys(&self) -> ApiKeysApi<'_> {
        ApiKeysApi { client: self }
    }
}

/// The api-key endpoints.
#[derive(Clone, Copy, Debug)]
pub struct ApiKeysApi<'a> {
    client: &'a AuthClient,
}

impl<'a> ApiKeysApi<'a> {
    /// `POST /api-key/create`: a new key for the signed-in user; its plain value is in
    /// [`CreatedApiKey::key`], this once.
    pub async fn create(self, request: CreateApiKeyRequest) -> Result<CreatedApiKey> {
        self.client.post_route::<route::Create>(None, &request).await
    }

    /// `GET /api-key/get`: one of the user's keys (of the server's default configuration).
    pub async fn get(self, id: &str) -> Result<ApiKey> {
        self.get_in(None, id).await
    }

    /// `GET /api-key/get` for a key of the server's configuration `config_id` (servers
    /// with several; `None` is the default one).
    pub async fn get_in(self, config_id: Option<&str>, id: &str) -> Result<ApiKey> {
        let query = query_string(&GetApiKeyQuery {
            id: id.to_owned(),
            config_id: config_id.map(str::to_owned),
        })?;
        self.client.get_route::<route::Get>(Some(&query)).await
    }

    /// `GET /api-key/list`: the user's keys, as [`ListApiKeys`] sorts and pages them.
    pub fn list(self) -> ListApiKeys<'a> {
        ListApiKeys {
            client: self.client,
            query: ListApiKeysQuery::default(),
        }
    }

    /// `POST /api-key/update`: changes one of the user's keys; the key as it is now.
    pub async fn update(self, request: UpdateApiKeyRequest) -> Result<ApiKey> {
        self.client.post_route::<route::Update>(None, &request).await
    }

    /// `POST /api-key/delete`: deletes one of the user's keys (of the server's default
    /// configuration).
    pub async fn delete(self, id: &str) -> Result<()> {
        self.delete_in(None, id).await
    }

    /// `POST /api-key/delete` for a key of the server's configuration `config_id`.
    pub async fn delete_in(self, config_id: Option<&str>, id: &str) -> Result<()> {
        let body = DeleteApiKeyRequest {
            key_id: id.to_owned(),
            config_id: config_id.map(str::to_owned),
        };
        self.client.post_route::<route::Delete>(None, &body).await?;
        Ok(())
    }
}

/// `GET /api-key/list`, built up before [`ListApiKeys::send`].
#[derive(Debug)]
pub struct ListApiKeys<'a> {
    client: &'a AuthClient,
    query: ListApiKeysQuery,
}

impl ListApiKeys<'_> {
    /// At most `limit` keys.
    pub fn limit(mut self, limit: u64) -> Self {
        self.query.limit = Some(limit);
        self
    }

    /// Skipping `offset` keys.
    pub fn offset(mut self, offset: u64) -> Self {
        self.query.offset = Some(offset);
        self
    }

    /// Sorted by a key field (`createdAt`, `name`, `expiresAt`, …), ascending unless
    /// `descending`.
    pub fn sort_by(mut self, field: impl Into<String>, descending: bool) -> Self {
        self.query.sort_by = Some(field.into());
        self.query.sort_direction = Some(if descending { "desc" } else { "asc" }.to_owned());
        self
    }

    /// Only the keys of the server's configuration `config_id` (servers with several).
    pub fn config(mut self, config_id: impl Into<String>) -> Self {
        self.query.config_id = Some(config_id.into());
        self
    }

    /// An organization's keys instead of the user's own (servers whose keys belong to
    /// organizations; the user must be a member allowed to read them).
    pub fn organization(mut self, organization_id: impl Into<String>) -> Self {
        self.query.organization_id = Some(organization_id.into());
        self
    }

    /// Sends it: the page, with the total count.
    pub async fn send(self) -> Result<ApiKeyList> {
        let query = query_string(&self.query)?;
        self.client.get_route::<route::List>(Some(&query)).await
    }
}
