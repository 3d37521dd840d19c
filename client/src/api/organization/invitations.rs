//! Invitations: invite, accept, reject, cancel, get and list; with the setters of
//! `invite-member`.

use super::{OrganizationApi, OrganizationCall};
use crate::wire::organization::{
    GetInvitationQuery, Invitation, InvitationDetails, InvitationIdRequest, InvitationResponse, InviteMemberRequest,
    OrganizationIdQuery, Roles, UserInvitation, UserInvitationsQuery,
};
use crate::wire::routes::organization as route;

impl<'a> OrganizationApi<'a> {
    /// `POST /organization/invite-member` with one role or several (`vec!["admin", …]`).
    pub fn invite_member(
        self,
        email: impl Into<String>,
        role: impl Into<Roles>,
    ) -> OrganizationCall<'a, InviteMemberRequest, Invitation> {
        self.call::<route::InviteMember>(InviteMemberRequest {
            email: email.into(),
            role: role.into(),
            organization_id: None,
            resend: None,
            team_id: None,
        })
    }

    /// `POST /organization/accept-invitation`: the caller joins; the organization becomes
    /// the active one.
    pub fn accept_invitation(
        self,
        invitation_id: impl Into<String>,
    ) -> OrganizationCall<'a, InvitationIdRequest, InvitationResponse> {
        self.call::<route::AcceptInvitation>(InvitationIdRequest {
            invitation_id: invitation_id.into(),
        })
    }

    /// `POST /organization/reject-invitation`.
    pub fn reject_invitation(
        self,
        invitation_id: impl Into<String>,
    ) -> OrganizationCall<'a, InvitationIdRequest, InvitationResponse> {
        self.call::<route::RejectInvitation>(InvitationIdRequest {
            invitation_id: invitation_id.into(),
        })
    }

    /// `POST /organization/cancel-invitation`.
    pub fn cancel_invitation(
        self,
        invitation_id: impl Into<String>,
    ) -> OrganizationCall<'a, InvitationIdRequest, Option<Invitation>> {
        self.call::<route::CancelInvitation>(InvitationIdRequest {
            invitation_id: invitation_id.into(),
        })
    }

    /// `GET /organization/get-invitation`: an invitation to the caller, with what they
    /// need to decide.
    pub fn get_invitation(self, id: impl Into<String>) -> OrganizationCall<'a, GetInvitationQuery, InvitationDetails> {
        self.call::<route::GetInvitation>(GetInvitationQuery { id: id.into() })
    }

    /// `GET /organization/list-invitations` (of the active organization unless named).
    pub fn list_invitations(self) -> OrganizationCall<'a, OrganizationIdQuery, Vec<Invitation>> {
        self.call::<route::ListInvitations>(OrganizationIdQuery::default())
    }

    /// `GET /organization/list-user-invitations`: pending invitations to the caller (a
    /// verified address is required).
    pub fn list_user_invitations(self) -> OrganizationCall<'a, UserInvitationsQuery, Vec<UserInvitation>> {
        self.call::<route::ListUserInvitations>(UserInvitationsQuery::default())
    }
}

impl OrganizationCall<'_, InviteMemberRequest, Invitation> {
    /// Send a pending invitation again, with a new expiry.
    pub fn resend(mut self) -> Self {
        self.body.resend = Some(true);
        self
    }

    /// Teams the invitee joins on accepting.
    pub fn teams<I: IntoIterator<Item = S>, S: Into<String>>(mut self, team_ids: I) -> Self {
        self.body.team_id = Some(Roles::Many(team_ids.into_iter().map(Into::into).collect()));
        self
    }
}
