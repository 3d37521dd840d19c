//! The request pipeline shared by every endpoint.
//!
//! better-auth checks a request in this order, and so does Keyward:
//! rate limit → content type (415) → JSON parsing (400) → origin / CSRF and redirect
//! fields (403) → schema (400 `VALIDATION_ERROR`) → session (401/403) → handler.
//! The rate limit and the response side (cookies, `set-auth-token`, CORS) are layers on
//! every route; every `POST` endpoint is behind [`read_post`] (body, content type, JSON,
//! origin / CSRF and redirect fields); the schema checks happen in the [`Body`] and
//! [`QueryOf`] extractors (`GET` redirect fields in [`QueryOf`]), the session in [`Ctx`].

mod body;

pub use body::JsonBody;
pub(crate) use body::{Body, BodyRules, ParsedBody, QueryOf, RepeatedFormFields, raw_query, read_post};

use crate::log_safe::Escaped;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::config::TrustedProxy;
use crate::cookies::{RequestCookies, SetCookie, sign_cookie_value};
use crate::error::ApiError;
use crate::rate_limit::{ip_key, rule_for};
use std::borrow::Cow;

use keyward_client::wire::SessionData;
use keyward_client::wire::schema::{FieldSpec, RequestSchema};

/// Endpoint metadata attached to a request body type.
pub(crate) trait Endpoint: RequestSchema + DeserializeOwned + Send {
    /// The fields checked for this server (the schema's, unless the configuration changes
    /// what is required).
    fn fields(_auth: &Auth) -> Cow<'static, [FieldSpec]> {
        Cow::Borrowed(Self::FIELDS)
    }

    /// Rules across fields (zod's unions and intersections), checked after the fields;
    /// the error is the validation message.
    fn check(_body: &Map<String, Value>) -> Result<(), String> {
        Ok(())
    }
}

/// Metadata of a query type.
pub(crate) trait QueryEndpoint: RequestSchema + DeserializeOwned + Send {
    /// The query field holding a redirect URL that must be trusted (`originCheck`).
    const CALLBACK_FIELD: Option<&'static str> = None;
}

/// Cookies and headers an endpoint adds to its response, applied by [`finalize`] to
/// success and error responses alike.
#[derive(Clone, Default)]
pub(crate) struct Outgoing(Arc<Mutex<OutgoingState>>);

#[derive(Default)]
struct OutgoingState {
    cookies: Vec<SetCookie>,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// The OAuth state's `serverContext`: what hooks add before a flow starts, and what
    /// the flow's state held once a callback has taken it.
    oauth_server_context: Map<String, Value>,
}

