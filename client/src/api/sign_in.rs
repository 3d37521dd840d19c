//! `client.sign_in()`: `POST /sign-in/email` and `POST /sign-in/social`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! use keyward_client::wire::SignInOutcome;
//! match client.sign_in().email("ada@example.com", "correct-horse-battery").await? {
//!     SignInOutcome::SignedIn(signed_in) => println!("hello {}", signed_in.user.name),
//!     SignInOutcome::TwoFactorRequired(challenge) => {
//!         // see `client.two_factor()`: verify_totp, verify_otp, verify_backup_code
//!         println!("second factor needed: {:?}", challenge.two_factor_methods);
//!     }
//! }
//! // Or, where a challenge is handled elsewhere (`on_two_factor_required`):
//! let signed_in = client.sign_in().email("ada@example.com", "correct-horse-battery").await?.into_signed_in()?;
//! // A native app opens the provider's page in the system browser:
//! let redirect = client.sign_in().social("github").callback_url("myapp://signed-in").await?;
//! println!("open {}", redirect.url);
//! // Or with the ID token a native SDK (Sign in with Apple, Google) produced:
//! use keyward_client::wire::IdTokenCredential;
//! let signed_in = client.sign_in().social("apple").id_token(IdTokenCredential::new("eyJ…")).await?;
//! println!("hello {}", signed_in.user.name);
//! # Ok(()) }
//! ```

use serde_json::{Map, Value};

use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::routes::{self as route, Route};
use crate::wire::{
    IdTokenCredential, Password, SignInEmailRequest, SignInOutcome, SignInResponse, SignInSocialRequest,
    SocialRedirect, SocialSignInOutcome,
};

/// The sign-in endpoints.
#[derive(Clone, Copy, Debug)]
pub struct SignIn<'a> {
    client: &'a AuthClient,
}

impl AuthClient {
    /// Sign-in endpoints.
    pub fn sign_in(&self) -> SignIn<'_> {
        SignIn { client: self }
    }
}

impl<'a> SignIn<'a> {
    pub(crate) fn client(self) -> &'a AuthClient {
        self.client
    }

    /// Signs in with email and password.
    pub fn email(self, email: impl Into<String>, password: impl Into<Password>) -> SignInEmail<'a> {
        SignInEmail {
            client: self.client,
            body: SignInEmailRequest {
                email: email.into(),
                password: password.into(),
                callback_url: None,
                remember_me: None,
            },
        }
    }

    /// Starts an OAuth sign-in with `provider` (`github`, `google`, …) and returns the
    /// provider URL to open. Redirects are off by default: a native app opens the URL
    /// itself, in the system browser.
    pub fn social(self, provider: impl Into<String>) -> SignInSocial<'a> {
        SignInSocial {
            client: self.client,
            body: SignInSocialRequest {
                provider: provider.into(),
                disable_redirect: Some(true),
                ..Default::default()
            },
        }
    }
}

/// `POST /sign-in/email`.
#[derive(Debug)]
pub struct SignInEmail<'a> {
    client: &'a AuthClient,
    body: SignInEmailRequest,
}

impl SignInEmail<'_> {
    /// Returned as `url` (with `redirect: true`).
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// `false`: the session ends with the browser session (one day at most).
    pub fn remember_me(mut self, remember: bool) -> Self {
        self.body.remember_me = Some(remember);
        self
    }

    /// Sends it. When the account needs a second factor, the answer is
    /// [`SignInOutcome::TwoFactorRequired`]: the client keeps the challenge for
    /// [`client.two_factor()`](crate::api::two_factor::TwoFactorApi) and calls the
    /// `on_two_factor_required` handler. Otherwise the token is stored. Either way the
    /// session store is refreshed.
    pub async fn send(self) -> Result<SignInOutcome> {
        let reply = self.client.post_route_reply::<route::SignInEmail>(&self.body).await?;
        let outcome = crate::client::decode_route::<route::SignInEmail>(&reply)?;
        self.client.finish_sign_in(&reply, &outcome).await?;
        Ok(outcome)
    }
}

into_future!(SignInEmail, SignInOutcome);

/// `POST /sign-in/social` (redirect flow).
#[derive(Debug)]
pub struct SignInSocial<'a> {
    client: &'a AuthClient,
    body: SignInSocialRequest,
}

