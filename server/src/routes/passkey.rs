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
use crate::db::{Lock, passkeys, users};
use crate::error::{ApiError, ApiResult};
use crate::request::{Body, Ctx, Endpoint, QueryEndpoint, QueryOf};
use crate::routes::Routes;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{
    AuthenticatorSelection, CreationOptions, CredentialDescriptor, CredentialParameter, DeletePasskeyRequest,
    DeviceType, ErrorCode, Passkey, RegisterOptionsQuery, RelyingParty, RequestOptions, SessionData, StatusResponse,
    UpdatePasskeyRequest, UpdatePasskeyResponse, UserEntity, VerifyAuthenticationRequest, VerifyRegistrationRequest,
    VerifyRegistrationResponse, split_transports,
};

/// Adds the `/passkey/*` routes.
pub(crate) fn routes(router: Routes) -> Routes {
    router
        .get("/passkey/generate-register-options", register_options)
        .post("/passkey/verify-registration", verify_registration)
        .get("/passkey/generate-authenticate-options", authenticate_options)
        .post("/passkey/verify-authentication", verify_authentication)
        .get("/passkey/list-user-passkeys", list)
        .post("/passkey/delete-passkey", delete)
        .post("/passkey/update-passkey", update)
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
) -> ApiResult<Json<CreationOptions>> {
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
async fn authenticate_options(mut ctx: Ctx) -> ApiResult<Json<RequestOptions>> {
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

/// An attestation object (CBOR): its statement format, the statement, and the
/// authenticator data.
struct AttestationObject {
    format: String,
    statement: serde_cbor_2::Value,
    auth_data: Vec<u8>,
}

fn attestation_object(bytes: &[u8]) -> Option<AttestationObject> {
    use serde_cbor_2::Value as Cbor;
    let Cbor::Map(mut map) = serde_cbor_2::from_slice::<Cbor>(bytes).ok()? else {
        return None;
    };
    let mut take = |key: &str| map.remove(&Cbor::Text(key.to_owned()));
    let (Some(Cbor::Text(format)), Some(statement), Some(Cbor::Bytes(auth_data))) =
        (take("fmt"), take("attStmt"), take("authData"))
    else {
        return None;
    };
    Some(AttestationObject {
        format,
        statement,
        auth_data,
    })
}

/// Authenticator data with an attested credential: `rpIdHash (32) | flags (1) |
/// signCount (4) | aaguid (16) | idLength (2) | id | COSE key | extensions`.
struct AttestedData<'a> {
    rp_id_hash: &'a [u8],
    flags: u8,
    counter: u32,
    aaguid: &'a [u8],
    credential_id: &'a [u8],
    /// The COSE key exactly as the authenticator encoded it.
    public_key: &'a [u8],
}

/// Flag bits of authenticator data.
mod flags {
    pub const USER_PRESENT: u8 = 0x01;
    pub const BACKUP_ELIGIBLE: u8 = 0x08;
    pub const BACKED_UP: u8 = 0x10;
    pub const ATTESTED: u8 = 0x40;
}

fn attested_data(auth_data: &[u8]) -> Option<AttestedData<'_>> {
    if auth_data.len() < 55 || auth_data[32] & flags::ATTESTED == 0 {
        return None;
    }
    let id_len = u16::from_be_bytes([auth_data[53], auth_data[54]]) as usize;
    let credential_id = auth_data.get(55..55 + id_len)?;
    let rest = auth_data.get(55 + id_len..)?;
    let mut decoder = serde_cbor_2::Deserializer::from_slice(rest);
    serde_cbor_2::Value::deserialize(&mut decoder).ok()?;
    Some(AttestedData {
        rp_id_hash: &auth_data[..32],
        flags: auth_data[32],
        counter: u32::from_be_bytes([auth_data[33], auth_data[34], auth_data[35], auth_data[36]]),
        aaguid: &auth_data[37..53],
        credential_id,
        public_key: &rest[..decoder.byte_offset()],
    })
}

/// A registration that verified: what the passkey row keeps of it.
struct Registered {
    credential_id: Vec<u8>,
    counter: u32,
    backup_eligible: bool,
    backup_state: bool,
}

/// The parts of a registration better-auth stores that `webauthn-rs-core` does not hand
/// back: the COSE key exactly as the authenticator encoded it, and the AAGUID.
struct AttestedParts {
    public_key: Vec<u8>,
    aaguid: String,
}

