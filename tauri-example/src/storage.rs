//! Where the desktop app keeps its bearer token: the OS keychain, or, only when the user
//! opts in because there is none, a file encrypted with a passphrase. Never a store that
//! silently forgets.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::Aead;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use keyward_client::token_store::{KeyringBackend, KeyringStore};
use keyward_client::wire::{Password, SessionToken, TrustedDevice};
use keyward_client::{Error, TokenStore};
use serde::{Deserialize, Serialize};

/// Where the token is kept, as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StorageStatus {
    /// In the OS keychain.
    Keychain {
        /// Which one ("Secret Service", "kernel keyring", or the platform's).
        name: String,
    },
    /// In a passphrase-encrypted file the user chose.
    EncryptedFile {
        /// The file.
        path: String,
    },
    /// No keychain here; signing in waits until the user chooses the encrypted file.
    Unavailable {
        /// What the keychain said.
        reason: String,
    },
}

/// The keychains to try, best first: the platform's (on Linux the Secret Service, which
/// survives a reboot), then on Linux the kernel keyring (kept for the login session).
fn candidates() -> Vec<(KeyringBackend, &'static str)> {
    let mut list = vec![(
        KeyringBackend::Default,
        if cfg!(target_os = "linux") {
            "Secret Service"
        } else {
            "system keychain"
        },
    )];
    #[cfg(target_os = "linux")]
    list.push((KeyringBackend::KernelKeyring, "kernel keyring"));
    list
}

/// Opens the app's keychain entry in the first keychain that really keeps a value (a
/// probe entry is written, read back and deleted), and says which one it is. A keychain
/// that is missing, locked or refuses writes is skipped, never used as an empty store;
/// when none works, the error says what each one answered.
pub fn open_keychain(service: &str, account: &str) -> Result<(KeyringStore, String), String> {
    let mut failures = Vec::new();
    for (backend, name) in candidates() {
        match probe(backend, service, account) {
            Ok(store) => return Ok((store, name.to_owned())),
            Err(reason) => failures.push(format!("{name}: {reason}")),
        }
    }
    Err(failures.join("; "))
}

fn probe(backend: KeyringBackend, service: &str, account: &str) -> Result<KeyringStore, String> {
    let probe = KeyringStore::with_backend(backend, service, &format!("{account}.probe")).map_err(|e| e.to_string())?;
    let marker = SessionToken::from("keyward-keychain-probe");
    probe.save(&marker).map_err(|e| e.to_string())?;
    let read = probe.load().map_err(|e| e.to_string())?;
    probe.clear().map_err(|e| e.to_string())?;
    if read != Some(marker) {
        return Err("the keychain did not keep a value".to_owned());
    }
    let store = KeyringStore::with_backend(backend, service, account).map_err(|e| e.to_string())?;
    store.load().map_err(|e| e.to_string())?;
    Ok(store)
}

/// What the encrypted file holds once decrypted.
#[derive(Default, Serialize, Deserialize)]
struct Contents {
    token: Option<SessionToken>,
    trusted_device: Option<TrustedDevice>,
}

/// The file on disk.
#[derive(Serialize, Deserialize)]
struct Sealed {
    version: u8,
    salt: String,
    nonce: String,
    data: String,
}

/// The token in a file, sealed with XChaCha20-Poly1305 under a key derived from the
/// user's passphrase with scrypt (N = 2^15, r = 8, p = 1). For machines without a
/// keychain, and only when the user asks for it.
pub struct EncryptedFileStore {
    path: PathBuf,
    key: [u8; 32],
    salt: [u8; 16],
    contents: Mutex<Contents>,
}

impl std::fmt::Debug for EncryptedFileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedFileStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn storage_error(message: impl Into<String>) -> Error {
    Error::Storage {
        message: message.into(),
    }
}

fn derive(passphrase: &Password, salt: &[u8; 16]) -> Result<[u8; 32], Error> {
    let params = scrypt::Params::new(15, 8, 1).map_err(|e| storage_error(e.to_string()))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(passphrase.expose().as_bytes(), salt, &params, &mut key)
        .map_err(|e| storage_error(e.to_string()))?;
    Ok(key)
}

fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| storage_error(format!("no randomness: {e}")))?;
    Ok(bytes)
}

