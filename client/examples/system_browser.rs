//! A desktop app's social sign-in through the default browser (RFC 8252 loopback).
//!
//! Run a Keyward server with the electron plugin and a provider, for example
//! `KEYWARD_PLUGINS=electron` and a GitHub app whose callback is
//! `http://localhost:3000/api/auth/callback/github`, then:
//!
//! ```sh
//! KEYWARD_URL=http://localhost:3000 PROVIDER=github \
//!   cargo run -p keyward-client --features system-browser --example system_browser
//! ```
//!
//! The browser opens at the provider; once you sign in there it lands on
//! `http://127.0.0.1:<port>/callback`, and this program prints who signed in.

use std::time::Duration;

use keyward_client::{AuthClient, BrowserSignInError, Error};

#[tokio::main]
async fn main() -> keyward_client::Result<()> {
    let url = std::env::var("KEYWARD_URL").unwrap_or_else(|_| "http://localhost:3000".to_owned());
    let provider = std::env::var("PROVIDER").unwrap_or_else(|_| "github".to_owned());
    let client = AuthClient::builder(url.parse().map_err(|e| Error::InvalidRequest {
        message: format!("{e}"),
    })?)
    .build()?;

    let cancel = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let outcome = client
        .sign_in()
        .social(provider)
        .in_system_browser()
        .timeout(Duration::from_secs(300))
        .cancel_on(cancel)
        .await;
    match outcome {
        Ok(data) => println!("signed in as {} <{}>", data.user.name, data.user.email),
        Err(Error::BrowserSignIn(BrowserSignInError::TimedOut)) => println!("nobody signed in within 5 minutes"),
        Err(Error::BrowserSignIn(BrowserSignInError::Cancelled)) => println!("cancelled"),
        Err(error) => return Err(error),
    }
    Ok(())
}
