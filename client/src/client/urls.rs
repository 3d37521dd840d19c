//! The URL operations the client needs (its endpoint and a call's URL), on one of two
//! WHATWG URL parsers: the `url` crate with feature `url` (on by default with `native`),
//! else, in browsers, the browser's own `URL`. A web build without `url` leaves out the
//! crate and its IDNA tables: 64,443 B of the 256,208 B (gzip) a minimal Leptos page weighed.

use crate::error::{Error, Result};

/// A parsed absolute URL.
pub(crate) struct ParsedUrl {
    #[cfg(feature = "url")]
    inner: url::Url,
    #[cfg(all(not(feature = "url"), feature = "web", target_arch = "wasm32"))]
    inner: web_sys::Url,
}

#[cfg(not(any(feature = "url", all(feature = "web", target_arch = "wasm32"))))]
compile_error!("keyward-client needs a URL parser: enable feature `url` (or `native`), or `web` in browsers");

fn invalid(input: &str, why: &str) -> Error {
    Error::InvalidRequest {
        message: format!("invalid URL {input:?}: {why}"),
    }
}

#[cfg(feature = "url")]
impl ParsedUrl {
    pub fn parse(input: &str) -> Result<Self> {
        let inner = url::Url::parse(input).map_err(|error| invalid(input, &error.to_string()))?;
        Ok(Self { inner })
    }

    /// The scheme, without `:`.
    pub fn scheme(&self) -> String {
        self.inner.scheme().to_owned()
    }

    pub fn path(&self) -> String {
        self.inner.path().to_owned()
    }

    pub fn origin(&self) -> String {
        self.inner.origin().ascii_serialization()
    }

    pub fn set_path(&mut self, path: &str) {
        self.inner.set_path(path);
    }

    pub fn clear_query(&mut self) {
        self.inner.set_query(None);
    }

    pub fn href(&self) -> String {
        self.inner.as_str().to_owned()
    }

    pub fn into_url(self) -> url::Url {
        self.inner
    }
}

#[cfg(all(not(feature = "url"), feature = "web", target_arch = "wasm32"))]
impl ParsedUrl {
    pub fn parse(input: &str) -> Result<Self> {
        let inner = web_sys::Url::new(input).map_err(|_| invalid(input, "the browser's URL parser refused it"))?;
        Ok(Self { inner })
    }

    /// The scheme, without `:`.
    pub fn scheme(&self) -> String {
        self.inner.protocol().trim_end_matches(':').to_owned()
    }

    pub fn path(&self) -> String {
        self.inner.pathname()
    }

    pub fn origin(&self) -> String {
        self.inner.origin()
    }

    pub fn set_path(&mut self, path: &str) {
        self.inner.set_pathname(path);
    }

    pub fn clear_query(&mut self) {
        self.inner.set_search("");
    }

    pub fn href(&self) -> String {
        self.inner.href()
    }
}

/// The client's endpoint prefix for `base_url` (`/api/auth` appended unless it has a
/// path, or `base_path` instead), without a trailing slash or query, and the origin
/// better-auth expects in native cookie mode.
pub(crate) fn endpoint_of(base_url: &str, base_path: Option<&str>) -> Result<(ParsedUrl, String)> {
    let mut endpoint = ParsedUrl::parse(base_url)?;
    if !matches!(endpoint.scheme().as_str(), "http" | "https") {
        return Err(invalid(base_url, "the server's URL must be http or https"));
    }
    let has_path = !matches!(endpoint.path().as_str(), "" | "/");
    if !has_path || base_path.is_some() {
        let base_path = base_path.unwrap_or(crate::wire::DEFAULT_BASE_PATH);
        endpoint.set_path(&format!("/{}", base_path.trim_matches('/')));
    }
    let trimmed = endpoint.path().trim_end_matches('/').to_owned();
    endpoint.set_path(&trimmed);
    endpoint.clear_query();
    let origin = endpoint.origin();
    Ok((endpoint, origin))
}

/// `endpoint` + `/path` + `?query`: the URL of one call. The path is a route's, the
/// query is form-encoded already; the transport's parser (reqwest's or the browser's)
/// percent-encodes whatever else needs it.
pub(crate) fn call_url(endpoint: &str, path: &str, query: Option<&str>) -> String {
    let mut url = format!("{}/{}", endpoint.trim_end_matches('/'), path.trim_start_matches('/'));
    if let Some(query) = query.filter(|query| !query.is_empty()) {
        url.push('?');
        url.push_str(query);
    }
    url
}

#[cfg(all(test, feature = "url"))]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_base_url_and_path() {
        let endpoint =
            |base: &str, path: Option<&str>| endpoint_of(base, path).map(|(url, origin)| (url.href(), origin));
        let ok = |base: &str, path: Option<&str>| endpoint(base, path).expect(base);
        let default = (
            "http://localhost:3000/api/auth".to_owned(),
            "http://localhost:3000".to_owned(),
        );
        assert_eq!(ok("http://localhost:3000", None), default);
        assert_eq!(ok("http://localhost:3000/?x=1", None), default);
        assert_eq!(ok("https://example.com/auth/", None).0, "https://example.com/auth");
        assert_eq!(
            ok("https://example.com/auth", Some("/v1/auth/")).0,
            "https://example.com/v1/auth"
        );
        assert_eq!(ok("https://example.com:8443", None).1, "https://example.com:8443");
        for bad in [
            "",
            "localhost:3000",
            "/api/auth",
            "ftp://example.com",
            "http://exa mple.com",
        ] {
            let error = endpoint(bad, None).expect_err(bad);
            assert!(matches!(error, Error::InvalidRequest { .. }), "{bad}: {error:?}");
        }
    }

    #[test]
    fn call_urls_join_the_endpoint_path_and_query() {
        let endpoint = "http://localhost:3000/api/auth";
        assert_eq!(
            call_url(endpoint, "/get-session", None),
            "http://localhost:3000/api/auth/get-session"
        );
        assert_eq!(call_url(endpoint, "ok", Some("")), "http://localhost:3000/api/auth/ok");
        assert_eq!(
            call_url(endpoint, "/organization/list-members", Some("limit=20&offset=0")),
            "http://localhost:3000/api/auth/organization/list-members?limit=20&offset=0"
        );
    }
}
