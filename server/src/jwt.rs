//! HS256 JSON Web Tokens as better-auth's `signJWT` makes them and its `jwtVerify` (the
//! `jose` package) checks them (email verification and change-email links): header
//! `{"alg":"HS256"}`, key = UTF-8 bytes of the secret, and `iat`/`exp` appended to the
//! payload.
//!
//! Signing, the compact serialization and signature checks are the `jsonwebtoken` crate's
//! (RustCrypto backend); the later `jwt` plugin signs with the same crate. Only HS256 is
//! accepted here, so `alg: none` and every other algorithm are refused. The time claims
//! are checked here against the caller's clock, as `jose` checks them: `exp <= now` is
//! expired, `nbf > now` invalid, and both may be any JSON number (the crate reads its own
//! clock and only unsigned integers, so its time checks are off).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Malformed, wrong algorithm or bad signature.
    Invalid,
    /// Well-formed and signed, but past its `exp`.
    Expired,
}

/// Why a token could not be signed.
#[derive(Debug, thiserror::Error)]
#[error("cannot sign the token: {0}")]
pub struct SignError(String);

/// `{"alg":"HS256"}`: better-auth's header, without `typ`.
fn header() -> Header {
    Header {
        typ: None,
        ..Header::new(Algorithm::HS256)
    }
}

/// Signs `payload` (an object) valid for `expires_in` seconds from `now`.
pub fn sign(secret: &str, mut payload: Map<String, Value>, now: i64, expires_in: i64) -> Result<String, SignError> {
    payload.insert("iat".into(), Value::from(now));
    payload.insert("exp".into(), Value::from(now + expires_in));
    let key = EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&header(), &payload, &key).map_err(|e| SignError(e.to_string()))
}

/// HS256 only; no claim required or checked by the crate (see the module comment).
fn validation() -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation
}

