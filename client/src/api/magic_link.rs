//! `client.magic_link()`: the magic-link plugin's `/sign-in/magic-link` and
//! `/magic-link/verify` (servers with better-auth's `magicLink` or Keyward's
//! `magic-link`).
//!
//! The server emails a link; whoever opens it is signed in as the address's owner (a
//! user is created on first use unless the server forbids it). A browser simply opens the
//! link. A native app that receives the link's token (a deep link, a pasted code) trades
//! it for a session itself:
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! client.magic_link().sign_in("ada@example.com").name("Ada").callback_url("myapp://signed-in").await?;
//! // … the user opens the link; the app gets its token …
//! let signed_in = client.magic_link().verify("token-from-the-link").await?;
//! println!("hello {}", signed_in.user.email);
//! assert!(client.session().get().is_signed_in());
//! # Ok(()) }
//! ```

use serde_json::{Map, Value};

use crate::client::{AuthClient, into_future};
use crate::error::{Error, Result};
use crate::wire::routes::{Route, magic_link as route};
use crate::wire::{MagicLinkError, MagicLinkToken, MagicLinkVerifyResponse, SignInMagicLinkRequest};

impl AuthClient {
    /// Magic-link endpoints.
    pub fn magic_link(&self) -> MagicLinkApi<'_> {
        MagicLinkApi { client: self }
    }
}

/// The magic-link endpoints.
#[derive(Clone, Copy, Debug)]
pub struct MagicLinkApi<'a> {
    client: &'a AuthClient,
}

impl<'a> MagicLinkApi<'a> {
    /// `POST /sign-in/magic-link`: asks the server to email a sign-in link to `email`.
    /// The answer is the same whether or not a user has the address; nothing about this
    /// client's session changes.
    pub fn sign_in(self, email: impl Into<String>) -> SignInMagicLink<'a> {
        SignInMagicLink {
            client: self.client,
            body: SignInMagicLinkRequest::new(email),
        }
    }

    /// `GET /magic-link/verify?token=…`: trades a link's token for a new session (once,
    /// within the link's lifetime) and signs this client in with it: the token is stored
    /// in bearer mode, the cookie kept in cookie mode, and the session store refreshed.
    /// A used, expired or unknown token is [`Error::MagicLink`] with
    /// [`MagicLinkError::InvalidToken`]; `new_user_signup_disabled` when the address has
    /// no user and the server does not create one.
    ///
    /// Native targets read the server's redirect; in a browser, open the link instead.
    pub async fn verify(self, token: impl Into<MagicLinkToken>) -> Result<MagicLinkVerifyResponse> {
        let token = token.into();
        let query = crate::api::user::form_query(&[("token", token.expose())]);
        let reply = self
            .client
            .send_raw(route::Verify::METHOD, route::Verify::PATH, Some(&query), None)
            .await?;
        if (300..400).contains(&reply.response.status) {
            return Err(redirect_error(reply.response.header("location").unwrap_or_default()));
        }
        let answer = crate::client::decode_route::<route::Verify>(&reply)?;
        let _ = self.client.refresh_session(false).await;
        Ok(answer)
    }
}

/// The error of a failed link's redirect (`…?error=CODE&error_description=…`).
fn redirect_error(location: &str) -> Error {
    let query = location.split_once('?').map(|(_, query)| query).unwrap_or_default();
    let query = query.split('#').next().unwrap_or_default();
    let mut error = None;
    let mut description = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "error" if error.is_none() => error = Some(value.into_owned()),
            "error_description" if description.is_none() => description = Some(value.into_owned()),
            _ => {}
        }
    }
    match error {
        Some(code) => Error::MagicLink {
            error: MagicLinkError::parse(&code),
            description,
        },
        None => Error::Decode {
            message: format!("{}: a redirect without an error to {location}", route::Verify::PATH),
            body: String::new(),
        },
    }
}

/// `POST /sign-in/magic-link`.
#[derive(Debug)]
pub struct SignInMagicLink<'a> {
    client: &'a AuthClient,
    body: SignInMagicLinkRequest,
}

impl SignInMagicLink<'_> {
    /// The display name of a user the link creates.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    /// Where the link leads after signing in (`/` by default); relative to the server or
    /// a trusted origin.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// Where the link leads a user it created.
    pub fn new_user_callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.new_user_callback_url = Some(url.into());
        self
    }

    /// Where the link leads when it fails (with `?error=CODE`).
    pub fn error_callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.error_callback_url = Some(url.into());
        self
    }

    /// Data for the server's link sender (never stored).
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<()> {
        self.client.post_route::<route::SignIn>(None, &self.body).await?;
        Ok(())
    }
}

into_future!(SignInMagicLink, ());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_links_become_typed_errors() {
        assert_eq!(
            redirect_error("http://localhost:3000/dash?error=INVALID_TOKEN"),
            Error::MagicLink {
                error: MagicLinkError::InvalidToken,
                description: None
            }
        );
        assert_eq!(
            redirect_error("/oops?from=x&error=BANNED_USER&error_description=You+are+banned#top"),
            Error::MagicLink {
                error: MagicLinkError::Other("BANNED_USER".into()),
                description: Some("You are banned".into())
            }
        );
        assert!(matches!(redirect_error("/dash"), Error::Decode { .. }));
    }
}
