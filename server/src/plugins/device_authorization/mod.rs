//! The device-authorization plugin (better-auth `deviceAuthorization`, RFC 8628):
//! `POST /device/code`, `POST /device/token`, `GET /device`, `POST /device/approve` and
//! `POST /device/deny`.
//!
//! Each request is a row of the `deviceCode` table, kept as better-auth keeps it, so a
//! code issued by either server is claimed, approved and redeemed at the other on a
//! shared database. The polling state machine is better-auth's `redeemDeviceCode`: an
//! unknown code or another client's is `invalid_grant`, a poll within the interval
//! `slow_down` (the interval counts from the last poll that was not itself too early), an
//! expired code `expired_token` (and gone), a pending one `authorization_pending`, a
//! denied one `access_denied` (and gone); an approved one is taken once, atomically, for a
//! new session of the user who approved it. A user approves or denies only a code they
//! claimed first by opening `GET /device?user_code=…` while signed in, and `GET /device`
//! is rate-limited to five requests per code lifetime, so user codes cannot be guessed.

mod config;
mod env;
mod routes;
mod schema;
mod store;

pub use config::{ClientValidator, CodeGenerator, DeviceAuthRequestHook, DeviceAuthorizationConfig};

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use url::Url;

use super::Builtin;
use crate::auth::Auth;
use crate::config::RateLimitRule;
use crate::crypto::{ALPHANUMERIC, generate_id, random_string};
use crate::db::{is_unique_violation, users};
use crate::error::{ApiError, ApiResult};
use crate::plugin::{Endpoints, Plugin, Setup};
use crate::request::Ctx;
use crate::session::Lookup;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{
    DeviceCode, DeviceCodeRequest, DeviceCodeResponse, DeviceCodeStatus, DeviceDecisionResponse, DeviceTokenRequest,
    DeviceTokenResponse, DeviceVerifyResponse, OAuthErrorCode, SessionData, UserCode,
};
use store::DeviceCodeRow;

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "device-authorization",
    enable: |config| config.device_authorization = Some(DeviceAuthorizationConfig::default()),
    is_enabled: |config| config.device_authorization.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .device_authorization
            .is_some()
            .then(|| Arc::new(DeviceAuthorizationPlugin) as Arc<dyn Plugin>)
    },
};

/// The device-authorization plugin: the `deviceCode` table, the routes and the rate limit
/// of `GET /device`.
pub(crate) struct DeviceAuthorizationPlugin;

impl Plugin for DeviceAuthorizationPlugin {
    fn id(&self) -> &'static str {
        "device-authorization"
    }

    fn setup(&self, setup: &mut Setup) {
        let window = setup.config().device_authorization.as_ref().map_or_else(
            || DeviceAuthorizationConfig::default().expires_in,
            |config| config.expires_in,
        );
        setup.table(schema::device_code_table());
        // better-auth: five verifications per code lifetime and client, so a user code
        // (8 characters of 32) cannot be found by trying.
        setup.rate_limit("/device", RateLimitRule { window, max: 5 });
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The alphabet of user codes: no `0`, `1`, `I` or `O` to misread.
pub(crate) const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Codes are stored in columns better-auth bounds to this many characters.
const MAX_CODE_CHARS: usize = 191;

/// Tries at making codes that no request holds yet.
const CODE_ATTEMPTS: usize = 3;

/// The plugin's configuration (its routes exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&DeviceAuthorizationConfig> {
    auth.0
        .config
        .device_authorization
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

fn oauth(status: StatusCode, error: OAuthErrorCode, description: &str) -> ApiError {
    ApiError::oauth(status, error, description)
}

fn bad_request(error: OAuthErrorCode, description: &str) -> ApiError {
    oauth(StatusCode::BAD_REQUEST, error, description)
}

fn server_error(description: &str) -> ApiError {
    oauth(
        StatusCode::INTERNAL_SERVER_ERROR,
        OAuthErrorCode::ServerError,
        description,
    )
}

fn invalid_client() -> ApiError {
    bad_request(OAuthErrorCode::InvalidClient, "Invalid client ID")
}

fn invalid_user_code() -> ApiError {
    bad_request(OAuthErrorCode::InvalidRequest, "Invalid user code")
}

/// `now` plus `lifetime`, or the latest time there is.
fn expiry(now: DateTime<Utc>, lifetime: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lifetime)
        .ok()
        .and_then(|lifetime| now.checked_add_signed(lifetime))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A user code as typed: letters and digits only, upper case.
fn normalize_user_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// better-auth's `findDeviceCodeByUserCode`: the code exactly as given, else, when it
/// reads as a default-alphabet code once dashes, spaces and case are dropped, that one.
async fn find_by_user_code(auth: &Auth, user_code: &str) -> ApiResult<Option<DeviceCodeRow>> {
    let mut db = auth.0.db.clone();
    let exact = store::find_by_user_code(&mut db, user_code)
        .await?
        .filter(|row| row.user_code == user_code);
    if exact.is_some() {
        return Ok(exact);
    }
    let normalized = normalize_user_code(user_code);
    let default_alphabet = !normalized.is_empty() && normalized.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    if normalized == user_code || !default_alphabet {
        return Ok(None);
    }
    Ok(store::find_by_user_code(&mut db, &normalized)
        .await?
        .filter(|row| row.user_code == normalized))
}

/// A generated code, refused when longer than the columns hold.
fn checked_code(code: String, label: &str) -> ApiResult<String> {
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(bad_request(
            OAuthErrorCode::InvalidRequest,
            &format!("Generated {label} code must be at most {MAX_CODE_CHARS} characters"),
        ));
    }
    Ok(code)
}

