//! `POST /sign-in/social` and `POST /link-social`; the callback of both flows is in
//! [`callback`].

mod callback;

pub(crate) use callback::{callback, callback_post};

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::email_verification::{VerificationToken, send_verification_email};
use crate::db::accounts::AccountTokens;
use crate::error::{ApiError, ApiResult};
use crate::log_safe::Escaped;
use crate::origin::origin_of;
use crate::request::{Body, Ctx, Endpoint};
use crate::social::state::{self, LinkTarget, NewState};
use crate::social::user_info::{self, IncomingAccount};
use crate::social::{
    AuthorizationRequest, Endpoints, Provider, ProviderError, ProviderProfile, ProviderTokens, RESERVED_PARAMS,
    TokenVault, purpose_keys, random_token,
};
use keyward_client::wire::{
    ErrorCode, IdTokenCredential, LinkSocialRequest, LinkSocialResponse, SignInResponse, SignInSocialRequest,
    SocialRedirect,
};

impl Endpoint for SignInSocialRequest {}
impl Endpoint for LinkSocialRequest {}

/// The purpose of the key that encrypts a link flow's session token.
const LINK_SESSION_PURPOSE: &str = "oauth-link-session-token";

fn provider_of(ctx: &Ctx, id: &str) -> ApiResult<std::sync::Arc<Provider>> {
    ctx.auth
        .0
        .providers
        .get(id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::ProviderNotFound))
}

/// A provider whose discovery document cannot be fetched: `502` with a code of its own
/// (better-auth leaves such a provider out until its discovery succeeds).
fn unavailable(provider: &str, error: &ProviderError) -> ApiError {
    tracing::warn!(provider = %Escaped(provider), %error, "provider unavailable");
    ApiError::new(StatusCode::BAD_GATEWAY, ErrorCode::ProviderUnavailable)
}

fn check_additional_params(params: Option<&std::collections::BTreeMap<String, String>>) -> ApiResult<()> {
    if params.is_some_and(|params| params.keys().any(|k| RESERVED_PARAMS.contains(&k.as_str()))) {
        return Err(ApiError::validation(format!(
            "[body.additionalParams] additionalParams cannot include reserved OAuth parameters: {}",
            RESERVED_PARAMS.join(", ")
        )));
    }
    Ok(())
}

/// The tokens of a code exchange as an account row stores them.
fn stored_tokens(ctx: &Ctx, tokens: &ProviderTokens) -> AccountTokens {
    let vault = TokenVault::of(&ctx.auth);
    AccountTokens {
        access_token: vault.seal(tokens.access_token.as_deref()),
        refresh_token: vault.seal(tokens.refresh_token.as_deref()),
        id_token: tokens.id_token.clone(),
        access_token_expires_at: tokens.access_token_expires_at,
        refresh_token_expires_at: tokens.refresh_token_expires_at,
        scope: Some(tokens.scopes.join(",")),
    }
}

/// The site's origin, better-auth's default `callbackURL`.
fn default_callback(ctx: &Ctx) -> String {
    origin_of(ctx.auth.0.config.base_url.as_str()).unwrap_or_else(|| ctx.auth.0.config.base_url.to_string())
}

struct Start<'a> {
    provider: &'a Provider,
    endpoints: &'a Endpoints,
    scopes: &'a [String],
    login_hint: Option<&'a str>,
    additional_params: Option<&'a std::collections::BTreeMap<String, String>>,
    disable_redirect: bool,
}

