//! The electron plugin's options (`@better-auth/electron`'s `electron(options)`), and the
//! deep-link schemes of Keyward's `redirect_uri` extension.

use std::time::Duration;

use keyward_client::wire::DEFAULT_ELECTRON_CLIENT_ID;

/// The electron plugin (`@better-auth/electron`): a desktop app signs in through the
/// system browser and trades a single-use code, bound to its PKCE challenge, for a
/// session (`/electron/init-oauth-proxy`, `/electron/token`, `/electron/transfer-user`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectronConfig {
    /// How long a code can be traded, and how long the `transfer_token` cookie that
    /// carries the app's state and challenge through a sign-in lives (`codeExpiresIn`,
    /// 300 s).
    pub code_expires_in: Duration,
    /// How long the readable `<cookie_prefix>.<client_id>` cookie holding the code lives
    /// in the browser (`redirectCookieExpiresIn`, 120 s).
    pub redirect_cookie_expires_in: Duration,
    /// The prefix of the code cookie's name (`cookiePrefix`, `better-auth`). The
    /// `transfer_token` cookie is named as the server's own cookies are.
    pub cookie_prefix: String,
    /// The client id apps send (`clientID`, `electron`); also the code cookie's name
    /// after the prefix.
    pub client_id: String,
    /// Keyward's extension: the URI schemes a `redirect_uri` may use besides loopback
    /// `http://127.0.0.1` and `http://[::1]` (`myapp` allows `myapp:/auth/callback`),
    /// compared without regard to case. None by default; `http` and `https` are never
    /// deep links.
    pub deep_link_schemes: Vec<String>,
}

impl Default for ElectronConfig {
    fn default() -> Self {
        Self {
            code_expires_in: Duration::from_secs(300),
            redirect_cookie_expires_in: Duration::from_secs(120),
            cookie_prefix: "better-auth".into(),
            client_id: DEFAULT_ELECTRON_CLIENT_ID.into(),
            deep_link_schemes: Vec::new(),
        }
    }
}

impl ElectronConfig {
    /// Sets how long a code can be traded.
    pub fn code_expires_in(mut self, lifetime: Duration) -> Self {
        self.code_expires_in = lifetime;
        self
    }

    /// Sets the client id apps send.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// Allows `redirect_uri` deep links of `scheme` (Keyward's extension).
    pub fn deep_link_scheme(mut self, scheme: impl Into<String>) -> Self {
        self.deep_link_schemes.push(scheme.into());
        self
    }
}

/// Schemes that are never an app's deep link: the web's own (an `https` redirect would
/// hand codes to any site) and those that run or read something in the browser.
pub(super) const FORBIDDEN_SCHEMES: &[&str] = &[
    "http",
    "https",
    "javascript",
    "data",
    "file",
    "blob",
    "about",
    "vbscript",
    "ws",
    "wss",
    "ftp",
];

/// `scheme` lowercased when it is one an app may register (RFC 3986: a letter, then
/// letters, digits, `+`, `-` or `.`) and not one of [`FORBIDDEN_SCHEMES`].
pub(super) fn check_scheme(scheme: &str) -> Result<String, String> {
    let lower = scheme.trim().to_ascii_lowercase();
    let mut chars = lower.chars();
    let well_formed = chars.next().is_some_and(|first| first.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
    if !well_formed {
        return Err(format!("`{scheme}` is not a URI scheme"));
    }
    if FORBIDDEN_SCHEMES.contains(&lower.as_str()) {
        return Err(format!("`{scheme}` cannot be a deep-link scheme"));
    }
    Ok(lower)
}

/// Whether `name` may go into a cookie name (the prefix and the client id do).
pub(super) fn is_cookie_name_part(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_better_auths() {
        let config = ElectronConfig::default();
        assert_eq!(config.code_expires_in, Duration::from_secs(300));
        assert_eq!(config.redirect_cookie_expires_in, Duration::from_secs(120));
        assert_eq!(config.cookie_prefix, "better-auth");
        assert_eq!(config.client_id, "electron");
        assert!(config.deep_link_schemes.is_empty());
    }

    #[test]
    fn only_app_schemes_are_deep_links() {
        assert_eq!(check_scheme("MyApp").as_deref(), Ok("myapp"));
        assert_eq!(
            check_scheme("com.example.app+x-1").as_deref(),
            Ok("com.example.app+x-1")
        );
        for refused in [
            "https",
            "HTTP",
            "javascript",
            "data",
            "file",
            "",
            "1app",
            "my app",
            "app:",
        ] {
            assert!(check_scheme(refused).is_err(), "{refused:?}");
        }
        assert!(is_cookie_name_part("better-auth") && is_cookie_name_part("my_app.v2"));
        assert!(!is_cookie_name_part("") && !is_cookie_name_part("a;b") && !is_cookie_name_part("a b"));
    }
}
