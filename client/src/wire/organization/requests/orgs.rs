//! Requests about organizations themselves: create, check a slug, update, delete,
//! set the active one, get and list.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::wire::organization::nullable;
use crate::wire::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};

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
