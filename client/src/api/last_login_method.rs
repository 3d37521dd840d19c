//! The last-login-method plugin (better-auth `lastLoginMethodClient`): which method the
//! user signed in with last, read from the readable cookie the server sets
//! (`better-auth.last_used_login_method`), so a sign-in page can mark it.
//!
//! In a browser the cookie is the page's (`document.cookie`); a native client keeps the
//! cookies of its answers, in bearer and cookie mode alike, and keeps this one across a
//! sign-out as a browser does.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! client.sign_in().email("ada@example.com", "correct-horse-battery").await?;
//! let last = client.last_login_method();
//! assert_eq!(last.get().as_deref(), Some("email"));
//! assert!(last.is("email"));
//! # Ok(()) }
//! ```

use crate::client::AuthClient;

/// better-auth's default name of the cookie.
pub const DEFAULT_COOKIE_NAME: &str = "better-auth.last_used_login_method";

impl AuthClient {
    /// The method the user signed in with last (needs the server's last-login-method
    /// plugin).
    pub fn last_login_method(&self) -> LastLoginMethod<'_> {
        LastLoginMethod {
            client: self,
            cookie_name: DEFAULT_COOKIE_NAME.to_owned(),
        }
    }
}

/// Reads and clears the last-login-method cookie.
#[derive(Debug)]
pub struct LastLoginMethod<'a> {
    client: &'a AuthClient,
    cookie_name: String,
}

impl LastLoginMethod<'_> {
    /// The cookie's name when the server sets another (`cookieName`).
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// The method (`email`, a provider's id, `passkey` …), or `None` when no sign-in has
    /// set it (`getLastUsedLoginMethod`).
    pub fn get(&self) -> Option<String> {
        self.read().filter(|value| !value.is_empty())
    }

    /// Whether `method` was used last (`isLastUsedLoginMethod`).
    pub fn is(&self, method: &str) -> bool {
        self.get().as_deref() == Some(method)
    }

    /// Forgets it (`clearLastUsedLoginMethod`): in a browser the cookie is expired.
    pub fn clear(&self) {
        #[cfg(all(feature = "web", target_arch = "wasm32"))]
        crate::web::expire_cookie(&self.cookie_name);
        #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
        self.client.inner.jar.retain({
            let name = self.cookie_name.clone();
            move |cookie| cookie != name
        });
    }

    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    fn read(&self) -> Option<String> {
        let _ = self.client;
        crate::web::cookie(&self.cookie_name)
    }

    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    fn read(&self) -> Option<String> {
        self.client
            .inner
            .jar
            .find(|cookie| cookie == self.cookie_name)
            .map(|(_, value)| value)
    }
}

/// Whether `name` is a last-login-method cookie, which outlives a sign-out.
pub(crate) fn is_last_login_cookie(name: &str) -> bool {
    name.ends_with("last_used_login_method")
}
