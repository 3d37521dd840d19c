//! The one-time-token plugin (better-auth `oneTimeToken`): `/one-time-token/*`.
//!
//! `GET /one-time-token/generate` answers a token for the caller's session;
//! `POST /one-time-token/verify` takes it (once, within its lifetime: three minutes by
//! default) and answers that session and its user, setting the session cookie unless the
//! server is configured not to. The server keeps the token in a `verification` row named
//! `one-time-token:<token>` (or its hash) whose value is the session token.

use serde::{Deserialize, Serialize};

use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::OneTimeToken;

/// Response of `GET /one-time-token/generate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimeTokenResponse {
    /// The token, for [`VerifyOneTimeTokenRequest`].
    pub token: OneTimeToken,
}

/// Body of `POST /one-time-token/verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyOneTimeTokenRequest {
    /// The token `/one-time-token/generate` answered.
    pub token: OneTimeToken,
}

impl RequestSchema for VerifyOneTimeTokenRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("token", FieldKind::String)];
}

/// The one-time-token plugin's routes (better-auth `oneTimeToken`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{OneTimeTokenResponse, SessionData, VerifyOneTimeTokenRequest};

    declare_routes! {
        /// The one-time-token routes, in declaration order.
        pub const ROUTES;

        /// `GET /one-time-token/generate`: a single-use token for the caller's session.
        Generate: Get "/one-time-token/generate", () => OneTimeTokenResponse;
        /// `POST /one-time-token/verify`: the token's session and user (and, unless the
        /// server says otherwise, its session cookie).
        Verify: Post "/one-time-token/verify", VerifyOneTimeTokenRequest => SessionData;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_a_plain_string_on_the_wire_and_redacted_in_logs() {
        let request = VerifyOneTimeTokenRequest {
            token: OneTimeToken::new("Zx-9_secret"),
        };
        assert_eq!(
            serde_json::to_value(&request).expect("serializes"),
            serde_json::json!({"token": "Zx-9_secret"})
        );
        assert!(!format!("{request:?}").contains("Zx-9_secret"));
        let answer: OneTimeTokenResponse = serde_json::from_str(r#"{"token":"abc"}"#).expect("parses");
        assert_eq!(answer.token.expose(), "abc");
    }
}
