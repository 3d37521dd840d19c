//! The phone-number plugin (better-auth `phoneNumber`): one-time codes by SMS, sign-in
//! with a phone number and password, and password resets by SMS.
//!
//! `POST /phone-number/send-otp` texts a code; `POST /phone-number/verify` checks it,
//! marks the number verified (creating its user when the server signs up on
//! verification, or setting it on the signed-in user with `updatePhoneNumber`) and signs
//! in. `POST /sign-in/phone-number` signs in with the number and a password;
//! `/phone-number/request-password-reset` and `/phone-number/reset-password` reset a
//! password with a texted code. Users have `phoneNumber` (unique) and
//! `phoneNumberVerified` fields, which only a verified code sets.
//!
//! A code is a `verification` row named `phone-number-otp-<number>` (or
//! `phone-number-reset-<number>`) whose value is `<code>:<failed attempts>`; after
//! `allowedAttempts` (3) wrong codes it is gone (`TOO_MANY_ATTEMPTS`).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::models::User;
use super::object::Members;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{OtpCode, Password, SessionToken};
use super::sign_in::{TwoFactorRedirect, read_sign_in_outcome};

/// Body of `POST /phone-number/send-otp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPhoneNumberOtpRequest {
    /// The number to text the code to, as the application writes numbers (`+15551234567`).
    pub phone_number: String,
}

impl RequestSchema for SendPhoneNumberOtpRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("phoneNumber", FieldKind::String)];
}

/// Response of `POST /phone-number/send-otp`: `{"message": "code sent"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberOtpSent {
    /// `code sent`.
    pub message: String,
}

/// Body of `POST /phone-number/verify`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyPhoneNumberRequest {
    /// The number the code was texted to.
    pub phone_number: String,
    /// The code.
    pub code: OtpCode,
    /// `true`: no session is created (`token` is `null` in the answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_session: Option<bool>,
    /// `true`: the number becomes the signed-in user's (the request's session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_phone_number: Option<bool>,
    /// Additional user fields for a user the verification creates (sign-up on
    /// verification).
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub additional: Map<String, Value>,
}

impl RequestSchema for VerifyPhoneNumberRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("phoneNumber", FieldKind::String),
        FieldSpec::required("code", FieldKind::String),
        FieldSpec::optional("disableSession", FieldKind::Bool),
        FieldSpec::optional("updatePhoneNumber", FieldKind::Bool),
    ];
}

/// Response of `POST /phone-number/verify`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyPhoneNumberResponse {
    /// Always `true`.
    pub status: bool,
    /// The new session's token (the current one with `updatePhoneNumber`); `null` with
    /// `disableSession`.
    pub token: Option<SessionToken>,
    /// The user the number belongs to.
    pub user: User,
}

/// Body of `POST /sign-in/phone-number`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInPhoneNumberRequest {
    /// The user's phone number.
    pub phone_number: String,
    /// Password.
    pub password: Password,
    /// `false` makes the session end with the browser session (one day at most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_me: Option<bool>,
}

impl RequestSchema for SignInPhoneNumberRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("phoneNumber", FieldKind::String),
        FieldSpec::required("password", FieldKind::String),
        FieldSpec::optional("rememberMe", FieldKind::Bool),
    ];
}

/// Response of a successful `POST /sign-in/phone-number`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInPhoneNumberResponse {
    /// The new session's token.
    pub token: SessionToken,
    /// The signed-in user.
    pub user: User,
}

/// What `POST /sign-in/phone-number` answers: a session, or (two-factor plugin) a
/// challenge.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PhoneSignInOutcome {
    /// The password was right but the account needs a second factor; no session yet.
    TwoFactorRequired(TwoFactorRedirect),
    /// Signed in.
    SignedIn(Box<SignInPhoneNumberResponse>),
}

impl<'de> Deserialize<'de> for PhoneSignInOutcome {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_sign_in_outcome(Members::read(deserializer)?, Self::TwoFactorRequired, |members| {
            members.rest_as().map(|response| Self::SignedIn(Box::new(response)))
        })
    }
}

