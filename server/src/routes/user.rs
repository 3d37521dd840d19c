//! `/update-user`, `/change-email`, `/delete-user`, `/delete-user/callback`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::email_verification::{VerificationToken, redirect, send_verification_email};
use super::sign_up::check_password_not_too_long;
use crate::cookies::encode_uri_component;
use crate::crypto::{LOWER_ALPHANUMERIC, random_string};
use crate::db::accounts;
use crate::db::is_unique_violation;
use crate::db::users::{self, UserChanges, field_arg};
use crate::email::{Email, EmailKind};
use crate::error::{ApiError, ApiResult};
use crate::fields::{Action, parse_input};
use crate::password;
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::Answer;
use keyward_client::wire::routes::{self as route, Route};
use keyward_client::wire::{
    ChangeEmailRequest, DeleteUserCallbackQuery, DeleteUserRequest, ErrorCode, StatusResponse, SuccessMessage,
    UpdateUserRequest, User,
};

impl Endpoint for UpdateUserRequest {}
impl Endpoint for ChangeEmailRequest {}
impl Endpoint for DeleteUserRequest {}
impl QueryEndpoint for DeleteUserCallbackQuery {
    const CALLBACK_FIELD: Option<&'static str> = Some("callbackURL");
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(_) => true,
    }
}

