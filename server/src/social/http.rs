//! The server's HTTP calls to providers (token, user-info, discovery and key endpoints):
//! one `reqwest` client with a deadline per call, no redirects followed, and a cap on what
//! a provider may send back. It is also the transport of the `oauth2` crate's requests.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use http::header;
use serde_json::Value;

/// Nothing a provider answers is longer than this (discovery documents and key sets are
/// a few KiB).
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// Why a call to a provider failed. Each ends a sign-in with a redirect to the error URL
/// (or a `{message, code}` answer), never with a `500`.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No answer in time, or no connection.
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    /// An answer with an error status.
    #[error("the provider answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// An answer that is not what the protocol says.
    #[error("the provider's answer is invalid: {0}")]
    Invalid(String),
}

/// The HTTP client of every provider call.
#[derive(Clone, Debug)]
pub struct ProviderHttp {
    client: reqwest::Client,
}

impl ProviderHttp {
    /// A client whose calls give up after `timeout` (connecting included).
    pub fn new(timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("keyward/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self { client }
    }

    /// `GET url` as JSON, with a bearer token when given.
    pub async fn get_json(&self, url: &str, bearer: Option<&str>) -> Result<Value, ProviderError> {
        let mut request = self.client.get(url).header(header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let body = read_limited(response).await?;
        if !status.is_success() {
            return Err(ProviderError::Status {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
            });
        }
        serde_json::from_slice(&body).map_err(|e| ProviderError::Invalid(format!("{url}: {e}")))
    }

    /// `GET url` with a bearer token: the body and its content type (a profile photo).
    pub async fn get_bytes(&self, url: &str, bearer: &str) -> Result<(String, Vec<u8>), ProviderError> {
        let response = self
            .client
            .get(url)
            .bearer_auth(bearer)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("image/jpeg")
            .to_owned();
        let body = read_limited(response).await?;
        if !status.is_success() {
            return Err(ProviderError::Status {
                status: status.as_u16(),
                body: String::new(),
            });
        }
        Ok((content_type, body))
    }

    async fn execute(&self, request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, ProviderError> {
        let (parts, body) = request.into_parts();
        let response = self
            .client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let mut builder = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let body = read_limited(response).await?;
        builder.body(body).map_err(|e| ProviderError::Invalid(e.to_string()))
    }
}

fn unreachable(error: reqwest::Error) -> ProviderError {
    ProviderError::Unreachable(error.without_url().to_string())
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, ProviderError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(ProviderError::Invalid("the answer is larger than 1 MiB".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl<'c> oauth2::AsyncHttpClient<'c> for ProviderHttp {
    type Error = ProviderError;
    type Future = Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, ProviderError>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}
