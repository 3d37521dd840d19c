//! The email-OTP plugin (better-auth `emailOTP`): one-time codes sent by email to sign
//! in, verify an address, reset a password or change the address.
//!
//! `POST /email-otp/send-verification-otp` emails a code (digits, six by default) for one
//! [`EmailOtpType`]; the code is then traded at `/sign-in/email-otp`,
//! `/email-otp/verify-email` or `/email-otp/reset-password`. The server keeps it in a
//! `verification` row named `<type>-otp-<email>` whose value is `"<code>:<attempts>"` (the
//! code plain, hashed or encrypted), for five minutes by default; every wrong guess
//! counts, and after three (by default) the code is dead: `403 TOO_MANY_ATTEMPTS`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::models::User;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{OtpCode, Password, SessionToken};

/// What a code is for (better-auth's `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmailOtpType {
    /// Verifies the address (`/email-otp/verify-email`).
    EmailVerification,
    /// Signs in, creating the user on first use (`/sign-in/email-otp`).
    SignIn,
    /// Resets the password (`/email-otp/reset-password`).
    ForgetPassword,
    /// Changes the address (`/email-otp/change-email`); only
    /// `/email-otp/request-email-change` sends these.
    ChangeEmail,
}

impl EmailOtpType {
    /// Every type, in better-auth's order.
    pub const ALL: [EmailOtpType; 4] = [
        EmailOtpType::EmailVerification,
        EmailOtpType::SignIn,
        EmailOtpType::ForgetPassword,
        EmailOtpType::ChangeEmail,
    ];

    /// The name on the wire (`email-verification` …).
    pub const fn as_str(self) -> &'static str {
        match self {
            EmailOtpType::EmailVerification => "email-verification",
            EmailOtpType::SignIn => "sign-in",
            EmailOtpType::ForgetPassword => "forget-password",
            EmailOtpType::ChangeEmail => "change-email",
        }
    }
}

/// The `type` values better-auth's zod enum accepts.
const TYPES: &[&str] = &["email-verification", "sign-in", "forget-password", "change-email"];

/// Body of `POST /email-otp/send-verification-otp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendVerificationOtpRequest {
    /// The address (lowercased by the server).
    pub email: String,
    /// What the code is for (`change-email` is refused here).
    #[serde(rename = "type")]
    pub otp_type: EmailOtpType,
}

impl RequestSchema for SendVerificationOtpRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::String),
        FieldSpec::required("type", FieldKind::OneOf(TYPES)),
    ];
}

/// Body of `POST /email-otp/check-verification-otp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckVerificationOtpRequest {
    /// The address the code was sent to.
    pub email: String,
    /// What the code is for.
    #[serde(rename = "type")]
    pub otp_type: EmailOtpType,
    /// The code.
    pub otp: OtpCode,
}

impl RequestSchema for CheckVerificationOtpRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::String),
        FieldSpec::required("type", FieldKind::OneOf(TYPES)),
        FieldSpec::required("otp", FieldKind::String),
    ];
}

/// Body of `POST /email-otp/verify-email`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyEmailOtpRequest {
    /// The address to verify.
    pub email: String,
    /// The `email-verification` code sent to it.
    pub otp: OtpCode,
}

impl RequestSchema for VerifyEmailOtpRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::String),
        FieldSpec::required("otp", FieldKind::String),
    ];
}

/// Answer of `POST /email-otp/verify-email`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyEmailOtpResponse {
    /// Always `true`.
    pub status: bool,
    /// A new session's token when the server signs users in after verification
    /// (`autoSignInAfterVerification`), else `null`.
    pub token: Option<SessionToken>,
    /// The user, now verified.
    pub user: User,
}

/// Body of `POST /sign-in/email-otp`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInEmailOtpRequest {
    /// The address the `sign-in` code was sent to.
    pub email: String,
    /// The code.
    pub otp: OtpCode,
    /// The display name of a user the code creates (ignored for an existing user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The image of a user the code creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Additional user fields for a user the code creates.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl SignInEmailOtpRequest {
    /// A sign-in of `email` with `otp`.
    pub fn new(email: impl Into<String>, otp: impl Into<OtpCode>) -> Self {
        Self {
            email: email.into(),
            otp: otp.into(),
            name: None,
            image: None,
            additional: Map::new(),
        }
    }
}

impl RequestSchema for SignInEmailOtpRequest {
    const SHAPE: BodyShape = BodyShape::ObjectAndRecord;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::String),
        FieldSpec::required("otp", FieldKind::String),
        FieldSpec::optional("name", FieldKind::String),
        FieldSpec::optional("image", FieldKind::String),
    ];
}

/// Answer of `POST /sign-in/email-otp`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInEmailOtpResponse {
    /// The new session's token.
    pub token: SessionToken,
    /// The signed-in (possibly new) user.
    pub user: User,
}

/// Body of `POST /email-otp/request-password-reset` and its deprecated alias
/// `POST /forget-password/email-otp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailOtpPasswordResetRequest {
    /// The address to send a `forget-password` code to.
    pub email: String,
}

impl RequestSchema for EmailOtpPasswordResetRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("email", FieldKind::String)];
}

/// Body of `POST /email-otp/reset-password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPasswordEmailOtpRequest {
    /// The address the `forget-password` code was sent to.
    pub email: String,
    /// The code.
    pub otp: OtpCode,
    /// The new password.
    pub password: Password,
}

