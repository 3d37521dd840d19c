//! The device-authorization plugin (better-auth `deviceAuthorization`, RFC 8628):
//! `/device/*`.
//!
//! A device without a browser or a keyboard worth typing on (a CLI, a TV app) asks for a
//! code with `POST /device/code`, shows the user the short `user_code` and the
//! `verification_uri`, and polls `POST /device/token` every `interval` seconds. The user
//! opens the URI in a browser where they are signed in; the page claims the code with
//! `GET /device?user_code=…` and approves it (`POST /device/approve`) or denies it
//! (`POST /device/deny`). The next poll answers a new session's token.
//!
//! `/device/code` and `/device/token` answer OAuth errors (`{error, error_description}`,
//! [`OAuthErrorBody`]) as RFC 8628 describes them; a body that does not fit the schema is
//! better-auth's `400 VALIDATION_ERROR` (`{message, code}`), except at `/device/code`,
//! which answers that as `invalid_request` too. The server keeps each request in its
//! `deviceCode` table.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{DeviceCode, SessionToken, UserCode};

/// The `grant_type` of a device access token request (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Body of `POST /device/code` (a JSON object or an `application/x-www-form-urlencoded`
/// form, as RFC 8628 sends it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCodeRequest {
    /// The application asking (`client_id`); the server may accept only some
    /// (better-auth's `validateClient`).
    pub client_id: String,
    /// Space-separated scopes, kept with the code and answered with the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Binds the code to this user before anyone claims it: only they may approve it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl RequestSchema for DeviceCodeRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("client_id", FieldKind::String),
        FieldSpec::optional("user_id", FieldKind::String),
        FieldSpec::optional("scope", FieldKind::String),
    ];
}

/// Response of `POST /device/code` (RFC 8628 §3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCodeResponse {
    /// What the device polls with; it never leaves the device.
    pub device_code: DeviceCode,
    /// What the user types on the verification page (`ABCD2345`; dashes and case do
    /// not matter).
    pub user_code: UserCode,
    /// The page where the user enters the code.
    pub verification_uri: String,
    /// The same page with the code filled in (`…/device?user_code=ABCD2345`), for a link
    /// or a QR code.
    pub verification_uri_complete: String,
    /// Seconds until the codes expire.
    pub expires_in: u64,
    /// Seconds the device waits between two polls.
    pub interval: u64,
}

/// Body of `POST /device/token` (RFC 8628 §3.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceTokenRequest {
    /// Always [`DEVICE_CODE_GRANT_TYPE`].
    pub grant_type: String,
    /// The code `/device/code` answered.
    pub device_code: DeviceCode,
    /// The `client_id` the code was requested with.
    pub client_id: String,
}

impl DeviceTokenRequest {
    /// The request polling for `device_code` of `client_id`.
    pub fn new(device_code: DeviceCode, client_id: impl Into<String>) -> Self {
        Self {
            grant_type: DEVICE_CODE_GRANT_TYPE.to_owned(),
            device_code,
            client_id: client_id.into(),
        }
    }
}

impl RequestSchema for DeviceTokenRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("grant_type", FieldKind::Literal(DEVICE_CODE_GRANT_TYPE)),
        FieldSpec::required("device_code", FieldKind::String),
        FieldSpec::required("client_id", FieldKind::String),
    ];
}

/// Response of `POST /device/token` once the user approved: a new session for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceTokenResponse {
    /// The new session's token, used as a bearer token (`Authorization: Bearer …`).
    pub access_token: SessionToken,
    /// Always `"Bearer"`.
    pub token_type: String,
    /// Seconds until the session expires.
    pub expires_in: i64,
    /// The scopes the code was requested with (`""` for none).
    pub scope: String,
}

/// Query of `GET /device`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceVerifyQuery {
    /// The code as the user typed it.
    pub user_code: UserCode,
}

impl RequestSchema for DeviceVerifyQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("user_code", FieldKind::String)];
}

/// Where a device authorization stands.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DeviceCodeStatus {
    /// Waiting for the user.
    Pending,
    /// The user approved it; the next poll gets a token.
    Approved,
    /// The user denied it; the next poll gets `access_denied`.
    Denied,
    /// A status this version does not know.
    Other(String),
}

impl DeviceCodeStatus {
    /// The wire string (`"pending"`).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Other(status) => status,
        }
    }

    /// Parses a wire string; unknown strings become [`DeviceCodeStatus::Other`].
    pub fn parse(status: &str) -> Self {
        match status {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "denied" => Self::Denied,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl Serialize for DeviceCodeStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DeviceCodeStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(deserializer)?))
    }
}

/// Response of `GET /device`: the code's status, and for the user who claimed it (the
/// signed-in caller, when nobody had) the application and scopes asking. As better-auth
/// writes it, `scope` is sent (`null` for none) exactly when `client_id` is.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct DeviceVerifyResponse {
    /// The code as the query gave it.
    pub user_code: UserCode,
    /// Where the authorization stands.
    pub status: DeviceCodeStatus,
    /// The application asking; only for the user who claimed the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The scopes asked for; only for the user who claimed the code.
    #[serde(default)]
    pub scope: Option<String>,
}

impl Serialize for DeviceVerifyResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("user_code", &self.user_code)?;
        map.serialize_entry("status", &self.status)?;
        if let Some(client_id) = &self.client_id {
            map.serialize_entry("client_id", client_id)?;
            map.serialize_entry("scope", &self.scope)?;
        }
        map.end()
    }
}

/// Body of `POST /device/approve` and `POST /device/deny`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDecisionRequest {
    /// The code the signed-in user claimed with `GET /device`.
    pub user_code: UserCode,
}

impl RequestSchema for DeviceDecisionRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("userCode", FieldKind::String)];
}

