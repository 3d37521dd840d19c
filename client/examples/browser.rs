//! A browser app (wasm32): bearer token in `localStorage`, session restored before the
//! first render. Build: `cargo build -p keyward-client --example browser --target
//! wasm32-unknown-unknown --no-default-features --features web`.

#[cfg(target_arch = "wasm32")]
use keyward_client::{AuthClient, CredentialMode, token_store::LocalStorageStore};

#[cfg(target_arch = "wasm32")]
async fn start() -> keyward_client::Result<()> {
    let client = AuthClient::at("https://auth.example.com")
        .credential_mode(CredentialMode::Bearer)
        .token_store(LocalStorageStore::new("myapp.session"))
        .build()?;
    match client.restore().await? {
        Some(data) => web_sys::console::log_1(&format!("welcome back {}", data.user.name).into()),
        None => {
            client
                .sign_in()
                .email("ada@example.com", "correct-horse-battery")
                .await?;
        }
    }
    Ok(())
}

#[cfg(target_arch = "wasm32")]
fn main() {
    wasm_bindgen_futures::spawn_local(async {
        if let Err(error) = start().await {
            web_sys::console::error_1(&error.to_string().into());
        }
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this example runs in a browser: build it for wasm32-unknown-unknown");
}
