//! `POST /sign-in/email` and `POST /sign-in/social`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::models::User;
use super::object::{Members, deserialize_from_members};
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{Password, ProviderToken, SessionToken};

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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SignInResponse {
    /// `true` when a `callbackURL` was given.
    pub redirect: bool,
    /// The new session's token.
    pub token: SessionToken,
    /// The `callbackURL`, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The signed-in user.
    pub user: User,
}

deserialize_from_members!(SignInResponse, |members| Self {
    redirect: members.take("redirect")?,
    token: members.take("token")?,
    url: members.take_or_default("url")?,
    user: members.take("user")?,
});

/// Response of a sign-in that needs a second factor (two-factor plugin): no session was
/// created; the `two_factor` challenge cookie was set instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorRedirect {
    /// Always `true`.
    pub two_factor_redirect: bool,
    /// The factors the user can use: `"totp"`, `"otp"`.
    pub two_factor_methods: Vec<String>,
}

deserialize_from_members!(TwoFactorRedirect, |members| Self {
    two_factor_redirect: members.take("twoFactorRedirect")?,
    two_factor_methods: members.take_or_default("twoFactorMethods")?,
});

/// What `POST /sign-in/email` answers: a session, or (two-factor plugin) a challenge.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SignInOutcome {
    /// The password was right but the account needs a second factor; no session yet.
    TwoFactorRequired(TwoFactorRedirect),
    /// Signed in.
    SignedIn(Box<SignInResponse>),
}

impl<'de> Deserialize<'de> for SignInOutcome {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_sign_in_outcome(Members::read(deserializer)?, Self::TwoFactorRequired, |members| {
            SignInResponse::from_members(members).map(|response| Self::SignedIn(Box::new(response)))
        })
    }
}

/// Reads a sign-in answer (email, phone number …): the second-factor challenge when it has
/// `twoFactorRedirect`, otherwise what `signed_in` reads. An untagged enum would buffer
/// the object and try each variant in turn.
pub(crate) fn read_sign_in_outcome<T, E: serde::de::Error>(
    members: Members,
    challenge: impl FnOnce(TwoFactorRedirect) -> T,
    signed_in: impl FnOnce(Members) -> Result<T, E>,
) -> Result<T, E> {
    if members.has("twoFactorRedirect") {
        TwoFactorRedirect::from_members(members).map(challenge)
    } else {
        signed_in(members)
    }
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
    /// Extra parameters for the provider's authorization URL (not the reserved OAuth
    /// ones: `state`, `client_id`, `redirect_uri`, `scope` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_params: Option<BTreeMap<String, String>>,
    /// Sign in with an ID token a native SDK obtained (Google, Apple …) instead of a
    /// redirect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<IdTokenCredential>,
}

/// The fields of the ID-token object of `/sign-in/social` and `/link-social`.
pub(crate) const ID_TOKEN_FIELDS: &[FieldSpec] = &[
    FieldSpec::required("token", FieldKind::String),
    FieldSpec::optional("nonce", FieldKind::String),
    FieldSpec::optional("accessToken", FieldKind::String),
    FieldSpec::optional("refreshToken", FieldKind::String),
    FieldSpec::optional("expiresAt", FieldKind::Number),
    FieldSpec::optional("user", FieldKind::Object),
];

impl RequestSchema for SignInSocialRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("provider", FieldKind::StringUnion),
        FieldSpec::optional("callbackURL", FieldKind::String),
        FieldSpec::optional("newUserCallbackURL", FieldKind::String),
        FieldSpec::optional("errorCallbackURL", FieldKind::String),
        FieldSpec::optional("disableRedirect", FieldKind::Bool),
        FieldSpec::optional("idToken", FieldKind::Nested(ID_TOKEN_FIELDS)),
        FieldSpec::optional("scopes", FieldKind::StringList),
        FieldSpec::optional("requestSignUp", FieldKind::Bool),
        FieldSpec::optional("loginHint", FieldKind::String),
        FieldSpec::optional("additionalParams", FieldKind::StringRecord),
        FieldSpec::optional("additionalData", FieldKind::Record),
    ];
}

