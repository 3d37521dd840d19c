//! `POST /sign-in/magic-link` and `GET /magic-link/verify`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Map;
use url::Url;

use super::{MagicLink, Record, deliver, identifier, plugin};
use crate::crypto::random_string;
use crate::db::is_unique_violation;
use crate::db::users::{self, NewUser};
use crate::error::{ApiError, ApiResult};
use crate::fields::{Action, parse_input};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::Endpoints;
use crate::routes::email_verification::redirect;
use keyward_client::wire::routes::{Route, magic_link as route};
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{
    ErrorCode, MagicLinkError, MagicLinkToken, MagicLinkVerifyQuery, MagicLinkVerifyResponse, SignInMagicLinkRequest,
    StatusResponse,
};

impl Endpoint for SignInMagicLinkRequest {}
impl QueryEndpoint for MagicLinkVerifyQuery {
    const CALLBACK_FIELD: Option<&'static str> = Some("callbackURL");
}

/// Adds the magic-link routes.
pub(super) fn routes(router: Endpoints) -> Endpoints {
    router.route(route::SignIn, sign_in).route(route::Verify, verify)
}

/// The letters of better-auth's default tokens (`generateRandomString(32, "a-z", "A-Z")`).
const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// `POST /sign-in/magic-link`: stores a token for the address and sends the link to it.
/// The answer is `{"status": true}` whether or not a user has the address.
async fn sign_in(ctx: Ctx, Body(request): Body<SignInMagicLinkRequest>) -> ApiResult<Json<StatusResponse>> {
    // better-auth's formCsrfMiddleware, which runs after the body's schema.
    ctx.auth.0.origins.validate_form_csrf(&ctx.headers)?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let token = match &config.generate_token {
        Some(generator) => generator.generate(&request.email),
        None => random_string(32, LETTERS),
    };
    let record = Record {
        email: request.email.clone(),
        name: request.name.clone(),
    };
    let now = now_millis();
    let expires_at = chrono::Duration::from_std(config.expires_in)
        .ok()
        .and_then(|lifetime| now.checked_add_signed(lifetime))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(
            &mut db,
            &identifier(config, &token),
            &record.to_value(),
            expires_at,
            now,
        )
        .await?;
    let url = format!(
        "{}{}?{}",
        auth.0.config.auth_url(),
        route::Verify::PATH,
        link_query(&token, &request)
    );
    let link = MagicLink {
        email: request.email,
        url,
        token: MagicLinkToken::new(token),
        metadata: request.metadata,
    };
    deliver(&auth, config, link).await;
    Ok(Json(StatusResponse { status: true }))
}

/// The query of a link: the token, the callback (`/` unless given) and the other
/// callbacks when given, in better-auth's order and form encoding.
fn link_query(token: &str, request: &SignInMagicLinkRequest) -> String {
    let given = |url: &Option<String>| url.as_deref().filter(|url| !url.is_empty()).map(str::to_owned);
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("token", token);
    query.append_pair(
        "callbackURL",
        &given(&request.callback_url).unwrap_or_else(|| "/".into()),
    );
    if let Some(url) = given(&request.new_user_callback_url) {
        query.append_pair("newUserCallbackURL", &url);
    }
    if let Some(url) = given(&request.error_callback_url) {
        query.append_pair("errorCallbackURL", &url);
    }
    query.finish()
}

/// `url` resolved against the server's auth URL (`new URL(url, baseURL)`); `None` for
/// what does not resolve.
fn resolve(base: &Url, url: &str) -> Option<Url> {
    base.join(url).ok()
}

/// `url` with `key` set to `value` as `URLSearchParams.set` does: the first pair named
/// `key` takes the value and the others go, or the pair is added at the end; the query is
/// written again in the form encoding.
fn set_query_param(url: &mut Url, key: &str, value: &str) {
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    match pairs.iter().position(|(name, _)| name == key) {
        Some(first) => {
            pairs[first].1 = value.to_owned();
            let mut index = 0;
            pairs.retain(|(name, _)| {
                let keep = index <= first || name != key;
                index += 1;
                keep
            });
        }
        None => pairs.push((key.to_owned(), value.to_owned())),
    }
    url.query_pairs_mut().clear().extend_pairs(pairs);
}

/// Where a failed link leads: the error callback (or the callback) with `error` and,
/// when there is one, `error_description`.
fn fail(error_callback: &Url, error: &MagicLinkError, description: Option<&str>) -> Response {
    let mut url = error_callback.clone();
    set_query_param(&mut url, "error", error.as_str());
    if let Some(description) = description.filter(|d| !d.is_empty()) {
        set_query_param(&mut url, "error_description", description);
    }
    redirect(url.as_str())
}

