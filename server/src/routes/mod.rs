//! The endpoints, one module per endpoint group, at better-auth's paths and methods.

mod account;
pub(crate) mod email_verification;
mod health;
mod password;
mod session;
mod sign_in;
mod sign_out;
mod sign_up;
mod social;
mod user;

pub(crate) use email_verification::redirect;
pub(crate) use sign_in::{finish_password_sign_in, sign_in};
pub(crate) use sign_up::{check_new_password, check_password_not_too_long, sign_up};
pub(crate) use social::start_social_sign_in;
pub(crate) use user::remove_user_data;

use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::MethodRouter;
use axum::{Json, Router};

use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;

use crate::auth::Auth;
use crate::endpoint_hooks;
use crate::error::{ApiError, ApiResult};
use crate::request::{BodyRules, Panicked, finalize, not_found, rate_limit, read_post};
use keyward_client::wire::routes::{self as route, BodyEncoding, HttpMethod, Route};

/// What a handler of route `R` answers: `R`'s response type as JSON (so a change of it in
/// the wire module breaks the handler's build). A plugin declares its own routes by
/// implementing [`Route`] in a module both its halves compile against, registers them
/// with [`Endpoints::route`] and answers `Answer<MyRoute>`; its client calls them with
/// `AuthClient::send::<MyRoute>`.
pub type Answer<R> = ApiResult<Json<<R as Route>::Response>>;

/// What the logic of route `R` produces before it is answered (for handlers that answer
/// with more than the JSON, a redirect or headers).
pub(crate) type Outcome<R> = ApiResult<<R as Route>::Response>;

/// The body pipeline's rules for a route's body encoding.
fn body_rules(body: BodyEncoding) -> BodyRules {
    match body {
        BodyEncoding::Json => BodyRules::JSON,
        BodyEncoding::JsonOrForm => BodyRules::FORM,
        BodyEncoding::ProviderForm => BodyRules::PROVIDER_FORM,
        BodyEncoding::OAuthForm => BodyRules::OAUTH_FORM,
    }
}

/// Whether two paths are the same, at compile time.
const fn same_path(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// An endpoint the server answers: its method and its path relative to the base path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    /// `GET` or `POST`.
    pub method: Method,
    /// The path as routed, parameters in braces (`/reset-password/{token}`).
    pub path: &'static str,
}

/// The endpoints being registered, and the list of them: what a [`crate::plugin::Plugin`]
/// adds its routes to, either as a declared [`Route`] ([`Endpoints::route`]) or by path.
/// A `POST` endpoint can only be added with [`Endpoints::route`], [`Endpoints::post`] or
/// [`Endpoints::post_form`], which put it behind the body pipeline: its body is read
/// and parsed and its `Origin` and redirect fields checked before the handler runs,
/// whether or not the handler reads the body. The endpoint hooks selecting a route run
/// inside those checks, around the handler.
///
/// Handlers are axum handlers with [`Auth`] as state: [`crate::Session`],
/// [`crate::OptionalSession`], [`crate::plugin::JsonBody`], `State<Auth>`, `Query`,
/// `Path` and `HeaderMap` extract from the request; an [`ApiError`] answers
/// `{message, code}`.
pub struct Endpoints {
    auth: Auth,
    router: Router<Auth>,
    list: Vec<RouteInfo>,
    conflicts: Vec<String>,
}

impl Endpoints {
    fn new(auth: Auth) -> Self {
        Self {
            auth,
            router: Router::new(),
            list: Vec::new(),
            conflicts: Vec::new(),
        }
    }

    /// Records the route; a method and path already taken is a conflict reported at
    /// start-up (axum would panic on it).
    fn claim(&mut self, method: Method, path: &'static str) -> bool {
        if self
            .list
            .iter()
            .any(|route| route.method == method && route.path == path)
        {
            self.conflicts.push(format!("{method} {path} is registered twice"));
            return false;
        }
        self.list.push(RouteInfo { method, path });
        true
    }

    fn add(mut self, method: Method, path: &'static str, route: MethodRouter<Auth>) -> Self {
        if self.claim(method, path) {
            self.router = self.router.route(path, route);
        }
        self
    }

