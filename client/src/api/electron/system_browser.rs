//! `client.sign_in().social(provider).in_system_browser()`: a native app's social sign-in
//! through the user's default browser (RFC 8252), on the electron plugin's protocol.
//!
//! The app makes a state and a PKCE verifier, opens
//! `/electron/init-oauth-proxy?provider=…&client_id=…&state=…&code_challenge=…&redirect_uri=…`
//! in the browser and waits. With a loopback redirect it listens on
//! `http://127.0.0.1:<port>/callback` until the browser brings the code; with a deep link
//! the app hands the URL it was opened with to [`PendingBrowserSignIn::complete`]. The code
//! is then traded, with the verifier, for a session of the app's own.
//!
//! `redirect_uri` is Keyward's extension: Keyward's server sends the browser straight to
//! it. better-auth's plugin ignores it and sets its `<prefix>.electron` cookie instead,
//! which a page of the web app (`electronProxyClient`'s `ensureElectronRedirect`) turns
//! into the deep link `<scheme>:/auth/callback#token=…`: against better-auth a desktop
//! app uses [`SystemBrowserSignIn::deep_link`], and [`PendingBrowserSignIn::complete`]
//! reads either form.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::BoxFuture;
use hyper::StatusCode;
use sha2::{Digest, Sha256};
use url::Url;

use super::loopback::{Loopback, Page, Verdict};
use super::opener::{BrowserOpener, SystemBrowser};
use crate::api::sign_in::SignInSocial;
use crate::client::AuthClient;
use crate::error::{BrowserSignInError, Error, Result};
use crate::wire::routes::{Route, electron as route};
use crate::wire::{
    DEFAULT_ELECTRON_CLIENT_ID, ElectronCode, ElectronInitOAuthProxyQuery, ElectronTransfer, PkceVerifier, SessionData,
};

/// How long a sign-in waits for the browser unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Where the browser brings the code back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserRedirect {
    /// `http://127.0.0.1:<a free port><path>`, served by the app while it waits (Keyward).
    Loopback {
        /// The callback path (`/callback`).
        path: String,
    },
    /// A deep link the app is registered for (`com.example.app:/auth/callback`): Keyward
    /// sends the browser there when the server allows the scheme, better-auth through the
    /// web app's page.
    DeepLink(Url),
}

impl<'a> SignInSocial<'a> {
    /// Signs in with this provider through the user's default browser instead of a
    /// redirect of the app's own pages: see [`SystemBrowserSignIn`]. Only the provider is
    /// carried over (the electron protocol starts the provider's sign-in with its defaults).
    pub fn in_system_browser(self) -> SystemBrowserSignIn<'a> {
        let (client, provider) = self.into_provider();
        SystemBrowserSignIn {
            client,
            provider,
            client_id: DEFAULT_ELECTRON_CLIENT_ID.to_owned(),
            redirect: BrowserRedirect::Loopback {
                path: "/callback".to_owned(),
            },
            timeout: DEFAULT_TIMEOUT,
            opener: Arc::new(SystemBrowser),
            cancel: None,
        }
    }
}

/// A social sign-in through the system browser. Await it (loopback) or call
/// [`start`](Self::start) (deep link).
///
/// On success the session's token is in the client's token store and the session store
/// is refreshed. It fails with [`Error::BrowserSignIn`]: [`BrowserSignInError::TimedOut`]
/// when nothing came back in time, [`BrowserSignInError::Cancelled`] when the app's
/// cancel signal fired, [`BrowserSignInError::Refused`] when the provider or server said
/// no. The loopback listener is closed however it ends.
pub struct SystemBrowserSignIn<'a> {
    client: &'a AuthClient,
    provider: String,
    client_id: String,
    redirect: BrowserRedirect,
    timeout: Duration,
    opener: Arc<dyn BrowserOpener>,
    cancel: Option<BoxFuture<'static, ()>>,
}

