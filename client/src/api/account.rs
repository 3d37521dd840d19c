//! `client.accounts()`: `/list-accounts`, `/unlink-account`, `/link-social`, and a
//! provider account's tokens and profile (`/get-access-token`, `/refresh-token`,
//! `/account-info`).
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! for account in client.accounts().list().await? {
//!     println!("{} ({})", account.provider_id, account.id);
//!     if account.provider_id == "github" {
//!         // Call GitHub's API for the user with a token that is valid now.
//!         let token = client.accounts().access_token(&account.id).await?;
//!         println!("scopes {:?}", token.scopes);
//!     }
//! }
//! // Link Google to the signed-in user: open the URL in a browser.
//! let link = client.accounts().link_social("google").callback_url("/settings").await?;
//! println!("open {}", link.url);
//! # Ok(()) }
//! ```

use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::routes as route;
use crate::wire::{
    AccessTokenResponse, AccountInfoResponse, AccountSelector, AccountSummary, IdTokenCredential, LinkSocialRequest,
    LinkSocialResponse, RefreshTokenResponse, UnlinkAccountRequest,
};

/// The account endpoints.
#[derive(Clone, Copy, Debug)]
pub struct Accounts<'a> {
    client: &'a AuthClient,
}

impl AuthClient {
    /// Linked accounts (credential and OAuth).
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { client: self }
    }
}

impl<'a> Accounts<'a> {
    /// `GET /list-accounts`.
    pub async fn list(self) -> Result<Vec<AccountSummary>> {
        self.client.get_route::<route::ListAccounts>(None).await
    }

    /// `POST /unlink-account` (an account `id` from [`Accounts::list`]; needs a fresh session).
    pub async fn unlink(self, account_id: impl Into<String>) -> Result<()> {
        let body = UnlinkAccountRequest {
            account_id: account_id.into(),
        };
        self.client.post_route::<route::UnlinkAccount>(None, &body).await?;
        Ok(())
    }

    /// `GET /account-info?accountId=…`: the provider's profile of an OAuth account.
    pub async fn info(self, account_id: &str) -> Result<AccountInfoResponse> {
        let query = crate::api::user::form_query(&[("accountId", account_id)]);
        self.client.get_route::<route::AccountInfo>(Some(&query)).await
    }

    /// `POST /link-social`: starts linking a provider account to the signed-in user (the
    /// provider URL to open), or links an ID token at once.
    pub fn link_social(self, provider: impl Into<String>) -> LinkSocial<'a> {
        LinkSocial {
            client: self.client,
            body: LinkSocialRequest {
                provider: provider.into(),
                disable_redirect: Some(true),
                ..Default::default()
            },
        }
    }

    /// `POST /get-access-token`: a valid access token of a provider account (the server
    /// refreshes it first when it is about to expire).
    pub async fn access_token(self, account_id: &str) -> Result<AccessTokenResponse> {
        let body = AccountSelector::account(account_id);
        self.client.post_route::<route::GetAccessToken>(None, &body).await
    }

    /// `POST /refresh-token`: new tokens from the provider now.
    pub async fn refresh_token(self, account_id: &str) -> Result<RefreshTokenResponse> {
        let body = AccountSelector::account(account_id);
        self.client.post_route::<route::RefreshToken>(None, &body).await
    }
}

/// `POST /link-social`.
#[derive(Debug)]
pub struct LinkSocial<'a> {
    client: &'a AuthClient,
    body: LinkSocialRequest,
}

impl LinkSocial<'_> {
    /// Where the browser lands once linked.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.callback_url = Some(url.into());
        self
    }

    /// Where the browser lands when linking fails (`?error=<code>`).
    pub fn error_callback_url(mut self, url: impl Into<String>) -> Self {
        self.body.error_callback_url = Some(url.into());
        self
    }

    /// Scopes to ask for besides the provider's (added to the account's scopes).
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.body.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Let the server answer with a `Location` redirect (for browser apps).
    pub fn allow_redirect(mut self) -> Self {
        self.body.disable_redirect = None;
        self
    }

    /// Links the account of an ID token from the provider's native SDK, without a redirect.
    pub fn id_token(mut self, credential: IdTokenCredential) -> Self {
        self.body.id_token = Some(credential);
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<LinkSocialResponse> {
        self.client.post_route::<route::LinkSocial>(None, &self.body).await
    }
}

into_future!(LinkSocial, LinkSocialResponse);
