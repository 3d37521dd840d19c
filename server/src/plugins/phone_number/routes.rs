//! The phone-number routes, as better-auth's `phoneNumber` answers them.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::otp::{self, OnSuccess};
use super::{
    PHONE_NUMBER, PHONE_NUMBER_VERIFIED, PhoneNumberConfig, SmsKind, SmsRequest, deliver, find_by_phone_number,
    is_verified, plugin, sender,
};
use crate::auth::Auth;
use crate::db::users::{self, NewUser, UserChanges};
use crate::db::{Lock, accounts, is_unique_violation};
use crate::error::{ApiError, ApiResult};
use crate::fields::{Action, parse_input};
use crate::password;
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::{Answer, Endpoints, check_new_password, check_password_not_too_long};
use keyward_client::wire::routes::phone_number as route;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{
    ErrorCode, PhoneNumberOtpSent, PhoneSignInOutcome, RequestPasswordResetPhoneNumberRequest,
    ResetPasswordPhoneNumberRequest, SendPhoneNumberOtpRequest, SignInOutcome, SignInPhoneNumberRequest,
    SignInPhoneNumberResponse, StatusResponse, User, VerifyPhoneNumberRequest, VerifyPhoneNumberResponse,
};

impl Endpoint for SignInPhoneNumberRequest {}
impl Endpoint for SendPhoneNumberOtpRequest {}
impl Endpoint for VerifyPhoneNumberRequest {}
impl Endpoint for RequestPasswordResetPhoneNumberRequest {}
impl Endpoint for ResetPasswordPhoneNumberRequest {}

/// Adds the plugin's routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::SignInPhoneNumber, sign_in)
        .route(route::SendOtp, send_otp)
        .route(route::Verify, verify)
        .route(route::RequestPasswordReset, request_password_reset)
        .route(route::ResetPassword, reset_password)
}

/// The request's address and user agent, for the SMS sender.
fn sms_request(ctx: &Ctx) -> SmsRequest {
    SmsRequest {
        ip_address: ctx.ip,
        user_agent: ctx.header("user-agent").map(str::to_owned),
    }
}

fn invalid_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidPhoneNumberOrPassword)
}

/// `400 INVALID_PHONE_NUMBER` when the validator refuses the number.
fn check_number(config: &PhoneNumberConfig, phone_number: &str) -> ApiResult<()> {
    if config.is_valid(phone_number) {
        Ok(())
    } else {
        Err(ApiError::bad_request(ErrorCode::InvalidPhoneNumber))
    }
}

/// `POST /sign-in/phone-number`: a session for the number's user and password. An
/// unknown number, a user without a password and a wrong password are `401
/// INVALID_PHONE_NUMBER_OR_PASSWORD`; with `requireVerification` an unverified number is
/// `401 PHONE_NUMBER_NOT_VERIFIED` and a new code is texted to it. The two-factor
/// plugin's challenge takes a user with two-factor on over, as on `/sign-in/email`.
async fn sign_in(mut ctx: Ctx, Body(request): Body<SignInPhoneNumberRequest>) -> ApiResult<Response> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    check_number(config, &request.phone_number)?;
    let password = request.password.expose();
    check_password_not_too_long(&ctx, password)?;
    let Some(user) = find_by_phone_number(&auth, &request.phone_number).await? else {
        password::hash(password).await?;
        return Err(invalid_credentials());
    };
    if config.require_verification && !is_verified(&user) {
        let code = otp::generate(config.otp_length);
        otp::store(&auth, config, &otp::otp_identifier(&request.phone_number), &code).await?;
        if let Some(sender) = sender(&auth, config) {
            deliver(
                sender.as_ref(),
                SmsKind::PhoneNumberOtp,
                &request.phone_number,
                &code,
                sms_request(&ctx),
            )
            .await;
        }
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::PhoneNumberNotVerified,
        ));
    }
    let mut db = auth.0.db.clone();
    let Some(account) = accounts::find_credential(&mut db, &user.id).await? else {
        password::hash(password).await?;
        return Err(invalid_credentials());
    };
    let Some(stored) = account.password else {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::UnexpectedError));
    };
    if !password::verify(password, &stored).await? {
        return Err(invalid_credentials());
    }
    let data = ctx
        .start_session(user, Some(request.remember_me == Some(false)))
        .await?;
    for step in &auth.0.sign_in_steps {
        if let Some(SignInOutcome::TwoFactorRequired(challenge)) = step.after_sign_in(&mut ctx, &data).await? {
            return Ok(Json(PhoneSignInOutcome::TwoFactorRequired(challenge)).into_response());
        }
    }
    let answer = SignInPhoneNumberResponse {
        token: data.session.token,
        user: data.user,
    };
    Ok(Json(PhoneSignInOutcome::SignedIn(Box::new(answer))).into_response())
}

