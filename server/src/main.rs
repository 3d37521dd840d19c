//! `keyward-server`: run the server, migrate its database, or make a secret.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use keyward_server::{Auth, Config, crypto};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A better-auth compatible authentication server.
#[derive(Parser)]
#[command(name = "keyward-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default): migrates the database, then listens on $HOST:$PORT.
    Serve,
    /// Create or update the database tables, then exit.
    Migrate,
    /// Print a new random secret for BETTER_AUTH_SECRET.
    Secret,
}

fn init_tracing() {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}

fn load_config() -> Result<Config, String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    if config.using_development_secret {
        tracing::warn!("==============================================================");
        tracing::warn!("BETTER_AUTH_SECRET is not set: using the public DEVELOPMENT");
        tracing::warn!("secret. Anyone can forge sessions. Never deploy like this;");
        tracing::warn!("run `keyward-server secret` and export BETTER_AUTH_SECRET.");
        tracing::warn!("==============================================================");
    }
    Ok(config)
}

async fn serve() -> Result<(), String> {
    let config = load_config()?;
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let address: SocketAddr = format!("{host}:{}", config.port)
        .parse()
        .map_err(|e| format!("HOST/PORT: {e}"))?;
    let base = config.auth_url();
    let database = config.database_url.clone();
    let rate_limited = config.rate_limit.enabled;
    let limits = config.connection_limits.clone();
    let auth = Auth::new(config).await.map_err(|e| e.to_string())?;
    let app = with_static_files(axum::Router::new().merge(auth.router()))?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    tracing::info!(%address, %database, rate_limited, "keyward-server listening; API at {base}");
    keyward_server::serve(listener, app, &limits, shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    auth.db().close().await;
    Ok(())
}

/// Serves a built web app (the Leptos demo, or your own) from `$KEYWARD_STATIC_DIR` at
/// `/`, next to the API: unknown paths outside the API get its `index.html`, so a
/// client-side router works. The files are sent gzipped to browsers that accept it.
fn with_static_files(app: axum::Router) -> Result<axum::Router, String> {
    let Some(dir) = std::env::var_os("KEYWARD_STATIC_DIR").filter(|dir| !dir.is_empty()) else {
        return Ok(app);
    };
    let dir = std::path::PathBuf::from(dir);
    let index = dir.join("index.html");
    if !index.is_file() {
        return Err(format!(
            "KEYWARD_STATIC_DIR={}: there is no index.html (build the demo with ./scripts/build-demo)",
            dir.display()
        ));
    }
    tracing::info!(dir = %dir.display(), "serving the web app at /");
    let files = tower_http::services::ServeDir::new(&dir)
        .precompressed_gzip()
        .fallback(tower_http::services::ServeFile::new(index).precompressed_gzip());
    // gzip for browsers that accept it (the WebAssembly is a third of its size so): a
    // file's `.gz` beside it when there is one (`./scripts/build-demo --release` writes
    // them at gzip -9), else compressed as it is sent.
    let files = tower::ServiceBuilder::new()
        .layer(tower_http::compression::CompressionLayer::new())
        .service(files);
    Ok(app.fallback_service(files))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

async fn migrate() -> Result<(), String> {
    let config = load_config()?;
    let auth = Auth::builder(config)
        .skip_migrations()
        .build()
        .await
        .map_err(|e| e.to_string())?;
    let report = auth.migrate().await.map_err(|e| format!("migration failed: {e}"))?;
    if report.is_empty() {
        println!("database is up to date");
    }
    for table in &report.created_tables {
        println!("created table {table}");
    }
    for column in &report.added_columns {
        println!("added column {column}");
    }
    auth.db().close().await;
    Ok(())
}

fn secret() {
    let mut bytes = [0u8; 32];
    crypto::random_bytes(&mut bytes);
    println!("{}", crypto::hex(&bytes));
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if matches!(command, Command::Secret) {
        secret();
        return ExitCode::SUCCESS;
    }
    init_tracing();
    let result = match command {
        Command::Serve => serve().await,
        Command::Migrate => migrate().await,
        Command::Secret => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("keyward-server: {message}");
            ExitCode::FAILURE
        }
    }
}
