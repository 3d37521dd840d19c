//! The request path every endpoint uses: `send_raw` sends with the credentials and
//! applies what the answer sets; the typed calls, the route calls, the public `fetch`
//! and the decoding of answers build on it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::credentials::{is_admin_session_cookie, is_challenge_cookie, is_trust_cookie, poisoned};
use super::{AuthClient, CredentialMode};
use crate::error::{Error, Result};
use crate::transport::{BoxFuture, HttpRequest, HttpResponse, Method};
use crate::wire::routes::Route;
use crate::wire::{SessionToken, TwoFactorRedirect};

/// A response body read as JSON (`null` for an empty body), with the raw response.
pub(crate) struct Reply {
    pub response: HttpResponse,
    pub json: Value,
}

impl Reply {
    /// Whether the server sent the session token in `set-auth-token` (which
    /// [`AuthClient::send_raw`] has stored already).
    pub fn sets_auth_token(&self) -> bool {
        self.response.header("set-auth-token").is_some()
    }
}

impl AuthClient {
    /// Stores the token of an answer's body, unless the answer's `set-auth-token` header
    /// carried it (better-auth's bearer plugin sends it there; a server without the
    /// plugin only in the body).
    pub(crate) fn keep_token_of(&self, reply: &Reply, token: &SessionToken) -> Result<()> {
        if reply.sets_auth_token() {
            return Ok(());
        }
        self.set_token(token.clone())
    }

    /// Finishes a sign-in that may stop at a second factor: the token kept, the
    /// challenge opened or closed, the session store refreshed (as better-auth's client
    /// signals its session atom after every sign-in).
    pub(crate) async fn finish_sign_in(&self, reply: &Reply, outcome: &crate::wire::SignInOutcome) -> Result<()> {
        if let crate::wire::SignInOutcome::SignedIn(response) = outcome {
            self.keep_token_of(reply, &response.token)?;
        }
        self.apply_sign_in_outcome(outcome)?;
        let _ = self.refresh_session(false).await;
        Ok(())
    }

