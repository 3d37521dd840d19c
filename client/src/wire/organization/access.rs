//! Access control as better-auth's organization plugin defines it: **statements** list
//! the actions each resource has, a **role** grants some of them, and a member holding
//! several roles (`"admin,auditor"`) may do what any one of them may.
//!
//! ```
//! use keyward_client::wire::organization::access::{AccessControl, Permissions, RoleSet};
//!
//! let ac = AccessControl::default_statements().with("project", ["create", "share"]);
//! let roles = RoleSet::defaults().with("designer", ac.new_role([("project", vec!["create"])]));
//! let wanted = Permissions::from([("project", vec!["create"])]);
//! assert!(roles.allows("member,designer", &wanted));
//! assert!(!roles.allows("member", &wanted));
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Resources and their actions: `{"member": ["create", "update"], …}`. Requests
/// (`has-permission`), role grants and statements all have this shape.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Permissions(pub BTreeMap<String, Vec<String>>);

impl Permissions {
    /// No permissions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds actions on a resource.
    pub fn with<I, S>(mut self, resource: &str, actions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let entry = self.0.entry(resource.to_owned()).or_default();
        for action in actions {
            let action = action.into();
            if !entry.contains(&action) {
                entry.push(action);
            }
        }
        self
    }

    /// The resources named.
    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Every `(resource, action)` pair.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .flat_map(|(resource, actions)| actions.iter().map(move |a| (resource.as_str(), a.as_str())))
    }

    /// Adds every action of `other` (a union).
    pub fn merge(&mut self, other: &Permissions) {
        for (resource, actions) in &other.0 {
            let entry = self.0.entry(resource.clone()).or_default();
            for action in actions {
                if !entry.contains(action) {
                    entry.push(action.clone());
                }
            }
        }
    }
}

impl<const N: usize, S: Into<String>> From<[(&str, Vec<S>); N]> for Permissions {
    fn from(entries: [(&str, Vec<S>); N]) -> Self {
        entries
            .into_iter()
            .fold(Permissions::new(), |p, (resource, actions)| p.with(resource, actions))
    }
}

/// The statements of an application: every resource and the actions it has
/// (better-auth's `createAccessControl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessControl {
    statements: Permissions,
}

impl AccessControl {
    /// Statements from scratch.
    pub fn new(statements: Permissions) -> Self {
        Self { statements }
    }

    /// better-auth's default statements: `organization: [update, delete]`, `member:
    /// [create, update, delete]`, `invitation: [create, cancel]`, `team: [create, update,
    /// delete]`, `ac: [create, read, update, delete]`.
    pub fn default_statements() -> Self {
        Self::new(
            Permissions::new()
                .with("organization", ["update", "delete"])
                .with("member", ["create", "update", "delete"])
                .with("invitation", ["create", "cancel"])
                .with("team", ["create", "update", "delete"])
                .with("ac", ["create", "read", "update", "delete"]),
        )
    }

    /// Adds a resource with its actions (for an application's own resources).
    pub fn with<I, S>(self, resource: &str, actions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            statements: self.statements.with(resource, actions),
        }
    }

    /// The statements.
    pub fn statements(&self) -> &Permissions {
        &self.statements
    }

    /// Whether every resource of `permissions` is one of these statements' resources.
    pub fn knows_resources(&self, permissions: &Permissions) -> bool {
        permissions.resources().all(|r| self.statements.0.contains_key(r))
    }

    /// A role granting `grants` (better-auth's `ac.newRole`).
    pub fn new_role<I, R, A, S>(&self, grants: I) -> Role
    where
        I: IntoIterator<Item = (R, A)>,
        R: AsRef<str>,
        A: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Role::new(grants.into_iter().fold(Permissions::new(), |p, (resource, actions)| {
            p.with(resource.as_ref(), actions)
        }))
    }
}

/// What a role grants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Role {
    statements: Permissions,
}

