//! Trusted origins, the CSRF origin check and callback URL validation, as in better-auth's
//! `origin-check` middleware and `matchesOriginPattern`.

use crate::log_safe::Escaped;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use url::Url;

use crate::error::ApiError;
use keyward_client::wire::ErrorCode;

fn has_control_char(value: &str) -> bool {
    value
        .chars()
        .any(|c| ('\u{0}'..='\u{1f}').contains(&c) || ('\u{7f}'..='\u{9f}').contains(&c))
}

/// A relative redirect that no browser or router can read as another origin.
pub fn is_safe_relative_url(value: &str) -> bool {
    if !value.starts_with('/') || value.starts_with("//") || value.contains('\\') || has_control_char(value) {
        return false;
    }
    let path = value.split(['?', '#']).next().unwrap_or("");
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") {
        return false;
    }
    let base = Url::parse("https://better-auth.invalid").expect("static URL parses");
    base.join(value)
        .map(|joined| joined.origin() == base.origin())
        .unwrap_or(false)
}

/// The origin of a URL (`null` origins, such as custom schemes, give `None`).
pub fn origin_of(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    let origin = parsed.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

fn host_of(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// better-auth's `wildcardMatch` without separators: `*` is any run, `?` any one character.
pub fn wildcard_match(pattern: &str, sample: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = sample.chars().collect();
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && p[pi] == '\\' && pi + 1 < p.len() && p[pi + 1] == s[si] {
            pi += 2;
            si += 1;
        } else if pi < p.len() && (p[pi] == '?' || (p[pi] == s[si] && p[pi] != '*' && p[pi] != '\\')) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(star_at) = star {
            pi = star_at + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A wildcard host made only of digits, dots and wildcards names an IPv4 range, so it
/// admits only an IPv4 address.
fn allowed_ipv4_host(pattern_authority: &str, authority: &str) -> bool {
    let pattern_host = pattern_authority.split(':').next().unwrap_or("");
    let is_ip_pattern = pattern_host.chars().any(|c| c.is_ascii_digit())
        && pattern_host
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | '?' | '.'));
    if !is_ip_pattern {
        return true;
    }
    let host = authority.split(':').next().unwrap_or("");
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

struct CustomOrigin {
    scheme: String,
    authority: String,
    path: String,
}

fn normalize_path(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned();
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            ".." => {
                segments.pop();
            }
            "." | "" => {}
            other => segments.push(other),
        }
    }
    if segments.is_empty() {
        String::new()
    } else {
        format!("/{}", segments.join("/"))
    }
}

fn parse_custom_origin(value: &str, wildcard: bool) -> Option<CustomOrigin> {
    if has_control_char(value) {
        return None;
    }
    let scheme_end = value.find(':').filter(|&i| i > 0)?;
    let scheme = value[..scheme_end].to_ascii_lowercase();
    let mut rest = &value[scheme_end + 1..];
    let mut authority = "";
    if let Some(after) = rest.strip_prefix("//") {
        let end = if wildcard {
            after.find(['/', '#'])
        } else {
            after.find(['/', '?', '#'])
        };
        match end {
            Some(i) => {
                authority = &after[..i];
                rest = &after[i..];
            }
            None => {
                authority = after;
                rest = "";
            }
        }
    }
    let path_end = if wildcard {
        rest.find('#')
    } else {
        rest.find(['?', '#'])
    };
    let path = normalize_path(match path_end {
        Some(i) => &rest[..i],
        None => rest,
    });
    Some(CustomOrigin {
        scheme,
        authority: authority.to_ascii_lowercase(),
        path,
    })
}

/// better-auth's `matchesOriginPattern`.
pub fn matches_origin_pattern(url: &str, pattern: &str, allow_relative: bool) -> bool {
    if url.starts_with('/') {
        return allow_relative && is_safe_relative_url(url);
    }
    let has_wildcard = pattern.contains('*') || pattern.contains('?');
    if has_wildcard && !pattern.contains("://") {
        let Some(host) = host_of(url) else {
            return false;
        };
        return wildcard_match(pattern, &host) && allowed_ipv4_host(pattern, &host);
    }
    let scheme = Url::parse(url).ok().map(|u| u.scheme().to_owned());
    if matches!(scheme.as_deref(), Some("http" | "https") | None) {
        let Some(origin) = origin_of(url) else {
            return false;
        };
        if !has_wildcard {
            return pattern == origin;
        }
        if !wildcard_match(pattern, &origin) {
            return false;
        }
        let after_scheme = |s: &str| s.find("://").map(|i| s[i + 3..].to_owned()).unwrap_or_default();
        return allowed_ipv4_host(&after_scheme(pattern), &after_scheme(&origin));
    }
    let (Some(parsed), Some(parsed_pattern)) = (
        parse_custom_origin(url, false),
        parse_custom_origin(pattern, has_wildcard),
    ) else {
        return false;
    };
    if parsed.scheme != parsed_pattern.scheme {
        return false;
    }
    if has_wildcard {
        if parsed.authority.contains('@') {
            return false;
        }
        let authority_ok = parsed_pattern.authority.is_empty()
            || (wildcard_match(&parsed_pattern.authority, &parsed.authority)
                && allowed_ipv4_host(&parsed_pattern.authority, &parsed.authority));
        if !authority_ok {
            return false;
        }
        let path = if parsed.path.is_empty() {
            "/"
        } else {
            parsed.path.as_str()
        };
        return parsed_pattern.path.is_empty() || wildcard_match(&parsed_pattern.path, path);
    }
    if !parsed_pattern.authority.is_empty() && parsed.authority != parsed_pattern.authority {
        return false;
    }
    parsed_pattern.path.is_empty()
        || parsed.path == parsed_pattern.path
        || parsed.path.starts_with(&format!("{}/", parsed_pattern.path))
}

/// The trusted origins and the switches of the check.
#[derive(Clone, Debug)]
pub struct OriginPolicy {
    /// Trusted origins and patterns (the base URL's origin first).
    pub trusted: Vec<String>,
    /// Skip everything (`disableOriginCheck`).
    pub disable_origin_check: bool,
    /// Skip the Origin header check only (`disableCSRFCheck`).
    pub disable_csrf_check: bool,
}

impl OriginPolicy {
    /// Whether `url` is trusted (relative paths only where `allow_relative`).
    pub fn is_trusted(&self, url: &str, allow_relative: bool) -> bool {
        self.trusted
            .iter()
            .any(|pattern| matches_origin_pattern(url, pattern, allow_relative))
    }

    /// better-auth's `validateOrigin`: a request carrying cookies (or any request when
    /// `force`) must name a trusted `Origin` (or `Referer`).
    pub fn validate_origin(&self, headers: &HeaderMap, force: bool) -> Result<(), ApiError> {
        if self.disable_csrf_check || self.disable_origin_check {
            return Ok(());
        }
        if !force && !headers.contains_key("cookie") {
            return Ok(());
        }
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let origin = header("origin")
            .filter(|o| !o.is_empty())
            .or_else(|| header("referer"))
            .unwrap_or_default();
        if origin.is_empty() || origin == "null" {
            return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::MissingOrNullOrigin));
        }
        if !self.is_trusted(&origin, false) {
            tracing::warn!(origin = %Escaped(&origin), "rejected a request from an untrusted origin");
            return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::InvalidOrigin));
        }
        Ok(())
    }

    /// better-auth's `formCsrfMiddleware` for the sign-in and sign-up forms.
    pub fn validate_form_csrf(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        if self.disable_csrf_check || self.disable_origin_check {
            return Ok(());
        }
        if headers.contains_key("cookie") {
            return self.validate_origin(headers, false);
        }
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .unwrap_or("")
        };
        let (site, mode, dest) = (
            header("sec-fetch-site"),
            header("sec-fetch-mode"),
            header("sec-fetch-dest"),
        );
        if !site.is_empty() || !mode.is_empty() || !dest.is_empty() {
            if site == "cross-site" && mode == "navigate" {
                tracing::warn!("blocked a cross-site navigation sign-in (CSRF)");
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::CrossSiteNavigationLoginBlocked,
                ));
            }
            return self.validate_origin(headers, true);
        }
        if !header("origin").is_empty() || !header("referer").is_empty() {
            return self.validate_origin(headers, true);
        }
        Ok(())
    }

    /// Checks the redirect fields of a body (and `callbackURL` of the query): each must be
    /// a safe relative path or a trusted origin.
    pub fn validate_redirect_fields(&self, body: Option<&Value>, query_callback: Option<&str>) -> Result<(), ApiError> {
        if self.disable_origin_check {
            return Ok(());
        }
        let field = |name: &str| body.and_then(|b| b.get(name));
        let callback = field("callbackURL")
            .filter(|v| is_truthy(v))
            .cloned()
            .or_else(|| query_callback.map(|q| Value::String(q.to_owned())));
        let checks = [
            (callback, "callbackURL", ErrorCode::InvalidCallbackUrl),
            (
                field("redirectTo").cloned(),
                "redirectURL",
                ErrorCode::InvalidRedirectUrl,
            ),
            (
                field("errorCallbackURL").cloned(),
                "errorCallbackURL",
                ErrorCode::InvalidErrorCallbackUrl,
            ),
            (
                field("newUserCallbackURL").cloned(),
                "newUserCallbackURL",
                ErrorCode::InvalidNewUserCallbackUrl,
            ),
        ];
        for (value, label, code) in checks {
            let Some(value) = value.filter(is_truthy) else {
                continue;
            };
            let Value::String(url) = value else {
                return Err(ApiError::message_only(
                    StatusCode::BAD_REQUEST,
                    format!("Invalid {label}: expected a string"),
                ));
            };
            self.validate_url(&url, code)?;
        }
        Ok(())
    }

    /// Checks one redirect URL (`originCheck` on GET endpoints).
    pub fn validate_url(&self, url: &str, code: ErrorCode) -> Result<(), ApiError> {
        if self.disable_origin_check || url.is_empty() || self.is_trusted(url, true) {
            return Ok(());
        }
        tracing::warn!(url = %Escaped(url), "rejected an untrusted redirect URL");
        Err(ApiError::new(StatusCode::FORBIDDEN, code))
    }
}

