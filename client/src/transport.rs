//! HTTP as a trait, so any stack can carry the client: reqwest (the default, native and
//! wasm), Tauri's HTTP plugin, or a test double.
//!
//! ```
//! use keyward_client::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
//!
//! /// Answers every request with `{"ok":true}`.
//! struct Canned;
//!
//! impl Transport for Canned {
//!     fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
//!         Box::pin(async { Ok(HttpResponse { status: 200, headers: vec![], body: br#"{"ok":true}"#.to_vec() }) })
//!     }
//! }
//! ```

use std::future::Future;
use std::pin::Pin;

/// A boxed future; `Send` on native targets, not on wasm (browser futures are not).
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// A boxed future; `Send` on native targets, not on wasm (browser futures are not).
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// `Send + Sync` on native targets; nothing on wasm.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync + ?Sized> MaybeSync for T {}
/// `Send + Sync` on native targets; nothing on wasm.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// HTTP method (better-auth uses only these two): the wire module's, which each
/// [route](crate::wire::routes::Route) declares.
pub use crate::wire::routes::HttpMethod as Method;

/// A request.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: url::Url,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Vec<u8>>,
}

/// A response. `headers` may repeat a name (`set-cookie`).
#[derive(Clone, Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers with lowercase names.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header (name in lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Every value of a header.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The request got no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Carries requests.
pub trait Transport: MaybeSync {
    /// Sends one request and returns the answer, whatever its status.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// The default transport: reqwest (rustls on native, `fetch` with credentials in browsers).
/// Redirects are not followed, so `302` answers reach the caller.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport with reqwest's defaults (and no redirect following on native).
    pub fn new() -> Result<Self, TransportError> {
        #[cfg(not(target_arch = "wasm32"))]
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| TransportError(e.to_string()))?;
        #[cfg(target_arch = "wasm32")]
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| TransportError(e.to_string()))?;
        Ok(Self { client })
    }

    /// Wraps an existing reqwest client.
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let method = match request.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
            };
            let mut builder = self.client.request(method, request.url);
            for (name, value) in request.headers {
                builder = builder.header(name, value);
            }
            if let Some(body) = request.body {
                builder = builder.body(body);
            }
            #[cfg(target_arch = "wasm32")]
            {
                builder = builder.fetch_credentials_include();
            }
            let response = builder.send().await.map_err(|e| TransportError(e.to_string()))?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = response
                .bytes()
                .await
                .map_err(|e| TransportError(e.to_string()))?
                .to_vec();
            Ok(HttpResponse { status, headers, body })
        })
    }
}
