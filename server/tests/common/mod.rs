//! Test harness: the Keyward router in-process (tower `oneshot`), on SQLite or on its own
//! PostgreSQL schema, with a request builder, a cookie jar and the email outbox.
#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use keyward_server::{Auth, Config};

pub mod process;
pub mod proxy;

pub const SECRET: &str = "keyward-test-secret-0123456789abcdefghijklmnop";
pub const ORIGIN: &str = "http://localhost:3000";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests use (`KEYWARD_TEST_POSTGRES` overrides it).
pub fn postgres_base() -> String {
    std::env::var("KEYWARD_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// The Redis server tests use (`KEYWARD_TEST_REDIS` overrides it).
pub fn redis_url() -> String {
    std::env::var("KEYWARD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".to_owned())
}

/// A Redis key prefix of one test's own: `keyward-<tag>-<random>:`.
pub fn redis_prefix(tag: &str) -> String {
    format!(
        "keyward-{tag}-{}:",
        keyward_server::crypto::random_string(10, b"abcdefghijklmnopqrstuvwxyz0123456789")
    )
}

/// Drops a test's PostgreSQL schema when the test ends, even if it failed.
pub struct SchemaGuard(String);

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let schema = self.0.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async move {
                    if let Ok(mut db) = keyward_server::db::Db::connect(&postgres_base()).await {
                        use keyward_server::db::Exec;
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

pub struct TestApp {
    pub auth: Auth,
    pub router: Router,
    pub outbox: PathBuf,
    pub backend: Backend,
    _dir: tempfile::TempDir,
    _schema: Option<SchemaGuard>,
}

/// A database URL for a fresh, empty database of `backend`, and the guard that drops it.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> (String, Option<SchemaGuard>) {
    match backend {
        Backend::Sqlite => (format!("sqlite://{}", dir.join("keyward.db").display()), None),
        Backend::Postgres => {
            let schema = format!(
                "kw_{}",
                keyward_server::crypto::random_string(12, b"abcdefghijklmnopqrstuvwxyz0123456789")
            );
            let mut db = keyward_server::db::Db::connect(&postgres_base())
                .await
                .expect("PostgreSQL is reachable");
            use keyward_server::db::Exec;
            db.execute(&format!("create schema \"{schema}\""), vec![])
                .await
                .expect("creates schema");
            db.close().await;
            let separator = if postgres_base().contains('?') { '&' } else { '?' };
            (
                format!("{}{separator}options=-c%20search_path%3D{schema}", postgres_base()),
                Some(SchemaGuard(schema)),
            )
        }
    }
}

impl TestApp {
    /// A server with test defaults (outbox email, rate limiting off), changed by `configure`.
    pub async fn with(backend: Backend, configure: impl FnOnce(&mut Config)) -> Self {
        Self::with_builder(backend, configure, |builder| builder).await
    }

    /// Like [`TestApp::with`], with access to the `AuthBuilder` (custom senders, stores).
    pub async fn with_builder(
        backend: Backend,
        configure: impl FnOnce(&mut Config),
        customize: impl FnOnce(keyward_server::AuthBuilder) -> keyward_server::AuthBuilder,
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = dir.path().join("outbox.jsonl");
        let (url, schema) = fresh_database(backend, dir.path()).await;
        let mut config = Config::builder()
            .secret(SECRET)
            .base_url(ORIGIN.parse().expect("url"))
            .database_url(url)
            .rate_limit_enabled(false)
            .build()
            .expect("valid config");
        config.email.outbox = Some(outbox.clone());
        config.email.log_links = false;
        config.user.change_email.enabled = true;
        config.user.delete_user.enabled = true;
        configure(&mut config);
        let auth = customize(Auth::builder(config)).build().await.expect("server starts");
        let router = auth.router();
        TestApp {
            auth,
            router,
            outbox,
            backend,
            _dir: dir,
            _schema: schema,
        }
    }

    pub async fn new(backend: Backend) -> Self {
        Self::with(backend, |_| {}).await
    }

    /// A second server on the same database and configuration (another instance of the
    /// same deployment), changed by `configure`.
    pub async fn beside(&self, configure: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = self.auth.config().clone();
        configure(&mut config);
        let auth = Auth::builder(config).build().await.expect("server starts");
        let router = auth.router();
        TestApp {
            auth,
            router,
            outbox: self.outbox.clone(),
            backend: self.backend,
            _dir: dir,
            _schema: None,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> TestRequest<'_> {
        TestRequest {
            app: self,
            method,
            path: path.to_owned(),
            headers: HeaderMap::new(),
            body: Vec::new(),
            peer: None,
        }
    }

    pub fn get(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::POST, path)
    }

    /// Every email in the outbox so far.
    pub fn emails(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.outbox)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("outbox line is JSON"))
            .collect()
    }

    /// Waits (up to 5 s) for an email of `kind` to `to`, for emails sent in the background.
    pub async fn wait_for_email(&self, kind: &str, to: &str) -> Value {
        for _ in 0..100 {
            if let Some(email) = self
                .emails()
                .into_iter()
                .rev()
                .find(|e| e["kind"] == kind && e["to"] == to)
            {
                return email;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no {kind} email to {to} in the outbox: {:?}", self.emails());
    }

    /// Signs a new user up and returns a client session for them.
    pub async fn sign_up(&self, name: &str, email: &str, password: &str) -> Client {
        let response = self
            .post("/sign-up/email")
            .json(&serde_json::json!({"name": name, "email": email, "password": password}))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "sign-up failed: {}", response.text());
        let mut client = Client::default();
        client.store(&response);
        client.token = response.json()["token"].as_str().map(str::to_owned);
        client
    }

    /// Runs SQL against the test database (to age sessions, plant rows, …).
    pub async fn sql(&self, sql: &str, args: Vec<keyward_server::db::Arg>) -> u64 {
        use keyward_server::db::Exec;
        let mut db = self.auth.db().clone();
        db.execute(sql, args).await.expect("sql runs")
    }

    pub async fn sql_rows(&self, sql: &str, args: Vec<keyward_server::db::Arg>) -> Vec<keyward_server::db::Row> {
        use keyward_server::db::Exec;
        let mut db = self.auth.db().clone();
        db.fetch_all(sql, args).await.expect("sql runs")
    }

    pub async fn count(&self, table: &str) -> i64 {
        let rows = self
            .sql_rows(&format!("select count(*) as \"n\" from \"{table}\""), vec![])
            .await;
        rows[0].int("n").expect("count")
    }
}

pub struct TestRequest<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
    peer: Option<std::net::SocketAddr>,
}

impl TestRequest<'_> {
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers
            .append(name, HeaderValue::from_str(value).expect("header value"));
        self
    }

    pub fn json(mut self, value: &Value) -> Self {
        self.body = serde_json::to_vec(value).expect("json");
        self.header("content-type", "application/json")
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        if content_type.is_empty() {
            self
        } else {
            self.header("content-type", content_type)
        }
    }

    pub fn origin(self) -> Self {
        self.header("origin", ORIGIN)
    }

    /// Sends the client's cookies and the trusted Origin, as a browser would.
    pub fn cookies(self, client: &Client) -> Self {
        let header = client.cookie_header();
        if header.is_empty() {
            self
        } else {
            self.header("cookie", &header).origin()
        }
    }

    /// The TCP peer the request seems to come from (none by default, as with `oneshot`).
    pub fn peer(mut self, ip: &str) -> Self {
        self.peer = Some(std::net::SocketAddr::new(ip.parse().expect("ip"), 40000));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub async fn send(self) -> TestResponse {
        let uri = format!("{}{}", self.app.auth.config().base_path, self.path);
        let mut request = Request::builder().method(self.method).uri(uri);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let mut request = request.body(Body::from(self.body)).expect("request");
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        }
        let response = self.app.router.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        TestResponse { status, headers, body }
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// One parsed `Set-Cookie`.
#[derive(Debug, Clone)]
pub struct CookieLine {
    pub name: String,
    pub value: String,
    pub attributes: String,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().expect("ascii").to_owned())
    }

    pub fn code(&self) -> Option<String> {
        self.json().get("code").and_then(Value::as_str).map(str::to_owned)
    }

    pub fn message(&self) -> String {
        self.json()["message"].as_str().unwrap_or_default().to_owned()
    }

    pub fn set_cookies(&self) -> Vec<CookieLine> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| {
                let line = v.to_str().expect("ascii").to_owned();
                let (pair, attributes) = line.split_once("; ").unwrap_or((&line, ""));
                let (name, value) = pair.split_once('=').expect("name=value");
                CookieLine {
                    name: name.to_owned(),
                    value: value.to_owned(),
                    attributes: attributes.to_owned(),
                }
            })
            .collect()
    }

    pub fn cookie(&self, name: &str) -> Option<CookieLine> {
        self.set_cookies().into_iter().find(|c| c.name == name)
    }

    /// Asserts an error status and code.
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text());
        assert_eq!(self.code().as_deref(), Some(code), "unexpected body: {}", self.text());
    }
}

