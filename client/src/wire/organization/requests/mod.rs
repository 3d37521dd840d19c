//! Request bodies and queries of `/organization/*`, with better-auth's zod schemas: one
//! file per part of the plugin, as better-auth splits it (organizations, members,
//! invitations, teams, dynamic roles), all re-exported here.

mod invitations;
mod members;
mod orgs;
mod roles;
mod teams;

pub use invitations::*;
pub use members::*;
pub use orgs::*;
pub use roles::*;
pub use teams::*;

use serde::{Deserialize, Serialize};

/// One role or several (`"admin"` or `["admin", "auditor"]`); stored comma-separated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Roles {
    /// One role (or a comma-separated list).
    One(String),
    /// Several roles.
    Many(Vec<String>),
}

impl Roles {
    /// The role names, trimmed, without empties.
    pub fn names(&self) -> Vec<String> {
        match self {
            Roles::One(role) => super::parse_role_list(role),
            Roles::Many(roles) => roles.iter().flat_map(|r| super::parse_role_list(r)).collect(),
        }
    }
}

impl From<&str> for Roles {
    fn from(role: &str) -> Self {
        Roles::One(role.to_owned())
    }
}

impl From<String> for Roles {
    fn from(role: String) -> Self {
        Roles::One(role)
    }
}

impl<S: Into<String>> From<Vec<S>> for Roles {
    fn from(roles: Vec<S>) -> Self {
        Roles::Many(roles.into_iter().map(Into::into).collect())
    }
}
