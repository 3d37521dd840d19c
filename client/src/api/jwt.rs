//! `client.jwt()`: the jwt plugin's `/token` and `/jwks` (servers with better-auth's
//! `jwt` or Keyward's `jwt`), and the newest `set-auth-jwt` token as a signal.
//!
//! The server signs a short-lived JSON Web Token for the session; the app sends it to its
//! other services, which check it against `/jwks` (Keyward's verifier does). Every
//! `/get-session` answer carries a fresh one in `set-auth-jwt`, so a client whose session
//! store refreshes always has a token at hand:
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! use futures_signals::signal::SignalExt;
//!
//! let token = client.jwt().token().await?; // GET /token
//! println!("Authorization: Bearer {}", token.expose());
//! let keys = client.jwt().jwks().await?; // what services verify with
//! assert!(!keys.keys.is_empty());
//! // Or follow the header of every get-session (the session store's refreshes):
//! let latest = client.jwt().latest(); // Option<JsonWebToken>
//! let _changes = client.jwt().signal().to_stream();
//! # let _ = latest; Ok(()) }
//! ```

use futures_signals::signal::{Signal, SignalExt};

use crate::client::AuthClient;
use crate::error::Result;
use crate::wire::routes::jwt as route;
use crate::wire::{JsonWebKeySet, JsonWebToken};

impl AuthClient {
    /// The jwt plugin's endpoints and token signal.
    pub fn jwt(&self) -> JwtApi<'_> {
        JwtApi { client: self }
    }
}

/// The jwt plugin's endpoints and token signal.
#[derive(Clone, Copy, Debug)]
pub struct JwtApi<'a> {
    client: &'a AuthClient,
}

impl JwtApi<'_> {
    /// `GET /token`: a token for this client's session (`401` when signed out). It is
    /// also the newest token of [`JwtApi::signal`].
    pub async fn token(self) -> Result<JsonWebToken> {
        let answer = self.client.get_route::<route::Token>(None).await?;
        self.client.inner.jwt.set(Some(answer.token.clone()));
        Ok(answer.token)
    }

    /// `GET /jwks`: the public keys that sign the tokens.
    pub async fn jwks(self) -> Result<JsonWebKeySet> {
        self.client.get_route::<route::Jwks>(None).await
    }

    /// The newest token the server sent (`set-auth-jwt` on `/get-session`, or
    /// [`JwtApi::token`]); `None` before the first and after sign-out.
    pub fn latest(self) -> Option<JsonWebToken> {
        self.client.inner.jwt.get_cloned()
    }

    /// [`JwtApi::latest`] as a signal, for a web app that calls its other services with
    /// a fresh token.
    pub fn signal(self) -> impl Signal<Item = Option<JsonWebToken>> + use<> {
        self.client.inner.jwt.signal_cloned().dedupe_cloned()
    }
}
