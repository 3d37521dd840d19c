//! A command-line app: bearer token, session store, profile update.
//! Run against a local server: `cargo run -p keyward-client --example native`.

use futures_signals::signal::SignalExt;
use keyward_client::{AuthClient, Error};

#[tokio::main]
async fn main() -> keyward_client::Result<()> {
    let url = std::env::var("KEYWARD_URL").unwrap_or_else(|_| "http://localhost:3000".to_owned());
    let client = AuthClient::builder(url.parse().map_err(|e| Error::InvalidRequest {
        message: format!("{e}"),
    })?)
    .build()?;

    // Print every change of the session, as a UI would render it.
    tokio::spawn(client.session().signal().for_each(|state| {
        match &state.data {
            Some(data) => println!("signed in as {} <{}>", data.user.name, data.user.email),
            None if state.is_pending => println!("…"),
            None => println!("signed out"),
        }
        async {}
    }));

    match client.sign_in().email("ada@example.com", "correct-horse-battery").await {
        Ok(_) => {}
        Err(Error::Api { status: 401, .. }) => {
            client
                .sign_up()
                .email("Ada", "ada@example.com", "correct-horse-battery")
                .await?;
        }
        Err(error) => return Err(error),
    }
    client.user().update().name("Ada Lovelace").await?; // the printer shows the new name
    client.sign_out().await?;
    Ok(())
}
