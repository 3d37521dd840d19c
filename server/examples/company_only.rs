//! Only `@company.com` addresses may sign up, refused with the code
//! `COMPANY_ADDRESS_REQUIRED` that clients receive as `{message, code}`:
//!
//! - a `before` endpoint hook on `POST /sign-up/email` answers at once, before the
//!   password is hashed (better-auth's `hooks.before`);
//! - a user hook refuses every other way a user could be created (a provider's new user,
//!   an admin's create-user), which an endpoint hook alone would miss.
//!
//! Run: `cargo run -p keyward-server --example company_only`, then
//!
//! ```text
//! curl -s -X POST localhost:3000/api/auth/sign-up/email -H 'content-type: application/json' \
//!      -d '{"name":"Eve","email":"eve@gmail.com","password":"correct-horse"}'
//! {"message":"Sign up with your @company.com address","code":"COMPANY_ADDRESS_REQUIRED"}
//! ```

use axum::http::StatusCode;
use keyward_server::db::users::NewUser;
use keyward_server::hooks::{EndpointHook, EndpointMatcher, EndpointRequest, UserHooks};
use keyward_server::wire::ErrorCode;
use keyward_server::{ApiError, ApiResult, Auth, AuthBuilder, Config};

/// The domain allowed to sign up.
pub const DOMAIN: &str = "@company.com";

/// The refusal, the same from both hooks.
pub fn refusal() -> ApiError {
    ApiError::with_message(
        StatusCode::FORBIDDEN,
        ErrorCode::Other("COMPANY_ADDRESS_REQUIRED".into()),
        format!("Sign up with your {DOMAIN} address"),
    )
}

fn allowed(email: &str) -> bool {
    email.trim().to_ascii_lowercase().ends_with(DOMAIN)
}

/// Refuses an email sign-up of another domain before any work is done.
pub struct CompanySignUps;

#[async_trait::async_trait]
impl EndpointHook for CompanySignUps {
    async fn before(&self, request: &mut EndpointRequest) -> ApiResult<Option<axum::response::Response>> {
        match request.body_str("email") {
            // No address: the endpoint's own validation answers.
            None => Ok(None),
            Some(email) if allowed(email) => Ok(None),
            Some(_) => Err(refusal()),
        }
    }
}

/// Refuses a user of another domain on every path that creates one.
pub struct CompanyUsers;

#[async_trait::async_trait]
impl UserHooks for CompanyUsers {
    async fn before_create(&self, _auth: &Auth, user: &mut NewUser) -> ApiResult<()> {
        if allowed(&user.email) { Ok(()) } else { Err(refusal()) }
    }
}

/// Registers both hooks.
pub fn customize(builder: AuthBuilder) -> AuthBuilder {
    builder
        .endpoint_hook(EndpointMatcher::post("/sign-up/email"), CompanySignUps)
        .user_hooks(CompanyUsers)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let config = Config::builder().database_url("sqlite::memory:").build()?;
    let limits = config.connection_limits.clone();
    let auth = customize(Auth::builder(config)).build().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000/api/auth");
    keyward_server::serve(listener, auth.router(), &limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
