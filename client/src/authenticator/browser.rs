//! The browser's WebAuthn API (`navigator.credentials`), for wasm32 builds.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{Authenticator, CeremonyError, Mediation};
use crate::transport::BoxFuture;
use crate::wire::{
    AssertionResponse, AttestationResponse, AuthenticationResponse, AuthenticatorAttachment, CreationOptions,
    RegistrationResponse, RequestOptions,
};

/// Passkeys through the browser (`navigator.credentials.create` / `.get`), including
/// conditional UI (passkeys in autofill) where the browser offers it.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserAuthenticator;

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), CeremonyError> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| CeremonyError::Failed(describe(&e)))
}

fn describe(error: &JsValue) -> String {
    let message = get(error, "message");
    message
        .as_string()
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

/// A DOMException of a ceremony as a typed error (the names the WebAuthn spec uses).
fn ceremony_error(error: JsValue, registering: bool) -> CeremonyError {
    match get(&error, "name").as_string().as_deref() {
        Some("NotAllowedError" | "AbortError") => CeremonyError::Cancelled,
        Some("InvalidStateError") if registering => CeremonyError::AlreadyRegistered,
        Some("NotSupportedError" | "SecurityError") => CeremonyError::NotSupported(describe(&error)),
        _ => CeremonyError::Failed(describe(&error)),
    }
}

fn credentials() -> Result<JsValue, CeremonyError> {
    let window = web_sys::window().ok_or_else(|| CeremonyError::NotSupported("no window".into()))?;
    let credentials = get(&get(&window, "navigator"), "credentials");
    if credentials.is_undefined() || get(&window, "PublicKeyCredential").is_undefined() {
        return Err(CeremonyError::NotSupported("this browser has no WebAuthn".into()));
    }
    Ok(credentials)
}

fn binary(base64url: &str) -> Result<JsValue, CeremonyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(base64url.trim_end_matches('='))
        .map_err(|e| CeremonyError::Failed(format!("bad base64url from the server: {e}")))?;
    Ok(Uint8Array::from(bytes.as_slice()).buffer().into())
}

fn encoded(buffer: &JsValue) -> String {
    URL_SAFE_NO_PAD.encode(Uint8Array::new(buffer).to_vec())
}

fn encoded_opt(buffer: &JsValue) -> Option<String> {
    (!buffer.is_null() && !buffer.is_undefined()).then(|| encoded(buffer))
}

/// The options as a JS object, with the base64url strings WebAuthn takes as binary decoded.
fn js_options<T: serde::Serialize>(options: &T) -> Result<JsValue, CeremonyError> {
    let json = serde_json::to_string(options).map_err(|e| CeremonyError::Failed(e.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|e| CeremonyError::Failed(describe(&e)))
}

fn decode_descriptor_ids(list: &JsValue) -> Result<(), CeremonyError> {
    if let Some(array) = list.dyn_ref::<Array>() {
        for descriptor in array.iter() {
            let id = get(&descriptor, "id").as_string().unwrap_or_default();
            set(&descriptor, "id", &binary(&id)?)?;
        }
    }
    Ok(())
}

/// Calls `navigator.credentials[method](options)` and awaits the credential.
async fn call(method: &str, options: &Object, registering: bool) -> Result<JsValue, CeremonyError> {
    let credentials = credentials()?;
    let function: Function = get(&credentials, method)
        .dyn_into()
        .map_err(|_| CeremonyError::NotSupported(format!("navigator.credentials.{method}")))?;
    let promise: Promise = function
        .call1(&credentials, options)
        .map_err(|e| ceremony_error(e, registering))?
        .dyn_into()
        .map_err(|_| CeremonyError::Failed("not a promise".into()))?;
    let credential = JsFuture::from(promise)
        .await
        .map_err(|e| ceremony_error(e, registering))?;
    if credential.is_null() || credential.is_undefined() {
        return Err(CeremonyError::Cancelled);
    }
    Ok(credential)
}

/// Calls an optional method of the response (`getTransports`, …), if the browser has it.
fn optional_call(target: &JsValue, method: &str) -> JsValue {
    match get(target, method).dyn_into::<Function>() {
        Ok(function) => function.call0(target).unwrap_or(JsValue::UNDEFINED),
        Err(_) => JsValue::UNDEFINED,
    }
}

fn attachment(credential: &JsValue) -> Option<AuthenticatorAttachment> {
    match get(credential, "authenticatorAttachment").as_string().as_deref() {
        Some("platform") => Some(AuthenticatorAttachment::Platform),
        Some("cross-platform") => Some(AuthenticatorAttachment::CrossPlatform),
        _ => None,
    }
}

impl Authenticator for BrowserAuthenticator {
    fn create(&self, options: CreationOptions) -> BoxFuture<'_, Result<RegistrationResponse, CeremonyError>> {
        Box::pin(async move {
            let public_key = js_options(&options)?;
            set(&public_key, "challenge", &binary(&options.challenge)?)?;
            set(&get(&public_key, "user"), "id", &binary(&options.user.id)?)?;
            decode_descriptor_ids(&get(&public_key, "excludeCredentials"))?;
            let request = Object::new();
            set(&request, "publicKey", &public_key)?;
            let credential = call("create", &request, true).await?;
            let response = get(&credential, "response");
            let transports = optional_call(&response, "getTransports");
            let transports = transports
                .dyn_ref::<Array>()
                .map(|list| list.iter().filter_map(|t| t.as_string()).collect());
            let id = get(&credential, "id").as_string().unwrap_or_default();
            Ok(RegistrationResponse {
                raw_id: encoded(&get(&credential, "rawId")),
                id,
                response: AttestationResponse {
                    client_data_json: encoded(&get(&response, "clientDataJSON")),
                    attestation_object: encoded(&get(&response, "attestationObject")),
                    authenticator_data: encoded_opt(&optional_call(&response, "getAuthenticatorData")),
                    transports,
                    public_key_algorithm: optional_call(&response, "getPublicKeyAlgorithm")
                        .as_f64()
                        .map(|alg| alg as i64),
                    public_key: encoded_opt(&optional_call(&response, "getPublicKey")),
                },
                authenticator_attachment: attachment(&credential),
                client_extension_results: None,
                kind: "public-key".to_owned(),
            })
        })
    }

    fn get(
        &self,
        options: RequestOptions,
        mediation: Mediation,
    ) -> BoxFuture<'_, Result<AuthenticationResponse, CeremonyError>> {
        Box::pin(async move {
            let public_key = js_options(&options)?;
            set(&public_key, "challenge", &binary(&options.challenge)?)?;
            decode_descriptor_ids(&get(&public_key, "allowCredentials"))?;
            let request = Object::new();
            set(&request, "publicKey", &public_key)?;
            if mediation == Mediation::Conditional {
                set(&request, "mediation", &JsValue::from_str("conditional"))?;
            }
            let credential = call("get", &request, false).await?;
            let response = get(&credential, "response");
            let id = get(&credential, "id").as_string().unwrap_or_default();
            Ok(AuthenticationResponse {
                raw_id: encoded(&get(&credential, "rawId")),
                id,
                response: AssertionResponse {
                    client_data_json: encoded(&get(&response, "clientDataJSON")),
                    authenticator_data: encoded(&get(&response, "authenticatorData")),
                    signature: encoded(&get(&response, "signature")),
                    user_handle: encoded_opt(&get(&response, "userHandle")),
                },
                authenticator_attachment: attachment(&credential),
                client_extension_results: None,
                kind: "public-key".to_owned(),
            })
        })
    }
}