impl std::fmt::Debug for SystemBrowserSignIn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemBrowserSignIn")
            .field("provider", &self.provider)
            .field("client_id", &self.client_id)
            .field("redirect", &self.redirect)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<'a> SystemBrowserSignIn<'a> {
    /// The client id the server's plugin answers to (`electron` by default).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// The loopback callback's path (`/callback` by default).
    pub fn loopback_path(mut self, path: impl Into<String>) -> Self {
        self.redirect = BrowserRedirect::Loopback { path: path.into() };
        self
    }

    /// Comes back through the deep link `url` instead of a loopback listener; use
    /// [`start`](Self::start) and give the link the app receives to
    /// [`PendingBrowserSignIn::complete`].
    pub fn deep_link(mut self, url: Url) -> Self {
        self.redirect = BrowserRedirect::DeepLink(url);
        self
    }

    /// How long to wait for the browser (five minutes by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Opens the browser with `opener` instead of the system's default browser.
    pub fn open_with(mut self, opener: impl BrowserOpener) -> Self {
        self.opener = Arc::new(opener);
        self
    }

    /// Ends the wait with [`BrowserSignInError::Cancelled`] when `signal` completes (the
    /// app's Cancel button).
    pub fn cancel_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.cancel = Some(Box::pin(signal));
        self
    }

    /// Opens the browser for a deep-link sign-in and returns what completes it. With a
    /// loopback redirect, await the builder instead.
    pub fn start(self) -> Result<PendingBrowserSignIn> {
        let redirect_uri = match &self.redirect {
            BrowserRedirect::DeepLink(url) => url.clone(),
            BrowserRedirect::Loopback { .. } => {
                return Err(Error::InvalidRequest {
                    message: "start() is for deep links; await a loopback sign-in".into(),
                });
            }
        };
        let pending = PendingBrowserSignIn::new(self.client, &self.provider, &self.client_id, &redirect_uri)?;
        self.opener.open(&pending.url).map_err(open_failed)?;
        Ok(pending)
    }

    /// Runs a loopback sign-in: listens, opens the browser, waits for the code and trades
    /// it for a session.
    pub async fn send(self) -> Result<SessionData> {
        let path = match &self.redirect {
            BrowserRedirect::Loopback { path } => path.clone(),
            BrowserRedirect::DeepLink(_) => {
                return Err(Error::InvalidRequest {
                    message: "a deep-link sign-in is completed with start() and complete()".into(),
                });
            }
        };
        let loopback = Loopback::bind(&path).await?;
        let pending = PendingBrowserSignIn::new(self.client, &self.provider, &self.client_id, loopback.redirect_uri())?;
        self.opener.open(&pending.url).map_err(open_failed)?;
        let wait = loopback.serve(|query| pending.judge(query));
        let cancel = self.cancel.unwrap_or_else(|| Box::pin(futures::future::pending()));
        tokio::select! {
            outcome = tokio::time::timeout(self.timeout, wait) => {
                outcome.map_err(|_| Error::from(BrowserSignInError::TimedOut))?
            }
            () = cancel => Err(BrowserSignInError::Cancelled.into()),
        }
    }
}

impl<'a> std::future::IntoFuture for SystemBrowserSignIn<'a> {
    type Output = Result<SessionData>;
    type IntoFuture = crate::transport::BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

fn open_failed(message: String) -> Error {
    BrowserSignInError::OpenBrowser { message }.into()
}

/// A started system-browser sign-in: its state and verifier, until the code comes back.
pub struct PendingBrowserSignIn {
    client: AuthClient,
    state: String,
    verifier: PkceVerifier,
    url: Url,
}

impl std::fmt::Debug for PendingBrowserSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingBrowserSignIn")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

impl PendingBrowserSignIn {
    fn new(client: &AuthClient, provider: &str, client_id: &str, redirect_uri: &Url) -> Result<Self> {
        let state = random_base64url::<16>()?;
        let verifier = PkceVerifier::new(random_base64url::<32>()?);
        let query = ElectronInitOAuthProxyQuery {
            provider: provider.to_owned(),
            client_id: client_id.to_owned(),
            state: state.clone(),
            code_challenge: code_challenge(&verifier),
            redirect_uri: Some(redirect_uri.to_string()),
        };
        let mut url = client.endpoint().clone();
        let path = format!(
            "{}{}",
            url.path().trim_end_matches('/'),
            <route::InitOAuthProxy as Route>::PATH
        );
        url.set_path(&path);
        url.set_query(Some(&crate::api::query_string(&query)?));
        Ok(Self {
            client: client.clone(),
            state,
            verifier,
            url,
        })
    }

