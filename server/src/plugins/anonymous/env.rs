//! The anonymous plugin's variables (`KEYWARD_ANONYMOUS_*`).

use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};
use keyward_client::wire::schema::is_valid_email;

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.anonymous.as_mut() else {
        return Ok(());
    };
    let name = "KEYWARD_ANONYMOUS_EMAIL_DOMAIN_NAME";
    if let Some(domain) = env.text(name) {
        if !is_valid_email(&format!("temp-a@{domain}")) {
            return Err(ConfigError::InvalidVariable {
                name,
                reason: format!("`{domain}` does not make valid addresses (temp-<id>@{domain})"),
            });
        }
        options.email_domain_name = Some(domain);
    }
    set(
        &mut options.disable_delete_anonymous_user,
        env.switch("KEYWARD_ANONYMOUS_DISABLE_DELETE_ANONYMOUS_USER")?,
    );
    Ok(())
}