impl PhoneSignInOutcome {
    /// The response when signed in.
    pub fn signed_in(&self) -> Option<&SignInPhoneNumberResponse> {
        match self {
            Self::SignedIn(response) => Some(response),
            Self::TwoFactorRequired(_) => None,
        }
    }
}

/// Body of `POST /phone-number/request-password-reset`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestPasswordResetPhoneNumberRequest {
    /// The number to text the reset code to.
    pub phone_number: String,
}

impl RequestSchema for RequestPasswordResetPhoneNumberRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("phoneNumber", FieldKind::String)];
}

/// Body of `POST /phone-number/reset-password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordPhoneNumberRequest {
    /// The texted reset code.
    pub otp: OtpCode,
    /// The number it was texted to.
    pub phone_number: String,
    /// The new password.
    pub new_password: Password,
}

impl RequestSchema for ResetPasswordPhoneNumberRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("otp", FieldKind::String),
        FieldSpec::required("phoneNumber", FieldKind::String),
        FieldSpec::required("newPassword", FieldKind::String),
    ];
}

/// The phone-number plugin's routes (better-auth `phoneNumber`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{
        PhoneNumberOtpSent, PhoneSignInOutcome, RequestPasswordResetPhoneNumberRequest,
        ResetPasswordPhoneNumberRequest, SendPhoneNumberOtpRequest, SignInPhoneNumberRequest, StatusResponse,
        VerifyPhoneNumberRequest, VerifyPhoneNumberResponse,
    };

    declare_routes! {
        /// The phone-number routes, in declaration order.
        pub const ROUTES;

        /// `POST /sign-in/phone-number`: a session (or a two-factor challenge) for a phone
        /// number and password.
        SignInPhoneNumber: Post "/sign-in/phone-number", SignInPhoneNumberRequest => PhoneSignInOutcome;
        /// `POST /phone-number/send-otp`: texts a verification code to the number.
        SendOtp: Post "/phone-number/send-otp", SendPhoneNumberOtpRequest => PhoneNumberOtpSent;
        /// `POST /phone-number/verify`: checks a code, marks the number verified and signs
        /// in (or sets the number on the signed-in user).
        Verify: Post "/phone-number/verify", VerifyPhoneNumberRequest => VerifyPhoneNumberResponse;
        /// `POST /phone-number/request-password-reset`: texts a password-reset code.
        RequestPasswordReset: Post "/phone-number/request-password-reset", RequestPasswordResetPhoneNumberRequest => StatusResponse;
        /// `POST /phone-number/reset-password`: a new password with a texted code.
        ResetPassword: Post "/phone-number/reset-password", ResetPasswordPhoneNumberRequest => StatusResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_better_auths_and_hide_their_secrets() {
        let mut additional = Map::new();
        additional.insert("nickname".into(), Value::String("Ada".into()));
        let verify = VerifyPhoneNumberRequest {
            phone_number: "+15550001".into(),
            code: OtpCode::new("123456"),
            disable_session: Some(true),
            update_phone_number: None,
            additional,
        };
        assert_eq!(
            serde_json::to_value(&verify).expect("serializes"),
            serde_json::json!({"phoneNumber": "+15550001", "code": "123456", "disableSession": true, "nickname": "Ada"})
        );
        assert!(!format!("{verify:?}").contains("123456"));
        let reset = ResetPasswordPhoneNumberRequest {
            otp: OtpCode::new("654321"),
            phone_number: "+15550001".into(),
            new_password: Password::new("new-secret-password"),
        };
        assert_eq!(
            serde_json::to_value(&reset).expect("serializes"),
            serde_json::json!({"otp": "654321", "phoneNumber": "+15550001", "newPassword": "new-secret-password"})
        );
        let debug = format!("{reset:?}");
        assert!(!debug.contains("654321") && !debug.contains("new-secret-password"));
        let challenge: PhoneSignInOutcome =
            serde_json::from_str(r#"{"twoFactorRedirect":true,"twoFactorMethods":["totp"]}"#).expect("parses");
        assert!(challenge.signed_in().is_none());
    }
}
