//! `/send-verification-email` and `/verify-email`.

use serde::{Deserialize, Serialize};

use super::models::User;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::EmailToken;

/// Body of `POST /send-verification-email`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendVerificationEmailRequest {
    /// The address to verify.
    pub email: String,
    /// Where the link leads after verifying.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

impl RequestSchema for SendVerificationEmailRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::Email),
        FieldSpec::optional("callbackURL", FieldKind::String),
    ];
}

/// Query of `GET /verify-email` (the link in a verification email).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyEmailQuery {
    /// The verification token (a signed JWT).
    pub token: EmailToken,
    /// Where to redirect afterwards (errors come back as `?error=CODE`).
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

impl RequestSchema for VerifyEmailQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("token", FieldKind::String),
        FieldSpec::optional("callbackURL", FieldKind::String),
    ];
}

/// Response of `GET /verify-email` without a `callbackURL`. `user` is set when the
/// link changed the email address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyEmailResponse {
    /// Always `true`.
    pub status: bool,
    /// The updated user, for email-change links.
    #[serde(default)]
    pub user: Option<User>,
}
