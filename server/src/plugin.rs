//! The plugin interface: what a plugin adds to the server, declared in one place.
//!
//! A plugin is a value implementing [`Plugin`]. At start-up [`Plugin::setup`] declares
//! its schema (additional user and session fields, tables), its hooks (database and
//! endpoint), its rate-limit rules and its error codes; [`Plugin::endpoints`] adds its
//! routes, which go through the same request pipeline as better-auth's core endpoints
//! (rate limit, body parsing, origin and CSRF checks, cookies, CORS, `{message, code}`
//! errors). Two plugins may not claim the same id, field, table, route or error code:
//! [`crate::AuthBuilder::build`] refuses to start and names both.
//!
//! Keyward's own plugins (two-factor, organization, passkey, admin, one-time-token,
//! electron, device-authorization, magic-link) are registered through this interface
//! too, from the configuration (`KEYWARD_PLUGINS` or [`crate::ConfigBuilder`]); an
//! application adds its own with [`crate::AuthBuilder::plugin`].
//!
//! ```no_run
//! use axum::Json;
//! use axum::extract::State;
//! use keyward_server::config::AdditionalField;
//! use keyward_server::db::FieldType;
//! use keyward_server::plugin::{Endpoints, Plugin, Setup};
//! use keyward_server::{ApiResult, Auth, Config, Session};
//!
//! /// Adds `nickname` to users and `GET /whoami`.
//! struct Whoami;
//!
//! async fn whoami(State(_auth): State<Auth>, Session(data): Session) -> ApiResult<Json<String>> {
//!     Ok(Json(data.user.name))
//! }
//!
//! impl Plugin for Whoami {
//!     fn id(&self) -> &'static str {
//!         "whoami"
//!     }
//!
//!     fn setup(&self, setup: &mut Setup) {
//!         setup.user_field(AdditionalField::new("nickname", FieldType::String));
//!     }
//!
//!     fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
//!         endpoints.get("/whoami", whoami)
//!     }
//! }
//!
//! # async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::builder(config).plugin(Whoami).build().await?;
//! # let _ = auth; Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{AdditionalField, Config, RateLimitRule};
use crate::db::schema::Table;
use crate::error::ApiResult;
use crate::request::Ctx;
use keyward_client::wire::{ErrorCode, SessionData, SignInOutcome};

use crate::hooks::{AccountHooks, EndpointHook, EndpointMatcher, Hooks, SessionHooks, UserHooks, VerificationHooks};

pub use crate::request::JsonBody;
pub use crate::routes::{Answer, Endpoints};

/// A server plugin: its id, what it declares at start-up, and its endpoints.
pub trait Plugin: Send + Sync + 'static {
    /// The plugin's id (better-auth's, for Keyward's ports of better-auth plugins).
    fn id(&self) -> &'static str;

    /// Declares the plugin's schema, hooks, rate-limit rules and error codes. Runs once,
    /// before the database is migrated.
    fn setup(&self, setup: &mut Setup) {
        let _ = setup;
    }

    /// Adds the plugin's endpoints (paths relative to the base path).
    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        endpoints
    }
}

/// What a plugin declares in [`Plugin::setup`].
pub struct Setup<'a> {
    config: &'a Config,
    plugin: &'static str,
    declared: &'a mut Declared,
}