    /// The URL the browser was sent to (show it for the user to open by hand when the
    /// browser did not start).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Completes the sign-in with the link the browser came back with: a deep link
    /// `<scheme>:/auth/callback#token=…` (better-auth's page, or Keyward), or a URL with
    /// `?electron_authorization_code=…&state=…` or `?error=…&state=…` (Keyward). A link of
    /// another sign-in is refused with [`BrowserSignInError::InvalidCallback`] and sends
    /// nothing to the server: the sign-in can still be completed with its own link.
    pub async fn complete(&self, link: &str) -> Result<SessionData> {
        let code = self.code_from_link(link)?;
        self.client.electron().token(code, &self.state, &self.verifier).await
    }

    /// Completes the sign-in with a transfer value alone (the `#token=` of a deep link, or
    /// the `<prefix>.electron` cookie's value, pasted by the user).
    pub async fn complete_with_transfer(&self, transfer: &str) -> Result<SessionData> {
        let code = self.code_from_transfer(transfer)?;
        self.client.electron().token(code, &self.state, &self.verifier).await
    }

    fn code_from_link(&self, link: &str) -> Result<ElectronCode> {
        let url = Url::parse(link).map_err(|error| invalid(format!("not a URL: {error}")))?;
        if let Some(token) = url.fragment().and_then(|fragment| fragment.strip_prefix("token=")) {
            return self.code_from_transfer(token);
        }
        let query: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        self.code_from_query(&query)
    }

    fn code_from_transfer(&self, transfer: &str) -> Result<ElectronCode> {
        let transfer =
            ElectronTransfer::decode(transfer).ok_or_else(|| invalid("an unreadable transfer token".into()))?;
        self.check_state(&transfer.state)?;
        Ok(transfer.identifier)
    }

    fn code_from_query(&self, query: &[(String, String)]) -> Result<ElectronCode> {
        let get = |name: &str| {
            query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        self.check_state(get("state").unwrap_or_default())?;
        if let Some(error) = get("error") {
            return Err(BrowserSignInError::Refused {
                error: error.to_owned(),
            }
            .into());
        }
        get("electron_authorization_code")
            .filter(|code| !code.is_empty())
            .map(ElectronCode::from)
            .ok_or_else(|| invalid("no electron_authorization_code".into()))
    }

    fn check_state(&self, state: &str) -> Result<()> {
        if crate::wire::secret::constant_time_eq(state.as_bytes(), self.state.as_bytes()) {
            Ok(())
        } else {
            Err(invalid("the state is not this sign-in's".into()))
        }
    }

    /// The loopback's answer to a callback request.
    async fn judge(&self, query: Vec<(String, String)>) -> Verdict<Result<SessionData>> {
        let code = match self.code_from_query(&query) {
            Ok(code) => code,
            Err(Error::BrowserSignIn(BrowserSignInError::InvalidCallback { message })) => {
                return Verdict::Ignore(Page {
                    status: StatusCode::BAD_REQUEST,
                    title: "Not this app's sign-in",
                    detail: message,
                });
            }
            Err(error) => {
                let page = Page {
                    status: StatusCode::OK,
                    title: "Sign-in failed",
                    detail: format!("{error}. Return to the app to try again."),
                };
                return Verdict::Done(page, Err(error));
            }
        };
        let outcome = self.client.electron().token(code, &self.state, &self.verifier).await;
        let page = match &outcome {
            Ok(data) => Page {
                status: StatusCode::OK,
                title: "Signed in",
                detail: format!("Signed in as {}. You can close this window.", data.user.email),
            },
            Err(error) => Page {
                status: StatusCode::OK,
                title: "Sign-in failed",
                detail: format!("{error}. Return to the app to try again."),
            },
        };
        Verdict::Done(page, outcome)
    }
}

fn invalid(message: String) -> Error {
    BrowserSignInError::InvalidCallback { message }.into()
}

/// `N` random bytes from the OS, base64url without padding (a 16-byte state, a 32-byte
/// PKCE verifier of 43 characters as RFC 7636 asks).
fn random_base64url<const N: usize>() -> Result<String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| Error::InvalidRequest {
        message: format!("no randomness: {error}"),
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The S256 challenge of `verifier`: `base64url(SHA-256(verifier))` without padding.
fn code_challenge(verifier: &PkceVerifier) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s_s256() {
        // RFC 7636, appendix B.
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(code_challenge(&verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let made = random_base64url::<32>().expect("random");
        assert_eq!(made.len(), 43);
        assert_ne!(made, random_base64url::<32>().expect("random"));
    }
}
