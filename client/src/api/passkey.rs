//! `client.passkey()`: `/passkey/*` (servers with the passkey plugin), and
//! `client.sign_in().passkey()`.
//!
//! Ceremonies run on the client's [`Authenticator`](crate::authenticator::Authenticator)
//! (the browser's on wasm; set one with `AuthClientBuilder::authenticator` on native).
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! use keyward_client::Error;
//! use keyward_client::authenticator::CeremonyError;
//!
//! // Signed in (recently: registration needs a fresh session):
//! let added = client.passkey().add_passkey().name("Work laptop").await?;
//! let passkeys = client.passkey().passkeys(); // reactive list, refreshed after changes
//! client.passkey().update(&added.passkey.id, "Old laptop").await?;
//! client.sign_out().await?;
//!
//! match client.sign_in().passkey().await {
//!     Ok(signed_in) => println!("hello {}", signed_in.user.name),
//!     Err(Error::Passkey(CeremonyError::Cancelled)) => println!("maybe later"),
//!     Err(other) => return Err(other),
//! }
//! # let _ = passkeys; Ok(()) }
//! ```

use std::sync::Arc;

use crate::api::query_string;
use crate::authenticator::{Authenticator, Mediation};
use crate::client::{AuthClient, into_future};
use crate::error::{Error, Result};
use crate::extension::StoreGroup;
use crate::query_store::{QueryHandle, QueryStore};
use crate::transport::BoxFuture;
use crate::wire::routes::Route;
use crate::wire::routes::passkey as route;
use crate::wire::{
    AuthenticatorAttachment, DeletePasskeyRequest, Passkey, RegisterOptionsQuery, SessionData, UpdatePasskeyRequest,
    VerifyAuthenticationRequest, VerifyRegistrationRequest, VerifyRegistrationResponse,
};

/// The `passkeys` store (better-auth's `$listPasskeys`), made on first use.
pub(crate) struct PasskeyStores {
    list: Arc<QueryStore<Vec<Passkey>>>,
}

impl PasskeyStores {
    fn new() -> Self {
        Self {
            list: Arc::new(QueryStore::new(route::ListUserPasskeys::PATH)),
        }
    }

    async fn refresh(&self, client: &AuthClient) {
        if self.list.is_mounted() {
            let _ = self.list.refetch(client).await;
        }
    }
}

impl StoreGroup for PasskeyStores {
    /// `$listPasskeys` is toggled by the passkey calls and sign-out only.
    fn after_session_change<'a>(&'a self, _client: &'a AuthClient) -> BoxFuture<'a, ()> {
        Box::pin(std::future::ready(()))
    }

    fn after_sign_out<'a>(&'a self, client: &'a AuthClient) -> BoxFuture<'a, ()> {
        Box::pin(self.refresh(client))
    }
}

/// The browser's WebAuthn on wasm builds with the `web` feature; none elsewhere.
fn platform_authenticator() -> Option<Arc<dyn Authenticator>> {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    {
        Some(Arc::new(crate::authenticator::BrowserAuthenticator))
    }
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    {
        None
    }
}

impl AuthClient {
    /// Passkey endpoints (servers with the passkey plugin).
    pub fn passkey(&self) -> PasskeyApi<'_> {
        PasskeyApi { client: self }
    }

    fn authenticator(&self) -> Result<Arc<dyn Authenticator>> {
        // The browser's is made here, not by the builder: an app without passkeys does
        // not carry the WebAuthn glue.
        let authenticator = self.inner.authenticator.clone().or_else(platform_authenticator);
        authenticator.ok_or_else(|| {
            Error::Passkey(crate::authenticator::CeremonyError::NotSupported(
                "no authenticator configured (AuthClientBuilder::authenticator)".into(),
            ))
        })
    }

    /// Refetches the passkey list, if someone uses it.
    pub(crate) async fn refresh_passkeys(&self) {
        if let Some(stores) = self.inner.passkeys.get() {
            stores.refresh(self).await;
        }
    }
}

/// The passkey endpoints.
#[derive(Clone, Copy, Debug)]
pub struct PasskeyApi<'a> {
    client: &'a AuthClient,
}

