//! A command-line sign-in like `gh auth login`, with the device-authorization plugin
//! (RFC 8628): the tool prints a code and a URL, the user approves it in a browser where
//! they are signed in, and the tool keeps the session token in the OS keychain, so the
//! next run is signed in already.
//!
//! Start a server with the plugin, then run the example:
//!
//! ```sh
//! ./scripts/run   # device-authorization is on; the demo serves /device
//! cargo run -p keyward-client --features keyring --example device_login
//! ```
//!
//! `KEYWARD_URL` names the server (default `http://localhost:3000`);
//! `KEYWARD_KEYCHAIN_SERVICE` the keychain entry's service (default
//! `dev.keyward.device-login`; its account is the server URL); on Linux
//! `KEYWARD_KEYCHAIN_BACKEND=kernel` keeps the token in the kernel keyring instead of the
//! Secret Service. `device_login logout` signs out and forgets the token.

use std::process::ExitCode;

use keyward_client::token_store::{KeyringBackend, KeyringStore};
use keyward_client::wire::OAuthErrorCode;
use keyward_client::{AuthClient, Error};

/// The `client_id` this tool asks for codes with.
const CLIENT_ID: &str = "keyward-cli";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("✗ {}", explain(&error));
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Error> {
    let url = std::env::var("KEYWARD_URL").unwrap_or_else(|_| "http://localhost:3000".to_owned());
    let service = std::env::var("KEYWARD_KEYCHAIN_SERVICE").unwrap_or_else(|_| "dev.keyward.device-login".to_owned());
    let backend = match std::env::var("KEYWARD_KEYCHAIN_BACKEND").as_deref() {
        #[cfg(target_os = "linux")]
        Ok("kernel") => KeyringBackend::KernelKeyring,
        _ => KeyringBackend::Default,
    };
    let client = AuthClient::builder(url.parse().map_err(|e| Error::InvalidRequest {
        message: format!("KEYWARD_URL: {e}"),
    })?)
    .token_store(KeyringStore::with_backend(backend, &service, &url)?)
    .build()?;

    let signed_in = client.restore().await?;
    if std::env::args().nth(1).as_deref() == Some("logout") {
        if signed_in.is_some() {
            client.sign_out().await?;
        }
        println!("Signed out of {url}.");
        return Ok(());
    }
    if let Some(data) = signed_in {
        println!("✓ Already signed in as {} <{}>", data.user.name, data.user.email);
        return Ok(());
    }

    let pending = client.device_authorization().request_code(CLIENT_ID).await?;
    let code = pending.user_code.expose();
    let shown = match code.len() {
        8 => format!("{}-{}", &code[..4], &code[4..]),
        _ => code.to_owned(),
    };
    println!("! First copy your one-time code: {shown}");
    println!("  Then open {} in your browser", pending.verification_uri);
    println!("  (or go straight to {})", pending.verification_uri_complete);
    println!("  Waiting for approval…");
    let session = client.device_authorization().poll(&pending).await?;
    println!("✓ Signed in as {} <{}>", session.user.name, session.user.email);
    Ok(())
}

fn explain(error: &Error) -> String {
    match error {
        Error::OAuth {
            error: OAuthErrorCode::AccessDenied,
            ..
        } => "The sign-in was denied in the browser.".to_owned(),
        Error::OAuth {
            error: OAuthErrorCode::ExpiredToken,
            ..
        } => "The code expired before it was approved; run this again.".to_owned(),
        Error::Storage { message } => format!("No keychain to keep the token in: {message}"),
        other => other.to_string(),
    }
}
