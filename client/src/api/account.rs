//! `client.accounts()`: `/list-accounts`, `/unlink-account`, `/account-info`.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! for account in client.accounts().list().await? {
//!     println!("{} ({})", account.provider_id, account.id);
//! }
//! # Ok(()) }
//! ```

use crate::client::AuthClient;
use crate::error::Result;
use crate::transport::Method;
use crate::wire::{AccountInfoResponse, AccountSummary, StatusResponse, UnlinkAccountRequest};

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

impl Accounts<'_> {
    /// `GET /list-accounts`.
    pub async fn list(self) -> Result<Vec<AccountSummary>> {
        self.client
            .call::<(), _>(Method::Get, "/list-accounts", None, None)
            .await
    }

    /// `POST /unlink-account` (an account `id` from [`Accounts::list`]; needs a fresh session).
    pub async fn unlink(self, account_id: impl Into<String>) -> Result<()> {
        let body = UnlinkAccountRequest {
            account_id: account_id.into(),
        };
        let _: StatusResponse = self
            .client
            .call(Method::Post, "/unlink-account", None, Some(&body))
            .await?;
        Ok(())
    }

    /// `GET /account-info?accountId=…`: the provider's profile of an OAuth account.
    pub async fn info(self, account_id: &str) -> Result<AccountInfoResponse> {
        let query = crate::api::user::form_query(&[("accountId", account_id)]);
        self.client
            .call::<(), _>(Method::Get, "/account-info", Some(&query), None)
            .await
    }
}
