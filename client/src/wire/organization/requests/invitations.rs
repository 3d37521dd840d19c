//! Requests about invitations: invite, accept, reject, cancel, get and list.

use serde::{Deserialize, Serialize};

use super::Roles;
use crate::wire::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};

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
