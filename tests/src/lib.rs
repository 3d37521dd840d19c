//! Keyward's cross-crate test kit.
//!
//! - [`TestServer`] boots a real Keyward server on an ephemeral port (on a temporary
//!   SQLite file or its own PostgreSQL schema), counts the requests it serves, and reads
//!   the emails it sends.
//! - [`BetterAuthServer`] runs the real better-auth from npm the same way.
//! - [`Peer`] is either, so client scenarios are written once and run against both
//!   ([`peer_test!`]).
//! - [`compat`] records results for the README's compatibility table.
//! - [`oidc::OidcProvider`] runs a real OpenID Connect provider (npm `oidc-provider`) for
//!   social sign-in, and signs in at it as a user would.

pub mod better_auth;
pub mod compat;
pub mod oidc;
pub mod peer;
pub mod rows;
pub mod totp;

pub use better_auth::{BetterAuthOptions, BetterAuthServer, Storage, interop_dir};
pub use peer::{
    AnonymousOptions, ApiKeyOptions, DeviceAuthorizationOptions, EmailOtpOptions, JwtOptions, MagicLinkOptions,
    MultiSessionOptions, OneTimeTokenOptions, OrganizationOptions, Peer, PeerKind, PeerOptions, PhoneNumberOptions,
    UsernameOptions,
};
pub use rows::{account_tokens, free_port, mark_email_verified, rewrite_state};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use keyward_client::{AuthClient, CredentialMode, FetchOptions, MemoryStore, TokenStore};
use keyward_server::{Auth, Config};
use serde_json::Value;
use url::Url;

/// The secret test servers sign with.
pub const SECRET: &str = "keyward-test-secret-0123456789abcdefghijklmnop";

/// Requests served, by `"METHOD /path"` (path relative to the base path).
#[derive(Clone, Default, Debug)]
pub struct RequestLog(Arc<Mutex<HashMap<String, usize>>>);

impl RequestLog {
    fn record(&self, key: String) {
        if let Ok(mut counts) = self.0.lock() {
            *counts.entry(key).or_default() += 1;
        }
    }

    /// How many `method path` requests were served.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.0
            .lock()
            .map(|c| c.get(&format!("{method} {path}")).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// How many requests were served, all paths together.
    pub fn total(&self) -> usize {
        self.0.lock().map(|c| c.values().sum()).unwrap_or(0)
    }

    /// Forgets the counts.
    pub fn reset(&self) {
        if let Ok(mut counts) = self.0.lock() {
            counts.clear();
        }
    }
}

/// Drops a PostgreSQL schema when dropped.
pub struct Schema(String);

impl Drop for Schema {
    fn drop(&mut self) {
        let schema = self.0.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                runtime.block_on(async move {
                    use keyward_server::db::Exec;
                    if let Ok(mut db) = keyward_server::db::Db::connect(&postgres_url()).await {
                        let _ = db
                            .execute(&format!("drop schema if exists \"{schema}\" cascade"), vec![])
                            .await;
                        db.close().await;
                    }
                });
            }
        })
        .join();
    }
}

/// A name no other test (or earlier run) uses: `prefix-<pid>-<8 random letters>`, for
/// keychain entries and email addresses that outlive a test.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        keyward_server::crypto::random_string(8, b"abcdefghijklmnopqrstuvwxyz")
    )
}

