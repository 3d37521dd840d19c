//! `/list-accounts`, `/unlink-account`, `/account-info`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};

/// Body of `POST /unlink-account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnlinkAccountRequest {
    /// The account row id from `/list-accounts` (not the provider's user id).
    pub account_id: String,
}

impl RequestSchema for UnlinkAccountRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("accountId", FieldKind::String)];
}

/// Query of `GET /account-info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfoQuery {
    /// The account row id.
    pub account_id: String,
}

impl RequestSchema for AccountInfoQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("accountId", FieldKind::String)];
}

/// The provider's view of the user in `/account-info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderUser {
    /// The provider's user id.
    #[serde(default)]
    pub id: Option<String>,
    /// Name at the provider.
    #[serde(default)]
    pub name: Option<String>,
    /// Email at the provider.
    #[serde(default)]
    pub email: Option<String>,
    /// Avatar at the provider.
    #[serde(default)]
    pub image: Option<String>,
    /// Whether the provider verified the email.
    #[serde(default)]
    pub email_verified: bool,
}

/// The account part of `/account-info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRef {
    /// The account row id.
    pub id: String,
    /// The provider id.
    pub provider_id: String,
    /// The provider's user id.
    pub account_id: String,
}

/// Response of `GET /account-info`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountInfoResponse {
    /// The user as the provider describes them.
    pub user: ProviderUser,
    /// The provider's raw profile.
    #[serde(default)]
    pub data: Value,
    /// Which account this is.
    pub account: AccountRef,
}
