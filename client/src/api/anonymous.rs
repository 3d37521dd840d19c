//! `client.anonymous()` and `client.sign_in().anonymous()`: the anonymous plugin's
//! `/sign-in/anonymous` and `/delete-anonymous-user` (servers with better-auth's
//! `anonymous` or Keyward's).
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! // A guest: a real user without credentials, `isAnonymous` set.
//! let guest = client.sign_in().anonymous().await?;
//! assert!(guest.user.is_anonymous());
//! // Signing up (or in) later from this session links the guest to the account and the
//! // server deletes the guest (its `onLinkAccount` moves what the guest owned).
//! client.sign_up().email("Ada", "ada@example.com", "correct-horse-battery").await?;
//! // Or a guest who leaves deletes themselves:
//! # let _ = client.anonymous().delete_anonymous_user().await;
//! # Ok(()) }
//! ```
//!
//! Failures are [`Error::Api`](crate::Error::Api) with the plugin's codes:
//! `ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY`, `INVALID_EMAIL_FORMAT`,
//! `DELETE_ANONYMOUS_USER_DISABLED` (400), `USER_IS_NOT_ANONYMOUS` (403),
//! `FAILED_TO_CREATE_USER`, `FAILED_TO_DELETE_ANONYMOUS_USER` (500).

use crate::api::sign_in::SignIn;
use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::session_store::SessionEvent;
use crate::wire::routes::anonymous as route;
use crate::wire::{AnonymousSignInResponse, DeleteAnonymousUserResponse, EmptyRequest};

impl AuthClient {
    /// Anonymous-user endpoints.
    pub fn anonymous(&self) -> AnonymousApi<'_> {
        AnonymousApi { client: self }
    }
}

/// The anonymous-user endpoints.
#[derive(Clone, Copy, Debug)]
pub struct AnonymousApi<'a> {
    client: &'a AuthClient,
}

impl<'a> AnonymousApi<'a> {
    /// `POST /sign-in/anonymous` (same as [`SignIn::anonymous`]).
    pub fn sign_in(self) -> SignInAnonymous<'a> {
        SignInAnonymous { client: self.client }
    }

    /// `POST /delete-anonymous-user`: deletes the signed-in anonymous user (their
    /// sessions and accounts too); the client is signed out.
    pub async fn delete_anonymous_user(self) -> Result<DeleteAnonymousUserResponse> {
        let answer = self
            .client
            .post_route::<route::DeleteAnonymousUser>(None, &EmptyRequest {})
            .await?;
        self.client.clear_credentials()?;
        self.client.session_store_set_signed_out(Some(SessionEvent::SignedOut));
        Ok(answer)
    }
}

impl<'a> SignIn<'a> {
    /// Signs in as a new anonymous user (a caller already anonymous is refused with
    /// `ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY`).
    pub fn anonymous(self) -> SignInAnonymous<'a> {
        SignInAnonymous { client: self.client() }
    }
}

/// `POST /sign-in/anonymous`.
#[derive(Debug)]
pub struct SignInAnonymous<'a> {
    client: &'a AuthClient,
}

impl SignInAnonymous<'_> {
    /// Sends it: the token is stored (bearer mode) or the cookie kept, and the session
    /// store refreshed, as better-auth's `anonymousClient` signals the session atom on
    /// `/sign-in/anonymous`.
    pub async fn send(self) -> Result<AnonymousSignInResponse> {
        let reply = self.client.post_route_reply::<route::SignIn>(&EmptyRequest {}).await?;
        let answer = crate::client::decode_route::<route::SignIn>(&reply)?;
        self.client.keep_token_of(&reply, &answer.token)?;
        let _ = self.client.refresh_session(false).await;
        Ok(answer)
    }
}

into_future!(SignInAnonymous, AnonymousSignInResponse);
