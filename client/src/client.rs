//! [`AuthClient`]: configuration, its builder, and the session entry points. Its
//! credentials (token, cookies, two-factor state) are in `credentials`, the request path
//! every endpoint uses in `request`.

mod credentials;
mod request;
mod urls;

pub(crate) use request::{decode, decode_route};

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::Shared;
use futures_signals::signal::Mutable;
#[cfg(feature = "url")]
use url::Url;

use crate::api::two_factor::TwoFactorHandler;
use crate::cookie_jar::CookieJar;
use crate::error::{Error, Result};
use crate::session_store::{SessionEvent, SessionState, SessionStore};
use crate::token_store::{MemoryStore, TokenStore};
use crate::transport::{BoxFuture, Transport};
use crate::wire::routes as route;
use crate::wire::{SessionData, SessionToken};

/// How the client proves who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialMode {
    /// `Authorization: Bearer <token>`, with the token kept in the [`TokenStore`]. The
    /// default on native targets: no cookie jar, no Origin rules.
    Bearer,
    /// Cookies. In browsers the browser keeps them (the default there); on native targets
    /// the client keeps a jar and sends `Origin` on every `POST`, as better-auth requires.
    Cookie,
}

/// Extra request settings.
#[derive(Clone, Debug, Default)]
pub struct FetchOptions {
    /// Headers added to every request.
    pub headers: Vec<(String, String)>,
    /// The `Origin` sent in native cookie mode (default: the server's own origin, which
    /// better-auth always trusts).
    pub origin: Option<String>,
}

/// Builds an [`AuthClient`].
pub struct AuthClientBuilder {
    base_url: String,
    base_path: Option<String>,
    token_store: Option<Arc<dyn TokenStore>>,
    transport: Option<Arc<dyn Transport>>,
    mode: Option<CredentialMode>,
    fetch_options: FetchOptions,
    refetch_interval: Option<Duration>,
    refetch_on_window_focus: bool,
    cross_tab_sync: bool,
    on_two_factor_required: Option<Arc<dyn TwoFactorHandler>>,
    organization_roles: Option<crate::wire::organization::RoleSet>,
    authenticator: Option<Arc<dyn crate::authenticator::Authenticator>>,
    pub(crate) refresh_rules: Vec<(crate::extension::CallMatcher, crate::extension::RefreshTarget)>,
}

impl AuthClientBuilder {
    /// The authenticator passkey ceremonies run on (default: the browser's on wasm, none
    /// on native, where a platform or [software](crate::authenticator) one is plugged in).
    pub fn authenticator(mut self, authenticator: impl crate::authenticator::Authenticator + 'static) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// Custom organization roles, for [`check_role_permission`](crate::api::organization::OrganizationApi::check_role_permission)
    /// (better-auth's `organizationClient({ roles })`); the defaults stay.
    pub fn organization_roles(mut self, roles: crate::wire::organization::RoleSet) -> Self {
        self.organization_roles = Some(roles);
        self
    }

    /// Called with the available methods (`"totp"`, `"otp"`) whenever a sign-in needs a
    /// second factor, like `twoFactorClient({ onTwoFactorRedirect })`: navigate to your
    /// code screen from here.
    pub fn on_two_factor_required(mut self, handler: impl TwoFactorHandler + 'static) -> Self {
        self.on_two_factor_required = Some(Arc::new(handler));
        self
    }

    /// Where the token is kept (default: [`MemoryStore`]).
    pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.token_store = Some(Arc::new(store));
        self
    }

    /// The HTTP stack (default: reqwest on native targets, the browser's `fetch` in
    /// browsers).
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Extra headers and the Origin for native cookie mode.
    pub fn fetch_options(mut self, options: FetchOptions) -> Self {
        self.fetch_options = options;
        self
    }

    /// Bearer tokens or cookies (default: bearer on native, cookies in browsers).
    pub fn credential_mode(mut self, mode: CredentialMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Where the endpoints are mounted, when the base URL has no path (default `/api/auth`).
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = Some(path.into());
        self
    }

