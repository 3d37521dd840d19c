//! An application that mounts Keyward next to its own routes and protects them with the
//! `Session` extractor.
//!
//! Run: `cargo run -p keyward-server --example protected_routes`, then
//!
//! ```text
//! curl -s -X POST localhost:3000/api/auth/sign-up/email -H 'content-type: application/json' \
//!      -d '{"name":"Ada","email":"ada@example.com","password":"correct-horse"}' -D - | grep set-auth-token
//! curl -s localhost:3000/me -H "authorization: Bearer <set-auth-token>"   # -> hello Ada
//! curl -s -i localhost:3000/me                                            # -> 401
//! ```

use axum::Router;
use axum::routing::get;
use keyward_server::{Auth, Config, OptionalSession, Session};

async fn me(Session(data): Session) -> String {
    format!("hello {}\n", data.user.name)
}

async fn home(OptionalSession(data): OptionalSession) -> String {
    match data {
        Some(data) => format!("signed in as {}\n", data.user.email),
        None => "signed out\n".to_owned(),
    }
}

/// The application: its own routes plus the auth endpoints under `/api/auth`.
fn app(auth: Auth) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/me", get(me))
        .with_state(auth.clone())
        .merge(auth.router())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let config = Config::builder().database_url("sqlite::memory:").build()?;
    let limits = config.connection_limits.clone();
    let auth = Auth::new(config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000 (try /me)");
    keyward_server::serve(listener, app(auth), &limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
