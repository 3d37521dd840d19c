//! The last-login-method plugin's options (better-auth `lastLoginMethod(options)`).

use std::sync::Arc;
use std::time::Duration;

use crate::hooks::EndpointRequest;

/// The last-login-method plugin (better-auth `lastLoginMethod`): every answer that signs
/// someone in by a method it recognises also sets a cookie the page can read
/// (`better-auth.last_used_login_method=email`), so a sign-in page can mark the method
/// used last; with [`store_in_database`](Self::store_in_database) the user's
/// `lastLoginMethod` column keeps it too.
#[derive(Clone)]
pub struct LastLoginMethodConfig {
    /// The cookie's name, used as it is: neither the cookie prefix nor `__Secure-` is
    /// added (`cookieName`, default `better-auth.last_used_login_method`).
    pub cookie_name: String,
    /// How long the cookie lasts (`maxAge`, default 30 days).
    pub max_age: Duration,
    /// Keep the method in the user's `lastLoginMethod` column as well
    /// (`storeInDatabase`): set when the user is created and on every sign-in.
    pub store_in_database: bool,
    /// Names the method of a request instead of, or before, the built-in rules
    /// (`customResolveMethod`): `None` falls back to them.
    pub resolve_method: Option<Arc<dyn ResolveLoginMethod>>,
    /// Decides whether the cookie is set for a method (`beforeStoreCookie`): `false`
    /// leaves the answer without it (a consent banner's answer, say).
    pub before_store_cookie: Option<Arc<dyn BeforeStoreCookie>>,
}

impl std::fmt::Debug for LastLoginMethodConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LastLoginMethodConfig")
            .field("cookie_name", &self.cookie_name)
            .field("max_age", &self.max_age)
            .field("store_in_database", &self.store_in_database)
            .field("resolve_method", &self.resolve_method.is_some())
            .field("before_store_cookie", &self.before_store_cookie.is_some())
            .finish()
    }
}

impl Default for LastLoginMethodConfig {
    fn default() -> Self {
        Self {
            cookie_name: "better-auth.last_used_login_method".to_owned(),
            max_age: Duration::from_secs(30 * 24 * 60 * 60),
            store_in_database: false,
            resolve_method: None,
            before_store_cookie: None,
        }
    }
}

impl LastLoginMethodConfig {
    /// Sets the cookie's name.
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// Sets how long the cookie lasts.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Keeps the method in the user's `lastLoginMethod` column too.
    pub fn store_in_database(mut self, store: bool) -> Self {
        self.store_in_database = store;
        self
    }

    /// Names methods with `resolve` first.
    pub fn resolve_method(mut self, resolve: impl ResolveLoginMethod) -> Self {
        self.resolve_method = Some(Arc::new(resolve));
        self
    }

    /// Asks `decide` before setting the cookie.
    pub fn before_store_cookie(mut self, decide: impl BeforeStoreCookie) -> Self {
        self.before_store_cookie = Some(Arc::new(decide));
        self
    }
}

/// Names the sign-in method of a request (better-auth's `customResolveMethod`).
pub trait ResolveLoginMethod: Send + Sync + 'static {
    /// The method `request` signs in with, or `None` to let the built-in rules decide.
    fn resolve(&self, request: &EndpointRequest) -> Option<String>;
}

impl<F> ResolveLoginMethod for F
where
    F: Fn(&EndpointRequest) -> Option<String> + Send + Sync + 'static,
{
    fn resolve(&self, request: &EndpointRequest) -> Option<String> {
        self(request)
    }
}

/// Whether the cookie may be set for a method (better-auth's `beforeStoreCookie`).
pub trait BeforeStoreCookie: Send + Sync + 'static {
    /// `true` sets the cookie for `method` on the answer to `request`.
    fn permits(&self, request: &EndpointRequest, method: &str) -> bool;
}

impl<F> BeforeStoreCookie for F
where
    F: Fn(&EndpointRequest, &str) -> bool + Send + Sync + 'static,
{
    fn permits(&self, request: &EndpointRequest, method: &str) -> bool {
        self(request, method)
    }
}
