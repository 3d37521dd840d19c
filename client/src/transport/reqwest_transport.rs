//! The reqwest transport: rustls on native targets, `fetch` with credentials in browsers.

use super::{BoxFuture, HttpRequest, HttpResponse, Method, Transport, TransportError};

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