/// Verifies a token and returns its payload.
pub fn verify(secret: &str, token: &str, now: i64) -> Result<Map<String, Value>, JwtError> {
    let key = DecodingKey::from_secret(secret.as_bytes());
    let payload = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation())
        .map_err(|_| JwtError::Invalid)?
        .claims;
    if let Some(exp) = payload.get("exp") {
        let exp = exp.as_f64().ok_or(JwtError::Invalid)?;
        if exp <= now as f64 {
            return Err(JwtError::Expired);
        }
    }
    if let Some(nbf) = payload.get("nbf") {
        let nbf = nbf.as_f64().ok_or(JwtError::Invalid)?;
        if nbf > now as f64 {
            return Err(JwtError::Invalid);
        }
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{base64url, decode_base64_any, hmac_sha256};

    /// Made by better-auth 1.7.25's `signJWT({email: "ada@example.com", userId: "u1"},
    /// SECRET, 3600)` (`better-auth/crypto`, the `jose` package underneath).
    const BETTER_AUTH_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSIsInVzZXJJZCI6InUxIiwiaWF0IjoxNzk2MTkwMzU0LCJleHAiOjE3OTYxOTM5NTR9.W_Jo0Tsa7qvU2SWvzsPNbX69oIpVKAxM2OppRcojcE4";
    const SECRET: &str = "keyward-test-secret-0123456789abcdefghijklmnop";
    const ISSUED_AT: i64 = 1_796_190_354;

    fn claims() -> Map<String, Value> {
        let mut claims = Map::new();
        claims.insert("email".into(), "ada@example.com".into());
        claims.insert("userId".into(), "u1".into());
        claims
    }

    /// A token over `header` and `payload` (JSON texts) with a valid HS256 signature.
    fn forge(secret: &str, header: &str, payload: &str) -> String {
        let signing_input = format!("{}.{}", base64url(header.as_bytes()), base64url(payload.as_bytes()));
        let signature = base64url(&hmac_sha256(secret.as_bytes(), signing_input.as_bytes()));
        format!("{signing_input}.{signature}")
    }

    #[test]
    fn verifies_a_token_signed_by_better_auth_and_signs_the_same_bytes() {
        let payload = verify(SECRET, BETTER_AUTH_TOKEN, ISSUED_AT + 10).expect("valid");
        assert_eq!(payload["email"], "ada@example.com");
        assert_eq!(payload["userId"], "u1");
        assert_eq!(payload["exp"], ISSUED_AT + 3600);
        assert_eq!(
            verify(SECRET, BETTER_AUTH_TOKEN, ISSUED_AT + 3600),
            Err(JwtError::Expired)
        );
        assert_eq!(
            verify("another-secret-0123456789abcdefghijklmn", BETTER_AUTH_TOKEN, ISSUED_AT),
            Err(JwtError::Invalid)
        );
        assert_eq!(
            sign(SECRET, claims(), ISSUED_AT, 3600).expect("signs"),
            BETTER_AUTH_TOKEN
        );
    }

    #[test]
    fn signs_the_reference_servers_header_and_claims() {
        // From the better-auth 1.7.25 wire transcript (its secret is not in it, so only
        // the header and the payload are compared).
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImFsaWNlLW13dHA3YWdlQGV4YW1wbGUuY29tIiwidXNlcklkIjoieFpJSnRkdXEzRXgzVkpkQkxKUWI1bnBQU3VXSERCMU8iLCJpYXQiOjE3OTU0NjQ0OTQsImV4cCI6MTc5NTQ2ODA5NH0.B3y_QHEc6z4TJ0MndrEBkGQV6_cBJJoMfyUZkv8OwQg";
        let parts: Vec<&str> = token.split('.').collect();
        let payload: Value = serde_json::from_slice(&decode_base64_any(parts[1]).expect("base64")).expect("json");
        assert_eq!(payload["email"], "alice-mwtp7age@example.com");
        let mut claims = Map::new();
        claims.insert("email".into(), "alice-mwtp7age@example.com".into());
        claims.insert("userId".into(), "xZIJtduq3Ex3VJdBLJQb5npPSuWHDB1O".into());
        let ours = sign("s", claims, 1_795_464_494, 3600).expect("signs");
        let ours: Vec<&str> = ours.split('.').collect();
        assert_eq!(ours[..2], parts[..2]);
    }

    #[test]
    fn round_trip_and_failures() {
        let mut claims = Map::new();
        claims.insert("email".into(), "a@b.co".into());
        let token = sign("secret", claims, 1_000, 60).expect("signs");
        assert_eq!(verify("secret", &token, 1_030).expect("valid")["email"], "a@b.co");
        assert_eq!(verify("secret", &token, 1_059).map(|_| ()), Ok(()));
        assert_eq!(verify("secret", &token, 1_060), Err(JwtError::Expired));
        assert_eq!(verify("other", &token, 1_030), Err(JwtError::Invalid));
        assert_eq!(verify("secret", "a.b", 1_030), Err(JwtError::Invalid));
        assert_eq!(verify("secret", "not-a-token", 1_030), Err(JwtError::Invalid));
        assert_eq!(verify("secret", "", 1_030), Err(JwtError::Invalid));
    }

    #[test]
    fn refuses_tampered_unsigned_and_other_algorithm_tokens() {
        let token = sign(SECRET, claims(), ISSUED_AT, 3600).expect("signs");
        let now = ISSUED_AT + 10;
        let parts: Vec<&str> = token.split('.').collect();

        // Another payload under the original signature.
        let tampered_payload =
            base64url(br#"{"email":"eve@example.com","userId":"u1","iat":1796190354,"exp":1796193954}"#);
        let tampered = format!("{}.{tampered_payload}.{}", parts[0], parts[2]);
        assert_eq!(verify(SECRET, &tampered, now), Err(JwtError::Invalid));

        // One signature bit flipped.
        let mut signature = decode_base64_any(parts[2]).expect("base64");
        signature[0] ^= 1;
        let flipped = format!("{}.{}.{}", parts[0], parts[1], base64url(&signature));
        assert_eq!(verify(SECRET, &flipped, now), Err(JwtError::Invalid));

        // `alg: none`, with or without a signature.
        let none = base64url(br#"{"alg":"none"}"#);
        assert_eq!(
            verify(SECRET, &format!("{none}.{}.", parts[1]), now),
            Err(JwtError::Invalid)
        );
        assert_eq!(
            verify(SECRET, &format!("{none}.{}.{}", parts[1], parts[2]), now),
            Err(JwtError::Invalid)
        );

        // Correctly MACed with the secret, but naming another algorithm: HS512, or RS256
        // (the classic confusion of an HMAC key with a public key).
        let payload = r#"{"email":"ada@example.com","exp":1796193954}"#;
        for alg in ["HS512", "HS384", "RS256", "ES256", "EdDSA", "none", "hs256"] {
            let forged = forge(SECRET, &format!(r#"{{"alg":"{alg}"}}"#), payload);
            assert_eq!(verify(SECRET, &forged, now), Err(JwtError::Invalid), "{alg}");
        }
        // The same construction with HS256 is accepted: the refusals above are the algorithm.
        let honest = forge(SECRET, r#"{"alg":"HS256","typ":"JWT"}"#, payload);
        assert_eq!(verify(SECRET, &honest, now).expect("valid")["email"], "ada@example.com");

        // Time claims as jose reads them: any number, and a non-number is invalid.
        let expired = forge(SECRET, r#"{"alg":"HS256"}"#, r#"{"exp":1796190364.5}"#);
        assert_eq!(
            verify(SECRET, &expired, ISSUED_AT + 10),
            Ok(Map::from_iter([("exp".into(), 1_796_190_364.5.into())]))
        );
        assert_eq!(verify(SECRET, &expired, ISSUED_AT + 11), Err(JwtError::Expired));
        let text_exp = forge(SECRET, r#"{"alg":"HS256"}"#, r#"{"exp":"1796193954"}"#);
        assert_eq!(verify(SECRET, &text_exp, now), Err(JwtError::Invalid));
        let not_yet = forge(SECRET, r#"{"alg":"HS256"}"#, r#"{"nbf":1796190365}"#);
        assert_eq!(verify(SECRET, &not_yet, now), Err(JwtError::Invalid));
        assert!(verify(SECRET, &not_yet, now + 1).is_ok());
        let not_an_object = forge(SECRET, r#"{"alg":"HS256"}"#, "[1,2]");
        assert_eq!(verify(SECRET, &not_an_object, now), Err(JwtError::Invalid));
    }
}
