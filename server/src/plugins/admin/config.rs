//! The admin plugin's options (better-auth `admin(options)`).

use std::time::Duration;

/// The admin plugin (better-auth `admin`): roles on users, bans, impersonation and user
/// management under `/admin/*`.
#[derive(Clone, Debug)]
pub struct AdminConfig {
    /// The role new users get (`"user"`).
    pub default_role: String,
    /// Roles whose holders count as admins when impersonation is asked for (`["admin"]`).
    pub admin_roles: Vec<String>,
    /// Users who may do everything, whatever their role.
    pub admin_user_ids: Vec<String>,
    /// The roles and what they grant (default: `admin` and `user`).
    pub roles: keyward_client::wire::admin::AdminRoles,
    /// Whether custom `roles` were configured: set-role then refuses unknown roles.
    pub custom_roles: bool,
    /// How long an impersonated session lasts (1 hour).
    pub impersonation_session_duration: Duration,
    /// Admins may impersonate other admins without `user:impersonate-admins`.
    pub allow_impersonating_admins: bool,
    /// The message of a banned user's `BANNED_USER` error.
    pub banned_user_message: String,
    /// The reason stored when a ban gives none (`"No reason"`).
    pub default_ban_reason: Option<String>,
    /// How long a ban lasts when it gives no duration (default: forever).
    pub default_ban_expires_in: Option<Duration>,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            default_role: "user".to_owned(),
            admin_roles: vec!["admin".to_owned()],
            admin_user_ids: Vec::new(),
            roles: keyward_client::wire::admin::AdminRoles::defaults(),
            custom_roles: false,
            impersonation_session_duration: Duration::from_secs(3600),
            allow_impersonating_admins: false,
            banned_user_message:
                "You have been banned from this application. Please contact support if you believe this is an error."
                    .to_owned(),
            default_ban_reason: None,
            default_ban_expires_in: None,
        }
    }
}

impl AdminConfig {
    /// Replaces the roles; set-role and create-user then accept only these names.
    pub fn roles(mut self, roles: keyward_client::wire::admin::AdminRoles) -> Self {
        self.roles = roles;
        self.custom_roles = true;
        self
    }
}