/// The PostgreSQL server tests use (`KEYWARD_TEST_POSTGRES` overrides it).
pub fn postgres_url() -> String {
    std::env::var("KEYWARD_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A new, empty schema in the PostgreSQL `test` database: its URL (with `search_path`)
/// and the guard that drops it.
pub async fn fresh_postgres_schema(prefix: &str) -> (String, Schema) {
    use keyward_server::db::Exec;
    let name = format!(
        "{prefix}_{}",
        keyward_server::crypto::random_string(12, b"abcdefghijklmnopqrstuvwxyz0123456789")
    );
    let mut db = keyward_server::db::Db::connect(&postgres_url())
        .await
        .expect("PostgreSQL is reachable");
    db.execute(&format!("create schema \"{name}\""), vec![])
        .await
        .expect("creates schema");
    db.close().await;
    let separator = if postgres_url().contains('?') { '&' } else { '?' };
    (
        format!("{}{separator}options=-c%20search_path%3D{name}", postgres_url()),
        Schema(name),
    )
}

/// Every email in a JSON-lines outbox file (Keyward's and the better-auth peer's).
pub fn read_outbox(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// Waits (up to 5 s) for the newest email of `kind` to `to` in an outbox file.
pub async fn wait_for_email(path: &std::path::Path, kind: &str, to: &str) -> Value {
    for _ in 0..100 {
        if let Some(email) = read_outbox(path)
            .into_iter()
            .rev()
            .find(|e| e["kind"] == kind && e["to"] == to)
        {
            return email;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {kind} email to {to}: {:?}", read_outbox(path));
}

/// Which database a test server uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Database {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh schema in the PostgreSQL `test` database.
    Postgres,
}

/// A running Keyward server.
pub struct TestServer {
    /// The server's origin, e.g. `http://127.0.0.1:41233`.
    pub url: Url,
    /// Its state, for server-side checks.
    pub auth: Auth,
    /// Requests it served.
    pub requests: RequestLog,
    /// The email outbox file.
    pub outbox: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _schema: Option<Schema>,
    _dir: tempfile::TempDir,
}

async fn count_requests(log: RequestLog, base_path: String, request: Request, next: Next) -> Response {
    let path = request
        .uri()
        .path()
        .strip_prefix(&base_path)
        .unwrap_or(request.uri().path())
        .to_owned();
    log.record(format!("{} {path}", request.method()));
    next.run(request).await
}

impl TestServer {
    /// A server on SQLite with test defaults.
    pub async fn start() -> Self {
        Self::start_with(Database::Sqlite, |_| {}).await
    }

    /// A server with test defaults (outbox email, change-email and delete-user on, rate
    /// limiting off) changed by `configure`.
    pub async fn start_with(database: Database, configure: impl FnOnce(&mut Config)) -> Self {
        Self::start_customized(database, configure, |builder| builder).await
    }

    /// A server on an existing database (for example one better-auth created and filled).
    pub async fn start_on_database(database_url: &str, configure: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_on_url(dir, database_url.to_owned(), None, configure, |builder| builder).await
    }

    /// Like [`TestServer::start_with`], with access to the `AuthBuilder` (hooks, senders).
    pub async fn start_customized(
        database: Database,
        configure: impl FnOnce(&mut Config),
        customize: impl FnOnce(keyward_server::AuthBuilder) -> keyward_server::AuthBuilder,
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (database_url, schema) = match database {
            Database::Sqlite => (format!("sqlite://{}", dir.path().join("keyward.db").display()), None),
            Database::Postgres => {
                let (url, schema) = fresh_postgres_schema("kt").await;
                (url, Some(schema))
            }
        };
        Self::start_on_url(dir, database_url, schema, configure, customize).await
    }

    async fn start_on_url(
        dir: tempfile::TempDir,
        database_url: String,
        schema: Option<Schema>,
        configure: impl FnOnce(&mut Config),
        customize: impl FnOnce(keyward_server::AuthBuilder) -> keyward_server::AuthBuilder,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let address = listener.local_addr().expect("address");
        let url: Url = format!("http://{address}").parse().expect("url");
        let outbox = dir.path().join("outbox.jsonl");
        let mut config = Config::builder()
            .secret(SECRET)
            .base_url(url.clone())
            .database_url(database_url)
            .rate_limit_enabled(false)
            .build()
            .expect("valid config");
        config.email.outbox = Some(outbox.clone());
        config.email.log_links = false;
        config.user.change_email.enabled = true;
        config.user.delete_user.enabled = true;
        configure(&mut config);
        let base_path = config.base_path.clone();
        let auth = customize(Auth::builder(config)).build().await.expect("server starts");
        let requests = RequestLog::default();
        let log = requests.clone();
        let app = axum::Router::new()
            .merge(auth.router())
            .layer(axum::middleware::from_fn(move |request, next| {
                count_requests(log.clone(), base_path.clone(), request, next)
            }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        TestServer {
            url,
            auth,
            requests,
            outbox,
            stop: Some(stop),
            _schema: schema,
            _dir: dir,
        }
    }

    /// A bearer-mode client with a memory token store.
    pub fn client(&self) -> AuthClient {
        self.client_with(MemoryStore::new())
    }

    /// A bearer-mode client with the given token store.
    pub fn client_with(&self, store: impl TokenStore + 'static) -> AuthClient {
        AuthClient::builder(self.url.clone())
            .token_store(store)
            .build()
            .expect("client builds")
    }

    /// A native cookie-mode client.
    pub fn cookie_client(&self) -> AuthClient {
        AuthClient::builder(self.url.clone())
            .credential_mode(CredentialMode::Cookie)
            .fetch_options(FetchOptions::default())
            .build()
            .expect("client builds")
    }

    /// Every email sent so far.
    pub fn emails(&self) -> Vec<Value> {
        read_outbox(&self.outbox)
    }

    /// Waits (up to 5 s) for the newest email of `kind` to `to`.
    pub async fn email(&self, kind: &str, to: &str) -> Value {
        wait_for_email(&self.outbox, kind, to).await
    }

    /// Stops accepting connections (to test a server that went away).
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The organization plugin as the better-auth peer runs it (`tests/interop/server.mjs`):
/// teams, dynamic roles over the default statements, and a custom `auditor` role
/// The passkey plugin as the better-auth peer runs it: RP `localhost`, and the page origin
/// `http://localhost:<port>` of the server's port (browsers refuse IP addresses as RP ids).
pub fn passkey_like_the_peer(config: &mut Config) {
    let origin = peer::passkey_origin_for(&config.base_url);
    config.passkey = Some(
        keyward_server::config::PasskeyConfig::default()
            .rp_id("localhost")
            .rp_name("Keyward")
            .origin(origin.as_str().trim_end_matches('/')),
    );
}

/// (`invitation: [cancel]`, `ac: [read]`).
pub fn organization_like_the_peer(config: &mut Config) {
    use keyward_client::wire::organization::{AccessControl, RoleSet};
    use keyward_server::config::{DynamicAccessControlConfig, OrganizationConfig};
    let ac = AccessControl::default_statements();
    let auditor = ac.new_role([("invitation", vec!["cancel"]), ("ac", vec!["read"])]);
    let mut organization = OrganizationConfig {
        roles: Some(RoleSet::defaults().with("auditor", auditor)),
        access_control: Some(ac),
        dynamic_access_control: Some(DynamicAccessControlConfig::default()),
        ..OrganizationConfig::default()
    };
    organization.teams.enabled = true;
    config.organization = Some(organization);
}

/// A token store several clients share, as one app's keychain is shared across restarts,
/// and that tests can look into.
#[derive(Clone, Debug, Default)]
pub struct SharedStore(pub Arc<MemoryStore>);

impl TokenStore for SharedStore {
    fn load(&self) -> keyward_client::Result<Option<keyward_client::wire::SessionToken>> {
        self.0.load()
    }
    fn save(&self, token: &keyward_client::wire::SessionToken) -> keyward_client::Result<()> {
        self.0.save(token)
    }
    fn clear(&self) -> keyward_client::Result<()> {
        self.0.clear()
    }
    fn load_trusted_device(&self) -> keyward_client::Result<Option<keyward_client::wire::TrustedDevice>> {
        self.0.load_trusted_device()
    }
    fn save_trusted_device(&self, device: &keyward_client::wire::TrustedDevice) -> keyward_client::Result<()> {
        self.0.save_trusted_device(device)
    }
    fn clear_trusted_device(&self) -> keyward_client::Result<()> {
        self.0.clear_trusted_device()
    }
}

/// The Rust code blocks of `README.md`, compiled by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    /// The README's browser example is the code of `client/examples/browser.rs`, which CI
    /// builds for wasm32, so the README cannot drift from code that compiles.
    #[test]
    fn readme_browser_example_is_the_built_example() {
        let readme = include_str!("../../README.md");
        let example = include_str!("../../client/examples/browser.rs");
        let block = readme
            .split("```rust,ignore\n")
            .nth(1)
            .and_then(|rest| rest.split("\n```").next())
            .expect("README has the browser block");
        let normalize = |text: &str| text.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert!(
            normalize(example).contains(&normalize(block)),
            "README browser block differs from the example"
        );
    }
}
