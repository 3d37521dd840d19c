//! The real better-auth (from npm, `tests/interop/server.mjs`) as a test peer.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use url::Url;

use crate::{Database, SECRET, Schema};

/// Where the better-auth peer keeps its data.
#[derive(Clone, Debug)]
pub enum Storage {
    /// better-auth's memory adapter.
    Memory,
    /// A SQLite file (created and migrated by better-auth if new).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (with its `search_path`).
    Postgres(String),
}

/// How to start the peer.
#[derive(Clone, Debug)]
pub struct BetterAuthOptions {
    /// Storage.
    pub storage: Storage,
    /// Run better-auth's migrations first.
    pub migrate: bool,
    /// Plugins besides bearer: `two-factor`, `organization`, `passkey`, `admin`,
    /// `one-time-token`, `jwt`.
    pub plugins: Vec<String>,
    /// Extra environment for `server.mjs` (see its header).
    pub env: Vec<(String, String)>,
}

/// A running better-auth server, stopped (by process id) when dropped.
pub struct BetterAuthServer {
    /// Its origin.
    pub url: Url,
    /// The outbox file its "emails" go to.
    pub outbox: PathBuf,
    /// Its storage.
    pub storage: Storage,
    child: Child,
    _schema: Option<Schema>,
    _dir: tempfile::TempDir,
}

/// The directory of the Node project.
pub fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

impl BetterAuthServer {
    /// Starts better-auth with `options`; panics with a clear message if it cannot.
    pub async fn start(options: BetterAuthOptions) -> Self {
        Self::start_with_schema(options, None, tempfile::tempdir().expect("tempdir")).await
    }

    /// Starts better-auth on a fresh database of `database`.
    pub async fn start_on(database: Database, plugins: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (storage, schema) = match database {
            Database::Sqlite => (Storage::Sqlite(dir.path().join("better-auth.db")), None),
            Database::Postgres => {
                let (url, schema) = crate::fresh_postgres_schema("ba").await;
                (Storage::Postgres(url), Some(schema))
            }
        };
        let options = BetterAuthOptions {
            storage,
            migrate: true,
            plugins: plugins.iter().map(|p| (*p).to_owned()).collect(),
            env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        };
        Self::start_with_schema(options, schema, dir).await
    }

    async fn start_with_schema(options: BetterAuthOptions, schema: Option<Schema>, dir: tempfile::TempDir) -> Self {
        let interop = interop_dir();
        assert!(
            interop.join("node_modules/better-auth").exists(),
            "better-auth is not installed: run `npm ci` in {} (scripts/test does)",
            interop.display()
        );
        let port = free_port();
        let url: Url = format!("http://localhost:{port}").parse().expect("url");
        let outbox = dir.path().join("outbox.jsonl");
        let mut command = Command::new("node");
        command
            .arg("server.mjs")
            .current_dir(&interop)
            .env("PORT", port.to_string())
            .env("BASE_URL", url.as_str().trim_end_matches('/'))
            .env("SECRET", SECRET)
            .env("OUTBOX", &outbox)
            .env("MIGRATE", if options.migrate { "1" } else { "0" })
            .env("PLUGINS", options.plugins.join(","))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        match &options.storage {
            Storage::Memory => command.env("STORAGE", "memory"),
            Storage::Sqlite(path) => command.env("STORAGE", "sqlite").env("SQLITE_PATH", path),
            Storage::Postgres(url) => command.env("STORAGE", "postgres").env("DATABASE_URL", url),
        };
        for (name, value) in &options.env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("node starts (is Node.js installed?)");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("ready ") {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap_or(false);
        if !ready {
            let _ = child.start_kill();
            let mut errors = String::new();
            let mut reader = BufReader::new(stderr);
            let _ = tokio::time::timeout(
                Duration::from_secs(2),
                tokio::io::AsyncReadExt::read_to_string(&mut reader, &mut errors),
            )
            .await;
            panic!("better-auth did not start:\n{errors}");
        }
        // Keep draining the pipes so the server never blocks on a full one.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[better-auth] {line}");
            }
        });
        BetterAuthServer {
            url,
            outbox,
            storage: options.storage,
            child,
            _schema: schema,
            _dir: dir,
        }
    }

    /// The database URL (for Keyward's `Db`) of its SQLite or PostgreSQL storage.
    pub fn database_url(&self) -> Option<String> {
        match &self.storage {
            Storage::Memory => None,
            Storage::Sqlite(path) => Some(format!("sqlite://{}", path.display())),
            Storage::Postgres(url) => Some(url.clone()),
        }
    }

    /// The process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Kills the server process (to test a server that went away).
    pub fn kill(&mut self) {
        let _ = self.child.start_kill();
    }

    /// Stops the server and waits for it to exit.
    pub async fn stop(mut self) -> (Storage, Option<SchemaHandle>) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        let dir = std::mem::replace(&mut self._dir, tempfile::tempdir().expect("tempdir"));
        (
            self.storage.clone(),
            Some(SchemaHandle {
                _schema: self._schema.take(),
                _dir: dir,
            }),
        )
    }
}

/// Keeps a stopped peer's database (and temporary directory) alive.
pub struct SchemaHandle {
    _schema: Option<Schema>,
    _dir: tempfile::TempDir,
}
