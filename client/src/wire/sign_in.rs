//! `POST /sign-in/email` and `POST /sign-in/social`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::models::User;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{Password, SessionToken};

/// Body of `POST /sign-in/email`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInEmailRequest {
    /// Email address (case-insensitive).
    pub email: String,
    /// Password.
    pub password: Password,
    /// Returned as `url` with `redirect: true`, and sent as `Location`.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// `false` makes the session end with the browser session (one day at most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_me: Option<bool>,
}

impl RequestSchema for SignInEmailRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::String),
        FieldSpec::required("password", FieldKind::String),
        FieldSpec::optional("callbackURL", FieldKind::String),
        FieldSpec::optional("rememberMe", FieldKind::Bool),
    ];
}

/// Response of a successful `POST /sign-in/email`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInResponse {
    /// `true` when a `callbackURL` was given.
    pub redirect: bool,
    /// The new session's token.
    pub token: SessionToken,
    /// The `callbackURL`, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The signed-in user.
    pub user: User,
}

/// Response of a sign-in that needs a second factor (two-factor plugin): no session was
/// created; the `two_factor` challenge cookie was set instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorRedirect {
    /// Always `true`.
    pub two_factor_redirect: bool,
    /// The factors the user can use: `"totp"`, `"otp"`.
    #[serde(default)]
    pub two_factor_methods: Vec<String>,
}

/// What `POST /sign-in/email` answers: a session, or (two-factor plugin) a challenge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignInOutcome {
    /// The password was right but the account needs a second factor; no session yet.
    TwoFactorRequired(TwoFactorRedirect),
    /// Signed in.
    SignedIn(Box<SignInResponse>),
}

impl SignInOutcome {
    /// The response when signed in.
    pub fn signed_in(&self) -> Option<&SignInResponse> {
        match self {
            Self::SignedIn(response) => Some(response),
            Self::TwoFactorRequired(_) => None,
        }
    }

    /// The factors the user can complete the sign-in with, when one is required.
    pub fn two_factor_methods(&self) -> Option<&[String]> {
        match self {
            Self::TwoFactorRequired(redirect) => Some(&redirect.two_factor_methods),
            Self::SignedIn(_) => None,
        }
    }
}

/// Body of `POST /sign-in/social` (the redirect flow).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInSocialRequest {
    /// Provider id, for example `github`.
    pub provider: String,
    /// Where to land after signing in.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Where to land after signing up.
    #[serde(default, rename = "newUserCallbackURL", skip_serializing_if = "Option::is_none")]
    pub new_user_callback_url: Option<String>,
    /// Where to land when the flow fails.
    #[serde(default, rename = "errorCallbackURL", skip_serializing_if = "Option::is_none")]
    pub error_callback_url: Option<String>,
    /// Return the URL without a `Location` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_redirect: Option<bool>,
    /// Scopes to request instead of the provider's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Login hint passed to the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    /// Ask for sign-up where implicit sign-up is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_sign_up: Option<bool>,
    /// Extra data carried through the OAuth state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Map<String, Value>>,
}

/// Response of `POST /sign-in/social` in the redirect flow: the provider URL to open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialRedirect {
    /// The provider's authorization URL.
    pub url: String,
    /// `false` when `disableRedirect` was set.
    pub redirect: bool,
}
