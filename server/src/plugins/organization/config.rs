//! The organization plugin's options (better-auth `organization(options)`).

use std::time::Duration;

/// The organization plugin (better-auth `organization`).
#[derive(Clone, Debug)]
pub struct OrganizationConfig {
    /// Whether users may create organizations.
    pub allow_user_to_create_organization: bool,
    /// Organizations one user may belong to when creating another.
    pub organization_limit: Option<usize>,
    /// The role of an organization's creator (`owner`); only it may grant itself.
    pub creator_role: String,
    /// Members per organization.
    pub membership_limit: usize,
    /// Pending invitations per organization.
    pub invitation_limit: usize,
    /// Lifetime of an invitation (48 hours).
    pub invitation_expires_in: Duration,
    /// Re-inviting an address cancels its pending invitation instead of failing.
    pub cancel_pending_invitations_on_re_invite: bool,
    /// Only verified addresses may see, accept or reject invitations.
    pub require_email_verification_on_invitation: bool,
    /// Refuse `/organization/delete`.
    pub disable_organization_deletion: bool,
    /// Email invitations through the email sender.
    pub send_invitation_email: bool,
    /// The link in invitation emails; `{id}` becomes the invitation id.
    pub invitation_link: Option<String>,
    /// Teams.
    pub teams: TeamsConfig,
    /// The statements roles are made from (better-auth `ac`); needed by dynamic roles.
    pub access_control: Option<keyward_client::wire::organization::AccessControl>,
    /// Roles that replace the defaults (`owner`, `admin`, `member`) in permission checks.
    pub roles: Option<keyward_client::wire::organization::RoleSet>,
    /// Roles stored per organization.
    pub dynamic_access_control: Option<DynamicAccessControlConfig>,
}

impl Default for OrganizationConfig {
    fn default() -> Self {
        Self {
            allow_user_to_create_organization: true,
            organization_limit: None,
            creator_role: "owner".into(),
            membership_limit: 100,
            invitation_limit: 100,
            invitation_expires_in: Duration::from_secs(172_800),
            cancel_pending_invitations_on_re_invite: false,
            require_email_verification_on_invitation: false,
            disable_organization_deletion: false,
            send_invitation_email: true,
            invitation_link: None,
            teams: TeamsConfig::default(),
            access_control: None,
            roles: None,
            dynamic_access_control: None,
        }
    }
}

/// Teams within organizations (better-auth `organization({ teams })`).
#[derive(Clone, Debug)]
pub struct TeamsConfig {
    /// Off by default, as in better-auth.
    pub enabled: bool,
    /// Give every new organization a team named after it, with the creator in it.
    pub default_team: bool,
    /// Teams per organization.
    pub maximum_teams: Option<usize>,
    /// Members per team.
    pub maximum_members_per_team: Option<usize>,
    /// Allow removing an organization's last team.
    pub allow_removing_all_teams: bool,
}

impl Default for TeamsConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            default_team: true,
            maximum_teams: None,
            maximum_members_per_team: None,
            allow_removing_all_teams: false,
        }
    }
}

/// Roles stored per organization at run time (better-auth `dynamicAccessControl`).
#[derive(Clone, Debug, Default)]
pub struct DynamicAccessControlConfig {
    /// Stored roles per organization.
    pub maximum_roles_per_organization: Option<usize>,
}
