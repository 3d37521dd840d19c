//! `POST /send-verification-email` and `GET /verify-email`.

use std::time::{Duration, Instant};

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::cookies::encode_uri_component;
use crate::db::is_unique_violation;
use crate::db::users::{self, UserChanges};
use crate::email::{Email, EmailKind};
use crate::error::{ApiError, ApiResult};
use crate::jwt::{self, JwtError};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use keyward_client::wire::routes::{self as route, Route};
use keyward_client::wire::schema::is_valid_email;
use keyward_client::wire::{
    ErrorCode, SendVerificationEmailRequest, StatusResponse, User, VerifyEmailQuery, VerifyEmailResponse,
};

impl Endpoint for SendVerificationEmailRequest {}
impl QueryEndpoint for VerifyEmailQuery {
    const CALLBACK_FIELD: Option<&'static str> = Some("callbackURL");
}

/// The claims of an email verification link (an HS256 JWT, never stored).
pub(crate) struct VerificationToken<'a> {
    /// The address the token belongs to (lowercased).
    pub email: &'a str,
    /// For email changes: the new address.
    pub update_to: Option<&'a str>,
    /// `change-email-confirmation` or `change-email-verification`.
    pub request_type: Option<&'a str>,
    /// The user it is bound to.
    pub user_id: &'a str,
}

impl VerificationToken<'_> {
    /// Signs the token with better-auth's claim order.
    pub fn sign(&self, auth: &Auth) -> Result<String, jwt::SignError> {
        let mut claims = Map::new();
        claims.insert("email".into(), Value::String(self.email.to_lowercase()));
        if let Some(update_to) = self.update_to {
            claims.insert("updateTo".into(), Value::String(update_to.to_lowercase()));
        }
        if let Some(request_type) = self.request_type {
            claims.insert("requestType".into(), Value::String(request_type.to_owned()));
        }
        claims.insert("userId".into(), Value::String(self.user_id.to_owned()));
        let expires_in = auth.0.config.email_verification.expires_in.as_secs() as i64;
        jwt::sign(
            &auth.0.config.secret,
            claims,
            chrono::Utc::now().timestamp(),
            expires_in,
        )
    }
}

/// Emails a verification link for `token` to `to`, leading to `callback_url` (or `/`).
pub(crate) async fn send_verification_email(
    auth: &Auth,
    user: &User,
    to: &str,
    token: VerificationToken<'_>,
    callback_url: Option<&str>,
) {
    // better-auth's email-OTP plugin replaces `sendVerificationEmail`, which every
    // verification email goes through (the new address's of an email change too, where no
    // user has the address yet, so no code goes out); the change confirmation is another.
    if token.request_type != Some("change-email-confirmation")
        && crate::plugins::email_otp::overrides_email_verification(auth)
    {
        crate::plugins::email_otp::send_in_place_of_link(auth, to).await;
        return;
    }
    let jwt = match token.sign(auth) {
        Ok(jwt) => jwt,
        Err(error) => {
            tracing::error!(%error, "no verification email sent");
            return;
        }
    };
    let url = format!(
        "{}{}?token={jwt}&callbackURL={}",
        auth.0.config.auth_url(),
        route::VerifyEmail::PATH,
        encode_uri_component(callback_url.unwrap_or("/"))
    );
    let kind = if token.request_type == Some("change-email-confirmation") {
        EmailKind::ChangeEmailConfirmation
    } else {
        EmailKind::VerifyEmail
    };
    let (subject, text) = match kind {
        EmailKind::ChangeEmailConfirmation => (
            "Confirm the change of your email address".to_owned(),
            format!(
                "Someone asked to change the email address of your {} account to {}. Open this link to confirm: {url}",
                auth.0.config.app_name,
                token.update_to.unwrap_or_default()
            ),
        ),
        _ => (
            "Verify your email address".to_owned(),
            format!(
                "Open this link to verify your email address for {}: {url}",
                auth.0.config.app_name
            ),
        ),
    };
    auth.send_email(Email {
        kind,
        to: to.to_owned(),
        user_id: user.id.clone(),
        subject,
        text,
        url: Some(url),
        token: jwt,
        new_email: token.update_to.map(str::to_owned),
    })
    .await;
}

/// `POST /send-verification-email`.
pub(crate) async fn send(mut ctx: Ctx, Body(request): Body<SendVerificationEmailRequest>) -> ApiResult<Response> {
    let auth = ctx.auth.clone();
    if !auth.can_send_verification_email() {
        return Err(ApiError::bad_request(ErrorCode::VerificationEmailNotEnabled));
    }
    let email = request.email.to_lowercase();
    let callback = request.callback_url.as_deref();
    let Some(session) = ctx.session().await else {
        // Same answer and at least the same time whether or not the address is known.
        let started = Instant::now();
        let mut db = auth.0.db.clone();
        if let Some(user) = users::find_by_email(&mut db, &auth.0.fields, &email).await?
            && !user.email_verified
        {
            let token = VerificationToken {
                email: &user.email,
                update_to: None,
                request_type: None,
                user_id: &user.id,
            };
            send_verification_email(&auth, &user, &user.email, token, callback).await;
        }
        if let Some(remaining) = Duration::from_millis(500).checked_sub(started.elapsed()) {
            tokio::time::sleep(remaining).await;
        }
        return Ok(Json(StatusResponse { status: true }).into_response());
    };
    let user = session.user;
    if user.email.to_lowercase() != email {
        return Err(ApiError::bad_request(ErrorCode::EmailMismatch));
    }
    if user.email_verified {
        return Err(ApiError::bad_request(ErrorCode::EmailAlreadyVerified));
    }
    let token = VerificationToken {
        email: &user.email,
        update_to: None,
        request_type: None,
        user_id: &user.id,
    };
    send_verification_email(&auth, &user, &user.email, token, callback).await;
    Ok(Json(StatusResponse { status: true }).into_response())
}

