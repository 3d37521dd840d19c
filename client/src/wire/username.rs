//! The username plugin (better-auth `username`): `/sign-in/username` and
//! `/is-username-available`, and the `username` / `displayUsername` user fields.
//!
//! A user's `username` is stored normalised (lowercase by default) and unique;
//! `displayUsername` keeps the casing the user chose. Both are set on sign-up
//! (`/sign-up/email`) and update-user as additional fields; the server validates them
//! (three to thirty characters of `[a-zA-Z0-9_.]` by default) and answers
//! [`ErrorCode::UsernameTooShort`](super::ErrorCode::UsernameTooShort) and its siblings.

use serde::{Deserialize, Serialize};

use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::Password;

/// Body of `POST /sign-in/username`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInUsernameRequest {
    /// The username, in any casing (the server normalises it).
    pub username: String,
    /// Password.
    pub password: Password,
    /// `false` makes the session end with the browser session (one day at most).
    #[serde(default, rename = "rememberMe", skip_serializing_if = "Option::is_none")]
    pub remember_me: Option<bool>,
    /// Returned as `url` with `redirect: true`, and sent as `Location`.
    #[serde(default, rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

impl RequestSchema for SignInUsernameRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("username", FieldKind::String),
        FieldSpec::required("password", FieldKind::String),
        FieldSpec::optional("rememberMe", FieldKind::Bool),
        FieldSpec::optional("callbackURL", FieldKind::String),
    ];
}

/// Body of `POST /is-username-available`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsUsernameAvailableRequest {
    /// The username to check (normalised by the server before it looks).
    pub username: String,
}

impl RequestSchema for IsUsernameAvailableRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("username", FieldKind::String)];
}

/// Response of `POST /is-username-available`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsernameAvailability {
    /// Whether no user has the (normalised) username.
    pub available: bool,
}

/// The username plugin's routes (better-auth `username`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{IsUsernameAvailableRequest, SignInOutcome, SignInUsernameRequest, UsernameAvailability};

    declare_routes! {
        /// The username routes, in declaration order.
        pub const ROUTES;

        /// `POST /sign-in/username`: a session (or a two-factor challenge) for a username
        /// and password, answered as `/sign-in/email` answers.
        SignInUsername: Post "/sign-in/username", SignInUsernameRequest => SignInOutcome;
        /// `POST /is-username-available`: whether no user has the (normalised) username.
        IsUsernameAvailable: Post "/is-username-available", IsUsernameAvailableRequest => UsernameAvailability;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_body_is_better_auths_and_hides_the_password() {
        let request = SignInUsernameRequest {
            username: "Alice_1".into(),
            password: Password::new("hunter2-secret"),
            remember_me: Some(false),
            callback_url: Some("/home".into()),
        };
        assert_eq!(
            serde_json::to_value(&request).expect("serializes"),
            serde_json::json!({"username": "Alice_1", "password": "hunter2-secret", "rememberMe": false, "callbackURL": "/home"})
        );
        assert!(!format!("{request:?}").contains("hunter2-secret"));
        let answer: UsernameAvailability = serde_json::from_str(r#"{"available":false}"#).expect("parses");
        assert!(!answer.available);
    }
}