/// An ID token from a provider's native SDK, to sign in or link with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdTokenCredential {
    /// The ID token (a JWT).
    pub token: ProviderToken,
    /// The nonce the app put in the authorization request, checked against the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The access token that came with it, stored with the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<ProviderToken>,
    /// The refresh token that came with it (better-auth 1.7.25 does not store it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<ProviderToken>,
    /// When the access token expires (milliseconds since the epoch; ignored by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
    /// The name and address Apple hands the app on the first sign-in only
    /// (`{name: {firstName, lastName}, email}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Value>,
}

impl IdTokenCredential {
    /// A credential of the ID token alone.
    pub fn new(token: impl Into<ProviderToken>) -> Self {
        Self {
            token: token.into(),
            nonce: None,
            access_token: None,
            refresh_token: None,
            expires_at: None,
            user: None,
        }
    }
}

/// Response of `POST /sign-in/social`: the provider's URL to open, or, for an ID-token
/// sign-in, the session.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SocialSignInOutcome {
    /// Signed in with an ID token.
    SignedIn(Box<SignInResponse>),
    /// Open `url` to continue at the provider.
    Redirect(SocialRedirect),
}

/// Told apart by the signed-in user, which only a session answer has.
impl<'de> Deserialize<'de> for SocialSignInOutcome {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let members = Members::read(deserializer)?;
        if members.has("user") {
            SignInResponse::from_members(members).map(|response| Self::SignedIn(Box::new(response)))
        } else {
            members.rest_as().map(Self::Redirect)
        }
    }
}

/// Response of `POST /sign-in/social` in the redirect flow: the provider URL to open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialRedirect {
    /// The provider's authorization URL.
    pub url: String,
    /// `false` when `disableRedirect` was set.
    pub redirect: bool,
}

/// The `?error=` code a social sign-in or link flow ends with at the `errorCallbackURL`
/// (better-auth 1.7.25's callback codes; a provider's own `error`, such as
/// `access_denied`, and codes of server hooks arrive as [`SocialErrorCode::Other`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SocialErrorCode {
    /// The callback had no `state`.
    StateNotFound,
    /// The state is unknown, used, expired, or came back to another browser.
    StateMismatch,
    /// The state cookie could not be read.
    StateInvalid,
    /// The provider did not return a code.
    NoCode,
    /// The callback names a provider the server does not have.
    OauthProviderNotFound,
    /// The authorization response's `iss` is not the provider's.
    IssuerMismatch,
    /// The flow carried no nonce for a provider that binds one.
    NonceBindingMissing,
    /// The code exchange failed (wrong PKCE verifier, used code, provider down).
    InvalidCode,
    /// The provider's user info could not be read or its ID token was refused.
    UnableToGetUserInfo,
    /// The provider gave no address.
    EmailNotFound,
    /// The provider's address is not verified where the server requires it.
    EmailNotVerified,
    /// A user with that address exists and linking is not allowed.
    AccountNotLinked,
    /// Sign-up through this provider is off.
    SignupDisabled,
    /// The user could not be created.
    UnableToCreateUser,
    /// The session could not be created.
    UnableToCreateSession,
    /// The linked account could not be updated.
    UnableToUpdateAccount,
    /// A link flow was refused (linking off, unverified address, session gone).
    UnableToLinkAccount,
    /// A link flow's provider address differs from the user's.
    EmailDoesNotMatch,
    /// The provider account belongs to another user.
    AccountAlreadyLinkedToDifferentUser,
    /// The server failed.
    InternalServerError,
    /// Any other code (`access_denied` from the provider, a hook's code …).
    Other(String),
}

