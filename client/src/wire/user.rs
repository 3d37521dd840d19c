//! `/update-user`, `/change-email`, `/delete-user`, `/delete-user/callback`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{EmailToken, Password};

/// Body of `POST /update-user`. Only the fields that are set are sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateUserRequest {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New avatar: `Some(Some(url))` sets it, `Some(None)` clears it (`null`).
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub image: Option<Option<String>>,
    /// Additional user fields the server accepts.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl RequestSchema for UpdateUserRequest {
    const SHAPE: BodyShape = BodyShape::Record;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("name", FieldKind::String),
        FieldSpec::optional("image", FieldKind::NullableString),
    ];
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Body of `POST /change-email`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEmailRequest {
    /// The new address.
    pub new_email: String,
    /// Where the verification link leads.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

impl RequestSchema for ChangeEmailRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("newEmail", FieldKind::Email),
        FieldSpec::optional("callbackURL", FieldKind::String),
    ];
}

/// Body of `POST /delete-user`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUserRequest {
    /// Where the confirmation link leads after deleting.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The current password, which lifts the fresh-session requirement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    /// The token from a deletion confirmation email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<EmailToken>,
}

impl RequestSchema for DeleteUserRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("callbackURL", FieldKind::String),
        FieldSpec::optional("password", FieldKind::String),
        FieldSpec::optional("token", FieldKind::String),
    ];
}

/// Query of `GET /delete-user/callback` (the link in a deletion confirmation email).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUserCallbackQuery {
    /// The deletion token.
    pub token: EmailToken,
    /// Where to redirect after deleting.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

impl RequestSchema for DeleteUserCallbackQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("token", FieldKind::String),
        FieldSpec::optional("callbackURL", FieldKind::String),
    ];
}
