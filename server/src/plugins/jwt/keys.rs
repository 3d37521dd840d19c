//! Signing keys as better-auth keeps them: a new key pair for an algorithm, its public and
//! private halves as JWK JSON (the WebCrypto export jose's `exportJWK` gives), and the
//! signing key a stored private JWK makes.
//!
//! Key generation and the key formats are the RustCrypto crates' (`ed25519-dalek`, `p256`,
//! `rsa`); the signatures are `jsonwebtoken`'s, fed the keys as DER.

use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use jsonwebtoken::EncodingKey;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::JwtKeyAlgorithm;
use crate::crypto::{base64url, decode_base64_any, random_bytes};

/// The modulus length of new RSA keys (better-auth's and jose's default).
const RSA_BITS: usize = 2048;

/// A new key pair: both halves as JWK objects in WebCrypto's member order.
pub(super) struct NewKeyPair {
    pub public: Map<String, Value>,
    pub private: Map<String, Value>,
    /// The curve, for the row's `crv` column (`None` for RSA).
    pub crv: Option<&'static str>,
}

/// Why a stored key cannot sign.
#[derive(Debug, thiserror::Error)]
#[error("the stored signing key is unusable: {0}")]
pub(super) struct KeyError(pub String);

fn error(what: impl std::fmt::Display) -> KeyError {
    KeyError(what.to_string())
}

fn object(pairs: &[(&str, String)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), Value::String(value.clone())))
        .collect()
}

/// Makes a key pair for `algorithm`.
pub(super) fn generate(algorithm: JwtKeyAlgorithm) -> Result<NewKeyPair, KeyError> {
    match algorithm {
        JwtKeyAlgorithm::EdDsa => {
            let mut seed = [0u8; 32];
            random_bytes(&mut seed);
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let x = base64url(key.verifying_key().as_bytes());
            let d = base64url(&seed);
            Ok(NewKeyPair {
                public: object(&[("crv", "Ed25519".into()), ("x", x.clone()), ("kty", "OKP".into())]),
                private: object(&[("crv", "Ed25519".into()), ("d", d), ("x", x), ("kty", "OKP".into())]),
                crv: Some("Ed25519"),
            })
        }
        JwtKeyAlgorithm::Es256 => {
            let key = loop {
                let mut scalar = [0u8; 32];
                random_bytes(&mut scalar);
                // A value at or above the group order is no key: draw again.
                if let Ok(key) = p256::SecretKey::from_slice(&scalar) {
                    break key;
                }
            };
            let point = key.public_key().to_encoded_point(false);
            let coordinate = |c: Option<&p256::FieldBytes>| c.map(|bytes| base64url(bytes)).unwrap_or_default();
            let (x, y) = (coordinate(point.x()), coordinate(point.y()));
            let d = base64url(&key.to_bytes());
            Ok(NewKeyPair {
                public: object(&[
                    ("kty", "EC".into()),
                    ("x", x.clone()),
                    ("y", y.clone()),
                    ("crv", "P-256".into()),
                ]),
                private: object(&[
                    ("kty", "EC".into()),
                    ("x", x),
                    ("y", y),
                    ("crv", "P-256".into()),
                    ("d", d),
                ]),
                crv: Some("P-256"),
            })
        }
        JwtKeyAlgorithm::Rs256 | JwtKeyAlgorithm::Ps256 => {
            let mut key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS).map_err(error)?;
            key.precompute().map_err(error)?;
            let b64 = |n: &rsa::BigUint| base64url(&n.to_bytes_be());
            let (n, e) = (b64(key.n()), b64(key.e()));
            let primes = key.primes();
            let (Some(dp), Some(dq), Some(qi)) = (key.dp(), key.dq(), key.crt_coefficient()) else {
                return Err(error("the CRT values were not precomputed"));
            };
            Ok(NewKeyPair {
                public: object(&[("kty", "RSA".into()), ("n", n.clone()), ("e", e.clone())]),
                private: object(&[
                    ("kty", "RSA".into()),
                    ("n", n),
                    ("e", e),
                    ("d", b64(key.d())),
                    ("p", b64(&primes[0])),
                    ("q", b64(&primes[1])),
                    ("dp", b64(dp)),
                    ("dq", b64(dq)),
                    ("qi", b64(&qi)),
                ]),
                crv: None,
            })
        }
    }
}

