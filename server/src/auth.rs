//! [`Auth`]: the configured server, cheap to clone, from which the router, the
//! server-side API and the extractors are made.

use crate::log_safe::Escaped;
use std::sync::Arc;

use axum::Router;

use crate::config::{Config, ConfigError, RateLimitRule};
use crate::cookies::CookieNames;
use crate::crypto::symmetric::EncryptionKeys;
use crate::db::schema::{MigrationReport, Table, core_tables, migrate};
use crate::db::{Db, Dialect, Exec, ModelFields, SessionReads};
use crate::email::{EmailError, EmailSender, OtpSender};
use crate::origin::{OriginPolicy, origin_of};
use crate::plugin::Plugin;
use crate::rate_limit::{MemoryStore, RateLimitStore, SecondaryStorageStore};
use crate::secondary_storage::{RedisStorage, SecondaryStorage};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The email transport could not be set up.
    #[error(transparent)]
    Email(#[from] EmailError),
    /// The secondary storage (Redis) could not be reached.
    #[error(transparent)]
    SecondaryStorage(#[from] crate::secondary_storage::StorageError),
    /// Two plugins (or a plugin and the core) claim the same id, field, table, route or
    /// error code.
    #[error(transparent)]
    Plugin(#[from] crate::plugin::PluginConflict),
}

pub(crate) struct AuthInner {
    pub config: Config,
    pub db: Db,
    pub fields: ModelFields,
    /// Coalesced session reads, on PostgreSQL.
    pub session_reads: Option<Arc<SessionReads>>,
    pub cookies: CookieNames,
    pub origins: OriginPolicy,
    pub email: Option<Arc<dyn EmailSender>>,
    pub rate_limit_store: Arc<dyn RateLimitStore>,
    /// better-auth's `secondaryStorage`, when configured.
    pub secondary_storage: Option<Arc<dyn SecondaryStorage>>,
    pub encryption: EncryptionKeys,
    /// Delivers two-factor codes; `None` when OTP is unavailable.
    pub otp_sender: Option<Arc<dyn OtpSender>>,
    /// The social sign-in providers.
    pub providers: crate::social::Providers,
    /// The plugins' and the application's hooks.
    pub hooks: crate::hooks::Hooks,
    /// The enabled plugins, Keyward's own first.
    pub plugins: Vec<Arc<dyn Plugin>>,
    /// The plugins' tables.
    pub plugin_tables: Vec<Table>,
    /// The plugins' rate-limit rules.
    pub plugin_rate_limits: Vec<(String, RateLimitRule)>,
    /// The plugins' steps after a password sign-in.
    pub sign_in_steps: Vec<Arc<dyn crate::plugin::SignInStep>>,
}

/// A running Keyward server's shared state. Clone it freely.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use keyward_server::{Auth, Config};
/// let config = Config::from_env()?;
/// let limits = config.connection_limits.clone();
/// let auth = Auth::new(config).await?;
/// let app = axum::Router::new().merge(auth.router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// keyward_server::serve(listener, app, &limits, std::future::pending()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth(pub(crate) Arc<AuthInner>);

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("base_url", &self.0.config.base_url.as_str())
            .field("base_path", &self.0.config.base_path)
            .finish_non_exhaustive()
    }
}

/// Configures the parts of [`Auth`] that are not plain data.
pub struct AuthBuilder {
    config: Config,
    email: Option<Option<Arc<dyn EmailSender>>>,
    rate_limit_store: Option<Arc<dyn RateLimitStore>>,
    secondary_storage: Option<Arc<dyn SecondaryStorage>>,
    otp_sender: Option<Arc<dyn OtpSender>>,
    run_migrations: bool,
    hooks: crate::hooks::Hooks,
    plugins: Vec<Arc<dyn Plugin>>,
}

impl AuthBuilder {
    /// Delivers emails through `sender` (instead of what the environment configures).
    pub fn email_sender(mut self, sender: impl EmailSender + 'static) -> Self {
        self.email = Some(Some(Arc::new(sender)));
        self
    }

    /// Sends no email at all: verification, password reset and confirmation emails are
    /// then unavailable, as in better-auth without the corresponding callbacks.
    pub fn without_email(mut self) -> Self {
        self.email = Some(None);
        self
    }