impl RequestSchema for ResetPasswordEmailOtpRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::String),
        FieldSpec::required("otp", FieldKind::String),
        FieldSpec::required("password", FieldKind::String),
    ];
}

/// Body of `POST /email-otp/request-email-change` (signed in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEmailChangeOtpRequest {
    /// The address to change to; the `change-email` code goes there.
    #[serde(rename = "newEmail")]
    pub new_email: String,
    /// An `email-verification` code sent to the current address, when the server
    /// requires one (`changeEmail.verifyCurrentEmail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<OtpCode>,
}

impl RequestSchema for RequestEmailChangeOtpRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("newEmail", FieldKind::String),
        FieldSpec::optional("otp", FieldKind::String),
    ];
}

/// Body of `POST /email-otp/change-email` (signed in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEmailOtpRequest {
    /// The address to change to.
    #[serde(rename = "newEmail")]
    pub new_email: String,
    /// The `change-email` code sent to it.
    pub otp: OtpCode,
}

impl RequestSchema for ChangeEmailOtpRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("newEmail", FieldKind::String),
        FieldSpec::required("otp", FieldKind::String),
    ];
}

/// The email-OTP plugin's routes (better-auth `emailOTP`).
pub mod routes {
    use crate::wire::organization::SuccessResponse;
    use crate::wire::routes::declare_routes;
    use crate::wire::{
        ChangeEmailOtpRequest, CheckVerificationOtpRequest, EmailOtpPasswordResetRequest, RequestEmailChangeOtpRequest,
        ResetPasswordEmailOtpRequest, SendVerificationOtpRequest, SignInEmailOtpRequest, SignInEmailOtpResponse,
        VerifyEmailOtpRequest, VerifyEmailOtpResponse,
    };

    declare_routes! {
        /// The email-OTP routes, in declaration order.
        pub const ROUTES;

        /// `POST /email-otp/send-verification-otp`: emails a code of a type (JSON only,
        /// with better-auth's form CSRF rules); `{"success": true}` whether or not the
        /// address has a user.
        SendVerificationOtp: Post "/email-otp/send-verification-otp", SendVerificationOtpRequest => SuccessResponse;
        /// `POST /email-otp/check-verification-otp`: whether a code is right, without
        /// using it up (a wrong one counts as an attempt).
        CheckVerificationOtp: Post "/email-otp/check-verification-otp", CheckVerificationOtpRequest => SuccessResponse;
        /// `POST /email-otp/verify-email`: marks the address verified with its code.
        VerifyEmail: Post "/email-otp/verify-email", VerifyEmailOtpRequest => VerifyEmailOtpResponse;
        /// `POST /sign-in/email-otp`: a session for the address's owner, created on
        /// first use unless the server forbids sign-ups.
        SignIn: Post "/sign-in/email-otp", SignInEmailOtpRequest => SignInEmailOtpResponse;
        /// `POST /email-otp/request-password-reset`: emails a `forget-password` code.
        RequestPasswordReset: Post "/email-otp/request-password-reset", EmailOtpPasswordResetRequest => SuccessResponse;
        /// `POST /forget-password/email-otp`: the deprecated name of
        /// `/email-otp/request-password-reset`.
        ForgetPassword: Post "/forget-password/email-otp", EmailOtpPasswordResetRequest => SuccessResponse;
        /// `POST /email-otp/reset-password`: sets a new password with a `forget-password`
        /// code.
        ResetPassword: Post "/email-otp/reset-password", ResetPasswordEmailOtpRequest => SuccessResponse;
        /// `POST /email-otp/request-email-change`: emails a `change-email` code to a new
        /// address (signed in; the server must enable it).
        RequestEmailChange: Post "/email-otp/request-email-change", RequestEmailChangeOtpRequest => SuccessResponse;
        /// `POST /email-otp/change-email`: changes the address with its code (signed in).
        ChangeEmail: Post "/email-otp/change-email", ChangeEmailOtpRequest => SuccessResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_better_auths_names() {
        for otp_type in EmailOtpType::ALL {
            let json = serde_json::to_value(otp_type).expect("serializes");
            assert_eq!(json, Value::String(otp_type.as_str().into()));
            assert_eq!(serde_json::from_value::<EmailOtpType>(json).ok(), Some(otp_type));
        }
        assert_eq!(TYPES, EmailOtpType::ALL.map(EmailOtpType::as_str));
    }

    #[test]
    fn bodies_use_better_auths_keys() {
        let send = SendVerificationOtpRequest {
            email: "ada@example.com".into(),
            otp_type: EmailOtpType::SignIn,
        };
        assert_eq!(
            serde_json::to_string(&send).expect("json"),
            r#"{"email":"ada@example.com","type":"sign-in"}"#
        );
        let mut sign_in = SignInEmailOtpRequest::new("ada@example.com", "123456");
        sign_in.additional.insert("lang".into(), Value::String("fr".into()));
        let json = serde_json::to_value(&sign_in).expect("json");
        assert_eq!(json["otp"], "123456");
        assert_eq!(json["lang"], "fr");
        assert!(json.get("name").is_none());
        let change = RequestEmailChangeOtpRequest {
            new_email: "new@example.com".into(),
            otp: None,
        };
        assert_eq!(
            serde_json::to_string(&change).expect("json"),
            r#"{"newEmail":"new@example.com"}"#
        );
    }
}