/// A cookie jar and bearer token for one simulated client.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub cookies: BTreeMap<String, String>,
    pub token: Option<String>,
}

impl Client {
    pub fn store(&mut self, response: &TestResponse) {
        for cookie in response.set_cookies() {
            if cookie.value.is_empty() || cookie.attributes.contains("Max-Age=0") {
                self.cookies.remove(&cookie.name);
            } else {
                self.cookies.insert(cookie.name, cookie.value);
            }
        }
        if let Some(token) = response.header("set-auth-token") {
            self.token = Some(token);
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn session_cookie(&self) -> Option<&String> {
        self.cookies.get("better-auth.session_token")
    }

    /// The unsigned session token from the cookie.
    pub fn session_token(&self) -> String {
        let raw = self.session_cookie().expect("has a session cookie");
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .into_owned();
        decoded.rsplit_once('.').expect("signed").0.to_owned()
    }
}

/// Defines a test that runs once on SQLite and once on PostgreSQL. Attributes written
/// above the function (`#[ignore]`, `#[should_panic]`, doc comments) apply to both tests.
#[macro_export]
macro_rules! on_both_databases {
    ($(#[$meta:meta])* async fn $name:ident($app:ident : Backend) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::common::Backend) $body
            $(#[$meta])*
            #[tokio::test]
            async fn sqlite() {
                run($crate::common::Backend::Sqlite).await
            }
            $(#[$meta])*
            #[tokio::test]
            async fn postgres() {
                run($crate::common::Backend::Postgres).await
            }
        }
    };
}