/// `GET /magic-link/verify`: takes the token (once, unexpired), finds or creates the
/// user (a user whose address was never verified loses what they had before the proof,
/// see [`crate::hooks::revoke_unproven_account_access`]), starts a session and sets its
/// cookie. Without a `callbackURL` the answer is the session as JSON; with one, a `302`
/// to it (to `newUserCallbackURL` for a new user). Failures are `302`s to
/// `errorCallbackURL` (else the callback, else `/`) with `?error=CODE`.
async fn verify(mut ctx: Ctx, QueryOf(query): QueryOf<MagicLinkVerifyQuery>) -> ApiResult<Response> {
    let auth = ctx.auth.clone();
    // better-auth checks all three with originCheck's `callbackURL` label.
    for url in [&query.new_user_callback_url, &query.error_callback_url]
        .into_iter()
        .flatten()
    {
        auth.0.origins.validate_url(url, ErrorCode::InvalidCallbackUrl)?;
    }
    let config = plugin(&auth)?;
    let base = Url::parse(&auth.0.config.auth_url())
        .map_err(|_| ApiError::internal("the server's URL does not parse", route::Verify::PATH))?;
    let given = |url: &Option<String>| url.as_deref().filter(|url| !url.is_empty()).map(str::to_owned);
    let unresolvable = || ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidCallbackUrl);
    let callback_url =
        resolve(&base, &given(&query.callback_url).unwrap_or_else(|| "/".into())).ok_or_else(unresolvable)?;
    let error_callback = match given(&query.error_callback_url) {
        Some(url) => resolve(&base, &url).ok_or_else(unresolvable)?,
        None => callback_url.clone(),
    };
    let new_user_callback = match given(&query.new_user_callback_url) {
        Some(url) => resolve(&base, &url).ok_or_else(unresolvable)?,
        None => callback_url.clone(),
    };

    let id = identifier(config, query.token.expose());
    let mut db = auth.0.db.clone();
    let pending = auth.verifications().find_latest(&mut db, &id).await?;
    if pending.is_none_or(|row| Record::parse(&row.value).is_none()) {
        return Ok(fail(&error_callback, &MagicLinkError::InvalidToken, None));
    }
    let Some(taken) = auth.verifications().consume_now(&auth.0.db, &id, now_millis()).await? else {
        return Ok(fail(&error_callback, &MagicLinkError::InvalidToken, None));
    };
    let Some(record) = Record::parse(&taken.value) else {
        return Ok(fail(&error_callback, &MagicLinkError::InvalidToken, None));
    };

    let email = record.email.to_lowercase();
    let mut is_new_user = false;
    let user = match users::find_by_email(&mut db, &auth.0.fields, &email).await? {
        Some(user) => user,
        None if config.disable_sign_up => {
            return Ok(fail(&error_callback, &MagicLinkError::NewUserSignupDisabled, None));
        }
        None => {
            let additional = parse_input(&auth.0.fields.user, &Map::new(), Action::Create)?;
            let mut new_user = NewUser {
                name: record.name.clone().unwrap_or_default(),
                email: email.clone(),
                email_verified: true,
                image: None,
                additional,
            };
            if let Err(error) = auth.0.hooks.before_user_create(&auth, &mut new_user).await {
                // better-auth redirects with a hook's code and message, and throws the rest.
                return match error
                    .body()
                    .and_then(|body| body.code.as_ref().map(|code| (code, &body.message)))
                {
                    Some((code, message)) => Ok(fail(
                        &error_callback,
                        &MagicLinkError::parse(code.as_str()),
                        Some(message),
                    )),
                    None => Err(error),
                };
            }
            let user = match users::insert(&mut db, &auth.0.fields, new_user, ctx.now()).await {
                Ok(user) => user,
                Err(error) if is_unique_violation(&error) => {
                    return Ok(fail(&error_callback, &MagicLinkError::FailedToCreateUser, None));
                }
                Err(error) => return Err(error.into()),
            };
            auth.0.hooks.after_user_create(&auth, &user).await;
            is_new_user = true;
            user
        }
    };
    let user = if user.email_verified {
        user
    } else {
        match crate::hooks::revoke_unproven_account_access(&auth, &user.id, ctx.now()).await? {
            Some(user) => user,
            None => return Ok(fail(&error_callback, &MagicLinkError::UserNotFound, None)),
        }
    };
    let data = ctx.start_session(user, None).await?;
    if given(&query.callback_url).is_none() {
        let answer = MagicLinkVerifyResponse {
            token: data.session.token.clone(),
            user: data.user,
            session: data.session,
        };
        return Ok(Json(answer).into_response());
    }
    Ok(redirect(if is_new_user {
        new_user_callback.as_str()
    } else {
        callback_url.as_str()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_set_as_url_search_params_does() {
        let mut url = Url::parse("http://localhost:3000/dash?a=1&error=x&b=2&error=y").expect("url");
        set_query_param(&mut url, "error", "INVALID_TOKEN");
        assert_eq!(url.as_str(), "http://localhost:3000/dash?a=1&error=INVALID_TOKEN&b=2");
        let mut url = Url::parse("http://localhost:3000/?q=a%20b").expect("url");
        set_query_param(&mut url, "error_description", "no user here");
        assert_eq!(
            url.as_str(),
            "http://localhost:3000/?q=a+b&error_description=no+user+here"
        );
    }

    #[test]
    fn callbacks_resolve_against_the_server() {
        let base = Url::parse("http://localhost:3000/api/auth").expect("url");
        assert_eq!(
            resolve(&base, "/dash").expect("resolves").as_str(),
            "http://localhost:3000/dash"
        );
        assert_eq!(
            resolve(&base, "https://app.example.com/x").expect("resolves").as_str(),
            "https://app.example.com/x"
        );
    }
}
