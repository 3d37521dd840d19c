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
use crate::config::PasskeyConfig;
use crate::crypto::{
    ALPHANUMERIC, LOWER_ALPHANUMERIC, base64, base64url, decode_base64_any, generate_id, random_bytes, random_string,
};
use crate::db::schema::passkey_table;
use crate::db::{Lock, passkeys, users};
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
mod ed25519;

use crate::routes::Answer;
use attestation::attested_parts;

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

/// `GET /passkey/generate-register-options`.
async fn register_options(
    mut ctx: Ctx,
    QueryOf(query): QueryOf<RegisterOptionsQuery>,
) -> Answer<route::GenerateRegisterOptions> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let data = if config.require_session {
        ctx.require_fresh_session().await?
    } else {
        ctx.session()
            .await
            .ok_or_else(|| ApiError::bad_request(ErrorCode::ResolveUserRequired))?
    };
    let user = &data.user;
    let account_name = if user.email.is_empty() {
        user.id.clone()
    } else {
        user.email.clone()
    };
    let mut db = auth.0.db.clone();
    let existing = passkeys::list_for_user(&mut db, &user.id).await?;
    let challenge = base64url(&challenge_bytes());
    let defaults = &config.authenticator_selection;
    let resident_key = defaults.resident_key.clone().unwrap_or_else(|| "preferred".to_owned());
    let selection = AuthenticatorSelection {
        authenticator_attachment: query.authenticator_attachment.or(defaults.authenticator_attachment),
        require_resident_key: Some(defaults.require_resident_key.unwrap_or(resident_key == "required")),
        user_verification: Some(
            defaults
                .user_verification
                .clone()
                .unwrap_or_else(|| "preferred".to_owned()),
        ),
        resident_key: Some(resident_key),
    };
    let options = CreationOptions {
        challenge: challenge.clone(),
        rp: RelyingParty {
            name: rp_name(&auth, config),
            id: Some(rp_id(&auth, config)),
        },
        user: UserEntity {
            id: base64url(random_string(32, LOWER_ALPHANUMERIC).as_bytes()),
            name: query
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| account_name.clone()),
            display_name: account_name.clone(),
        },
        pub_key_cred_params: ALGORITHMS
            .iter()
            .map(|alg| CredentialParameter {
                alg: *alg as i64,
                kind: "public-key".to_owned(),
            })
            .collect(),
        timeout: Some(CEREMONY_TIMEOUT_MS),
        attestation: Some("none".to_owned()),
        exclude_credentials: existing.iter().map(descriptor).collect(),
        authenticator_selection: Some(selection),
        extensions: Some(serde_json::json!({ "credProps": true })),
        hints: Some(Vec::new()),
    };
    let record = ChallengeRecord {
        ceremony: REGISTRATION.to_owned(),
        expected_challenge: challenge,
        user_data: ChallengeUser {
            id: user.id.clone(),
            name: Some(account_name.clone()),
            display_name: Some(account_name),
        },
        context: Some(query.context.map(Value::String).unwrap_or(Value::Null)),
    };
    store_challenge(&ctx, config, &record).await?;
    Ok(Json(options))
}

/// `GET /passkey/generate-authenticate-options`: the signed-in user's passkeys as
/// `allowCredentials`, or none for a discoverable sign-in.
async fn authenticate_options(mut ctx: Ctx) -> Answer<route::GenerateAuthenticateOptions> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let session = ctx.session().await;
    let mut db = auth.0.db.clone();
    let existing = match &session {
        Some(data) => passkeys::list_for_user(&mut db, &data.user.id).await?,
        None => Vec::new(),
    };
    let challenge = base64url(&challenge_bytes());
    let options = RequestOptions {
        challenge: challenge.clone(),
        timeout: Some(CEREMONY_TIMEOUT_MS),
        rp_id: Some(rp_id(&auth, config)),
        allow_credentials: (!existing.is_empty()).then(|| existing.iter().map(descriptor).collect()),
        user_verification: Some("preferred".to_owned()),
        extensions: None,
        hints: None,
    };
    let record = ChallengeRecord {
        ceremony: AUTHENTICATION.to_owned(),
        expected_challenge: challenge,
        user_data: ChallengeUser {
            id: session.map(|data| data.user.id).unwrap_or_default(),
            name: None,
            display_name: None,
        },
        context: None,
    };
    store_challenge(&ctx, config, &record).await?;
    Ok(Json(options))
}

