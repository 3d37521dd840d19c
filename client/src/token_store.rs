//! Where the session token lives between runs.
//!
//! [`MemoryStore`] keeps it for the life of the process; `KeyringStore` (feature
//! `keyring`) keeps it in the OS keychain; `LocalStorageStore` (feature `web`) keeps it
//! in the browser's `localStorage`.

use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::transport::MaybeSync;
use crate::wire::{SessionToken, TrustedDevice};

/// Persists the session token, and the two-factor plugin's trusted-device cookie.
pub trait TokenStore: MaybeSync {
    /// The stored token, if any.
    fn load(&self) -> Result<Option<SessionToken>>;
    /// Stores (replaces) the token.
    fn save(&self, token: &SessionToken) -> Result<()>;
    /// Forgets the token.
    fn clear(&self) -> Result<()>;

    /// The stored trusted-device cookie, if any. Stores that keep none (the default)
    /// remember a trusted device only for the life of the client; browsers keep the
    /// cookie themselves.
    fn load_trusted_device(&self) -> Result<Option<TrustedDevice>> {
        Ok(None)
    }
    /// Stores (replaces) the trusted-device cookie.
    fn save_trusted_device(&self, _device: &TrustedDevice) -> Result<()> {
        Ok(())
    }
    /// Forgets the trusted-device cookie.
    fn clear_trusted_device(&self) -> Result<()> {
        Ok(())
    }
}

/// Keeps the token in process memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    token: Mutex<Option<SessionToken>>,
    trusted_device: Mutex<Option<TrustedDevice>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

fn poisoned<T>(_: T) -> Error {
    Error::Storage {
        message: "token store lock poisoned".into(),
    }
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<SessionToken>> {
        Ok(self.token.lock().map_err(poisoned)?.clone())
    }

    fn save(&self, token: &SessionToken) -> Result<()> {
        *self.token.lock().map_err(poisoned)? = Some(token.clone());
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        *self.token.lock().map_err(poisoned)? = None;
        Ok(())
    }

    fn load_trusted_device(&self) -> Result<Option<TrustedDevice>> {
        Ok(self.trusted_device.lock().map_err(poisoned)?.clone())
    }

    fn save_trusted_device(&self, device: &TrustedDevice) -> Result<()> {
        *self.trusted_device.lock().map_err(poisoned)? = Some(device.clone());
        Ok(())
    }

    fn clear_trusted_device(&self) -> Result<()> {
        *self.trusted_device.lock().map_err(poisoned)? = None;
        Ok(())
    }
}

#[cfg(all(feature = "keyring", not(target_arch = "wasm32")))]
pub use self::keychain::{KeyringBackend, KeyringStore};

#[cfg(all(feature = "keyring", not(target_arch = "wasm32")))]
mod keychain {
    use keyring::credential::CredentialPersistence;
    use keyring::{CredentialBuilder, Entry};

    use super::TokenStore;
    use crate::error::{Error, Result};
    use crate::wire::{SessionToken, TrustedDevice};