/// The verification page and the same page with the code, as better-auth builds them:
/// the configured URI (default `/device`) resolved against the base URL.
fn verification_uris(auth: &Auth, configured: Option<&str>, user_code: &str) -> ApiResult<(String, String)> {
    let config = &auth.0.config;
    let base = format!("{}{}", config.base_url.as_str().trim_end_matches('/'), config.base_path);
    let uri = configured.filter(|uri| !uri.is_empty()).unwrap_or("/device");
    let page = Url::parse(uri)
        .or_else(|_| Url::parse(&base).and_then(|base| base.join(uri)))
        .map_err(|error| ApiError::internal("the device verification URI is not a URL", error))?;
    let mut complete = page.clone();
    let others: Vec<(String, String)> = page
        .query_pairs()
        .filter(|(name, _)| name != "user_code")
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    complete
        .query_pairs_mut()
        .clear()
        .extend_pairs(others)
        .append_pair("user_code", user_code);
    Ok((page.to_string(), complete.to_string()))
}

/// `POST /device/code`: a new request of `client_id` and its codes.
pub(crate) async fn request_code(ctx: &Ctx, request: DeviceCodeRequest) -> ApiResult<DeviceCodeResponse> {
    let auth = &ctx.auth;
    let config = plugin(auth)?;
    let non_empty = |value: Option<String>| value.filter(|value| !value.is_empty());
    let client_id = non_empty(Some(request.client_id))
        .ok_or_else(|| bad_request(OAuthErrorCode::InvalidRequest, "client_id is required"))?;
    let scope = non_empty(request.scope);
    let user_id = non_empty(request.user_id);
    if let Some(validator) = &config.validate_client
        && !validator.is_valid(&client_id)
    {
        return Err(invalid_client());
    }
    if let Some(hook) = &config.on_device_auth_request {
        hook.on_request(&client_id, scope.as_deref());
    }
    let now = now_millis();
    let interval_ms = i64::try_from(config.interval.as_millis()).unwrap_or(i64::MAX);
    let mut db = auth.0.db.clone();
    for _ in 0..CODE_ATTEMPTS {
        let device_code = checked_code(
            match &config.generate_device_code {
                Some(generator) => generator.generate(),
                None => random_string(config.device_code_length, ALPHANUMERIC),
            },
            "device",
        )?;
        let user_code = checked_code(
            match &config.generate_user_code {
                Some(generator) => generator.generate(),
                None => random_string(config.user_code_length, USER_CODE_ALPHABET),
            },
            "user",
        )?;
        let row = DeviceCodeRow {
            id: generate_id(),
            device_code,
            user_code,
            user_id: user_id.clone(),
            expires_at: expiry(now, config.expires_in),
            status: DeviceCodeStatus::Pending.as_str().to_owned(),
            last_polled_at: None,
            polling_interval: Some(interval_ms),
            client_id: Some(client_id.clone()),
            scope: scope.clone(),
        };
        match store::insert(&mut db, &row).await {
            Ok(()) => {}
            Err(error) if is_unique_violation(&error) => continue,
            Err(error) => return Err(error.into()),
        }
        let (verification_uri, verification_uri_complete) =
            verification_uris(auth, config.verification_uri.as_deref(), &row.user_code)?;
        return Ok(DeviceCodeResponse {
            device_code: DeviceCode::new(row.device_code),
            user_code: UserCode::new(row.user_code),
            verification_uri,
            verification_uri_complete,
            expires_in: config.expires_in.as_secs(),
            interval: config.interval.as_secs(),
        });
    }
    Err(server_error("Failed to generate a unique device code"))
}