/// The WebAuthn origins to accept: the configured ones, else the request's `Origin`.
fn expected_origins(ctx: &Ctx, config: &PasskeyConfig) -> Vec<Url> {
    if !config.origins.is_empty() {
        return config.origins.iter().filter_map(|o| Url::parse(o).ok()).collect();
    }
    ctx.header("origin")
        .filter(|o| !o.is_empty() && *o != "null")
        .and_then(|o| Url::parse(o).ok())
        .into_iter()
        .collect()
}

fn verifier(auth: &Auth, config: &PasskeyConfig, origins: Vec<Url>) -> WebauthnCore {
    WebauthnCore::new_unsafe_experts_only(
        &rp_name(auth, config),
        &rp_id(auth, config),
        origins,
        Duration::from_millis(CEREMONY_TIMEOUT_MS),
        Some(false),
        Some(false),
    )
}

/// Replaces the random challenge of a state `webauthn-rs-core` generated with the stored
/// one (its state types are plain serde data).
fn with_challenge<T: Serialize + serde::de::DeserializeOwned>(state: &T, challenge: &str) -> Result<T, String> {
    let mut json = serde_json::to_value(state).map_err(|e| e.to_string())?;
    json["challenge"] = Value::String(challenge.to_owned());
    serde_json::from_value(json).map_err(|e| e.to_string())
}

/// A registration that verified: what the passkey row keeps of it.
struct Registered {
    credential_id: Vec<u8>,
    counter: u32,
    backup_eligible: bool,
    backup_state: bool,
}

fn registration_failed() -> ApiError {
    ApiError::bad_request(ErrorCode::FailedToVerifyRegistration)
}

