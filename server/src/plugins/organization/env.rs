//! The organization plugin's variables (`KEYWARD_ORGANIZATION_*`).

use keyward_client::wire::organization::{AccessControl, RoleSet};

use super::DynamicAccessControlConfig;
use crate::config::env::formats::{check_absolute_url, check_roles_use_statements, parse_permissions, parse_roles};
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};

/// Reads the plugin's variables into its options, when `config` switches it on.
pub(crate) fn read(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.organization.as_mut() else {
        return Ok(());
    };
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