    /// Refetch the session periodically while signed in (off by default). Needs a tokio
    /// runtime on native targets.
    pub fn refetch_interval(mut self, every: Duration) -> Self {
        self.refetch_interval = Some(every);
        self
    }

    /// In browsers, refetch when the page becomes visible again, at most once per 5 s
    /// (on by default, as in better-auth).
    pub fn refetch_on_window_focus(mut self, enabled: bool) -> Self {
        self.refetch_on_window_focus = enabled;
        self
    }

    /// In browsers, keep every tab of the app in step (on by default): sign-out,
    /// update-user and update-session are announced under the `localStorage` key
    /// `better-auth.message`, in better-auth's own message format, and an announcement
    /// from another tab (Rust or JS) refetches the session here.
    pub fn cross_tab_sync(mut self, enabled: bool) -> Self {
        self.cross_tab_sync = enabled;
        self
    }

    /// Builds the client.
    // In browsers nothing is `Send` (and nothing needs to be): the `Arc` is for cheap clones.
    #[cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]
    pub fn build(self) -> Result<AuthClient> {
        let (endpoint, base_origin) = urls::endpoint_of(&self.base_url, self.base_path.as_deref())?;
        let transport = match self.transport {
            Some(transport) => transport,
            None => crate::transport::default_transport().map_err(|e| Error::Network { message: e.0 })?,
        };
        let default_mode = if cfg!(target_arch = "wasm32") {
            CredentialMode::Cookie
        } else {
            CredentialMode::Bearer
        };
        let origin = self.fetch_options.origin.clone().unwrap_or(base_origin);
        let client = AuthClient {
            inner: Arc::new(Inner {
                endpoint: endpoint.href(),
                #[cfg(feature = "url")]
                endpoint_url: endpoint.into_url(),
                origin,
                transport,
                token_store: self.token_store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
                mode: self.mode.unwrap_or(default_mode),
                extra_headers: self.fetch_options.headers,
                token: Mutex::new(None),
                token_loaded: AtomicBool::new(false),
                jar: CookieJar::default(),
                state: Mutable::new(SessionState::initial()),
                listeners: Mutex::new(Vec::new()),
                inflight: Mutex::new(None),
                epoch: AtomicU64::new(0),
                background: crate::session_store::Background::default(),
                pending_two_factor: Mutex::new(None),
                on_two_factor_required: self.on_two_factor_required,
                organization: Default::default(),
                organization_roles: self.organization_roles,
                checked_roles: Default::default(),
                authenticator: self.authenticator,
                passkeys: Default::default(),
                refresh_rules: self.refresh_rules,
                plugin_stores: Default::default(),
                jwt: Mutable::new(None),
            }),
        };
        let background = crate::session_store::BackgroundOptions {
            interval: self.refetch_interval,
            on_focus: self.refetch_on_window_focus,
            cross_tab: self.cross_tab_sync,
        };
        crate::session_store::start_background(&client, background)?;
        Ok(client)
    }
}

pub(crate) type SessionFuture = Shared<BoxFuture<'static, Result<Option<SessionData>>>>;

