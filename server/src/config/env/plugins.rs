//! The plugins' variables: read when `KEYWARD_PLUGINS` enables the plugin, refused when
//! it does not (so a forgotten plugin or a typo in `KEYWARD_PLUGINS` is not ignored).

use keyward_client::wire::admin::AdminRoles;
use keyward_client::wire::organization::{AccessControl, RoleSet};
use keyward_client::wire::{AuthenticatorAttachment, AuthenticatorSelection};

use super::formats::{
    check_absolute_url, check_cookie_name, check_roles_use_statements, parse_choice, parse_permissions, parse_roles,
};
use super::{ENV_VARIABLES, Env, set};
use crate::config::{
    AdminConfig, BackupCodeStorage, Config, ConfigError, DynamicAccessControlConfig, OrganizationConfig, OtpStorage,
    PasskeyConfig, TwoFactorConfig,
};

/// The plugins `KEYWARD_PLUGINS` knows.
const PLUGINS: [&str; 4] = ["two-factor", "organization", "passkey", "admin"];

/// Enables the plugins of `KEYWARD_PLUGINS` and reads their variables.
pub(super) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    for plugin in env.list("KEYWARD_PLUGINS").unwrap_or_default() {
        match plugin.as_str() {
            "two-factor" => config.two_factor = Some(TwoFactorConfig::default()),
            "organization" => config.organization = Some(OrganizationConfig::default()),
            "passkey" => config.passkey = Some(PasskeyConfig::default()),
            "admin" => config.admin = Some(AdminConfig::default()),
            other => {
                return Err(ConfigError::InvalidVariable {
                    name: "KEYWARD_PLUGINS",
                    reason: format!("unknown plugin `{other}` (known: {})", PLUGINS.join(", ")),
                });
            }
        }
    }
    let enabled = [
        config.two_factor.is_some(),
        config.organization.is_some(),
        config.passkey.is_some(),
        config.admin.is_some(),
    ];
    for (plugin, on) in PLUGINS.into_iter().zip(enabled) {
        if !on {
            refuse_variables_of(env, plugin)?;
        }
    }
    if let Some(options) = &mut config.two_factor {
        two_factor(env, options)?;
    }
    if let Some(options) = &mut config.organization {
        organization(env, options)?;
    }
    if let Some(options) = &mut config.passkey {
        passkey(env, options)?;
    }
    if let Some(options) = &mut config.admin {
        admin(env, options)?;
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
    let mut user_columns = Vec::new();
    let mut session_columns = Vec::new();
    if config.two_factor.is_some() {
        user_columns.push("twoFactorEnabled");
    }
    if config.admin.is_some() {
        user_columns.extend(["role", "banned", "banReason", "banExpires"]);
        session_columns.push("impersonatedBy");
    }
    if config.organization.is_some() {
        session_columns.extend(["activeOrganizationId", "activeTeamId"]);
    }
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

fn two_factor(env: &Env, options: &mut TwoFactorConfig) -> Result<(), ConfigError> {
    if let Some(issuer) = env.text("KEYWARD_TWO_FACTOR_ISSUER") {
        options.issuer = Some(issuer);
    }
    if let Some(on) = env.switch("KEYWARD_TWO_FACTOR_TOTP")? {
        options.totp.disabled = !on;
    }
    set(
        &mut options.totp.digits,
        env.whole("KEYWARD_TWO_FACTOR_TOTP_DIGITS", 1, 8)?,
    );
    set(
        &mut options.totp.period,
        env.whole("KEYWARD_TWO_FACTOR_TOTP_PERIOD", 1, u64::from(u32::MAX))?,
    );
    set(&mut options.otp.enabled, env.switch("KEYWARD_TWO_FACTOR_OTP")?);
    set(
        &mut options.otp.digits,
        env.whole("KEYWARD_TWO_FACTOR_OTP_DIGITS", 1, 32)?,
    );
    set(&mut options.otp.period, env.seconds("KEYWARD_TWO_FACTOR_OTP_PERIOD")?);
    set(
        &mut options.otp.storage,
        env.parsed("KEYWARD_TWO_FACTOR_OTP_STORAGE", |name, value| {
            parse_choice(
                name,
                value,
                &[
                    ("plain", OtpStorage::Plain),
                    ("hashed", OtpStorage::Hashed),
                    ("encrypted", OtpStorage::Encrypted),
                ],
            )
        })?,
    );
    set(
        &mut options.otp.allowed_attempts,
        env.whole("KEYWARD_TWO_FACTOR_OTP_ALLOWED_ATTEMPTS", 1, u64::from(u32::MAX))?,
    );
    set(
        &mut options.backup_codes.amount,
        env.whole("KEYWARD_TWO_FACTOR_BACKUP_CODES_AMOUNT", 1, 1000)?,
    );
    set(
        &mut options.backup_codes.length,
        env.whole("KEYWARD_TWO_FACTOR_BACKUP_CODES_LENGTH", 1, 64)?,
    );
    set(
        &mut options.backup_codes.storage,
        env.parsed("KEYWARD_TWO_FACTOR_BACKUP_CODES_STORAGE", |name, value| {
            parse_choice(
                name,
                value,
                &[
                    ("encrypted", BackupCodeStorage::Encrypted),
                    ("plain", BackupCodeStorage::Plain),
                ],
            )
        })?,
    );
    set(
        &mut options.skip_verification_on_enable,
        env.switch("KEYWARD_TWO_FACTOR_SKIP_VERIFICATION_ON_ENABLE")?,
    );
    set(
        &mut options.allow_passwordless,
        env.switch("KEYWARD_TWO_FACTOR_ALLOW_PASSWORDLESS")?,
    );
    set(
        &mut options.trust_device_max_age,
        env.seconds("KEYWARD_TWO_FACTOR_TRUST_DEVICE_MAX_AGE")?,
    );
    set(
        &mut options.challenge_max_age,
        env.seconds("KEYWARD_TWO_FACTOR_CHALLENGE_MAX_AGE")?,
    );
    let lockout = &mut options.account_lockout;
    set(&mut lockout.enabled, env.switch("KEYWARD_TWO_FACTOR_LOCKOUT")?);
    set(
        &mut lockout.max_failed_attempts,
        env.whole("KEYWARD_TWO_FACTOR_LOCKOUT_MAX_FAILED_ATTEMPTS", 1, u64::from(u32::MAX))?,
    );
    set(
        &mut lockout.duration,
        env.seconds("KEYWARD_TWO_FACTOR_LOCKOUT_DURATION")?,
    );
    Ok(())
}

fn organization(env: &Env, options: &mut OrganizationConfig) -> Result<(), ConfigError> {
    set(
        &mut options.allow_user_to_create_organization,
        env.switch("KEYWARD_ORGANIZATION_ALLOW_USER_TO_CREATE")?,
    );
    if let Some(limit) = env.whole("KEYWARD_ORGANIZATION_LIMIT", 1, u64::MAX)? {
        options.organization_limit = Some(limit);
    }
    set(&mut options.creator_role, env.text("KEYWARD_ORGANIZATION_CREATOR_ROLE"));
    set(
        &mut options.membership_limit,
        env.whole("KEYWARD_ORGANIZATION_MEMBERSHIP_LIMIT", 1, i64::MAX as u64)?,
    );
    set(
        &mut options.invitation_limit,
        env.whole("KEYWARD_ORGANIZATION_INVITATION_LIMIT", 1, u64::MAX)?,
    );
    set(
        &mut options.invitation_expires_in,
        env.seconds("KEYWARD_ORGANIZATION_INVITATION_EXPIRES_IN")?,
    );
    set(
        &mut options.cancel_pending_invitations_on_re_invite,
        env.switch("KEYWARD_ORGANIZATION_CANCEL_PENDING_INVITATIONS_ON_RE_INVITE")?,
    );
    set(
        &mut options.require_email_verification_on_invitation,
        env.switch("KEYWARD_ORGANIZATION_REQUIRE_EMAIL_VERIFICATION_ON_INVITATION")?,
    );
    set(
        &mut options.disable_organization_deletion,
        env.switch("KEYWARD_ORGANIZATION_DISABLE_DELETION")?,
    );
    set(
        &mut options.send_invitation_email,
        env.switch("KEYWARD_ORGANIZATION_SEND_INVITATION_EMAIL")?,
    );
    if let Some(link) = env.parsed("KEYWARD_ORGANIZATION_INVITATION_LINK", |name, value| {
        check_absolute_url(name, &value.replace("{id}", "id"))?;
        Ok(value.trim().to_owned())
    })? {
        options.invitation_link = Some(link);
    }
    let teams = &mut options.teams;
    set(&mut teams.enabled, env.switch("KEYWARD_ORGANIZATION_TEAMS")?);
    set(
        &mut teams.default_team,
        env.switch("KEYWARD_ORGANIZATION_TEAMS_DEFAULT_TEAM")?,
    );
    if let Some(maximum) = env.whole("KEYWARD_ORGANIZATION_TEAMS_MAXIMUM", 1, u64::MAX)? {
        teams.maximum_teams = Some(maximum);
    }
    if let Some(maximum) = env.whole("KEYWARD_ORGANIZATION_TEAMS_MAXIMUM_MEMBERS", 1, u64::MAX)? {
        teams.maximum_members_per_team = Some(maximum);
    }
    set(
        &mut teams.allow_removing_all_teams,
        env.switch("KEYWARD_ORGANIZATION_TEAMS_ALLOW_REMOVING_ALL")?,
    );
    let statements = env.parsed("KEYWARD_ORGANIZATION_ACCESS_CONTROL", parse_permissions)?;
    let roles = env.parsed("KEYWARD_ORGANIZATION_ROLES", parse_roles)?;
    if let (Some(statements), Some(roles)) = (&statements, &roles) {
        check_roles_use_statements("KEYWARD_ORGANIZATION_ROLES", roles, statements)?;
    }
    if let Some(statements) = statements {
        options.access_control = Some(AccessControl::new(statements));
    }
    if let Some(roles) = roles {
        options.roles = Some(RoleSet(roles));
    }
    let dynamic = env.switch("KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL")?;
    let maximum_roles = env.whole("KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL_MAXIMUM_ROLES", 1, u64::MAX)?;
    match dynamic {
        Some(true) => {
            if options.access_control.is_none() {
                return Err(ConfigError::InvalidVariable {
                    name: "KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL",
                    reason: "stored roles are made from statements; set KEYWARD_ORGANIZATION_ACCESS_CONTROL too".into(),
                });
            }
            options.dynamic_access_control = Some(DynamicAccessControlConfig {
                maximum_roles_per_organization: maximum_roles,
            });
        }
        Some(false) => options.dynamic_access_control = None,
        None => {}
    }
    if maximum_roles.is_some() && options.dynamic_access_control.is_none() {
        return Err(ConfigError::InvalidVariable {
            name: "KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL_MAXIMUM_ROLES",
            reason: "KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL is not on".into(),
        });
    }
    Ok(())
}

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

fn passkey(env: &Env, options: &mut PasskeyConfig) -> Result<(), ConfigError> {
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

fn admin(env: &Env, options: &mut AdminConfig) -> Result<(), ConfigError> {
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
