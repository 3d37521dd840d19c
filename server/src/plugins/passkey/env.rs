//! The passkey plugin's variables (`KEYWARD_PASSKEY_*`).

use keyward_client::wire::{AuthenticatorAttachment, AuthenticatorSelection};

use crate::config::env::formats::{check_cookie_name, parse_choice};
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// `discouraged`, `preferred` or `required`, as WebAuthn spells them.
fn requirement(name: &'static str, value: &str) -> Result<String, ConfigError> {
    parse_choice(
        name,
        value,
        &[
            ("discouraged", "discouraged"),
            ("preferred", "preferred"),
            ("required", "required"),
        ],
    )
    .map(str::to_owned)
}

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.passkey.as_mut() else {
        return Ok(());
    };
    if let Some(rp_id) = env.parsed("KEYWARD_PASSKEY_RP_ID", |name, value| {
        match url::Host::parse(value.trim()) {
            Ok(url::Host::Domain(domain)) => Ok(domain),
            _ => Err(ConfigError::InvalidVariable {
                name,
                reason: format!("`{value}` is not a domain such as example.com (no scheme, port or path)"),
            }),
        }
    })? {
        options.rp_id = Some(rp_id);
    }
    if let Some(rp_name) = env.text("KEYWARD_PASSKEY_RP_NAME") {
        options.rp_name = Some(rp_name);
    }
    set(&mut options.origins, env.list("KEYWARD_PASSKEY_ORIGINS"));
    let selection: &mut AuthenticatorSelection = &mut options.authenticator_selection;
    if let Some(attachment) = env.parsed("KEYWARD_PASSKEY_AUTHENTICATOR_ATTACHMENT", |name, value| {
        parse_choice(
            name,
            value,
            &[
                ("platform", AuthenticatorAttachment::Platform),
                ("cross-platform", AuthenticatorAttachment::CrossPlatform),
            ],
        )
    })? {
        selection.authenticator_attachment = Some(attachment);
    }
    if let Some(resident_key) = env.parsed("KEYWARD_PASSKEY_RESIDENT_KEY", requirement)? {
        selection.resident_key = Some(resident_key);
    }
    if let Some(require) = env.switch("KEYWARD_PASSKEY_REQUIRE_RESIDENT_KEY")? {
        selection.require_resident_key = Some(require);
    }
    if let Some(verification) = env.parsed("KEYWARD_PASSKEY_USER_VERIFICATION", requirement)? {
        selection.user_verification = Some(verification);
    }
    set(
        &mut options.require_session,
        env.switch("KEYWARD_PASSKEY_REQUIRE_SESSION")?,
    );
    set(
        &mut options.challenge_max_age,
        env.seconds("KEYWARD_PASSKEY_CHALLENGE_MAX_AGE")?,
    );
    set(
        &mut options.challenge_cookie,
        env.parsed("KEYWARD_PASSKEY_CHALLENGE_COOKIE", check_cookie_name)?,
    );
    Ok(())
}
