//! `POST /sign-in/email`.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::email_verification::{VerificationToken, send_verification_email};
use super::sign_up::check_password_not_too_long;
use crate::db::{accounts, users};
use crate::error::{ApiError, ApiResult};
use crate::password;
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::Outcome;
use keyward_client::wire::routes as route;
use keyward_client::wire::schema::is_valid_email;
use keyward_client::wire::{ErrorCode, SignInEmailRequest, SignInOutcome, SignInResponse, User};

impl Endpoint for SignInEmailRequest {}

fn invalid_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidEmailOrPassword)
}

/// `POST /sign-in/email`.
pub(crate) async fn email(mut ctx: Ctx, Body(request): Body<SignInEmailRequest>) -> ApiResult<Response> {
    Ok(Json(sign_in(&mut ctx, request).await?).into_response())
}

/// Signs a user in (the endpoint's logic, also used by the server-side API). A plugin's
/// sign-in step may answer instead (two-factor's challenge, unless the device is trusted).
pub(crate) async fn sign_in(ctx: &mut Ctx, request: SignInEmailRequest) -> Outcome<route::SignInEmail> {
    let auth = ctx.auth.clone();
    let config = &auth.0.config.email_and_password;
    if !config.enabled {
        return Err(ApiError::bad_request(ErrorCode::EmailPasswordDisabled));
    }
    if !is_valid_email(&request.email) {
        return Err(ApiError::bad_request(ErrorCode::InvalidEmail));
    }
    let password = request.password.expose();
    check_password_not_too_long(ctx, password)?;
    let mut db = auth.0.db.clone();
    let user = users::find_by_email(&mut db, &auth.0.fields, &request.email.to_lowercase()).await?;
    let credential = match &user {
        Some(user) => accounts::find_credential(&mut db, &user.id)
            .await?
            .filter(|account| account.account_id == user.id),
        None => None,
    };
    // Unknown address, no password account, or wrong password: one answer, one cost.
    let (Some(user), Some(stored)) = (user, credential.and_then(|account| account.password)) else {
        password::hash(password).await?;
        return Err(invalid_credentials());
    };
    if !password::verify(password, &stored).await? {
        return Err(invalid_credentials());
    }
    finish_password_sign_in(ctx, user, request.callback_url, request.remember_me).await
}

/// The end of a password sign-in once the password matched (`/sign-in/email` and the
/// username plugin's `/sign-in/username`): the email verification gate, the session, the
/// `Location` of a callback URL, and the plugins' sign-in steps (two-factor).
pub(crate) async fn finish_password_sign_in(
    ctx: &mut Ctx,
    user: User,
    callback_url: Option<String>,
    remember_me: Option<bool>,
) -> Outcome<route::SignInEmail> {
    let auth = ctx.auth.clone();
    let config = &auth.0.config.email_and_password;
    if config.require_email_verification && !user.email_verified {
        if auth.0.config.email_verification.send_on_sign_in && auth.can_send_verification_email() {
            let token = VerificationToken {
                email: &user.email,
                update_to: None,
                request_type: None,
                user_id: &user.id,
            };
            send_verification_email(&auth, &user, &user.email, token, callback_url.as_deref()).await;
        }
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::EmailNotVerified));
    }
    let data = ctx.start_session(user, Some(remember_me == Some(false))).await?;
    let callback = callback_url.filter(|url| !url.is_empty());
    if let Some(url) = &callback {
        ctx.set_header(header::LOCATION, url);
    }
    for step in &auth.0.sign_in_steps {
        if let Some(outcome) = step.after_sign_in(ctx, &data).await? {
            return Ok(outcome);
        }
    }
    Ok(SignInOutcome::SignedIn(Box::new(SignInResponse {
        redirect: callback.is_some(),
        token: data.session.token,
        url: callback,
        user: data.user,
    })))
}
