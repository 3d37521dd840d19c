//! The email-OTP routes, as better-auth's `email-otp/routes.ts` answers them.

use axum::Json;
use axum::http::StatusCode;

use super::store::{OnSuccess, check, new_change_email_otp, resolve_otp, verify};
use super::{deliver, identifier, plugin};
use crate::db::is_unique_violation;
use crate::db::users::{self, NewUser, UserChanges};
use crate::db::{Lock, accounts};
use crate::error::{ApiError, ApiResult};
use crate::fields::{Action, parse_input};
use crate::password;
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::{Endpoints, check_new_password};
use keyward_client::wire::organization::SuccessResponse;
use keyward_client::wire::routes::email_otp as route;
use keyward_client::wire::schema::is_valid_email;
use keyward_client::wire::{
    ChangeEmailOtpRequest, CheckVerificationOtpRequest, EmailOtpPasswordResetRequest, EmailOtpType, ErrorCode,
    RequestEmailChangeOtpRequest, ResetPasswordEmailOtpRequest, SendVerificationOtpRequest, SignInEmailOtpRequest,
    SignInEmailOtpResponse, VerifyEmailOtpRequest, VerifyEmailOtpResponse,
};

impl Endpoint for SendVerificationOtpRequest {}
impl Endpoint for CheckVerificationOtpRequest {}
impl Endpoint for VerifyEmailOtpRequest {}
impl Endpoint for SignInEmailOtpRequest {}
impl Endpoint for EmailOtpPasswordResetRequest {}
impl Endpoint for ResetPasswordEmailOtpRequest {}
impl Endpoint for RequestEmailChangeOtpRequest {}
impl Endpoint for ChangeEmailOtpRequest {}

/// Adds the email-OTP routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::SendVerificationOtp, send_verification_otp)
        .route(route::CheckVerificationOtp, check_verification_otp)
        .route(route::VerifyEmail, verify_email)
        .route(route::SignIn, sign_in)
        .route(route::RequestPasswordReset, request_password_reset)
        .route(route::ForgetPassword, request_password_reset)
        .route(route::ResetPassword, reset_password)
        .route(route::RequestEmailChange, request_email_change)
        .route(route::ChangeEmail, change_email)
}

const SUCCESS: SuccessResponse = SuccessResponse { success: true };

/// `email` lowercased, or `400 INVALID_EMAIL` when it is not an address.
fn address(email: &str) -> ApiResult<String> {
    let email = email.to_lowercase();
    if is_valid_email(&email) {
        Ok(email)
    } else {
        Err(ApiError::bad_request(ErrorCode::InvalidEmail))
    }
}

/// A `400` with only a message, as better-auth's `APIError.fromStatus(.., {message})`.
fn refused(message: &str) -> ApiError {
    ApiError::message_only(StatusCode::BAD_REQUEST, message)
}

/// `POST /email-otp/send-verification-otp`: stores a code and sends it; for an address
/// without a user only a `sign-in` code is sent (unless sign-up is off), and the others
/// are dropped again. The answer is the same either way.
async fn send_verification_otp(
    ctx: Ctx,
    Body(request): Body<SendVerificationOtpRequest>,
) -> ApiResult<Json<SuccessResponse>> {
    // better-auth's formCsrfMiddleware, which runs after the body's schema.
    ctx.auth.0.origins.validate_form_csrf(&ctx.headers)?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if config.sender.is_none() && !auth.can_send_email() {
        return Err(refused("send email verification is not implemented"));
    }
    let email = address(&request.email)?;
    if request.otp_type == EmailOtpType::ChangeEmail {
        return Err(refused("Invalid OTP type"));
    }
    let otp = resolve_otp(&auth, config, &email, request.otp_type).await?;
    let mut db = auth.0.db.clone();
    let user = users::find_by_email(&mut db, &auth.0.fields, &email).await?;
    let sends_to_strangers = request.otp_type == EmailOtpType::SignIn && !config.disable_sign_up;
    if user.is_none() && !sends_to_strangers {
        let id = identifier(request.otp_type, &email);
        auth.verifications().delete(&mut db, &id).await?;
        return Ok(Json(SUCCESS));
    }
    let to = user.map_or(email, |user| user.email);
    deliver(&auth, config, to, otp, request.otp_type).await;
    Ok(Json(SUCCESS))
}