fn attested_parts(attestation: &[u8]) -> Option<AttestedParts> {
    let object = attestation_object(attestation)?;
    let data = attested_data(&object.auth_data)?;
    let hex = crate::crypto::hex(data.aaguid);
    let aaguid = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    Some(AttestedParts {
        public_key: data.public_key.to_vec(),
        aaguid,
    })
}

fn registration_failed() -> ApiError {
    ApiError::bad_request(ErrorCode::FailedToVerifyRegistration)
}

/// `POST /passkey/verify-registration`.
async fn verify_registration(
    mut ctx: Ctx,
    Body(request): Body<VerifyRegistrationRequest>,
) -> ApiResult<Json<VerifyRegistrationResponse>> {
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
) -> ApiResult<Json<SessionData>> {
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
async fn list(mut ctx: Ctx) -> ApiResult<Json<Vec<Passkey>>> {
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
async fn delete(mut ctx: Ctx, Body(request): Body<DeletePasskeyRequest>) -> ApiResult<Json<StatusResponse>> {
    plugin(&ctx.auth)?;
    let passkey = owned_passkey(&mut ctx, &request.id, None).await?;
    let mut db = ctx.auth.0.db.clone();
    passkeys::delete(&mut db, &passkey.id).await?;
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /passkey/update-passkey`.
async fn update(mut ctx: Ctx, Body(request): Body<UpdatePasskeyRequest>) -> ApiResult<Json<UpdatePasskeyResponse>> {
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

/// Ed25519 (COSE `-8`) passkeys, which `webauthn-rs-core` 0.6 cannot load: the key is read
/// with `coset`, the W3C registration and assertion checks run here over the client data,
/// the attestation object and the authenticator data (as SimpleWebAuthn runs them), and
/// signatures are checked with `ed25519-dalek`. A registration's attestation may be `none`
/// (what browsers send when the options ask for none, as better-auth's and Keyward's do)
/// or `packed` self-attestation (signed with the new key); a statement signed by an
/// attestation certificate (`packed` with `x5c`, `tpm`, …) is refused.
mod ed25519 {
    use coset::{CborSerializable, CoseKey, KeyType, Label, iana};
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    use serde::Deserialize;
    use serde_cbor_2::Value as Cbor;
    use url::Url;
    use webauthn_rs_core::proto::origin::origins_match;
    use webauthn_rs_core::proto::{PublicKeyCredential, RegisterPublicKeyCredential};

    use super::{Registered, flags};
    use crate::crypto::{base64url, sha256};

    /// Why a registration or an assertion was refused.
    #[derive(Debug)]
    pub(super) enum Refusal {
        CredentialId,
        ClientData,
        Challenge,
        Origin,
        AttestationObject,
        AuthenticatorData,
        UserNotPresent,
        BackupState,
        Key,
        AttestationStatement,
        Counter,
        Signature,
    }

    /// What the client data and authenticator data must match.
    pub(super) struct Expected<'a> {
        pub challenge: &'a str,
        pub origins: &'a [Url],
        pub rp_id: &'a str,
        /// The counter stored with the passkey (0 when registering).
        pub stored_counter: u32,
    }

    #[derive(Deserialize)]
    struct ClientData {
        #[serde(rename = "type")]
        kind: String,
        challenge: String,
        origin: String,
    }

    /// The client data is of `ceremony`, for the expected challenge, from an allowed origin.
    fn check_client_data(bytes: &[u8], ceremony: &str, expected: &Expected<'_>) -> Result<(), Refusal> {
        let client_data: ClientData = serde_json::from_slice(bytes).map_err(|_| Refusal::ClientData)?;
        if client_data.kind != ceremony {
            return Err(Refusal::ClientData);
        }
        if client_data.challenge.trim_end_matches('=') != expected.challenge {
            return Err(Refusal::Challenge);
        }
        let origin = Url::parse(&client_data.origin).map_err(|_| Refusal::Origin)?;
        let same = |allowed: &Url| origins_match(false, false, &origin, allowed);
        if !expected.origins.iter().any(same) {
            return Err(Refusal::Origin);
        }
        Ok(())
    }

    /// The verifying key of a stored (standard base64) COSE key, if it is an Ed25519 one.
    pub(super) fn public_key(stored: &str) -> Option<VerifyingKey> {
        key_from_cose(&crate::crypto::decode_base64_any(stored)?)
    }

    /// The verifying key of a COSE key, if it is an Ed25519 one (`kty` OKP, `crv` Ed25519).
    pub(super) fn key_from_cose(bytes: &[u8]) -> Option<VerifyingKey> {
        let key = CoseKey::from_slice(bytes).ok()?;
        if key.kty != KeyType::Assigned(iana::KeyType::OKP) {
            return None;
        }
        let param = |label: iana::OkpKeyParameter| {
            key.params
                .iter()
                .find(|(l, _)| *l == Label::Int(label as i64))
                .map(|(_, value)| value)
        };
        let curve = param(iana::OkpKeyParameter::Crv)?.as_integer()?;
        if curve != (iana::EllipticCurve::Ed25519 as i64).into() {
            return None;
        }
        let x = param(iana::OkpKeyParameter::X)?.as_bytes()?;
        VerifyingKey::from_bytes(x.as_slice().try_into().ok()?).ok()
    }

    /// Whether a COSE key names EdDSA (`alg` -8), as a new credential's key must.
    fn declares_eddsa(bytes: &[u8]) -> bool {
        CoseKey::from_slice(bytes).is_ok_and(|key| key.alg == Some(coset::Algorithm::Assigned(iana::Algorithm::EdDSA)))
    }

    /// The attestation statement holds for the new credential's `key`.
    fn check_statement(
        format: &str,
        statement: &Cbor,
        key: &VerifyingKey,
        auth_data: &[u8],
        client_data: &[u8],
    ) -> Result<(), Refusal> {
        let Cbor::Map(statement) = statement else {
            return Err(Refusal::AttestationStatement);
        };
        match format {
            "none" if statement.is_empty() => Ok(()),
            "packed" => {
                let field = |name: &str| statement.get(&Cbor::Text(name.to_owned()));
                if field("x5c").is_some() || field("alg") != Some(&Cbor::Integer(iana::Algorithm::EdDSA as i128)) {
                    return Err(Refusal::AttestationStatement);
                }
                let Some(Cbor::Bytes(signature)) = field("sig") else {
                    return Err(Refusal::AttestationStatement);
                };
                let signature = Signature::from_slice(signature).map_err(|_| Refusal::Signature)?;
                let mut signed = auth_data.to_vec();
                signed.extend_from_slice(&sha256(client_data));
                key.verify(&signed, &signature).map_err(|_| Refusal::Signature)
            }
            _ => Err(Refusal::AttestationStatement),
        }
    }

    /// Checks a registration of an Ed25519 credential.
    pub(super) fn verify_registration(
        credential: &RegisterPublicKeyCredential,
        expected: &Expected<'_>,
    ) -> Result<Registered, Refusal> {
        if credential.type_ != "public-key" || credential.id.trim_end_matches('=') != base64url(&credential.raw_id) {
            return Err(Refusal::CredentialId);
        }
        let response = &credential.response;
        check_client_data(&response.client_data_json, "webauthn.create", expected)?;
        let object = super::attestation_object(&response.attestation_object).ok_or(Refusal::AttestationObject)?;
        let data = super::attested_data(&object.auth_data).ok_or(Refusal::AuthenticatorData)?;
        if data.rp_id_hash != sha256(expected.rp_id.as_bytes()) {
            return Err(Refusal::AuthenticatorData);
        }
        if data.flags & flags::USER_PRESENT == 0 {
            return Err(Refusal::UserNotPresent);
        }
        let backup_eligible = data.flags & flags::BACKUP_ELIGIBLE != 0;
        let backup_state = data.flags & flags::BACKED_UP != 0;
        if backup_state && !backup_eligible {
            return Err(Refusal::BackupState);
        }
        let key = key_from_cose(data.public_key)
            .filter(|_| declares_eddsa(data.public_key))
            .ok_or(Refusal::Key)?;
        check_statement(
            &object.format,
            &object.statement,
            &key,
            &object.auth_data,
            &response.client_data_json,
        )?;
        Ok(Registered {
            credential_id: data.credential_id.to_vec(),
            counter: data.counter,
            backup_eligible,
            backup_state,
        })
    }

    /// Checks an assertion; returns the new counter and backup state.
    pub(super) fn verify(
        key: &VerifyingKey,
        credential: &PublicKeyCredential,
        expected: &Expected<'_>,
    ) -> Result<(u32, bool), Refusal> {
        let response = &credential.response;
        check_client_data(&response.client_data_json, "webauthn.get", expected)?;
        // rpIdHash (32) | flags (1) | signCount (4) | …
        let data = &response.authenticator_data;
        if data.len() < 37 || data[..32] != sha256(expected.rp_id.as_bytes()) {
            return Err(Refusal::AuthenticatorData);
        }
        let flag_bits = data[32];
        if flag_bits & flags::USER_PRESENT == 0 {
            return Err(Refusal::UserNotPresent);
        }
        let counter = u32::from_be_bytes([data[33], data[34], data[35], data[36]]);
        if (counter > 0 || expected.stored_counter > 0) && counter <= expected.stored_counter {
            return Err(Refusal::Counter);
        }
        let signature = Signature::from_slice(&response.signature).map_err(|_| Refusal::Signature)?;
        let mut signed = data.clone();
        signed.extend_from_slice(&sha256(&response.client_data_json));
        key.verify(&signed, &signature).map_err(|_| Refusal::Signature)?;
        Ok((counter, flag_bits & flags::BACKED_UP != 0))
    }

    #[cfg(test)]
    mod tests {
        use ed25519_dalek::{Signer, SigningKey};
        use serde_cbor_2::Value as Cbor;
        use serde_json::json;
        use url::Url;
        use webauthn_rs_core::proto::RegisterPublicKeyCredential;

        use super::{Expected, Refusal, verify_registration};
        use crate::crypto::{base64url, sha256};

        const ORIGIN: &str = "http://localhost:3000";
        const CHALLENGE: &str = "c2lnbi1tZS1wbGVhc2U";
        const CREDENTIAL_ID: [u8; 16] = [9; 16];

        fn signing_key() -> SigningKey {
            SigningKey::from_bytes(&[7; 32])
        }

        /// The COSE key of `key` (OKP, `alg` as given, Ed25519).
        fn cose_key(key: &SigningKey, alg: i128) -> Vec<u8> {
            let map = [
                (Cbor::Integer(1), Cbor::Integer(1)),
                (Cbor::Integer(3), Cbor::Integer(alg)),
                (Cbor::Integer(-1), Cbor::Integer(6)),
                (Cbor::Integer(-2), Cbor::Bytes(key.verifying_key().to_bytes().to_vec())),
            ];
            serde_cbor_2::to_vec(&Cbor::Map(map.into_iter().collect())).expect("cbor")
        }

        fn auth_data(rp_id: &str, flags: u8, key: &[u8]) -> Vec<u8> {
            let mut data = sha256(rp_id.as_bytes()).to_vec();
            data.push(flags);
            data.extend_from_slice(&5u32.to_be_bytes());
            data.extend_from_slice(&[0; 16]);
            data.extend_from_slice(&(CREDENTIAL_ID.len() as u16).to_be_bytes());
            data.extend_from_slice(&CREDENTIAL_ID);
            data.extend_from_slice(key);
            data
        }

        fn client_data(challenge: &str, origin: &str) -> Vec<u8> {
            json!({"type": "webauthn.create", "challenge": challenge, "origin": origin})
                .to_string()
                .into_bytes()
        }

        fn credential(
            format: &str,
            statement: Cbor,
            auth_data: Vec<u8>,
            client_data: &[u8],
        ) -> RegisterPublicKeyCredential {
            let object = [
                (Cbor::Text("fmt".into()), Cbor::Text(format.into())),
                (Cbor::Text("attStmt".into()), statement),
                (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
            ];
            let object = serde_cbor_2::to_vec(&Cbor::Map(object.into_iter().collect())).expect("cbor");
            serde_json::from_value(json!({
                "id": base64url(&CREDENTIAL_ID),
                "rawId": base64url(&CREDENTIAL_ID),
                "type": "public-key",
                "response": {
                    "clientDataJSON": base64url(client_data),
                    "attestationObject": base64url(&object),
                },
            }))
            .expect("credential")
        }

        fn none_statement() -> Cbor {
            Cbor::Map(Default::default())
        }

        /// A `packed` self-attestation: `signer` signs `authData || SHA-256(clientDataJSON)`.
        fn packed(signer: &SigningKey, auth_data: &[u8], client_data: &[u8], extra: Option<(&str, Cbor)>) -> Cbor {
            let mut signed = auth_data.to_vec();
            signed.extend_from_slice(&sha256(client_data));
            let mut map: std::collections::BTreeMap<Cbor, Cbor> = [
                (Cbor::Text("alg".into()), Cbor::Integer(-8)),
                (
                    Cbor::Text("sig".into()),
                    Cbor::Bytes(signer.sign(&signed).to_bytes().to_vec()),
                ),
            ]
            .into_iter()
            .collect();
            if let Some((name, value)) = extra {
                map.insert(Cbor::Text(name.into()), value);
            }
            Cbor::Map(map)
        }

        fn check(credential: &RegisterPublicKeyCredential) -> Result<super::Registered, Refusal> {
            let origins = [Url::parse(ORIGIN).expect("url")];
            let expected = Expected {
                challenge: CHALLENGE,
                origins: &origins,
                rp_id: "localhost",
                stored_counter: 0,
            };
            verify_registration(credential, &expected)
        }

        #[test]
        fn none_and_packed_self_attestation_register() {
            let key = signing_key();
            let data = auth_data("localhost", 0x45 | 0x08, &cose_key(&key, -8));
            let client = client_data(CHALLENGE, ORIGIN);
            let registered = check(&credential("none", none_statement(), data.clone(), &client)).expect("none");
            assert_eq!(registered.credential_id, CREDENTIAL_ID);
            assert_eq!(registered.counter, 5);
            assert!(registered.backup_eligible && !registered.backup_state);
            let statement = packed(&key, &data, &client, None);
            check(&credential("packed", statement, data, &client)).expect("packed self-attestation");
        }

        #[test]
        fn refuses_what_does_not_verify() {
            let key = signing_key();
            let other = SigningKey::from_bytes(&[8; 32]);
            let good = auth_data("localhost", 0x45, &cose_key(&key, -8));
            let client = client_data(CHALLENGE, ORIGIN);
            let refusal = |credential: RegisterPublicKeyCredential| check(&credential).err().expect("refused");

            let forged = packed(&other, &good, &client, None);
            assert!(matches!(
                refusal(credential("packed", forged, good.clone(), &client)),
                Refusal::Signature
            ));
            let certified = packed(
                &key,
                &good,
                &client,
                Some(("x5c", Cbor::Array(vec![Cbor::Bytes(vec![1])]))),
            );
            assert!(matches!(
                refusal(credential("packed", certified, good.clone(), &client)),
                Refusal::AttestationStatement
            ));
            assert!(matches!(
                refusal(credential("tpm", none_statement(), good.clone(), &client)),
                Refusal::AttestationStatement
            ));
            let stated = Cbor::Map(
                [(Cbor::Text("sig".into()), Cbor::Bytes(vec![0; 64]))]
                    .into_iter()
                    .collect(),
            );
            assert!(matches!(
                refusal(credential("none", stated, good.clone(), &client)),
                Refusal::AttestationStatement
            ));
            let elsewhere = auth_data("example.com", 0x45, &cose_key(&key, -8));
            assert!(matches!(
                refusal(credential("none", none_statement(), elsewhere, &client)),
                Refusal::AuthenticatorData
            ));
            let absent = auth_data("localhost", 0x44, &cose_key(&key, -8));
            assert!(matches!(
                refusal(credential("none", none_statement(), absent, &client)),
                Refusal::UserNotPresent
            ));
            let backed_up_only = auth_data("localhost", 0x45 | 0x10, &cose_key(&key, -8));
            assert!(matches!(
                refusal(credential("none", none_statement(), backed_up_only, &client)),
                Refusal::BackupState
            ));
            let mislabelled = auth_data("localhost", 0x45, &cose_key(&key, -7));
            assert!(matches!(
                refusal(credential("none", none_statement(), mislabelled, &client)),
                Refusal::Key
            ));
            let stale = client_data("b3RoZXItY2hhbGxlbmdl", ORIGIN);
            assert!(matches!(
                refusal(credential("none", none_statement(), good.clone(), &stale)),
                Refusal::Challenge
            ));
            let foreign = client_data(CHALLENGE, "http://localhost:1");
            assert!(matches!(
                refusal(credential("none", none_statement(), good.clone(), &foreign)),
                Refusal::Origin
            ));
            let assertion = json!({"type": "webauthn.get", "challenge": CHALLENGE, "origin": ORIGIN}).to_string();
            assert!(matches!(
                refusal(credential("none", none_statement(), good, assertion.as_bytes())),
                Refusal::ClientData
            ));
        }
    }
}
