//! better-auth's `symmetricEncrypt` / `symmetricDecrypt`: XChaCha20-Poly1305 with the key
//! SHA-256(secret) and a random 24-byte nonce in front, as lowercase hex. With versioned
//! secrets (`BETTER_AUTH_SECRETS`) the hex is wrapped as `$ba$<version>$<hex>`, so old
//! values stay readable after a rotation.
//!
//! It protects TOTP secrets, backup codes and encrypted one-time codes at rest.

use std::collections::BTreeMap;

use chacha20poly1305::aead::Aead;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use data_encoding::HEXLOWER_PERMISSIVE;

use super::{hex, random_bytes, sha256};

const ENVELOPE_PREFIX: &str = "$ba$";
const NONCE_LEN: usize = 24;

/// Decryption failed: the value is damaged, or was encrypted with a secret this server
/// does not have.
#[derive(Debug, thiserror::Error)]
#[error("cannot decrypt: {0}")]
pub struct DecryptError(&'static str);

/// The keys that encrypt and decrypt stored secrets.
#[derive(Clone)]
pub enum EncryptionKeys {
    /// One secret (`BETTER_AUTH_SECRET`): bare hex values.
    Single(String),
    /// Versioned secrets: new values use `current`; bare hex values left from before the
    /// rotation use `legacy`.
    Versioned {
        /// Version used for new values.
        current: u32,
        /// Every known secret by version.
        keys: BTreeMap<u32, String>,
        /// The pre-rotation single secret, if any.
        legacy: Option<String>,
    },
}

impl std::fmt::Debug for EncryptionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Single(_) => f.write_str("EncryptionKeys::Single(***)"),
            Self::Versioned { current, keys, .. } => f
                .debug_struct("EncryptionKeys::Versioned")
                .field("current", current)
                .field("versions", &keys.keys().collect::<Vec<_>>())
                .finish_non_exhaustive(),
        }
    }
}

fn cipher(secret: &str) -> XChaCha20Poly1305 {
    let key = sha256(secret.as_bytes());
    XChaCha20Poly1305::new(&key.into())
}

fn raw_encrypt(secret: &str, data: &str) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce);
    let sealed = cipher(secret)
        .encrypt(&XNonce::from(nonce), data.as_bytes())
        .expect("XChaCha20-Poly1305 encrypts any message that fits in memory");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    hex(&out)
}

fn raw_decrypt(secret: &str, hex_text: &str) -> Result<String, DecryptError> {
    let bytes = HEXLOWER_PERMISSIVE
        .decode(hex_text.as_bytes())
        .map_err(|_| DecryptError("not hex"))?;
    if bytes.len() < NONCE_LEN {
        return Err(DecryptError("too short"));
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce = XNonce::try_from(nonce).map_err(|_| DecryptError("bad nonce"))?;
    let plain = cipher(secret)
        .decrypt(&nonce, sealed)
        .map_err(|_| DecryptError("authentication failed"))?;
    String::from_utf8(plain).map_err(|_| DecryptError("not UTF-8"))
}

fn parse_envelope(data: &str) -> Option<(u32, &str)> {
    let rest = data.strip_prefix(ENVELOPE_PREFIX)?;
    let (version, ciphertext) = rest.split_once('$')?;
    Some((version.parse().ok()?, ciphertext))
}

impl EncryptionKeys {
    /// Encrypts `data` with the current key.
    pub fn encrypt(&self, data: &str) -> String {
        match self {
            Self::Single(secret) => raw_encrypt(secret, data),
            Self::Versioned { current, keys, .. } => {
                let secret = keys.get(current).expect("the current version is one of the keys");
                format!("{ENVELOPE_PREFIX}{current}${}", raw_encrypt(secret, data))
            }
        }
    }

    /// Decrypts a value written by [`EncryptionKeys::encrypt`] or by better-auth.
    pub fn decrypt(&self, data: &str) -> Result<String, DecryptError> {
        match self {
            Self::Single(secret) => raw_decrypt(secret, data),
            Self::Versioned { keys, legacy, .. } => match parse_envelope(data) {
                Some((version, ciphertext)) => {
                    let secret = keys.get(&version).ok_or(DecryptError("unknown secret version"))?;
                    raw_decrypt(secret, ciphertext)
                }
                None => {
                    let secret = legacy
                        .as_deref()
                        .ok_or(DecryptError("legacy value without BETTER_AUTH_SECRET"))?;
                    raw_decrypt(secret, data)
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = "keyward-interop-secret-0123456789abcdefghijklmnop";
    const SECOND: &str = "the-second-secret-0123456789abcdefghijkl";

    fn versioned() -> EncryptionKeys {
        EncryptionKeys::Versioned {
            current: 2,
            keys: BTreeMap::from([(2, SECOND.to_owned()), (1, LEGACY.to_owned())]),
            legacy: Some(LEGACY.to_owned()),
        }
    }

    #[test]
    fn decrypts_values_better_auth_wrote() {
        // Written by better-auth 1.7.25's symmetricEncrypt.
        let bare = "9ef3949d7c928e37bcf4327f2bd1729754ef4c1490bab71924ecb8171a351d85c1510e277daf5571a65726cf74b77ea1063d90ca5084ea90c28c431a50911efbee7e1cf6bb5362c6";
        let envelope = "$ba$2$aebe9200ca1aa3eebb04f5acb9109d9f240b08b1c3cf9670f6bbe934dd7f99a61993942520a953cfa06cbed9fb1af66f4d60e64288409f4289df45b1fed98b4600a6b20efc";
        let single = EncryptionKeys::Single(LEGACY.to_owned());
        assert_eq!(
            single.decrypt(bare).expect("decrypts"),
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        );
        assert_eq!(
            versioned().decrypt(bare).expect("legacy"),
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        );
        assert_eq!(
            versioned().decrypt(envelope).expect("envelope"),
            r#"["KbfRS-fjuR0","abcde-12345"]"#
        );
        assert!(single.decrypt(envelope).is_err());
        // Hex in either case, as better-auth's `hexToBytes` reads it; never an odd length.
        assert_eq!(
            single.decrypt(&bare.to_ascii_uppercase()).expect("decrypts"),
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        );
        assert!(single.decrypt(&bare[1..]).is_err());
        assert!(single.decrypt(&format!("+{}", &bare[1..])).is_err());
    }

    #[test]
    fn round_trips_and_rejects_tampering() {
        for keys in [EncryptionKeys::Single(LEGACY.to_owned()), versioned()] {
            let sealed = keys.encrypt("secret value");
            assert_ne!(sealed, keys.encrypt("secret value"), "a fresh nonce every time");
            assert_eq!(keys.decrypt(&sealed).expect("round trip"), "secret value");
            let mut tampered = sealed.clone();
            let last = tampered.pop().expect("non-empty");
            tampered.push(if last == '0' { '1' } else { '0' });
            assert!(keys.decrypt(&tampered).is_err());
            assert!(keys.decrypt("zz").is_err());
            assert!(keys.decrypt("").is_err());
        }
        assert!(versioned().encrypt("x").starts_with("$ba$2$"));
        assert!(versioned().decrypt("$ba$9$00").is_err());
        let no_legacy = EncryptionKeys::Versioned {
            current: 2,
            keys: BTreeMap::from([(2, SECOND.to_owned())]),
            legacy: None,
        };
        assert!(
            no_legacy
                .decrypt(&EncryptionKeys::Single(LEGACY.to_owned()).encrypt("x"))
                .is_err()
        );
        assert!(!format!("{:?}", versioned()).contains(SECOND));
    }
}