/// `POST /email-otp/check-verification-otp`: whether the code is right; a right one stays
/// usable, a wrong one counts. An address without a user is `400 USER_NOT_FOUND`.
async fn check_verification_otp(
    ctx: Ctx,
    Body(request): Body<CheckVerificationOtpRequest>,
) -> ApiResult<Json<SuccessResponse>> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let email = address(&request.email)?;
    let id = identifier(request.otp_type, &email);
    verify(&auth, config, &id, request.otp.expose(), OnSuccess::Restore).await?;
    let mut db = auth.0.db.clone();
    if users::find_by_email(&mut db, &auth.0.fields, &email).await?.is_none() {
        return Err(ApiError::bad_request(ErrorCode::UserNotFound));
    }
    Ok(Json(SUCCESS))
}

/// `POST /email-otp/verify-email`: marks the address verified with its
/// `email-verification` code; with `autoSignInAfterVerification` it also signs the user
/// in. A signed-in owner's cookie cache learns the news.
async fn verify_email(
    mut ctx: Ctx,
    Body(request): Body<VerifyEmailOtpRequest>,
) -> ApiResult<Json<VerifyEmailOtpResponse>> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let email = address(&request.email)?;
    let id = identifier(EmailOtpType::EmailVerification, &email);
    verify(&auth, config, &id, request.otp.expose(), OnSuccess::Consume).await?;
    let mut db = auth.0.db.clone();
    let Some(user) = users::find_by_email(&mut db, &auth.0.fields, &email).await? else {
        return Err(ApiError::bad_request(ErrorCode::UserNotFound));
    };
    let changes = UserChanges::default()
        .set("email", email.clone())
        .set("emailVerified", true);
    let updated = crate::hooks::update_user(&auth, &mut db, &user.id, changes, ctx.now())
        .await??
        .ok_or_else(|| ApiError::bad_request(ErrorCode::UserNotFound))?;
    auth.sessions().refresh_user(&updated).await?;
    if auth.0.config.email_verification.auto_sign_in_after_verification {
        let data = ctx.start_session(updated, None).await?;
        return Ok(Json(VerifyEmailOtpResponse {
            status: true,
            token: Some(data.session.token),
            user: data.user,
        }));
    }
    if let Some(mut current) = ctx.session().await
        && current.user.id == updated.id
    {
        current.user.email_verified = true;
        let dont_remember = ctx.dont_remember_cookie();
        ctx.set_cookie_cache(&current, dont_remember);
    }
    Ok(Json(VerifyEmailOtpResponse {
        status: true,
        token: None,
        user: updated,
    }))
}

