//! `POST /sign-out`.

use serde::{Deserialize, Serialize};

use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};

/// Optional body of `POST /sign-out`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOutRequest {
    /// Post-logout redirect for a provider's RP-initiated logout.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Return the provider logout URL without redirecting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_redirect: Option<bool>,
    /// State passed to the provider logout endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl RequestSchema for SignOutRequest {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("callbackURL", FieldKind::String),
        FieldSpec::optional("disableRedirect", FieldKind::Bool),
        FieldSpec::optional("state", FieldKind::String),
    ];
}

/// Response of `POST /sign-out`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOutResponse {
    /// Always `true`.
    pub success: bool,
    /// Provider logout URL, when a linked provider supports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Whether the client should navigate to `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<bool>,
}
