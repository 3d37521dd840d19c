//! An audit log of sign-ins: an `after` endpoint hook on every sign-in endpoint (email,
//! passkey, two-factor, a provider's callback) records who tried, from where, and how it
//! ended; each user sees their own entries at `GET /me/sign-ins`.
//!
//! The hook matches the endpoints where a sign-in *finishes*, not where it starts: a
//! social sign-in starts at `/sign-in/social` and ends at `/callback/{provider}`, a
//! two-factor sign-in ends at `/two-factor/verify-*`.
//!
//! Run: `cargo run -p keyward-server --example audit_log`, sign up and in (see the
//! `protected_routes` example), then `curl localhost:3000/me/sign-ins -H "authorization: Bearer …"`.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::http::header;
use axum::routing::get;
use keyward_server::hooks::{EndpointHook, EndpointMatcher, EndpointRequest, EndpointResponse};
use keyward_server::{ApiResult, Auth, AuthBuilder, Config, Session};
use serde::Serialize;

/// One attempt.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SignInAttempt {
    /// The endpoint, relative to the base path (`/sign-in/email`).
    pub endpoint: String,
    /// Whether a session was handed out.
    pub succeeded: bool,
    /// The answer's status.
    pub status: u16,
    /// The user signed in, when known.
    pub user_id: Option<String>,
    /// The address given, when one was.
    pub email: Option<String>,
    /// The error code of a refusal.
    pub code: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// When, in RFC 3339.
    pub at: String,
}

/// The log (in memory here; a real one writes a table or ships to a collector).
#[derive(Clone, Default)]
pub struct AuditLog(Arc<Mutex<Vec<SignInAttempt>>>);

impl AuditLog {
    /// Every attempt so far, oldest first.
    pub fn entries(&self) -> Vec<SignInAttempt> {
        self.0.lock().map(|entries| entries.clone()).unwrap_or_default()
    }

    fn record(&self, attempt: SignInAttempt) {
        tracing::info!(?attempt, "sign-in");
        if let Ok(mut entries) = self.0.lock() {
            entries.push(attempt);
        }
    }
}

#[async_trait::async_trait]
impl EndpointHook for AuditLog {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let json = response.json();
        let redirect_error = response
            .headers()
            .get(header::LOCATION)
            .and_then(|location| location.to_str().ok())
            .is_some_and(|location| location.contains("error="));
        let user_id = json
            .and_then(|body| body.pointer("/user/id"))
            .and_then(|id| id.as_str())
            .map(str::to_owned);
        // A two-factor challenge is a 200 without a session: not a sign-in yet.
        let challenged = json.and_then(|body| body.get("twoFactorRedirect")).is_some();
        let has_session_cookie = response.headers().get_all(header::SET_COOKIE).iter().any(|cookie| {
            cookie
                .to_str()
                .is_ok_and(|c| c.contains(".session_token=") && !c.contains("Max-Age=0"))
        });
        let status = response.status();
        self.record(SignInAttempt {
            endpoint: request.path().to_owned(),
            succeeded: !challenged
                && !redirect_error
                && (status.is_success() || status.is_redirection())
                && (user_id.is_some() || has_session_cookie),
            status: status.as_u16(),
            user_id,
            email: request.body_str("email").map(str::to_owned),
            code: json
                .and_then(|body| body.get("code"))
                .and_then(|code| code.as_str())
                .map(str::to_owned),
            user_agent: request
                .headers()
                .get(header::USER_AGENT)
                .and_then(|agent| agent.to_str().ok())
                .map(str::to_owned),
            at: chrono::Utc::now().to_rfc3339(),
        });
        Ok(())
    }
}

/// Hooks the log onto every endpoint that finishes a sign-in.
pub fn customize(builder: AuthBuilder, log: &AuditLog) -> AuthBuilder {
    [
        EndpointMatcher::post("/sign-in/*"),
        EndpointMatcher::any("/callback/*"),
        EndpointMatcher::post("/passkey/verify-authentication"),
        EndpointMatcher::post("/two-factor/verify-*"),
    ]
    .into_iter()
    .fold(builder, |builder, matcher| builder.endpoint_hook(matcher, log.clone()))
}

/// The application's state: the server and the log.
#[derive(Clone)]
pub struct AppState {
    auth: Auth,
    log: AuditLog,
}

impl axum::extract::FromRef<AppState> for Auth {
    fn from_ref(state: &AppState) -> Auth {
        state.auth.clone()
    }
}

/// `GET /me/sign-ins`: the signed-in user's own attempts.
async fn my_sign_ins(
    axum::extract::State(state): axum::extract::State<AppState>,
    Session(data): Session,
) -> Json<Vec<SignInAttempt>> {
    let mine = state
        .log
        .entries()
        .into_iter()
        .filter(|entry| {
            entry.user_id.as_deref() == Some(data.user.id.as_str())
                || entry.email.as_deref() == Some(data.user.email.as_str())
        })
        .collect();
    Json(mine)
}

/// The application: `/me/sign-ins` beside the auth endpoints.
pub fn app(auth: Auth, log: AuditLog) -> Router {
    Router::new()
        .route("/me/sign-ins", get(my_sign_ins))
        .with_state(AppState {
            auth: auth.clone(),
            log,
        })
        .merge(auth.router())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let config = Config::builder().database_url("sqlite::memory:").build()?;
    let limits = config.connection_limits.clone();
    let log = AuditLog::default();
    let auth = customize(Auth::builder(config), &log).build().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000 (try /me/sign-ins)");
    keyward_server::serve(listener, app(auth, log), &limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
