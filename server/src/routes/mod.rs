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
