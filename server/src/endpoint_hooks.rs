//! Endpoint hooks (better-auth's `hooks.before` / `hooks.after`): the application's code
//! around the endpoints it selects by method and route, whatever flow reaches them.
//!
//! `before` runs after the request was checked (rate limit, body parsing, origin and
//! CSRF) and before the endpoint: it may change the body, answer in the endpoint's place
//! or refuse with an [`ApiError`]. `after` runs on the endpoint's answer, errors
//! included: it may change the status, the headers and the JSON body, or replace the
//! answer with an error. Cookies queued by the endpoint are added after the hooks, with
//! those the hooks set ([`EndpointResponse::set_cookie`], [`EndpointResponse::set_signed_cookie`]):
//! a hook's cookie replaces the endpoint's of the same name.
//!
//! The hooks are attached to the matching routes when the router is built: an endpoint
//! no hook selects runs exactly as without hooks.
//!
//! ```no_run
//! use keyward_server::hooks::{EndpointHook, EndpointMatcher, EndpointRequest, EndpointResponse};
//! use keyward_server::{Auth, Config};
//!
//! /// Logs every sign-in, whichever method.
//! struct AuditSignIns;
//!
//! #[async_trait::async_trait]
//! impl EndpointHook for AuditSignIns {
//!     async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> keyward_server::ApiResult<()> {
//!         println!("{} {} -> {}", request.method(), request.path(), response.status());
//!         Ok(())
//!     }
//! }
//!
//! # async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::builder(config)
//!     .endpoint_hook(EndpointMatcher::post("/sign-in/*"), AuditSignIns)
//!     .build()
//!     .await?;
//! # let _ = auth; Ok(()) }
//! ```

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::cookies::RequestCookies;
use crate::error::{ApiError, ApiResult};
use crate::request::{Outgoing, ParsedBody, ProvidedSession, raw_query};
use keyward_client::wire::SessionData;

/// Which endpoints a hook runs for: a method (or any) and a route as registered, relative
/// to the base path (`/sign-up/email`, `/reset-password/{token}`), or a prefix ending in
/// `*` (`/sign-in/*`, `/organization/*`).
#[derive(Clone, Debug)]
pub struct EndpointMatcher {
    method: Option<Method>,
    pattern: String,
}

impl EndpointMatcher {
    /// Every method on `pattern`.
    pub fn any(pattern: impl Into<String>) -> Self {
        Self {
            method: None,
            pattern: pattern.into(),
        }
    }

    /// `POST` on `pattern`.
    pub fn post(pattern: impl Into<String>) -> Self {
        Self {
            method: Some(Method::POST),
            pattern: pattern.into(),
        }
    }

    /// `GET` on `pattern`.
    pub fn get(pattern: impl Into<String>) -> Self {
        Self {
            method: Some(Method::GET),
            pattern: pattern.into(),
        }
    }

    /// Whether the route `path` answering `method` is selected.
    pub fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method.as_ref().is_some_and(|own| own != method) {
            return false;
        }
        match self.pattern.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.pattern == path,
        }
    }
}

/// Code around endpoints. Both methods do nothing unless implemented.
#[async_trait::async_trait]
pub trait EndpointHook: Send + Sync + 'static {
    /// Before the endpoint: `Ok(Some(response))` answers in its place, `Err` refuses.
    async fn before(&self, request: &mut EndpointRequest) -> ApiResult<Option<Response>> {
        let _ = request;
        Ok(None)
    }

    /// After the endpoint (on success and error answers alike).
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let _ = (request, response);
        Ok(())
    }

    /// Whether [`EndpointHook::after`] does anything. A hook that only acts before the
    /// endpoint says `false`, and routes whose hooks all say so answer without the
    /// response being read and parsed for them (measured: a hook on every route would
    /// otherwise read every answer's body).
    fn runs_after(&self) -> bool {
        true
    }
}

/// The request as a hook sees it.
pub struct EndpointRequest {
    auth: Auth,
    method: Method,
    path: &'static str,
    headers: HeaderMap,
    query: Map<String, Value>,
    params: Vec<(String, String)>,
    body: Option<Value>,
    session: Option<Option<SessionData>>,
    provided_session: Option<SessionData>,
    outgoing: Outgoing,
}

impl EndpointRequest {
    /// The server (its configuration, database and [`Auth::api`]).
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// `GET` or `POST`.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The route as registered, relative to the base path (`/sign-in/email`).
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A parameter of the path, decoded: `id` of `/callback/{id}` (better-auth's
    /// `ctx.params`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The query parameters (a repeated one as a list).
    pub fn query(&self) -> &Map<String, Value> {
        &self.query
    }

    /// The parsed JSON or form body of a `POST` (`None` when empty).
    pub fn body(&self) -> Option<&Value> {
        self.body.as_ref()
    }

    /// The body to change: what a `before` hook leaves here is what the endpoint
    /// validates and reads.
    pub fn body_mut(&mut self) -> &mut Option<Value> {
        &mut self.body
    }

    /// A string field of the body (`email`, say).
    pub fn body_str(&self, field: &str) -> Option<&str> {
        self.body.as_ref()?.get(field)?.as_str()
    }

    /// A cookie of the request, decoded (`None` when not sent).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().get(name).map(str::to_owned)
    }

