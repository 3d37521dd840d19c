//! The OAuth state of a flow, kept as better-auth keeps it. With the `"database"`
//! strategy (the default): a verification value `auth-state:<state>` holding the flow's
//! JSON for ten minutes (in the table or secondary storage, so any instance can finish the
//! flow), and the state in a signed `state` cookie for five, which ties the flow to the
//! browser that began it. With the `"cookie"` strategy: the JSON encrypted with the
//! `oauth-state-cookie` purpose key in an `oauth_state` cookie for ten minutes.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{purpose_keys, random_token};
use crate::config::StateStrategy;
use crate::error::ApiResult;
use crate::request::Ctx;
use keyward_client::wire::SocialErrorCode;

/// How long the state value lives.
const STATE_LIFETIME: Duration = Duration::minutes(10);
/// How long the state cookie lives.
const COOKIE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);
/// How long the `oauth_state` cookie of the cookie strategy lives.
const STATE_COOKIE_LIFETIME: i64 = 600;
/// The purpose of the key that encrypts the cookie strategy's state.
const STATE_COOKIE_PURPOSE: &str = "oauth-state-cookie";

/// The user a link flow adds an account to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LinkTarget {
    pub user_id: String,
    pub email: String,
    /// The session that asked, encrypted with the `oauth-link-session-token` key: the
    /// link completes only while it is live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_session_token: Option<String>,
}

/// What a flow remembers between the start and the callback (better-auth's key order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StateData {
    /// The request's `additionalData`.
    #[serde(flatten)]
    pub additional_data: Map<String, Value>,
    #[serde(rename = "callbackURL")]
    pub callback_url: String,
    pub code_verifier: String,
    #[serde(default, rename = "errorURL", skip_serializing_if = "Option::is_none")]
    pub error_url: Option<String>,
    #[serde(default, rename = "newUserURL", skip_serializing_if = "Option::is_none")]
    pub new_user_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<LinkTarget>,
    /// Values the server's hooks added as the flow started (the anonymous plugin's
    /// `anonymousUserId`): unlike `additionalData`, a client cannot set them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_context: Option<Map<String, Value>>,
    /// Milliseconds since the epoch.
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_sign_up: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_state: Option<String>,
}

/// What starting a flow asks for.
pub(crate) struct NewState {
    pub callback_url: String,
    pub error_url: Option<String>,
    pub new_user_url: Option<String>,
    pub link: Option<LinkTarget>,
    pub request_sign_up: Option<bool>,
    pub additional_data: Map<String, Value>,
    pub id_token_nonce: Option<String>,
}

/// A stored flow: the state parameter and the PKCE verifier.
pub(crate) struct StartedFlow {
    pub state: String,
    pub code_verifier: String,
}

fn identifier(state: &str) -> String {
    format!("auth-state:{state}")
}

/// Stores a new flow and sets the state cookie.
pub(crate) async fn generate(ctx: &mut Ctx, new: NewState) -> ApiResult<StartedFlow> {
    let state = random_token(32);
    let code_verifier = random_token(128);
    let now = ctx.now();
    let expires = now + STATE_LIFETIME;
    let data = StateData {
        additional_data: new.additional_data,
        callback_url: new.callback_url,
        code_verifier: code_verifier.clone(),
        error_url: new.error_url,
        new_user_url: new.new_user_url,
        link: new.link,
        server_context: Some(ctx.out.oauth_server_context()).filter(|values| !values.is_empty()),
        expires_at: expires.timestamp_millis(),
        request_sign_up: new.request_sign_up,
        id_token_nonce: new.id_token_nonce,
        oauth_state: Some(state.clone()),
    };
    let json = serde_json::to_string(&data).map_err(|e| crate::ApiError::internal("state JSON", e.to_string()))?;
    let auth = ctx.auth.clone();
    if auth.0.config.account.store_state_strategy == StateStrategy::Cookie {
        let sealed = purpose_keys(&auth.0.config.secret, STATE_COOKIE_PURPOSE).encrypt(&json);
        let name = auth.0.cookies.other(&auth.0.config, "oauth_state");
        ctx.out.set_cookie(crate::cookies::SetCookie::plain(
            &name,
            &sealed,
            Some(STATE_COOKIE_LIFETIME),
            ctx.secure(),
        ));
        return Ok(StartedFlow { state, code_verifier });
    }
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(&mut db, &identifier(&state), &json, expires, now)
        .await?;
    let name = auth.0.cookies.other(&auth.0.config, "state");
    ctx.set_signed_cookie(&name, &state, Some(COOKIE_LIFETIME));
    Ok(StartedFlow { state, code_verifier })
}