    /// Keeps rate-limit counters in `store` (for example one shared by several processes).
    pub fn rate_limit_store(mut self, store: impl RateLimitStore + 'static) -> Self {
        self.rate_limit_store = Some(Arc::new(store));
        self
    }

    /// Uses `storage` as better-auth's `secondaryStorage` (instead of connecting to
    /// `REDIS_URL`): rate-limit counters live there, shared with every process using it.
    pub fn secondary_storage(mut self, storage: impl SecondaryStorage) -> Self {
        self.secondary_storage = Some(Arc::new(storage));
        self
    }

    /// Delivers two-factor codes through `sender` (an SMS gateway, say) instead of email.
    pub fn two_factor_otp_sender(mut self, sender: impl OtpSender + 'static) -> Self {
        self.otp_sender = Some(Arc::new(sender));
        self
    }

    /// Adds hooks on the `user` row (see [`crate::hooks`]); several run in the order added.
    pub fn user_hooks(mut self, hooks: impl crate::hooks::UserHooks) -> Self {
        self.hooks.user.push(Arc::new(hooks));
        self
    }

    /// Adds hooks on the `session` row (see [`crate::hooks`]).
    pub fn session_hooks(mut self, hooks: impl crate::hooks::SessionHooks) -> Self {
        self.hooks.session.push(Arc::new(hooks));
        self
    }

    /// Adds hooks on the `account` row (see [`crate::hooks`]).
    pub fn account_hooks(mut self, hooks: impl crate::hooks::AccountHooks) -> Self {
        self.hooks.account.push(Arc::new(hooks));
        self
    }

    /// Adds hooks on the `verification` row (see [`crate::hooks`]).
    pub fn verification_hooks(mut self, hooks: impl crate::hooks::VerificationHooks) -> Self {
        self.hooks.verification.push(Arc::new(hooks));
        self
    }

    /// Runs `hook` around the endpoints `matcher` selects (see [`crate::hooks`]).
    pub fn endpoint_hook(
        mut self,
        matcher: crate::hooks::EndpointMatcher,
        hook: impl crate::hooks::EndpointHook,
    ) -> Self {
        self.hooks.endpoint.push((matcher, Arc::new(hook)));
        self
    }

    /// Adds a plugin (see [`crate::plugin`]), after Keyward's own enabled ones.
    pub fn plugin(mut self, plugin: impl Plugin) -> Self {
        self.plugins.push(Arc::new(plugin));
        self
    }

    /// Does not run migrations on start (run `keyward-server migrate` instead).
    pub fn skip_migrations(mut self) -> Self {
        self.run_migrations = false;
        self
    }

    /// Connects to the database, migrates it, and returns the server state.
    pub async fn build(self) -> Result<Auth, StartError> {
        self.config.validate()?;
        let email = match self.email {
            Some(explicit) => explicit,
            None => crate::email::from_config(&self.config.email)?,
        };
        let db = Db::connect(&self.config.database_url).await?;
        let secondary_storage = match (self.secondary_storage, &self.config.secondary_storage.redis_url) {
            (Some(explicit), _) => Some(explicit),
            (None, Some(url)) => Some(Arc::new(
                RedisStorage::connect(url, &self.config.secondary_storage.key_prefix).await?,
            ) as Arc<dyn SecondaryStorage>),
            (None, None) => None,
        };
        let mut plugins = crate::plugins::enabled(&self.config);
        plugins.extend(self.plugins);
        let mut declared = crate::plugin::declare(&self.config, &plugins)?;
        let mut user_fields = self.config.user.additional_fields.clone();
        user_fields.append(&mut declared.user_fields);
        let mut session_fields = self.config.session.additional_fields.clone();
        session_fields.append(&mut declared.session_fields);
        let mut hooks = std::mem::take(&mut declared.hooks);
        hooks.extend(self.hooks);
        let fields = ModelFields::new(user_fields, session_fields);
        let otp_sender = crate::plugins::two_factor::otp_sender(&self.config, self.otp_sender, email.clone());
        let mut trusted = Vec::new();
        if let Some(origin) = origin_of(self.config.base_url.as_str()) {
            trusted.push(origin);
        }
        trusted.extend(self.config.trusted_origins.iter().cloned());
        let origins = OriginPolicy {
            trusted,
            disable_origin_check: self.config.advanced.disable_origin_check,
            disable_csrf_check: self.config.advanced.disable_csrf_check,
        };
        let auth = Auth(Arc::new(AuthInner {
            cookies: CookieNames::new(&self.config),
            encryption: self.config.encryption_keys(),
            otp_sender,
            providers: crate::social::Providers::new(&self.config.social_providers, self.config.provider_timeout),
            hooks,
            plugins,
            plugin_tables: declared.tables,
            plugin_rate_limits: declared.rate_limits,
            sign_in_steps: declared.sign_in_steps,
            config: self.config,
            session_reads: (db.dialect() == Dialect::Postgres)
                .then(|| SessionReads::new(db.clone(), fields.clone(), SessionReads::in_flight_limit())),
            db,
            fields,
            origins,
            email,
            rate_limit_store: match (self.rate_limit_store, &secondary_storage) {
                (Some(explicit), _) => explicit,
                (None, Some(shared)) => Arc::new(SecondaryStorageStore(shared.clone())),
                (None, None) => Arc::new(MemoryStore::default()),
            },
            secondary_storage,
        }));
        let conflicts = crate::routes::conflicts(&auth);
        if !conflicts.is_empty() {
            return Err(crate::plugin::PluginConflict(conflicts).into());
        }
        if self.run_migrations {
            let report = auth.migrate().await?;
            if !report.is_empty() {
                tracing::info!(tables = ?report.created_tables, columns = ?report.added_columns, "database migrated");
            }
        }
        Ok(auth)
    }
}