impl EncryptedFileStore {
    /// Opens `path` with `passphrase`, creating the file on first save. A wrong
    /// passphrase or a damaged file is an error (the file is left as it is).
    pub fn open(path: impl AsRef<Path>, passphrase: &Password) -> Result<Self, Error> {
        let path = path.as_ref().to_path_buf();
        if passphrase.expose().chars().count() < 8 {
            return Err(storage_error("the passphrase needs at least 8 characters"));
        }
        match std::fs::read(&path) {
            Ok(bytes) => {
                let sealed: Sealed =
                    serde_json::from_slice(&bytes).map_err(|_| storage_error("the token file is damaged"))?;
                let decode = |text: &str| {
                    STANDARD
                        .decode(text)
                        .map_err(|_| storage_error("the token file is damaged"))
                };
                let salt: [u8; 16] = decode(&sealed.salt)?
                    .try_into()
                    .map_err(|_| storage_error("the token file is damaged"))?;
                let nonce: [u8; 24] = decode(&sealed.nonce)?
                    .try_into()
                    .map_err(|_| storage_error("the token file is damaged"))?;
                let key = derive(passphrase, &salt)?;
                let plain = XChaCha20Poly1305::new(&key.into())
                    .decrypt(&XNonce::from(nonce), decode(&sealed.data)?.as_slice())
                    .map_err(|_| storage_error("wrong passphrase, or the token file is damaged"))?;
                let contents: Contents =
                    serde_json::from_slice(&plain).map_err(|_| storage_error("the token file is damaged"))?;
                Ok(Self {
                    path,
                    key,
                    salt,
                    contents: Mutex::new(contents),
                })
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let salt = random::<16>()?;
                Ok(Self {
                    key: derive(passphrase, &salt)?,
                    path,
                    salt,
                    contents: Mutex::new(Contents::default()),
                })
            }
            Err(error) => Err(storage_error(format!("cannot read {}: {error}", path.display()))),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn update(&self, change: impl FnOnce(&mut Contents)) -> Result<(), Error> {
        let mut contents = self
            .contents
            .lock()
            .map_err(|_| storage_error("token file lock poisoned"))?;
        change(&mut contents);
        let plain = serde_json::to_vec(&*contents).map_err(|e| storage_error(e.to_string()))?;
        let nonce = random::<24>()?;
        let data = XChaCha20Poly1305::new(&self.key.into())
            .encrypt(&XNonce::from(nonce), plain.as_slice())
            .map_err(|_| storage_error("cannot encrypt the token"))?;
        let sealed = Sealed {
            version: 1,
            salt: STANDARD.encode(self.salt),
            nonce: STANDARD.encode(nonce),
            data: STANDARD.encode(data),
        };
        let json = serde_json::to_vec(&sealed).map_err(|e| storage_error(e.to_string()))?;
        // Write beside, then rename: a crash never leaves half a file.
        let partial = self.path.with_extension("partial");
        std::fs::write(&partial, json)
            .and_then(|()| std::fs::rename(&partial, &self.path))
            .map_err(|e| storage_error(format!("cannot write {}: {e}", self.path.display())))
    }

    fn read<T>(&self, get: impl FnOnce(&Contents) -> T) -> Result<T, Error> {
        let contents = self
            .contents
            .lock()
            .map_err(|_| storage_error("token file lock poisoned"))?;
        Ok(get(&contents))
    }
}

impl TokenStore for EncryptedFileStore {
    fn load(&self) -> Result<Option<SessionToken>, Error> {
        self.read(|contents| contents.token.clone())
    }

    fn save(&self, token: &SessionToken) -> Result<(), Error> {
        self.update(|contents| contents.token = Some(token.clone()))
    }

    fn clear(&self) -> Result<(), Error> {
        self.update(|contents| contents.token = None)
    }

    fn load_trusted_device(&self) -> Result<Option<TrustedDevice>, Error> {
        self.read(|contents| contents.trusted_device.clone())
    }

    fn save_trusted_device(&self, device: &TrustedDevice) -> Result<(), Error> {
        self.update(|contents| contents.trusted_device = Some(device.clone()))
    }

    fn clear_trusted_device(&self) -> Result<(), Error> {
        self.update(|contents| contents.trusted_device = None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_file_round_trips_and_refuses_a_wrong_passphrase() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token.json");
        let passphrase = Password::from("correct horse battery");
        let store = EncryptedFileStore::open(&path, &passphrase).expect("opens");
        assert_eq!(store.load().expect("loads"), None);
        store.save(&SessionToken::from("tok.sig")).expect("saves");
        let on_disk = std::fs::read_to_string(&path).expect("written");
        assert!(
            !on_disk.contains("tok.sig"),
            "the token is not stored in clear: {on_disk}"
        );

        let reopened = EncryptedFileStore::open(&path, &passphrase).expect("reopens");
        assert_eq!(reopened.load().expect("loads"), Some(SessionToken::from("tok.sig")));
        let wrong = EncryptedFileStore::open(&path, &Password::from("wrong passphrase"));
        assert!(matches!(wrong, Err(Error::Storage { message }) if message.contains("wrong passphrase")));
        assert!(EncryptedFileStore::open(&path, &Password::from("short")).is_err());

        reopened.clear().expect("clears");
        let cleared = EncryptedFileStore::open(&path, &passphrase).expect("reopens");
        assert_eq!(cleared.load().expect("loads"), None);

        std::fs::write(&path, "{not json").expect("damages");
        assert!(
            EncryptedFileStore::open(&path, &passphrase).is_err(),
            "a damaged file is an error"
        );
    }
}
