//! One check of a token against one published key, for every algorithm better-auth's jwt
//! plugin signs with: `EdDSA`, `ES256`, `RS256` and `PS256` by `jsonwebtoken`, `ES512`
//! (P-521, which `jsonwebtoken` lacks) by `picky`. The auth server checks its own tokens
//! (`verifyJWT`) with the same code.
//!
//! ```
//! use keyward_client::wire::PublicJwk;
//! use keyward_verifier::jose::{ExpectedClaims, VerifyingKey, key_id, verify};
//!
//! let published = PublicJwk {
//!     alg: "EdDSA".into(),
//!     crv: Some("Ed25519".into()),
//!     kty: "OKP".into(),
//!     x: Some("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".into()),
//!     y: None,
//!     n: None,
//!     e: None,
//!     kid: "k1".into(),
//! };
//! let key = VerifyingKey::from_published(&published).expect("a usable key");
//! assert_eq!(key.algorithm(), "EdDSA");
//! let expected = ExpectedClaims {
//!     issuers: vec!["https://auth.example.com".into()],
//!     audiences: vec!["https://auth.example.com".into()],
//!     required: &["exp", "sub"],
//! };
//! assert!(key_id("not a token").is_err());
//! assert!(verify("a.b.c", &key, &expected).is_err());
//! ```

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use keyward_client::wire::PublicJwk;
use picky::jose::jwk::Jwk as PickyJwk;
use picky::jose::jws::{JwsAlg, RawJws};
use picky::jose::jwt::{JwtDate, JwtSig, JwtValidator};
use serde_json::{Map, Value};

use crate::VerifyError;

/// A published key, ready to check tokens of its algorithm.
#[derive(Clone)]
pub struct VerifyingKey(Inner);

#[derive(Clone)]
enum Inner {
    Jose {
        name: String,
        algorithm: Algorithm,
        decoding: DecodingKey,
    },
    P521(Arc<picky::key::PublicKey>),
}

impl VerifyingKey {
    /// The key `published` describes; `None` for an algorithm or key this crate cannot
    /// check with (a key set may hold such keys beside usable ones).
    pub fn from_published(published: &PublicJwk) -> Option<Self> {
        let value = serde_json::to_value(published).ok()?;
        if published.alg == "ES512" {
            let jwk: PickyJwk = serde_json::from_value(value).ok()?;
            return jwk.to_public_key().ok().map(|key| Self(Inner::P521(Arc::new(key))));
        }
        let algorithm = published.alg.parse::<Algorithm>().ok()?;
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(value).ok()?;
        let decoding = DecodingKey::from_jwk(&jwk).ok()?;
        Some(Self(Inner::Jose {
            name: published.alg.clone(),
            algorithm,
            decoding,
        }))
    }

    /// The JOSE name of the key's algorithm.
    pub fn algorithm(&self) -> &str {
        match &self.0 {
            Inner::Jose { name, .. } => name,
            Inner::P521(_) => "ES512",
        }
    }
}

/// What a token's claims must hold besides a live `exp`.
#[derive(Clone, Debug)]
pub struct ExpectedClaims<'a> {
    /// Accepted `iss` values.
    pub issuers: Vec<String>,
    /// Accepted audiences: `aud` (a string or a list) must name one of them.
    pub audiences: Vec<String>,
    /// Claims the token must have (`exp` is always checked).
    pub required: &'a [&'a str],
}

/// The `kid` of a compact JWS's header (unverified): which key to check it with.
pub fn key_id(token: &str) -> Result<String, VerifyError> {
    let raw = RawJws::decode(token).map_err(|_| VerifyError::Malformed)?;
    raw.header.kid.ok_or(VerifyError::Malformed)
}

fn invalid(error: impl std::fmt::Display) -> VerifyError {
    VerifyError::Invalid(error.to_string())
}

/// The claims of `token` when `key` signed it with the key's own algorithm (so `none`
/// and any other algorithm are refused), it has not expired, and its claims are as
/// `expected` says.
pub fn verify(
    token: &str,
    key: &VerifyingKey,
    expected: &ExpectedClaims<'_>,
) -> Result<Map<String, Value>, VerifyError> {
    match &key.0 {
        Inner::Jose {
            algorithm, decoding, ..
        } => {
            let mut validation = Validation::new(*algorithm);
            validation.leeway = 0;
            validation.set_required_spec_claims(expected.required);
            validation.set_issuer(&expected.issuers);
            validation.set_audience(&expected.audiences);
            jsonwebtoken::decode::<Map<String, Value>>(token, decoding, &validation)
                .map(|data| data.claims)
                .map_err(invalid)
        }
        Inner::P521(public) => {
            let raw = RawJws::decode(token).map_err(|_| VerifyError::Malformed)?;
            if raw.header.alg != JwsAlg::ES512 {
                return Err(invalid("the token's algorithm is not its key's"));
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(invalid)?;
            let now = i64::try_from(now.as_secs()).map_err(invalid)?;
            let validator = JwtValidator::lenient(JwtDate::new(now)).expiration_check_required();
            let claims = JwtSig::from(raw.verify(public).map_err(invalid)?)
                .validate::<Map<String, Value>>(&validator)
                .map_err(invalid)?
                .state
                .claims;
            check_registered_claims(&claims, expected)?;
            Ok(claims)
        }
    }
}

/// The checks `jsonwebtoken` makes of `iss`, `aud` and the required claims, for the
/// tokens it cannot verify itself.
fn check_registered_claims(claims: &Map<String, Value>, expected: &ExpectedClaims<'_>) -> Result<(), VerifyError> {
    if let Some(missing) = expected.required.iter().find(|name| !claims.contains_key(**name)) {
        return Err(invalid(format!("the token has no `{missing}`")));
    }
    match claims.get("iss") {
        Some(Value::String(issuer)) if expected.issuers.contains(issuer) => {}
        _ => return Err(invalid("the token's issuer is not the expected one")),
    }
    let addressed = |audience: &Value| {
        audience
            .as_str()
            .is_some_and(|name| expected.audiences.iter().any(|a| a == name))
    };
    let audience_ok = match claims.get("aud") {
        Some(Value::Array(audiences)) => audiences.iter().any(addressed),
        Some(audience) => addressed(audience),
        None => false,
    };
    if !audience_ok {
        return Err(invalid("the token is not addressed to this audience"));
    }
    Ok(())
}
