//! The passkey plugin (`@better-auth/passkey`): `/passkey/*`.
//!
//! A ceremony is two requests. `generate-register-options` (or
//! `generate-authenticate-options`) answers the WebAuthn options as JSON — SimpleWebAuthn's
//! `PublicKeyCredentialCreationOptionsJSON` / `…RequestOptionsJSON`, without a `publicKey`
//! wrapper — and sets the signed `better-auth-passkey` challenge cookie (five minutes).
//! An authenticator answers the options, and `verify-registration` (or
//! `verify-authentication`) checks that answer against the challenge.
//!
//! Binary values are base64url without padding, as in the WebAuthn JSON serialization;
//! the stored public key alone is standard base64 (better-auth's storage format).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::models::{Session, User};
use super::object::deserialize_from_members;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::time::iso_opt;

/// A registered passkey, as stored and as `/passkey/list-user-passkeys` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Passkey {
    /// Row id (what `delete-passkey` and `update-passkey` take).
    pub id: String,
    /// The user's label for it.
    #[serde(default)]
    pub name: Option<String>,
    /// The COSE public key, standard base64.
    pub public_key: String,
    /// The owner.
    pub user_id: String,
    /// The credential id, base64url.
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// The authenticator's signature counter at the last sign-in.
    pub counter: u64,
    /// `singleDevice` or `multiDevice` (synced, backup eligible).
    pub device_type: DeviceType,
    /// Whether the credential is currently backed up (synced).
    pub backed_up: bool,
    /// Transport hints, comma-joined (`"internal,hybrid"`; may be empty).
    #[serde(default)]
    pub transports: Option<String>,
    /// Registration time.
    #[serde(default, with = "iso_opt")]
    pub created_at: Option<DateTime<Utc>>,
    /// The authenticator model (a UUID; all zeros for most platform authenticators).
    #[serde(default)]
    pub aaguid: Option<String>,
}

impl Passkey {
    /// The transport hints as a list.
    pub fn transport_list(&self) -> Vec<String> {
        split_transports(self.transports.as_deref())
    }
}

/// Splits a comma-joined transport list, dropping empty entries.
pub fn split_transports(joined: Option<&str>) -> Vec<String> {
    joined
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a credential lives on one device or is synced between several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeviceType {
    /// Bound to one authenticator (not backup eligible).
    #[serde(rename = "singleDevice")]
    SingleDevice,
    /// Backup eligible: a synced passkey.
    #[serde(rename = "multiDevice")]
    MultiDevice,
}

impl DeviceType {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceType::SingleDevice => "singleDevice",
            DeviceType::MultiDevice => "multiDevice",
        }
    }

    /// Parses the stored string; anything but `multiDevice` is single-device.
    pub fn parse(value: &str) -> Self {
        if value == "multiDevice" {
            DeviceType::MultiDevice
        } else {
            DeviceType::SingleDevice
        }
    }
}

/// Which kind of authenticator a registration asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthenticatorAttachment {
    /// Built into the device (Touch ID, Windows Hello, Android).
    #[serde(rename = "platform")]
    Platform,
    /// A roaming authenticator (security key, phone via hybrid).
    #[serde(rename = "cross-platform")]
    CrossPlatform,
}

impl AuthenticatorAttachment {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthenticatorAttachment::Platform => "platform",
            AuthenticatorAttachment::CrossPlatform => "cross-platform",
        }
    }
}

/// Query of `GET /passkey/generate-register-options`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterOptionsQuery {
    /// Ask for a platform or a roaming authenticator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<AuthenticatorAttachment>,
    /// The account name the authenticator shows (default: the user's email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Opaque context for passkey-first registration flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

impl RequestSchema for RegisterOptionsQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional(
            "authenticatorAttachment",
            FieldKind::OneOf(&["platform", "cross-platform"]),
        ),
        FieldSpec::optional("name", FieldKind::String),
        FieldSpec::optional("context", FieldKind::String),
    ];
}

/// The relying party in creation options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelyingParty {
    /// Display name.
    pub name: String,
    /// The RP ID (a registrable domain of the origin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The user entity in creation options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserEntity {
    /// The user handle, base64url (better-auth sends a random handle, not the user id).
    pub id: String,
    /// Account name.
    pub name: String,
    /// Display name.
    pub display_name: String,
}