impl Outgoing {
    fn with<T>(&self, f: impl FnOnce(&mut OutgoingState) -> T) -> T {
        let mut state = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut state)
    }

    /// Sets a cookie, replacing an earlier `Set-Cookie` of the same name in this response.
    pub fn set_cookie(&self, cookie: SetCookie) {
        self.with(|state| {
            state.cookies.retain(|c| c.name != cookie.name);
            state.cookies.push(cookie);
        });
    }

    /// Expires a cookie and its chunks (`name.0`, …), dropping earlier values for it, so a
    /// response never carries both a valid and an expired copy.
    pub fn expire_cookie(&self, name: &str, secure: bool) {
        let chunk_prefix = format!("{name}.");
        self.with(|state| {
            state
                .cookies
                .retain(|c| c.name != name && !c.name.starts_with(&chunk_prefix));
            state.cookies.push(SetCookie::expired(name, secure));
        });
    }

    /// Adds server-trusted values to the OAuth state a flow started by this request
    /// stores (better-auth's `addOAuthServerContext`); later values of a key win.
    pub fn add_oauth_server_context(&self, values: Map<String, Value>) {
        self.with(|state| state.oauth_server_context.extend(values));
    }

    /// The OAuth `serverContext` of this request: what was added for a flow it starts,
    /// or what the state a callback took held.
    pub fn oauth_server_context(&self) -> Map<String, Value> {
        self.with(|state| state.oauth_server_context.clone())
    }

    /// Replaces the OAuth `serverContext` with a taken state's.
    pub(crate) fn set_oauth_server_context(&self, values: Map<String, Value>) {
        self.with(|state| state.oauth_server_context = values);
    }

    /// Adds a response header.
    pub fn header(&self, name: HeaderName, value: HeaderValue) {
        self.with(|state| state.headers.push((name, value)));
    }

    /// Queues a cookie signed with the server's secret, `Secure` as the server's cookies
    /// are; `max_age` `None` makes a browser-session cookie.
    pub(crate) fn set_signed_cookie(&self, auth: &Auth, name: &str, value: &str, max_age: Option<Duration>) {
        let secure = auth.0.cookies.secure;
        self.set_cookie(SetCookie::signed(
            name,
            value,
            &auth.0.config.secret,
            seconds(max_age),
            secure,
        ));
    }

    /// Queues a plain cookie, `Secure` as the server's cookies are.
    pub(crate) fn set_plain_cookie(&self, auth: &Auth, name: &str, value: &str, max_age: Option<Duration>) {
        self.set_cookie(SetCookie::plain(name, value, seconds(max_age), auth.0.cookies.secure));
    }

    /// Queues a plain cookie without `HttpOnly`, for the page's scripts to read.
    pub(crate) fn set_readable_cookie(&self, auth: &Auth, name: &str, value: &str, max_age: Option<Duration>) {
        self.set_cookie(SetCookie::readable(
            name,
            value,
            seconds(max_age),
            auth.0.cookies.secure,
        ));
    }

    /// Whether a cookie whose name contains `part` is queued so far, set or deleted.
    pub(crate) fn has_cookie_containing(&self, part: &str) -> bool {
        self.with(|state| state.cookies.iter().any(|cookie| cookie.name.contains(part)))
    }

    /// The value (as on the wire) of a live cookie `name` queued so far.
    pub(crate) fn live_cookie(&self, name: &str) -> Option<String> {
        self.with(|state| {
            state
                .cookies
                .iter()
                .rev()
                .find(|cookie| cookie.name == name)
                .filter(|cookie| !cookie.is_deletion())
                .map(|cookie| cookie.value.clone())
        })
    }

    fn take(&self) -> (Vec<SetCookie>, Vec<(HeaderName, HeaderValue)>) {
        self.with(|state| (std::mem::take(&mut state.cookies), std::mem::take(&mut state.headers)))
    }
}

/// A cookie's `Max-Age` in whole seconds (the longest there is for a longer one).
fn seconds(max_age: Option<Duration>) -> Option<i64> {
    max_age.map(|age| i64::try_from(age.as_secs()).unwrap_or(i64::MAX))
}

/// Marks a response made from a panic: no cookie or header the endpoint queued before it
/// panicked goes out with it.
#[derive(Clone, Copy)]
pub(crate) struct Panicked;

/// Layer: CORS for trusted origins (when enabled), then the endpoint, then its cookies and
/// headers, then what better-auth's bearer plugin does after every request: when the
/// response sets a live session cookie, expose its signed value as `set-auth-token`.
///
/// CORS lives here rather than in a layer of its own: one layer less on every request
/// (a separate `tower-http` CORS layer cost ~1.5 µs of the ~10 µs `/ok` took). Any
/// `OPTIONS` request is a preflight and is answered here; every other response gets
/// `Vary: origin` and `Access-Control-Allow-Credentials: true`, and a trusted `Origin` is
/// mirrored in `Access-Control-Allow-Origin`.
pub(crate) async fn finalize(State(auth): State<Auth>, mut request: Request, next: Next) -> Response {
    let cors = auth.0.config.cors;
    let allowed_origin = if cors {
        trusted_origin(&auth, request.headers())
    } else {
        None
    };
    if cors && request.method() == axum::http::Method::OPTIONS {
        return preflight(allowed_origin);
    }
    let outgoing = Outgoing::default();
    request.extensions_mut().insert(outgoing.clone());
    let mut response = next.run(request).await;
    if cors {
        add_cors_headers(response.headers_mut(), allowed_origin);
    }
    if response.extensions().get::<Panicked>().is_some() {
        return response;
    }
    let (cookies, headers) = outgoing.take();
    let response_headers = response.headers_mut();
    for (name, value) in headers {
        response_headers.insert(name, value);
    }
    let mut auth_token = None;
    for cookie in &cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie.header_value()) {
            response_headers.append(header::SET_COOKIE, value);
        }
        if cookie.name == auth.0.cookies.session_token && !cookie.is_deletion() {
            auth_token = Some(
                percent_encoding::percent_decode_str(&cookie.value)
                    .decode_utf8_lossy()
                    .into_owned(),
            );
        }
    }
    if let Some(token) = auth_token
        && let Ok(value) = HeaderValue::from_str(&token)
    {
        response_headers.insert("set-auth-token", value);
        expose_header(response_headers, "set-auth-token");
    }
    response
}

