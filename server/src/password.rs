//! Password hashing exactly as better-auth stores it, so existing databases keep working.
//!
//! `"<saltHex>:<keyHex>"` where `saltHex` is 16 random bytes as 32 lowercase hex
//! characters, and `key = scrypt(NFKC(password), UTF-8 bytes of saltHex, N=16384, r=16,
//! p=1, 64 bytes)`. Hashing takes ~32 MiB and tens of milliseconds, so it runs on the
//! blocking pool, at most one hash per core at a time.

use std::sync::{Arc, LazyLock};

use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

use crate::crypto::{hex, random_bytes};
use keyward_client::wire::secret::constant_time_eq;

/// Error from the hashing machinery itself (never from a wrong password).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes running at once: one per core, or `KEYWARD_HASH_CONCURRENCY`. Each takes
/// 32 MiB while it runs, so this also bounds the memory hashing can take.
static HASH_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(hash_concurrency())));

fn hash_concurrency() -> usize {
    std::env::var("KEYWARD_HASH_CONCURRENCY")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&slots| slots > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2))
}

fn derive_key(password: &str, salt_hex: &str) -> Result<[u8; 64], HashError> {
    let normalized: String = password.nfkc().collect();
    let params = scrypt::Params::new(14, 16, 1).map_err(|e| HashError(e.to_string()))?;
    let mut key = [0u8; 64];
    scrypt::scrypt(normalized.as_bytes(), salt_hex.as_bytes(), &params, &mut key)
        .map_err(|e| HashError(e.to_string()))?;
    Ok(key)
}

/// Hashes with a fixed salt (tests and vectors only need this directly).
pub fn hash_with_salt(password: &str, salt_hex: &str) -> Result<String, HashError> {
    Ok(format!("{salt_hex}:{}", hex(&derive_key(password, salt_hex)?)))
}

/// Checks a password against a stored `salt:key` hash in constant time. A malformed hash
/// verifies as `false`.
pub fn verify_sync(password: &str, stored: &str) -> Result<bool, HashError> {
    let Some((salt, key_hex)) = stored.split_once(':') else {
        return Ok(false);
    };
    if salt.is_empty() || key_hex.len() != 128 {
        return Ok(false);
    }
    let derived = hex(&derive_key(password, salt)?);
    Ok(constant_time_eq(
        derived.as_bytes(),
        key_hex.to_ascii_lowercase().as_bytes(),
    ))
}

async fn run_blocking<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, HashError> + Send + 'static,
) -> Result<T, HashError> {
    let _slot = HASH_SLOTS
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| HashError(e.to_string()))?
}

/// Hashes a new password with a fresh random salt.
pub async fn hash(password: &str) -> Result<String, HashError> {
    let password = password.to_owned();
    run_blocking(move || {
        let mut salt = [0u8; 16];
        random_bytes(&mut salt);
        hash_with_salt(&password, &hex(&salt))
    })
    .await
}

/// Verifies a password against a stored hash.
pub async fn verify(password: &str, stored: &str) -> Result<bool, HashError> {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    run_blocking(move || verify_sync(&password, &stored)).await
}

/// The password's length as better-auth measures it (UTF-16 code units, JS `length`).
pub fn js_length(password: &str) -> usize {
    password.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "00112233445566778899aabbccddeeff:73122e887cfc14f91396cdef78dfe4b9dec28d459037601c4904cedba5a637ab97b39b40c236df5d42881d0109ca8cf0f85e39dbaba2911c190915bd8f30fe85";

    #[test]
    fn matches_the_cross_language_vector() {
        assert_eq!(
            hash_with_salt("password123", "00112233445566778899aabbccddeeff").expect("hashes"),
            VECTOR
        );
        assert!(verify_sync("password123", VECTOR).expect("verifies"));
        assert!(!verify_sync("password124", VECTOR).expect("verifies"));
        assert!(!verify_sync("password123", "garbage").expect("verifies"));
    }

    #[test]
    fn verifies_a_hash_made_by_better_auth() {
        // Stored by better-auth 1.7.25 (SQLite) for the password "password123".
        let stored = "d1364d901f001d8f51af2acb9fb348cf:be2cbf341b6ea3286e60d1c6e2ec04bd3ec9df1402b9d304cac3441dcd8524bca1220167c460e08145ff3e4c3abaf00d7f8fd05d432e3411fd3ff6f7d424c822";
        assert!(verify_sync("password123", stored).expect("verifies"));
    }

    #[test]
    fn normalizes_to_nfkc() {
        let composed = hash_with_salt("caf\u{e9}", "00112233445566778899aabbccddeeff").expect("hashes");
        let decomposed = hash_with_salt("cafe\u{301}", "00112233445566778899aabbccddeeff").expect("hashes");
        assert_eq!(composed, decomposed);
        assert_eq!(js_length("😀"), 2);
    }

    #[tokio::test]
    async fn async_round_trip() {
        let stored = hash("correct horse").await.expect("hashes");
        assert_eq!(stored.len(), 161);
        assert!(verify("correct horse", &stored).await.expect("verifies"));
        assert!(!verify("wrong horse", &stored).await.expect("verifies"));
    }
}
