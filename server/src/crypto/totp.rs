//! RFC 6238 one-time passwords the way better-auth computes them (`@better-auth/utils/otp`):
//! HMAC-SHA1 over the big-endian time step, dynamic truncation, ±1 step accepted, and the
//! `otpauth://totp/…` URI authenticator apps scan.
//!
//! better-auth's TOTP key is the UTF-8 bytes of a 32-character random string; secrets
//! imported from elsewhere are stored as `base32:<secret>` and decoded first.
//!
//! ```
//! use keyward_server::crypto::totp::Totp;
//! let totp = Totp::new(b"12345678901234567890".to_vec());
//! assert_eq!(totp.code_at(59), "287082");
//! assert!(totp.verify("287082", 59 + 30)); // one step late is still accepted
//! assert!(!totp.verify("287082", 59 + 90));
//! ```

use std::sync::LazyLock;

use data_encoding::{BASE32_NOPAD, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use keyward_client::wire::secret::constant_time_eq;

/// RFC 4648 base32 without padding (how `otpauth://` URIs carry the secret).
pub fn base32_encode(bytes: &[u8]) -> String {
    BASE32_NOPAD.encode(bytes)
}

/// Base32 read as leniently as `@better-auth/utils`' decoder reads an uppercased secret:
/// either case, the bits of an incomplete last byte dropped, however many there are.
static LENIENT_BASE32: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = BASE32_NOPAD.specification();
    spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
    spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    spec.check_trailing_bits = false;
    spec.encoding().expect("a valid base32 specification")
});

/// Decodes RFC 4648 base32: either case, padding optional, any length (characters that
/// complete no byte are dropped); `None` for other characters.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=').as_bytes();
    // 1, 3 or 6 characters past a multiple of 8 end in one that completes no byte: the
    // decoder refuses such a length, so that character is only checked, then dropped.
    let whole = match text.len() % 8 {
        1 | 3 | 6 => {
            let (whole, last) = text.split_at(text.len() - 1);
            LENIENT_BASE32.decode(&[last[0], b'A']).ok()?;
            whole
        }
        _ => text,
    };
    LENIENT_BASE32.decode(whole).ok()
}

/// The HMAC key for a decrypted better-auth TOTP secret.
pub fn key_for_secret(secret: &str) -> Option<Vec<u8>> {
    match secret.strip_prefix("base32:") {
        Some(encoded) => base32_decode(encoded),
        None => Some(secret.as_bytes().to_vec()),
    }
}

/// A TOTP generator and checker for one key.
#[derive(Clone)]
pub struct Totp {
    key: Vec<u8>,
    digits: u32,
    period: u64,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Totp")
            .field("digits", &self.digits)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

impl Totp {
    /// Six digits every 30 seconds (better-auth's defaults).
    pub fn new(key: Vec<u8>) -> Self {
        Self {
            key,
            digits: 6,
            period: 30,
        }
    }

    /// Changes the number of digits (1 to 8) and the period in seconds.
    pub fn with_format(mut self, digits: u32, period: u64) -> Self {
        self.digits = digits.clamp(1, 8);
        self.period = period.max(1);
        self
    }

