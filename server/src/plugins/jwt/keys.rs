//! Signing keys as better-auth keeps them: a new key pair for an algorithm, its public and
//! private halves as JWK JSON (the WebCrypto export jose's `exportJWK` gives), and the
//! signing key a stored private JWK makes.
//!
//! Key generation and the key formats are the RustCrypto crates' (`ed25519-dalek`, `p256`,
//! `rsa`, `p521`); the signatures are `jsonwebtoken`'s, fed the keys as DER, and for ES512
//! (P-521, which `jsonwebtoken` lacks) `picky`'s.

use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p521::elliptic_curve::sec1::ToSec1Point as _;
use p521::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use picky::jose::jws::{Jws, JwsAlg, JwsHeader};
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

/// An EC key pair's JWKs, members in WebCrypto's order.
fn ec_pair(crv: &'static str, x: String, y: String, d: String) -> NewKeyPair {
    NewKeyPair {
        public: object(&[
            ("kty", "EC".into()),
            ("x", x.clone()),
            ("y", y.clone()),
            ("crv", crv.into()),
        ]),
        private: object(&[("kty", "EC".into()), ("x", x), ("y", y), ("crv", crv.into()), ("d", d)]),
        crv: Some(crv),
    }
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
            Ok(ec_pair("P-256", x, y, base64url(&key.to_bytes())))
        }
        JwtKeyAlgorithm::Es512 => {
            let generated = picky::key::PrivateKey::generate_ec(picky::key::EcCurve::NistP521).map_err(error)?;
            let key = p521::SecretKey::from_pkcs8_der(&generated.to_pkcs8().map_err(error)?).map_err(error)?;
            let point = key.public_key().to_sec1_point(false);
            let coordinate = |c: Option<&p521::FieldBytes>| c.map(|bytes| base64url(bytes)).unwrap_or_default();
            let (x, y) = (coordinate(point.x()), coordinate(point.y()));
            Ok(ec_pair("P-521", x, y, base64url(&key.to_bytes())))
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

/// A stored private key, ready to sign with its algorithm.
pub(super) enum SigningKey {
    Jose(EncodingKey),
    P521(Box<picky::key::PrivateKey>),
}

impl SigningKey {
    /// The compact JWS of `claims`, header `{alg, kid}` (no `typ`, as better-auth's).
    pub(super) fn sign(
        &self,
        algorithm: JwtKeyAlgorithm,
        kid: &str,
        claims: &Map<String, Value>,
    ) -> Result<String, KeyError> {
        match self {
            Self::Jose(key) => {
                let jose = match algorithm {
                    JwtKeyAlgorithm::EdDsa => Algorithm::EdDSA,
                    JwtKeyAlgorithm::Es256 => Algorithm::ES256,
                    JwtKeyAlgorithm::Rs256 => Algorithm::RS256,
                    JwtKeyAlgorithm::Ps256 => Algorithm::PS256,
                    JwtKeyAlgorithm::Es512 => return Err(error("an ES512 key is a P-521 key")),
                };
                let header = Header {
                    typ: None,
                    kid: Some(kid.to_owned()),
                    ..Header::new(jose)
                };
                jsonwebtoken::encode(&header, claims, key).map_err(error)
            }
            Self::P521(key) if algorithm == JwtKeyAlgorithm::Es512 => {
                let header = JwsHeader {
                    kid: Some(kid.to_owned()),
                    ..JwsHeader::new(JwsAlg::ES512)
                };
                let payload = serde_json::to_vec(claims).map_err(error)?;
                Jws { header, payload }.encode(key).map_err(error)
            }
            Self::P521(_) => Err(error(format!("a P-521 key does not sign {}", algorithm.as_str()))),
        }
    }
}

/// The signing key of a stored private JWK (its JSON text).
pub(super) fn signing_key(private_jwk: &str) -> Result<SigningKey, KeyError> {
    let jwk: PrivateJwk = serde_json::from_str(private_jwk).map_err(error)?;
    let key = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("OKP", Some("Ed25519")) => {
            let seed: [u8; 32] = bytes(&jwk.d, "d")?
                .try_into()
                .map_err(|_| error("an Ed25519 `d` is 32 bytes"))?;
            let der = ed25519_dalek::SigningKey::from_bytes(&seed)
                .to_pkcs8_der()
                .map_err(error)?;
            EncodingKey::from_ed_der(der.as_bytes())
        }
        ("EC", Some("P-256")) => {
            let key = p256::SecretKey::from_slice(&bytes(&jwk.d, "d")?).map_err(error)?;
            let der = p256::pkcs8::EncodePrivateKey::to_pkcs8_der(&key).map_err(error)?;
            EncodingKey::from_ec_der(der.as_bytes())
        }
        ("EC", Some("P-521")) => {
            let key = p521::SecretKey::from_slice(&bytes(&jwk.d, "d")?).map_err(error)?;
            let der = key.to_pkcs8_der().map_err(error)?;
            let key = picky::key::PrivateKey::from_pkcs8(der.as_bytes()).map_err(error)?;
            return Ok(SigningKey::P521(Box::new(key)));
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
            EncodingKey::from_rsa_der(der.as_bytes())
        }
        (kty, crv) => return Err(error(format!("a {kty} key on {crv:?} cannot sign here"))),
    };
    Ok(SigningKey::Jose(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_client::wire::PublicJwk;
    use keyward_verifier::jose::{ExpectedClaims, VerifyingKey, verify};

    fn published(alg: &str, public: &Map<String, Value>) -> PublicJwk {
        let mut jwk = public.clone();
        jwk.insert("alg".into(), alg.into());
        jwk.insert("kid".into(), "k1".into());
        serde_json::from_value(Value::Object(jwk)).expect("a public JWK")
    }

    fn expected() -> ExpectedClaims<'static> {
        ExpectedClaims {
            issuers: vec!["https://auth.example.com".into()],
            audiences: vec!["https://auth.example.com".into()],
            required: &["exp", "sub"],
        }
    }

    fn claims() -> Map<String, Value> {
        let claims = serde_json::json!({
            "sub": "ada",
            "exp": 4_000_000_000u64,
            "iss": "https://auth.example.com",
            "aud": "https://auth.example.com",
        });
        claims.as_object().cloned().expect("an object")
    }

    /// Every algorithm's new key signs, its public JWK verifies the signature, and the
    /// key of another algorithm does not.
    #[test]
    fn a_new_key_signs_and_its_public_jwk_verifies() {
        let algorithms = [
            JwtKeyAlgorithm::EdDsa,
            JwtKeyAlgorithm::Es256,
            JwtKeyAlgorithm::Es512,
            JwtKeyAlgorithm::Rs256,
            JwtKeyAlgorithm::Ps256,
        ];
        let pairs: Vec<NewKeyPair> = algorithms
            .iter()
            .map(|alg| generate(*alg).expect("a key pair"))
            .collect();
        for (algorithm, pair) in algorithms.iter().zip(&pairs) {
            let signing = signing_key(&Value::Object(pair.private.clone()).to_string()).expect("signs");
            let token = signing.sign(*algorithm, "k1", &claims()).expect("a token");
            let verifying = VerifyingKey::from_published(&published(algorithm.as_str(), &pair.public)).expect("a key");
            assert_eq!(verifying.algorithm(), algorithm.as_str());
            let read = verify(&token, &verifying, &expected()).expect("verifies");
            assert_eq!(read["sub"], "ada", "{algorithm:?}");
            assert!(!pair.public.contains_key("d"), "the public half has no private member");
            for (other, other_pair) in algorithms.iter().zip(&pairs).filter(|(other, _)| *other != algorithm) {
                let wrong =
                    VerifyingKey::from_published(&published(other.as_str(), &other_pair.public)).expect("a key");
                assert!(
                    verify(&token, &wrong, &expected()).is_err(),
                    "{algorithm:?} checked as {other:?}"
                );
            }
        }
    }

    #[test]
    fn an_es512_token_is_refused_when_expired_foreign_or_tampered() {
        let pair = generate(JwtKeyAlgorithm::Es512).expect("a key pair");
        assert_eq!(pair.public["crv"], "P-521");
        assert_eq!(pair.public["x"].as_str().map(str::len), Some(88), "66-byte coordinates");
        let signing = signing_key(&Value::Object(pair.private.clone()).to_string()).expect("signs");
        let verifying = VerifyingKey::from_published(&published("ES512", &pair.public)).expect("a key");
        let sign = |change: &dyn Fn(&mut Map<String, Value>)| {
            let mut claims = claims();
            change(&mut claims);
            signing.sign(JwtKeyAlgorithm::Es512, "k1", &claims).expect("a token")
        };
        let header = sign(&|_| {});
        let header: Value = serde_json::from_slice(
            &crate::crypto::decode_base64_any(header.split('.').next().expect("a header")).expect("base64url"),
        )
        .expect("JSON");
        assert_eq!(header, serde_json::json!({"alg": "ES512", "kid": "k1"}));
        for (what, change) in [
            (
                "expired",
                &(|c: &mut Map<String, Value>| drop(c.insert("exp".into(), 1_000.into())))
                    as &dyn Fn(&mut Map<String, Value>),
            ),
            ("no exp", &|c: &mut Map<String, Value>| drop(c.remove("exp"))),
            ("no sub", &|c: &mut Map<String, Value>| drop(c.remove("sub"))),
            ("another issuer", &|c: &mut Map<String, Value>| {
                drop(c.insert("iss".into(), "https://evil.example".into()))
            }),
            ("another audience", &|c: &mut Map<String, Value>| {
                drop(c.insert("aud".into(), serde_json::json!(["https://api.example.com"])))
            }),
            ("not yet valid", &|c: &mut Map<String, Value>| {
                drop(c.insert("nbf".into(), 4_000_000_000u64.into()))
            }),
        ] {
            assert!(verify(&sign(change), &verifying, &expected()).is_err(), "{what}");
        }
        let listed = sign(&|c| {
            drop(c.insert(
                "aud".into(),
                serde_json::json!(["https://api.example.com", "https://auth.example.com"]),
            ))
        });
        assert!(
            verify(&listed, &verifying, &expected()).is_ok(),
            "one of the listed audiences"
        );
        let good = sign(&|_| {});
        let mut parts: Vec<&str> = good.split('.').collect();
        let forged = crate::crypto::base64url(serde_json::json!({"sub": "eve", "exp": 4_000_000_000u64, "iss": "https://auth.example.com", "aud": "https://auth.example.com"}).to_string().as_bytes());
        parts[1] = &forged;
        assert!(
            verify(&parts.join("."), &verifying, &expected()).is_err(),
            "tampered claims"
        );
        let none = format!(
            "{}.{}.",
            crate::crypto::base64url(br#"{"alg":"none","kid":"k1"}"#),
            good.split('.').nth(1).expect("claims")
        );
        assert!(verify(&none, &verifying, &expected()).is_err(), "alg none");
    }

    #[test]
    fn a_key_better_auth_stored_signs() {
        // An Ed25519 private JWK as better-auth 1.7.25 stores it unencrypted.
        let stored = r#"{"crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kty":"OKP"}"#;
        let token = signing_key(stored)
            .expect("signs")
            .sign(JwtKeyAlgorithm::EdDsa, "k1", &claims())
            .expect("a token");
        let public: Map<String, Value> =
            serde_json::from_str(r#"{"crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kty":"OKP"}"#)
                .expect("JSON");
        let verifying = VerifyingKey::from_published(&published("EdDSA", &public)).expect("a key");
        verify(&token, &verifying, &expected()).expect("the RFC 8037 test key verifies");
        assert!(
            signing_key(r#"{"kty":"EC","crv":"P-521","d":"AA"}"#).is_err(),
            "a short P-521 scalar is refused"
        );
        assert!(
            signing_key(r#"{"kty":"EC","crv":"P-384","d":"AA"}"#).is_err(),
            "P-384 is no curve of the plugin"
        );
    }
}