/// The request's `Origin`, when it is a trusted one (what CORS mirrors back).
fn trusted_origin(auth: &Auth, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let trusted = origin.to_str().is_ok_and(|text| auth.0.origins.is_trusted(text, false));
    trusted.then(|| origin.clone())
}

fn add_cors_headers(headers: &mut HeaderMap, allowed_origin: Option<HeaderValue>) {
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    if let Some(origin) = allowed_origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
}

/// The answer to a CORS preflight: the methods and headers Keyward's endpoints take,
/// cacheable for ten minutes.
fn preflight(allowed_origin: Option<HeaderValue>) -> Response {
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    add_cors_headers(headers, allowed_origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET,POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type,authorization"),
    );
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

/// Adds `name` to `Access-Control-Expose-Headers`.
pub(crate) fn expose_header(headers: &mut HeaderMap, name: &str) {
    let mut names: Vec<String> = headers
        .get(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        names.push(name.to_owned());
    }
    if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, value);
    }
}

/// The client IP as the configured headers name it (`x-forwarded-for`, as in
/// better-auth), believed only on a connection from a trusted proxy (loopback by
/// default). Repeated header lines are one list, as `Headers.get` joins them in
/// better-auth: a proxy that appends a line of its own leaves the client's line first.
/// Of the list, the last address that is not itself a trusted proxy (each proxy appends
/// the address it got the request from, so only the right end is vouched for). `None`
/// when no header names the client, the peer is not a trusted proxy, or an entry is not
/// an address.
pub(crate) fn forwarded_ip(auth: &Auth, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
    let advanced = &auth.0.config.advanced;
    let trusted = |ip: IpAddr| advanced.trusted_proxies.iter().any(|proxy| proxy.contains(ip));
    let peer_is_proxy =
        peer.is_some_and(trusted) || (peer.is_none() && advanced.trusted_proxies.contains(&TrustedProxy::Any));
    if !peer_is_proxy {
        return None;
    }
    for name in &advanced.ip_address_headers {
        let mut lines = headers.get_all(name.as_str()).iter().peekable();
        if lines.peek().is_none() {
            continue;
        }
        let mut addresses = Vec::new();
        for line in lines {
            let entries = line.to_str().ok()?.split(',').map(str::trim);
            for entry in entries.filter(|entry| !entry.is_empty()) {
                addresses.push(entry.parse::<IpAddr>().ok()?);
            }
        }
        return addresses
            .iter()
            .rev()
            .find(|ip| !trusted(**ip))
            .or(addresses.first())
            .copied();
    }
    None
}

/// The address a client's rate-limit bucket is keyed by: [`forwarded_ip`], else the TCP
/// peer. (better-auth puts every client without a trusted header into one shared bucket;
/// Keyward gives each peer its own, so one client cannot lock everyone out.)
pub(crate) fn client_ip(auth: &Auth, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
    forwarded_ip(auth, headers, peer).or(peer)
}

/// The `ipAddress` a new session records: [`forwarded_ip`] as better-auth's `getIP`
/// (`""` when no header names the client), or the TCP peer in its place when
/// [`AdvancedConfig::session_ip_from_peer`](crate::config::AdvancedConfig) is on.
fn session_ip(auth: &Auth, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
    let forwarded = forwarded_ip(auth, headers, peer);
    if auth.0.config.advanced.session_ip_from_peer {
        forwarded.or(peer)
    } else {
        forwarded
    }
}

fn peer_ip(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())
}

/// Layer: better-auth's rate limiter (installed only when it is enabled).
pub(crate) async fn rate_limit(State(auth): State<Auth>, request: Request, next: Next) -> Response {
    let config = &auth.0.config.rate_limit;
    let path = request.uri().path().trim_end_matches('/').to_owned();
    let Some(rule) = rule_for(config, &auth.0.plugin_rate_limits, &path) else {
        return next.run(request).await;
    };
    let ip = client_ip(&auth, request.headers(), peer_ip(request.extensions()))
        .map(ip_key)
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    match auth.0.rate_limit_store.consume(&format!("{ip}|{path}"), rule).await {
        Ok(decision) if !decision.allowed => {
            ApiError::rate_limited(decision.retry_after.unwrap_or(rule.window.as_secs())).into_response()
        }
        Ok(_) => next.run(request).await,
        Err(error) => {
            // A broken counter store must not lock everyone out; log and let it through.
            tracing::error!(error = %Escaped(&error), "rate limit store failed");
            next.run(request).await
        }
    }
}

