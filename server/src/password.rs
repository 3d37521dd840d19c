//! Password hashing exactly as better-auth stores it, so existing databases keep working.
//!
//! `"<saltHex>:<keyHex>"` where `saltHex` is 16 random bytes as 32 lowercase hex
//! characters, and `key = scrypt(NFKC(password), UTF-8 bytes of saltHex, N=16384, r=16,
//! p=1, 64 bytes)`, computed by RustCrypto's `scrypt`. A hash holds scrypt's 32 MiB table
//! (128 · N · r bytes) for tens of milliseconds, so it runs on a fixed pool of hashing
//! threads (one per core, or `KEYWARD_HASH_CONCURRENCY`), never on the request executor:
//! at most that many hashes, and that many 32 MiB tables, at once.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{LazyLock, Mutex};

use tokio::sync::oneshot;
use unicode_normalization::UnicodeNormalization;

use crate::crypto::{hex, random_bytes};
use keyward_client::wire::secret::constant_time_eq;

/// Error from the hashing machinery itself (never from a wrong password).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// A hash or a verification, run to the end on one of the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// The queue of the hashing threads, started on first use. Each thread takes the next
/// job when it is free; the queue holds only the jobs' inputs.
static HASH_QUEUE: LazyLock<Result<Sender<Job>, String>> = LazyLock::new(start_hashing_threads);

fn start_hashing_threads() -> Result<Sender<Job>, String> {
    let (sender, receiver) = channel::<Job>();
    let receiver = std::sync::Arc::new(Mutex::new(receiver));
    for index in 0..hash_concurrency() {
        let receiver = receiver.clone();
        std::thread::Builder::new()
            .name(format!("keyward-hash-{index}"))
            .spawn(move || run_hashing_thread(&receiver))
            .map_err(|e| format!("cannot start a hashing thread: {e}"))?;
    }
    Ok(sender)
}

fn run_hashing_thread(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            // A job that panics loses its answer (the caller gets an error), not the thread.
            Ok(job) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
            Err(_) => return,
        }
    }
}

fn hash_concurrency() -> usize {
    std::env::var("KEYWARD_HASH_CONCURRENCY")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&slots| slots > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2))
}

/// Keys derived by this process so far (every hash and every verification is one).
static KEYS_DERIVED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many scrypt keys this process has derived: the cost of a request in hashes, which
/// is what makes its timing (tests compare it across paths that must look alike).
pub fn keys_derived() -> u64 {
    KEYS_DERIVED.load(std::sync::atomic::Ordering::Relaxed)
}

// better-auth's scrypt parameters: N = 2^14, r = 16, p = 1.
const LOG_N: u8 = 14;
const R: u32 = 16;
const P: u32 = 1;

fn derive_key(password: &str, salt_hex: &str) -> Result<[u8; 64], HashError> {
    KEYS_DERIVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let normalized: String = password.nfkc().collect();
    let params = scrypt::Params::new(LOG_N, R, P).map_err(|e| HashError(e.to_string()))?;
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
    let (answer, answered) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(job());
    });
    let queue = HASH_QUEUE.as_ref().map_err(|e| HashError(e.clone()))?;
    queue
        .send(job)
        .map_err(|_| HashError("the hashing threads stopped".into()))?;
    answered
        .await
        .map_err(|_| HashError("a hashing thread stopped before answering".into()))?
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
        // Stored by better-auth 1.7.25 (SQLite) for the password "password123". The
        // reverse, better-auth verifying Keyward's hashes, is `tests/tests/same_database.rs`
        // (and better-auth's `verifyPassword` accepts `VECTOR`).
        let stored = "d1364d901f001d8f51af2acb9fb348cf:be2cbf341b6ea3286e60d1c6e2ec04bd3ec9df1402b9d304cac3441dcd8524bca1220167c460e08145ff3e4c3abaf00d7f8fd05d432e3411fd3ff6f7d424c822";
        assert!(verify_sync("password123", stored).expect("verifies"));
    }

    #[test]
    fn verifies_a_better_auth_hash_of_a_password_that_nfkc_changes() {
        // better-auth 1.7.25's `hashPassword` (better-auth/crypto) for this password:
        // fullwidth letters, a ligature and an emoji, 119 UTF-16 units.
        let password = format!(
            "\u{ff30}\u{ff41}\u{ff53}\u{ff53} w\u{f6}rd \u{fb01} \u{1f600} {}",
            "x".repeat(100)
        );
        let stored = "630975b5d892a5cd20780526e0856688:a203ddac10c183bf6be28a1069c1efb657311fbce65327698ed20eb34a15efe6d35f9efcabee0404f67d13d4e8450cffd2ef13ccd19066bb45553d98fd2b59c7";
        assert!(verify_sync(&password, stored).expect("verifies"));
        assert_eq!(
            hash_with_salt(&password, "630975b5d892a5cd20780526e0856688").expect("hashes"),
            stored
        );
        let normalized_by_hand = format!("Pass w\u{f6}rd fi \u{1f600} {}", "x".repeat(100));
        assert!(verify_sync(&normalized_by_hand, stored).expect("verifies"));
        assert!(!verify_sync(&password.replace('x', "y"), stored).expect("verifies"));
    }

    #[test]
    fn normalizes_to_nfkc() {
        let composed = hash_with_salt("caf\u{e9}", "00112233445566778899aabbccddeeff").expect("hashes");
        let decomposed = hash_with_salt("cafe\u{301}", "00112233445566778899aabbccddeeff").expect("hashes");
        assert_eq!(composed, decomposed);
        assert_eq!(js_length("😀"), 2);
    }

    #[tokio::test]
    async fn hashing_runs_on_the_bounded_pool_of_hashing_threads() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let jobs: Vec<_> = (0..4 * hash_concurrency())
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(run_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok(std::thread::current().name().map(str::to_owned))
                }))
            })
            .collect();
        for job in jobs {
            let name = job.await.expect("joins").expect("runs").expect("named thread");
            assert!(name.starts_with("keyward-hash-"), "ran on {name}");
        }
        assert!(most.load(Ordering::SeqCst) <= hash_concurrency());
        let failed = run_blocking::<()>(|| panic!("boom")).await;
        assert!(failed.is_err(), "a panicking job is an error");
        assert!(verify_sync("x", VECTOR).is_ok_and(|ok| !ok));
        assert!(hash("still works").await.is_ok(), "the pool survives a panicking job");
    }

    #[tokio::test]
    async fn async_round_trip() {
        let stored = hash("correct horse").await.expect("hashes");
        assert_eq!(stored.len(), 161);
        assert!(verify("correct horse", &stored).await.expect("verifies"));
        assert!(!verify("wrong horse", &stored).await.expect("verifies"));
    }
}