impl SocialErrorCode {
    const KNOWN: &'static [(&'static str, SocialErrorCode)] = &[
        ("state_not_found", Self::StateNotFound),
        ("state_mismatch", Self::StateMismatch),
        ("state_invalid", Self::StateInvalid),
        ("no_code", Self::NoCode),
        ("oauth_provider_not_found", Self::OauthProviderNotFound),
        ("issuer_mismatch", Self::IssuerMismatch),
        ("nonce_binding_missing", Self::NonceBindingMissing),
        ("invalid_code", Self::InvalidCode),
        ("unable_to_get_user_info", Self::UnableToGetUserInfo),
        ("email_not_found", Self::EmailNotFound),
        ("email_not_verified", Self::EmailNotVerified),
        ("account_not_linked", Self::AccountNotLinked),
        ("signup_disabled", Self::SignupDisabled),
        ("unable_to_create_user", Self::UnableToCreateUser),
        ("unable_to_create_session", Self::UnableToCreateSession),
        ("unable_to_update_account", Self::UnableToUpdateAccount),
        ("unable_to_link_account", Self::UnableToLinkAccount),
        ("email_does_not_match", Self::EmailDoesNotMatch),
        (
            "account_already_linked_to_different_user",
            Self::AccountAlreadyLinkedToDifferentUser,
        ),
        ("internal_server_error", Self::InternalServerError),
    ];

    /// The code as it appears in the URL.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(code) => code,
            known => Self::KNOWN
                .iter()
                .find(|(_, code)| code == known)
                .map(|(text, _)| *text)
                .unwrap_or_default(),
        }
    }

    /// The code of a `?error=` value.
    pub fn parse(code: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|(text, _)| *text == code)
            .map(|(_, known)| known.clone())
            .unwrap_or_else(|| Self::Other(code.to_owned()))
    }

    /// The error of a URL the flow returned to (`error` in its query), if any.
    #[cfg(feature = "url")]
    pub fn from_url(url: &url::Url) -> Option<Self> {
        Self::from_query(url.query().unwrap_or_default())
    }

    /// The error in a URL's query (`error=…`, without the `?`), if any.
    #[cfg(feature = "client")]
    pub fn from_query(query: &str) -> Option<Self> {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "error")
            .map(|(_, value)| Self::parse(&value))
    }
}

impl std::fmt::Display for SocialErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider id: better-auth's built-in providers by name, any other (a generic OpenID
/// Connect or OAuth 2.0 provider's `providerId`) as [`SocialProviderId::Custom`]. Anything
/// that takes a provider id as a string takes this too.
///
/// ```
/// use keyward_client::wire::SocialProviderId;
/// assert_eq!(String::from(SocialProviderId::Github), "github");
/// assert_eq!(SocialProviderId::from("company"), SocialProviderId::Custom("company".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SocialProviderId {
    /// `github`.
    Github,
    /// `google`.
    Google,
    /// `apple`.
    Apple,
    /// `microsoft`.
    Microsoft,
    /// `discord`.
    Discord,
    /// `gitlab`.
    Gitlab,
    /// `facebook`.
    Facebook,
    /// Any other id.
    Custom(String),
}

impl SocialProviderId {
    const BUILT_IN: [(&'static str, SocialProviderId); 7] = [
        ("github", Self::Github),
        ("google", Self::Google),
        ("apple", Self::Apple),
        ("microsoft", Self::Microsoft),
        ("discord", Self::Discord),
        ("gitlab", Self::Gitlab),
        ("facebook", Self::Facebook),
    ];

    /// The id as the server knows it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Custom(id) => id,
            built_in => Self::BUILT_IN
                .iter()
                .find(|(_, known)| known == built_in)
                .map(|(id, _)| *id)
                .unwrap_or_default(),
        }
    }
}

impl From<&str> for SocialProviderId {
    fn from(id: &str) -> Self {
        Self::BUILT_IN
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, provider)| provider.clone())
            .unwrap_or_else(|| Self::Custom(id.to_owned()))
    }
}

impl From<SocialProviderId> for String {
    fn from(id: SocialProviderId) -> Self {
        id.as_str().to_owned()
    }
}

impl std::fmt::Display for SocialProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