/// Stores the flow, builds the provider URL and answers `{url, redirect}` (with
/// `Location` unless redirecting is off).
async fn start_flow(ctx: &mut Ctx, start: Start<'_>, new_state: NewState) -> ApiResult<(String, bool)> {
    let nonce = new_state.id_token_nonce.clone();
    let flow = state::generate(ctx, new_state).await?;
    let redirect_uri = start.provider.redirect_uri(&ctx.auth.0.config.auth_url());
    let params: Vec<(String, String)> = start
        .additional_params
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let request = AuthorizationRequest {
        state: &flow.state,
        code_verifier: &flow.code_verifier,
        redirect_uri: &redirect_uri,
        scopes: start.scopes,
        login_hint: start.login_hint,
        nonce: nonce.as_deref(),
        additional_params: &params,
    };
    let url = start
        .provider
        .authorization_url(start.endpoints, &request)
        .map_err(|e| unavailable(&start.provider.config.id, &e))?
        .to_string();
    let redirect = !start.disable_redirect;
    if redirect {
        ctx.set_header(header::LOCATION, &url);
    }
    Ok((url, redirect))
}

/// The provider a `/sign-in/social` request names and its endpoints (`404` for an unknown
/// provider, `502` for one whose discovery fails).
async fn sign_in_provider(
    ctx: &Ctx,
    request: &SignInSocialRequest,
) -> ApiResult<(std::sync::Arc<Provider>, std::sync::Arc<Endpoints>)> {
    let provider = provider_of(ctx, &request.provider)?;
    check_additional_params(request.additional_params.as_ref())?;
    let http = ctx.auth.0.providers.http.clone();
    let endpoints = provider
        .endpoints(&http)
        .await
        .map_err(|e| unavailable(&provider.config.id, &e))?;
    Ok((provider, endpoints))
}

/// `POST /sign-in/social`: the provider's URL to open, or, with an ID token from a native
/// SDK, a session.
pub(crate) async fn sign_in(mut ctx: Ctx, Body(request): Body<SignInSocialRequest>) -> ApiResult<Response> {
    let (provider, endpoints) = sign_in_provider(&ctx, &request).await?;
    if let Some(credential) = &request.id_token {
        let request_sign_up = request.request_sign_up.unwrap_or(false);
        return id_token_sign_in(&mut ctx, &provider, &endpoints, credential, request_sign_up).await;
    }
    let redirect = redirect_flow(&mut ctx, &request, &provider, &endpoints).await?;
    Ok(Json(redirect).into_response())
}

/// The redirect flow of `POST /sign-in/social` (a request without an ID token), started
/// in-process for `ctx`: the flow's state and cookie are queued on `ctx`, and so is the
/// `Location` of the provider URL unless the request turns redirecting off. The electron
/// plugin's `/electron/init-oauth-proxy` starts its sign-ins this way.
pub(crate) async fn start_social_sign_in(ctx: &mut Ctx, request: &SignInSocialRequest) -> ApiResult<SocialRedirect> {
    let (provider, endpoints) = sign_in_provider(ctx, request).await?;
    redirect_flow(ctx, request, &provider, &endpoints).await
}

async fn redirect_flow(
    ctx: &mut Ctx,
    request: &SignInSocialRequest,
    provider: &Provider,
    endpoints: &Endpoints,
) -> ApiResult<SocialRedirect> {
    let nonce = provider.binds_nonce(endpoints).then(|| random_token(32));
    let new_state = NewState {
        callback_url: request
            .callback_url
            .clone()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| default_callback(ctx)),
        error_url: request.error_callback_url.clone(),
        new_user_url: request.new_user_callback_url.clone(),
        link: None,
        request_sign_up: request.request_sign_up,
        additional_data: request.additional_data.clone().unwrap_or_default(),
        id_token_nonce: nonce,
    };
    let start = Start {
        provider,
        endpoints,
        scopes: request.scopes.as_deref().unwrap_or_default(),
        login_hint: request.login_hint.as_deref(),
        additional_params: request.additional_params.as_ref(),
        disable_redirect: request.disable_redirect.unwrap_or(false),
    };
    let (url, redirect) = start_flow(ctx, start, new_state).await?;
    Ok(SocialRedirect { url, redirect })
}

