//! The two-factor plugin: `/two-factor/*`.
//!
//! Enabling TOTP is two steps: `enable` returns the `otpauth://` URI and backup codes, and
//! the first `verify-totp` with a code from the authenticator app switches two-factor on.
//! A later email sign-in then answers [`TwoFactorRedirect`](super::TwoFactorRedirect)
//! and one of the `verify-*` endpoints completes it.

use serde::{Deserialize, Serialize};

use super::models::User;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{BackupCode, OtpCode, Password, SessionToken, TotpUri};

/// The factor `/two-factor/enable` sets up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwoFactorMethod {
    /// An authenticator app (TOTP); needs a first `verify-totp` to take effect.
    #[default]
    Totp,
    /// Codes delivered by email or SMS; takes effect at once.
    Otp,
}

/// Body of `POST /two-factor/enable`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableTwoFactorRequest {
    /// The user's password (optional only on servers that allow passwordless users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    /// The factor to set up (default TOTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<TwoFactorMethod>,
    /// The issuer shown by authenticator apps, instead of the server's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

impl RequestSchema for EnableTwoFactorRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("password", FieldKind::String),
        FieldSpec::optional("method", FieldKind::OneOf(&["otp", "totp"])),
        FieldSpec::optional("issuer", FieldKind::String),
    ];
}

/// Response of `POST /two-factor/enable`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnableTwoFactorResponse {
    /// The factor that was set up.
    pub method: TwoFactorMethod,
    /// TOTP only: the URI to show as a QR code.
    #[serde(rename = "totpURI", default, skip_serializing_if = "Option::is_none")]
    pub totp_uri: Option<TotpUri>,
    /// TOTP only: ten single-use recovery codes. Show them once; the server keeps them
    /// encrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<BackupCode>>,
}

/// Body of `/two-factor/disable`, `/two-factor/get-totp-uri` and
/// `/two-factor/generate-backup-codes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorPasswordRequest {
    /// The user's password (optional only on servers that allow passwordless users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
}

impl RequestSchema for TwoFactorPasswordRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("password", FieldKind::String)];
}

/// Response of `POST /two-factor/get-totp-uri`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpUriResponse {
    /// The URI to show as a QR code.
    #[serde(rename = "totpURI")]
    pub totp_uri: TotpUri,
}

/// Body of `POST /two-factor/verify-totp` and `POST /two-factor/verify-otp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyCodeRequest {
    /// The code.
    pub code: OtpCode,
    /// Skip the second factor on this device for the server's trust period (30 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_device: Option<bool>,
}

impl RequestSchema for VerifyCodeRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("code", FieldKind::String),
        FieldSpec::optional("trustDevice", FieldKind::Bool),
    ];
}

/// Body of `POST /two-factor/send-otp` (the body itself is optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendOtpRequest {
    /// Accepted for compatibility; trust is decided when the code is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_device: Option<bool>,
}

impl RequestSchema for SendOtpRequest {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::optional("trustDevice", FieldKind::Bool)];
}

/// Body of `POST /two-factor/verify-backup-code`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyBackupCodeRequest {
    /// One of the user's backup codes.
    pub code: BackupCode,
    /// Check the code without creating a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_session: Option<bool>,
    /// Skip the second factor on this device for the server's trust period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_device: Option<bool>,
}

impl RequestSchema for VerifyBackupCodeRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("code", FieldKind::String),
        FieldSpec::optional("disableSession", FieldKind::Bool),
        FieldSpec::optional("trustDevice", FieldKind::Bool),
    ];
}

/// Response of the `verify-*` endpoints: the session's token and its user.
///
/// When a sign-in completes, `token` is the new session's. When a signed-in user verifies
/// their first TOTP code, better-auth rotates the session but answers with the *old*
/// token; the new one arrives in `set-auth-token` and the cookie, which clients should
/// prefer. `token` is absent after `disableSession`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoFactorVerifyResponse {
    /// The session token (see above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<SessionToken>,
    /// The user.
    pub user: User,
}