    /// The value of a signed cookie of the request (better-auth's `value.signature`
    /// format, signed with the server's secret); `None` when not sent or not signed by
    /// this server.
    pub fn signed_cookie(&self, name: &str) -> Option<String> {
        self.cookies()
            .signed(name, &self.auth.0.config.secret)
            .value()
            .map(str::to_owned)
    }

    /// The names of the request's cookies, in the order they came.
    pub fn cookie_names(&self) -> Vec<String> {
        self.cookies().names().map(str::to_owned).collect()
    }

    fn cookies(&self) -> RequestCookies {
        RequestCookies::parse(
            self.headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|value| value.to_str().ok()),
        )
    }

    /// Adds a server-trusted value to the OAuth state of the flow this request starts
    /// (better-auth's `addOAuthServerContext`, from a `before` hook on
    /// `/sign-in/social`); the callback's hooks read it back with
    /// [`EndpointRequest::oauth_server_context`]. Unlike the body's `additionalData`,
    /// a client cannot set it.
    pub fn add_oauth_server_context(&self, key: &str, value: Value) {
        let mut values = Map::new();
        values.insert(key.to_owned(), value);
        self.outgoing.add_oauth_server_context(values);
    }

    /// The OAuth state's `serverContext` (better-auth's
    /// `getOAuthState().serverContext`): in an `after` hook of a callback, what the
    /// flow's state held; while a flow starts, what hooks added so far.
    pub fn oauth_server_context(&self) -> Map<String, Value> {
        self.outgoing.oauth_server_context()
    }

    /// Makes `session` the request's session (better-auth's `ctx.context.session = …`):
    /// the endpoint, and the hooks after this one, see it instead of looking the cookie or
    /// bearer token up. It is not stored and sets no cookie; the api-key plugin gives a
    /// request carrying a key the session of the key's owner this way.
    pub fn set_session(&mut self, session: SessionData) {
        self.session = Some(Some(session.clone()));
        self.provided_session = Some(session);
    }

    /// The session the request carries (cookie or bearer token), read once per request.
    /// In an `after` hook this is still the request's: a sign-in's new session is in the
    /// response.
    pub async fn session(&mut self) -> ApiResult<Option<SessionData>> {
        if let Some(session) = &self.session {
            return Ok(session.clone());
        }
        let session = self.auth.api().get_session(&self.headers).await?;
        self.session = Some(session.clone());
        Ok(session)
    }
}

/// The endpoint's answer as an `after` hook sees it.
pub struct EndpointResponse {
    auth: Auth,
    outgoing: Outgoing,
    status: StatusCode,
    headers: HeaderMap,
    json: Option<Value>,
    raw: axum::body::Bytes,
}

impl EndpointResponse {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Changes the status.
    pub fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    /// The headers (`set-cookie` included).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body when it is JSON (`{message, code}` for an error).
    pub fn json(&self) -> Option<&Value> {
        self.json.as_ref()
    }

    /// The JSON body to change (`None` when the body is not JSON: a redirect, a page).
    pub fn json_mut(&mut self) -> Option<&mut Value> {
        self.json.as_mut()
    }

    /// Replaces the body with `value`, as JSON.
    pub fn set_json(&mut self, value: Value) {
        self.headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.json = Some(value);
    }

    /// The session the endpoint started (better-auth's `ctx.context.newSession`): a sign-in
    /// or sign-up of any method, a social callback, a verification that signs in; `None`
    /// when the answer sets no session cookie (an error, a two-factor challenge).
    pub async fn new_session(&self) -> ApiResult<Option<SessionData>> {
        let name = &self.auth.0.cookies.session_token;
        let Some(value) = self.outgoing.live_cookie(name) else {
            return Ok(None);
        };
        let mut headers = HeaderMap::new();
        let Ok(cookie) = HeaderValue::from_str(&format!("{name}={value}")) else {
            return Ok(None);
        };
        headers.insert(header::COOKIE, cookie);
        self.auth.api().get_session(&headers).await
    }

    /// Whether the answer sets or deletes a cookie whose name contains `part` (better-auth's
    /// `responseHeaders.getSetCookie().some(c => c.includes(part))`, with the session
    /// cookie's name: the answer signs in or out).
    pub fn sets_cookie_containing(&self, part: &str) -> bool {
        self.outgoing.has_cookie_containing(part)
            || self
                .headers
                .get_all(header::SET_COOKIE)
                .iter()
                .any(|value| value.to_str().is_ok_and(|value| value.contains(part)))
    }

    /// The full name of one of this server's cookies, as better-auth names its own
    /// (`createAuthCookie`): `__Secure-` over https, then the cookie prefix and `key`
    /// (`better-auth.last_method`).
    pub fn cookie_name(&self, key: &str) -> String {
        self.auth.0.cookies.other(&self.auth.0.config, key)
    }

