//! The ceiling: a bare axum "hello" endpoint on the same runtime as `keyward-server`
//! (`#[tokio::main]`, one worker per core), measured by `keyward-bench` in the same run.
//!
//! `PORT` selects the port on 127.0.0.1; `GET /hello` answers `{"ok":true}`.

use axum::routing::get;
use axum::{Json, Router};

fn app() -> Router {
    Router::new().route("/hello", get(|| async { Json(serde_json::json!({"ok": true})) }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3400".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("ready {port}");
    axum::serve(listener, app()).await
}
