//! The axum extractor and the tower layer: the caller of a request from its
//! `Authorization: Bearer <JWT>` (or, when sessions are accepted, its session token or
//! cookie), or `401 {"message", "code": "UNAUTHORIZED"}` with `WWW-Authenticate: Bearer`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{Caller, Verifier, VerifyError};

/// The authenticated caller of a request, for handlers of a router whose state gives a
/// [`Verifier`] (`Verifier: FromRef<S>`); behind [`RequireCaller`] it is the caller the
/// layer found.
///
/// ```no_run
/// use axum::{Json, Router, routing::get};
/// use keyward_verifier::{Authenticated, Verifier};
///
/// async fn me(Authenticated(caller): Authenticated) -> Json<serde_json::Value> {
///     Json(serde_json::json!({"user": caller.user_id}))
/// }
///
/// fn app(verifier: Verifier) -> Router {
///     Router::new().route("/me", get(me)).with_state(verifier)
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Authenticated(pub Caller);

/// A refused request: `401` with better-auth's error body.
#[derive(Debug)]
pub struct Unauthorized(pub VerifyError);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let (status, code) = match &self.0 {
            VerifyError::KeysUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "KEYS_UNAVAILABLE"),
            VerifyError::SessionsUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "SESSIONS_UNAVAILABLE"),
            VerifyError::ApiKeysUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "API_KEYS_UNAVAILABLE"),
            VerifyError::Config(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_SERVER_ERROR"),
            VerifyError::ApiKeyRefused { status: 429, code, .. } => (StatusCode::TOO_MANY_REQUESTS, code.as_str()),
            VerifyError::ApiKeyRefused { code, .. } => (StatusCode::UNAUTHORIZED, code.as_str()),
            _ => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
        };
        let body = serde_json::json!({"message": self.0.to_string(), "code": code});
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The caller of a request's headers: its API key when keys are accepted and it has one,
/// else its bearer token or cookie.
async fn caller(verifier: &Verifier, headers: &HeaderMap) -> Result<Caller, VerifyError> {
    let text = |name: header::HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(key) = verifier
        .api_key_header()
        .and_then(|name| headers.get(name))
        .and_then(|value| value.to_str().ok())
        .filter(|key| !key.is_empty())
    {
        return verifier.verify_api_key(key).await;
    }
    verifier
        .verify_headers(text(header::AUTHORIZATION), text(header::COOKIE))
        .await
}

impl<S> FromRequestParts<S> for Authenticated
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(Self(caller.clone()));
        }
        let verifier = Verifier::from_ref(state);
        caller(&verifier, &parts.headers).await.map(Self).map_err(Unauthorized)
    }
}

/// A tower layer that lets through only requests with a valid bearer token, their
/// [`Caller`] in the request's extensions (and so in [`Authenticated`]).
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use keyward_verifier::{RequireCaller, Verifier};
///
/// fn app(verifier: Verifier) -> Router {
///     Router::new()
///         .route("/notes", get(|| async { "only for signed-in callers" }))
///         .layer(RequireCaller::new(verifier))
/// }
/// ```
#[derive(Clone, Debug)]
pub struct RequireCaller {
    verifier: Verifier,
}

impl RequireCaller {
    /// Checks every request with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        Self { verifier }
    }
}

impl<S> tower::Layer<S> for RequireCaller {
    type Service = RequireCallerService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireCallerService {
            inner,
            verifier: self.verifier.clone(),
        }
    }
}

/// The service [`RequireCaller`] wraps around the routes.
#[derive(Clone, Debug)]
pub struct RequireCallerService<S> {
    inner: S,
    verifier: Verifier,
}

impl<S, B> tower::Service<Request<B>> for RequireCallerService<S>
where
    S: tower::Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let verifier = self.verifier.clone();
        // The service that was polled ready handles this request; a fresh clone waits
        // for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            match caller(&verifier, request.headers()).await {
                Ok(caller) => {
                    request.extensions_mut().insert(caller);
                    inner.call(request).await
                }
                Err(error) => Ok(Unauthorized(error).into_response()),
            }
        })
    }
}