/// `POST /passkey/verify-registration`.
async fn verify_registration(
    mut ctx: Ctx,
    Body(request): Body<VerifyRegistrationRequest>,
) -> Answer<route::VerifyRegistration> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let session = if config.require_session {
        Some(ctx.require_fresh_session().await?)
    } else {
        ctx.session().await
    };
    let origins = expected_origins(&ctx, config);
    if origins.is_empty() {
        return Err(registration_failed());
    }
    let record = take_challenge(&ctx, config, REGISTRATION).await?;
    if let Some(data) = &session
        && data.user.id != record.user_data.id
    {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::YouAreNotAllowedToRegisterThisPasskey,
        ));
    }
    let response: RegisterPublicKeyCredential =
        serde_json::from_value(request.response.clone()).map_err(|_| registration_failed())?;
    let parts = attested_parts(&response.response.attestation_object).ok_or_else(registration_failed)?;
    let core = verifier(&auth, config, origins);
    let registered = if ed25519::key_from_cose(&parts.public_key).is_some() {
        let expected = ed25519::Expected {
            challenge: &record.expected_challenge,
            origins: core.get_allowed_origins(),
            rp_id: &rp_id(&auth, config),
            stored_counter: 0,
        };
        ed25519::verify_registration(&response, &expected).map_err(|refusal| {
            tracing::debug!(?refusal, "passkey registration refused");
            registration_failed()
        })?
    } else {
        let template = core
            .new_challenge_register_builder(b"keyward", "keyward", "keyward")
            .and_then(|builder| {
                core.generate_challenge_register(
                    builder
                        .attestation(AttestationConveyancePreference::None)
                        .user_verification_policy(UserVerificationPolicy::Preferred)
                        .credential_algorithms(WEBAUTHN_RS_ALGORITHMS.to_vec())
                        .reject_synchronised_authenticators(false),
                )
            })
            .map_err(|e| ApiError::internal("passkey registration state", e))?
            .1;
        let state = with_challenge(&template, &record.expected_challenge)
            .map_err(|e| ApiError::internal("passkey registration state", e))?;
        let credential = core.register_credential(&response, &state, None).map_err(|error| {
            tracing::debug!(error = %Escaped(&error), "passkey registration refused");
            registration_failed()
        })?;
        Registered {
            credential_id: credential.cred_id.to_vec(),
            counter: credential.counter,
            backup_eligible: credential.backup_eligible,
            backup_state: credential.backup_state,
        }
    };
    let credential_id = base64url(&registered.credential_id);
    // The credential id is checked under its lock, with the insert (`credentialID` has no
    // unique index in better-auth's schema): one credential, one passkey row.
    let mut tx = auth.0.db.begin().await?;
    tx.lock(Lock::PasskeyCredential(&credential_id)).await?;
    if passkeys::find_by_credential_id(&mut tx, &credential_id)
        .await?
        .is_some()
    {
        return Err(registration_failed());
    }
    let transports = request
        .response
        .pointer("/response/transports")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    let user_id = record.user_data.id.clone();
    if user_id.is_empty() {
        return Err(ApiError::bad_request(ErrorCode::ResolvedUserInvalid));
    }
    let passkey = Passkey {
        id: generate_id(),
        name: request
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        public_key: base64(&parts.public_key),
        user_id: user_id.clone(),
        credential_id,
        counter: u64::from(registered.counter),
        device_type: if registered.backup_eligible {
            DeviceType::MultiDevice
        } else {
            DeviceType::SingleDevice
        },
        backed_up: registered.backup_state,
        transports: Some(transports),
        created_at: Some(now_millis()),
        aaguid: Some(parts.aaguid),
    };
    if request.create_session != Some(true) {
        passkeys::insert(&mut tx, &passkey).await?;
        tx.commit().await?;
        return Ok(Json(VerifyRegistrationResponse {
            passkey,
            session: None,
            user: None,
        }));
    }
    let user = users::find_by_id(&mut tx, &auth.0.fields, &user_id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::UserNotFound))?;
    passkeys::insert(&mut tx, &passkey).await?;
    tx.commit().await?;
    let data = ctx.start_session(user, None).await?;
    Ok(Json(VerifyRegistrationResponse {
        passkey,
        session: Some(data.session),
        user: Some(data.user),
    }))
}

/// A stored passkey as `webauthn-rs-core` credential. better-auth stores no user
/// verification flag, so none is enforced (it verifies with `requireUserVerification:
/// false`); backup eligibility is what `deviceType` records.
fn stored_credential(passkey: &Passkey) -> Option<Credential> {
    let key_bytes = decode_base64_any(&passkey.public_key)?;
    let cbor: serde_cbor_2::Value = serde_cbor_2::from_slice(&key_bytes).ok()?;
    let cose = COSEKey::try_from(&cbor).ok()?;
    Some(Credential {
        cred_id: decode_base64_any(&passkey.credential_id)?,
        cred: cose,
        counter: u32::try_from(passkey.counter).unwrap_or(u32::MAX),
        transports: None,
        user_verified: false,
        backup_eligible: passkey.device_type == DeviceType::MultiDevice,
        backup_state: passkey.backed_up,
        registration_policy: UserVerificationPolicy::Preferred,
        extensions: RegisteredExtensions::none(),
        attestation: ParsedAttestation {
            data: ParsedAttestationData::None,
            metadata: webauthn_rs_core::proto::AttestationMetadata::None,
        },
        attestation_format: webauthn_rs_core::proto::AttestationFormat::None,
    })
}

fn authentication_failed(status: StatusCode) -> ApiError {
    ApiError::new(status, ErrorCode::AuthenticationFailed)
}

