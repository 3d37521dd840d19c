//! HS256 JSON Web Tokens as better-auth's `signJWT` makes them (email verification and
//! change-email links): header `{"alg":"HS256"}`, key = UTF-8 bytes of the secret, and
//! `iat`/`exp` appended to the payload.

use serde_json::{Map, Value};

use crate::crypto::{base64url, decode_base64_any, hmac_sha256};
use keyward_client::wire::secret::constant_time_eq;

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Malformed, wrong algorithm or bad signature.
    Invalid,
    /// Well-formed and signed, but past its `exp`.
    Expired,
}

/// Signs `payload` (an object) valid for `expires_in` seconds from `now`.
pub fn sign(secret: &str, mut payload: Map<String, Value>, now: i64, expires_in: i64) -> String {
    payload.insert("iat".into(), Value::from(now));
    payload.insert("exp".into(), Value::from(now + expires_in));
    let header = base64url(br#"{"alg":"HS256"}"#);
    let body = base64url(Value::Object(payload).to_string().as_bytes());
    let signing_input = format!("{header}.{body}");
    let signature = base64url(&hmac_sha256(secret.as_bytes(), signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// Verifies a token and returns its payload.
pub fn verify(secret: &str, token: &str, now: i64) -> Result<Map<String, Value>, JwtError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(body), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Invalid);
    };
    let header: Value = decode_base64_any(header_b64)
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .ok_or(JwtError::Invalid)?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(JwtError::Invalid);
    }
    let given = decode_base64_any(signature).ok_or(JwtError::Invalid)?;
    let expected = hmac_sha256(secret.as_bytes(), format!("{header_b64}.{body}").as_bytes());
    if !constant_time_eq(&given, &expected) {
        return Err(JwtError::Invalid);
    }
    let payload: Map<String, Value> = decode_base64_any(body)
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .ok_or(JwtError::Invalid)?;
    if let Some(exp) = payload.get("exp") {
        let exp = exp.as_f64().ok_or(JwtError::Invalid)?;
        if exp <= now as f64 {
            return Err(JwtError::Expired);
        }
    }
    if let Some(nbf) = payload.get("nbf").and_then(Value::as_f64)
        && nbf > now as f64
    {
        return Err(JwtError::Invalid);
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_a_token_issued_by_better_auth() {
        // From the better-auth 1.7.25 wire transcript (secret of the reference server).
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImFsaWNlLW13dHA3YWdlQGV4YW1wbGUuY29tIiwidXNlcklkIjoieFpJSnRkdXEzRXgzVkpkQkxKUWI1bnBQU3VXSERCMU8iLCJpYXQiOjE3OTU0NjQ0OTQsImV4cCI6MTc5NTQ2ODA5NH0.B3y_QHEc6z4TJ0MndrEBkGQV6_cBJJoMfyUZkv8OwQg";
        let header_and_payload: Vec<&str> = token.split('.').collect();
        let payload: Value =
            serde_json::from_slice(&decode_base64_any(header_and_payload[1]).expect("base64")).expect("json");
        assert_eq!(payload["email"], "alice-mwtp7age@example.com");
        // The secret is not in the transcript, so check the format with our own signature.
        let mut claims = Map::new();
        claims.insert("email".into(), "alice-mwtp7age@example.com".into());
        claims.insert("userId".into(), "xZIJtduq3Ex3VJdBLJQb5npPSuWHDB1O".into());
        let ours = sign("s", claims, 1_795_464_494, 3600);
        assert_eq!(ours.split('.').next(), Some(header_and_payload[0]));
        let ours_payload = ours.split('.').nth(1).expect("payload");
        assert_eq!(ours_payload, header_and_payload[1]);
    }

    #[test]
    fn round_trip_and_failures() {
        let mut claims = Map::new();
        claims.insert("email".into(), "a@b.co".into());
        let token = sign("secret", claims, 1_000, 60);
        assert_eq!(verify("secret", &token, 1_030).expect("valid")["email"], "a@b.co");
        assert_eq!(verify("secret", &token, 1_060), Err(JwtError::Expired));
        assert_eq!(verify("other", &token, 1_030), Err(JwtError::Invalid));
        assert_eq!(verify("secret", "a.b", 1_030), Err(JwtError::Invalid));
        assert_eq!(verify("secret", "not-a-token", 1_030), Err(JwtError::Invalid));
    }
}