/// One allowed public-key algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialParameter {
    /// COSE algorithm number (-7 ES256, -257 RS256, -8 EdDSA).
    pub alg: i64,
    /// Always `"public-key"`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A credential the authenticator should (exclude) or may (allow) use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialDescriptor {
    /// The credential id, base64url.
    pub id: String,
    /// Always `"public-key"`.
    #[serde(rename = "type", default = "public_key")]
    pub kind: String,
    /// Transport hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
}

fn public_key() -> String {
    "public-key".to_owned()
}

/// The authenticator requirements of a registration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorSelection {
    /// Platform or roaming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<AuthenticatorAttachment>,
    /// `discouraged`, `preferred` or `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_key: Option<String>,
    /// The legacy form of `resident_key = required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_resident_key: Option<bool>,
    /// `discouraged`, `preferred` or `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
}

/// Answer of `GET /passkey/generate-register-options`: what `navigator.credentials.create`
/// takes (as JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationOptions {
    /// The challenge, base64url.
    pub challenge: String,
    /// The relying party.
    pub rp: RelyingParty,
    /// The account the passkey is for.
    pub user: UserEntity,
    /// Allowed algorithms, most preferred first.
    pub pub_key_cred_params: Vec<CredentialParameter>,
    /// Milliseconds the ceremony may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// `none` (better-auth asks for no attestation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// The user's existing passkeys, so one authenticator is not registered twice.
    #[serde(default)]
    pub exclude_credentials: Vec<CredentialDescriptor>,
    /// Authenticator requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<AuthenticatorSelection>,
    /// WebAuthn extensions (`credProps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
    /// UI hints (`security-key`, `client-device`, `hybrid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<String>>,
}

/// Answer of `GET /passkey/generate-authenticate-options`: what `navigator.credentials.get`
/// takes (as JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestOptions {
    /// The challenge, base64url.
    pub challenge: String,
    /// Milliseconds the ceremony may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// The RP ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rp_id: Option<String>,
    /// The signed-in user's passkeys; absent for a discoverable (username-less) sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<Vec<CredentialDescriptor>>,
    /// `preferred` (better-auth does not require user verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
    /// WebAuthn extensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
    /// UI hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<String>>,
}

/// The attestation part of a registration response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationResponse {
    /// The client data, base64url.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    /// The CBOR attestation object, base64url.
    pub attestation_object: String,
    /// The authenticator data, base64url (browsers add it; servers do not need it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_data: Option<String>,
    /// Transport hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
    /// COSE algorithm of the new key (browsers add it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_algorithm: Option<i64>,
    /// The new public key as SPKI, base64url (browsers add it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

/// What an authenticator answers to [`CreationOptions`] (`RegistrationResponseJSON`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResponse {
    /// The credential id, base64url.
    pub id: String,
    /// The same id (the JSON form has no raw bytes).
    pub raw_id: String,
    /// The attestation.
    pub response: AttestationResponse,
    /// `platform` or `cross-platform`, when the client knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<AuthenticatorAttachment>,
    /// Extension outputs (better-auth's client leaves them out of the request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_extension_results: Option<Value>,
    /// Always `"public-key"`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The assertion part of an authentication response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssertionResponse {
    /// The client data, base64url.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    /// The authenticator data, base64url.
    pub authenticator_data: String,
    /// The signature, base64url.
    pub signature: String,
    /// The user handle of a discoverable credential, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<String>,
}

/// What an authenticator answers to [`RequestOptions`] (`AuthenticationResponseJSON`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationResponse {
    /// The credential id, base64url.
    pub id: String,
    /// The same id.
    pub raw_id: String,
    /// The assertion.
    pub response: AssertionResponse,
    /// `platform` or `cross-platform`, when the client knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<AuthenticatorAttachment>,
    /// Extension outputs (better-auth's client leaves them out of the request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_extension_results: Option<Value>,
    /// Always `"public-key"`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Body of `POST /passkey/verify-registration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyRegistrationRequest {
    /// The authenticator's answer (kept as JSON: the server checks it field by field).
    pub response: Value,
    /// A label for the passkey (trimmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Sign in as the passkey's user too (for servers that register without a session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_session: Option<bool>,
}

impl RequestSchema for VerifyRegistrationRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("response", FieldKind::Any),
        FieldSpec::optional("name", FieldKind::String),
        FieldSpec::optional("createSession", FieldKind::Bool),
    ];
}

