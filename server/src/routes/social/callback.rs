//! `GET|POST /callback/{id}`: where the provider sends the browser back, for sign-in and
//! link flows alike. Every failure is a redirect to the flow's error URL with a code.

use axum::extract::{Path, RawQuery};
use axum::response::Response;
use serde_json::Value;

use super::{LINK_SESSION_PURPOSE, Start, default_callback, send_verification_on_sign_in, start_flow, stored_tokens};
use crate::db::accounts::AccountTokens;
use crate::error::{ApiError, ApiResult};
use crate::log_safe::Escaped;
use crate::request::{Body, Ctx, Endpoint, raw_query};
use crate::routes::email_verification::{VerificationToken, redirect, send_verification_email};
use crate::social::state::{self, LinkTarget, NewState, StateData};
use crate::social::user_info::{self, IncomingAccount};
use crate::social::{Provider, ProviderProfile, purpose_keys, random_token};
use keyward_client::wire::routes::{self as route, Route};
use keyward_client::wire::schema::validate_query;
use keyward_client::wire::{CallbackParams, SocialErrorCode};

impl Endpoint for CallbackParams {}

/// `?error=<code>[&error_description=…]` on `url` (better-auth's error redirect).
fn error_redirect(url: &str, code: &str, description: Option<&str>) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("error", code);
    if let Some(description) = description {
        query.append_pair("error_description", description);
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    redirect(&format!("{url}{separator}{}", query.finish()))
}

/// better-auth's default error page: `onAPIError.errorURL`, else `{baseURL}/error`.
fn default_error_url(ctx: &Ctx) -> String {
    ctx.auth
        .0
        .config
        .error_url
        .clone()
        .unwrap_or_else(|| format!("{}{}", ctx.auth.0.config.auth_url(), route::ErrorPage::PATH))
}

/// `POST /callback/{id}` (`response_mode=form_post`): a redirect to the `GET` with the
/// posted parameters (the query's win).
pub(crate) async fn callback_post(
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    Body(posted): Body<CallbackParams>,
) -> ApiResult<Response> {
    let query = raw_query(query.as_deref());
    validate_query::<CallbackParams>(&Value::Object(query.clone())).map_err(ApiError::validation)?;
    let from_query: CallbackParams =
        serde_json::from_value(Value::Object(query)).map_err(|e| ApiError::validation(format!("[query] {e}")))?;
    let merged = CallbackParams {
        code: from_query.code.or(posted.code),
        error: from_query.error.or(posted.error),
        device_id: from_query.device_id.or(posted.device_id),
        error_description: from_query.error_description.or(posted.error_description),
        state: from_query.state.or(posted.state),
        user: from_query.user.or(posted.user),
        iss: from_query.iss.or(posted.iss),
    };
    let encoded = serde_urlencoded_params(&merged);
    let base = format!(
        "{}{}",
        ctx.auth.0.config.auth_url(),
        route::SocialCallback::path_with(&id)
    );
    Ok(redirect(&if encoded.is_empty() {
        base
    } else {
        format!("{base}?{encoded}")
    }))
}

fn serde_urlencoded_params(params: &CallbackParams) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    let fields = [
        ("code", &params.code),
        ("error", &params.error),
        ("device_id", &params.device_id),
        ("error_description", &params.error_description),
        ("state", &params.state),
        ("user", &params.user),
        ("iss", &params.iss),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    query.finish()
}

