//! Interop direction B: better-auth's official JS client (`better-auth/client`) drives the
//! server, as a browser app would (`tests/interop/client.test.mjs`). Run against Keyward,
//! and against better-auth itself as a control that the JS test is right.
//!
//! Each run has three servers of the kind under test: one with the defaults, one for the
//! get-session flow with deferred refreshes, `updateAge` 0 (every session is due) and the
//! cookie cache on, and one with the multi-session plugin (whose cookies would change the
//! other flows' answers).

use std::path::Path;
use std::time::Duration;

use keyward_server::config::CookieCacheConfig;
use keyward_server::social::SocialProvider;
use keyward_tests::oidc::{OidcClient, OidcProvider};
use keyward_tests::{BetterAuthServer, Database, TestServer, free_port, interop_dir};
use tokio::process::Command;
use url::Url;

/// How many flows `client.test.mjs` defines; each must run and pass.
const FLOWS: usize = 34;

/// The genericOAuth client both kinds of server have for the local provider.
const OIDC_CLIENT: (&str, &str) = ("keyward-js-client", "keyward-js-client-secret");

/// The local provider, on `port`, for a server at `server`.
async fn provider_for(port: u16, server: &Url) -> OidcProvider {
    let client = OidcClient {
        client_id: OIDC_CLIENT.0.into(),
        client_secret: OIDC_CLIENT.1.into(),
        redirect_uris: vec![format!("{server}api/auth/callback/oidc")],
    };
    let accounts =
        serde_json::json!({"alice": {"email": "alice@example.com", "email_verified": true, "name": "Alice"}});
    OidcProvider::start_on(port, &[client], accounts, &[]).await
}

fn discovery_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/.well-known/openid-configuration")
}

/// The servers one run drives.
struct Servers<'a> {
    url: &'a Url,
    refresh_url: &'a Url,
    multi_session_url: &'a Url,
}

async fn run_js_client_tests(servers: Servers<'_>, outbox: &Path, target: &str, provider: &OidcProvider) {
    let Servers {
        url,
        refresh_url,
        multi_session_url,
    } = servers;
    let mut command = Command::new("node");
    command
        .args(["--test", "--test-reporter=spec", "client.test.mjs"])
        .current_dir(interop_dir())
        .env("SERVER_URL", url.as_str().trim_end_matches('/'))
        .env("REFRESH_SERVER_URL", refresh_url.as_str().trim_end_matches('/'))
        .env(
            "MULTI_SESSION_SERVER_URL",
            multi_session_url.as_str().trim_end_matches('/'),
        )
        .env("OUTBOX", outbox)
        .env("OIDC_ISSUER", provider.issuer.as_str().trim_end_matches('/'))
        .env("TARGET", target);
    let output = command.output().await.expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the better-auth JS client tests failed against {target}:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains(&format!("ℹ tests {FLOWS}\n")) && report.contains(&format!("ℹ pass {FLOWS}\n")),
        "all {FLOWS} flows ran and passed:\n{report}"
    );
}

fn keyward_like_the_js_tests(config: &mut keyward_server::Config, oidc_port: u16) {
    config.two_factor = Some(keyward_server::config::TwoFactorConfig::default());
    keyward_tests::organization_like_the_peer(config);
    config.one_time_token = Some(keyward_server::config::OneTimeTokenConfig::default());
    config.device_authorization =
        Some(keyward_server::config::DeviceAuthorizationConfig::default().interval(Duration::from_secs(1)));
    config.magic_link = Some(keyward_server::config::MagicLinkConfig::default());
    config.username = Some(keyward_server::config::UsernameConfig::default());
    config.email_otp = Some(keyward_server::config::EmailOtpConfig::default());
    config.phone_number = Some(keyward_server::config::PhoneNumberConfig::default());
    config.anonymous = Some(keyward_server::config::AnonymousConfig::default());
    config.jwt = Some(keyward_server::config::JwtConfig::default());
    config.api_key = Some(keyward_server::config::ApiKeyConfig::default().enable_session_for_api_keys());
    config.social_providers.push(
        SocialProvider::openid_connect("oidc", &discovery_url(oidc_port), OIDC_CLIENT.0, OIDC_CLIENT.1)
            .with_scopes(["email", "profile"]),
    );
}

#[tokio::test]
async fn better_auth_js_client_against_keyward() {
    let oidc_port = free_port();
    let server = TestServer::start_with(Database::Sqlite, |config| keyward_like_the_js_tests(config, oidc_port)).await;
    let refreshing = TestServer::start_with(Database::Sqlite, |config| {
        keyward_like_the_js_tests(config, oidc_port);
        config.session.defer_session_refresh = true;
        config.session.update_age = Duration::ZERO;
        config.session.cookie_cache = CookieCacheConfig {
            enabled: true,
            max_age: Duration::from_secs(300),
        };
    })
    .await;
    let multi = TestServer::start_with(Database::Sqlite, |config| {
        config.multi_session = Some(keyward_server::config::MultiSessionConfig::default())
    })
    .await;
    let provider = provider_for(oidc_port, &server.url).await;
    let servers = Servers {
        url: &server.url,
        refresh_url: &refreshing.url,
        multi_session_url: &multi.url,
    };
    run_js_client_tests(servers, &server.outbox, "keyward", &provider).await;
}

#[tokio::test]
async fn better_auth_js_client_against_better_auth_itself() {
    let plugins = [
        "two-factor",
        "organization",
        "one-time-token",
        "device-authorization",
        "magic-link",
        "username",
        "email-otp",
        "phone-number",
        "anonymous",
        "jwt",
        "api-key",
    ];
    let oidc_port = free_port();
    let discovery = discovery_url(oidc_port);
    let oidc = [
        ("OIDC_DISCOVERY_URL", discovery.as_str()),
        ("OIDC_CLIENT_ID", OIDC_CLIENT.0),
        ("OIDC_CLIENT_SECRET", OIDC_CLIENT.1),
        ("DEVICE_INTERVAL", "1s"),
        ("API_KEY_SESSIONS", "1"),
    ];
    let server = BetterAuthServer::start_on(Database::Sqlite, &plugins, &oidc).await;
    let refreshing = BetterAuthServer::start_on(
        Database::Sqlite,
        &plugins,
        &[
            ("DEFER_REFRESH", "1"),
            ("UPDATE_AGE", "0"),
            ("COOKIE_CACHE", "1"),
            ("DEVICE_INTERVAL", "1s"),
        ],
    )
    .await;
    let multi = BetterAuthServer::start_on(Database::Sqlite, &["multi-session"], &[]).await;
    let provider = provider_for(oidc_port, &server.url).await;
    let servers = Servers {
        url: &server.url,
        refresh_url: &refreshing.url,
        multi_session_url: &multi.url,
    };
    run_js_client_tests(servers, &server.outbox, "better-auth", &provider).await;
}
