//! Keyward's extension: the `redirect_uri` an app may name (RFC 8252), where the browser
//! goes once the sign-in is over instead of waiting on a page of the web app.
//!
//! Allowed are a loopback address, `http://127.0.0.1:<any port>/<path>` or
//! `http://[::1]:<port>/<path>` (§7.3: any port, since the app binds whichever is free),
//! and a deep link of a scheme in [`ElectronConfig::deep_link_schemes`] (§7.1). `localhost`
//! is refused, as §8.3 recommends (a name can resolve elsewhere), and so are user
//! information and fragments. The URI is used as parsed and serialized here, so the
//! browser goes exactly where the check looked.

use axum::http::StatusCode;
use url::{Host, Url};

use super::ElectronConfig;
use super::config::FORBIDDEN_SCHEMES;
use crate::error::ApiError;
use keyward_client::wire::{ElectronCode, ElectronTransfer, ErrorCode};

/// A checked `redirect_uri`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum AppRedirect {
    /// `http://127.0.0.1:<port>/…` or `http://[::1]:<port>/…`: the code goes in the query.
    Loopback(Url),
    /// `<scheme>:…` of an allowed scheme: the code goes in the fragment, as
    /// `@better-auth/electron`'s web page sends it.
    DeepLink(Url),
}

/// `400 INVALID_REDIRECT_URI`.
fn invalid() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRedirectUri)
}

impl AppRedirect {
    /// Checks `raw` against the rules above.
    pub(super) fn parse(config: &ElectronConfig, raw: &str) -> Result<Self, ApiError> {
        let url = Url::parse(raw).map_err(|_| invalid())?;
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return Err(invalid());
        }
        let scheme = url.scheme();
        if scheme == "http" {
            let loopback = match url.host() {
                Some(Host::Ipv4(address)) => address == std::net::Ipv4Addr::LOCALHOST,
                Some(Host::Ipv6(address)) => address == std::net::Ipv6Addr::LOCALHOST,
                _ => false,
            };
            return if loopback {
                Ok(Self::Loopback(url))
            } else {
                Err(invalid())
            };
        }
        let allowed = !FORBIDDEN_SCHEMES.contains(&scheme)
            && config
                .deep_link_schemes
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(scheme));
        if allowed {
            Ok(Self::DeepLink(url))
        } else {
            Err(invalid())
        }
    }

    /// The URI as it will be redirected to (what the transfer cookie keeps).
    pub(super) fn as_str(&self) -> &str {
        match self {
            Self::Loopback(url) | Self::DeepLink(url) => url.as_str(),
        }
    }

    /// Where the browser goes with a code: `?electron_authorization_code=…&state=…` on a
    /// loopback URI, `#token=<base64url {identifier, state}>` on a deep link.
    pub(super) fn success(&self, code: &ElectronCode, state: &str) -> String {
        match self {
            Self::Loopback(url) => {
                let mut url = url.clone();
                url.query_pairs_mut()
                    .append_pair("electron_authorization_code", code.expose())
                    .append_pair("state", state);
                url.into()
            }
            Self::DeepLink(url) => {
                let transfer = ElectronTransfer {
                    identifier: code.clone(),
                    state: state.to_owned(),
                };
                let mut url = url.clone();
                url.set_fragment(Some(&format!("token={}", transfer.encode())));
                url.into()
            }
        }
    }

    /// Where the browser goes when the sign-in failed: `?error=<code>&state=…` on either.
    pub(super) fn failure(&self, error: &str, state: &str) -> String {
        let (Self::Loopback(url) | Self::DeepLink(url)) = self;
        let mut url = url.clone();
        url.query_pairs_mut()
            .append_pair("error", error)
            .append_pair("state", state);
        url.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ElectronConfig {
        ElectronConfig::default().deep_link_scheme("MyApp")
    }

    fn parse(raw: &str) -> Result<AppRedirect, ErrorCode> {
        AppRedirect::parse(&config(), raw).map_err(|error| error.code().cloned().expect("a code"))
    }

    #[test]
    fn loopback_addresses_on_any_port_are_allowed() {
        for raw in [
            "http://127.0.0.1:53682/callback",
            "http://127.0.0.1/",
            "http://[::1]:8080/cb?x=1",
            "http://127.0.0.1:1",
        ] {
            assert!(matches!(parse(raw), Ok(AppRedirect::Loopback(_))), "{raw}");
        }
        assert!(matches!(parse("myapp:/auth/callback"), Ok(AppRedirect::DeepLink(_))));
        assert!(matches!(parse("MYAPP://auth/callback"), Ok(AppRedirect::DeepLink(_))));
    }

    #[test]
    fn everything_else_is_refused() {
        for raw in [
            "http://localhost:8080/cb",
            "https://127.0.0.1:8080/cb",
            "http://127.0.0.2:8080/cb",
            "http://example.com/cb",
            "http://127.0.0.1.example.com/cb",
            "http://user@127.0.0.1:8080/cb",
            "http://127.0.0.1:8080@example.com/cb",
            "http://127.0.0.1:8080/cb#fragment",
            "https://example.com/cb",
            "otherapp:/auth/callback",
            "javascript:alert(1)",
            "myapp:/cb#x",
            "/relative/path",
            "",
            "not a uri",
        ] {
            assert_eq!(parse(raw), Err(ErrorCode::InvalidRedirectUri), "{raw}");
        }
        let https_scheme = ElectronConfig::default().deep_link_scheme("https");
        assert!(AppRedirect::parse(&https_scheme, "https://example.com/").is_err());
    }

    #[test]
    fn the_code_goes_in_the_query_or_the_fragment() {
        let code = ElectronCode::new("AbC123");
        let loopback = parse("http://127.0.0.1:4000/cb?app=1").expect("allowed");
        assert_eq!(
            loopback.success(&code, "s t"),
            "http://127.0.0.1:4000/cb?app=1&electron_authorization_code=AbC123&state=s+t"
        );
        assert_eq!(
            loopback.failure("access_denied", "xyz"),
            "http://127.0.0.1:4000/cb?app=1&error=access_denied&state=xyz"
        );
        let deep = parse("myapp:/auth/callback").expect("allowed");
        assert_eq!(
            deep.success(&code, "xyz"),
            "myapp:/auth/callback#token=eyJpZGVudGlmaWVyIjoiQWJDMTIzIiwic3RhdGUiOiJ4eXoifQ=="
        );
        assert_eq!(
            deep.failure("access_denied", "xyz"),
            "myapp:/auth/callback?error=access_denied&state=xyz"
        );
        // The URI is redirected to as parsed: what was checked is where the browser goes.
        let odd = parse("http://127.0.0.1:4000\\@example.com/").expect("a loopback path");
        assert_eq!(odd.as_str(), "http://127.0.0.1:4000/@example.com/");
    }
}
