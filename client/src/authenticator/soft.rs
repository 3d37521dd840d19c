//! A software authenticator for tests and development: 1Password's `passkey` crates
//! (a CTAP2 authenticator and a WebAuthn client) with passkeys kept in memory.

use std::sync::atomic::{AtomicBool, Ordering};

use passkey::authenticator::{
    Authenticator as CtapAuthenticator, CredentialStore, DiscoverabilitySupport, StoreInfo, UiHint, UserCheck,
    UserValidationMethod,
};
use passkey::client::{Client, DefaultClientData, WebauthnError};
use passkey::types::Passkey as StoredPasskey;
use passkey::types::ctap2::make_credential::{Options, PublicKeyCredentialRpEntity, PublicKeyCredentialUserEntity};
use passkey::types::ctap2::{Aaguid, Ctap2Error, StatusCode};
use passkey::types::webauthn::{CredentialCreationOptions, CredentialRequestOptions, PublicKeyCredentialDescriptor};
use url::Url;

use super::{Authenticator, CeremonyError, Mediation};
use crate::transport::BoxFuture;
use crate::wire::{AuthenticationResponse, CreationOptions, RegistrationResponse, RequestOptions};

/// Passkeys by credential id. Unlike the crate's `MemoryStore` it answers discoverable
/// requests (no allow list): every passkey of the RP with a user handle.
#[derive(Default)]
struct Store(std::collections::HashMap<Vec<u8>, StoredPasskey>);

#[async_trait::async_trait]
impl CredentialStore for Store {
    type PasskeyItem = StoredPasskey;

    async fn find_credentials(
        &self,
        ids: Option<&[PublicKeyCredentialDescriptor]>,
        rp_id: &str,
        _user_handle: Option<&[u8]>,
    ) -> Result<Vec<StoredPasskey>, StatusCode> {
        let found: Vec<StoredPasskey> = match ids.filter(|list| !list.is_empty()) {
            Some(list) => list
                .iter()
                .filter_map(|descriptor| self.0.get(&*descriptor.id))
                .filter(|passkey| passkey.rp_id == rp_id)
                .cloned()
                .collect(),
            None => self
                .0
                .values()
                .filter(|passkey| passkey.rp_id == rp_id && passkey.user_handle.is_some())
                .cloned()
                .collect(),
        };
        if found.is_empty() {
            Err(Ctap2Error::NoCredentials.into())
        } else {
            Ok(found)
        }
    }

    async fn save_credential(
        &mut self,
        passkey: StoredPasskey,
        _user: PublicKeyCredentialUserEntity,
        _rp: PublicKeyCredentialRpEntity,
        _options: Options,
    ) -> Result<(), StatusCode> {
        self.0.insert(passkey.credential_id.to_vec(), passkey);
        Ok(())
    }

    async fn update_credential(&mut self, passkey: &StoredPasskey) -> Result<(), StatusCode> {
        self.0.insert(passkey.credential_id.to_vec(), passkey.clone());
        Ok(())
    }

    async fn get_info(&self) -> StoreInfo {
        StoreInfo {
            discoverability: DiscoverabilitySupport::ForcedDiscoverable,
        }
    }
}
type Backend = passkey::crypto::AvailableBackend;
type SoftClient = Client<Store, Approval, Backend, public_suffix::PublicSuffixList, ()>;

/// The user's answer to every prompt: approve with presence and verification, or decline
/// once (to test cancellation).
struct Approval {
    decline_next: std::sync::Arc<AtomicBool>,
}

#[async_trait::async_trait]
impl UserValidationMethod for Approval {
    type PasskeyItem = StoredPasskey;

    async fn check_user<'a>(
        &self,
        hint: UiHint<'a, Self::PasskeyItem>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        if let UiHint::InformExcludedCredentialFound(_) = hint {
            return Err(Ctap2Error::CredentialExcluded);
        }
        if self.decline_next.swap(false, Ordering::AcqRel) {
            return Err(Ctap2Error::OperationDenied);
        }
        Ok(UserCheck { presence, verification })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

/// Software passkeys in memory, answering as a browser at `origin` would. Its signature
/// counter starts at 1 and rises with each sign-in.
///
/// ```
/// # async fn run() -> keyward_client::Result<()> {
/// use keyward_client::AuthClient;
/// use keyward_client::authenticator::SoftAuthenticator;
///
/// let origin = "http://localhost:3000";
/// let client = AuthClient::builder(origin.parse().unwrap())
///     .authenticator(SoftAuthenticator::new(origin.parse().unwrap()))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
pub struct SoftAuthenticator {
    origin: std::sync::Mutex<Url>,
    decline_next: std::sync::Arc<AtomicBool>,
    client: futures::lock::Mutex<SoftClient>,
}

