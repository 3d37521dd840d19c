//! The admin plugin's variables (`KEYWARD_ADMIN_*`).

use keyward_client::wire::admin::AdminRoles;

use crate::config::env::formats::parse_roles;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.admin.as_mut() else {
        return Ok(());
    };
    set(&mut options.default_role, env.text("KEYWARD_ADMIN_DEFAULT_ROLE"));
    set(&mut options.admin_roles, env.list("KEYWARD_ADMIN_ADMIN_ROLES"));
    set(&mut options.admin_user_ids, env.list("KEYWARD_ADMIN_USER_IDS"));
    if let Some(roles) = env.parsed("KEYWARD_ADMIN_ROLES", parse_roles)? {
        options.roles = AdminRoles(roles);
        options.custom_roles = true;
    }
    set(
        &mut options.impersonation_session_duration,
        env.seconds("KEYWARD_ADMIN_IMPERSONATION_SESSION_DURATION")?,
    );
    set(
        &mut options.allow_impersonating_admins,
        env.switch("KEYWARD_ADMIN_ALLOW_IMPERSONATING_ADMINS")?,
    );
    set(
        &mut options.banned_user_message,
        env.text("KEYWARD_ADMIN_BANNED_USER_MESSAGE"),
    );
    if let Some(reason) = env.text("KEYWARD_ADMIN_DEFAULT_BAN_REASON") {
        options.default_ban_reason = Some(reason);
    }
    if let Some(expires_in) = env.seconds("KEYWARD_ADMIN_DEFAULT_BAN_EXPIRES_IN")? {
        options.default_ban_expires_in = Some(expires_in);
    }
    Ok(())
}