    /// The generator an `otpauth://totp/…` URI describes (its base32 `secret`, `digits`
    /// and `period`); `None` when it is not such a URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let url = url::Url::parse(uri).ok()?;
        if url.scheme() != "otpauth" || url.host_str() != Some("totp") {
            return None;
        }
        let mut totp = Totp::new(Vec::new());
        let mut found_secret = false;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "secret" => {
                    totp.key = base32_decode(&value)?;
                    found_secret = true;
                }
                "digits" => totp.digits = value.parse().ok()?,
                "period" => totp.period = value.parse().ok()?,
                _ => {}
            }
        }
        found_secret.then(|| totp.clone().with_format(totp.digits, totp.period))
    }

    /// The HOTP value for a counter.
    pub fn hotp(&self, counter: u64) -> String {
        let mut mac = Hmac::<Sha1>::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(&counter.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = (digest[19] & 0x0f) as usize;
        let value = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        let code = value % 10u32.pow(self.digits);
        format!("{code:0width$}", width = self.digits as usize)
    }

    /// The code valid at `unix_seconds`.
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.hotp(unix_seconds / self.period)
    }

    /// The code valid now.
    pub fn now(&self) -> String {
        self.code_at(unix_now())
    }

    /// Whether `code` is the code of the step at `unix_seconds` or of the one before or
    /// after it. Every candidate is compared, in constant time.
    pub fn verify(&self, code: &str, unix_seconds: u64) -> bool {
        let counter = unix_seconds / self.period;
        let mut matched = false;
        for step in [counter.wrapping_sub(1), counter, counter + 1] {
            matched |= constant_time_eq(code.as_bytes(), self.hotp(step).as_bytes());
        }
        matched
    }

    /// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&digits=…&period=…`, encoded as
    /// better-auth encodes it (`encodeURIComponent` in the path, form encoding in the query).
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("secret", &base32_encode(&self.key))
            .append_pair("issuer", issuer)
            .append_pair("digits", &self.digits.to_string())
            .append_pair("period", &self.period.to_string())
            .finish();
        format!(
            "otpauth://totp/{}:{}?{query}",
            crate::cookies::encode_uri_component(issuer),
            crate::cookies::encode_uri_component(account)
        )
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vectors() {
        let totp = Totp::new(b"12345678901234567890".to_vec());
        assert_eq!(totp.code_at(59), "287082");
        assert_eq!(totp.code_at(1_111_111_109), "081804");
        let eight = Totp::new(b"12345678901234567890".to_vec()).with_format(8, 30);
        assert_eq!(eight.code_at(59), "94287082");
        assert_eq!(eight.code_at(20_000_000_000), "65353130");
    }

    #[test]
    fn verification_window_is_one_step() {
        let totp = Totp::new(b"abc".to_vec());
        let code = totp.code_at(1_000_000);
        assert!(totp.verify(&code, 1_000_000));
        assert!(totp.verify(&code, 1_000_000 + 30));
        assert!(totp.verify(&code, 1_000_000 - 30));
        assert!(!totp.verify(&code, 1_000_000 + 60));
        assert!(!totp.verify(&format!("{code}0"), 1_000_000));
        assert!(!totp.verify("", 1_000_000));
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32_encode(b"1234567890"), "GEZDGNBVGY3TQOJQ");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw6ytboi======").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base32_decode("MZXW6ytboi").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base32_decode("MZ1"), None);
        assert_eq!(base32_decode("MZX=W6"), None);
        assert_eq!(base32_decode("").as_deref(), Some(&[][..]));
        // Lengths RFC 4648 does not produce decode as better-auth decodes them: the
        // characters that complete no byte are dropped (once checked).
        assert_eq!(base32_decode("M").as_deref(), Some(&[][..]));
        assert_eq!(base32_decode("MZX").as_deref(), Some(&b"f"[..]));
        assert_eq!(base32_decode("MZXW6Y").as_deref(), Some(&b"foo"[..]));
        assert_eq!(base32_decode("MZXW61"), None);
        // Non-zero bits after the last byte are ignored, as better-auth ignores them.
        assert_eq!(base32_decode("MZ").as_deref(), Some(&b"f"[..]));
        assert_eq!(base32_decode("M7").as_deref(), Some(&b"g"[..]));
        for length in 0..40 {
            let bytes: Vec<u8> = (0..length).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base32_decode(&base32_encode(&bytes)), Some(bytes));
        }
        assert_eq!(
            key_for_secret("base32:GEZDGNBVGY3TQOJQ").as_deref(),
            Some(&b"1234567890"[..])
        );
        assert_eq!(key_for_secret("plain").as_deref(), Some(&b"plain"[..]));
    }

    #[test]
    fn reads_its_own_uris() {
        let totp = Totp::new(b"some key".to_vec()).with_format(8, 60);
        let parsed = Totp::from_uri(&totp.uri("Keyward", "a@b.co")).expect("parses");
        assert_eq!(parsed.code_at(1_000_000), totp.code_at(1_000_000));
        assert!(Totp::from_uri("https://example.com/?secret=AA").is_none());
        assert!(Totp::from_uri("otpauth://totp/x?secret=1").is_none());
        assert!(Totp::from_uri("otpauth://totp/x").is_none());
    }

    #[test]
    fn uri_matches_better_auth() {
        // As better-auth 1.7.25 printed it for this secret, issuer and account.
        let totp = Totp::new(b"abcdefghijklmnopqrstuvwxyz012345".to_vec());
        assert_eq!(
            totp.uri("Better Auth", "alice@example.com"),
            "otpauth://totp/Better%20Auth:alice%40example.com?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYDCMRTGQ2Q&issuer=Better+Auth&digits=6&period=30"
        );
    }
}
