//! Interop direction B: better-auth's official JS client (`better-auth/client`) drives the
//! server, as a browser app would (`tests/interop/client.test.mjs`). Run against Keyward,
//! and against better-auth itself as a control that the JS test is right.

use std::path::Path;

use keyward_tests::{BetterAuthServer, Database, TestServer, interop_dir};
use tokio::process::Command;
use url::Url;

async fn run_js_client_tests(url: &Url, outbox: &Path, target: &str) {
    let mut command = Command::new("node");
    command
        .args(["--test", "--test-reporter=spec", "client.test.mjs"])
        .current_dir(interop_dir())
        .env("SERVER_URL", url.as_str().trim_end_matches('/'))
        .env("OUTBOX", outbox)
        .env("TARGET", target);
    let output = command.output().await.expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the better-auth JS client tests failed against {target}:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("pass 22"), "all twenty-two flows ran:\n{report}");
}

#[tokio::test]
async fn better_auth_js_client_against_keyward() {
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.two_factor = Some(keyward_server::config::TwoFactorConfig::default());
        keyward_tests::organization_like_the_peer(config);
    })
    .await;
    run_js_client_tests(&server.url, &server.outbox, "keyward").await;
}

#[tokio::test]
async fn better_auth_js_client_against_better_auth_itself() {
    let server = BetterAuthServer::start_on(Database::Sqlite, &["two-factor", "organization"], &[]).await;
    run_js_client_tests(&server.url, &server.outbox, "better-auth").await;
}
