//! The plugins' variables: read when `KEYWARD_PLUGINS` enables the plugin, refused when
//! it does not (so a forgotten plugin or a typo in `KEYWARD_PLUGINS` is not ignored).

use super::{ENV_VARIABLES, Env};
use crate::config::{Config, ConfigError};
use crate::plugins::BUILTIN;

/// Enables the plugins of `KEYWARD_PLUGINS` and reads their variables.
pub(super) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    for id in env.list("KEYWARD_PLUGINS").unwrap_or_default() {
        let Some(plugin) = BUILTIN.iter().find(|plugin| plugin.id == id) else {
            let known: Vec<&str> = BUILTIN.iter().map(|plugin| plugin.id).collect();
            return Err(ConfigError::InvalidVariable {
                name: "KEYWARD_PLUGINS",
                reason: format!("unknown plugin `{id}` (known: {})", known.join(", ")),
            });
        };
        (plugin.enable)(config);
    }
    for plugin in &BUILTIN {
        if !(plugin.is_enabled)(config) {
            refuse_variables_of(env, plugin.id)?;
        }
    }
    for plugin in &BUILTIN {
        (plugin.read_env)(env, config)?;
    }
    refuse_plugin_columns(config)
}

fn refuse_variables_of(env: &Env, plugin: &'static str) -> Result<(), ConfigError> {
    for variable in ENV_VARIABLES.iter().filter(|v| v.plugin == Some(plugin)) {
        if env.raw(variable.name).is_some() {
            return Err(ConfigError::InvalidVariable {
                name: variable.name,
                reason: format!("the {plugin} plugin is off (add {plugin} to KEYWARD_PLUGINS, or unset it)"),
            });
        }
    }
    Ok(())
}

/// Additional fields may not take the columns the enabled plugins add.
fn refuse_plugin_columns(config: &Config) -> Result<(), ConfigError> {
    let plugins = crate::plugins::enabled(config);
    let declared = crate::plugin::declared_by(config, &plugins);
    let user_columns: Vec<&str> = declared.user_fields.iter().map(|field| field.name.as_str()).collect();
    let session_columns: Vec<&str> = declared
        .session_fields
        .iter()
        .map(|field| field.name.as_str())
        .collect();
    let checks = [
        (
            "KEYWARD_USER_ADDITIONAL_FIELDS",
            &config.user.additional_fields,
            user_columns,
        ),
        (
            "KEYWARD_SESSION_ADDITIONAL_FIELDS",
            &config.session.additional_fields,
            session_columns,
        ),
    ];
    for (name, fields, taken) in checks {
        if let Some(field) = fields.iter().find(|field| taken.contains(&field.name.as_str())) {
            return Err(ConfigError::InvalidVariable {
                name,
                reason: format!("`{}` is a column an enabled plugin adds", field.name),
            });
        }
    }
    Ok(())
}
