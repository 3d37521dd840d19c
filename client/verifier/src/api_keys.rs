//! API keys checked through the auth server (`@better-auth/api-key` or Keyward's api-key
//! plugin, with sessions for keys on): `GET /get-session` with the key in `x-api-key`
//! names the owner and the key's id, then `GET /api-key/get?id=` with the same key gives
//! the key's name, permissions and metadata. Both answers, and refusals, are kept for a
//! short time per key; callers asking about one key at once share the requests.

use std::time::Duration;

use keyward_client::wire::{ApiKey, ErrorBody, SessionData};
use url::Url;

use crate::VerifyError;
use crate::cache::Coalesced;

/// What the auth server said of a key.
type Answer = Result<(SessionData, ApiKey), Refusal>;

/// The auth server's refusal of a key.
#[derive(Clone, Debug)]
pub(crate) struct Refusal {
    pub status: u16,
    pub code: String,
    pub message: String,
}

pub(crate) struct ApiKeyCache {
    http: reqwest::Client,
    session_url: Url,
    key_url: Url,
    header: String,
    answers: Coalesced<String, Answer>,
}

impl ApiKeyCache {
    pub fn new(http: reqwest::Client, session_url: Url, key_url: Url, header: String, ttl: Duration) -> Self {
        Self {
            http,
            session_url,
            key_url,
            header,
            answers: Coalesced::new(ttl),
        }
    }

    pub fn header(&self) -> &str {
        &self.header
    }

    pub fn fetches(&self) -> u64 {
        self.answers.fetches()
    }

    /// The owner's session and the key, or the server's refusal: cached while fresh.
    pub async fn check(&self, key: &str) -> Result<(SessionData, ApiKey), VerifyError> {
        let answer = self.answers.get(&key.to_owned(), || self.fetch(key)).await?;
        answer.map_err(|refusal| VerifyError::ApiKeyRefused {
            status: refusal.status,
            code: refusal.code,
            message: refusal.message,
        })
    }

    async fn fetch(&self, key: &str) -> Result<Answer, VerifyError> {
        let session: SessionData = match self.ask(self.session_url.clone(), key).await? {
            Ok(Some(session)) => session,
            Ok(None) => {
                return Ok(Err(Refusal {
                    status: 401,
                    code: "INVALID_API_KEY".into(),
                    message: "the auth server has no session for the key".into(),
                }));
            }
            Err(refusal) => return Ok(Err(refusal)),
        };
        let mut url = self.key_url.clone();
        url.query_pairs_mut().append_pair("id", &session.session.id);
        Ok(match self.ask::<ApiKey>(url, key).await? {
            Ok(details) => Ok((session, details)),
            Err(refusal) => Err(refusal),
        })
    }

    /// `GET url` with the key: the answer, or the server's refusal.
    async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        key: &str,
    ) -> Result<Result<T, Refusal>, VerifyError> {
        let unavailable = |error: reqwest::Error| VerifyError::ApiKeysUnavailable(error.to_string());
        let response = self
            .http
            .get(url)
            .header(self.header.as_str(), key)
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        if status.is_success() {
            return response.json::<T>().await.map(Ok).map_err(unavailable);
        }
        if status.is_server_error() {
            return Err(VerifyError::ApiKeysUnavailable(format!(
                "the auth server answered {status}"
            )));
        }
        let body: Option<ErrorBody> = response.json().await.ok();
        Ok(Err(Refusal {
            status: status.as_u16(),
            code: body
                .as_ref()
                .and_then(|body| body.code.as_ref())
                .map_or_else(|| "UNAUTHORIZED".to_owned(), |code| code.as_str().to_owned()),
            message: body.map(|body| body.message).unwrap_or_default(),
        }))
    }
}
