//! Request bodies and queries of `/organization/*`, with better-auth's zod schemas.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::access::Permissions;
use super::nullable;
use crate::wire::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};

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

/// Body of `POST /organization/create`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrganizationRequest {
    /// Display name.
    pub name: String,
    /// Unique URL name.
    pub slug: String,
    /// Logo URL (or `null`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub logo: Option<Option<String>>,
    /// Free-form data, stored as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Leave the session's active organization as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_current_active_organization: Option<bool>,
}

impl RequestSchema for CreateOrganizationRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("name", FieldKind::NonEmptyString),
        FieldSpec::required("slug", FieldKind::NonEmptyString),
        FieldSpec::optional("userId", FieldKind::Any),
        FieldSpec::optional("logo", FieldKind::NullableString),
        FieldSpec::optional("metadata", FieldKind::Record),
        FieldSpec::optional("keepCurrentActiveOrganization", FieldKind::Bool),
    ];
}

/// Body of `POST /organization/check-slug`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSlugRequest {
    /// The slug to check.
    pub slug: String,
}

impl RequestSchema for CheckSlugRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("slug", FieldKind::String)];
}

/// The changes of `POST /organization/update`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationChanges {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// New logo (`null` removes it).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub logo: Option<Option<String>>,
    /// New metadata (replaces the old).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

const ORGANIZATION_CHANGES: &[FieldSpec] = &[
    FieldSpec::optional("name", FieldKind::NonEmptyString),
    FieldSpec::optional("slug", FieldKind::NonEmptyString),
    FieldSpec::optional("logo", FieldKind::NullableString),
    FieldSpec::optional("metadata", FieldKind::Record),
];

/// Body of `POST /organization/update`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganizationRequest {
    /// What changes.
    pub data: OrganizationChanges,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl RequestSchema for UpdateOrganizationRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("data", FieldKind::Nested(ORGANIZATION_CHANGES)),
        FieldSpec::optional("organizationId", FieldKind::String),
    ];
}

/// Body of a request naming one organization (`/organization/delete`,
/// `/organization/leave`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationIdRequest {
    /// The organization.
    pub organization_id: String,
}

impl RequestSchema for OrganizationIdRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("organizationId", FieldKind::String)];
}

/// Body of `POST /organization/set-active`. `organization_id: Some(None)` (`null`) clears
/// the active organization; neither field keeps the current one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetActiveOrganizationRequest {
    /// The organization, or `null`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub organization_id: Option<Option<String>>,
    /// Or its slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_slug: Option<String>,
}

impl RequestSchema for SetActiveOrganizationRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("organizationId", FieldKind::NullableString),
        FieldSpec::optional("organizationSlug", FieldKind::String),
    ];
}

/// Query of `GET /organization/get-organization` and `get-full-organization`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationQuery {
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Or its slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_slug: Option<String>,
    /// `get-full-organization`: at most this many members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_limit: Option<String>,
}

impl RequestSchema for OrganizationQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("organizationId", FieldKind::String),
        FieldSpec::optional("organizationSlug", FieldKind::String),
        FieldSpec::optional("membersLimit", FieldKind::StringOrNumber),
    ];
}

/// Body of `POST /organization/invite-member`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteMemberRequest {
    /// The invitee's address.
    pub email: String,
    /// Roles to grant on accepting.
    pub role: Roles,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Send a pending invitation again (with a new expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resend: Option<bool>,
    /// Teams to join on accepting (servers with teams).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Roles>,
}

impl RequestSchema for InviteMemberRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("email", FieldKind::String),
        FieldSpec::required("role", FieldKind::StringOrList),
        FieldSpec::optional("organizationId", FieldKind::String),
        FieldSpec::optional("resend", FieldKind::Bool),
        FieldSpec::optional("teamId", FieldKind::StringOrList),
    ];
}

/// Body naming one invitation (`accept-`, `reject-`, `cancel-invitation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationIdRequest {
    /// The invitation.
    pub invitation_id: String,
}

impl RequestSchema for InvitationIdRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("invitationId", FieldKind::String)];
}

/// Query of `GET /organization/get-invitation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetInvitationQuery {
    /// The invitation.
    pub id: String,
}

impl RequestSchema for GetInvitationQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("id", FieldKind::String)];
}

/// Query naming an organization (`list-invitations`, `list-teams`, `list-roles`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationIdQuery {
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl RequestSchema for OrganizationIdQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::optional("organizationId", FieldKind::String)];
}

/// Query of `GET /organization/list-user-invitations` (`email` is for server-side
/// calls only; over HTTP the session's address is used).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInvitationsQuery {
    /// An address (server-side calls only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl RequestSchema for UserInvitationsQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::optional("email", FieldKind::String)];
}

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

/// Body of `POST /organization/create-team`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTeamRequest {
    /// Team name.
    pub name: String,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl RequestSchema for CreateTeamRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("name", FieldKind::String),
        FieldSpec::optional("organizationId", FieldKind::String),
    ];
}

/// The changes of `POST /organization/update-team`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamChanges {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The organization the team is in (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

const TEAM_CHANGES: &[FieldSpec] = &[
    FieldSpec::optional("name", FieldKind::NonEmptyString),
    FieldSpec::optional("organizationId", FieldKind::String),
];

/// Body of `POST /organization/update-team`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTeamRequest {
    /// The team.
    pub team_id: String,
    /// What changes.
    pub data: TeamChanges,
}

impl RequestSchema for UpdateTeamRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("teamId", FieldKind::String),
        FieldSpec::required("data", FieldKind::Nested(TEAM_CHANGES)),
    ];
}

/// Body of `POST /organization/remove-team`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveTeamRequest {
    /// The team.
    pub team_id: String,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl RequestSchema for RemoveTeamRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("teamId", FieldKind::String),
        FieldSpec::optional("organizationId", FieldKind::String),
    ];
}

/// Body of `POST /organization/set-active-team` (`null` clears it; absent keeps it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetActiveTeamRequest {
    /// The team, or `null`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub team_id: Option<Option<String>>,
}

impl RequestSchema for SetActiveTeamRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::optional("teamId", FieldKind::NullableString)];
}

/// Query of `GET /organization/list-user-teams`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserTeamsQuery {
    /// Another member's user id (needs `member: [update]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Only teams of this organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl RequestSchema for UserTeamsQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::optional("userId", FieldKind::String),
        FieldSpec::optional("organizationId", FieldKind::String),
    ];
}

/// Query of `GET /organization/list-team-members`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMembersQuery {
    /// The team (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
}

impl RequestSchema for TeamMembersQuery {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::optional("teamId", FieldKind::String)];
}

/// Body of `POST /organization/add-team-member` and `remove-team-member`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMemberRequest {
    /// The team.
    pub team_id: String,
    /// The user.
    pub user_id: String,
    /// The organization (default: the active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl RequestSchema for TeamMemberRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("teamId", FieldKind::String),
        FieldSpec::required("userId", FieldKind::Any),
        FieldSpec::optional("organizationId", FieldKind::String),
    ];
}

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