/// Answer of `POST /passkey/verify-registration`: the new passkey, plus the session when
/// `createSession` was asked for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerifyRegistrationResponse {
    /// The new passkey.
    #[serde(flatten)]
    pub passkey: Passkey,
    /// The new session (`createSession`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// Its user (`createSession`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

deserialize_from_members!(VerifyRegistrationResponse, |members| Self {
    session: members.take_or_default("session")?,
    user: members.take_or_default("user")?,
    passkey: members.rest_as()?,
});

/// Body of `POST /passkey/verify-authentication`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyAuthenticationRequest {
    /// The authenticator's answer.
    pub response: Value,
}

impl RequestSchema for VerifyAuthenticationRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("response", FieldKind::Record)];
}

/// Body of `POST /passkey/delete-passkey`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletePasskeyRequest {
    /// The passkey's row id.
    pub id: String,
}

impl RequestSchema for DeletePasskeyRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("id", FieldKind::String)];
}

/// Body of `POST /passkey/update-passkey`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatePasskeyRequest {
    /// The passkey's row id.
    pub id: String,
    /// The new label (trimmed; must not be empty).
    pub name: String,
}

impl RequestSchema for UpdatePasskeyRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("id", FieldKind::String),
        FieldSpec::required("name", FieldKind::String),
    ];
}

/// Answer of `POST /passkey/update-passkey`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatePasskeyResponse {
    /// The renamed passkey.
    pub passkey: Passkey,
}

/// The passkey plugin's routes (better-auth `passkey`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{
        CreationOptions, DeletePasskeyRequest, Passkey, RegisterOptionsQuery, RequestOptions, SessionData,
        StatusResponse, UpdatePasskeyRequest, UpdatePasskeyResponse, VerifyAuthenticationRequest,
        VerifyRegistrationRequest, VerifyRegistrationResponse,
    };

    declare_routes! {
        /// The passkey routes, in declaration order.
        pub const ROUTES;

        /// `GET /passkey/generate-register-options`: the options of a registration ceremony.
        GenerateRegisterOptions: Get "/passkey/generate-register-options", RegisterOptionsQuery => CreationOptions;
        /// `POST /passkey/verify-registration`: stores the new passkey.
        VerifyRegistration: Post "/passkey/verify-registration",
            VerifyRegistrationRequest => VerifyRegistrationResponse;
        /// `GET /passkey/generate-authenticate-options`: the options of a sign-in ceremony.
        GenerateAuthenticateOptions: Get "/passkey/generate-authenticate-options", () => RequestOptions;
        /// `POST /passkey/verify-authentication`: signs in.
        VerifyAuthentication: Post "/passkey/verify-authentication", VerifyAuthenticationRequest => SessionData;
        /// `GET /passkey/list-user-passkeys`.
        ListUserPasskeys: Get "/passkey/list-user-passkeys", () => Vec<Passkey>;
        /// `POST /passkey/delete-passkey`.
        DeletePasskey: Post "/passkey/delete-passkey", DeletePasskeyRequest => StatusResponse;
        /// `POST /passkey/update-passkey`: renames a passkey.
        UpdatePasskey: Post "/passkey/update-passkey", UpdatePasskeyRequest => UpdatePasskeyResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_rows_of_both_adapters_parse() {
        let sql = serde_json::json!({
            "id": "p1", "name": null, "publicKey": "pQECAyYgASFY", "userId": "u1",
            "credentialID": "AbC-_d", "counter": 3, "deviceType": "multiDevice",
            "backedUp": true, "transports": "internal,hybrid",
            "createdAt": "2026-11-23T10:00:00.000Z", "aaguid": "00000000-0000-0000-0000-000000000000"
        });
        let passkey: Passkey = serde_json::from_value(sql).expect("sql row");
        assert_eq!(passkey.device_type, DeviceType::MultiDevice);
        assert_eq!(passkey.transport_list(), ["internal", "hybrid"]);
        let memory = serde_json::json!({
            "id": "p1", "publicKey": "pQ", "userId": "u1", "credentialID": "x",
            "counter": 0, "deviceType": "singleDevice", "backedUp": false, "transports": ""
        });
        let passkey: Passkey = serde_json::from_value(memory).expect("memory row");
        assert!(passkey.transport_list().is_empty());
        assert_eq!(passkey.created_at, None);
    }
}
