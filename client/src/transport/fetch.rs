//! The browser's `fetch`, called directly: the default transport in browsers.
//!
//! Measured with `./scripts/wasm-size` (the minimal Leptos page's wasm, wasm-release,
//! gzip -9): this module in place of reqwest's wasm client and the `http` types it
//! brings, together with `ErrorCode`'s shorter `Debug`, took it from 311,255 B to
//! 288,986 B (`benches/results/2026-12-03-web-bundle.md`).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

use super::{BoxFuture, HttpRequest, HttpResponse, Method, Transport, TransportError};

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The global `fetch` (of a window or of a worker).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> js_sys::Promise;
}

/// Sends requests with the browser's `fetch`, cookies included (`credentials: "include"`),
/// following redirects as the browser does.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

impl FetchTransport {
    /// The transport.
    pub fn new() -> Self {
        Self
    }
}

/// What the browser said went wrong.
fn failed(what: &str, error: JsValue) -> TransportError {
    let reason = error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_default();
    TransportError(format!("{what}: {reason}"))
}

async fn send(request: HttpRequest) -> Result<HttpResponse, TransportError> {
    let init = RequestInit::new();
    init.set_method(match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
    });
    init.set_credentials(RequestCredentials::Include);
    let headers = Headers::new().map_err(|error| failed("headers", error))?;
    for (name, value) in &request.headers {
        headers.append(name, value).map_err(|error| failed("header", error))?;
    }
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&Uint8Array::from(body.as_slice()));
    }
    let fetch_request =
        Request::new_with_str_and_init(request.url.as_str(), &init).map_err(|error| failed("request", error))?;
    let response: Response = JsFuture::from(global_fetch(&fetch_request))
        .await
        .map_err(|error| failed("fetch", error))?
        .unchecked_into();
    let mut response_headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair: Array = entry.unchecked_into();
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                response_headers.push((name.to_ascii_lowercase(), value));
            }
        }
    }
    let buffer = response.array_buffer().map_err(|error| failed("body", error))?;
    let body = JsFuture::from(buffer).await.map_err(|error| failed("body", error))?;
    Ok(HttpResponse {
        status: response.status(),
        headers: response_headers,
        body: Uint8Array::new(&body).to_vec(),
    })
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(send(request))
    }
}
