//! The SSR example's server: Keyward's API at `/api/auth`, the page at `/`, rendered with
//! the session of the request's cookie, and the browser half (`$SSR_PKG_DIR`, built by
//! wasm-bindgen) at `/pkg`. Configured like `keyward-server` (`PORT`, `BETTER_AUTH_URL`,
//! `BETTER_AUTH_SECRET`, `DATABASE_URL`, …).

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::Html;
use axum::routing::get;
use keyward_client::AuthClient;
use keyward_client::wire::SessionData;
use keyward_server::{Auth, Config, OptionalSession};
use keyward_ssr_example::{App, SESSION_SCRIPT_ID};
use leptos::prelude::*;

/// The page for one request: the server renders exactly what the browser will hydrate.
fn render(base: &url::Url, data: Option<SessionData>) -> Result<String, String> {
    let client = AuthClient::builder(base.clone()).build().map_err(|e| e.to_string())?;
    client.session().hydrate(data.clone());
    let body = Owner::new().with(|| {
        keyward_leptos::provide_auth(client);
        view! { <App /> }.to_html()
    });
    // `</` cannot appear inside the script element: JSON escapes it as `<\/`.
    let json = serde_json::to_string(&data)
        .map_err(|e| e.to_string())?
        .replace("</", "<\\/");
    Ok(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><title>Keyward SSR</title><link rel="icon" href="data:,">
<link rel="preload" href="/pkg/keyward_ssr_example_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<script id="{SESSION_SCRIPT_ID}" type="application/json">{json}</script>
<script type="module">import init, {{ hydrate }} from "/pkg/keyward_ssr_example.js"; init().then(hydrate);</script>
</head>
<body>{body}</body>
</html>"#
    ))
}

#[derive(Clone)]
struct AppState {
    auth: Auth,
    base: url::Url,
}

impl FromRef<AppState> for Auth {
    fn from_ref(state: &AppState) -> Auth {
        state.auth.clone()
    }
}

async fn page(State(state): State<AppState>, OptionalSession(data): OptionalSession) -> Result<Html<String>, String> {
    render(&state.base, data).map(Html)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let port = config.port;
    let base = config.base_url.clone();
    let pkg = std::env::var("SSR_PKG_DIR").unwrap_or_else(|_| "pkg".to_owned());
    let limits = config.connection_limits.clone();
    let auth = Auth::new(config).await.map_err(|e| e.to_string())?;
    let app = Router::new()
        .route("/", get(page))
        .with_state(AppState {
            auth: auth.clone(),
            base,
        })
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(tower_http::compression::CompressionLayer::new())
                .service(tower_http::services::ServeDir::new(pkg).precompressed_gzip()),
        )
        .merge(auth.router());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on port {port}: {e}"))?;
    println!("SSR example on http://localhost:{port}");
    keyward_server::serve(listener, app, &limits, std::future::pending())
        .await
        .map_err(|e| e.to_string())
}