/// `POST /device/token`: one poll (see the module documentation for the answers); a new
/// session for the approving user once approved.
pub(crate) async fn redeem(ctx: &Ctx, request: DeviceTokenRequest) -> ApiResult<DeviceTokenResponse> {
    let auth = &ctx.auth;
    let config = plugin(auth)?;
    if let Some(validator) = &config.validate_client
        && !validator.is_valid(&request.client_id)
    {
        return Err(invalid_client());
    }
    let invalid_grant = || bad_request(OAuthErrorCode::InvalidGrant, "Invalid device code");
    let mut db = auth.0.db.clone();
    let row = store::find_by_device_code(&mut db, request.device_code.expose())
        .await?
        .filter(|row| row.device_code == request.device_code.expose())
        .ok_or_else(invalid_grant)?;
    if row
        .client_id
        .as_deref()
        .is_some_and(|client| client != request.client_id)
    {
        return Err(bad_request(OAuthErrorCode::InvalidGrant, "Client ID mismatch"));
    }
    let now = now_millis();
    if let (Some(last), Some(interval)) = (row.last_polled_at, row.polling_interval)
        && interval != 0
        && (now - last).num_milliseconds() < interval
    {
        return Err(bad_request(OAuthErrorCode::SlowDown, "Polling too frequently"));
    }
    store::set_last_polled(&mut db, &row.id, now).await?;
    if row.expires_at < now {
        store::delete(&mut db, &row.id).await?;
        return Err(bad_request(OAuthErrorCode::ExpiredToken, "Device code has expired"));
    }
    let user_id = match (DeviceCodeStatus::parse(&row.status), &row.user_id) {
        (DeviceCodeStatus::Pending, _) => {
            return Err(bad_request(
                OAuthErrorCode::AuthorizationPending,
                "Authorization pending",
            ));
        }
        (DeviceCodeStatus::Denied, _) => {
            store::delete(&mut db, &row.id).await?;
            return Err(bad_request(OAuthErrorCode::AccessDenied, "Access denied"));
        }
        (DeviceCodeStatus::Approved, Some(user_id)) => user_id.clone(),
        _ => return Err(server_error("Invalid device code status")),
    };
    let user = users::find_by_id(&mut db, &auth.0.fields, &user_id)
        .await?
        .ok_or_else(|| server_error("User not found"))?;
    let taken = store::consume_approved(&mut db, &row.id, &request.client_id)
        .await?
        .filter(|taken| taken.user_id.is_some())
        .ok_or_else(invalid_grant)?;
    let session = ctx.create_session(&user, false).await?;
    let expires_in = (session.expires_at - now_millis()).num_milliseconds().div_euclid(1000);
    Ok(DeviceTokenResponse {
        access_token: session.token,
        token_type: "Bearer".to_owned(),
        expires_in,
        scope: taken.scope.unwrap_or_default(),
    })
}

/// better-auth's `getAuthoritativeSessionFromCtx`: the request's session read from the
/// database (never the cookie cache), or `None`.
async fn authoritative_session(ctx: &mut Ctx) -> Option<SessionData> {
    let lookup = Lookup {
        disable_cookie_cache: true,
        ..Lookup::default()
    };
    let resolved = ctx.get_session(lookup).await.unwrap_or(None);
    ctx.session_cache = Some(resolved.clone());
    resolved
}

