//! The two-factor plugin (better-auth `twoFactor`): `/two-factor/enable`, `/disable`,
//! the TOTP, OTP and backup-code endpoints, and the step that turns an email sign-in of a
//! two-factor user into a challenge.

mod backup_codes;
mod challenge;
mod config;
mod env;
mod otp;
mod otp_sender;
mod schema;
mod store;
mod totp;

pub use config::{
    AccountLockoutConfig, BackupCodeConfig, BackupCodeStorage, OtpConfig, OtpStorage, TotpConfig, TwoFactorConfig,
};

pub use otp_sender::{EmailOtpSender, OtpSender, TwoFactorCode};

pub(crate) use backup_codes::view_backup_codes;
pub(crate) use otp_sender::otp_sender;

use std::borrow::Cow;

use axum::Json;
use axum::http::StatusCode;
use serde_json::Value;

use crate::auth::Auth;
use std::sync::Arc;

use super::Builtin;
use crate::config::{AdditionalField, RateLimitRule};
use crate::crypto::totp::Totp;
use crate::crypto::{ALPHANUMERIC, URL_SAFE, random_string};
use crate::db::FieldType;
use crate::db::Tx;
use crate::db::{Lock, accounts, users};
use schema::two_factor_table;

use crate::error::{ApiError, ApiResult};
use crate::hooks::UserHooks;
use crate::password;
use crate::plugin::{Plugin, Setup};
use crate::request::{Body, Ctx, Endpoint};
use crate::routes::Answer;
use crate::routes::Endpoints;
use crate::routes::check_password_not_too_long;
use keyward_client::wire::routes::two_factor as route;
use keyward_client::wire::schema::{FieldKind, FieldSpec, RequestSchema};
use keyward_client::wire::{
    BackupCode, EnableTwoFactorRequest, EnableTwoFactorResponse, ErrorCode, Password, StatusResponse, TotpUri,
    TwoFactorMethod, TwoFactorPasswordRequest, User,
};

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "two-factor",
    enable: |config| config.two_factor = Some(TwoFactorConfig::default()),
    is_enabled: |config| config.two_factor.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .two_factor
            .is_some()
            .then(|| Arc::new(TwoFactorPlugin) as Arc<dyn Plugin>)
    },
};

/// The two-factor plugin: the `twoFactorEnabled` user field, the `twoFactor` table, a
/// strict rate limit on `/two-factor/*`, the removal of a deleted user's secrets, and the
/// routes.
pub(crate) struct TwoFactorPlugin;

impl Plugin for TwoFactorPlugin {
    fn id(&self) -> &'static str {
        "two-factor"
    }

    fn setup(&self, setup: &mut Setup) {
        setup
            .user_field(
                AdditionalField::new("twoFactorEnabled", FieldType::Boolean)
                    .server_only()
                    .default_value(false),
            )
            .table(two_factor_table())
            .rate_limit(
                "/two-factor/*",
                RateLimitRule {
                    window: std::time::Duration::from_secs(10),
                    max: 3,
                },
            )
            .user_hooks(DeleteTwoFactorRows)
            .sign_in_step(challenge::ChallengeSignIn);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes(endpoints)
    }
}

/// Removes a deleted user's two-factor row.
struct DeleteTwoFactorRows;

#[async_trait::async_trait]
impl UserHooks for DeleteTwoFactorRows {
    async fn before_delete(&self, tx: &mut Tx, user_id: &str) -> ApiResult<()> {
        store::delete_for_user(tx, user_id).await?;
        Ok(())
    }
}

/// Adds the `/two-factor/*` routes.
fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::Enable, enable)
        .route(route::Disable, disable)
        .route(route::GetTotpUri, totp::get_uri)
        .route(route::VerifyTotp, totp::verify)
        .route(route::SendOtp, otp::send)
        .route(route::VerifyOtp, otp::verify)
        .route(route::GenerateBackupCodes, backup_codes::generate)
        .route(route::VerifyBackupCode, backup_codes::verify)
}

