//! Requests about members: remove, change roles, list (sorted and filtered), the active
//! member's role, and permission checks.

use serde::{Deserialize, Serialize};

use super::Roles;
use crate::wire::organization::access::Permissions;
use crate::wire::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};

/// Body of `POST /organization/remove-member`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveMemberRequest {
    /// A member id, or the member's email address.
    pub member_id_or_email: String,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl RequestSchema for RemoveMemberRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("memberIdOrEmail", FieldKind::String),
        FieldSpec::optional("organizationId", FieldKind::String),
    ];
}

/// Body of `POST /organization/update-member-role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMemberRoleRequest {
    /// The new roles.
    pub role: Roles,
    /// The member.
    pub member_id: String,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl RequestSchema for UpdateMemberRoleRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("role", FieldKind::StringOrList),
        FieldSpec::required("memberId", FieldKind::String),
        FieldSpec::optional("organizationId", FieldKind::String),
    ];
}

/// How `list-members` sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortDirection {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// The value of a `list-members` or `list-users` filter: one value, or several (sent as
/// the query parameter repeated, as `in` and `not_in` need; better-auth reads a single
/// value given to `in` as an error and answers nothing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    /// One value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

impl From<String> for FilterValue {
    fn from(value: String) -> Self {
        Self::One(value)
    }
}

impl From<&str> for FilterValue {
    fn from(value: &str) -> Self {
        Self::One(value.to_owned())
    }
}

impl From<Vec<String>> for FilterValue {
    fn from(values: Vec<String>) -> Self {
        Self::Many(values)
    }
}

impl<const N: usize> From<[&str; N]> for FilterValue {
    fn from(values: [&str; N]) -> Self {
        Self::Many(values.iter().map(|v| (*v).to_owned()).collect())
    }
}

/// The comparison of a `list-members` filter (better-auth's `whereOperators`).
pub const FILTER_OPERATORS: &[&str] = &[
    "eq",
    "ne",
    "lt",
    "lte",
    "gt",
    "gte",
    "in",
    "not_in",
    "contains",
    "starts_with",
    "ends_with",
];

/// Query of `GET /organization/list-members`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMembersQuery {
    /// Page size (default: the membership limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Members to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
    /// A member field to sort by (`createdAt`, `role`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// Sort direction (default ascending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_direction: Option<SortDirection>,
    /// A member field to filter on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_field: Option<String>,
    /// The value to compare with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_value: Option<FilterValue>,
    /// The comparison (one of [`FILTER_OPERATORS`]; default `eq`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_operator: Option<String>,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Or its slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_slug: Option<String>,
}

impl RequestSchema for ListMembersQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("limit", FieldKind::StringOrNumber),
        FieldSpec::optional("offset", FieldKind::StringOrNumber),
        FieldSpec::optional("sortBy", FieldKind::String),
        FieldSpec::optional("sortDirection", FieldKind::OneOf(&["asc", "desc"])),
        FieldSpec::optional("filterField", FieldKind::String),
        FieldSpec::optional("filterValue", FieldKind::StringOrList),
        FieldSpec::optional("filterOperator", FieldKind::OneOf(FILTER_OPERATORS)),
        FieldSpec::optional("organizationId", FieldKind::String),
        FieldSpec::optional("organizationSlug", FieldKind::String),
    ];
}

/// Query of `GET /organization/get-active-member-role`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleQuery {
    /// Another member's user id (default: the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Or its slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_slug: Option<String>,
}

impl RequestSchema for MemberRoleQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("userId", FieldKind::String),
        FieldSpec::optional("organizationId", FieldKind::String),
        FieldSpec::optional("organizationSlug", FieldKind::String),
    ];
}

/// Body of `POST /organization/has-permission` (exactly one of `permissions` and the
/// legacy `permission`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HasPermissionRequest {
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// What to check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    /// The same, under its deprecated name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<Permissions>,
}

impl RequestSchema for HasPermissionRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::optional("organizationId", FieldKind::String)];
}
