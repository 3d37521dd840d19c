//! `/change-password`, `/verify-password`, `/request-password-reset`, `/reset-password`,
//! `/reset-password/:token`.

use serde::{Deserialize, Serialize};

use super::models::User;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{EmailToken, Password, SessionToken};

/// Body of `POST /change-password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    /// The new password.
    pub new_password: Password,
    /// The current password.
    pub current_password: Password,
    /// End every session and start a new one for this client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_other_sessions: Option<bool>,
}

impl RequestSchema for ChangePasswordRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("newPassword", FieldKind::String),
        FieldSpec::required("currentPassword", FieldKind::String),
        FieldSpec::optional("revokeOtherSessions", FieldKind::Bool),
    ];
}

/// Response of `POST /change-password`. `token` is the new session's token when other
/// sessions were revoked, otherwise `null`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangePasswordResponse {
    /// The replacement session's token.
    pub token: Option<SessionToken>,
    /// The user.
    pub user: User,
}

/// Body of `POST /verify-password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyPasswordRequest {
    /// The password to check.
    pub password: Password,
}

impl RequestSchema for VerifyPasswordRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("password", FieldKind::String)];
}

/// Body of `POST /request-password-reset`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestPasswordResetRequest {
    /// The account's email address.
    pub email: String,
    /// The app page that takes the token (`?token=…` or `?error=INVALID_TOKEN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_to: Option<String>,
}

impl RequestSchema for RequestPasswordResetRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::Email),
        FieldSpec::optional("redirectTo", FieldKind::String),
    ];
}

/// Response of `POST /request-password-reset` (the same whether or not the user exists).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPasswordResetResponse {
    /// Always `true`.
    pub status: bool,
    /// "If this email exists in our system, check your email for the reset link".
    pub message: String,
}

/// Body of `POST /reset-password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordRequest {
    /// The new password.
    pub new_password: Password,
    /// The token from the reset email (it may also come as `?token=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<EmailToken>,
}

impl RequestSchema for ResetPasswordRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("newPassword", FieldKind::String),
        FieldSpec::optional("token", FieldKind::String),
    ];
}

/// Query of `GET /reset-password/:token` (the link in the reset email).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPasswordCallbackQuery {
    /// The app page to redirect to.
    #[serde(rename = "callbackURL")]
    pub callback_url: String,
}

impl RequestSchema for ResetPasswordCallbackQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("callbackURL", FieldKind::String)];
}