/// `POST /sign-in/email-otp`: a session for the owner of the address, with its `sign-in`
/// code. A new address makes a verified user (`name`, `image` and additional fields
/// from the body) unless sign-up is off (`400 INVALID_OTP`); an unverified user loses what
/// they had before the proof (see [`crate::hooks::revoke_unproven_account_access`]).
async fn sign_in(mut ctx: Ctx, Body(request): Body<SignInEmailOtpRequest>) -> ApiResult<Json<SignInEmailOtpResponse>> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let email = request.email.to_lowercase();
    let id = identifier(EmailOtpType::SignIn, &email);
    verify(&auth, config, &id, request.otp.expose(), OnSuccess::Consume).await?;
    let mut db = auth.0.db.clone();
    let user = match users::find_by_email(&mut db, &auth.0.fields, &email).await? {
        Some(user) if user.email_verified => user,
        Some(user) => crate::hooks::revoke_unproven_account_access(&auth, &user.id, ctx.now())
            .await?
            .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidOtp))?,
        None if config.disable_sign_up => return Err(ApiError::bad_request(ErrorCode::InvalidOtp)),
        None => {
            let additional = parse_input(&auth.0.fields.user, &request.additional, Action::Create)?;
            let mut new_user = NewUser {
                name: request.name.clone().unwrap_or_default(),
                email,
                email_verified: true,
                image: request.image.clone(),
                additional,
            };
            auth.0.hooks.before_user_create(&auth, &mut new_user).await?;
            let user = match users::insert(&mut db, &auth.0.fields, new_user, ctx.now()).await {
                Ok(user) => user,
                Err(error) if is_unique_violation(&error) => {
                    return Err(ApiError::bad_request(ErrorCode::UserAlreadyExists));
                }
                Err(error) => return Err(error.into()),
            };
            auth.0.hooks.after_user_create(&auth, &user).await;
            user
        }
    };
    let data = ctx.start_session(user, None).await?;
    Ok(Json(SignInEmailOtpResponse {
        token: data.session.token,
        user: data.user,
    }))
}

/// `POST /email-otp/request-password-reset` (and its deprecated alias
/// `/forget-password/email-otp`): sends a `forget-password` code to a known address; the
/// answer is the same for an unknown one.
async fn request_password_reset(
    ctx: Ctx,
    Body(request): Body<EmailOtpPasswordResetRequest>,
) -> ApiResult<Json<SuccessResponse>> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let email = address(&request.email)?;
    let otp_type = EmailOtpType::ForgetPassword;
    let otp = resolve_otp(&auth, config, &email, otp_type).await?;
    let mut db = auth.0.db.clone();
    let Some(user) = users::find_by_email(&mut db, &auth.0.fields, &email).await? else {
        auth.verifications()
            .delete(&mut db, &identifier(otp_type, &email))
            .await?;
        return Ok(Json(SUCCESS));
    };
    deliver(&auth, config, user.email, otp, otp_type).await;
    Ok(Json(SUCCESS))
}

/// `POST /email-otp/reset-password`: sets a new password (creating the password account
/// when the user has none) with a `forget-password` code, ends the user's sessions when
/// the server revokes them on a reset, and marks the address verified.
async fn reset_password(
    ctx: Ctx,
    Body(request): Body<ResetPasswordEmailOtpRequest>,
) -> ApiResult<Json<SuccessResponse>> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let email = address(&request.email)?;
    check_new_password(&ctx, request.password.expose())?;
    let id = identifier(EmailOtpType::ForgetPassword, &email);
    let otp = request.otp.expose();
    verify(&auth, config, &id, otp, OnSuccess::Restore).await?;
    let mut db = auth.0.db.clone();
    let Some(user) = users::find_by_email(&mut db, &auth.0.fields, &email).await? else {
        return Err(ApiError::bad_request(ErrorCode::UserNotFound));
    };
    let hash = password::hash(request.password.expose()).await?;
    let now = ctx.now();
    let mut tx = auth.0.db.begin().await?;
    if let Err(verdict) = check(&auth, &mut tx, config, &id, otp, OnSuccess::Consume).await? {
        tx.commit().await?;
        return Err(verdict);
    }
    if auth.0.config.email_and_password.revoke_sessions_on_password_reset {
        auth.sessions().delete_for_user(&mut tx, &user.id).await?;
    }
    tx.lock(Lock::UserCredential(&user.id)).await?;
    match accounts::find_credential(&mut tx, &user.id).await? {
        Some(account) => crate::hooks::set_password(&auth, &mut tx, &account, &hash, now).await?,
        None => crate::hooks::insert_credential_account(&auth, &mut tx, &user.id, &hash, now).await?,
    }
    tx.commit().await?;
    if !user.email_verified {
        let changes = UserChanges::default().set("emailVerified", true);
        if let Some(updated) = crate::hooks::update_user(&auth, &mut db, &user.id, changes, now).await?? {
            auth.sessions().refresh_user(&updated).await?;
        }
    }
    Ok(Json(SUCCESS))
}