/// Response of `POST /device/approve` and `POST /device/deny`: `{"success": true}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceDecisionResponse {
    /// Always `true` on success.
    pub success: bool,
}

/// An OAuth error code (RFC 6749 §5.2, RFC 8628 §3.5), as the device endpoints answer it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// The user has not decided yet: poll again after the interval.
    AuthorizationPending,
    /// Polled before the interval passed: wait the interval and five seconds more.
    SlowDown,
    /// The code expired (or, at the verification endpoints, the user code did).
    ExpiredToken,
    /// The user denied the request (or, approving, is not the user who claimed it).
    AccessDenied,
    /// A malformed request, an unknown user code, or a code already decided.
    InvalidRequest,
    /// The server does not accept this `client_id`.
    InvalidClient,
    /// An unknown or used device code, or another client's.
    InvalidGrant,
    /// Approving or denying without a session.
    Unauthorized,
    /// The server failed.
    ServerError,
    /// A code this version does not know.
    Other(String),
}

impl OAuthErrorCode {
    /// The wire string (`"slow_down"`).
    pub fn as_str(&self) -> &str {
        match self {
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::AccessDenied => "access_denied",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::Unauthorized => "unauthorized",
            Self::ServerError => "server_error",
            Self::Other(code) => code,
        }
    }

    /// Parses a wire string; unknown strings become [`OAuthErrorCode::Other`].
    pub fn parse(code: &str) -> Self {
        match code {
            "authorization_pending" => Self::AuthorizationPending,
            "slow_down" => Self::SlowDown,
            "expired_token" => Self::ExpiredToken,
            "access_denied" => Self::AccessDenied,
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized" => Self::Unauthorized,
            "server_error" => Self::ServerError,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl std::fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OAuthErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OAuthErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(deserializer)?))
    }
}

/// An OAuth error body, `{"error": "slow_down", "error_description": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthErrorBody {
    /// The error code.
    pub error: OAuthErrorCode,
    /// What went wrong, for people.
    pub error_description: String,
}

/// The device-authorization plugin's routes (better-auth `deviceAuthorization`, RFC 8628;
/// see [`crate::wire::device_authorization`]).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{
        DeviceCodeRequest, DeviceCodeResponse, DeviceDecisionRequest, DeviceDecisionResponse, DeviceTokenRequest,
        DeviceTokenResponse, DeviceVerifyQuery, DeviceVerifyResponse,
    };

    declare_routes! {
        /// The device-authorization routes, in declaration order.
        pub const ROUTES;

        /// `POST /device/code`: a device code and a user code (a JSON body or, as RFC 8628
        /// sends it, a form).
        Code: Post "/device/code" as OAuthForm, DeviceCodeRequest => DeviceCodeResponse;
        /// `POST /device/token`: polls for the session; OAuth errors until the user
        /// approved.
        Token: Post "/device/token", DeviceTokenRequest => DeviceTokenResponse;
        /// `GET /device?user_code=…`: the code's status; a signed-in caller claims an
        /// unclaimed code.
        Verify: Get "/device", DeviceVerifyQuery => DeviceVerifyResponse;
        /// `POST /device/approve`: the user who claimed the code approves it.
        Approve: Post "/device/approve", DeviceDecisionRequest => DeviceDecisionResponse;
        /// `POST /device/deny`: the user who claimed the code denies it.
        Deny: Post "/device/deny", DeviceDecisionRequest => DeviceDecisionResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_better_auths() {
        let request = DeviceTokenRequest::new(DeviceCode::new("dc-secret"), "cli");
        assert_eq!(
            serde_json::to_value(&request).expect("serializes"),
            serde_json::json!({
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "device_code": "dc-secret",
                "client_id": "cli"
            })
        );
        assert!(!format!("{request:?}").contains("dc-secret"));
        let decision = DeviceDecisionRequest {
            user_code: UserCode::new("ABCD2345"),
        };
        assert_eq!(
            serde_json::to_value(&decision).expect("serializes"),
            serde_json::json!({"userCode": "ABCD2345"})
        );
        let code = DeviceCodeRequest {
            client_id: "cli".into(),
            ..DeviceCodeRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&code).expect("serializes"),
            serde_json::json!({"client_id": "cli"})
        );
    }

    #[test]
    fn statuses_and_error_codes_round_trip() {
        for status in ["pending", "approved", "denied", "later"] {
            assert_eq!(DeviceCodeStatus::parse(status).as_str(), status);
        }
        let body: OAuthErrorBody =
            serde_json::from_str(r#"{"error":"slow_down","error_description":"Polling too frequently"}"#)
                .expect("parses");
        assert_eq!(body.error, OAuthErrorCode::SlowDown);
        for code in [
            "authorization_pending",
            "slow_down",
            "expired_token",
            "access_denied",
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized",
            "server_error",
            "invalid_scope",
        ] {
            assert_eq!(OAuthErrorCode::parse(code).as_str(), code);
        }
        let answer: DeviceVerifyResponse =
            serde_json::from_str(r#"{"user_code":"ABCD-2345","status":"approved","client_id":"cli"}"#).expect("parses");
        assert_eq!(answer.status, DeviceCodeStatus::Approved);
        assert_eq!(answer.scope, None);
        assert_eq!(
            serde_json::to_value(&answer).expect("serializes"),
            serde_json::json!({"user_code": "ABCD-2345", "status": "approved", "client_id": "cli", "scope": null})
        );
        let anonymous = DeviceVerifyResponse {
            client_id: None,
            ..answer
        };
        assert_eq!(
            serde_json::to_value(&anonymous).expect("serializes"),
            serde_json::json!({"user_code": "ABCD-2345", "status": "approved"})
        );
    }
}