/// Response of `POST /two-factor/generate-backup-codes` (and of the server-side
/// "view backup codes" call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupCodesResponse {
    /// Always `true`.
    pub status: bool,
    /// The codes; generating replaces every earlier one.
    pub backup_codes: Vec<BackupCode>,
}

/// The two-factor plugin's routes (better-auth `twoFactor`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{
        BackupCodesResponse, EnableTwoFactorRequest, EnableTwoFactorResponse, SendOtpRequest, StatusResponse,
        TotpUriResponse, TwoFactorPasswordRequest, TwoFactorVerifyResponse, VerifyBackupCodeRequest, VerifyCodeRequest,
    };

    declare_routes! {
        /// The two-factor routes, in declaration order.
        pub const ROUTES;

        /// `POST /two-factor/enable`: sets up TOTP or emailed codes.
        Enable: Post "/two-factor/enable", EnableTwoFactorRequest => EnableTwoFactorResponse;
        /// `POST /two-factor/disable`.
        Disable: Post "/two-factor/disable", TwoFactorPasswordRequest => StatusResponse;
        /// `POST /two-factor/get-totp-uri`: the setup URI again.
        GetTotpUri: Post "/two-factor/get-totp-uri", TwoFactorPasswordRequest => TotpUriResponse;
        /// `POST /two-factor/verify-totp`: an authenticator code.
        VerifyTotp: Post "/two-factor/verify-totp", VerifyCodeRequest => TwoFactorVerifyResponse;
        /// `POST /two-factor/send-otp`: sends a code.
        SendOtp: Post "/two-factor/send-otp", SendOtpRequest => StatusResponse;
        /// `POST /two-factor/verify-otp`: a sent code.
        VerifyOtp: Post "/two-factor/verify-otp", VerifyCodeRequest => TwoFactorVerifyResponse;
        /// `POST /two-factor/generate-backup-codes`: a new set of backup codes.
        GenerateBackupCodes: Post "/two-factor/generate-backup-codes", TwoFactorPasswordRequest => BackupCodesResponse;
        /// `POST /two-factor/verify-backup-code`: a backup code, then spent.
        VerifyBackupCode: Post "/two-factor/verify-backup-code", VerifyBackupCodeRequest => TwoFactorVerifyResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::schema::validate_body;
    use serde_json::json;

    #[test]
    fn enable_validates_like_zod() {
        assert!(validate_body::<EnableTwoFactorRequest>(Some(&json!({"password": "x"}))).is_ok());
        assert_eq!(
            validate_body::<EnableTwoFactorRequest>(Some(&json!({"password": "x", "method": "sms"}))),
            Err(r#"[body.method] Invalid option: expected one of "otp"|"totp""#.into())
        );
        assert_eq!(
            validate_body::<EnableTwoFactorRequest>(Some(&json!({}))),
            Err("[body.password] Invalid input: expected string, received undefined".into())
        );
        assert!(validate_body::<SendOtpRequest>(None).is_ok());
    }

    #[test]
    fn responses_parse_and_secrets_stay_redacted() {
        let enabled: EnableTwoFactorResponse = serde_json::from_value(json!({
            "method": "totp",
            "totpURI": "otpauth://totp/Keyward:a%40b.co?secret=ABC&issuer=Keyward&digits=6&period=30",
            "backupCodes": ["KbfRS-fjuR0"]
        }))
        .expect("parses");
        assert_eq!(enabled.method, TwoFactorMethod::Totp);
        let shown = format!("{enabled:?}");
        assert!(!shown.contains("secret=ABC") && !shown.contains("KbfRS"), "{shown}");
        let otp: EnableTwoFactorResponse = serde_json::from_value(json!({"method": "otp"})).expect("parses");
        assert_eq!(otp.totp_uri, None);
    }
}