/// `POST /update-user`: name, image and configured additional fields. The email can only
/// change through `/change-email`.
pub(crate) async fn update(mut ctx: Ctx, Body(request): Body<UpdateUserRequest>) -> Answer<route::UpdateUser> {
    let mut data = ctx.require_session().await?;
    if truthy(request.additional.get("email")) {
        return Err(ApiError::bad_request(ErrorCode::EmailCanNotBeUpdated));
    }
    let auth = ctx.auth.clone();
    let additional = parse_input(&auth.0.fields.user, &request.additional, Action::Update)?;
    if request.name.is_none() && request.image.is_none() && additional.is_empty() {
        return Err(ApiError::message_only(StatusCode::BAD_REQUEST, "No fields to update"));
    }
    let mut changes = UserChanges::default();
    if let Some(name) = request.name {
        changes = changes.set("name", name);
    }
    if let Some(image) = request.image {
        changes = changes.set("image", image);
    }
    for field in &auth.0.fields.user {
        if let Some(value) = additional.get(&field.name) {
            changes.columns.push((field.name.clone(), field_arg(field, value)));
        }
    }
    let mut db = auth.0.db.clone();
    let Some(user) = crate::hooks::update_user(&auth, &mut db, &data.user.id, changes, ctx.now()).await?? else {
        return Err(ApiError::unauthorized());
    };
    auth.sessions().refresh_user(&user).await?;
    data.user = user;
    ctx.set_session_cookie(&data, None);
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /change-email`: starts the change (or makes it, for unverified users when
/// allowed). The change itself completes at `/verify-email`.
pub(crate) async fn change_email(mut ctx: Ctx, Body(request): Body<ChangeEmailRequest>) -> Answer<route::ChangeEmail> {
    let mut data = ctx.require_sensitive_session().await?;
    let auth = ctx.auth.clone();
    let config = &auth.0.config.user.change_email;
    if !config.enabled {
        return Err(ApiError::bad_request(ErrorCode::ChangeEmailDisabled));
    }
    let new_email = request.new_email.to_lowercase();
    let user = data.user.clone();
    if new_email == user.email {
        return Err(ApiError::message_only(StatusCode::BAD_REQUEST, "Email is the same"));
    }
    let without_verification = !user.email_verified && config.update_email_without_verification;
    let can_send = auth.can_send_email();
    let send_confirmation = can_send && user.email_verified && config.send_change_email_confirmation;
    if !without_verification && !can_send {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            "Verification email isn't enabled",
        ));
    }
    let ok = Json(StatusResponse { status: true });
    let mut db = auth.0.db.clone();
    if users::find_by_email(&mut db, &auth.0.fields, &new_email)
        .await?
        .is_some()
    {
        // Taken: answer as if it worked, so the endpoint cannot probe for accounts.
        return Ok(ok);
    }
    let callback = request.callback_url.as_deref();
    if without_verification {
        let changes = UserChanges::default().set("email", new_email.clone());
        let updated = match crate::hooks::update_user(&auth, &mut db, &user.id, changes, ctx.now()).await? {
            Ok(Some(updated)) => updated,
            Ok(None) => return Err(ApiError::unauthorized()),
            Err(error) if is_unique_violation(&error) => return Ok(ok),
            Err(error) => return Err(error.into()),
        };
        auth.sessions().refresh_user(&updated).await?;
        data.user = updated.clone();
        ctx.set_session_cookie(&data, None);
        if can_send {
            let token = VerificationToken {
                email: &new_email,
                update_to: None,
                request_type: None,
                user_id: &user.id,
            };
            send_verification_email(&auth, &updated, &new_email, token, callback).await;
        }
        return Ok(ok);
    }
    if send_confirmation {
        let token = VerificationToken {
            email: &user.email,
            update_to: Some(&new_email),
            request_type: Some("change-email-confirmation"),
            user_id: &user.id,
        };
        send_verification_email(&auth, &user, &user.email, token, callback).await;
        return Ok(ok);
    }
    let token = VerificationToken {
        email: &user.email,
        update_to: Some(&new_email),
        request_type: Some("change-email-verification"),
        user_id: &user.id,
    };
    send_verification_email(&auth, &user, &new_email, token, callback).await;
    Ok(ok)
}

async fn delete_account(ctx: &mut Ctx, user: &User) -> ApiResult<()> {
    remove_user_data(&ctx.auth, &user.id).await?;
    ctx.delete_session_cookies();
    Ok(())
}

/// Deletes a user with their sessions and accounts, and what the plugins' and the
/// application's `before_delete` hooks remove in the same transaction (the session hooks'
/// `before_delete` first, when they have live sessions); forgets their sessions in
/// secondary storage, then runs the `after_delete` hooks (the accounts' at the commit).
pub(crate) async fn remove_user_data(auth: &crate::auth::Auth, user_id: &str) -> ApiResult<()> {
    let mut tx = auth.0.db.begin().await?;
    let ending = crate::hooks::user_delete_cascade(auth, &mut tx, user_id).await?;
    auth.0.hooks.before_user_delete(&mut tx, user_id).await?;
    users::delete(&mut tx, user_id).await?;
    tx.commit().await?;
    auth.sessions().forget_user(user_id).await?;
    if let Some(ended) = ending {
        crate::hooks::after_session_delete(auth, &mut auth.0.db.clone(), ended).await;
    }
    auth.0.hooks.after_user_delete(auth, user_id).await;
    Ok(())
}

async fn consume_delete_token(ctx: &Ctx, user: &User, token: &str) -> ApiResult<()> {
    let identifier = format!("delete-account-{token}");
    match ctx
        .auth
        .verifications()
        .consume_now(&ctx.auth.0.db, &identifier, ctx.now())
        .await?
    {
        Some(row) if row.value == user.id => Ok(()),
        _ => Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::InvalidToken)),
    }
}

fn deleted() -> SuccessMessage {
    SuccessMessage {
        success: true,
        message: "User deleted".into(),
    }
}

/// `POST /delete-user` (when enabled): with the password, a confirmation token, an
/// emailed confirmation, or a fresh session.
pub(crate) async fn delete(mut ctx: Ctx, Body(request): Body<DeleteUserRequest>) -> Answer<route::DeleteUser> {
    let data = ctx.require_sensitive_session().await?;
    let auth = ctx.auth.clone();
    let config = &auth.0.config.user.delete_user;
    if !config.enabled {
        return Err(ApiError::empty(StatusCode::NOT_FOUND));
    }
    let user = data.user.clone();
    let mut db = auth.0.db.clone();
    let with_password = request.password.as_ref().is_some_and(|p| !p.expose().is_empty());
    if let Some(password) = request.password.as_ref().filter(|_| with_password) {
        check_password_not_too_long(&ctx, password.expose())?;
        let Some(stored) = accounts::find_credential(&mut db, &user.id)
            .await?
            .and_then(|a| a.password)
        else {
            return Err(ApiError::bad_request(ErrorCode::CredentialAccountNotFound));
        };
        if !password::verify(password.expose(), &stored).await? {
            return Err(ApiError::bad_request(ErrorCode::InvalidPassword));
        }
    }
    if let Some(token) = request.token.as_ref().filter(|t| !t.expose().is_empty()) {
        consume_delete_token(&ctx, &user, token.expose()).await?;
        delete_account(&mut ctx, &user).await?;
        return Ok(Json(deleted()));
    }
    if config.send_delete_account_verification && auth.can_send_email() {
        let token = random_string(32, LOWER_ALPHANUMERIC);
        let now = ctx.now();
        let lifetime = chrono::Duration::from_std(config.delete_token_expires_in).unwrap_or(chrono::Duration::days(1));
        auth.verifications()
            .insert(
                &mut db,
                &format!("delete-account-{token}"),
                &user.id,
                now + lifetime,
                now,
            )
            .await?;
        let url = format!(
            "{}{}?token={token}&callbackURL={}",
            auth.0.config.auth_url(),
            route::DeleteUserCallback::PATH,
            encode_uri_component(request.callback_url.as_deref().filter(|u| !u.is_empty()).unwrap_or("/"))
        );
        auth.send_email(Email {
            kind: EmailKind::DeleteAccount,
            to: user.email.clone(),
            user_id: user.id.clone(),
            subject: "Confirm deleting your account".into(),
            text: format!(
                "Open this link to delete your {} account: {url}",
                auth.0.config.app_name
            ),
            url: Some(url),
            token,
            new_email: None,
        })
        .await;
        return Ok(Json(SuccessMessage {
            success: true,
            message: "Verification email sent".into(),
        }));
    }
    if !with_password && !ctx.is_fresh(&data.session) {
        return Err(ApiError::bad_request(ErrorCode::SessionExpired));
    }
    delete_account(&mut ctx, &user).await?;
    Ok(Json(deleted()))
}

/// `GET /delete-user/callback?token=…`: the link of a deletion confirmation email.
pub(crate) async fn delete_callback(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<DeleteUserCallbackQuery>,
) -> ApiResult<Response> {
    if !ctx.auth.0.config.user.delete_user.enabled {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound));
    }
    let Ok(data) = ctx.require_sensitive_session().await else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::FailedToGetUserInfo));
    };
    consume_delete_token(&ctx, &data.user, query.token.expose()).await?;
    delete_account(&mut ctx, &data.user).await?;
    match query.callback_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => Ok(redirect(url)),
        None => Ok(Json(deleted()).into_response()),
    }
}
