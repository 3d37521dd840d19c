//! `POST /sign-up/email`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::models::User;
use super::object::deserialize_from_members;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{Password, SessionToken};

/// Body of `POST /sign-up/email`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpEmailRequest {
    /// Display name.
    pub name: String,
    /// Email address (stored lowercase).
    pub email: String,
    /// Password (8 to 128 characters by default).
    pub password: Password,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Where the verification email's link leads after verifying.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// `false` makes the session end with the browser session (one day at most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_me: Option<bool>,
    /// Additional user fields the server is configured to accept.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl RequestSchema for SignUpEmailRequest {
    const SHAPE: BodyShape = BodyShape::ObjectAndRecord;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("name", FieldKind::String),
        FieldSpec::required("email", FieldKind::Email),
        FieldSpec::required("password", FieldKind::NonEmptyString),
        FieldSpec::optional("image", FieldKind::String),
        FieldSpec::optional("callbackURL", FieldKind::String),
        FieldSpec::optional("rememberMe", FieldKind::Bool),
    ];
}

/// Response of `POST /sign-up/email`. `token` is `null` when the server does not sign
/// new users in (email verification required, or `autoSignIn` off).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SignUpResponse {
    /// The new session's token, if a session was created.
    pub token: Option<SessionToken>,
    /// The new user.
    pub user: User,
}

deserialize_from_members!(SignUpResponse, |members| Self {
    token: members.take_or_default("token")?,
    user: members.take("user")?,
});
