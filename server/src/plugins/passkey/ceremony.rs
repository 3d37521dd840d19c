//! The two WebAuthn ceremonies: options for registering a passkey and for signing in
//! with one, and the verification of the authenticator's answer to each.

use super::*;

/// `GET /passkey/generate-register-options`.
pub(super) async fn register_options(
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
    let existing = store::list_for_user(&mut db, &user.id).await?;
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
pub(super) async fn authenticate_options(mut ctx: Ctx) -> Answer<route::GenerateAuthenticateOptions> {
    let auth = ctx.auth.clone();
    let config = plugin(&auth)?;
    let session = ctx.session().await;
    let mut db = auth.0.db.clone();
    let existing = match &session {
        Some(data) => store::list_for_user(&mut db, &data.user.id).await?,
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
pub(super) struct Registered {
    pub(super) credential_id: Vec<u8>,
    pub(super) counter: u32,
    pub(super) backup_eligible: bool,
    pub(super) backup_state: bool,
}

fn registration_failed() -> ApiError {
    ApiError::bad_request(ErrorCode::FailedToVerifyRegistration)
}

/// `POST /passkey/verify-registration`.
pub(super) async fn verify_registration(
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
    if store::find_by_credential_id(&mut tx, &credential_id).await?.is_some() {
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
        store::insert(&mut tx, &passkey).await?;
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
    store::insert(&mut tx, &passkey).await?;
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
pub(super) async fn verify_authentication(
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
    let passkey = store::find_by_credential_id(&mut db, credential_id)
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
    let recorded = store::record_use(&mut db, &passkey.id, passkey.counter, u64::from(counter), backed_up).await?;
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
