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

/// The built `device_login` example (`cargo test --workspace --all-targets` builds it
/// next to the test executables, in `<target>/debug/examples`).
fn device_login_example() -> std::path::PathBuf {
    let test_binary = std::env::current_exe().expect("test binary");
    let profile_dir = test_binary
        .parent()
        .and_then(std::path::Path::parent)
        .expect("<target>/debug/deps/<test>");
    let example = profile_dir.join("examples").join("device_login");
    assert!(
        example.exists(),
        "{} is missing: `cargo build -p keyward-client --features keyring --example device_login` (scripts/test builds every example)",
        example.display()
    );
    example
}

/// Runs the example against `server` with its token in the kernel keyring entry of
/// `service`; `on_code` gets the user code it prints (while it waits). Its output.
async fn device_login(server: &TestServer, service: &str, on_code: impl AsyncFnOnce(String)) -> String {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = tokio::process::Command::new(device_login_example())
        .env("KEYWARD_URL", server.url.as_str())
        .env("KEYWARD_KEYCHAIN_SERVICE", service)
        .env("KEYWARD_KEYCHAIN_BACKEND", "kernel")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the example starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut output = String::new();
    let mut on_code = Some(on_code);
    let read = async {
        while let Some(line) = lines.next_line().await.expect("reads the output") {
            output.push_str(&line);
            output.push('\n');
            if let Some(code) = line.strip_prefix("! First copy your one-time code: ")
                && let Some(on_code) = on_code.take()
            {
                on_code(code.to_owned()).await;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), read)
        .await
        .expect("the example finishes within a minute");
    let status = child.wait().await.expect("exits");
    let mut errors = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        use tokio::io::AsyncReadExt;
        stderr.read_to_string(&mut errors).await.expect("reads stderr");
    }
    assert!(status.success(), "device_login failed:\n{output}\n{errors}");
    output
}

/// `client/examples/device_login.rs`, the `gh auth login` of the README, run twice as a
/// user would: the first run prints a code, which Ada approves in her signed-in browser
/// (here, a client of the HTTP API); the second run finds the token in the keychain and
/// is signed in already.
#[tokio::test]
#[ignore = "needs a session keyring; scripts/test runs it under `keyctl session -`"]
async fn kernel_keyring_device_login_example() {
    let server = TestServer::start_with(keyward_tests::Database::Sqlite, |config| {
        config.device_authorization = Some(
            keyward_server::config::DeviceAuthorizationConfig::default().interval(std::time::Duration::from_secs(1)),
        );
    })
    .await;
    let browser = AuthClient::builder(server.url.clone()).build().expect("builds");
    browser
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    let service = unique("keyward-device-login");

    let first = device_login(&server, &service, async |code: String| {
        let status = browser
            .device_authorization()
            .verify(code.as_str())
            .await
            .expect("claims");
        assert_eq!(status.client_id.as_deref(), Some("keyward-cli"));
        browser
            .device_authorization()
            .approve(code.as_str())
            .await
            .expect("approves");
    })
    .await;
    assert!(first.contains("Then open http://"), "{first}");
    assert!(first.contains("✓ Signed in as Ada <ada@example.com>"), "{first}");
    let store = KeyringStore::with_backend(KeyringBackend::KernelKeyring, &service, server.url.as_str())
        .expect("opens the keychain");
    assert!(store.load().expect("reads").is_some(), "the token is in the keychain");

    let second = device_login(&server, &service, async |code: String| {
        panic!("a signed-in tool asked for a code again: {code}")
    })
    .await;
    assert_eq!(second.trim(), "✓ Already signed in as Ada <ada@example.com>");
    store.clear().expect("cleans up");
}