/// `POST /passkey/verify-authentication`.
async fn verify_authentication(
    mut ctx: Ctx,
    Body(request): Body<VerifyAuthenticationRequest>,
) -> Answer<route::VerifyAuthentication> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let origins = expected_origins(&ctx, config);
    if origins.is_empty() {
        return Err(ApiError::message_only(StatusCode::BAD_REQUEST, "origin missing"));
    }
    let record = take_challenge(&ctx, config, AUTHENTICATION).await?;
    let credential_id = request.response.get("id").and_then(Value::as_str).unwrap_or_default();
    let mut db = auth.0.db.clone();
    let passkey = passkeys::find_by_credential_id(&mut db, credential_id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::PasskeyNotFound))?;
    let response: PublicKeyCredential =
        serde_json::from_value(request.response.clone()).map_err(|_| authentication_failed(StatusCode::BAD_REQUEST))?;
    let core = verifier(&auth, config, origins);
    let (counter, backed_up) = if let Some(credential) = stored_credential(&passkey) {
        let template = core
            .new_challenge_authenticate_builder(vec![credential.clone()], Some(UserVerificationPolicy::Preferred))
            .and_then(|builder| core.generate_challenge_authenticate(builder.allow_backup_eligible_upgrade(true)))
            .map_err(|e| ApiError::internal("passkey authentication state", e))?
            .1;
        let state = with_challenge(&template, &record.expected_challenge)
            .map_err(|e| ApiError::internal("passkey authentication state", e))?;
        let result = core
            .authenticate_single_credential(&response, &state, &credential)
            .map_err(|error| {
                tracing::debug!(error = %Escaped(&error), "passkey assertion refused");
                match error {
                    WebauthnError::AuthenticationFailure => authentication_failed(StatusCode::UNAUTHORIZED),
                    _ => authentication_failed(StatusCode::BAD_REQUEST),
                }
            })?;
        (result.counter(), result.backup_state())
    } else if let Some(key) = ed25519::public_key(&passkey.public_key) {
        let expected = ed25519::Expected {
            challenge: &record.expected_challenge,
            origins: core.get_allowed_origins(),
            rp_id: &rp_id(&auth, config),
            stored_counter: u32::try_from(passkey.counter).unwrap_or(u32::MAX),
        };
        ed25519::verify(&key, &response, &expected).map_err(|refusal| {
            tracing::debug!(?refusal, "passkey assertion refused");
            match refusal {
                ed25519::Refusal::Signature => authentication_failed(StatusCode::UNAUTHORIZED),
                _ => authentication_failed(StatusCode::BAD_REQUEST),
            }
        })?
    } else {
        tracing::error!(passkey = %Escaped(&passkey.id), "stored passkey public key does not parse");
        return Err(authentication_failed(StatusCode::BAD_REQUEST));
    };
    let recorded = passkeys::record_use(&mut db, &passkey.id, passkey.counter, u64::from(counter), backed_up).await?;
    if !recorded {
        return Err(authentication_failed(StatusCode::BAD_REQUEST));
    }
    let user = users::find_by_id(&mut db, &auth.0.fields, &passkey.user_id)
        .await?
        .ok_or_else(|| {
            ApiError::with_message(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::UserNotFound,
                "User not found",
            )
        })?;
    let data = ctx.start_session(user, None).await?;
    Ok(Json(data))
}

/// `GET /passkey/list-user-passkeys`.
async fn list(mut ctx: Ctx) -> Answer<route::ListUserPasskeys> {
    let data = ctx.require_session().await?;
    plugin(&ctx.auth)?;
    let mut db = ctx.auth.0.db.clone();
    Ok(Json(passkeys::list_for_user(&mut db, &data.user.id).await?))
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
    let passkey = passkeys::find(&mut db, id)
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
    passkeys::delete(&mut db, &passkey.id).await?;
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
    if !passkeys::rename(&mut db, &passkey.id, &name).await? {
        // Deleted between the ownership check and the update.
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::PasskeyNotFound));
    }
    passkey.name = Some(name);
    Ok(Json(UpdatePasskeyResponse { passkey }))
}