impl<'a> PasskeyApi<'a> {
    /// Registers a new passkey for the signed-in user: options from the server, the
    /// ceremony on the client's authenticator, then `verify-registration`.
    pub fn add_passkey(self) -> AddPasskey<'a> {
        AddPasskey {
            client: self.client,
            query: RegisterOptionsQuery::default(),
            name: None,
            create_session: None,
        }
    }

    /// `GET /passkey/list-user-passkeys`.
    pub async fn list(self) -> Result<Vec<Passkey>> {
        self.client.get_route::<route::ListUserPasskeys>(None).await
    }

    /// `POST /passkey/update-passkey`: renames a passkey.
    pub async fn update(self, id: &str, name: impl Into<String>) -> Result<Passkey> {
        let body = UpdatePasskeyRequest {
            id: id.to_owned(),
            name: name.into(),
        };
        let answer = self.client.post_route::<route::UpdatePasskey>(None, &body).await?;
        self.client.refresh_passkeys().await;
        Ok(answer.passkey)
    }

    /// `POST /passkey/delete-passkey`.
    pub async fn delete(self, id: &str) -> Result<()> {
        let body = DeletePasskeyRequest { id: id.to_owned() };
        self.client.post_route::<route::DeletePasskey>(None, &body).await?;
        self.client.refresh_passkeys().await;
        Ok(())
    }

    /// The signed-in user's passkeys as a reactive store (`useListPasskeys`), refetched
    /// after registration, rename, delete, sign-in and sign-out.
    pub fn passkeys(self) -> QueryHandle<Vec<Passkey>> {
        QueryHandle::new(
            self.client,
            &self
                .client
                .store_group(&self.client.inner.passkeys, PasskeyStores::new)
                .list,
        )
    }
}

/// Registers a passkey (`generate-register-options`, the ceremony, `verify-registration`).
#[derive(Debug)]
pub struct AddPasskey<'a> {
    client: &'a AuthClient,
    query: RegisterOptionsQuery,
    name: Option<String>,
    create_session: Option<bool>,
}

impl AddPasskey<'_> {
    /// A label for the passkey (also the account name the authenticator shows).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.query.name = Some(name.clone());
        self.name = Some(name);
        self
    }

    /// Ask for a platform or a roaming authenticator.
    pub fn authenticator_attachment(mut self, attachment: AuthenticatorAttachment) -> Self {
        self.query.authenticator_attachment = Some(attachment);
        self
    }

    /// Opaque context for the server's passkey-first registration hooks.
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.query.context = Some(context.into());
        self
    }

    /// Also sign in as the passkey's user (servers that register without a session).
    pub fn create_session(mut self) -> Self {
        self.create_session = Some(true);
        self
    }

    /// Runs the registration.
    pub async fn send(self) -> Result<VerifyRegistrationResponse> {
        let client = self.client;
        let authenticator = client.authenticator()?;
        let query = query_string(&self.query)?;
        let options = client.get_route::<route::GenerateRegisterOptions>(Some(&query)).await?;
        let response = authenticator.create(options).await.map_err(Error::Passkey)?;
        let body = VerifyRegistrationRequest {
            response: serde_json::to_value(&response).map_err(|e| Error::InvalidRequest { message: e.to_string() })?,
            name: self.name,
            create_session: self.create_session,
        };
        let answer = client.post_route::<route::VerifyRegistration>(None, &body).await?;
        client.refresh_passkeys().await;
        if answer.session.is_some() {
            let _ = crate::session_store::fetch(client, false).await;
        }
        Ok(answer)
    }
}

into_future!(AddPasskey, VerifyRegistrationResponse);

/// Signs in with a passkey (`generate-authenticate-options`, the ceremony,
/// `verify-authentication`).
#[derive(Debug)]
pub struct SignInPasskey<'a> {
    client: &'a AuthClient,
    mediation: Mediation,
}

impl<'a> crate::api::sign_in::SignIn<'a> {
    /// Signs in with a passkey. Without a session the ceremony is discoverable (the user
    /// picks an account on the authenticator); with one, it is limited to the user's
    /// passkeys (a step-up check).
    pub fn passkey(self) -> SignInPasskey<'a> {
        SignInPasskey {
            client: self.client(),
            mediation: Mediation::Required,
        }
    }
}

impl SignInPasskey<'_> {
    /// Offer passkeys in the browser's autofill (conditional UI) instead of a prompt; the
    /// call then waits until the user picks one.
    pub fn autofill(mut self) -> Self {
        self.mediation = Mediation::Conditional;
        self
    }

    /// Runs the sign-in.
    pub async fn send(self) -> Result<SessionData> {
        let client = self.client;
        let authenticator = client.authenticator()?;
        let options = client.get_route::<route::GenerateAuthenticateOptions>(None).await?;
        let response = authenticator
            .get(options, self.mediation)
            .await
            .map_err(Error::Passkey)?;
        let body = VerifyAuthenticationRequest {
            response: serde_json::to_value(&response).map_err(|e| Error::InvalidRequest { message: e.to_string() })?,
        };
        let signed_in = client.post_route::<route::VerifyAuthentication>(None, &body).await?;
        client.refresh_passkeys().await;
        let _ = crate::session_store::fetch(client, false).await;
        Ok(signed_in)
    }
}

into_future!(SignInPasskey, SessionData);
