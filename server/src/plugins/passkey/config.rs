//! The passkey plugin's options (`@better-auth/passkey`'s `passkey(options)`).

use std::time::Duration;

/// The passkey plugin (`@better-auth/passkey`): WebAuthn registration and sign-in.
#[derive(Clone, Debug)]
pub struct PasskeyConfig {
    /// The relying party id (default: the host of the base URL).
    pub rp_id: Option<String>,
    /// The name authenticators show (default: the application name).
    pub rp_name: Option<String>,
    /// The WebAuthn origins accepted in client data. Empty (the default) accepts the
    /// request's `Origin` header, as better-auth does; native apps need their own origin
    /// here (`android:apk-key-hash:…`, or the web origin an iOS associated domain uses).
    pub origins: Vec<String>,
    /// What registration asks of the authenticator (merged over `residentKey` and
    /// `userVerification` `"preferred"`).
    pub authenticator_selection: keyward_client::wire::AuthenticatorSelection,
    /// Registration needs a fresh session (better-auth's default).
    pub require_session: bool,
    /// How long a ceremony's challenge lives (five minutes).
    pub challenge_max_age: Duration,
    /// The challenge cookie's name after the cookie prefix.
    pub challenge_cookie: String,
}

impl Default for PasskeyConfig {
    fn default() -> Self {
        Self {
            rp_id: None,
            rp_name: None,
            origins: Vec::new(),
            authenticator_selection: keyward_client::wire::AuthenticatorSelection::default(),
            require_session: true,
            challenge_max_age: Duration::from_secs(300),
            challenge_cookie: "better-auth-passkey".to_owned(),
        }
    }
}

impl PasskeyConfig {
    /// Sets the relying party id.
    pub fn rp_id(mut self, rp_id: impl Into<String>) -> Self {
        self.rp_id = Some(rp_id.into());
        self
    }

    /// Sets the relying party name.
    pub fn rp_name(mut self, rp_name: impl Into<String>) -> Self {
        self.rp_name = Some(rp_name.into());
        self
    }

    /// Accepts this WebAuthn origin (call once per origin).
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origins.push(origin.into());
        self
    }
}
