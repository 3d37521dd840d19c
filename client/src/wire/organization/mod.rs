//! The organization plugin: organizations, members, invitations, teams and roles
//! (`/organization/*`).
//!
//! Shapes follow better-auth 1.7.25 as it actually answers, including its quirks: an
//! organization's `metadata` is an object in the answers of `create` and `update`, but
//! the stored JSON **string** everywhere else ([`Metadata`] keeps whichever it was, and
//! [`Metadata::object`] reads both); roles are comma-separated strings (`"admin,owner"`);
//! an invitation's `teamId` is a comma-separated list.

pub mod access;
mod requests;
pub mod routes;

pub use requests::*;

use chrono::{DateTime, Utc};
use serde::de::Deserializer;
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::object::deserialize_from_members;
use super::time::{iso, iso_opt};
pub use access::{AccessControl, Permissions, Role, RoleSet, parse_role_list};

/// An organization's `metadata`, as the server sent it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Metadata {
    /// Not in the answer.
    #[default]
    Absent,
    /// `null`: none stored.
    Null,
    /// The stored JSON text (what most endpoints return).
    Text(String),
    /// A parsed object (what `create` and `update` return).
    Object(Map<String, Value>),
}

impl Metadata {
    /// Whether the field was left out.
    pub fn is_absent(&self) -> bool {
        matches!(self, Metadata::Absent)
    }

    /// The metadata as an object, whichever form it came in.
    pub fn object(&self) -> Option<Map<String, Value>> {
        match self {
            Metadata::Object(map) => Some(map.clone()),
            // From bytes, as answers are read (one copy of the parser in a browser's download).
            Metadata::Text(text) => serde_json::from_slice(text.as_bytes()).ok(),
            Metadata::Absent | Metadata::Null => None,
        }
    }
}

impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Metadata::Absent | Metadata::Null => serializer.serialize_none(),
            Metadata::Text(text) => serializer.serialize_str(text),
            Metadata::Object(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Null => Metadata::Null,
            Value::String(text) => Metadata::Text(text),
            Value::Object(map) => Metadata::Object(map),
            other => Metadata::Text(other.to_string()),
        })
    }
}

/// `#[serde(with = "nullable")]` for fields that may be absent, `null`, or a value
/// (`Option<Option<T>>`: `None` absent, `Some(None)` null).
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `Some(None)` as `null` (use with `skip_serializing_if = "Option::is_none"`).
    pub fn serialize<S: Serializer, T: Serialize>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `Some(None)` (use with `default` for absence).
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// An organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unique URL name.
    pub slug: String,
    /// Logo URL.
    #[serde(default)]
    pub logo: Option<String>,
    /// Creation time.
    #[serde(with = "iso")]
    pub created_at: DateTime<Utc>,
    /// Free-form data (see [`Metadata`]).
    #[serde(default, skip_serializing_if = "Metadata::is_absent")]
    pub metadata: Metadata,
}

/// The signed-in member's view of a user: what member lists show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberUser {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Avatar URL.
    #[serde(default)]
    pub image: Option<String>,
}

/// A user's membership of an organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// Member id (what `remove-member` and `update-member-role` take).
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The user.
    pub user_id: String,
    /// Roles, comma-separated (`"admin,auditor"`); see [`Member::roles`].
    pub role: String,
    /// When they joined.
    #[serde(with = "iso")]
    pub created_at: DateTime<Utc>,
    /// The user's name, email and image, where the endpoint includes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<MemberUser>,
}

impl Member {
    /// The member's roles.
    pub fn roles(&self) -> Vec<String> {
        parse_role_list(&self.role)
    }
}

/// `/organization/create`: the organization with its first member (the creator).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CreatedOrganization {
    /// The organization.
    #[serde(flatten)]
    pub organization: Organization,
    /// The creator's membership.
    pub members: Vec<Member>,
}

deserialize_from_members!(CreatedOrganization, |members| Self {
    members: members.take("members")?,
    organization: members.rest_as()?,
});

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    /// Waiting for the invitee.
    Pending,
    /// Accepted: the invitee is a member.
    Accepted,
    /// Declined by the invitee.
    Rejected,
    /// Withdrawn by the organization.
    Canceled,
}

/// An invitation to join an organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// Invitation id (the secret of an invitation link).
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The invitee's address (lowercase).
    pub email: String,
    /// Roles the invitee gets, comma-separated.
    pub role: String,
    /// Team ids, comma-separated (present on servers with teams).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub team_id: Option<Option<String>>,
    /// Where it stands.
    pub status: InvitationStatus,
    /// When it lapses.
    #[serde(with = "iso")]
    pub expires_at: DateTime<Utc>,
    /// When it was sent.
    #[serde(with = "iso")]
    pub created_at: DateTime<Utc>,
    /// Who sent it.
    pub inviter_id: String,
}

impl Invitation {
    /// The teams the invitee joins on accepting.
    pub fn team_ids(&self) -> Vec<String> {
        self.team_id
            .clone()
            .flatten()
            .map(|ids| parse_role_list(&ids))
            .unwrap_or_default()
    }
}

/// `/organization/get-invitation`: an invitation with what the invitee needs to decide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationDetails {
    /// The invitation.
    #[serde(flatten)]
    pub invitation: Invitation,
    /// The organization's name.
    pub organization_name: String,
    /// The organization's slug.
    pub organization_slug: String,
    /// Who invited them.
    pub inviter_email: String,
}

