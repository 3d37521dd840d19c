//! The last-login-method plugin (better-auth `lastLoginMethod`): an answer that signs
//! someone in by a method it recognises sets the readable cookie
//! `better-auth.last_used_login_method=<method>`, and with `store_in_database` the user's
//! `lastLoginMethod` column keeps it too, so a sign-in page can mark the method used last.
//!
//! The methods, as better-auth names them: `email` (`/sign-in/email`, `/sign-up/email`),
//! the provider's id (`/callback/{id}`), `google` (`/one-tap/callback`), `passkey`,
//! `magic-link`, `email-otp` and `siwe`; [`LastLoginMethodConfig::resolve_method`] names
//! others.

mod config;
mod env;
mod hooks;

pub use config::{BeforeStoreCookie, LastLoginMethodConfig, ResolveLoginMethod};

use std::sync::Arc;

use super::Builtin;
use crate::config::AdditionalField;
use crate::db::FieldType;
use crate::hooks::EndpointMatcher;
use crate::plugin::{Plugin, Setup};

/// The user column (`lastLoginMethod`) of `store_in_database`.
pub(crate) const COLUMN: &str = "lastLoginMethod";

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "last-login-method",
    enable: |config| config.last_login_method = Some(LastLoginMethodConfig::default()),
    is_enabled: |config| config.last_login_method.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .last_login_method
            .clone()
            .map(|options| Arc::new(LastLoginMethodPlugin(options)) as Arc<dyn Plugin>)
    },
};

/// The last-login-method plugin: an `after` hook on every endpoint and, with
/// `store_in_database`, the user's `lastLoginMethod` column.
pub(crate) struct LastLoginMethodPlugin(LastLoginMethodConfig);

impl Plugin for LastLoginMethodPlugin {
    fn id(&self) -> &'static str {
        "last-login-method"
    }

    fn setup(&self, setup: &mut Setup) {
        if self.0.store_in_database {
            setup.user_field(AdditionalField::new(COLUMN, FieldType::String).server_only());
        }
        setup.endpoint_hook(EndpointMatcher::any("*"), hooks::RecordLoginMethod(self.0.clone()));
    }
}
