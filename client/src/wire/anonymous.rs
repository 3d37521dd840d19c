//! The anonymous plugin (better-auth `anonymous`): `POST /sign-in/anonymous` and
//! `POST /delete-anonymous-user`, and the user's `isAnonymous` field.
//!
//! An anonymous user is a real `user` row (named `Anonymous` unless the server names
//! them, with a placeholder address such as `<id>@anonymous.placeholder.invalid`) whose
//! `isAnonymous` is `true`. When the request that signs someone in or up by any other
//! method carries an anonymous session, the server links the two (its `onLinkAccount`)
//! and deletes the anonymous user unless configured not to.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::User;
use super::secret::SessionToken;

/// The user field the plugin adds.
pub const IS_ANONYMOUS_FIELD: &str = "isAnonymous";

/// Response of `POST /sign-in/anonymous`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnonymousSignInResponse {
    /// The new session's token (also set as the session cookie).
    pub token: SessionToken,
    /// The new anonymous user.
    pub user: User,
}

/// Response of `POST /delete-anonymous-user`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteAnonymousUserResponse {
    /// Always `true` (failures are errors).
    pub success: bool,
}

impl User {
    /// Whether the anonymous plugin's `isAnonymous` field is `true` (absent or `null`
    /// when the plugin is off or the user predates it: `false`).
    pub fn is_anonymous(&self) -> bool {
        self.additional
            .get(IS_ANONYMOUS_FIELD)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// The anonymous plugin's routes (better-auth `anonymous`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{AnonymousSignInResponse, DeleteAnonymousUserResponse, EmptyRequest};

    declare_routes! {
        /// The anonymous routes, in declaration order.
        pub const ROUTES;

        /// `POST /sign-in/anonymous`: a new anonymous user and their session (refused
        /// to a caller who is already anonymous).
        SignIn: Post "/sign-in/anonymous", EmptyRequest => AnonymousSignInResponse;
        /// `POST /delete-anonymous-user`: deletes the signed-in anonymous user, their
        /// sessions and their cookie.
        DeleteAnonymousUser: Post "/delete-anonymous-user", EmptyRequest => DeleteAnonymousUserResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answers_are_better_auths() {
        let answer: AnonymousSignInResponse = serde_json::from_value(serde_json::json!({
            "token": "tok",
            "user": {
                "id": "u1", "name": "Anonymous", "email": "u1@anonymous.placeholder.invalid",
                "emailVerified": false, "image": null, "isAnonymous": true,
                "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"
            }
        }))
        .expect("parses");
        assert!(answer.user.is_anonymous());
        assert_eq!(answer.token.expose(), "tok");
        assert!(!format!("{answer:?}").contains("tok\""));
        let deleted: DeleteAnonymousUserResponse = serde_json::from_str(r#"{"success":true}"#).expect("parses");
        assert!(deleted.success);
    }
}