/// `POST /email-otp/request-email-change` (signed in): sends a `change-email` code to the
/// new address, after checking an `email-verification` code of the current one when
/// `changeEmail.verifyCurrentEmail` asks for it. A taken address gets nothing, and the
/// answer is the same.
async fn request_email_change(
    mut ctx: Ctx,
    Body(request): Body<RequestEmailChangeOtpRequest>,
) -> ApiResult<Json<SuccessResponse>> {
    let session = ctx.require_sensitive_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if !config.change_email.enabled {
        return Err(refused("Change email with OTP is disabled"));
    }
    let email = session.user.email.to_lowercase();
    let new_email = address(&request.new_email)?;
    if new_email == email {
        return Err(refused("Email is the same"));
    }
    if config.change_email.verify_current_email {
        let Some(otp) = &request.otp else {
            return Err(refused("OTP is required to verify current email"));
        };
        let id = identifier(EmailOtpType::EmailVerification, &email);
        verify(&auth, config, &id, otp.expose(), OnSuccess::Consume).await?;
    }
    let (otp, id) = new_change_email_otp(&auth, config, &session.user.id, &new_email).await?;
    let mut db = auth.0.db.clone();
    if users::find_by_email(&mut db, &auth.0.fields, &new_email)
        .await?
        .is_some()
    {
        auth.verifications().delete(&mut db, &id).await?;
        return Ok(Json(SUCCESS));
    }
    deliver(&auth, config, new_email, otp, EmailOtpType::ChangeEmail).await;
    Ok(Json(SUCCESS))
}

/// `POST /email-otp/change-email` (signed in): moves the user to the new address, marked
/// verified, with the `change-email` code sent there; the session cookie carries the new
/// address.
async fn change_email(mut ctx: Ctx, Body(request): Body<ChangeEmailOtpRequest>) -> ApiResult<Json<SuccessResponse>> {
    let mut session = ctx.require_sensitive_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if !config.change_email.enabled {
        return Err(refused("Change email with OTP is disabled"));
    }
    let email = session.user.email.to_lowercase();
    let new_email = address(&request.new_email)?;
    if new_email == email {
        return Err(refused("Email is the same"));
    }
    let id = identifier(EmailOtpType::ChangeEmail, &format!("{}:{new_email}", session.user.id));
    verify(&auth, config, &id, request.otp.expose(), OnSuccess::Consume).await?;
    let mut db = auth.0.db.clone();
    let Some(current) = users::find_by_email(&mut db, &auth.0.fields, &email).await? else {
        return Err(ApiError::bad_request(ErrorCode::UserNotFound));
    };
    let taken = || refused("Email already in use");
    if users::find_by_email(&mut db, &auth.0.fields, &new_email)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let changes = UserChanges::default()
        .set("email", new_email.clone())
        .set("emailVerified", true);
    let updated = match crate::hooks::update_user(&auth, &mut db, &current.id, changes, ctx.now()).await? {
        Ok(Some(user)) => user,
        Ok(None) => return Err(ApiError::bad_request(ErrorCode::UserNotFound)),
        Err(error) if is_unique_violation(&error) => return Err(taken()),
        Err(error) => return Err(error.into()),
    };
    auth.sessions().refresh_user(&updated).await?;
    session.user.email = new_email;
    session.user.email_verified = true;
    ctx.set_session_cookie(&session, None);
    Ok(Json(SUCCESS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_lowercased_and_checked() {
        assert_eq!(address("Ada@Example.COM").ok().as_deref(), Some("ada@example.com"));
        let error = address("not an address").expect_err("refused");
        assert_eq!(error.code(), Some(&ErrorCode::InvalidEmail));
        assert_eq!(
            identifier(EmailOtpType::SignIn, "ada@example.com"),
            "sign-in-otp-ada@example.com"
        );
    }
}