/// `POST /phone-number/send-otp`: stores a new code (`<code>:0`) for the number and
/// texts it. `501 SEND_OTP_NOT_IMPLEMENTED` when the server cannot send codes.
async fn send_otp(ctx: Ctx, Body(request): Body<SendPhoneNumberOtpRequest>) -> Answer<route::SendOtp> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let Some(sender) = sender(&auth, config) else {
        tracing::warn!("phone-number: no SMS sender is configured");
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            ErrorCode::SendOtpNotImplemented,
        ));
    };
    check_number(config, &request.phone_number)?;
    let code = otp::generate(config.otp_length);
    let identifier = otp::otp_identifier(&request.phone_number);
    otp::store(&auth, config, &identifier, &format!("{code}:0")).await?;
    deliver(
        sender.as_ref(),
        SmsKind::PhoneNumberOtp,
        &request.phone_number,
        &code,
        sms_request(&ctx),
    )
    .await;
    Ok(Json(PhoneNumberOtpSent {
        message: "code sent".into(),
    }))
}

/// Checks a code of `identifier`: with the configured verifier (the stored code dropped
/// once it passes), else against the stored code.
async fn check_code(
    auth: &Auth,
    config: &PhoneNumberConfig,
    phone_number: &str,
    identifier: &str,
    code: &str,
    on_success: OnSuccess,
) -> ApiResult<()> {
    let mut db = auth.0.db.clone();
    if let Some(verifier) = &config.verify_otp {
        if !verifier.verify(phone_number, code).await {
            return Err(ApiError::bad_request(ErrorCode::InvalidOtp));
        }
        return auth.verifications().delete(&mut db, identifier).await;
    }
    otp::verify(auth, &mut db, config, identifier, code, on_success).await
}

/// `POST /phone-number/verify`: takes the code, then with `updatePhoneNumber` sets the
/// number on the request's user (`401 USER_NOT_FOUND` without a session,
/// `PHONE_NUMBER_EXIST` when any user has it), else marks the number's user verified
/// (creating one with `signUpOnVerification`) and, unless `disableSession`, signs it in.
async fn verify(mut ctx: Ctx, Body(request): Body<VerifyPhoneNumberRequest>) -> Answer<route::Verify> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let phone_number = request.phone_number.clone();
    let identifier = otp::otp_identifier(&phone_number);
    check_code(
        &auth,
        config,
        &phone_number,
        &identifier,
        request.code.expose(),
        OnSuccess::Consume,
    )
    .await?;
    if request.update_phone_number == Some(true) {
        let session = ctx
            .session()
            .await
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::UserNotFound))?;
        if find_by_phone_number(&auth, &phone_number).await?.is_some() {
            return Err(ApiError::bad_request(ErrorCode::PhoneNumberExist));
        }
        let changes = UserChanges::default()
            .set(PHONE_NUMBER, phone_number.as_str())
            .set(PHONE_NUMBER_VERIFIED, true);
        let user = update(&auth, &session.user.id, changes).await?;
        on_verified(&auth, config, &phone_number, &user).await?;
        return Ok(Json(VerifyPhoneNumberResponse {
            status: true,
            token: Some(session.session.token),
            user,
        }));
    }
    let user = match find_by_phone_number(&auth, &phone_number).await? {
        Some(user) => update(&auth, &user.id, UserChanges::default().set(PHONE_NUMBER_VERIFIED, true)).await?,
        None => match &config.sign_up_on_verification {
            Some(sign_up) => create_user(&ctx, sign_up, &request).await?,
            // better-auth answers 500 FAILED_TO_UPDATE_USER: the code is used up all the same.
            None => return Err(ApiError::bad_request(ErrorCode::FailedToUpdateUser)),
        },
    };
    on_verified(&auth, config, &phone_number, &user).await?;
    if request.disable_session == Some(true) {
        return Ok(Json(VerifyPhoneNumberResponse {
            status: true,
            token: None,
            user,
        }));
    }
    let data = ctx.start_session(user, None).await?;
    Ok(Json(VerifyPhoneNumberResponse {
        status: true,
        token: Some(data.session.token),
        user: data.user,
    }))
}

/// Runs the configured `callbackOnVerification`, if any.
async fn on_verified(auth: &Auth, config: &PhoneNumberConfig, phone_number: &str, user: &User) -> ApiResult<()> {
    match &config.callback_on_verification {
        Some(hook) => hook.on_verified(auth, phone_number, user).await,
        None => Ok(()),
    }
}