/// Verifies an ID token and the profile in it, for sign-in and linking.
async fn verified_profile(
    ctx: &Ctx,
    provider: &Provider,
    endpoints: &Endpoints,
    credential: &IdTokenCredential,
) -> ApiResult<(ProviderProfile, ProviderTokens)> {
    if !provider.supports_id_token(endpoints) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::IdTokenNotSupported));
    }
    let http = &ctx.auth.0.providers.http;
    let token = credential.token.expose();
    if let Some(profile) = provider.opaque_token_profile(http, token).await {
        let Some(profile) = profile else {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::FailedToGetUserInfo));
        };
        if profile.email.is_none() {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::UserEmailNotFound));
        }
        let tokens = ProviderTokens {
            access_token: credential.access_token.as_ref().map(|t| t.expose().to_owned()),
            id_token: Some(token.to_owned()),
            ..ProviderTokens::default()
        };
        return Ok((profile, tokens));
    }
    let claims = provider
        .verify_id_token(http, endpoints, token, credential.nonce.as_deref())
        .await
        .map_err(|error| {
            tracing::info!(provider = %Escaped(&provider.config.id), %error, "ID token refused");
            ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidToken)
        })?;
    let tokens = ProviderTokens {
        access_token: credential.access_token.as_ref().map(|t| t.expose().to_owned()),
        refresh_token: credential.refresh_token.as_ref().map(|t| t.expose().to_owned()),
        id_token: Some(token.to_owned()),
        ..ProviderTokens::default()
    };
    let Some(profile) = provider
        .profile(http, endpoints, &tokens, Some(claims), credential.user.as_ref())
        .await
    else {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::FailedToGetUserInfo));
    };
    if profile.email.is_none() {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::UserEmailNotFound));
    }
    Ok((profile, tokens))
}

async fn id_token_sign_in(
    ctx: &mut Ctx,
    provider: &Provider,
    endpoints: &Endpoints,
    credential: &IdTokenCredential,
    request_sign_up: bool,
) -> ApiResult<Response> {
    let (profile, tokens) = verified_profile(ctx, provider, endpoints, credential).await?;
    // better-auth 1.7.25 stores only the access and ID tokens of this flow.
    let stored = AccountTokens {
        access_token: TokenVault::of(&ctx.auth).seal(tokens.access_token.as_deref()),
        id_token: tokens.id_token.clone(),
        ..AccountTokens::default()
    };
    let config = &provider.config;
    let disable_sign_up = (config.disable_implicit_sign_up && !request_sign_up) || config.disable_sign_up;
    let incoming = IncomingAccount {
        provider_id: &config.id,
        profile: &profile,
        tokens: stored,
    };
    let resolved =
        match user_info::resolve(ctx, incoming, disable_sign_up, config.override_user_info_on_sign_in).await? {
            Ok(resolved) => resolved,
            Err(user_info::Refusal::Hook(error)) => return Err(error),
            Err(refusal) => {
                return Err(ApiError::with_message(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::OauthLinkError,
                    refusal.message(),
                ));
            }
        };
    if config.require_email_verification && !resolved.user.email_verified {
        send_verification_on_sign_in(ctx, &resolved.user, None).await;
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::EmailNotVerified));
    }
    let data = ctx.start_session(resolved.user, None).await?;
    Ok(Json(SignInResponse {
        redirect: false,
        token: data.session.token,
        url: None,
        user: data.user,
    })
    .into_response())
}

/// A provider that requires verified addresses met an unverified user: the verification
/// e-mail goes out where the server sends one on sign-in.
async fn send_verification_on_sign_in(ctx: &Ctx, user: &keyward_client::wire::User, callback_url: Option<&str>) {
    let auth = ctx.auth.clone();
    if auth.0.config.email_verification.send_on_sign_in && auth.can_send_email() {
        let token = VerificationToken {
            email: &user.email,
            update_to: None,
            request_type: None,
            user_id: &user.id,
        };
        send_verification_email(&auth, user, &user.email, token, callback_url).await;
    }
}