    /// A `GET` endpoint (without `HEAD`: better-auth routes none).
    pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, Auth>,
        T: 'static,
    {
        let route = self.get_route(path, handler);
        self.add(Method::GET, path, route)
    }

    /// A `POST` endpoint taking a JSON body (or none).
    pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, Auth>,
        T: 'static,
    {
        let route = self.post_route(path, handler, BodyRules::JSON);
        self.add(Method::POST, path, route)
    }

    /// A `POST` endpoint that also takes an HTML form (sign-in and sign-up), with
    /// better-auth's form CSRF rules (Fetch Metadata) on top of the origin check.
    pub fn post_form<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, Auth>,
        T: 'static,
    {
        let route = self.post_route(path, handler, BodyRules::FORM);
        self.add(Method::POST, path, route)
    }

    /// The endpoint of a declared route, named by its marker
    /// ([`keyward_client::wire::routes`]): `R::PATH` with `R::METHOD`, a `POST` behind the
    /// body pipeline with the rules of `R::BODY` (as [`Endpoints::post`] for JSON,
    /// [`Endpoints::post_form`] for forms).
    pub fn route<R, H, T>(self, _route: R, handler: H) -> Self
    where
        R: Route,
        H: Handler<T, Auth>,
        T: 'static,
    {
        match R::METHOD {
            HttpMethod::Get => self.get(R::PATH, handler),
            HttpMethod::Post => {
                let route = self.post_route(R::PATH, handler, body_rules(R::BODY));
                self.add(Method::POST, R::PATH, route)
            }
        }
    }

    /// `GET` and `POST` on one path, two declared routes: `/get-session` (a JSON `POST`),
    /// and `/callback/{id}`, whose `POST` is a provider's cross-site `form_post` (a form,
    /// origin-checked but without the form CSRF rules, [`BodyRules::PROVIDER_FORM`]).
    fn get_and_post<G, P, GH, TG, PH, TP>(mut self, _get: G, _post: P, get_handler: GH, post_handler: PH) -> Self
    where
        G: Route,
        P: Route,
        GH: Handler<TG, Auth>,
        TG: 'static,
        PH: Handler<TP, Auth>,
        TP: 'static,
    {
        const {
            assert!(
                matches!(G::METHOD, HttpMethod::Get)
                    && matches!(P::METHOD, HttpMethod::Post)
                    && same_path(G::PATH, P::PATH),
                "get_and_post takes a GET and a POST route of one path"
            );
        }
        let path = G::PATH;
        let route = self
            .post_route(path, post_handler, body_rules(P::BODY))
            .merge(self.get_route(path, get_handler));
        if self.claim(Method::GET, path) {
            self = self.add(Method::POST, path, route);
        }
        self
    }