/// Updates a user through the user hooks; `FAILED_TO_UPDATE_USER` when it is gone.
async fn update(auth: &Auth, user_id: &str, changes: UserChanges) -> ApiResult<User> {
    let mut db = auth.0.db.clone();
    let updated = crate::hooks::update_user(auth, &mut db, user_id, changes, now_millis()).await?;
    match updated {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(ApiError::bad_request(ErrorCode::FailedToUpdateUser)),
        Err(error) if is_unique_violation(&error) => Err(ApiError::bad_request(ErrorCode::PhoneNumberExist)),
        Err(error) => Err(error.into()),
    }
}

/// The user a verification of an unknown number creates: the request's additional
/// fields, the configured address and name, the number verified.
async fn create_user(
    ctx: &Ctx,
    sign_up: &super::SignUpOnVerification,
    request: &VerifyPhoneNumberRequest,
) -> ApiResult<User> {
    let auth = ctx.auth.clone();
    let phone_number = &request.phone_number;
    let mut additional = parse_input(&auth.0.fields.user, &request.additional, Action::Create)?;
    additional.insert(PHONE_NUMBER.into(), Value::String(phone_number.clone()));
    additional.insert(PHONE_NUMBER_VERIFIED.into(), Value::Bool(true));
    let mut new_user = NewUser {
        name: sign_up.name(phone_number),
        email: sign_up.email(phone_number).to_lowercase(),
        email_verified: false,
        image: None,
        additional,
    };
    auth.0.hooks.before_user_create(&auth, &mut new_user).await?;
    let mut db = auth.0.db.clone();
    let user = match users::insert(&mut db, &auth.0.fields, new_user, ctx.now()).await {
        Ok(user) => user,
        Err(error) if is_unique_violation(&error) => {
            return Err(ApiError::bad_request(ErrorCode::FailedToCreateUser));
        }
        Err(error) => return Err(error.into()),
    };
    auth.0.hooks.after_user_create(&auth, &user).await;
    Ok(user)
}

/// `POST /phone-number/request-password-reset`: stores a reset code for the number
/// (whether or not a user has it) and texts it to the number's user (a verified one
/// with `requireVerification`); always `{"status": true}`.
async fn request_password_reset(
    ctx: Ctx,
    Body(request): Body<RequestPasswordResetPhoneNumberRequest>,
) -> Answer<route::RequestPasswordReset> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let user = find_by_phone_number(&auth, &request.phone_number).await?;
    let code = otp::generate(config.otp_length);
    let identifier = otp::reset_identifier(&request.phone_number);
    otp::store(&auth, config, &identifier, &format!("{code}:0")).await?;
    let eligible = user.is_some_and(|user| !config.require_verification || is_verified(&user));
    if eligible && let Some(sender) = sender(&auth, config) {
        deliver(
            sender.as_ref(),
            SmsKind::PhoneNumberReset,
            &request.phone_number,
            &code,
            sms_request(&ctx),
        )
        .await;
    }
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /phone-number/reset-password`: checks the reset code (keeping it), finds the
/// number's user (`UNEXPECTED_ERROR` without one; `PHONE_NUMBER_PENDING_VERIFICATION`
/// for an unverified number with `requireVerification`), then takes the code and sets
/// the password in one transaction (ending the user's sessions when the server revokes
/// them on password resets).
async fn reset_password(
    ctx: Ctx,
    Body(request): Body<ResetPasswordPhoneNumberRequest>,
) -> Answer<route::ResetPassword> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let identifier = otp::reset_identifier(&request.phone_number);
    check_new_password(&ctx, request.new_password.expose())?;
    let code = request.otp.expose();
    check_code(
        &auth,
        config,
        &request.phone_number,
        &identifier,
        code,
        OnSuccess::Restore,
    )
    .await?;
    let user = find_by_phone_number(&auth, &request.phone_number)
        .await?
        .ok_or_else(|| ApiError::bad_request(ErrorCode::UnexpectedError))?;
    if config.require_verification && !is_verified(&user) {
        return Err(ApiError::bad_request(ErrorCode::PhoneNumberPendingVerification));
    }
    let hash = password::hash(request.new_password.expose()).await?;
    let now = ctx.now();
    let mut tx = auth.0.db.begin().await?;
    if config.verify_otp.is_none() {
        otp::verify(&auth, &mut tx, config, &identifier, code, OnSuccess::Consume).await?;
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
    Ok(Json(StatusResponse { status: true }))
}
