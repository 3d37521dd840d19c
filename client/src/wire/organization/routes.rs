//! The organization plugin's routes (better-auth `organization`); the team routes exist
//! only with teams enabled, the role routes only with dynamic access control.

use crate::wire::StatusResponse;
use crate::wire::organization::{
    CheckSlugRequest, CreateOrganizationRequest, CreateRoleRequest, CreateTeamRequest, CreatedOrganization,
    CreatedRole, FullOrganization, GetInvitationQuery, HasPermissionRequest, HasPermissionResponse, Invitation,
    InvitationDetails, InvitationIdRequest, InvitationResponse, InviteMemberRequest, ListMembersQuery, Member,
    MemberList, MemberRole, MemberRoleQuery, MessageResponse, Organization, OrganizationIdQuery, OrganizationIdRequest,
    OrganizationQuery, OrganizationRole, RemoveMemberRequest, RemoveTeamRequest, RemovedMember, RoleSelector,
    SetActiveOrganizationRequest, SetActiveTeamRequest, SuccessResponse, Team, TeamMember, TeamMemberRequest,
    TeamMembersQuery, UpdateMemberRoleRequest, UpdateOrganizationRequest, UpdateRoleRequest, UpdateTeamRequest,
    UpdatedRole, UserInvitation, UserInvitationsQuery, UserTeamsQuery,
};
use crate::wire::routes::declare_routes;

declare_routes! {
    /// The organization routes, in declaration order.
    pub const ROUTES;

    // Organizations.

    /// `POST /organization/create`.
    Create: Post "/organization/create", CreateOrganizationRequest => CreatedOrganization;
    /// `POST /organization/check-slug`: whether a slug is free.
    CheckSlug: Post "/organization/check-slug", CheckSlugRequest => StatusResponse;
    /// `POST /organization/update`.
    Update: Post "/organization/update", UpdateOrganizationRequest => Organization;
    /// `POST /organization/delete`.
    Delete: Post "/organization/delete", OrganizationIdRequest => Organization;
    /// `GET /organization/get-organization`: the active organization unless named.
    GetOrganization: Get "/organization/get-organization", OrganizationQuery => Option<Organization>;
    /// `GET /organization/get-full-organization`: with members, invitations and teams.
    GetFullOrganization: Get "/organization/get-full-organization", OrganizationQuery => Option<FullOrganization>;
    /// `POST /organization/set-active`: sets (or clears) the session's active organization.
    SetActive: Post "/organization/set-active", SetActiveOrganizationRequest => Option<Organization>;
    /// `GET /organization/list`: the caller's organizations.
    List: Get "/organization/list", OrganizationIdQuery => Vec<Organization>;

    // Invitations.

    /// `POST /organization/invite-member`.
    InviteMember: Post "/organization/invite-member", InviteMemberRequest => Invitation;
    /// `POST /organization/accept-invitation`.
    AcceptInvitation: Post "/organization/accept-invitation", InvitationIdRequest => InvitationResponse;
    /// `POST /organization/reject-invitation`.
    RejectInvitation: Post "/organization/reject-invitation", InvitationIdRequest => InvitationResponse;
    /// `POST /organization/cancel-invitation`.
    CancelInvitation: Post "/organization/cancel-invitation", InvitationIdRequest => Option<Invitation>;
    /// `GET /organization/get-invitation`: an invitation to the caller.
    GetInvitation: Get "/organization/get-invitation", GetInvitationQuery => InvitationDetails;
    /// `GET /organization/list-invitations`: an organization's invitations.
    ListInvitations: Get "/organization/list-invitations", OrganizationIdQuery => Vec<Invitation>;
    /// `GET /organization/list-user-invitations`: pending invitations to the caller.
    ListUserInvitations: Get "/organization/list-user-invitations", UserInvitationsQuery => Vec<UserInvitation>;

    // Members.

    /// `POST /organization/remove-member`.
    RemoveMember: Post "/organization/remove-member", RemoveMemberRequest => RemovedMember;
    /// `POST /organization/update-member-role`.
    UpdateMemberRole: Post "/organization/update-member-role", UpdateMemberRoleRequest => Member;
    /// `GET /organization/get-active-member`: the caller's membership of the active
    /// organization.
    GetActiveMember: Get "/organization/get-active-member", OrganizationIdQuery => Member;
    /// `GET /organization/get-active-member-role`.
    GetActiveMemberRole: Get "/organization/get-active-member-role", MemberRoleQuery => MemberRole;
    /// `POST /organization/leave`.
    Leave: Post "/organization/leave", OrganizationIdRequest => Member;
    /// `GET /organization/list-members`.
    ListMembers: Get "/organization/list-members", ListMembersQuery => MemberList;
    /// `POST /organization/has-permission`: whether the caller's roles grant permissions.
    HasPermission: Post "/organization/has-permission", HasPermissionRequest => HasPermissionResponse;

    // Teams.

    /// `POST /organization/create-team`.
    CreateTeam: Post "/organization/create-team", CreateTeamRequest => Team;
    /// `GET /organization/list-teams`.
    ListTeams: Get "/organization/list-teams", OrganizationIdQuery => Vec<Team>;
    /// `POST /organization/update-team`.
    UpdateTeam: Post "/organization/update-team", UpdateTeamRequest => Team;
    /// `POST /organization/remove-team`.
    RemoveTeam: Post "/organization/remove-team", RemoveTeamRequest => MessageResponse;
    /// `POST /organization/set-active-team`: sets (or clears) the session's active team.
    SetActiveTeam: Post "/organization/set-active-team", SetActiveTeamRequest => Option<Team>;
    /// `GET /organization/list-user-teams`.
    ListUserTeams: Get "/organization/list-user-teams", UserTeamsQuery => Vec<Team>;
    /// `GET /organization/list-team-members`.
    ListTeamMembers: Get "/organization/list-team-members", TeamMembersQuery => Vec<TeamMember>;
    /// `POST /organization/add-team-member`.
    AddTeamMember: Post "/organization/add-team-member", TeamMemberRequest => TeamMember;
    /// `POST /organization/remove-team-member`.
    RemoveTeamMember: Post "/organization/remove-team-member", TeamMemberRequest => MessageResponse;

    // Dynamic roles.

    /// `POST /organization/create-role`.
    CreateRole: Post "/organization/create-role", CreateRoleRequest => CreatedRole;
    /// `POST /organization/delete-role`.
    DeleteRole: Post "/organization/delete-role", RoleSelector => SuccessResponse;
    /// `GET /organization/list-roles`.
    ListRoles: Get "/organization/list-roles", OrganizationIdQuery => Vec<OrganizationRole>;
    /// `GET /organization/get-role`.
    GetRole: Get "/organization/get-role", RoleSelector => OrganizationRole;
    /// `POST /organization/update-role`.
    UpdateRole: Post "/organization/update-role", UpdateRoleRequest => UpdatedRole;
}
