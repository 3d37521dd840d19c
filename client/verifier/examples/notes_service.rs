//! A service that is not the auth server: a notes API whose callers sign in at a Keyward
//! or better-auth server (with the jwt plugin) and send the token it gives them, or send
//! one of their API keys (with the api-key plugin and sessions for keys on) in
//! `x-api-key`.
//!
//! ```text
//! AUTH_URL=http://localhost:3000 cargo run -p keyward-verifier --example notes_service
//! curl -H "Authorization: Bearer $(curl -s -b cookies.txt localhost:3000/api/auth/token | jq -r .token)" \
//!      localhost:4000/notes
//! ```
//!
//! `GET /health` is open; `GET /me` takes its caller with the `Authenticated` extractor;
//! everything under `/notes` is behind the `RequireCaller` layer. A caller with an API key
//! adds notes only when the key grants `notes: ["write"]`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use keyward_client::wire::organization::access::Permissions;
use keyward_verifier::{Authenticated, Caller, RequireCaller, Verifier};
use serde_json::{Value, json};

/// The service's state: the verifier and each user's notes.
#[derive(Clone)]
pub struct Notes {
    verifier: Verifier,
    notes: Arc<Mutex<HashMap<String, Vec<String>>>>,
}

impl FromRef<Notes> for Verifier {
    fn from_ref(state: &Notes) -> Verifier {
        state.verifier.clone()
    }
}

async fn me(Authenticated(caller): Authenticated) -> Json<Value> {
    Json(json!({"id": caller.user_id, "email": caller.claims.get("email")}))
}

async fn list(State(state): State<Notes>, Extension(caller): Extension<Caller>) -> Json<Vec<String>> {
    let notes = state.notes.lock().map(|notes| notes.get(&caller.user_id).cloned());
    Json(notes.ok().flatten().unwrap_or_default())
}

async fn add(
    State(state): State<Notes>,
    Extension(caller): Extension<Caller>,
    text: String,
) -> Result<Json<Vec<String>>, (StatusCode, Json<Value>)> {
    let write = Permissions::new().with("notes", ["write"]);
    if caller.api_key.is_some() && !caller.key_allows(&write) {
        let refusal = json!({"message": "the API key may not write notes", "code": "FORBIDDEN"});
        return Err((StatusCode::FORBIDDEN, Json(refusal)));
    }
    let mut notes = state.notes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mine = notes.entry(caller.user_id).or_default();
    mine.push(text);
    Ok(Json(mine.clone()))
}

/// The service's routes.
pub fn app(verifier: Verifier) -> Router {
    let state = Notes {
        verifier: verifier.clone(),
        notes: Arc::default(),
    };
    let notes = Router::new()
        .route("/notes", get(list).post(add))
        .layer(RequireCaller::new(verifier));
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/me", get(me))
        .merge(notes)
        .with_state(state)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth_url = std::env::var("AUTH_URL").unwrap_or_else(|_| "http://localhost:3000".into());
    let verifier = Verifier::builder(auth_url.parse()?)
        .accept_api_keys(std::time::Duration::from_secs(30))
        .build()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:4000").await?;
    println!("notes service on http://127.0.0.1:4000, trusting {auth_url}");
    axum::serve(listener, app(verifier)).await?;
    Ok(())
}