pub(crate) struct Inner {
    /// The endpoint prefix, e.g. `http://localhost:3000/api/auth`.
    pub endpoint: String,
    #[cfg(feature = "url")]
    pub endpoint_url: Url,
    pub origin: String,
    pub transport: Arc<dyn Transport>,
    pub token_store: Arc<dyn TokenStore>,
    pub mode: CredentialMode,
    pub extra_headers: Vec<(String, String)>,
    pub token: Mutex<Option<SessionToken>>,
    pub token_loaded: AtomicBool,
    pub jar: CookieJar,
    pub state: Mutable<SessionState>,
    pub listeners: Mutex<Vec<futures::channel::mpsc::UnboundedSender<SessionEvent>>>,
    pub inflight: Mutex<Option<(u64, SessionFuture)>>,
    pub epoch: AtomicU64,
    #[cfg_attr(not(all(feature = "web", target_arch = "wasm32")), allow(dead_code))]
    pub background: crate::session_store::Background,
    /// The methods of an open two-factor sign-in challenge.
    pub pending_two_factor: Mutex<Option<Vec<String>>>,
    pub on_two_factor_required: Option<Arc<dyn TwoFactorHandler>>,
    /// The organization stores, made on first use ([`crate::extension::StoreGroup`]).
    pub organization: std::sync::OnceLock<Arc<crate::api::organization::OrganizationStores>>,
    /// The custom organization roles given to the builder.
    pub organization_roles: Option<crate::wire::organization::RoleSet>,
    /// The defaults and the custom roles, merged on the first local check.
    pub checked_roles: std::sync::OnceLock<crate::wire::organization::RoleSet>,
    /// The authenticator given to the builder (else the platform's, on first use).
    pub authenticator: Option<Arc<dyn crate::authenticator::Authenticator>>,
    /// The passkey list, made on first use.
    pub passkeys: std::sync::OnceLock<Arc<crate::api::passkey::PasskeyStores>>,
    /// The refresh rules of plugin calls ([`crate::extension`]).
    pub refresh_rules: Vec<(crate::extension::CallMatcher, crate::extension::RefreshTarget)>,
    /// The plugin stores ([`AuthClient::query`]).
    pub plugin_stores: crate::extension::PluginStores,
    /// The newest `set-auth-jwt` token (jwt plugin).
    pub jwt: Mutable<Option<crate::wire::JsonWebToken>>,
}

/// A client for a better-auth compatible server. Cheap to clone; `Send + Sync` on native.
///
/// ```no_run
/// # async fn run() -> keyward_client::Result<()> {
/// use keyward_client::AuthClient;
/// let client = AuthClient::builder("http://localhost:3000".parse().unwrap()).build()?;
/// client.sign_in().email("ada@example.com", "correct-horse-battery").await?;
/// let state = client.session().get();
/// println!("signed in as {}", state.data.expect("signed in").user.name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AuthClient {
    pub(crate) inner: Arc<Inner>,
}

/// Two handles are equal when they are clones of one client (same stores, same
/// credentials); UI frameworks compare properties with this.
impl PartialEq for AuthClient {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for AuthClient {}

impl std::fmt::Debug for AuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthClient")
            .field("endpoint", &self.inner.endpoint)
            .field("mode", &self.inner.mode)
            .finish_non_exhaustive()
    }
}

impl AuthClient {
    /// Starts a client for the server at `base_url` (for example `http://localhost:3000`;
    /// `/api/auth` is appended unless the URL has a path). Needs feature `url` (on with
    /// `native`); [`AuthClient::at`] takes the URL as text, in every build.
    #[cfg(feature = "url")]
    pub fn builder(base_url: Url) -> AuthClientBuilder {
        Self::at(base_url.as_str())
    }

    /// Starts a client for the server at `base_url`, as [`AuthClient::builder`] does, with
    /// the URL as text: [`AuthClientBuilder::build`] fails with
    /// [`Error::InvalidRequest`] when it is not an `http` or `https` URL. In a browser
    /// build without feature `url` the browser's own parser reads it, so the page does
    /// not carry the `url` crate and its IDNA tables (64,443 B gzipped, measured on the
    /// minimal Leptos page).
    ///
    /// ```no_run
    /// # fn run() -> keyward_client::Result<()> {
    /// let client = keyward_client::AuthClient::at("http://localhost:3000").build()?;
    /// assert_eq!(client.endpoint_str(), "http://localhost:3000/api/auth");
    /// # Ok(()) }
    /// ```
    pub fn at(base_url: impl Into<String>) -> AuthClientBuilder {
        AuthClientBuilder {
            base_url: base_url.into(),
            base_path: None,
            token_store: None,
            transport: None,
            mode: None,
            fetch_options: FetchOptions::default(),
            refetch_interval: None,
            refetch_on_window_focus: true,
            cross_tab_sync: true,
            on_two_factor_required: None,
            organization_roles: None,
            authenticator: None,
            refresh_rules: Vec::new(),
        }
    }

    /// The endpoint prefix, e.g. `http://localhost:3000/api/auth`.
    #[cfg(feature = "url")]
    pub fn endpoint(&self) -> &Url {
        &self.inner.endpoint_url
    }