    /// Sends a request and applies what it returns to the credentials; errors for
    /// non-success statuses. `3xx` answers are returned as they are.
    ///
    /// Boxed, so every endpoint's future holds a pointer to this one instead of a copy of
    /// its state machine.
    pub(crate) fn send_raw<'a>(
        &'a self,
        method: Method,
        path: &'a str,
        query: Option<&'a str>,
        body: Option<Vec<u8>>,
    ) -> BoxFuture<'a, Result<Reply>> {
        Box::pin(self.send_raw_unboxed(method, path, query, body))
    }

    async fn send_raw_unboxed(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<Reply> {
        self.ensure_token_loaded()?;
        let mut headers = Vec::new();
        if body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        match self.inner.mode {
            CredentialMode::Bearer => {
                if let Some(token) = self.inner.token.lock().map_err(poisoned)?.as_ref() {
                    headers.push(("authorization".to_owned(), format!("Bearer {}", token.expose())));
                }
                // The two-factor, admin and multi-session plugins' cookies have no bearer
                // form: send them as cookies (with the Origin that requests carrying cookies need).
                let plugin_cookies = self.inner.jar.header_where(|name| {
                    is_challenge_cookie(name)
                        || is_trust_cookie(name)
                        || is_admin_session_cookie(name)
                        || crate::wire::is_multi_session_cookie(name)
                });
                if let (Some(cookies), false) = (plugin_cookies, cfg!(target_arch = "wasm32")) {
                    headers.push(("cookie".to_owned(), cookies));
                    if method == Method::Post {
                        headers.push(("origin".to_owned(), self.inner.origin.clone()));
                    }
                }
            }
            CredentialMode::Cookie => {
                if !cfg!(target_arch = "wasm32") {
                    if let Some(cookies) = self.inner.jar.header() {
                        headers.push(("cookie".to_owned(), cookies));
                    }
                    if method == Method::Post {
                        headers.push(("origin".to_owned(), self.inner.origin.clone()));
                    }
                }
            }
        }
        headers.extend(self.inner.extra_headers.iter().cloned());
        let request = HttpRequest {
            method,
            url: super::urls::call_url(&self.inner.endpoint, path, query),
            headers,
            body,
        };
        let response = self
            .inner
            .transport
            .send(request)
            .await
            .map_err(|e| Error::Network { message: e.0 })?;
        let mut trust_changed = false;
        for cookie in response.headers_named("set-cookie") {
            self.inner.jar.apply(cookie);
            let name = cookie.split('=').next().unwrap_or_default().trim();
            trust_changed |= is_trust_cookie(name);
        }
        if trust_changed {
            self.persist_trusted_device()?;
        }
        if response.status >= 400 {
            let retry_after = response.header("x-retry-after").and_then(|v| v.trim().parse().ok());
            return Err(Error::from_response(response.status, &response.body, retry_after));
        }
        let json = if response.body.is_empty() || response.status >= 300 {
            Value::Null
        } else {
            serde_json::from_slice(&response.body).map_err(|e| Error::Decode {
                message: format!("{path}: {e}"),
                body: String::from_utf8_lossy(&response.body).into_owned(),
            })?
        };
        // better-auth sends `set-auth-token` even on a two-factor challenge, for a session
        // it has already deleted: never keep that one.
        let challenge = TwoFactorRedirect::deserialize(&json).is_ok_and(|r| r.two_factor_redirect);
        if let (Some(token), false) = (response.header("set-auth-token"), challenge) {
            self.set_token(SessionToken::new(token))?;
        }
        if let Some(jwt) = response.header(crate::wire::SET_AUTH_JWT_HEADER) {
            self.inner.jwt.set(Some(crate::wire::JsonWebToken::new(jwt)));
        }
        Ok(Reply { response, json })
    }

    /// A JSON request; the reply undecoded.
    pub(crate) async fn send_json<B: Serialize + ?Sized>(&self, method: Method, path: &str, body: &B) -> Result<Reply> {
        let body = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest { message: e.to_string() })?;
        self.send_raw(method, path, None, Some(body)).await
    }

    /// A JSON request decoding a typed answer.
    pub(crate) async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: Option<&B>,
    ) -> Result<T> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| Error::InvalidRequest { message: e.to_string() })?;
        let reply = self.send_raw(method, path, query, body).await?;
        decode(path, &reply)
    }

    /// `GET` route `R` with `query` (encoded by the caller, from what `R::Request`
    /// describes); its answer decoded as `R::Response`.
    pub(crate) async fn get_route<R: Route>(&self, query: Option<&str>) -> Result<R::Response>
    where
        R::Response: DeserializeOwned,
    {
        const { assert!(matches!(R::METHOD, Method::Get), "get_route takes a GET route") };
        self.call::<(), _>(R::METHOD, R::PATH, query, None).await
    }

    /// `POST` route `R` with `query` and `body` as JSON; its answer decoded as `R::Response`.
    pub(crate) async fn post_route<R: Route>(&self, query: Option<&str>, body: &R::Request) -> Result<R::Response>
    where
        R::Request: Serialize,
        R::Response: DeserializeOwned,
    {
        const { assert!(matches!(R::METHOD, Method::Post), "post_route takes a POST route") };
        self.call(R::METHOD, R::PATH, query, Some(body)).await
    }

    /// `POST` route `R` with `body` as JSON; the reply undecoded, for callers that read its
    /// headers too ([`decode_route`] decodes it).
    pub(crate) async fn post_route_reply<R: Route>(&self, body: &R::Request) -> Result<Reply>
    where
        R::Request: Serialize,
    {
        const { assert!(matches!(R::METHOD, Method::Post), "post_route_reply takes a POST route") };
        self.send_json(R::METHOD, R::PATH, body).await
    }

    /// Calls a declared route, Keyward's or a plugin's own (a type implementing
    /// [`Route`] in the plugin's wire module, which its server half registers too): a `GET`
    /// sends `request` as the query (its `None` fields left out), a `POST` as the JSON
    /// body; the answer is decoded as `R::Response` (a route with a path parameter is
    /// refused at compile time). On success the refresh rules of
    /// [`crate::extension`] that match the call run before it returns.
    ///
    /// ```no_run
    /// # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
    /// use keyward_client::wire::routes::ListSessions;
    /// let sessions = client.send::<ListSessions>(&()).await?;
    /// # let _ = sessions; Ok(()) }
    /// ```
    pub async fn send<R: Route>(&self, request: &R::Request) -> Result<R::Response>
    where
        R::Request: Serialize,
        R::Response: DeserializeOwned,
    {
        const {
            assert!(
                !crate::wire::routes::has_parameter(R::PATH),
                "send takes a route without a path parameter"
            )
        };
        let answer = match R::METHOD {
            Method::Get => {
                let query = crate::api::query_string(request)?;
                let query = (!query.is_empty()).then_some(query.as_str());
                self.call::<(), _>(R::METHOD, R::PATH, query, None).await?
            }
            Method::Post => self.call(R::METHOD, R::PATH, None, Some(request)).await?,
        };
        self.apply_refresh_rules(R::METHOD, R::PATH).await;
        Ok(answer)
    }

    /// Calls any endpoint, for example one of a custom server plugin. `path` is relative to
    /// the endpoint prefix (`/my-plugin/do-thing`); a `body` makes it a JSON request. On
    /// success the refresh rules of [`crate::extension`] that match the call run before
    /// it returns.
    ///
    /// ```no_run
    /// # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
    /// use keyward_client::transport::Method;
    /// let ok: serde_json::Value = client.fetch::<(), _>(Method::Get, "/ok", None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn fetch<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Req>,
    ) -> Result<Resp> {
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        let answer = self.call(method, path, query, body).await?;
        self.apply_refresh_rules(method, crate::extension::path_of(path)).await;
        Ok(answer)
    }
}

/// Decodes a typed answer from a reply (read in place: the reply's JSON is not copied).
pub(crate) fn decode<T: DeserializeOwned>(path: &str, reply: &Reply) -> Result<T> {
    T::deserialize(&reply.json).map_err(|error| decode_error(path, reply, &error))
}

/// Why an answer did not decode. Not generic, so one copy serves every answer type (the
/// browser download carries one instead of one per type).
#[cold]
fn decode_error(path: &str, reply: &Reply, error: &serde_json::Error) -> Error {
    Error::Decode {
        message: format!("{path}: {error}"),
        body: String::from_utf8_lossy(&reply.response.body).into_owned(),
    }
}

/// Decodes the answer of route `R` from a reply.
pub(crate) fn decode_route<R: Route>(reply: &Reply) -> Result<R::Response>
where
    R::Response: DeserializeOwned,
{
    decode(R::PATH, reply)
}