/// Why a state was refused: better-auth's code, and the flow's error URL once known.
pub(crate) struct StateRejection {
    pub code: SocialErrorCode,
    pub error_url: Option<String>,
}

fn reject(code: SocialErrorCode, error_url: Option<String>) -> StateRejection {
    StateRejection { code, error_url }
}

/// Checks the callback's state against the stored flow and the browser's cookie, and
/// takes the flow (single use; a failed cookie check leaves it for a retry).
pub(crate) async fn take(ctx: &mut Ctx, state: &str) -> ApiResult<Result<StateData, StateRejection>> {
    let auth = ctx.auth.clone();
    if auth.0.config.account.store_state_strategy == StateStrategy::Cookie {
        return Ok(take_cookie(ctx, state));
    }
    let mut db = auth.0.db.clone();
    let id = identifier(state);
    let Some(row) = auth.verifications().find_latest(&mut db, &id).await? else {
        return Ok(Err(reject(SocialErrorCode::StateMismatch, None)));
    };
    let Ok(data) = serde_json::from_str::<StateData>(&row.value) else {
        return Ok(Err(reject(SocialErrorCode::InternalServerError, None)));
    };
    if data.oauth_state.as_deref().is_some_and(|stored| stored != state) {
        return Ok(Err(reject(SocialErrorCode::StateMismatch, data.error_url)));
    }
    let name = auth.0.cookies.other(&auth.0.config, "state");
    if !auth.0.config.account.skip_state_cookie_check {
        let cookie = ctx.cookies.signed(&name, &auth.0.config.secret);
        let matches = cookie
            .value()
            .is_some_and(|value| keyward_client::wire::secret::constant_time_eq(value.as_bytes(), state.as_bytes()));
        if !matches {
            return Ok(Err(reject(SocialErrorCode::StateMismatch, data.error_url)));
        }
    }
    ctx.out.expire_cookie(&name, ctx.secure());
    // Two callbacks racing with one state: only one takes it.
    let now = ctx.now();
    let taken = auth.verifications().consume_now(&auth.0.db, &id, now).await?;
    if taken.is_none() || data.expires_at < now.timestamp_millis() {
        return Ok(Err(reject(SocialErrorCode::StateMismatch, data.error_url)));
    }
    Ok(Ok(data))
}

/// The cookie strategy's check: the `oauth_state` cookie must decrypt to a flow of this
/// state that has not expired; it is cleared either way once read.
fn take_cookie(ctx: &mut Ctx, state: &str) -> Result<StateData, StateRejection> {
    let auth = ctx.auth.clone();
    let name = auth.0.cookies.other(&auth.0.config, "oauth_state");
    let Some(sealed) = ctx.cookies.get(&name).map(str::to_owned) else {
        return Err(reject(SocialErrorCode::StateMismatch, None));
    };
    ctx.out.expire_cookie(&name, ctx.secure());
    let sealed = percent_encoding::percent_decode_str(&sealed)
        .decode_utf8_lossy()
        .into_owned();
    let keys = purpose_keys(&auth.0.config.secret, STATE_COOKIE_PURPOSE);
    let Some(data) = keys
        .decrypt(&sealed)
        .ok()
        .and_then(|json| serde_json::from_str::<StateData>(&json).ok())
    else {
        return Err(reject(SocialErrorCode::StateInvalid, None));
    };
    let matches = data
        .oauth_state
        .as_deref()
        .is_some_and(|stored| keyward_client::wire::secret::constant_time_eq(stored.as_bytes(), state.as_bytes()));
    if !matches || data.expires_at < ctx.now().timestamp_millis() {
        let error_url = data.error_url.clone();
        return Err(reject(SocialErrorCode::StateMismatch, error_url));
    }
    Ok(data)
}
