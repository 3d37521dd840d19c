//! The passkey plugin (`@better-auth/passkey`): WebAuthn registration and sign-in.
//!
//! The options endpoints answer SimpleWebAuthn's JSON and keep the challenge in a
//! verification row named by the signed `better-auth-passkey` cookie; the verify endpoints
//! take that row (once) and check the authenticator's answer with `webauthn-rs-core`.
//! Passkeys are stored as SimpleWebAuthn stores them, so better-auth and Keyward verify
//! each other's passkeys.

use crate::log_safe::Escaped;
use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, COSEAlgorithm, COSEKey, Credential, ParsedAttestation, ParsedAttestationData,
    PublicKeyCredential, RegisterPublicKeyCredential, RegisteredExtensions, UserVerificationPolicy,
};

use crate::auth::Auth;
use std::sync::Arc;

use super::Builtin;
use crate::crypto::{
    ALPHANUMERIC, LOWER_ALPHANUMERIC, base64, base64url, decode_base64_any, generate_id, random_bytes, random_string,
};
use crate::db::{Lock, users};
use schema::passkey_table;

use crate::error::{ApiError, ApiResult};
use crate::plugin::{Plugin, Setup};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::Endpoints;
use keyward_client::wire::routes::passkey as route;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{
    AuthenticatorSelection, CreationOptions, CredentialDescriptor, CredentialParameter, DeletePasskeyRequest,
    DeviceType, ErrorCode, Passkey, RegisterOptionsQuery, RelyingParty, RequestOptions, StatusResponse,
    UpdatePasskeyRequest, UpdatePasskeyResponse, UserEntity, VerifyAuthenticationRequest, VerifyRegistrationRequest,
    VerifyRegistrationResponse, split_transports,
};

mod attestation;
mod ceremony;
mod config;
mod ed25519;
mod env;
mod schema;
mod store;

pub use config::PasskeyConfig;

use ceremony::{authenticate_options, register_options, verify_authentication, verify_registration};

use crate::routes::Answer;
use attestation::attested_parts;

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "passkey",
    enable: |config| config.passkey = Some(PasskeyConfig::default()),
    is_enabled: |config| config.passkey.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .passkey
            .is_some()
            .then(|| Arc::new(PasskeyPlugin) as Arc<dyn Plugin>)
    },
};

/// The passkey plugin: the `passkey` table and the routes.
pub(crate) struct PasskeyPlugin;

impl Plugin for PasskeyPlugin {
    fn id(&self) -> &'static str {
        "passkey"
    }

    fn setup(&self, setup: &mut Setup) {
        setup.table(passkey_table());
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes(endpoints)
    }
}

/// Adds the `/passkey/*` routes.
fn routes(router: Endpoints) -> Endpoints {
    router
        .route(route::GenerateRegisterOptions, register_options)
        .route(route::VerifyRegistration, verify_registration)
        .route(route::GenerateAuthenticateOptions, authenticate_options)
        .route(route::VerifyAuthentication, verify_authentication)
        .route(route::ListUserPasskeys, list)
        .route(route::DeletePasskey, delete)
        .route(route::UpdatePasskey, update)
}

/// Milliseconds a ceremony may take (SimpleWebAuthn's default).
const CEREMONY_TIMEOUT_MS: u64 = 60_000;

/// The algorithms new passkeys may use, in SimpleWebAuthn's order (better-auth's
/// `pubKeyCredParams`): EdDSA first, so that authenticators that can make Ed25519 keys
/// do, then ES256 and RS256.
const ALGORITHMS: [COSEAlgorithm; 3] = [COSEAlgorithm::EDDSA, COSEAlgorithm::ES256, COSEAlgorithm::RS256];

/// The algorithms `webauthn-rs-core` 0.6 registers and verifies itself; Ed25519 keys, which
/// it cannot load, are registered and verified through [`ed25519`].
const WEBAUTHN_RS_ALGORITHMS: [COSEAlgorithm; 2] = [COSEAlgorithm::ES256, COSEAlgorithm::RS256];

impl Endpoint for VerifyRegistrationRequest {}
impl Endpoint for VerifyAuthenticationRequest {}
impl Endpoint for DeletePasskeyRequest {}
impl QueryEndpoint for RegisterOptionsQuery {}

