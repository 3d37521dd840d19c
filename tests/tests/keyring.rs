//! `KeyringStore` against real keychains.
//!
//! The round trips need a keychain, which a plain CI process does not have; they are
//! `#[ignore]`d here and run by `scripts/test` inside one:
//! `keyctl session - cargo test … -- --ignored kernel_keyring` (a private session keyring)
//! and `dbus-run-session` with an unlocked `gnome-keyring-daemon` (a Secret Service).

use std::process::Command;

use keyward_client::token_store::{KeyringBackend, KeyringStore};
use keyward_client::wire::SessionToken;
use keyward_client::{AuthClient, Error, TokenStore};
use keyward_tests::{TestServer, unique};

const PASSWORD: &str = "correct-horse-battery";

/// A token survives the client: a second client (a new app start) restores the session
/// from the keychain; signing out empties it.
async fn round_trip(backend: KeyringBackend) {
    let server = TestServer::start().await;
    let service = unique("keyward-tests");
    let store = KeyringStore::with_backend(backend, &service, "ada").expect("opens the keychain");
    store.clear().expect("starts empty");
    assert_eq!(store.load().expect("reads"), None);

    let client = AuthClient::builder(server.url.clone())
        .token_store(store)
        .build()
        .expect("builds");
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");

    let reopened = KeyringStore::with_backend(backend, &service, "ada").expect("opens again");
    let stored = reopened.load().expect("reads").expect("the token is in the keychain");
    assert_eq!(Some(stored), client.token().expect("token"));
    let restarted = AuthClient::builder(server.url.clone())
        .token_store(reopened)
        .build()
        .expect("builds");
    let restored = restarted.restore().await.expect("restores").expect("signed in");
    assert_eq!(restored.user.email, "ada@example.com");

    restarted.sign_out().await.expect("signs out");
    let after = KeyringStore::with_backend(backend, &service, "ada").expect("opens");
    assert_eq!(
        after.load().expect("reads"),
        None,
        "sign-out removed the token from the keychain"
    );
    assert!(
        format!("{after:?}").contains(&service),
        "Debug names the entry, never the token"
    );
}

#[tokio::test]
#[ignore = "needs a session keyring; scripts/test runs it under `keyctl session -`"]
async fn kernel_keyring_round_trip() {
    round_trip(KeyringBackend::KernelKeyring).await;
}

#[tokio::test]
#[ignore = "needs a Secret Service; scripts/test runs it under dbus-run-session with gnome-keyring"]
async fn secret_service_round_trip() {
    round_trip(KeyringBackend::SecretService).await;
}

/// Runs in a child process whose session bus address leads nowhere.
#[test]
#[ignore = "child half of `no_keychain_is_a_clear_storage_error`"]
fn no_keychain_child() {
    let store = KeyringStore::with_backend(KeyringBackend::SecretService, &unique("keyward-tests"), "ada");
    let error = match store {
        Ok(store) => store
            .save(&SessionToken::new("secret-token"))
            .expect_err("nowhere to save"),
        Err(error) => error,
    };
    let Error::Storage { message } = error else {
        panic!("expected a Storage error, got {error:?}");
    };
    assert!(
        message.contains("keychain"),
        "the message says what is missing: {message}"
    );
    assert!(!message.contains("secret-token"));
}

/// The child must run exactly one test: a filter that matches nothing (a renamed child)
/// would exit successfully having checked nothing.
#[test]
fn no_keychain_is_a_clear_storage_error() {
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "no_keychain_child", "--ignored"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/keyward-test-bus")
        .env_remove("DISPLAY")
        .output()
        .expect("runs the child");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the keyring refused cleanly with a Storage error:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains("test no_keychain_child ... ok") && report.contains("test result: ok. 1 passed;"),
        "the child test ran (and only it):\n{report}"
    );
}
