//! Requests of dynamic access control: roles defined at run time per organization
//! (create, delete, get, list, update).

use serde::{Deserialize, Serialize};

use crate::wire::organization::access::Permissions;
use crate::wire::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};

/// Body of `POST /organization/create-role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRoleRequest {
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Role name (stored lowercase).
    pub role: String,
    /// What it grants.
    pub permission: Permissions,
}

impl RequestSchema for CreateRoleRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("organizationId", FieldKind::String),
        FieldSpec::required("role", FieldKind::String),
        FieldSpec::required("permission", FieldKind::PermissionRecord),
    ];
}

/// A role by name or id (`delete-role`, `get-role`, `update-role`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleSelector {
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The role's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    /// Or its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
}

impl RequestSchema for RoleSelector {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::optional("organizationId", FieldKind::String)];
}

/// The changes of `POST /organization/update-role`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleChanges {
    /// New grants (replace the old).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<Permissions>,
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

const ROLE_CHANGES: &[FieldSpec] = &[
    FieldSpec::optional("permission", FieldKind::PermissionRecord),
    FieldSpec::optional("roleName", FieldKind::String),
];

/// Body of `POST /organization/update-role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRoleRequest {
    /// Which role.
    #[serde(flatten)]
    pub selector: RoleSelector,
    /// What changes.
    pub data: RoleChanges,
}

impl RequestSchema for UpdateRoleRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("organizationId", FieldKind::String),
        FieldSpec::required("data", FieldKind::Nested(ROLE_CHANGES)),
    ];
}
