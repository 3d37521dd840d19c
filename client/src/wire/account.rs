//! `/list-accounts`, `/unlink-account`, `/account-info`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::ProviderToken;

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
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// Body of `POST /link-social`: link another provider account to the signed-in user.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkSocialRequest {
    /// Provider id.
    pub provider: String,
    /// Where the browser lands once the account is linked.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Where the browser lands when linking fails (`?error=<code>`).
    #[serde(default, rename = "errorCallbackURL", skip_serializing_if = "Option::is_none")]
    pub error_callback_url: Option<String>,
    /// Return the URL without a `Location` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_redirect: Option<bool>,
    /// Scopes to ask for besides the provider's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Login hint passed to the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    /// Carried in the state (better-auth accepts it; linking never signs up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_sign_up: Option<bool>,
    /// Extra authorization-URL parameters (not the reserved OAuth ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_params: Option<std::collections::BTreeMap<String, String>>,
    /// Extra data carried through the OAuth state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<serde_json::Map<String, Value>>,
    /// Link with an ID token from a native SDK instead of a redirect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<super::IdTokenCredential>,
}

impl RequestSchema for LinkSocialRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("provider", FieldKind::StringUnion),
        FieldSpec::optional("callbackURL", FieldKind::String),
        FieldSpec::optional("idToken", FieldKind::Nested(super::sign_in::ID_TOKEN_FIELDS)),
        FieldSpec::optional("requestSignUp", FieldKind::Bool),
        FieldSpec::optional("scopes", FieldKind::StringList),
        FieldSpec::optional("errorCallbackURL", FieldKind::String),
        FieldSpec::optional("disableRedirect", FieldKind::Bool),
        FieldSpec::optional("loginHint", FieldKind::String),
        FieldSpec::optional("additionalParams", FieldKind::StringRecord),
        FieldSpec::optional("additionalData", FieldKind::Record),
    ];
}

/// Response of `POST /link-social`: the provider URL to open (`redirect` flow), or
/// `{url: "", status: true, redirect: false}` once an ID token was linked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSocialResponse {
    /// The provider's authorization URL; empty after an ID-token link.
    pub url: String,
    /// Whether the server asked the browser to go there.
    pub redirect: bool,
    /// `true` after an ID-token link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<bool>,
}

/// Which linked account `/get-access-token`, `/refresh-token` and `/account-info` act
/// on: the account row id from `/list-accounts`, or the account of the signed
/// `account_data` cookie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSelector {
    /// The account row id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// `true`: the account of the `account_data` cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_account_cookie: Option<bool>,
    /// Server-side calls only: whose account (an HTTP request always acts for its
    /// session's user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl AccountSelector {
    /// The account with row id `id` (from `/list-accounts`).
    pub fn account(id: impl Into<String>) -> Self {
        Self {
            account_id: Some(id.into()),
            use_account_cookie: None,
            user_id: None,
        }
    }

    /// The account named by the `account_data` cookie.
    pub fn account_cookie() -> Self {
        Self {
            account_id: None,
            use_account_cookie: Some(true),
            user_id: None,
        }
    }

    /// better-auth's strict union: exactly one of the two selectors, and nothing else.
    pub fn is_valid(body: &serde_json::Map<String, Value>) -> bool {
        let allowed = body
            .keys()
            .all(|k| matches!(k.as_str(), "accountId" | "useAccountCookie" | "userId"));
        let user_ok = body.get("userId").is_none_or(Value::is_string);
        let by_id = body.get("accountId").is_some_and(Value::is_string) && !body.contains_key("useAccountCookie");
        let by_cookie = body.get("useAccountCookie") == Some(&Value::Bool(true)) && !body.contains_key("accountId");
        allowed && user_ok && (by_id || by_cookie)
    }
}

impl RequestSchema for AccountSelector {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[];
}

/// Response of `POST /get-access-token`: a valid access token (refreshed if it was
/// about to expire).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenResponse {
    /// The access token (`""` when the account has none).
    pub access_token: ProviderToken,
    /// When it expires.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "super::time::iso_opt")]
    pub access_token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The granted scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The provider's ID token, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<ProviderToken>,
}

/// Response of `POST /refresh-token`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTokenResponse {
    /// The new access token.
    pub access_token: ProviderToken,
    /// The refresh token now stored (the new one, or the old one when the provider
    /// sent none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<ProviderToken>,
    /// When the access token expires.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "super::time::iso_opt")]
    pub access_token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the refresh token expires.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "super::time::iso_opt")]
    pub refresh_token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The stored scopes, comma-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The ID token now stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<ProviderToken>,
    /// The provider id.
    pub provider_id: String,
    /// The account row id.
    pub account_id: String,
}

/// The parameters of `/callback/{provider}` (query, or form body of a `form_post`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackParams {
    /// The authorization code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The provider's error (`access_denied` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Device id (some providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// The provider's error description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// The state of the flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Apple's user JSON (name and e-mail, first sign-in only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The issuer of the authorization response (RFC 9207).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
}

impl RequestSchema for CallbackParams {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("code", FieldKind::String),
        FieldSpec::optional("error", FieldKind::String),
        FieldSpec::optional("device_id", FieldKind::String),
        FieldSpec::optional("error_description", FieldKind::String),
        FieldSpec::optional("state", FieldKind::String),
        FieldSpec::optional("user", FieldKind::String),
        FieldSpec::optional("iss", FieldKind::String),
    ];
}