    /// The endpoint prefix as text, e.g. `http://localhost:3000/api/auth` (no trailing
    /// slash), in every build.
    pub fn endpoint_str(&self) -> &str {
        &self.inner.endpoint
    }

    /// How the client authenticates.
    pub fn credential_mode(&self) -> CredentialMode {
        self.inner.mode
    }

    /// The reactive session store.
    pub fn session(&self) -> SessionStore {
        SessionStore::new(self.clone())
    }

    /// `GET /ok`: whether the server answers.
    pub async fn ok(&self) -> Result<bool> {
        let reply = self.get_route::<route::HealthCheck>(None).await?;
        Ok(reply.ok)
    }

    /// Call this once at start-up, before the first render: it reads the stored token and
    /// resolves the session, so a signed-in user never sees a signed-out flash. A token
    /// the server no longer accepts is removed from the store.
    pub async fn restore(&self) -> Result<Option<SessionData>> {
        if let Err(error) = self.ensure_token_loaded() {
            self.inner.state.set(SessionState {
                data: None,
                is_pending: false,
                is_refetching: false,
                error: Some(error.clone()),
            });
            return Err(error);
        }
        let has_credentials = self.token()?.is_some() || self.inner.mode == CredentialMode::Cookie;
        if !has_credentials {
            self.session_store_set_signed_out(None);
            return Ok(None);
        }
        self.refresh_session(false).await
    }

    pub(crate) fn session_store_set_signed_out(&self, event: Option<SessionEvent>) {
        crate::session_store::apply_signed_out(self, event);
        self.clear_plugin_stores();
    }

    /// Refetches the session (see [`SessionStore::refetch`]); with `join`, a fetch already
    /// under way is shared instead of starting another.
    ///
    /// Boxed, like [`AuthClient::send_raw`]: the calls that end with it hold a pointer,
    /// not a copy of its state machine.
    pub(crate) fn refresh_session(&self, join: bool) -> BoxFuture<'_, Result<Option<SessionData>>> {
        Box::pin(async move {
            let result = crate::session_store::fetch(self, join).await;
            if !join {
                // A call that changed the session: the stores someone watches follow
                // (better-auth's session paths toggle `$activeOrgSignal`, for one).
                self.refresh_stores_after_session_change().await;
            }
            result
        })
    }
}

/// Implements `IntoFuture` for a request builder with an `async fn send(self)`.
macro_rules! into_future {
    ($builder:ident, $output:ty) => {
        impl<'a> std::future::IntoFuture for $builder<'a> {
            type Output = $crate::error::Result<$output>;
            type IntoFuture = $crate::transport::BoxFuture<'a, Self::Output>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn the_client_can_be_shared_across_threads() {
        assert_send_sync::<AuthClient>();
        assert_send_sync::<crate::SessionStore>();
        let client = AuthClient::builder("http://localhost:3000".parse().expect("url"))
            .build()
            .expect("builds");
        let clone = client.clone();
        assert!(Arc::ptr_eq(&client.inner, &clone.inner), "clones share one state");
        assert_eq!(client.endpoint().as_str(), "http://localhost:3000/api/auth");
        let custom = AuthClient::builder("https://example.com/auth".parse().expect("url"))
            .build()
            .expect("builds");
        assert_eq!(custom.endpoint().as_str(), "https://example.com/auth");
        let base_path = AuthClient::builder("https://example.com".parse().expect("url"))
            .base_path("/v1/auth/")
            .build()
            .expect("builds");
        assert_eq!(base_path.endpoint().as_str(), "https://example.com/v1/auth");
        let text = AuthClient::at("https://example.com/auth/").build().expect("builds");
        assert_eq!(text.endpoint_str(), "https://example.com/auth");
        assert_eq!(text.endpoint().as_str(), "https://example.com/auth");
        for bad in ["example.com", "ftp://example.com", "https://exa mple.com"] {
            let error = AuthClient::at(bad).build().expect_err(bad);
            assert!(matches!(error, Error::InvalidRequest { .. }), "{bad}: {error:?}");
        }
    }
}
