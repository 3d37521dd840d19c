//! HTTP as a trait, so any stack can carry the client: reqwest (the default on native
//! targets), the browser's `fetch` (the default in browsers, [`FetchTransport`]), Tauri's
//! HTTP plugin, or a test double. In browsers, [`ReqwestTransport`] needs the `reqwest`
//! feature: `fetch` directly is the same requests for a smaller download.
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
    /// The absolute URL, as text: the endpoint prefix, the route's path and the
    /// form-encoded query (parse it with `url::Url::parse` where a transport needs more).
    /// Text rather than a `url::Url` so that browser builds do not carry the `url` crate.
    pub url: String,
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

#[cfg(all(target_arch = "wasm32", feature = "web"))]
mod fetch;
#[cfg(feature = "reqwest")]
mod reqwest_transport;

#[cfg(all(target_arch = "wasm32", feature = "web"))]
pub use fetch::FetchTransport;
#[cfg(feature = "reqwest")]
pub use reqwest_transport::ReqwestTransport;

/// The transport a client gets when none is given: `fetch` in browsers, reqwest elsewhere.
#[cfg(all(target_arch = "wasm32", feature = "web"))]
pub(crate) fn default_transport() -> Result<std::sync::Arc<dyn Transport>, TransportError> {
    Ok(std::sync::Arc::new(FetchTransport::new()))
}

/// The transport a client gets when none is given: `fetch` in browsers, reqwest elsewhere.
#[cfg(all(not(target_arch = "wasm32"), feature = "reqwest"))]
pub(crate) fn default_transport() -> Result<std::sync::Arc<dyn Transport>, TransportError> {
    Ok(std::sync::Arc::new(ReqwestTransport::new()?))
}

/// Without a transport feature there is no default: the builder needs one.
#[cfg(not(any(
    all(target_arch = "wasm32", feature = "web"),
    all(not(target_arch = "wasm32"), feature = "reqwest")
)))]
pub(crate) fn default_transport() -> Result<std::sync::Arc<dyn Transport>, TransportError> {
    Err(TransportError(
        "no default HTTP transport: enable `native` or `web`, or give the builder one".into(),
    ))
}
