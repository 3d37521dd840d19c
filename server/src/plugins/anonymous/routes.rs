//! `POST /sign-in/anonymous` and `POST /delete-anonymous-user`.

use axum::Json;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::{AnonymousConfig, COLUMN, plugin};
use crate::crypto::generate_id;
use crate::db::is_unique_violation;
use crate::db::users::{self, NewUser};
use crate::error::{ApiError, ApiResult};
use crate::fields::{Action, parse_input};
use crate::request::{Body, Ctx};
use crate::routes::{Answer, Endpoints};
use crate::session::Lookup;
use keyward_client::wire::routes::anonymous as route;
use keyward_client::wire::schema::is_valid_email;
use keyward_client::wire::{AnonymousSignInResponse, DeleteAnonymousUserResponse, EmptyRequest, ErrorCode};

/// Adds the anonymous routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::SignIn, sign_in)
        .route(route::DeleteAnonymousUser, delete_anonymous_user)
}

/// The domain of better-auth's placeholder addresses (RFC 6761's `.invalid`).
const PLACEHOLDER_DOMAIN: &str = "anonymous.placeholder.invalid";

/// A new anonymous user's address: the configured generator's, else
/// `temp-<id>@<emailDomainName>`, else `<id>@anonymous.placeholder.invalid`.
async fn anonymous_email(config: &AnonymousConfig) -> ApiResult<String> {
    if let Some(generator) = &config.generate_random_email {
        let email = generator.generate_email().await;
        if !email.is_empty() {
            if !is_valid_email(&email) {
                return Err(ApiError::bad_request(ErrorCode::InvalidEmailFormat));
            }
            return Ok(email);
        }
    }
    let id = generate_id();
    Ok(match &config.email_domain_name {
        Some(domain) if !domain.is_empty() => format!("temp-{id}@{domain}"),
        _ => format!("{id}@{PLACEHOLDER_DOMAIN}"),
    })
}

/// `POST /sign-in/anonymous`: a new user flagged `isAnonymous`, named `Anonymous` (or as
/// the generator names them), with an unverified placeholder address, signed in. A caller
/// whose session is already anonymous is refused.
async fn sign_in(mut ctx: Ctx, Body(_): Body<EmptyRequest>) -> Answer<route::SignIn> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if request_session_is_anonymous(&mut ctx).await {
        return Err(ApiError::bad_request(
            ErrorCode::AnonymousUsersCannotSignInAgainAnonymously,
        ));
    }
    let email = anonymous_email(config).await?;
    let name = match &config.generate_name {
        Some(generator) => generator.generate_name(&ctx.headers).await,
        None => String::new(),
    };
    let mut additional = parse_input(&auth.0.fields.user, &Map::new(), Action::Create)?;
    additional.insert(COLUMN.to_owned(), Value::Bool(true));
    let mut new_user = NewUser {
        name: if name.is_empty() { "Anonymous".to_owned() } else { name },
        email: email.to_lowercase(),
        email_verified: false,
        image: None,
        additional,
    };
    auth.0.hooks.before_user_create(&auth, &mut new_user).await?;
    let mut db = auth.0.db.clone();
    let user = match users::insert(&mut db, &auth.0.fields, new_user, ctx.now()).await {
        Ok(user) => user,
        Err(error) if is_unique_violation(&error) => {
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::FailedToCreateUser,
            ));
        }
        Err(error) => return Err(error.into()),
    };
    auth.0.hooks.after_user_create(&auth, &user).await;
    let data = ctx.start_session(user, None).await?;
    Ok(Json(AnonymousSignInResponse {
        token: data.session.token,
        user: data.user,
    }))
}

/// Whether the request carries a session whose user is anonymous (better-auth's
/// `getSessionFromCtx` without refreshing it).
async fn request_session_is_anonymous(ctx: &mut Ctx) -> bool {
    let lookup = Lookup {
        disable_refresh: true,
        ..Lookup::default()
    };
    ctx.get_session(lookup)
        .await
        .ok()
        .flatten()
        .is_some_and(|data| data.user.is_anonymous())
}

/// `POST /delete-anonymous-user`: deletes the signed-in anonymous user with their sessions
/// and accounts, and their cookies. `400 DELETE_ANONYMOUS_USER_DISABLED` when deletion is
/// off, `403 USER_IS_NOT_ANONYMOUS` for anyone else.
async fn delete_anonymous_user(mut ctx: Ctx, Body(_): Body<EmptyRequest>) -> Answer<route::DeleteAnonymousUser> {
    let data = ctx.require_sensitive_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    if config.disable_delete_anonymous_user {
        return Err(ApiError::bad_request(ErrorCode::DeleteAnonymousUserDisabled));
    }
    if !data.user.is_anonymous() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::UserIsNotAnonymous));
    }
    crate::routes::remove_user_data(&auth, &data.user.id)
        .await
        .map_err(|error| {
            tracing::error!(error = %crate::log_safe::Escaped(&error), "failed to delete an anonymous user");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::FailedToDeleteAnonymousUser,
            )
        })?;
    ctx.delete_session_cookies();
    Ok(Json(DeleteAnonymousUserResponse { success: true }))
}
