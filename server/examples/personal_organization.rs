//! A database hook: every new user gets a personal organization and a welcome email,
//! whichever way they signed up (email, a provider, an admin's create-user).
//!
//! Run: `cargo run -p keyward-server --example personal_organization`, then sign up:
//!
//! ```text
//! curl -s -X POST localhost:3000/api/auth/sign-up/email -H 'content-type: application/json' \
//!      -d '{"name":"Ada","email":"ada@example.com","password":"correct-horse"}' -D - | grep set-auth-token
//! curl -s localhost:3000/api/auth/organization/list -H "authorization: Bearer <set-auth-token>"
//! ```
//!
//! The welcome email is printed (the development sender); with `SMTP_URL` it is sent.

use keyward_server::config::OrganizationConfig;
use keyward_server::email::{Email, EmailKind};
use keyward_server::hooks::UserHooks;
use keyward_server::wire::User;
use keyward_server::wire::organization::CreateOrganizationRequest;
use keyward_server::{Auth, AuthBuilder, Config};

/// Creates "<name>'s workspace" for each new user, then welcomes them.
pub struct PersonalWorkspace;

/// The personal organization's slug: unique, since user ids are.
pub fn personal_slug(user: &User) -> String {
    format!("personal-{}", user.id.to_ascii_lowercase())
}

#[async_trait::async_trait]
impl UserHooks for PersonalWorkspace {
    // After the commit: the user exists for every other request, and a failure here
    // cannot undo the sign-up (it is logged; the user can still create one).
    async fn after_create(&self, auth: &Auth, user: &User) {
        let workspace = CreateOrganizationRequest {
            name: format!("{}'s workspace", user.name),
            slug: personal_slug(user),
            logo: None,
            metadata: Some(
                serde_json::json!({ "personal": true })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
            keep_current_active_organization: None,
        };
        if let Err(error) = auth.api().create_organization(&user.id, &workspace).await {
            tracing::error!(%error, user = %user.id, "the personal organization could not be created");
            return;
        }
        let welcome = Email {
            kind: EmailKind::Application,
            to: user.email.clone(),
            user_id: user.id.clone(),
            subject: format!("Welcome to {}", auth.config().app_name),
            text: format!(
                "Hello {},\n\nyour workspace \"{}\" is ready.\n",
                user.name, workspace.name
            ),
            url: None,
            token: String::new(),
            new_email: None,
        };
        auth.api().send_email(welcome).await;
    }
}

/// The organization plugin on, which the hook needs.
pub fn configure(config: &mut Config) {
    config.organization.get_or_insert_with(OrganizationConfig::default);
}

/// Registers the hook.
pub fn customize(builder: AuthBuilder) -> AuthBuilder {
    builder.user_hooks(PersonalWorkspace)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let mut config = Config::builder().database_url("sqlite::memory:").build()?;
    configure(&mut config);
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
