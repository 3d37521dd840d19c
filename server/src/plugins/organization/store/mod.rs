//! The organization plugin's queries, one module per table group.

pub(crate) mod invitations;
pub(crate) mod organizations;
pub(crate) mod roles;
pub(crate) mod teams;