impl Endpoint for UpdatePasskeyRequest {
    fn check(body: &serde_json::Map<String, Value>) -> Result<(), String> {
        match body.get("name").and_then(Value::as_str) {
            Some(name) if name.trim().is_empty() => {
                Err("[body.name] Too small: expected string to have >=1 characters".to_owned())
            }
            _ => Ok(()),
        }
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&PasskeyConfig> {
    auth.0
        .config
        .passkey
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// The relying party id: configured, else the base URL's host (better-auth's rule).
fn rp_id(auth: &Auth, config: &PasskeyConfig) -> String {
    config
        .rp_id
        .clone()
        .or_else(|| auth.0.config.base_url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned())
}

fn rp_name(auth: &Auth, config: &PasskeyConfig) -> String {
    config.rp_name.clone().unwrap_or_else(|| auth.0.config.app_name.clone())
}

/// What the verification row of a ceremony holds (better-auth's JSON, so a challenge made
/// by one server can be answered at another sharing the database).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChallengeRecord {
    #[serde(rename = "type")]
    ceremony: String,
    expected_challenge: String,
    user_data: ChallengeUser,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    context: Option<Value>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChallengeUser {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
}

const REGISTRATION: &str = "registration";
const AUTHENTICATION: &str = "authentication";

/// Stores a ceremony's challenge and sets the signed cookie that names it.
async fn store_challenge(ctx: &Ctx, config: &PasskeyConfig, record: &ChallengeRecord) -> ApiResult<()> {
    let auth = &ctx.auth;
    let token = random_string(32, ALPHANUMERIC);
    let now = now_millis();
    let expires = now + chrono::Duration::from_std(config.challenge_max_age).unwrap_or(chrono::Duration::minutes(5));
    let value = serde_json::to_string(record).map_err(|e| ApiError::internal("passkey challenge", e))?;
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(&mut db, &token, &value, expires, now)
        .await?;
    let name = auth.0.cookies.other(&auth.0.config, &config.challenge_cookie);
    ctx.set_signed_cookie(&name, &token, Some(config.challenge_max_age));
    Ok(())
}

/// Takes the challenge the cookie names (once), if it is of the expected ceremony.
async fn take_challenge(ctx: &Ctx, config: &PasskeyConfig, ceremony: &str) -> ApiResult<ChallengeRecord> {
    let auth = &ctx.auth;
    let not_found = || ApiError::bad_request(ErrorCode::ChallengeNotFound);
    let name = auth.0.cookies.other(&auth.0.config, &config.challenge_cookie);
    let signed = ctx.cookies.signed(&name, &auth.0.config.secret);
    let token = signed.value().ok_or_else(not_found)?;
    let row = auth
        .verifications()
        .consume_now(&auth.0.db, token, now_millis())
        .await?
        .ok_or_else(not_found)?;
    let record: ChallengeRecord = serde_json::from_str(&row.value).map_err(|_| not_found())?;
    if record.ceremony != ceremony {
        return Err(not_found());
    }
    Ok(record)
}

fn challenge_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    random_bytes(&mut bytes);
    bytes
}

fn descriptor(passkey: &Passkey) -> CredentialDescriptor {
    CredentialDescriptor {
        id: passkey.credential_id.clone(),
        kind: "public-key".to_owned(),
        transports: passkey.transports.as_deref().map(|t| split_transports(Some(t))),
    }
}

/// `GET /passkey/list-user-passkeys`.
async fn list(mut ctx: Ctx) -> Answer<route::ListUserPasskeys> {
    let data = ctx.require_session().await?;
    plugin(&ctx.auth)?;
    let mut db = ctx.auth.0.db.clone();
    Ok(Json(store::list_for_user(&mut db, &data.user.id).await?))
}

/// better-auth's `requireResourceOwnership`: the passkey must exist (404) and be the
/// caller's (401).
async fn owned_passkey(ctx: &mut Ctx, id: &str, forbidden: Option<ErrorCode>) -> ApiResult<Passkey> {
    let data = ctx.require_session().await?;
    if id.is_empty() {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            "Missing required parameter: id",
        ));
    }
    let mut db = ctx.auth.0.db.clone();
    let passkey = store::find(&mut db, id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::PasskeyNotFound))?;
    if passkey.user_id != data.user.id {
        return Err(match forbidden {
            Some(code) => ApiError::new(StatusCode::UNAUTHORIZED, code),
            None => ApiError::empty(StatusCode::UNAUTHORIZED),
        });
    }
    Ok(passkey)
}

/// `POST /passkey/delete-passkey`.
async fn delete(mut ctx: Ctx, Body(request): Body<DeletePasskeyRequest>) -> Answer<route::DeletePasskey> {
    plugin(&ctx.auth)?;
    let passkey = owned_passkey(&mut ctx, &request.id, None).await?;
    let mut db = ctx.auth.0.db.clone();
    store::delete(&mut db, &passkey.id).await?;
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /passkey/update-passkey`.
async fn update(mut ctx: Ctx, Body(request): Body<UpdatePasskeyRequest>) -> Answer<route::UpdatePasskey> {
    plugin(&ctx.auth)?;
    let mut passkey = owned_passkey(
        &mut ctx,
        &request.id,
        Some(ErrorCode::YouAreNotAllowedToRegisterThisPasskey),
    )
    .await?;
    let name = request.name.trim().to_owned();
    let mut db = ctx.auth.0.db.clone();
    if !store::rename(&mut db, &passkey.id, &name).await? {
        // Deleted between the ownership check and the update.
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::PasskeyNotFound));
    }
    passkey.name = Some(name);
    Ok(Json(UpdatePasskeyResponse { passkey }))
}