    fn get_route<H, T>(&self, path: &'static str, handler: H) -> MethodRouter<Auth>
    where
        H: Handler<T, Auth>,
        T: 'static,
    {
        let route = axum::routing::get(handler);
        let route = match endpoint_hooks::for_route(&self.auth, &Method::GET, path) {
            Some(hooks) => route.layer(from_fn_with_state(hooks, endpoint_hooks::run)),
            None => route,
        };
        // better-auth routes no `HEAD`, so neither does Keyward (axum would).
        route.head(not_found)
    }

    fn post_route<H, T>(&self, path: &'static str, handler: H, rules: BodyRules) -> MethodRouter<Auth>
    where
        H: Handler<T, Auth>,
        T: 'static,
    {
        let route = axum::routing::post(handler);
        let route = match endpoint_hooks::for_route(&self.auth, &Method::POST, path) {
            Some(hooks) => route.layer(from_fn_with_state(hooks, endpoint_hooks::run)),
            None => route,
        };
        route.layer(from_fn_with_state((self.auth.clone(), rules), read_post))
    }
}

/// Every endpoint, relative to the base path, and the list of them.
fn build(auth: &Auth) -> Endpoints {
    let mut routes = Endpoints::new(auth.clone())
        .route(route::HealthCheck, health::ok)
        .route(route::ErrorPage, health::error_page)
        .route(route::SignUpEmail, sign_up::email)
        .route(route::SignInEmail, sign_in::email)
        .route(route::SignOut, sign_out::sign_out)
        .get_and_post(
            route::GetSession,
            route::RefreshSession,
            session::get_session,
            session::refresh_session,
        )
        .route(route::ListSessions, session::list)
        .route(route::RevokeSession, session::revoke)
        .route(route::RevokeSessions, session::revoke_all)
        .route(route::RevokeOtherSessions, session::revoke_others)
        .route(route::UpdateSession, session::update)
        .route(route::UpdateUser, user::update)
        .route(route::ChangeEmail, user::change_email)
        .route(route::DeleteUser, user::delete)
        .route(route::DeleteUserCallback, user::delete_callback)
        .route(route::ChangePassword, password::change)
        .route(route::VerifyPassword, password::verify)
        .route(route::RequestPasswordReset, password::request_reset)
        .route(route::ResetPassword, password::reset)
        .route(route::ResetPasswordCallback, password::reset_callback)
        .route(route::SendVerificationEmail, email_verification::send)
        .route(route::VerifyEmail, email_verification::verify)
        .route(route::ListAccounts, account::list)
        .route(route::UnlinkAccount, account::unlink)
        .route(route::AccountInfo, account::info)
        .route(route::SignInSocial, social::sign_in)
        .get_and_post(
            route::SocialCallback,
            route::SocialCallbackForm,
            social::callback,
            social::callback_post,
        )
        .route(route::LinkSocial, social::link)
        .route(route::GetAccessToken, account::access_token)
        .route(route::RefreshToken, account::refresh_token);
    for plugin in auth.0.plugins.iter() {
        routes = plugin.endpoints(routes);
    }
    routes
}

/// The router of every endpoint, relative to the base path.
pub(crate) fn router(auth: Auth) -> Router {
    let routes = build(&auth);
    with_response_layers(routes.router, auth)
}

/// The endpoints `auth` answers (its plugins' included), in the order they were added.
pub(crate) fn list(auth: &Auth) -> Vec<RouteInfo> {
    build(auth).list
}

/// The routes registered twice (by two plugins, or a plugin and the core).
pub(crate) fn conflicts(auth: &Auth) -> Vec<String> {
    build(auth).conflicts
}

/// What every endpoint shares: the `404` fallbacks, the rate limiter (when on), the
/// catch-panic layer and [`finalize`] (CORS, queued cookies and headers, `set-auth-token`).
fn with_response_layers(mut router: Router<Auth>, auth: Auth) -> Router {
    router = router.fallback(not_found).method_not_allowed_fallback(not_found);
    // Off, the limiter would only pass every request on: it is left out of the stack.
    if auth.0.config.rate_limit.enabled {
        router = router.route_layer(from_fn_with_state(auth.clone(), rate_limit));
    }
    router
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(auth.clone(), finalize))
        .with_state(auth)
}

/// A bug must not take the connection down: log it and answer `500` as better-auth does.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let mut response = ApiError::internal("request handler panicked", "see the panic message above").into_response();
    response.extensions_mut().insert(Panicked);
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::{Extension, routing};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::config::Config;
    use crate::cookies::SetCookie;
    use crate::request::Outgoing;

    const APP: &str = "https://app.example.com";

    async fn auth() -> Auth {
        let config = Config::builder()
            .secret("a-test-secret-that-is-long-enough-0123456789")
            .database_url("sqlite::memory:")
            .trusted_origins([APP])
            .rate_limit_enabled(false)
            .build()
            .expect("config");
        Auth::new(config).await.expect("starts")
    }