/// Fallback for unknown routes and methods: `404` with an empty body, as better-auth.
pub(crate) async fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// Everything an endpoint knows about its request.
pub(crate) struct Ctx {
    pub auth: Auth,
    pub headers: HeaderMap,
    pub cookies: RequestCookies,
    /// The address a new session records (see [`session_ip`]).
    pub ip: Option<IpAddr>,
    pub out: Outgoing,
    /// The session as resolved for this request (`getSessionFromCtx` caches it too).
    pub session_cache: Option<Option<SessionData>>,
    /// The session a `before` hook gave the request (better-auth's
    /// `ctx.context.session`, as the api-key plugin sets it): every lookup answers it.
    pub provided_session: Option<SessionData>,
}

/// A session a `before` hook gave the request ([`crate::hooks::EndpointRequest::set_session`]),
/// carried to the endpoint in the request's extensions.
#[derive(Clone, Debug)]
pub(crate) struct ProvidedSession(pub SessionData);

/// better-auth's bearer plugin, on the way in: a valid `Authorization: Bearer` becomes the
/// session cookie of this request (signed tokens as given, bare tokens signed here).
fn bearer_cookie(headers: &HeaderMap, secret: &str) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    if value.len() < 7 || !value[..7].eq_ignore_ascii_case("bearer ") {
        return None;
    }
    let token = value[7..].trim();
    if token.is_empty() {
        return None;
    }
    let signed = if token.contains('.') {
        if token.contains('%') {
            percent_encoding::percent_decode_str(token)
                .decode_utf8_lossy()
                .into_owned()
        } else {
            token.to_owned()
        }
    } else {
        sign_cookie_value(token, secret)
    };
    let (value, signature) = signed.rsplit_once('.')?;
    crate::crypto::verify_signature(secret, value, signature).then_some(signed)
}

impl FromRequestParts<Auth> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, auth: &Auth) -> Result<Self, Self::Rejection> {
        Ok(Ctx::from_parts(auth, &parts.headers, &parts.extensions))
    }
}

impl Ctx {
    pub(crate) fn from_parts(auth: &Auth, headers: &HeaderMap, extensions: &axum::http::Extensions) -> Self {
        let out = extensions.get::<Outgoing>().cloned().unwrap_or_default();
        let mut cookies = RequestCookies::parse(headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()));
        if let Some(signed) = bearer_cookie(headers, &auth.0.config.secret) {
            cookies.set(&auth.0.cookies.session_token, signed);
        }
        Ctx {
            auth: auth.clone(),
            ip: session_ip(auth, headers, peer_ip(extensions)),
            headers: headers.clone(),
            cookies,
            out,
            session_cache: None,
            provided_session: extensions.get::<ProvidedSession>().map(|provided| provided.0.clone()),
        }
    }

    /// A request header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Adds a response header.
    pub fn set_header(&self, name: HeaderName, value: &str) {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.out.header(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_become_session_cookies() {
        let secret = "a-very-long-secret-value-for-testing-purposes-1234567890";
        let mut map = HeaderMap::new();
        map.insert(
            header::AUTHORIZATION,
            "Bearer jomE7q5zHgFDA51IBXS0vVhLGtcMwLGE".parse().expect("header"),
        );
        assert_eq!(
            bearer_cookie(&map, secret).as_deref(),
            Some("jomE7q5zHgFDA51IBXS0vVhLGtcMwLGE.IinEf0G4VKfDAXk3DycWAZnsgsO1wGMwa4Iz4txL038=")
        );
        map.insert(
            header::AUTHORIZATION,
            "bearer jomE7q5zHgFDA51IBXS0vVhLGtcMwLGE.IinEf0G4VKfDAXk3DycWAZnsgsO1wGMwa4Iz4txL038%3D"
                .parse()
                .expect("header"),
        );
        assert!(bearer_cookie(&map, secret).is_some());
        map.insert(header::AUTHORIZATION, "Bearer abc.def".parse().expect("header"));
        assert_eq!(bearer_cookie(&map, secret), None);
        map.insert(header::AUTHORIZATION, "Basic abc".parse().expect("header"));
        assert_eq!(bearer_cookie(&map, secret), None);
    }
}