/// `POST /link-social`: links another provider account to the signed-in user, by a
/// redirect flow or an ID token.
pub(crate) async fn link(mut ctx: Ctx, Body(request): Body<LinkSocialRequest>) -> ApiResult<Response> {
    let session = ctx.require_sensitive_session().await?;
    let provider = provider_of(&ctx, &request.provider)?;
    check_additional_params(request.additional_params.as_ref())?;
    let http = ctx.auth.0.providers.http.clone();
    let endpoints = provider
        .endpoints(&http)
        .await
        .map_err(|e| unavailable(&provider.config.id, &e))?;
    if let Some(credential) = &request.id_token {
        link_id_token(&ctx, &provider, &endpoints, credential, &session.user).await?;
        return Ok(Json(LinkSocialResponse {
            url: String::new(),
            redirect: false,
            status: Some(true),
        })
        .into_response());
    }
    let keys = purpose_keys(&ctx.auth.0.config.secret, LINK_SESSION_PURPOSE);
    let new_state = NewState {
        callback_url: request
            .callback_url
            .clone()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| default_callback(&ctx)),
        error_url: request.error_callback_url.clone(),
        new_user_url: None,
        link: Some(LinkTarget {
            user_id: session.user.id.clone(),
            email: session.user.email.clone(),
            encrypted_session_token: Some(keys.encrypt(session.session.token.expose())),
        }),
        request_sign_up: request.request_sign_up,
        additional_data: request.additional_data.clone().unwrap_or_default(),
        id_token_nonce: provider.binds_nonce(&endpoints).then(|| random_token(32)),
    };
    let start = Start {
        provider: &provider,
        endpoints: &endpoints,
        scopes: request.scopes.as_deref().unwrap_or_default(),
        login_hint: request.login_hint.as_deref(),
        additional_params: request.additional_params.as_ref(),
        disable_redirect: request.disable_redirect.unwrap_or(false),
    };
    let (url, redirect) = start_flow(&mut ctx, start, new_state).await?;
    Ok(Json(LinkSocialResponse {
        url,
        redirect,
        status: None,
    })
    .into_response())
}

async fn link_id_token(
    ctx: &Ctx,
    provider: &Provider,
    endpoints: &Endpoints,
    credential: &IdTokenCredential,
    user: &keyward_client::wire::User,
) -> ApiResult<()> {
    use crate::db::accounts;
    let (profile, tokens) = verified_profile(ctx, provider, endpoints, credential).await?;
    let vault = TokenVault::of(&ctx.auth);
    let stored = AccountTokens {
        access_token: vault.seal(tokens.access_token.as_deref()),
        refresh_token: vault.seal(tokens.refresh_token.as_deref()),
        id_token: tokens.id_token.clone(),
        ..AccountTokens::default()
    };
    let auth = ctx.auth.clone();
    let linking = &auth.0.config.account.account_linking;
    let mut db = auth.0.db.clone();
    let id = &provider.config.id;
    if let Some(existing) = accounts::find_by_provider(&mut db, id, &profile.account_id).await? {
        if existing.user_id != user.id {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::SocialAccountAlreadyLinked,
            ));
        }
        let changes = accounts::AccountChanges::tokens(stored);
        crate::hooks::update_account(&auth, &mut db, &existing, changes, ctx.now()).await??;
        return Ok(());
    }
    let trusted = linking.trusted_providers.iter().any(|p| p == id);
    if (!trusted && !profile.email_verified) || !linking.enabled {
        return Err(ApiError::with_message(
            StatusCode::UNAUTHORIZED,
            ErrorCode::LinkingNotAllowed,
            "Account not linked - linking not allowed",
        ));
    }
    let email = profile.email.as_deref().unwrap_or_default();
    if email.to_lowercase() != user.email.to_lowercase() && !linking.allow_different_emails {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::LinkingDifferentEmailsNotAllowed,
        ));
    }
    if crate::hooks::insert_oauth_account(&ctx.auth, &mut db, &user.id, id, &profile.account_id, stored, ctx.now())
        .await?
        .is_err()
    {
        return Err(ApiError::with_message(
            StatusCode::EXPECTATION_FAILED,
            ErrorCode::LinkingFailed,
            "Account not linked - unable to create account",
        ));
    }
    Ok(())
}
