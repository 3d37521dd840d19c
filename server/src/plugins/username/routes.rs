//! `POST /sign-in/username` and `POST /is-username-available`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{find_by_username, invalid, plugin};
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::password;
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::{Answer, Endpoints, check_password_not_too_long, finish_password_sign_in};
use keyward_client::wire::routes::username as route;
use keyward_client::wire::{ErrorCode, IsUsernameAvailableRequest, SignInUsernameRequest, UsernameAvailability};

impl Endpoint for SignInUsernameRequest {}
impl Endpoint for IsUsernameAvailableRequest {}

/// Adds the plugin's routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::SignInUsername, sign_in)
        .route(route::IsUsernameAvailable, is_available)
}

fn invalid_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidUsernameOrPassword)
}

/// `422` with the plugin's code, as better-auth answers a malformed username here.
fn unprocessable(code: ErrorCode) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code)
}

/// `POST /sign-in/username`: as `/sign-in/email` (the same answer, email verification
/// gate and two-factor challenge), the user found by normalised username. Empty
/// credentials, an unknown username, a user without a password and a wrong password are
/// one answer, `401 INVALID_USERNAME_OR_PASSWORD`, at one cost; a malformed username is
/// `422` with its code.
async fn sign_in(mut ctx: Ctx, Body(request): Body<SignInUsernameRequest>) -> ApiResult<Response> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let password = request.password.expose();
    if request.username.is_empty() || password.is_empty() {
        return Err(invalid_credentials());
    }
    if let Some(code) = invalid(config, &request.username) {
        return Err(unprocessable(code));
    }
    check_password_not_too_long(&ctx, password)?;
    let user = find_by_username(&auth, &config.normalize(&request.username)).await?;
    let mut db = auth.0.db.clone();
    let stored = match &user {
        Some(user) => accounts::find_credential(&mut db, &user.id)
            .await?
            .and_then(|account| account.password),
        None => None,
    };
    let (Some(user), Some(stored)) = (user, stored) else {
        password::hash(password).await?;
        return Err(invalid_credentials());
    };
    if !password::verify(password, &stored).await? {
        return Err(invalid_credentials());
    }
    let outcome = finish_password_sign_in(&mut ctx, user, request.callback_url, request.remember_me).await?;
    Ok(Json(outcome).into_response())
}

/// `POST /is-username-available`: whether no user has the normalised username; an empty
/// or malformed username is `422` with its code.
async fn is_available(ctx: Ctx, Body(request): Body<IsUsernameAvailableRequest>) -> Answer<route::IsUsernameAvailable> {
    let config = plugin(&ctx.auth)?;
    if request.username.is_empty() {
        return Err(unprocessable(ErrorCode::InvalidUsername));
    }
    if let Some(code) = invalid(config, &request.username) {
        return Err(unprocessable(code));
    }
    let taken = find_by_username(&ctx.auth, &config.normalize(&request.username)).await?;
    Ok(Json(UsernameAvailability {
        available: taken.is_none(),
    }))
}