deserialize_from_members!(InvitationDetails, |members| Self {
    organization_name: members.take("organizationName")?,
    organization_slug: members.take("organizationSlug")?,
    inviter_email: members.take("inviterEmail")?,
    invitation: members.rest_as()?,
});

/// `/organization/list-user-invitations`: a pending invitation of the signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInvitation {
    /// The invitation.
    #[serde(flatten)]
    pub invitation: Invitation,
    /// The organization's name.
    #[serde(default)]
    pub organization_name: Option<String>,
}

deserialize_from_members!(UserInvitation, |members| Self {
    organization_name: members.take_or_default("organizationName")?,
    invitation: members.rest_as()?,
});

/// A team within an organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    /// Team id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The organization.
    pub organization_id: String,
    /// Creation time.
    #[serde(with = "iso")]
    pub created_at: DateTime<Utc>,
    /// Last update.
    #[serde(default, with = "iso_opt")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Members (only `get-full-organization` reports it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
}

/// A user's membership of a team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    /// Id.
    pub id: String,
    /// The team.
    pub team_id: String,
    /// The user.
    pub user_id: String,
    /// When they joined.
    #[serde(default, with = "iso_opt")]
    pub created_at: Option<DateTime<Utc>>,
}

/// `/organization/get-full-organization`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FullOrganization {
    /// The organization.
    #[serde(flatten)]
    pub organization: Organization,
    /// Invitations (only for members who may invite; without owner invitations for
    /// members who are not owners).
    pub invitations: Vec<Invitation>,
    /// Members with their users.
    pub members: Vec<Member>,
    /// Teams (servers with teams).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<Team>>,
}

deserialize_from_members!(FullOrganization, |members| Self {
    invitations: members.take("invitations")?,
    members: members.take("members")?,
    teams: members.take_or_default("teams")?,
    organization: members.rest_as()?,
});

/// `/organization/list-members`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberList {
    /// This page of members, with their users.
    pub members: Vec<Member>,
    /// Members matching the filter, on all pages.
    pub total: u64,
}

/// `/organization/get-active-member-role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRole {
    /// Roles, comma-separated.
    pub role: String,
}

/// `/organization/has-permission`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HasPermissionResponse {
    /// Always `null`.
    pub error: Option<String>,
    /// Whether the member's roles grant every requested permission.
    pub success: bool,
}

/// `/organization/accept-invitation` and `/organization/reject-invitation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationResponse {
    /// The invitation, with its new status.
    pub invitation: Option<Invitation>,
    /// The new membership (`null` when rejected).
    pub member: Option<Member>,
}

/// `/organization/remove-member`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedMember {
    /// The membership that ended.
    pub member: Member,
}

/// A `{message}` answer (`remove-team`, `remove-team-member`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageResponse {
    /// What happened.
    pub message: String,
}

/// A role defined at run time for one organization (dynamic access control).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRole {
    /// Id.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// Role name (lowercase).
    pub role: String,
    /// What it grants.
    pub permission: Permissions,
    /// Creation time.
    #[serde(with = "iso")]
    pub created_at: DateTime<Utc>,
    /// Last update.
    #[serde(default, with = "iso_opt")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// `/organization/create-role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedRole {
    /// Always `true`.
    pub success: bool,
    /// The stored role.
    pub role_data: OrganizationRole,
    /// What it grants.
    pub statements: Permissions,
}

/// `/organization/update-role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedRole {
    /// Always `true`.
    pub success: bool,
    /// The role after the change.
    pub role_data: OrganizationRole,
}

/// `{"success": true}` (`delete-role`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessResponse {
    /// Always `true`.
    pub success: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_keeps_its_form() {
        let raw = json!({"name": "Acme", "slug": "acme", "logo": null, "createdAt": "2026-11-23T23:15:04.494Z",
            "metadata": "{\"plan\":\"pro\"}", "id": "o1"});
        let org: Organization = serde_json::from_value(raw.clone()).expect("parses");
        assert_eq!(org.metadata.object().expect("object")["plan"], "pro");
        assert_eq!(serde_json::to_value(&org).expect("serializes"), raw);
        let created = json!({"name": "Beta", "slug": "beta", "logo": null, "createdAt": "2026-11-23T23:15:04.558Z",
            "id": "o2", "members": []});
        let beta: CreatedOrganization = serde_json::from_value(created.clone()).expect("parses");
        assert!(beta.organization.metadata.is_absent());
        assert_eq!(serde_json::to_value(&beta).expect("serializes"), created);
    }

    #[test]
    fn invitations_keep_team_ids_and_their_absence() {
        let with_teams = json!({"organizationId": "o", "email": "b@x.co", "role": "admin,member", "teamId": null,
            "status": "pending", "expiresAt": "2026-11-25T23:15:04.880Z", "createdAt": "2026-11-23T23:15:04.881Z",
            "inviterId": "u", "id": "i"});
        let invitation: Invitation = serde_json::from_value(with_teams.clone()).expect("parses");
        assert_eq!(invitation.team_id, Some(None));
        assert_eq!(serde_json::to_value(&invitation).expect("serializes"), with_teams);
        let mut without = with_teams.clone();
        without.as_object_mut().expect("object").remove("teamId");
        let invitation: Invitation = serde_json::from_value(without.clone()).expect("parses");
        assert_eq!(invitation.team_id, None);
        assert_eq!(serde_json::to_value(&invitation).expect("serializes"), without);
    }
}
