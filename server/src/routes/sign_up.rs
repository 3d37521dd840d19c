//! `POST /sign-up/email`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::email_verification::{VerificationToken, send_verification_email};
use crate::crypto::generate_id;
use crate::db::is_unique_violation;
use crate::db::users;
use crate::error::{ApiError, ApiResult};
use crate::fields::{Action, parse_input};
use crate::password::{self, js_length};
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::Outcome;
use keyward_client::wire::routes as route;
use keyward_client::wire::schema::is_valid_email;
use keyward_client::wire::{ErrorCode, SignUpEmailRequest, SignUpResponse, User};

impl Endpoint for SignUpEmailRequest {}

/// Checks a new password's length (UTF-16 units, as better-auth counts).
pub(crate) fn check_new_password(ctx: &Ctx, password: &str) -> ApiResult<()> {
    let config = &ctx.auth.0.config.email_and_password;
    let length = js_length(password);
    if length < config.min_password_length {
        return Err(ApiError::bad_request(ErrorCode::PasswordTooShort));
    }
    if length > config.max_password_length {
        return Err(ApiError::bad_request(ErrorCode::PasswordTooLong));
    }
    Ok(())
}

/// Refuses a password longer than the maximum before spending a hash on it.
pub(crate) fn check_password_not_too_long(ctx: &Ctx, password: &str) -> ApiResult<()> {
    if js_length(password) > ctx.auth.0.config.email_and_password.max_password_length {
        return Err(ApiError::bad_request(ErrorCode::PasswordTooLong));
    }
    Ok(())
}

/// `POST /sign-up/email`.
pub(crate) async fn email(mut ctx: Ctx, Body(request): Body<SignUpEmailRequest>) -> ApiResult<Response> {
    Ok(Json(sign_up(&mut ctx, request).await?).into_response())
}

/// Signs a user up (the endpoint's logic, also used by the server-side API).
pub(crate) async fn sign_up(ctx: &mut Ctx, request: SignUpEmailRequest) -> Outcome<route::SignUpEmail> {
    let auth = ctx.auth.clone();
    let config = &auth.0.config.email_and_password;
    if !config.enabled || config.disable_sign_up {
        return Err(ApiError::bad_request(ErrorCode::EmailPasswordSignUpDisabled));
    }
    if !is_valid_email(&request.email) {
        return Err(ApiError::bad_request(ErrorCode::InvalidEmail));
    }
    let password = request.password.expose();
    check_new_password(ctx, password)?;
    // With verification required or auto sign-in off, an existing address gets the same
    // answer as a new one, so sign-up cannot be used to probe for accounts.
    let hide_duplicates = config.require_email_verification || !config.auto_sign_in;
    let additional = parse_input(&auth.0.fields.user, &request.additional, Action::Create)?;
    let email = request.email.to_lowercase();
    let mut db = auth.0.db.clone();
    let synthetic = |now| SignUpResponse {
        token: None,
        user: User {
            id: generate_id(),
            name: request.name.clone(),
            email: email.clone(),
            email_verified: false,
            image: request.image.clone(),
            created_at: now,
            updated_at: now,
            additional: additional.clone(),
        },
    };
    if users::find_by_email(&mut db, &auth.0.fields, &email).await?.is_some() {
        if hide_duplicates {
            password::hash(password).await?;
            return Ok(synthetic(ctx.now()));
        }
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::UserAlreadyExistsUseAnotherEmail,
        ));
    }
    let hash = password::hash(password).await?;
    let now = ctx.now();
    let mut new_user = users::NewUser {
        name: request.name.clone(),
        email: email.clone(),
        email_verified: false,
        image: request.image.clone(),
        additional: additional.clone(),
    };
    auth.0.hooks.before_user_create(&auth, &mut new_user).await?;
    let mut tx = auth.0.db.begin().await?;
    let user = match users::insert(&mut tx, &auth.0.fields, new_user, now).await {
        Ok(user) => user,
        // Lost a race with a concurrent sign-up of the same address.
        Err(error) if is_unique_violation(&error) => {
            if hide_duplicates {
                return Ok(synthetic(now));
            }
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::UserAlreadyExistsUseAnotherEmail,
            ));
        }
        Err(error) => return Err(error.into()),
    };
    crate::hooks::insert_credential_account(&auth, &mut tx, &user.id, &hash, now).await?;
    tx.commit().await?;
    auth.0.hooks.after_user_create(&auth, &user).await;

    let send_on_sign_up = auth
        .0
        .config
        .email_verification
        .send_on_sign_up
        .unwrap_or(config.require_email_verification);
    if send_on_sign_up && auth.can_send_verification_email() {
        let token = VerificationToken {
            email: &user.email,
            update_to: None,
            request_type: None,
            user_id: &user.id,
        };
        send_verification_email(&auth, &user, &user.email, token, request.callback_url.as_deref()).await;
    }
    if hide_duplicates {
        return Ok(SignUpResponse { token: None, user });
    }
    let data = ctx
        .start_session(user, Some(request.remember_me == Some(false)))
        .await?;
    Ok(SignUpResponse {
        token: Some(data.session.token),
        user: data.user,
    })
}