impl std::fmt::Debug for SoftAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftAuthenticator")
            .field("origin", &self.origin().as_str())
            .finish_non_exhaustive()
    }
}

impl SoftAuthenticator {
    /// An authenticator without passkeys, for pages at `origin`. It creates keys of the
    /// first algorithm the server offers that it supports: EdDSA (Ed25519) with the
    /// options of better-auth and Keyward, which offer it first.
    pub fn new(origin: Url) -> Self {
        Self::build(origin, None)
    }

    /// Like [`SoftAuthenticator::new`], but it creates only ES256 (P-256) keys, as most
    /// platform authenticators do.
    pub fn es256_only(origin: Url) -> Self {
        Self::build(origin, Some(passkey::crypto::iana::Algorithm::ES256))
    }

    fn build(origin: Url, only: Option<passkey::crypto::iana::Algorithm>) -> Self {
        let decline_next = std::sync::Arc::new(AtomicBool::new(false));
        let approval = Approval {
            decline_next: decline_next.clone(),
        };
        let mut authenticator = CtapAuthenticator::new(
            Aaguid::new_empty(),
            Store::default(),
            approval,
            passkey::crypto::AvailableBackend,
        );
        authenticator.set_make_credentials_with_signature_counter(true);
        if let Some(algorithm) = only {
            // ES256 is supported by every backend, so this cannot fail.
            let _ = authenticator.set_algorithms(&[algorithm]);
        }
        let client = Client::new(authenticator).allows_insecure_localhost(true);
        Self {
            origin: std::sync::Mutex::new(origin),
            decline_next,
            client: futures::lock::Mutex::new(client),
        }
    }

    /// The origin it reports in client data.
    pub fn origin(&self) -> Url {
        self.origin
            .lock()
            .map(|o| o.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Reports `origin` from now on, as the same passkeys used from another page would.
    pub fn set_origin(&self, origin: Url) {
        match self.origin.lock() {
            Ok(mut current) => *current = origin,
            Err(poisoned) => *poisoned.into_inner() = origin,
        }
    }

    /// The user declines the next prompt (the ceremony fails with
    /// [`CeremonyError::Cancelled`]).
    pub fn decline_next_prompt(&self) {
        self.decline_next.store(true, Ordering::Release);
    }

    /// How many passkeys it holds.
    pub async fn passkey_count(&self) -> usize {
        self.client.lock().await.authenticator().store().0.len()
    }
}

fn ceremony_error(error: WebauthnError) -> CeremonyError {
    let excluded = u8::from(StatusCode::from(Ctap2Error::CredentialExcluded));
    let denied = u8::from(StatusCode::from(Ctap2Error::OperationDenied));
    match error {
        WebauthnError::AuthenticatorError(code) if code == excluded => CeremonyError::AlreadyRegistered,
        WebauthnError::AuthenticatorError(code) if code == denied => CeremonyError::Cancelled,
        WebauthnError::TimeoutError => CeremonyError::Cancelled,
        WebauthnError::NotSupportedError => CeremonyError::NotSupported("the software authenticator".into()),
        WebauthnError::CredentialNotFound => CeremonyError::Failed("no passkey for this site".into()),
        other => CeremonyError::Failed(format!("{other:?}")),
    }
}

/// Converts between the wire types and the `passkey` crate's by their shared JSON form.
fn convert<A: serde::Serialize, B: serde::de::DeserializeOwned>(value: &A) -> Result<B, CeremonyError> {
    let json = serde_json::to_value(value).map_err(|e| CeremonyError::Failed(e.to_string()))?;
    serde_json::from_value(json).map_err(|e| CeremonyError::Failed(e.to_string()))
}

impl Authenticator for SoftAuthenticator {
    fn create(&self, options: CreationOptions) -> BoxFuture<'_, Result<RegistrationResponse, CeremonyError>> {
        Box::pin(async move {
            let request: CredentialCreationOptions = convert(&serde_json::json!({ "publicKey": options }))?;
            let origin = self.origin();
            let mut client = self.client.lock().await;
            let created = client
                .register(&origin, request, DefaultClientData)
                .await
                .map_err(ceremony_error)?;
            convert(&created)
        })
    }

    fn get(
        &self,
        options: RequestOptions,
        _mediation: Mediation,
    ) -> BoxFuture<'_, Result<AuthenticationResponse, CeremonyError>> {
        Box::pin(async move {
            let request: CredentialRequestOptions = convert(&serde_json::json!({ "publicKey": options }))?;
            let origin = self.origin();
            let mut client = self.client.lock().await;
            let asserted = client
                .authenticate(&origin, request, DefaultClientData)
                .await
                .map_err(ceremony_error)?;
            convert(&asserted)
        })
    }
}