    /// Sets a cookie with the attributes of the server's own (`HttpOnly`, `SameSite=Lax`,
    /// `Path=/`, `Secure` over https); `max_age` `None` makes a browser-session cookie.
    pub fn set_cookie(&mut self, name: &str, value: &str, max_age: Option<std::time::Duration>) {
        self.outgoing.set_plain_cookie(&self.auth, name, value, max_age);
    }

    /// Sets a cookie the page's scripts can read: the attributes of
    /// [`EndpointResponse::set_cookie`] without `HttpOnly` (better-auth's
    /// `ctx.setCookie(name, value, { httpOnly: false })`).
    pub fn set_readable_cookie(&mut self, name: &str, value: &str, max_age: Option<std::time::Duration>) {
        self.outgoing.set_readable_cookie(&self.auth, name, value, max_age);
    }

    /// Sets a cookie signed with the server's secret, in better-auth's format (readable
    /// by [`EndpointRequest::signed_cookie`] and by better-auth's `getSignedCookie`).
    pub fn set_signed_cookie(&mut self, name: &str, value: &str, max_age: Option<std::time::Duration>) {
        self.outgoing.set_signed_cookie(&self.auth, name, value, max_age);
    }

    /// Deletes a cookie (and its chunks), whatever the endpoint set for it.
    pub fn expire_cookie(&mut self, name: &str) {
        self.outgoing.expire_cookie(name, self.auth.0.cookies.secure);
    }

    fn into_response(self) -> Response {
        let body = match &self.json {
            Some(value) => Body::from(value.to_string()),
            None => Body::from(self.raw),
        };
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response.headers_mut().remove(header::CONTENT_LENGTH);
        response
    }
}

/// The hooks of one route, in registration order.
#[derive(Clone)]
pub(crate) struct RouteHooks {
    pub auth: Auth,
    pub method: Method,
    pub path: &'static str,
    pub hooks: Arc<[Arc<dyn EndpointHook>]>,
}

/// The hooks selecting `method path`, when there are any.
pub(crate) fn for_route(auth: &Auth, method: &Method, path: &'static str) -> Option<RouteHooks> {
    let hooks: Vec<_> = auth
        .0
        .hooks
        .endpoint
        .iter()
        .filter(|(matcher, _)| matcher.matches(method, path))
        .map(|(_, hook)| hook.clone())
        .collect();
    (!hooks.is_empty()).then(|| RouteHooks {
        auth: auth.clone(),
        method: method.clone(),
        path,
        hooks: hooks.into(),
    })
}

/// Layer on a hooked route, inside the body checks: the `before` hooks, the endpoint,
/// then the `after` hooks.
pub(crate) async fn run(State(route): State<RouteHooks>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let parsed = parts.extensions.remove::<ParsedBody>();
    // Every registered route is inside `finalize`, which puts the queue there.
    let outgoing = parts.extensions.get::<Outgoing>().cloned().unwrap_or_default();
    let mut hooked = EndpointRequest {
        auth: route.auth.clone(),
        method: route.method.clone(),
        path: route.path,
        headers: parts.headers.clone(),
        query: raw_query(parts.uri.query()),
        params: path_params(&mut parts).await,
        body: parsed.as_ref().and_then(|parsed| parsed.0.clone()),
        session: None,
        provided_session: None,
        outgoing: outgoing.clone(),
    };
    for hook in route.hooks.iter() {
        match hook.before(&mut hooked).await {
            Ok(None) => {}
            Ok(Some(response)) => return response,
            Err(error) => return error.into_response(),
        }
    }
    if parsed.is_some() {
        parts.extensions.insert(ParsedBody(hooked.body.clone()));
    }
    if let Some(session) = hooked.provided_session.take() {
        parts.extensions.insert(ProvidedSession(session));
    }
    if !route.hooks.iter().any(|hook| hook.runs_after()) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let response = next.run(Request::from_parts(parts, body)).await;
    let (parts, body) = response.into_parts();
    let raw = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return ApiError::internal("the endpoint's body could not be read", route.path).into_response(),
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let json = if is_json {
        serde_json::from_slice(&raw).ok()
    } else {
        None
    };
    let mut answer = EndpointResponse {
        auth: route.auth.clone(),
        outgoing,
        status: parts.status,
        headers: parts.headers,
        json,
        raw,
    };
    for hook in route.hooks.iter() {
        if let Err(error) = hook.after(&mut hooked, &mut answer).await {
            return error.into_response();
        }
    }
    let mut response = answer.into_response();
    *response.extensions_mut() = parts.extensions;
    response
}

/// The route's path parameters, decoded (none when the route has none).
async fn path_params(parts: &mut axum::http::request::Parts) -> Vec<(String, String)> {
    use axum::extract::{FromRequestParts, RawPathParams};
    match RawPathParams::from_request_parts(parts, &()).await {
        Ok(params) => params
            .iter()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect(),
        Err(_) => Vec::new(),
    }
}
