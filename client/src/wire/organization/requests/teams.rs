//! Requests about teams: create, update, remove, set the active one, list, and team
//! membership.

use serde::{Deserialize, Serialize};

use crate::wire::organization::nullable;
use crate::wire::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};

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