    /// Queues a cookie and a header, then panics when asked to.
    async fn queue_then(Extension(outgoing): Extension<Outgoing>, panic: bool) -> &'static str {
        outgoing.set_cookie(SetCookie::expired("queued", false));
        outgoing.header(
            header::HeaderName::from_static("x-queued"),
            header::HeaderValue::from_static("1"),
        );
        assert!(!panic, "the handler panicked on purpose");
        "done"
    }

    async fn send(app: Router, path: &str) -> axum::response::Response {
        let request = Request::get(path)
            .header(header::ORIGIN, APP)
            .body(Body::empty())
            .expect("request");
        app.oneshot(request).await.expect("infallible")
    }

    /// A server with every plugin answers exactly the routes the wire module declares.
    #[tokio::test]
    async fn every_declared_route_is_registered_and_nothing_else() {
        use crate::config::{
            AdminConfig, DeviceAuthorizationConfig, DynamicAccessControlConfig, ElectronConfig, LastLoginMethodConfig,
            OneTimeTokenConfig, OrganizationConfig, PasskeyConfig, TwoFactorConfig,
        };
        let mut organization = OrganizationConfig::default();
        organization.teams.enabled = true;
        organization.dynamic_access_control = Some(DynamicAccessControlConfig::default());
        let config = Config::builder()
            .secret("a-test-secret-that-is-long-enough-0123456789")
            .database_url("sqlite::memory:")
            .two_factor(TwoFactorConfig::default())
            .organization(organization)
            .passkey(PasskeyConfig::default())
            .admin(AdminConfig::default())
            .one_time_token(OneTimeTokenConfig::default())
            .electron(ElectronConfig::default())
            .device_authorization(DeviceAuthorizationConfig::default())
            .last_login_method(LastLoginMethodConfig::default().store_in_database(true))
            .magic_link(crate::config::MagicLinkConfig::default())
            .email_otp(crate::config::EmailOtpConfig::default())
            .username(crate::config::UsernameConfig::default())
            .phone_number(crate::config::PhoneNumberConfig::default())
            .anonymous(crate::config::AnonymousConfig::default())
            .multi_session(crate::config::MultiSessionConfig::default())
            .jwt(crate::config::JwtConfig::default())
            .api_key(crate::config::ApiKeyConfig::default().enable_session_for_api_keys())
            .open_api(crate::config::OpenApiConfig::default())
            .build()
            .expect("config");
        let auth = Auth::new(config).await.expect("starts");
        assert!(conflicts(&auth).is_empty(), "{:?}", conflicts(&auth));
        let registered: Vec<(String, &str)> = list(&auth)
            .into_iter()
            .map(|route| (route.method.to_string(), route.path))
            .collect();
        let mut declared: Vec<(String, &str)> = route::GROUPS
            .iter()
            .flat_map(|group| group.iter())
            .map(|route| (route.method.as_str().to_owned(), route.path))
            .collect();
        let mut sorted = registered.clone();
        sorted.sort();
        declared.sort();
        assert_eq!(sorted, declared);
        // The core's routes come first, in the order better-auth lists them.
        assert_eq!(registered[0], ("GET".to_owned(), "/ok"));
        assert_eq!(registered[5], ("GET".to_owned(), "/get-session"));
        assert_eq!(registered[6], ("POST".to_owned(), "/get-session"));
    }

    #[tokio::test]
    async fn a_panic_is_a_500_without_the_cookies_queued_before_it() {
        let auth = auth().await;
        let endpoints = Router::new()
            .route("/queue", routing::get(|outgoing| queue_then(outgoing, false)))
            .route("/panic", routing::get(|outgoing| queue_then(outgoing, true)));
        let app = with_response_layers(endpoints, auth);

        let queued = send(app.clone(), "/queue").await;
        assert_eq!(queued.status(), StatusCode::OK);
        assert!(queued.headers().contains_key(header::SET_COOKIE));
        assert_eq!(queued.headers()["x-queued"], "1");

        let panicked = send(app, "/panic").await;
        assert_eq!(panicked.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!panicked.headers().contains_key(header::SET_COOKIE));
        assert!(!panicked.headers().contains_key("x-queued"));
        assert_eq!(panicked.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], APP);
        // better-auth answers an internal error with a bare 500.
        let body = panicked.into_body().collect().await.expect("body").to_bytes();
        assert!(body.is_empty(), "{body:?}");
    }
}