    /// Which keychain to use.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum KeyringBackend {
        /// The platform default: macOS Keychain, Windows Credential Manager, and on Linux
        /// the Secret Service (GNOME Keyring, KWallet).
        Default,
        /// Linux: the kernel keyring (keyutils), in the session keyring.
        #[cfg(target_os = "linux")]
        KernelKeyring,
        /// Linux: the Secret Service over D-Bus (GNOME Keyring, KWallet), persistent.
        #[cfg(target_os = "linux")]
        SecretService,
    }

    /// Keeps the token in the OS keychain (and a trusted-device cookie in a second entry,
    /// `<account>#trust_device`). Where no persistent keychain is available it fails with
    /// [`Error::Storage`]; it never falls back to a store that forgets.
    pub struct KeyringStore {
        entry: Entry,
        trust_entry: Entry,
        description: String,
    }

    impl std::fmt::Debug for KeyringStore {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("KeyringStore")
                .field("entry", &self.description)
                .finish()
        }
    }

    fn storage_error(what: &str, error: keyring::Error) -> Error {
        let hint = match &error {
            keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
                " (is a keychain running and unlocked? On Linux: a Secret Service such as gnome-keyring on the session D-Bus, or a session keyring for keyutils)"
            }
            _ => "",
        };
        Error::Storage {
            message: format!("{what}: {error}{hint}"),
        }
    }

    fn builder(backend: KeyringBackend) -> Box<CredentialBuilder> {
        match backend {
            KeyringBackend::Default => keyring::default::default_credential_builder(),
            #[cfg(target_os = "linux")]
            KeyringBackend::KernelKeyring => keyring::keyutils::default_credential_builder(),
            #[cfg(target_os = "linux")]
            KeyringBackend::SecretService => keyring::secret_service::default_credential_builder(),
        }
    }

    impl KeyringStore {
        /// The token of `account` for the app `service` (for example your app's bundle id
        /// and the server URL), in the platform's default keychain.
        pub fn new(service: &str, account: &str) -> Result<Self> {
            Self::with_backend(KeyringBackend::Default, service, account)
        }

        /// The same, in a chosen keychain.
        pub fn with_backend(backend: KeyringBackend, service: &str, account: &str) -> Result<Self> {
            let builder = builder(backend);
            if matches!(
                builder.persistence(),
                CredentialPersistence::EntryOnly | CredentialPersistence::ProcessOnly
            ) {
                return Err(Error::Storage {
                    message: "no persistent OS keychain is available on this platform".into(),
                });
            }
            let credential = builder
                .build(None, service, account)
                .map_err(|e| storage_error("opening the keychain entry", e))?;
            let trust_credential = builder
                .build(None, service, &format!("{account}#trust_device"))
                .map_err(|e| storage_error("opening the keychain entry", e))?;
            Ok(Self {
                entry: Entry::new_with_credential(credential),
                trust_entry: Entry::new_with_credential(trust_credential),
                description: format!("{backend:?}:{service}/{account}"),
            })
        }
    }

    impl TokenStore for KeyringStore {
        fn load(&self) -> Result<Option<SessionToken>> {
            match self.entry.get_password() {
                Ok(token) => Ok(Some(SessionToken::new(token))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(error) => Err(storage_error("reading the token from the keychain", error)),
            }
        }

        fn save(&self, token: &SessionToken) -> Result<()> {
            self.entry
                .set_password(token.expose())
                .map_err(|e| storage_error("writing the token to the keychain", e))
        }

        fn clear(&self) -> Result<()> {
            match self.entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(error) => Err(storage_error("deleting the token from the keychain", error)),
            }
        }

        fn load_trusted_device(&self) -> Result<Option<TrustedDevice>> {
            match self.trust_entry.get_password() {
                Ok(cookie) => Ok(Some(TrustedDevice::new(cookie))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(error) => Err(storage_error("reading the trusted device from the keychain", error)),
            }
        }

        fn save_trusted_device(&self, device: &TrustedDevice) -> Result<()> {
            self.trust_entry
                .set_password(device.expose())
                .map_err(|e| storage_error("writing the trusted device to the keychain", e))
        }

        fn clear_trusted_device(&self) -> Result<()> {
            match self.trust_entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(error) => Err(storage_error("deleting the trusted device from the keychain", error)),
            }
        }
    }
}

#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub use self::browser::LocalStorageStore;

#[cfg(all(feature = "web", target_arch = "wasm32"))]
mod browser {
    use gloo_storage::{LocalStorage, Storage};

    use super::TokenStore;
    use crate::error::{Error, Result};
    use crate::wire::SessionToken;

    /// Keeps the token in the browser's `localStorage` under `key`.
    #[derive(Clone, Debug)]
    pub struct LocalStorageStore {
        key: String,
    }

    impl LocalStorageStore {
        /// A store under `key` (for example `"keyward.session_token"`).
        pub fn new(key: impl Into<String>) -> Self {
            Self { key: key.into() }
        }
    }

    impl Default for LocalStorageStore {
        fn default() -> Self {
            Self::new("keyward.session_token")
        }
    }

    impl TokenStore for LocalStorageStore {
        fn load(&self) -> Result<Option<SessionToken>> {
            match LocalStorage::raw().get_item(&self.key) {
                Ok(value) => Ok(value.map(SessionToken::new)),
                Err(_) => Err(Error::Storage {
                    message: "localStorage is not available".into(),
                }),
            }
        }

        fn save(&self, token: &SessionToken) -> Result<()> {
            LocalStorage::raw()
                .set_item(&self.key, token.expose())
                .map_err(|_| Error::Storage {
                    message: "localStorage refused the write (quota or privacy mode)".into(),
                })
        }

        fn clear(&self) -> Result<()> {
            LocalStorage::delete(&self.key);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trip() {
        let store = MemoryStore::new();
        assert_eq!(store.load().expect("loads"), None);
        store.save(&SessionToken::new("abc")).expect("saves");
        assert_eq!(store.load().expect("loads"), Some(SessionToken::new("abc")));
        store.clear().expect("clears");
        assert_eq!(store.load().expect("loads"), None);
    }
}
