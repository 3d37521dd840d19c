//! The jwt plugin (better-auth `jwt`): `GET /token` and `GET /jwks`.
//!
//! `GET /token` answers a JSON Web Token for the caller's session, signed with the
//! server's current key (EdDSA over Ed25519 unless configured otherwise), whose claims are
//! the user (`sub` its id, `iss` and `aud` the server's origin, fifteen minutes of life).
//! `GET /get-session` sends the same token in its `set-auth-jwt` header. `GET /jwks`
//! publishes the public keys, each named by `kid`, for services that check the tokens.

use serde::{Deserialize, Serialize};

use super::secret::JsonWebToken;

/// Response of `GET /token`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtTokenResponse {
    /// The signed token.
    pub token: JsonWebToken,
}

/// Response of `GET /jwks`: a JSON Web Key Set (RFC 7517).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonWebKeySet {
    /// The public keys whose tokens may still be live.
    pub keys: Vec<PublicJwk>,
}

/// One public key of the set, as better-auth publishes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    /// The algorithm the key signs with: `EdDSA`, `ES256`, `ES512`, `RS256` or `PS256`.
    pub alg: String,
    /// The curve of an `OKP` or `EC` key (`Ed25519`, `P-256`, `P-521`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// `OKP` (Ed25519), `EC` or `RSA`.
    pub kty: String,
    /// The public point (`OKP`, `EC`), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// The point's second coordinate (`EC`), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// The modulus (`RSA`), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// The public exponent (`RSA`), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// The key's id: a token's `kid` header names the key that signed it.
    pub kid: String,
}

/// The header in which `GET /get-session` carries a fresh token.
pub const SET_AUTH_JWT_HEADER: &str = "set-auth-jwt";

/// The jwt plugin's routes (better-auth `jwt`).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{JsonWebKeySet, JwtTokenResponse};

    declare_routes! {
        /// The jwt routes, in declaration order.
        pub const ROUTES;

        /// `GET /token`: a signed token for the caller's session (`401` without one).
        Token: Get "/token", () => JwtTokenResponse;
        /// `GET /jwks`: the public keys that sign the tokens.
        Jwks: Get "/jwks", () => JsonWebKeySet;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_set_reads_better_auths_keys_of_each_kind() {
        let set: JsonWebKeySet = serde_json::from_str(
            r#"{"keys":[
                {"alg":"EdDSA","crv":"Ed25519","x":"B40OVtjB","kty":"OKP","kid":"k1"},
                {"alg":"ES256","crv":"P-256","kty":"EC","x":"xx","y":"yy","kid":"k2"},
                {"alg":"RS256","kty":"RSA","n":"nn","e":"AQAB","kid":"k3"}
            ]}"#,
        )
        .expect("a key set");
        assert_eq!(set.keys.len(), 3);
        assert_eq!(set.keys[0].crv.as_deref(), Some("Ed25519"));
        assert_eq!(set.keys[2].e.as_deref(), Some("AQAB"));
        let back = serde_json::to_value(&set.keys[2]).expect("serializes");
        assert_eq!(
            back,
            serde_json::json!({"alg":"RS256","kty":"RSA","n":"nn","e":"AQAB","kid":"k3"})
        );
    }

    #[test]
    fn the_token_is_redacted_in_logs() {
        let answer: JwtTokenResponse = serde_json::from_str(r#"{"token":"eyJ.a.b"}"#).expect("parses");
        assert_eq!(answer.token.expose(), "eyJ.a.b");
        assert!(!format!("{answer:?}").contains("eyJ"));
    }
}