/// `GET /callback/{id}`: the provider sends the browser back here. Every failure is a
/// redirect to the flow's error URL with a code, never an error page of this server.
pub(crate) async fn callback(mut ctx: Ctx, Path(id): Path<String>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let query = Value::Object(raw_query(query.as_deref()));
    validate_query::<CallbackParams>(&query).map_err(ApiError::validation)?;
    let params: CallbackParams =
        serde_json::from_value(query).map_err(|e| ApiError::validation(format!("[query] {e}")))?;
    let default_error = default_error_url(&ctx);
    if params.state.is_none()
        && params.code.is_some()
        && let Some(provider) = ctx.auth.0.providers.get(&id)
        && provider.config.is_generic()
        && provider.config.allow_idp_initiated
    {
        return restart_flow(&mut ctx, &provider, &default_error).await;
    }
    let Some(state_param) = params.state.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(error_redirect(
            &default_error,
            SocialErrorCode::StateNotFound.as_str(),
            None,
        ));
    };
    let data = match state::take(&mut ctx, state_param).await? {
        Ok(data) => {
            ctx.out
                .set_oauth_server_context(data.server_context.clone().unwrap_or_default());
            data
        }
        Err(rejection) => {
            let url = rejection.error_url.unwrap_or(default_error);
            return Ok(error_redirect(&url, rejection.code.as_str(), None));
        }
    };
    let error_url = data.error_url.clone().unwrap_or(default_error);
    if let Some(error) = &params.error {
        return Ok(error_redirect(&error_url, error, params.error_description.as_deref()));
    }
    let Some(code) = params.code.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(error_redirect(&error_url, SocialErrorCode::NoCode.as_str(), None));
    };
    let Some(provider) = ctx.auth.0.providers.get(&id) else {
        return Ok(error_redirect(
            &error_url,
            SocialErrorCode::OauthProviderNotFound.as_str(),
            None,
        ));
    };
    match finish(&mut ctx, &provider, &data, code, &params).await? {
        Ok(location) => Ok(redirect(&location)),
        Err((code, description)) => Ok(error_redirect(&error_url, code.as_str(), description.as_deref())),
    }
}

/// A sign-in the provider started (a code without a state): a fresh flow of this
/// browser, back to the provider, which answers at once for a signed-in user.
async fn restart_flow(ctx: &mut Ctx, provider: &Provider, default_error: &str) -> ApiResult<Response> {
    let http = ctx.auth.0.providers.http.clone();
    let Ok(endpoints) = provider.endpoints(&http).await else {
        return Ok(error_redirect(
            default_error,
            SocialErrorCode::OauthProviderNotFound.as_str(),
            None,
        ));
    };
    let new_state = NewState {
        callback_url: default_callback(ctx),
        error_url: None,
        new_user_url: None,
        link: None,
        request_sign_up: None,
        additional_data: serde_json::Map::new(),
        id_token_nonce: provider.binds_nonce(&endpoints).then(|| random_token(32)),
    };
    let start = Start {
        provider,
        endpoints: &endpoints,
        scopes: &[],
        login_hint: None,
        additional_params: None,
        disable_redirect: true,
    };
    let (url, _) = start_flow(ctx, start, new_state).await?;
    Ok(redirect(&url))
}

/// A failed callback: the code, and a description where a hook gave one.
type Failure = (SocialErrorCode, Option<String>);

