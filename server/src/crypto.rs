//! Randomness, HMAC signatures and hashing in better-auth's formats. Encodings are the
//! `base64` and `data-encoding` crates'.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use data_encoding::HEXLOWER;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use keyward_client::wire::secret::constant_time_eq;

pub mod symmetric;
pub mod totp;

type HmacSha256 = Hmac<Sha256>;

/// `a-zA-Z0-9`: better-auth's `generateId` alphabet (ids, session tokens, reset tokens).
pub const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// `a-z0-9A-Z-_`: better-auth's `generateRandomString` default (TOTP secrets, two-factor
/// challenge and trusted-device ids).
pub const URL_SAFE: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
/// `a-zA-Z`: better-auth's `generateRandomString(n, "a-z", "A-Z")` (API keys).
pub const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// `0-9`: one-time codes.
pub const DIGITS: &[u8] = b"0123456789";
/// `0-9a-z`: delete-account tokens.
pub const LOWER_ALPHANUMERIC: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Fills `buf` from the operating system's CSPRNG.
pub fn random_bytes(buf: &mut [u8]) {
    // The OS generator failing is unrecoverable: nothing secure can be issued without it.
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}

/// A uniformly random string of `len` characters from `alphabet` (rejection sampling,
/// so no character is more likely than another).
pub fn random_string(len: usize, alphabet: &[u8]) -> String {
    debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256);
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        random_bytes(&mut buf);
        for byte in buf {
            if (byte as usize) < limit {
                out.push(alphabet[byte as usize % alphabet.len()] as char);
                if out.len() == len {
                    break;
                }
            }
        }
    }
    out
}

/// better-auth's `generateId(32)`: ids and session tokens.
pub fn generate_id() -> String {
    random_string(32, ALPHANUMERIC)
}

/// Raw HMAC-SHA256.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The cookie signature: standard base64 (with padding) of HMAC-SHA256(secret, value).
pub fn sign_value(secret: &str, value: &str) -> String {
    base64(&hmac_sha256(secret.as_bytes(), value.as_bytes()))
}

/// Checks a signature in either base64 alphabet, padded or not, in constant time.
pub fn verify_signature(secret: &str, value: &str, signature: &str) -> bool {
    let Some(given) = decode_base64_any(signature) else {
        return false;
    };
    constant_time_eq(&given, &hmac_sha256(secret.as_bytes(), value.as_bytes()))
}

/// Decodes standard or URL-safe base64, with or without padding. As in
/// `@better-auth/utils`' `base64.decode`, a `-` or `_` anywhere selects the URL-safe
/// alphabet, and trailing `=` are ignored.
pub fn decode_base64_any(input: &str) -> Option<Vec<u8>> {
    let unpadded = input.trim_end_matches('=');
    let engine = if unpadded.contains(['-', '_']) {
        &URL_SAFE_NO_PAD
    } else {
        &STANDARD_NO_PAD
    };
    engine.decode(unpadded).ok()
}

/// URL-safe base64 without padding.
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// SHA-256 digest.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    HEXLOWER.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_signature_matches_better_auth_vector() {
        // better-auth-spec §2.3, observed on the real server.
        let secret = "a-very-long-secret-value-for-testing-purposes-1234567890";
        let token = "jomE7q5zHgFDA51IBXS0vVhLGtcMwLGE";
        assert_eq!(
            sign_value(secret, token),
            "IinEf0G4VKfDAXk3DycWAZnsgsO1wGMwa4Iz4txL038="
        );
        assert!(verify_signature(
            secret,
            token,
            "IinEf0G4VKfDAXk3DycWAZnsgsO1wGMwa4Iz4txL038="
        ));
        assert!(verify_signature(
            secret,
            token,
            "IinEf0G4VKfDAXk3DycWAZnsgsO1wGMwa4Iz4txL038"
        ));
        assert!(!verify_signature(
            secret,
            token,
            "JinEf0G4VKfDAXk3DycWAZnsgsO1wGMwa4Iz4txL038="
        ));
        assert!(!verify_signature(secret, token, "not base64!"));
    }

    #[test]
    fn random_strings_use_the_alphabet() {
        let id = generate_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| ALPHANUMERIC.contains(&b)));
        assert_ne!(generate_id(), generate_id());
        let lower = random_string(500, LOWER_ALPHANUMERIC);
        assert!(lower.bytes().all(|b| LOWER_ALPHANUMERIC.contains(&b)));
    }

    #[test]
    fn hex_encodes() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn base64_decodes_either_alphabet_padded_or_not() {
        let bytes = [0xfb, 0xff, 0xbf, 0x01];
        assert_eq!(base64(&bytes), "+/+/AQ==");
        assert_eq!(base64url(&bytes), "-_-_AQ");
        for encoded in ["+/+/AQ==", "+/+/AQ", "-_-_AQ", "-_-_AQ=="] {
            assert_eq!(decode_base64_any(encoded).as_deref(), Some(&bytes[..]), "{encoded}");
        }
        assert_eq!(decode_base64_any("").as_deref(), Some(&[][..]));
        assert_eq!(decode_base64_any("+/-_AQ"), None, "one alphabet at a time");
        assert_eq!(decode_base64_any("AQ=A"), None);
        assert_eq!(decode_base64_any("A"), None);
    }
}