impl Setup<'_> {
    /// The server's configuration (the plugin's own options live on the plugin value).
    pub fn config(&self) -> &Config {
        self.config
    }

    /// Adds a column to the `user` table and a field to every user the server returns
    /// (unless the field is not `returned`).
    pub fn user_field(&mut self, field: AdditionalField) -> &mut Self {
        self.declared.claim(self.plugin, format!("user field `{}`", field.name));
        self.declared.user_fields.push(field);
        self
    }

    /// Adds a column to the `session` table and a field to every session returned.
    pub fn session_field(&mut self, field: AdditionalField) -> &mut Self {
        self.declared
            .claim(self.plugin, format!("session field `{}`", field.name));
        self.declared.session_fields.push(field);
        self
    }

    /// Adds a table, created and extended by the migrations like the core ones.
    pub fn table(&mut self, table: Table) -> &mut Self {
        self.declared.claim(self.plugin, format!("table `{}`", table.name));
        self.declared.tables.push(table);
        self
    }

    /// Adds hooks on the `user` row (see [`crate::hooks`]).
    pub fn user_hooks(&mut self, hooks: impl UserHooks) -> &mut Self {
        self.declared.hooks.user.push(Arc::new(hooks));
        self
    }

    /// Adds hooks on the `session` row.
    pub fn session_hooks(&mut self, hooks: impl SessionHooks) -> &mut Self {
        self.declared.hooks.session.push(Arc::new(hooks));
        self
    }

    /// Adds hooks on the `account` row.
    pub fn account_hooks(&mut self, hooks: impl AccountHooks) -> &mut Self {
        self.declared.hooks.account.push(Arc::new(hooks));
        self
    }

    /// Adds hooks on the `verification` row.
    pub fn verification_hooks(&mut self, hooks: impl VerificationHooks) -> &mut Self {
        self.declared.hooks.verification.push(Arc::new(hooks));
        self
    }

    /// Runs `hook` around the endpoints `matcher` selects.
    pub fn endpoint_hook(&mut self, matcher: EndpointMatcher, hook: impl EndpointHook) -> &mut Self {
        self.declared.hooks.endpoint.push((matcher, Arc::new(hook)));
        self
    }

    /// A rate-limit rule for the paths `pattern` names (exact, or ending in `*`), applied
    /// when the configuration has no custom rule for the path.
    pub fn rate_limit(&mut self, pattern: &str, rule: RateLimitRule) -> &mut Self {
        self.declared.rate_limits.push((pattern.to_owned(), rule));
        self
    }

    /// Runs `step` after every password sign-in (Keyward's own plugins only).
    pub(crate) fn sign_in_step(&mut self, step: impl SignInStep) -> &mut Self {
        self.declared.sign_in_steps.push(Arc::new(step));
        self
    }

    /// Error codes the plugin answers with (`SOME_CODE`): two plugins may not share one,
    /// and none may be a code of better-auth's core or of a plugin Keyward ships (a client
    /// matching on `INVALID_TOKEN` must not get another plugin's meaning of it).
    pub fn error_codes(&mut self, codes: &[&str]) -> &mut Self {
        for code in codes {
            let what = format!("error code `{code}`");
            if !matches!(ErrorCode::parse(code), ErrorCode::Other(_)) {
                self.declared.owners.entry(what.clone()).or_insert("better-auth");
            }
            self.declared.claim(self.plugin, what);
        }
        self
    }
}

/// A step after a password sign-in made its session, before it is answered: it may take
/// the sign-in over and answer something else (the two-factor plugin's challenge).
/// Crate-internal: it works on the request context of Keyward's own routes.
#[async_trait::async_trait]
pub(crate) trait SignInStep: Send + Sync + 'static {
    /// `Some` answers in the sign-in's place (the step ends or keeps the session itself).
    async fn after_sign_in(&self, ctx: &mut Ctx, data: &SessionData) -> ApiResult<Option<SignInOutcome>>;
}

/// Everything the plugins declared, with who declared what.
#[derive(Default)]
pub(crate) struct Declared {
    pub user_fields: Vec<AdditionalField>,
    pub session_fields: Vec<AdditionalField>,
    pub tables: Vec<Table>,
    pub hooks: Hooks,
    pub rate_limits: Vec<(String, RateLimitRule)>,
    pub sign_in_steps: Vec<Arc<dyn SignInStep>>,
    owners: HashMap<String, &'static str>,
    conflicts: Vec<String>,
}

impl Declared {
    fn claim(&mut self, plugin: &'static str, what: String) {
        if let Some(owner) = self.owners.get(&what) {
            self.conflicts
                .push(format!("{what} is declared by `{owner}` and by `{plugin}`"));
        } else {
            self.owners.insert(what, plugin);
        }
    }
}

/// Why the plugins cannot be used together.
#[derive(Debug, thiserror::Error)]
#[error("plugins conflict: {}", .0.join("; "))]
pub struct PluginConflict(pub Vec<String>);

/// Runs every plugin's [`Plugin::setup`], after the core schema's names are claimed by
/// `core`, and refuses duplicate ids and declarations.
pub(crate) fn declare(config: &Config, plugins: &[Arc<dyn Plugin>]) -> Result<Declared, PluginConflict> {
    let mut declared = Declared::default();
    for field in &config.user.additional_fields {
        declared.claim("core", format!("user field `{}`", field.name));
    }
    for field in &config.session.additional_fields {
        declared.claim("core", format!("session field `{}`", field.name));
    }
    for table in ["user", "session", "account", "verification"] {
        declared.claim("core", format!("table `{table}`"));
    }
    run_setup(config, plugins, &mut declared);
    if declared.conflicts.is_empty() {
        Ok(declared)
    } else {
        Err(PluginConflict(std::mem::take(&mut declared.conflicts)))
    }
}

/// What `plugins` declare, conflicts aside (for checks that name the configuration's own
/// source of a clash, such as an environment variable).
pub(crate) fn declared_by(config: &Config, plugins: &[Arc<dyn Plugin>]) -> Declared {
    let mut declared = Declared::default();
    run_setup(config, plugins, &mut declared);
    declared
}

fn run_setup(config: &Config, plugins: &[Arc<dyn Plugin>], declared: &mut Declared) {
    for plugin in plugins {
        declared.claim(plugin.id(), format!("plugin id `{}`", plugin.id()));
        let mut setup = Setup {
            config,
            plugin: plugin.id(),
            declared,
        };
        plugin.setup(&mut setup);
    }
}
