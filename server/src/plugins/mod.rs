//! Keyward's ports of better-auth's plugins, one folder each with everything the plugin
//! is: its options (`config`), its variables (`env`), its tables (`schema`), its queries
//! (`store`), its hooks and its endpoints, registered through [`crate::plugin::Plugin`]
//! like an application's own plugins.
//!
//! A plugin is switched on by its better-auth id in `KEYWARD_PLUGINS` or by its options
//! on [`crate::ConfigBuilder`]; [`BUILTIN`] is the one list both read.

pub(crate) mod admin;
pub(crate) mod anonymous;
pub(crate) mod api_key;
pub(crate) mod device_authorization;
pub(crate) mod electron;
pub(crate) mod email_otp;
pub(crate) mod jwt;
pub(crate) mod last_login_method;
pub(crate) mod magic_link;
pub(crate) mod multi_session;
pub(crate) mod one_time_token;
pub(crate) mod open_api;
pub(crate) mod organization;
pub(crate) mod passkey;
pub(crate) mod phone_number;
pub(crate) mod two_factor;
pub(crate) mod username;

use std::sync::Arc;

use crate::config::env::Env;
use crate::config::{Config, ConfigError};
use crate::plugin::Plugin;

/// A plugin shipped with Keyward, as the configuration knows it.
pub(crate) struct Builtin {
    /// better-auth's id, as `KEYWARD_PLUGINS` names it.
    pub id: &'static str,
    /// Switches the plugin on with its default options.
    pub enable: fn(&mut Config),
    /// Whether `config` switches the plugin on.
    pub is_enabled: fn(&Config) -> bool,
    /// Reads the plugin's variables into its options (nothing when it is off).
    pub read_env: fn(&Env, &mut Config) -> Result<(), ConfigError>,
    /// The plugin with the options of `config`, when it is on.
    pub plugin: fn(&Config) -> Option<Arc<dyn Plugin>>,
}

/// Keyward's plugins, in better-auth's usual order (the order their hooks run in).
pub(crate) const BUILTIN: [Builtin; 17] = [
    two_factor::BUILTIN,
    organization::BUILTIN,
    passkey::BUILTIN,
    admin::BUILTIN,
    one_time_token::BUILTIN,
    electron::BUILTIN,
    device_authorization::BUILTIN,
    last_login_method::BUILTIN,
    magic_link::BUILTIN,
    username::BUILTIN,
    email_otp::BUILTIN,
    phone_number::BUILTIN,
    anonymous::BUILTIN,
    multi_session::BUILTIN,
    jwt::BUILTIN,
    api_key::BUILTIN,
    open_api::BUILTIN,
];

/// Keyward's plugins that `config` switches on.
pub(crate) fn enabled(config: &Config) -> Vec<Arc<dyn Plugin>> {
    BUILTIN.iter().filter_map(|builtin| (builtin.plugin)(config)).collect()
}