/// `GET /device`: the status of `user_code`; a signed-in caller claims it when nobody
/// has, and the claimant also learns the client and scopes asking.
pub(crate) async fn verify(ctx: &mut Ctx, user_code: &UserCode) -> ApiResult<DeviceVerifyResponse> {
    let auth = ctx.auth.clone();
    plugin(&auth)?;
    let mut row = find_by_user_code(&auth, user_code.expose())
        .await?
        .ok_or_else(invalid_user_code)?;
    if row.expires_at < now_millis() {
        return Err(bad_request(OAuthErrorCode::ExpiredToken, "User code has expired"));
    }
    let session = authoritative_session(ctx).await;
    let viewer = session.as_ref().map(|data| data.user.id.clone());
    if let Some(viewer) = &viewer
        && row.user_id.is_none()
        && row.status == DeviceCodeStatus::Pending.as_str()
    {
        let mut db = auth.0.db.clone();
        if store::claim(&mut db, &row.id, viewer).await? {
            row.user_id = Some(viewer.clone());
        } else {
            let current = store::find(&mut db, &row.id).await?.ok_or_else(invalid_user_code)?;
            row.user_id = current.user_id;
            row.status = current.status;
        }
    }
    let can_review = viewer.is_some() && row.user_id == viewer;
    Ok(DeviceVerifyResponse {
        user_code: user_code.clone(),
        status: DeviceCodeStatus::parse(&row.status),
        client_id: if can_review { row.client_id } else { None },
        scope: if can_review { row.scope } else { None },
    })
}

/// What the user decides at `POST /device/approve` or `POST /device/deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Approve: the next poll gets a session.
    Approve,
    /// Deny: the next poll gets `access_denied`.
    Deny,
}

/// `POST /device/approve` and `POST /device/deny`: the signed-in user who claimed
/// `user_code` decides it.
pub(crate) async fn decide(
    ctx: &mut Ctx,
    user_code: &UserCode,
    decision: Decision,
) -> ApiResult<DeviceDecisionResponse> {
    let auth = ctx.auth.clone();
    plugin(&auth)?;
    let Some(session) = authoritative_session(ctx).await else {
        return Err(oauth(
            StatusCode::UNAUTHORIZED,
            OAuthErrorCode::Unauthorized,
            "Authentication required",
        ));
    };
    let row = find_by_user_code(&auth, user_code.expose())
        .await?
        .ok_or_else(invalid_user_code)?;
    let processed = || bad_request(OAuthErrorCode::InvalidRequest, "Device code already processed");
    if row.expires_at < now_millis() {
        return Err(bad_request(OAuthErrorCode::ExpiredToken, "User code has expired"));
    }
    if row.status != DeviceCodeStatus::Pending.as_str() {
        return Err(processed());
    }
    let Some(claimant) = &row.user_id else {
        return Err(bad_request(
            OAuthErrorCode::InvalidRequest,
            "Device code has not been claimed by a verifying session; call `GET /device` with the `user_code` while signed in before approving or denying",
        ));
    };
    let (status, verb) = match decision {
        Decision::Approve => (DeviceCodeStatus::Approved, "approve"),
        Decision::Deny => (DeviceCodeStatus::Denied, "deny"),
    };
    if *claimant != session.user.id {
        return Err(oauth(
            StatusCode::FORBIDDEN,
            OAuthErrorCode::AccessDenied,
            &format!("You are not authorized to {verb} this device authorization"),
        ));
    }
    let mut db = auth.0.db.clone();
    if !store::decide(&mut db, &row.id, status.as_str(), &session.user.id).await? {
        return Err(processed());
    }
    Ok(DeviceDecisionResponse { success: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_user_codes_are_normalized() {
        assert_eq!(normalize_user_code("abcd-2345"), "ABCD2345");
        assert_eq!(normalize_user_code(" ab cd\t23-45 "), "ABCD2345");
        assert_eq!(normalize_user_code("ä-ß"), "");
    }

    #[test]
    fn default_codes_use_better_auths_alphabets() {
        let user_code = random_string(8, USER_CODE_ALPHABET);
        assert_eq!(user_code.len(), 8);
        assert!(user_code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)));
        assert!(!user_code.contains(['0', '1', 'I', 'O']));
        assert_eq!(USER_CODE_ALPHABET.len(), 32);
    }

    #[test]
    fn generated_codes_are_bounded() {
        assert!(checked_code("x".repeat(191), "device").is_ok());
        let long = checked_code("é".repeat(192), "user").expect_err("too long");
        assert_eq!(
            long.oauth_body().map(|body| body.error_description.as_str()),
            Some("Generated user code must be at most 191 characters")
        );
    }
}