/// JavaScript truthiness for JSON values (`""`, `0`, `false`, `null` are falsy).
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls() {
        for ok in ["/", "/dashboard", "/a/b?c=d#e", "/reset?token=x"] {
            assert!(is_safe_relative_url(ok), "{ok}");
        }
        for bad in [
            "//evil.com",
            "/\\evil.com",
            "/a%2Fb",
            "/a%5cb",
            "dashboard",
            "/a\nb",
            "https://x",
        ] {
            assert!(!is_safe_relative_url(bad), "{bad}");
        }
    }

    #[test]
    fn origin_patterns() {
        assert!(matches_origin_pattern(
            "http://localhost:3000/page",
            "http://localhost:3000",
            false
        ));
        assert!(!matches_origin_pattern(
            "http://localhost:3001",
            "http://localhost:3000",
            false
        ));
        assert!(!matches_origin_pattern(
            "https://evil.com",
            "http://localhost:3000",
            false
        ));
        assert!(matches_origin_pattern("https://a.example.com", "*.example.com", false));
        assert!(matches_origin_pattern(
            "https://a.example.com/x",
            "https://*.example.com",
            false
        ));
        assert!(!matches_origin_pattern("https://example.org", "*.example.com", false));
        assert!(matches_origin_pattern(
            "http://192.168.1.7:8080",
            "192.168.*.*:*",
            false
        ));
        assert!(!matches_origin_pattern(
            "http://192.168.attacker.com",
            "192.168.*",
            false
        ));
        assert!(matches_origin_pattern("myapp://callback/x", "myapp://", false));
        assert!(matches_origin_pattern("myapp://host/cb/done", "myapp://host/cb", false));
        assert!(!matches_origin_pattern(
            "myapp://host/cb/../evil",
            "myapp://host/cb",
            false
        ));
        assert!(!matches_origin_pattern("otherapp://x", "myapp://", false));
        assert!(matches_origin_pattern("/dash", "http://localhost:3000", true));
        assert!(!matches_origin_pattern("/dash", "http://localhost:3000", false));
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.example.com", "a.b.example.com"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(wildcard_match("*", ""));
        assert!(!wildcard_match("x*", "y"));
    }

    fn policy() -> OriginPolicy {
        OriginPolicy {
            trusted: vec!["http://localhost:3000".into()],
            disable_origin_check: false,
            disable_csrf_check: false,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn origin_check_rules() {
        let p = policy();
        assert!(p.validate_origin(&headers(&[]), false).is_ok());
        let missing = p
            .validate_origin(&headers(&[("cookie", "a=b")]), false)
            .expect_err("missing");
        assert_eq!(missing.code(), Some(&ErrorCode::MissingOrNullOrigin));
        let null = p
            .validate_origin(&headers(&[("cookie", "a=b"), ("origin", "null")]), false)
            .expect_err("null");
        assert_eq!(null.code(), Some(&ErrorCode::MissingOrNullOrigin));
        let evil = p
            .validate_origin(&headers(&[("cookie", "a=b"), ("origin", "https://evil.com")]), false)
            .expect_err("evil");
        assert_eq!(evil.code(), Some(&ErrorCode::InvalidOrigin));
        assert!(
            p.validate_origin(
                &headers(&[("cookie", "a=b"), ("referer", "http://localhost:3000/x")]),
                false
            )
            .is_ok()
        );
        let blocked = p
            .validate_form_csrf(&headers(&[
                ("sec-fetch-site", "cross-site"),
                ("sec-fetch-mode", "navigate"),
            ]))
            .expect_err("blocked");
        assert_eq!(blocked.code(), Some(&ErrorCode::CrossSiteNavigationLoginBlocked));
        let forced = p
            .validate_form_csrf(&headers(&[("sec-fetch-site", "same-origin")]))
            .expect_err("forced");
        assert_eq!(forced.code(), Some(&ErrorCode::MissingOrNullOrigin));
        assert!(p.validate_form_csrf(&headers(&[])).is_ok());
    }

    #[test]
    fn redirect_fields() {
        let p = policy();
        let body = serde_json::json!({"callbackURL": "https://evil.com"});
        assert_eq!(
            p.validate_redirect_fields(Some(&body), None).expect_err("evil").code(),
            Some(&ErrorCode::InvalidCallbackUrl)
        );
        let body = serde_json::json!({"redirectTo": "//evil.com"});
        assert_eq!(
            p.validate_redirect_fields(Some(&body), None).expect_err("evil").code(),
            Some(&ErrorCode::InvalidRedirectUrl)
        );
        let body = serde_json::json!({"callbackURL": 5});
        let err = p.validate_redirect_fields(Some(&body), None).expect_err("not a string");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        let body = serde_json::json!({"callbackURL": "/ok", "redirectTo": "http://localhost:3000/r"});
        assert!(p.validate_redirect_fields(Some(&body), None).is_ok());
    }
}