impl Role {
    /// A role granting `statements`.
    pub fn new(statements: Permissions) -> Self {
        Self { statements }
    }

    /// What it grants.
    pub fn statements(&self) -> &Permissions {
        &self.statements
    }

    /// better-auth's `role.authorize(request)` (connector AND): every requested resource
    /// must be granted, and every requested action on it; an empty request, or an empty
    /// action list, authorizes nothing.
    pub fn authorize(&self, request: &Permissions) -> bool {
        let mut authorized_any = false;
        for (resource, actions) in &request.0 {
            let Some(allowed) = self.statements.0.get(resource) else {
                return false;
            };
            if actions.is_empty() || !actions.iter().all(|a| allowed.contains(a)) {
                return false;
            }
            authorized_any = true;
        }
        authorized_any
    }
}

/// Splits a stored role value (`"admin, owner"`) into trimmed, non-empty role names.
pub fn parse_role_list(roles: &str) -> Vec<String> {
    roles
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The roles an organization knows, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleSet(pub BTreeMap<String, Role>);

impl RoleSet {
    /// better-auth's default roles: `owner` may do everything, `admin` everything but
    /// delete the organization, `member` only read dynamic roles (`ac: [read]`).
    pub fn defaults() -> Self {
        let ac = AccessControl::default_statements();
        let all = ac.statements().clone();
        let mut admin = all.clone();
        admin.0.insert("organization".into(), vec!["update".into()]);
        let member = Permissions::new()
            .with("organization", Vec::<String>::new())
            .with("member", Vec::<String>::new())
            .with("invitation", Vec::<String>::new())
            .with("team", Vec::<String>::new())
            .with("ac", ["read"]);
        Self(BTreeMap::from([
            ("owner".to_owned(), Role::new(all)),
            ("admin".to_owned(), Role::new(admin)),
            ("member".to_owned(), Role::new(member)),
        ]))
    }

    /// Adds (or replaces) a role.
    pub fn with(mut self, name: &str, role: Role) -> Self {
        self.0.insert(name.to_owned(), role);
        self
    }

    /// Whether a role of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// better-auth's `hasPermission`: whether any role of a member's role value
    /// (comma-separated) grants all of `permissions`.
    pub fn allows(&self, member_roles: &str, permissions: &Permissions) -> bool {
        parse_role_list(member_roles)
            .iter()
            .any(|name| self.0.get(name).is_some_and(|role| role.authorize(permissions)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_roles_match_better_auth() {
        let roles = RoleSet::defaults();
        let p = |resource: &str, action: &str| Permissions::new().with(resource, [action]);
        assert!(roles.allows("owner", &p("organization", "delete")));
        assert!(!roles.allows("admin", &p("organization", "delete")));
        assert!(roles.allows("admin", &p("member", "delete")));
        assert!(!roles.allows("member", &p("member", "create")));
        assert!(roles.allows("member", &p("ac", "read")));
        assert!(
            roles.allows("member, admin", &p("invitation", "create")),
            "any role may grant"
        );
        assert!(!roles.allows("nobody", &p("ac", "read")));
    }

    #[test]
    fn authorization_needs_every_action_of_every_resource() {
        let role = Role::new(
            Permissions::new()
                .with("member", ["create", "update"])
                .with("team", ["create"]),
        );
        assert!(role.authorize(&Permissions::new().with("member", ["create", "update"])));
        assert!(!role.authorize(&Permissions::new().with("member", ["create", "delete"])));
        assert!(!role.authorize(&Permissions::new().with("member", ["create"]).with("ac", ["read"])));
        assert!(
            !role.authorize(&Permissions::new()),
            "an empty request authorizes nothing"
        );
        assert!(!role.authorize(&Permissions::new().with("member", Vec::<String>::new())));
    }

    #[test]
    fn role_lists_are_trimmed() {
        assert_eq!(parse_role_list(" admin ,owner,, "), ["admin", "owner"]);
        assert!(parse_role_list("").is_empty());
    }
}