/// The members of a private JWK Keyward reads.
#[derive(Deserialize)]
struct PrivateJwk {
    kty: String,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    d: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    p: Option<String>,
    #[serde(default)]
    q: Option<String>,
}

fn bytes(member: &Option<String>, name: &str) -> Result<Vec<u8>, KeyError> {
    member
        .as_deref()
        .and_then(decode_base64_any)
        .ok_or_else(|| error(format!("no `{name}`")))
}

/// The signing key of a stored private JWK (its JSON text).
pub(super) fn encoding_key(private_jwk: &str) -> Result<EncodingKey, KeyError> {
    let jwk: PrivateJwk = serde_json::from_str(private_jwk).map_err(error)?;
    match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("OKP", Some("Ed25519")) => {
            let seed: [u8; 32] = bytes(&jwk.d, "d")?
                .try_into()
                .map_err(|_| error("an Ed25519 `d` is 32 bytes"))?;
            let der = ed25519_dalek::SigningKey::from_bytes(&seed)
                .to_pkcs8_der()
                .map_err(error)?;
            Ok(EncodingKey::from_ed_der(der.as_bytes()))
        }
        ("EC", Some("P-256")) => {
            let key = p256::SecretKey::from_slice(&bytes(&jwk.d, "d")?).map_err(error)?;
            let der = p256::pkcs8::EncodePrivateKey::to_pkcs8_der(&key).map_err(error)?;
            Ok(EncodingKey::from_ec_der(der.as_bytes()))
        }
        ("RSA", _) => {
            let number = |member: &Option<String>, name: &str| {
                bytes(member, name).map(|value| rsa::BigUint::from_bytes_be(&value))
            };
            let key = rsa::RsaPrivateKey::from_components(
                number(&jwk.n, "n")?,
                number(&jwk.e, "e")?,
                number(&jwk.d, "d")?,
                vec![number(&jwk.p, "p")?, number(&jwk.q, "q")?],
            )
            .map_err(error)?;
            let der = key.to_pkcs1_der().map_err(error)?;
            Ok(EncodingKey::from_rsa_der(der.as_bytes()))
        }
        (kty, crv) => Err(error(format!("a {kty} key on {crv:?} cannot sign here"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};

    /// Every algorithm's new key signs, and its public JWK verifies the signature.
    #[test]
    fn a_new_key_signs_and_its_public_jwk_verifies() {
        for (algorithm, jose) in [
            (JwtKeyAlgorithm::EdDsa, Algorithm::EdDSA),
            (JwtKeyAlgorithm::Es256, Algorithm::ES256),
            (JwtKeyAlgorithm::Rs256, Algorithm::RS256),
            (JwtKeyAlgorithm::Ps256, Algorithm::PS256),
        ] {
            let pair = generate(algorithm).expect("a key pair");
            let signing = encoding_key(&Value::Object(pair.private.clone()).to_string()).expect("signs");
            let claims = serde_json::json!({"sub": "ada", "exp": 4_000_000_000u64});
            let token = jsonwebtoken::encode(&Header::new(jose), &claims, &signing).expect("a token");
            let jwk: Jwk = serde_json::from_value(Value::Object(pair.public.clone())).expect("a public JWK");
            let verifying = DecodingKey::from_jwk(&jwk).expect("a verifying key");
            let mut validation = Validation::new(jose);
            validation.validate_aud = false;
            let read = jsonwebtoken::decode::<Value>(&token, &verifying, &validation).expect("verifies");
            assert_eq!(read.claims["sub"], "ada", "{algorithm:?}");
            assert!(!pair.public.contains_key("d"), "the public half has no private member");
        }
    }

    #[test]
    fn a_key_better_auth_stored_signs() {
        // An Ed25519 private JWK as better-auth 1.7.25 stores it unencrypted.
        let stored = r#"{"crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kty":"OKP"}"#;
        let signing = encoding_key(stored).expect("signs");
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::EdDSA),
            &serde_json::json!({"sub": "x"}),
            &signing,
        )
        .expect("a token");
        let verifying = DecodingKey::from_ed_components("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").expect("key");
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        jsonwebtoken::decode::<Value>(&token, &verifying, &validation).expect("the RFC 8037 test key verifies");
        assert!(
            encoding_key(r#"{"kty":"EC","crv":"P-521","d":"AA"}"#).is_err(),
            "ES512 is refused"
        );
    }
}
