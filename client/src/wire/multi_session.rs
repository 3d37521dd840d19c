//! The multi-session plugin (better-auth `multiSession`): one browser keeps several
//! signed-in users and switches between them.
//!
//! Every answer that sets a new session cookie also sets a signed cookie
//! `<session cookie>_multi-<token, lowercased>` holding that session's token (up to
//! `maximumSessions`, five by default). `GET /multi-session/list-device-sessions` lists
//! the live sessions those cookies hold (one per user), `POST /multi-session/set-active`
//! makes one of them the session cookie, `POST /multi-session/revoke` ends one, and
//! `/sign-out` ends them all.

use serde::{Deserialize, Serialize};

use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::SessionToken;

/// The part of a cookie name that marks a multi-session cookie.
pub const MULTI_SESSION_MARKER: &str = "_multi-";

/// The name of the multi-session cookie of `token`, for the session cookie `session_cookie`
/// (`better-auth.session_token`): `better-auth.session_token_multi-<token lowercased>`.
pub fn multi_session_cookie_name(session_cookie: &str, token: &str) -> String {
    format!("{session_cookie}{MULTI_SESSION_MARKER}{}", token.to_ascii_lowercase())
}

/// Whether `name` is a multi-session cookie's (better-auth: it contains `_multi-`).
pub fn is_multi_session_cookie(name: &str) -> bool {
    name.contains(MULTI_SESSION_MARKER)
}

/// Body of `POST /multi-session/set-active` and `POST /multi-session/revoke`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTokenRequest {
    /// A session token as `/multi-session/list-device-sessions` shows it.
    #[serde(rename = "sessionToken")]
    pub session_token: SessionToken,
}

impl RequestSchema for SessionTokenRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("sessionToken", FieldKind::String)];
}

/// The multi-session plugin's routes (better-auth `multiSession`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{SessionData, SessionTokenRequest, StatusResponse};

    declare_routes! {
        /// The multi-session routes, in declaration order.
        pub const ROUTES;

        /// `GET /multi-session/list-device-sessions`: the live sessions the browser's
        /// `_multi-` cookies hold, one per user.
        ListDeviceSessions: Get "/multi-session/list-device-sessions", () => Vec<SessionData>;
        /// `POST /multi-session/set-active`: makes one of them the session cookie.
        SetActive: Post "/multi-session/set-active", SessionTokenRequest => SessionData;
        /// `POST /multi-session/revoke`: ends one of them (the active one: the next one
        /// takes its place, or the caller is signed out).
        Revoke: Post "/multi-session/revoke", SessionTokenRequest => StatusResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_names_are_better_auths() {
        assert_eq!(
            multi_session_cookie_name("better-auth.session_token", "AbC9"),
            "better-auth.session_token_multi-abc9"
        );
        assert!(is_multi_session_cookie("__Secure-better-auth.session_token_multi-abc"));
        assert!(!is_multi_session_cookie("better-auth.session_token"));
        let body = SessionTokenRequest {
            session_token: SessionToken::new("tok"),
        };
        assert_eq!(
            serde_json::to_value(&body).expect("serializes"),
            serde_json::json!({"sessionToken": "tok"})
        );
    }
}
