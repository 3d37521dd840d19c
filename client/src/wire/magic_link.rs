//! The magic-link plugin (better-auth `magicLink`): `/sign-in/magic-link` and
//! `/magic-link/verify`.
//!
//! `POST /sign-in/magic-link` emails a link to an address; opening the link
//! (`GET /magic-link/verify?token=…`) signs its owner in, creating the user on first use
//! unless the server forbids sign-ups. The server keeps the token in a `verification` row
//! named `magic-link:<token>` (or `magic-link:<its hash>`) whose value is
//! `{"type":"magic-link","email":…,"name":…}`, for five minutes by default, and takes it
//! on the first verification.
//!
//! With a `callbackURL` the link answers `302` to it (to `newUserCallbackURL` for a user
//! it created, to `errorCallbackURL` with `?error=CODE` when it fails); without one it
//! answers [`MagicLinkVerifyResponse`] as JSON, and its errors are redirects to `/`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::models::{Session, User};
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{MagicLinkToken, SessionToken};

/// Body of `POST /sign-in/magic-link`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SignInMagicLinkRequest {
    /// The address to email the link to.
    pub email: String,
    /// The display name of a user the link creates (ignored for an existing user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the link leads after signing in (`/` when absent).
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Where the link leads a user it created (the `callbackURL` when absent).
    #[serde(default, rename = "newUserCallbackURL", skip_serializing_if = "Option::is_none")]
    pub new_user_callback_url: Option<String>,
    /// Where the link leads when it fails, with `?error=CODE` (the `callbackURL` when
    /// absent).
    #[serde(default, rename = "errorCallbackURL", skip_serializing_if = "Option::is_none")]
    pub error_callback_url: Option<String>,
    /// Anything the application's sender should see (better-auth hands it to
    /// `sendMagicLink`); never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl SignInMagicLinkRequest {
    /// A request for a link to `email`, with no name and no redirects.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            ..Self::default()
        }
    }
}

impl RequestSchema for SignInMagicLinkRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::Email),
        FieldSpec::optional("name", FieldKind::String),
        FieldSpec::optional("callbackURL", FieldKind::String),
        FieldSpec::optional("newUserCallbackURL", FieldKind::String),
        FieldSpec::optional("errorCallbackURL", FieldKind::String),
        FieldSpec::optional("metadata", FieldKind::Record),
    ];
}

/// Query of `GET /magic-link/verify` (the link in the email).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MagicLinkVerifyQuery {
    /// The token from the link.
    pub token: MagicLinkToken,
    /// Where to redirect after signing in; without it the answer is JSON.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Where to redirect when the link fails (`?error=CODE`).
    #[serde(default, rename = "errorCallbackURL", skip_serializing_if = "Option::is_none")]
    pub error_callback_url: Option<String>,
    /// Where to redirect a user the link created.
    #[serde(default, rename = "newUserCallbackURL", skip_serializing_if = "Option::is_none")]
    pub new_user_callback_url: Option<String>,
}

impl MagicLinkVerifyQuery {
    /// The query of a link carrying `token`, answered as JSON (no redirects).
    pub fn new(token: impl Into<MagicLinkToken>) -> Self {
        Self {
            token: token.into(),
            callback_url: None,
            error_callback_url: None,
            new_user_callback_url: None,
        }
    }
}

impl RequestSchema for MagicLinkVerifyQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("token", FieldKind::String),
        FieldSpec::optional("callbackURL", FieldKind::String),
        FieldSpec::optional("errorCallbackURL", FieldKind::String),
        FieldSpec::optional("newUserCallbackURL", FieldKind::String),
    ];
}

/// Response of `GET /magic-link/verify` without a `callbackURL`: the new session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MagicLinkVerifyResponse {
    /// The new session's token.
    pub token: SessionToken,
    /// The signed-in user.
    pub user: User,
    /// The new session.
    pub session: Session,
}

/// The `error` a failed `GET /magic-link/verify` adds to its redirect.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MagicLinkError {
    /// `INVALID_TOKEN`: unknown, used or expired.
    InvalidToken,
    /// `new_user_signup_disabled`: no user has the address and sign-up is off.
    NewUserSignupDisabled,
    /// `failed_to_create_user`.
    FailedToCreateUser,
    /// `failed_to_create_session`.
    FailedToCreateSession,
    /// `user_not_found`: the user went away while the link was verified.
    UserNotFound,
    /// Another code (a hook's refusal while creating the user).
    Other(String),
}

impl MagicLinkError {
    /// The code as it appears in the redirect.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidToken => "INVALID_TOKEN",
            Self::NewUserSignupDisabled => "new_user_signup_disabled",
            Self::FailedToCreateUser => "failed_to_create_user",
            Self::FailedToCreateSession => "failed_to_create_session",
            Self::UserNotFound => "user_not_found",
            Self::Other(code) => code,
        }
    }

    /// The error named by `code`.
    pub fn parse(code: &str) -> Self {
        match code {
            "INVALID_TOKEN" => Self::InvalidToken,
            "new_user_signup_disabled" => Self::NewUserSignupDisabled,
            "failed_to_create_user" => Self::FailedToCreateUser,
            "failed_to_create_session" => Self::FailedToCreateSession,
            "user_not_found" => Self::UserNotFound,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl std::fmt::Display for MagicLinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The magic-link plugin's routes (better-auth `magicLink`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{MagicLinkVerifyQuery, MagicLinkVerifyResponse, SignInMagicLinkRequest, StatusResponse};

    declare_routes! {
        /// The magic-link routes, in declaration order.
        pub const ROUTES;

        /// `POST /sign-in/magic-link`: emails a sign-in link to an address (JSON only,
        /// with better-auth's form CSRF rules).
        SignIn: Post "/sign-in/magic-link", SignInMagicLinkRequest => StatusResponse;
        /// `GET /magic-link/verify`: the link itself; signs its owner in (JSON without a
        /// `callbackURL`, else a redirect).
        Verify: Get "/magic-link/verify", MagicLinkVerifyQuery => MagicLinkVerifyResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_use_better_auths_field_names_and_hide_the_token() {
        let request = SignInMagicLinkRequest {
            callback_url: Some("/dash".into()),
            new_user_callback_url: Some("/welcome".into()),
            ..SignInMagicLinkRequest::new("ada@example.com")
        };
        assert_eq!(
            serde_json::to_value(&request).expect("serializes"),
            serde_json::json!({"email": "ada@example.com", "callbackURL": "/dash", "newUserCallbackURL": "/welcome"})
        );
        let query = MagicLinkVerifyQuery::new("aBcDsecret");
        assert_eq!(
            serde_json::to_value(&query).expect("serializes"),
            serde_json::json!({"token": "aBcDsecret"})
        );
        assert!(!format!("{query:?}").contains("aBcDsecret"));
    }

    #[test]
    fn error_codes_round_trip() {
        for code in [
            "INVALID_TOKEN",
            "new_user_signup_disabled",
            "failed_to_create_user",
            "failed_to_create_session",
            "user_not_found",
            "BANNED_USER",
        ] {
            assert_eq!(MagicLinkError::parse(code).as_str(), code);
        }
        assert_eq!(MagicLinkError::parse("INVALID_TOKEN"), MagicLinkError::InvalidToken);
    }
}