/// `callback_url` with `key=value` added to its query.
pub(crate) fn with_query_param(callback_url: &str, key: &str, value: &str) -> String {
    let (base, fragment) = match callback_url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (callback_url, None),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let pair = form_urlencoded::Serializer::new(String::new())
        .append_pair(key, value)
        .finish();
    let mut url = format!("{base}{separator}{pair}");
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// A `302` to `location` with an empty body (better-call's redirect).
pub(crate) fn redirect(location: &str) -> Response {
    match header::HeaderValue::from_str(location) {
        Ok(value) => (
            StatusCode::FOUND,
            [(header::LOCATION, value)],
            [(header::CONTENT_TYPE, "application/json")],
        )
            .into_response(),
        Err(_) => ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidCallbackUrl).into_response(),
    }
}

fn fail(callback_url: Option<&str>, code: ErrorCode) -> ApiResult<Response> {
    match callback_url {
        Some(url) => Ok(redirect(&with_query_param(url, "error", code.as_str()))),
        None => Err(ApiError::new(StatusCode::UNAUTHORIZED, code)),
    }
}

fn done(callback_url: Option<&str>, user: Option<User>) -> ApiResult<Response> {
    match callback_url {
        Some(url) => Ok(redirect(url)),
        None => Ok(Json(VerifyEmailResponse { status: true, user }).into_response()),
    }
}

/// `GET /verify-email?token=…&callbackURL=…`.
pub(crate) async fn verify(mut ctx: Ctx, QueryOf(query): QueryOf<VerifyEmailQuery>) -> ApiResult<Response> {
    let auth = ctx.auth.clone();
    let callback = query.callback_url.as_deref().filter(|url| !url.is_empty());
    let claims = match jwt::verify(
        &auth.0.config.secret,
        query.token.expose(),
        chrono::Utc::now().timestamp(),
    ) {
        Ok(claims) => claims,
        Err(JwtError::Expired) => return fail(callback, ErrorCode::TokenExpired),
        Err(JwtError::Invalid) => return fail(callback, ErrorCode::InvalidToken),
    };
    let text = |key: &str| claims.get(key).and_then(Value::as_str).map(str::to_owned);
    let Some(email) = text("email").filter(|e| is_valid_email(e)) else {
        return fail(callback, ErrorCode::InvalidToken);
    };
    let (update_to, request_type, user_id) = (text("updateTo"), text("requestType"), text("userId"));
    let mut db = auth.0.db.clone();
    let now = ctx.now();

    if let Some(update_to) = update_to {
        let Some(user_id) = user_id else {
            return fail(callback, ErrorCode::InvalidToken);
        };
        let Some(bound) = users::find_by_id(&mut db, &auth.0.fields, &user_id).await? else {
            return fail(callback, ErrorCode::UserNotFound);
        };
        if bound.email.to_lowercase() != email {
            return fail(callback, ErrorCode::InvalidToken);
        }
        let session = ctx.session().await;
        if session.as_ref().is_some_and(|s| s.user.id != bound.id) {
            return fail(callback, ErrorCode::InvalidUser);
        }
        if request_type.as_deref() == Some("change-email-confirmation") {
            let token = VerificationToken {
                email: &email,
                update_to: Some(&update_to),
                request_type: Some("change-email-verification"),
                user_id: &bound.id,
            };
            send_verification_email(&auth, &bound, &update_to, token, callback).await;
            return match callback {
                Some(url) => Ok(redirect(url)),
                None => Ok(Json(StatusResponse { status: true }).into_response()),
            };
        }
        // A change-email verification keeps the verified flag; a legacy token clears it.
        let verified = request_type.as_deref() == Some("change-email-verification") && bound.email_verified;
        let changes = UserChanges::default()
            .set("email", update_to.clone())
            .set("emailVerified", verified);
        let updated = match crate::hooks::update_user(&auth, &mut db, &bound.id, changes, now).await? {
            Ok(Some(user)) => user,
            Ok(None) => return fail(callback, ErrorCode::UserNotFound),
            Err(error) if is_unique_violation(&error) => return fail(callback, ErrorCode::UserAlreadyExists),
            Err(error) => return Err(error.into()),
        };
        auth.sessions().refresh_user(&updated).await?;
        if request_type.is_none() {
            let token = VerificationToken {
                email: &update_to,
                update_to: None,
                request_type: None,
                user_id: &bound.id,
            };
            send_verification_email(&auth, &updated, &update_to, token, callback).await;
        }
        if let Some(mut session) = session {
            session.user = updated.clone();
            ctx.set_session_cookie(&session, None);
        }
        return done(callback, Some(updated));
    }

    let Some(user) = users::find_by_email(&mut db, &auth.0.fields, &email).await? else {
        return fail(callback, ErrorCode::UserNotFound);
    };
    if user_id.as_deref().is_some_and(|id| id != user.id) {
        return fail(callback, ErrorCode::InvalidToken);
    }
    if user.email_verified {
        return done(callback, None);
    }
    let updated = crate::hooks::update_user(
        &auth,
        &mut db,
        &user.id,
        UserChanges::default().set("emailVerified", true),
        now,
    )
    .await??
    .unwrap_or(user);
    auth.sessions().refresh_user(&updated).await?;
    if auth.0.config.email_verification.auto_sign_in_after_verification {
        match ctx.session().await {
            Some(mut current) if current.user.email == email => {
                current.user = updated.clone();
                ctx.set_session_cookie(&current, None);
            }
            _ => {
                ctx.start_session(updated, None).await?;
            }
        }
    }
    done(callback, None)
}