/// A password field that servers allowing passwordless users make optional.
fn password_fields(auth: &Auth, fields: &'static [FieldSpec]) -> Cow<'static, [FieldSpec]> {
    let passwordless = auth.0.config.two_factor.as_ref().is_some_and(|c| c.allow_passwordless);
    if !passwordless {
        return Cow::Borrowed(fields);
    }
    Cow::Owned(
        fields
            .iter()
            .map(|field| match field.name {
                "password" => FieldSpec::optional("password", FieldKind::String),
                _ => *field,
            })
            .collect(),
    )
}

impl Endpoint for EnableTwoFactorRequest {
    fn fields(auth: &Auth) -> Cow<'static, [FieldSpec]> {
        password_fields(auth, Self::FIELDS)
    }
}

impl Endpoint for TwoFactorPasswordRequest {
    fn fields(auth: &Auth) -> Cow<'static, [FieldSpec]> {
        password_fields(auth, <Self as RequestSchema>::FIELDS)
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&TwoFactorConfig> {
    auth.0
        .config
        .two_factor
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// Whether the user has two-factor switched on.
pub(crate) fn is_enabled(user: &User) -> bool {
    user.additional.get("twoFactorEnabled") == Some(&Value::Bool(true))
}

async fn set_enabled(auth: &Auth, user_id: &str, enabled: bool) -> ApiResult<User> {
    let mut db = auth.0.db.clone();
    let changes = users::UserChanges::default().set("twoFactorEnabled", enabled);
    let user = crate::hooks::update_user(
        auth,
        &mut db,
        user_id,
        changes,
        keyward_client::wire::time::now_millis(),
    )
    .await??
    .ok_or_else(|| ApiError::bad_request(ErrorCode::UserNotFound))?;
    auth.sessions().refresh_user(&user).await?;
    Ok(user)
}

/// The password rule of the two-factor endpoints: required and checked, unless the server
/// allows passwordless users and this user has no password. Users without a password
/// account cost one hash too, so the answer's timing says nothing.
async fn check_password(
    ctx: &Ctx,
    config: &TwoFactorConfig,
    user_id: &str,
    password: Option<&Password>,
) -> ApiResult<()> {
    let mut db = ctx.auth.0.db.clone();
    let stored = accounts::find_credential(&mut db, user_id)
        .await?
        .and_then(|account| account.password);
    if config.allow_passwordless && stored.is_none() {
        return Ok(());
    }
    let invalid = || ApiError::bad_request(ErrorCode::InvalidPassword);
    let password = password.ok_or_else(invalid)?;
    check_password_not_too_long(ctx, password.expose())?;
    match stored {
        Some(stored) if password::verify(password.expose(), &stored).await? => Ok(()),
        Some(_) => Err(invalid()),
        None => {
            password::hash(password.expose()).await?;
            Err(invalid())
        }
    }
}

/// The TOTP generator for a stored (encrypted) secret.
fn totp_for(auth: &Auth, config: &TwoFactorConfig, encrypted: &str) -> ApiResult<Totp> {
    let secret = auth
        .0
        .encryption
        .decrypt(encrypted)
        .map_err(|e| ApiError::internal("two-factor secret", e))?;
    let key = crate::crypto::totp::key_for_secret(&secret)
        .ok_or_else(|| ApiError::internal("two-factor secret", "bad base32 secret"))?;
    Ok(Totp::new(key).with_format(config.totp.digits, config.totp.period))
}

/// A new set of backup codes and its stored form.
fn new_backup_codes(auth: &Auth, config: &TwoFactorConfig) -> (Vec<BackupCode>, String) {
    let length = config.backup_codes.length;
    let codes: Vec<String> = (0..config.backup_codes.amount)
        .map(|_| {
            let raw = random_string(length, ALPHANUMERIC);
            let (head, tail) = raw.split_at(length.min(5));
            format!("{head}-{tail}")
        })
        .collect();
    let stored = encode_backup_codes(auth, config, &codes);
    (codes.into_iter().map(BackupCode::new).collect(), stored)
}

fn encode_backup_codes(auth: &Auth, config: &TwoFactorConfig, codes: &[String]) -> String {
    let json = serde_json::to_string(codes).unwrap_or_else(|_| "[]".to_owned());
    match config.backup_codes.storage {
        BackupCodeStorage::Encrypted => auth.0.encryption.encrypt(&json),
        BackupCodeStorage::Plain => json,
    }
}

/// The stored backup codes; `Ok(None)` when they do not parse, an error when they do not
/// decrypt.
fn decode_backup_codes(auth: &Auth, config: &TwoFactorConfig, stored: &str) -> ApiResult<Option<Vec<String>>> {
    let json = match config.backup_codes.storage {
        BackupCodeStorage::Encrypted => auth
            .0
            .encryption
            .decrypt(stored)
            .map_err(|e| ApiError::internal("two-factor backup codes", e))?,
        BackupCodeStorage::Plain => stored.to_owned(),
    };
    Ok(serde_json::from_str(&json).ok())
}

/// `POST /two-factor/enable`.
async fn enable(mut ctx: Ctx, Body(request): Body<EnableTwoFactorRequest>) -> Answer<route::Enable> {
    let data = ctx.require_sensitive_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    check_password(&ctx, config, &data.user.id, request.password.as_ref()).await?;
    let method = request.method.unwrap_or_default();
    if method == TwoFactorMethod::Otp && auth.0.otp_sender.is_none() {
        return Err(ApiError::bad_request(ErrorCode::OtpNotConfigured));
    }
    if method == TwoFactorMethod::Totp && config.totp.disabled {
        return Err(ApiError::bad_request(ErrorCode::TotpNotConfigured));
    }
    if method == TwoFactorMethod::Otp {
        let user = set_enabled(&auth, &data.user.id, true).await?;
        ctx.rotate_session(&data.session, user).await?;
        return Ok(Json(EnableTwoFactorResponse {
            method,
            totp_uri: None,
            backup_codes: None,
        }));
    }
    let mut db = auth.0.db.clone();
    let existing = store::find_by_user(&mut db, &data.user.id).await?;
    if existing.as_ref().is_some_and(|row| row.is_verified()) {
        return Err(ApiError::bad_request(ErrorCode::TotpAlreadyEnabled));
    }
    let (backup_codes, stored_codes) = new_backup_codes(&auth, config);
    let secret = random_string(32, URL_SAFE);
    let encrypted = auth.0.encryption.encrypt(&secret);
    let verified = config.skip_verification_on_enable;
    if verified {
        let user = set_enabled(&auth, &data.user.id, true).await?;
        ctx.rotate_session(&data.session, user).await?;
    }
    // The row is looked up again under the user's lock and written with it: parallel
    // enables leave one TOTP row (the last secret), not one row each.
    let mut tx = auth.0.db.begin().await?;
    tx.lock(Lock::TwoFactor(&data.user.id)).await?;
    match store::find_by_user(&mut tx, &data.user.id).await? {
        Some(row) if row.is_verified() => return Err(ApiError::bad_request(ErrorCode::TotpAlreadyEnabled)),
        Some(row) => store::reset_secret(&mut tx, &row.id, &encrypted, &stored_codes, verified).await?,
        None => store::insert(&mut tx, &data.user.id, &encrypted, &stored_codes, verified).await?,
    }
    tx.commit().await?;
    let issuer = request
        .issuer
        .or_else(|| config.issuer.clone())
        .unwrap_or_else(|| auth.0.config.app_name.clone());
    let totp = Totp::new(secret.into_bytes()).with_format(config.totp.digits, config.totp.period);
    Ok(Json(EnableTwoFactorResponse {
        method,
        totp_uri: Some(TotpUri::new(totp.uri(&issuer, &data.user.email))),
        backup_codes: Some(backup_codes),
    }))
}

/// `POST /two-factor/disable`: removes the second factor and any trusted device.
async fn disable(mut ctx: Ctx, Body(request): Body<TwoFactorPasswordRequest>) -> Answer<route::Disable> {
    let data = ctx.require_sensitive_session().await?;
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    check_password(&ctx, config, &data.user.id, request.password.as_ref()).await?;
    let user = set_enabled(&auth, &data.user.id, false).await?;
    let mut db = auth.0.db.clone();
    store::delete_for_user(&mut db, &user.id).await?;
    ctx.rotate_session(&data.session, user).await?;
    let names = auth.0.cookies.clone();
    let trusted = ctx
        .cookies
        .signed(&names.trust_device, &auth.0.config.secret)
        .value()
        .map(str::to_owned);
    if let Some(value) = trusted {
        if let Some((_, trust_id)) = value.split_once('!') {
            auth.verifications().delete(&mut db, trust_id).await?;
        }
        ctx.out.expire_cookie(&names.trust_device, names.secure);
    }
    Ok(Json(StatusResponse { status: true }))
}