/// The callback after the state checked out: exchange, user info, then sign-in or link.
/// `Ok(location)` on success, `Err(code)` for the error redirect.
async fn finish(
    ctx: &mut Ctx,
    provider: &Provider,
    data: &StateData,
    code: &str,
    params: &CallbackParams,
) -> ApiResult<Result<String, Failure>> {
    let http = ctx.auth.0.providers.http.clone();
    let id = &provider.config.id;
    let Ok(endpoints) = provider.endpoints(&http).await else {
        return Ok(Err((SocialErrorCode::OauthProviderNotFound, None)));
    };
    if let (Some(iss), Some(issuer)) = (&params.iss, &endpoints.issuer)
        && provider.config.is_generic()
        && iss != issuer
    {
        return Ok(Err((SocialErrorCode::IssuerMismatch, None)));
    }
    if provider.binds_nonce(&endpoints) && data.id_token_nonce.is_none() {
        return Ok(Err((SocialErrorCode::NonceBindingMissing, None)));
    }
    let redirect_uri = provider.redirect_uri(&ctx.auth.0.config.auth_url());
    let tokens = match provider
        .exchange_code(&http, &endpoints, code, &data.code_verifier, &redirect_uri)
        .await
    {
        Ok(tokens) => tokens,
        Err(error) => {
            tracing::info!(provider = %Escaped(id), %error, "code exchange failed");
            return Ok(Err((SocialErrorCode::InvalidCode, None)));
        }
    };
    let mut verified = None;
    if provider.config.is_generic()
        && endpoints.id_token.is_some()
        && let Some(id_token) = &tokens.id_token
    {
        match provider
            .verify_id_token(&http, &endpoints, id_token, data.id_token_nonce.as_deref())
            .await
        {
            Ok(claims) => verified = Some(claims),
            Err(error) => {
                tracing::info!(provider = %Escaped(id), %error, "ID token refused");
                return Ok(Err((SocialErrorCode::UnableToGetUserInfo, None)));
            }
        }
    }
    let apple_user = params
        .user
        .as_deref()
        .and_then(|u| serde_json::from_str::<Value>(u).ok());
    let Some(mut profile) = provider
        .profile(&http, &endpoints, &tokens, verified, apple_user.as_ref())
        .await
    else {
        return Ok(Err((SocialErrorCode::UnableToGetUserInfo, None)));
    };
    let stored = stored_tokens(ctx, &tokens);
    if let Some(link) = &data.link {
        return complete_link(ctx, provider, data, link, &profile, stored, &tokens.scopes).await;
    }
    let Some(email) = profile.email.clone() else {
        return Ok(Err((SocialErrorCode::EmailNotFound, None)));
    };
    profile.email = Some(email);
    let config = &provider.config;
    let disable_sign_up =
        (config.disable_implicit_sign_up && data.request_sign_up != Some(true)) || config.disable_sign_up;
    let incoming = IncomingAccount {
        provider_id: id,
        profile: &profile,
        tokens: stored,
    };
    let resolved =
        match user_info::resolve(ctx, incoming, disable_sign_up, config.override_user_info_on_sign_in).await? {
            Ok(resolved) => resolved,
            Err(refusal) => return Ok(Err((refusal.code(), refusal.description()))),
        };
    let auth = ctx.auth.clone();
    if resolved.is_register
        && !resolved.user.email_verified
        && auth.0.config.email_verification.send_on_sign_up == Some(true)
        && auth.can_send_email()
    {
        let user = &resolved.user;
        let token = VerificationToken {
            email: &user.email,
            update_to: None,
            request_type: None,
            user_id: &user.id,
        };
        send_verification_email(&auth, user, &user.email, token, Some(&data.callback_url)).await;
    }
    if config.require_email_verification && !resolved.user.email_verified {
        send_verification_on_sign_in(ctx, &resolved.user, Some(&data.callback_url)).await;
        return Ok(Err((SocialErrorCode::EmailNotVerified, None)));
    }
    let is_register = resolved.is_register;
    if let Err(error) = ctx.start_session(resolved.user, None).await {
        tracing::warn!(provider = %Escaped(id), ?error, "session not created after a provider sign-in");
        return Ok(Err((SocialErrorCode::UnableToCreateSession, None)));
    }
    let location = match (&data.new_user_url, is_register) {
        (Some(new_user), true) => new_user.clone(),
        _ => data.callback_url.clone(),
    };
    Ok(Ok(location))
}

/// The end of a `/link-social` flow: the account joins the user who asked, while the
/// session that asked is still live.
async fn complete_link(
    ctx: &mut Ctx,
    provider: &Provider,
    data: &StateData,
    link: &LinkTarget,
    profile: &ProviderProfile,
    stored: AccountTokens,
    granted: &[String],
) -> ApiResult<Result<String, Failure>> {
    if let Some(sealed) = &link.encrypted_session_token {
        let keys = purpose_keys(&ctx.auth.0.config.secret, LINK_SESSION_PURPOSE);
        let Ok(token) = keys.decrypt(sealed) else {
            return Ok(Err((SocialErrorCode::UnableToLinkAccount, None)));
        };
        let auth = ctx.auth.clone();
        let live = auth
            .sessions()
            .find_with_user(&mut auth.0.db.clone(), &token)
            .await?
            .filter(|s| s.session.user_id == link.user_id && s.session.expires_at > ctx.now());
        if live.is_none() {
            return Ok(Err((SocialErrorCode::UnableToLinkAccount, None)));
        }
    }
    let incoming = IncomingAccount {
        provider_id: &provider.config.id,
        profile,
        tokens: stored,
    };
    Ok(
        match user_info::link(ctx, &link.user_id, &link.email, incoming, granted).await? {
            Ok(()) => Ok(data.callback_url.clone()),
            Err(code) => Err((code, None)),
        },
    )
}