impl Auth {
    /// Starts building from a configuration.
    pub fn builder(config: Config) -> AuthBuilder {
        AuthBuilder {
            config,
            email: None,
            rate_limit_store: None,
            secondary_storage: None,
            otp_sender: None,
            run_migrations: true,
            hooks: crate::hooks::Hooks::default(),
            plugins: Vec::new(),
        }
    }

    /// Connects, migrates, and configures email from the environment settings in `config`.
    pub async fn new(config: Config) -> Result<Self, StartError> {
        Self::builder(config).build().await
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The secondary storage (Redis), when one is configured.
    pub fn secondary_storage(&self) -> Option<&Arc<dyn SecondaryStorage>> {
        self.0.secondary_storage.as_ref()
    }

    /// The database pool.
    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// Creates missing tables and columns (idempotent).
    pub async fn migrate(&self) -> Result<MigrationReport, sqlx::Error> {
        let dialect = self.0.db.dialect();
        let mut tables = core_tables(&self.0.fields.user, &self.0.fields.session, dialect);
        tables.extend(self.0.plugin_tables.iter().cloned());
        migrate(&self.0.db, &tables).await
    }

    /// The endpoints, mounted at the configured base path (`/api/auth`), with rate
    /// limiting, cookie and bearer handling, and CORS for trusted origins when enabled.
    pub fn router(&self) -> Router {
        Router::new().nest(&self.0.config.base_path, crate::routes::router(self.clone()))
    }

    /// Every endpoint this server answers with its configuration (the enabled plugins'
    /// included): method and path relative to the base path.
    pub fn endpoints(&self) -> Vec<crate::RouteInfo> {
        crate::routes::list(self)
    }

    /// Whether an email sender is configured (verification and reset emails possible).
    pub(crate) fn can_send_email(&self) -> bool {
        self.0.email.is_some()
    }

    /// Whether verification emails go out: an email sender, or the email-OTP plugin's
    /// codes in their place (`overrideDefaultEmailVerification`).
    pub(crate) fn can_send_verification_email(&self) -> bool {
        self.can_send_email() || crate::plugins::email_otp::overrides_email_verification(self)
    }

    /// Sends an email; delivery failures are logged, never shown to the client (the
    /// answer must not depend on whether an address exists).
    pub(crate) async fn send_email(&self, email: crate::email::Email) {
        if let Some(sender) = &self.0.email
            && let Err(error) = sender.send(&email).await
        {
            tracing::error!(error = %Escaped(&error), kind = ?email.kind, "email delivery failed");
        }
    }

    /// Server-side calls for embedding applications (see [`crate::api::Api`]).
    pub fn api(&self) -> crate::api::Api<'_> {
        crate::api::Api::new(self)
    }
}