impl<'a> SignInSocial<'a> {
    /// The client and the provider's id, for flows that start the sign-in elsewhere.
    #[cfg(all(feature = "system-browser", not(target_arch = "wasm32")))]
    pub(crate) fn into_provider(self) -> (&'a AuthClient, String) {
        (self.client, self.body.provider)
    }

    /// Where to land after signing in (an app URL such as `myapp://cb` must be trusted).
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// Where to land after signing up.
    pub fn new_user_callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.new_user_callback_url = Some(url.into());
        self
    }

    /// Where to land on failure.
    pub fn error_callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.error_callback_url = Some(url.into());
        self
    }

    /// Scopes to request instead of the provider's defaults.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.body.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Login hint passed to the provider.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.body.login_hint = Some(hint.into());
        self
    }

    /// Ask for sign-up where the provider disables implicit sign-up.
    pub fn request_sign_up(mut self) -> Self {
        self.body.request_sign_up = Some(true);
        self
    }

    /// Let the server answer with a `Location` redirect (for browser apps).
    pub fn allow_redirect(mut self) -> Self {
        self.body.disable_redirect = None;
        self
    }

    /// Data carried through the OAuth state.
    pub fn additional_data(mut self, data: Map<String, Value>) -> Self {
        self.body.additional_data = Some(data);
        self
    }

    /// An extra parameter of the provider's authorization URL (`prompt`, `hd` …; the
    /// server refuses the reserved OAuth ones).
    pub fn authorization_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.body
            .additional_params
            .get_or_insert_with(Default::default)
            .insert(name.into(), value.into());
        self
    }

    /// In a browser: asks for the provider URL and sends the page there, as better-auth's
    /// client does; the provider sends the browser back to `callback_url` (or
    /// `error_callback_url?error=…`, see [`social_error`]).
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    pub async fn navigate(self) -> Result<()> {
        let redirect = self.send().await?;
        crate::web::navigate(&redirect.url)
    }

    /// Signs in with an ID token from the provider's native SDK instead of a redirect.
    pub fn id_token(mut self, credential: IdTokenCredential) -> SignInIdToken<'a> {
        self.body.id_token = Some(credential);
        self.body.disable_redirect = None;
        SignInIdToken {
            client: self.client,
            body: self.body,
        }
    }

    /// Sends it and returns the provider URL.
    pub async fn send(self) -> Result<SocialRedirect> {
        let outcome = self.client.post_route::<route::SignInSocial>(None, &self.body).await?;
        match outcome {
            SocialSignInOutcome::Redirect(redirect) => Ok(redirect),
            SocialSignInOutcome::SignedIn(_) => Err(crate::error::Error::Decode {
                message: format!(
                    "{}: a session where a provider URL was expected",
                    route::SignInSocial::PATH
                ),
                body: String::new(),
            }),
        }
    }
}

into_future!(SignInSocial, SocialRedirect);

/// In a browser: the error a social sign-in or link flow came back with, from the current
/// page's `?error=` (on the `errorCallbackURL`).
#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub fn social_error() -> Option<crate::wire::SocialErrorCode> {
    crate::wire::SocialErrorCode::from_query(&crate::web::current_query()?)
}

/// `POST /sign-in/social` with an ID token: a session, as an email sign-in gives.
#[derive(Debug)]
pub struct SignInIdToken<'a> {
    client: &'a AuthClient,
    body: SignInSocialRequest,
}

impl SignInIdToken<'_> {
    /// Create the user where the provider allows sign-up only on request.
    pub fn request_sign_up(mut self) -> Self {
        self.body.request_sign_up = Some(true);
        self
    }

    /// Sends it; the token is stored and the session store refreshed.
    pub async fn send(self) -> Result<SignInResponse> {
        let reply = self.client.post_route_reply::<route::SignInSocial>(&self.body).await?;
        // With an ID token the answer is always a session (`SocialSignInOutcome::SignedIn`).
        let response: SignInResponse = crate::client::decode(route::SignInSocial::PATH, &reply)?;
        self.client.keep_token_of(&reply, &response.token)?;
        let _ = self.client.refresh_session(false).await;
        Ok(response)
    }
}

into_future!(SignInIdToken, SignInResponse);
