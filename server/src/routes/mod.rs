//! The endpoints, one module per endpoint group, at better-auth's paths and methods.

mod account;
mod admin;
mod email_verification;
mod health;
mod organization;
mod passkey;
mod password;
mod session;
mod sign_in;
mod sign_out;
mod sign_up;
mod two_factor;
mod user;

pub(crate) use organization::add_member;
pub(crate) use sign_in::sign_in;
pub(crate) use sign_up::{check_new_password, sign_up};
pub(crate) use two_factor::view_backup_codes;

use axum::Router;
use axum::handler::Handler;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, post};

use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::request::{Panicked, finalize, not_found, rate_limit};

/// Every endpoint, relative to the base path.
pub(crate) fn router(auth: Auth) -> Router {
    let mut router = Router::new()
        .route("/ok", get(health::ok))
        .route("/error", get(health::error_page))
        .route("/sign-up/email", post(sign_up::email))
        .route("/sign-in/email", post(sign_in::email))
        .route("/sign-out", post(sign_out::sign_out))
        .route("/get-session", get(session::get_session).post(session::refresh_session))
        .route("/list-sessions", get(session::list))
        .route("/revoke-session", post(session::revoke))
        .route("/revoke-sessions", post(session::revoke_all))
        .route("/revoke-other-sessions", post(session::revoke_others))
        .route("/update-session", post(session::update))
        .route("/update-user", post(user::update))
        .route("/change-email", post(user::change_email))
        .route("/delete-user", post(user::delete))
        .route("/delete-user/callback", get(user::delete_callback))
        .route("/change-password", post(password::change))
        .route("/verify-password", post(password::verify))
        .route("/request-password-reset", post(password::request_reset))
        .route("/reset-password", post(password::reset))
        .route("/reset-password/{token}", get(password::reset_callback))
        .route("/send-verification-email", post(email_verification::send))
        .route("/verify-email", get(email_verification::verify))
        .route("/list-accounts", get(account::list))
        .route("/unlink-account", post(account::unlink))
        .route("/account-info", get(account::info));
    if auth.0.config.two_factor.is_some() {
        router = two_factor::routes(router);
    }
    if let Some(config) = &auth.0.config.organization {
        router = organization::routes(router, config);
    }
    if auth.0.config.passkey.is_some() {
        router = passkey::routes(router);
    }
    if auth.0.config.admin.is_some() {
        router = admin::routes(router);
    }
    with_response_layers(router, auth)
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

/// `GET` only: better-auth routes no `HEAD`, so neither does Keyward (axum would).
pub(crate) fn get<H, T>(handler: H) -> MethodRouter<Auth>
where
    H: Handler<T, Auth>,
    T: 'static,
{
    axum::routing::get(handler).head(not_found)
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
