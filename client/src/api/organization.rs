//! `client.organization()`: the organization plugin's `/organization/*` endpoints, its
//! reactive stores (active organization, organization list, active member and role),
//! and a local permission check for the static roles.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! use keyward_client::wire::organization::Permissions;
//!
//! let org = client.organization().create("Acme", "acme").await?; // now the active one
//! client.organization().invite_member("bob@example.com", "admin").await?;
//! let page = client.organization().list_members().limit(20).await?;
//! println!("{} of {} members", page.members.len(), page.total);
//! let may_invite = client
//!     .organization()
//!     .has_permission(Permissions::new().with("invitation", ["create"]))
//!     .await?;
//! // The stores follow every change (and refetch after set-active, accept-invitation …):
//! let active = client.organization().active();
//! println!("active: {:?}", active.get().data.map(|o| o.organization.name));
//! # let _ = (org, may_invite); Ok(()) }
//! ```

use std::marker::PhantomData;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::api::query_string;
use crate::client::AuthClient;
use crate::error::{Error, Result};
use crate::query_store::{QueryHandle, QueryStore};
use crate::transport::Method;
use crate::wire::organization::{
    CheckSlugRequest, CreateOrganizationRequest, CreateRoleRequest, CreateTeamRequest, CreatedOrganization,
    CreatedRole, FilterValue, FullOrganization, GetInvitationQuery, HasPermissionRequest, HasPermissionResponse,
    Invitation, InvitationDetails, InvitationIdRequest, InvitationResponse, InviteMemberRequest, ListMembersQuery,
    Member, MemberList, MemberRole, MemberRoleQuery, MessageResponse, Organization, OrganizationChanges,
    OrganizationIdQuery, OrganizationIdRequest, OrganizationQuery, OrganizationRole, Permissions, RemoveMemberRequest,
    RemoveTeamRequest, RemovedMember, RoleChanges, RoleSelector, RoleSet, Roles, SetActiveOrganizationRequest,
    SetActiveTeamRequest, SortDirection, SuccessResponse, Team, TeamChanges, TeamMember, TeamMemberRequest,
    TeamMembersQuery, UpdateMemberRoleRequest, UpdateOrganizationRequest, UpdateRoleRequest, UpdateTeamRequest,
    UpdatedRole, UserInvitation, UserInvitationsQuery, UserTeamsQuery,
};
use crate::wire::routes::Route;
use crate::wire::routes::organization as route;
use crate::wire::{ErrorCode, StatusResponse};

/// The organization stores a client keeps.
pub(crate) struct OrganizationStores {
    pub active: Arc<QueryStore<FullOrganization>>,
    pub list: Arc<QueryStore<Vec<Organization>>>,
    pub active_member: Arc<QueryStore<Member>>,
    pub active_member_role: Arc<QueryStore<MemberRole>>,
}

impl Default for OrganizationStores {
    fn default() -> Self {
        Self {
            active: Arc::new(QueryStore::new(route::GetFullOrganization::PATH)),
            list: Arc::new(QueryStore::new(route::List::PATH)),
            active_member: Arc::new(QueryStore::new(route::GetActiveMember::PATH)),
            active_member_role: Arc::new(QueryStore::new(route::GetActiveMemberRole::PATH)),
        }
    }
}

/// Which stores an answer can have changed (better-auth's `organizationClient` signals).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct StoreRefresh {
    /// `$activeOrgSignal`: the active organization, member and member role.
    pub active: bool,
    /// `$listOrg`: the organization list.
    pub list: bool,
    /// `$activeMemberSignal` and `$activeMemberRoleSignal`.
    pub member: bool,
}

impl AuthClient {
    /// Organization endpoints (servers with the organization plugin).
    pub fn organization(&self) -> OrganizationApi<'_> {
        OrganizationApi { client: self }
    }

    /// Refetches the organization stores someone uses.
    pub(crate) async fn refresh_organization_stores(&self, refresh: StoreRefresh) {
        let stores = &self.inner.organization;
        if refresh.active && stores.active.is_mounted() {
            let _ = stores.active.refetch(self).await;
        }
        if (refresh.active || refresh.member) && stores.active_member.is_mounted() {
            let _ = stores.active_member.refetch(self).await;
        }
        if (refresh.active || refresh.member) && stores.active_member_role.is_mounted() {
            let _ = stores.active_member_role.refetch(self).await;
        }
        if refresh.list && stores.list.is_mounted() {
            let _ = stores.list.refetch(self).await;
        }
    }

    /// After a successful `/organization/*` call: the session (for the paths that change
    /// it) and the stores, by better-auth's rules.
    async fn after_organization_call(&self, path: &str) {
        // `set-active` and `set-active-team`, as better-auth matches them.
        let changes_session = path.starts_with(route::SetActive::PATH)
            || [
                route::Create::PATH,
                route::Delete::PATH,
                route::RemoveMember::PATH,
                route::Leave::PATH,
                route::AcceptInvitation::PATH,
            ]
            .contains(&path);
        if changes_session {
            let _ = crate::session_store::fetch(self, false).await;
        }
        let refresh = StoreRefresh {
            active: true,
            list: [route::Create::PATH, route::Delete::PATH, route::Update::PATH].contains(&path),
            member: path.contains(route::UpdateMemberRole::PATH) || path.starts_with(route::SetActive::PATH),
        };
        self.refresh_organization_stores(refresh).await;
    }
}

/// One `/organization/*` call: `body` is the request body (or the query of a `GET`),
/// filled in by the setters of each endpoint; awaiting it sends it.
pub struct OrganizationCall<'a, B, T> {
    client: &'a AuthClient,
    method: Method,
    path: &'static str,
    body: B,
    answer: PhantomData<fn() -> T>,
}

impl<B: std::fmt::Debug, T> std::fmt::Debug for OrganizationCall<'_, B, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrganizationCall")
            .field("path", &self.path)
            .field("body", &self.body)
            .finish()
    }
}

impl<'a, B, T> OrganizationCall<'a, B, T>
where
    B: Serialize + Send + Sync,
    T: DeserializeOwned + Send,
{
    fn new(client: &'a AuthClient, method: Method, path: &'static str, body: B) -> Self {
        Self {
            client,
            method,
            path,
            body,
            answer: PhantomData,
        }
    }

    /// The request body (or query) as it will be sent.
    pub fn body(&self) -> &B {
        &self.body
    }

    /// Sends it; on success refreshes the session and the stores it may have changed.
    pub async fn send(self) -> Result<T> {
        let result = match self.method {
            Method::Get => {
                let query = query_string(&self.body)?;
                self.client
                    .call::<(), T>(Method::Get, self.path, Some(&query), None)
                    .await
            }
            _ => self.client.call(self.method, self.path, None, Some(&self.body)).await,
        };
        if result.is_ok() {
            self.client.after_organization_call(self.path).await;
        }
        result
    }
}

impl<'a, B, T> std::future::IntoFuture for OrganizationCall<'a, B, T>
where
    B: Serialize + Send + Sync + 'a,
    T: DeserializeOwned + Send + 'a,
{
    type Output = Result<T>;
    type IntoFuture = crate::transport::BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The organization endpoints.
#[derive(Clone, Copy, Debug)]
pub struct OrganizationApi<'a> {
    client: &'a AuthClient,
}

impl<'a> OrganizationApi<'a> {
    /// A call of route `R` with its body (or query).
    fn call<R>(self, body: R::Request) -> OrganizationCall<'a, R::Request, R::Response>
    where
        R: Route,
        R::Request: Serialize + Send + Sync,
        R::Response: DeserializeOwned + Send,
    {
        OrganizationCall::new(self.client, R::METHOD, R::PATH, body)
    }

    // ---- stores ----

    /// The active organization (`get-full-organization`), as a reactive store.
    pub fn active(self) -> QueryHandle<FullOrganization> {
        QueryHandle::new(self.client, &self.client.inner.organization.active)
    }

    /// The caller's organizations (`list`), as a reactive store.
    pub fn organizations(self) -> QueryHandle<Vec<Organization>> {
        QueryHandle::new(self.client, &self.client.inner.organization.list)
    }

    /// The caller's membership of the active organization, as a reactive store.
    pub fn active_member(self) -> QueryHandle<Member> {
        QueryHandle::new(self.client, &self.client.inner.organization.active_member)
    }

    /// The caller's roles in the active organization, as a reactive store.
    pub fn active_member_role(self) -> QueryHandle<MemberRole> {
        QueryHandle::new(self.client, &self.client.inner.organization.active_member_role)
    }

    /// Whether a role value (`"admin,auditor"`) grants `permissions`, by the static roles
    /// alone (the defaults and the client's
    /// [`organization_roles`](crate::AuthClientBuilder::organization_roles)), without
    /// asking the server. Dynamic roles need [`OrganizationApi::has_permission`].
    pub fn check_role_permission(self, role: &str, permissions: &Permissions) -> bool {
        self.client.inner.organization_roles.allows(role, permissions)
    }

    // ---- organizations ----

    /// `POST /organization/create`; the new organization becomes the active one.
    pub fn create(
        self,
        name: impl Into<String>,
        slug: impl Into<String>,
    ) -> OrganizationCall<'a, CreateOrganizationRequest, CreatedOrganization> {
        self.call::<route::Create>(CreateOrganizationRequest {
            name: name.into(),
            slug: slug.into(),
            ..Default::default()
        })
    }

    /// `POST /organization/check-slug`: `Ok(())` when the slug is free (else
    /// `ORGANIZATION_SLUG_ALREADY_TAKEN`).
    pub async fn check_slug(self, slug: impl Into<String>) -> Result<()> {
        let _: StatusResponse = self
            .call::<route::CheckSlug>(CheckSlugRequest { slug: slug.into() })
            .await?;
        Ok(())
    }

    /// Whether a slug is free.
    pub async fn is_slug_available(self, slug: impl Into<String>) -> Result<bool> {
        match self.check_slug(slug).await {
            Ok(()) => Ok(true),
            Err(Error::Api {
                code: ErrorCode::OrganizationSlugAlreadyTaken,
                ..
            }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// `POST /organization/update` (of the active organization unless
    /// [`organization_id`](OrganizationCall::organization_id) is set).
    pub fn update(self) -> OrganizationCall<'a, UpdateOrganizationRequest, Organization> {
        self.call::<route::Update>(UpdateOrganizationRequest::default())
    }

    /// `POST /organization/delete`.
    pub fn delete(
        self,
        organization_id: impl Into<String>,
    ) -> OrganizationCall<'a, OrganizationIdRequest, Organization> {
        self.call::<route::Delete>(OrganizationIdRequest {
            organization_id: organization_id.into(),
        })
    }

    /// `GET /organization/get-organization` (the active one unless named).
    pub fn get_organization(self) -> OrganizationCall<'a, OrganizationQuery, Option<Organization>> {
        self.call::<route::GetOrganization>(OrganizationQuery::default())
    }

    /// `GET /organization/get-full-organization`: with members, invitations and teams.
    pub fn get_full_organization(self) -> OrganizationCall<'a, OrganizationQuery, Option<FullOrganization>> {
        self.call::<route::GetFullOrganization>(OrganizationQuery::default())
    }

    /// `POST /organization/set-active` with an organization id (`None` clears it).
    pub fn set_active(
        self,
        organization_id: Option<&str>,
    ) -> OrganizationCall<'a, SetActiveOrganizationRequest, Option<Organization>> {
        self.call::<route::SetActive>(SetActiveOrganizationRequest {
            organization_id: Some(organization_id.map(str::to_owned)),
            organization_slug: None,
        })
    }

    /// `POST /organization/set-active` by slug.
    pub fn set_active_by_slug(
        self,
        slug: impl Into<String>,
    ) -> OrganizationCall<'a, SetActiveOrganizationRequest, Option<Organization>> {
        self.call::<route::SetActive>(SetActiveOrganizationRequest {
            organization_id: None,
            organization_slug: Some(slug.into()),
        })
    }

    /// `GET /organization/list`: the caller's organizations.
    pub fn list(self) -> OrganizationCall<'a, OrganizationIdQuery, Vec<Organization>> {
        self.call::<route::List>(OrganizationIdQuery::default())
    }

    // ---- invitations ----

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

    // ---- members ----

    /// `POST /organization/remove-member` by member id or email address.
    pub fn remove_member(
        self,
        member_id_or_email: impl Into<String>,
    ) -> OrganizationCall<'a, RemoveMemberRequest, RemovedMember> {
        self.call::<route::RemoveMember>(RemoveMemberRequest {
            member_id_or_email: member_id_or_email.into(),
            organization_id: None,
        })
    }

    /// `POST /organization/update-member-role`.
    pub fn update_member_role(
        self,
        member_id: impl Into<String>,
        role: impl Into<Roles>,
    ) -> OrganizationCall<'a, UpdateMemberRoleRequest, Member> {
        self.call::<route::UpdateMemberRole>(UpdateMemberRoleRequest {
            role: role.into(),
            member_id: member_id.into(),
            organization_id: None,
        })
    }

    /// `GET /organization/get-active-member`.
    pub fn get_active_member(self) -> OrganizationCall<'a, OrganizationIdQuery, Member> {
        self.call::<route::GetActiveMember>(OrganizationIdQuery::default())
    }

    /// `GET /organization/get-active-member-role` (the caller's, or a member's with
    /// [`user_id`](OrganizationCall::user_id)).
    pub fn get_active_member_role(self) -> OrganizationCall<'a, MemberRoleQuery, MemberRole> {
        self.call::<route::GetActiveMemberRole>(MemberRoleQuery::default())
    }

    /// `POST /organization/leave`.
    pub fn leave(self, organization_id: impl Into<String>) -> OrganizationCall<'a, OrganizationIdRequest, Member> {
        self.call::<route::Leave>(OrganizationIdRequest {
            organization_id: organization_id.into(),
        })
    }

    /// `GET /organization/list-members` (paged, sorted, filtered with the setters).
    pub fn list_members(self) -> OrganizationCall<'a, ListMembersQuery, MemberList> {
        self.call::<route::ListMembers>(ListMembersQuery::default())
    }

    /// `POST /organization/has-permission`: whether the caller's roles (static and
    /// dynamic) grant every one of `permissions`.
    pub async fn has_permission(self, permissions: Permissions) -> Result<bool> {
        self.has_permission_in(None, permissions).await
    }

    /// [`OrganizationApi::has_permission`] in a named organization.
    pub async fn has_permission_in(self, organization_id: Option<&str>, permissions: Permissions) -> Result<bool> {
        let answer: HasPermissionResponse = self
            .call::<route::HasPermission>(HasPermissionRequest {
                organization_id: organization_id.map(str::to_owned),
                permissions: Some(permissions),
                permission: None,
            })
            .await?;
        Ok(answer.success)
    }

    // ---- teams ----

    /// `POST /organization/create-team`.
    pub fn create_team(self, name: impl Into<String>) -> OrganizationCall<'a, CreateTeamRequest, Team> {
        self.call::<route::CreateTeam>(CreateTeamRequest {
            name: name.into(),
            organization_id: None,
        })
    }

    /// `GET /organization/list-teams`.
    pub fn list_teams(self) -> OrganizationCall<'a, OrganizationIdQuery, Vec<Team>> {
        self.call::<route::ListTeams>(OrganizationIdQuery::default())
    }

    /// `POST /organization/update-team`.
    pub fn update_team(self, team_id: impl Into<String>) -> OrganizationCall<'a, UpdateTeamRequest, Team> {
        self.call::<route::UpdateTeam>(UpdateTeamRequest {
            team_id: team_id.into(),
            data: TeamChanges::default(),
        })
    }

    /// `POST /organization/remove-team`.
    pub fn remove_team(self, team_id: impl Into<String>) -> OrganizationCall<'a, RemoveTeamRequest, MessageResponse> {
        self.call::<route::RemoveTeam>(RemoveTeamRequest {
            team_id: team_id.into(),
            organization_id: None,
        })
    }

    /// `POST /organization/set-active-team` (`None` clears it).
    pub fn set_active_team(self, team_id: Option<&str>) -> OrganizationCall<'a, SetActiveTeamRequest, Option<Team>> {
        self.call::<route::SetActiveTeam>(SetActiveTeamRequest {
            team_id: Some(team_id.map(str::to_owned)),
        })
    }

    /// `GET /organization/list-user-teams`.
    pub fn list_user_teams(self) -> OrganizationCall<'a, UserTeamsQuery, Vec<Team>> {
        self.call::<route::ListUserTeams>(UserTeamsQuery::default())
    }

    /// `GET /organization/list-team-members` (of the active team unless named).
    pub fn list_team_members(self, team_id: Option<&str>) -> OrganizationCall<'a, TeamMembersQuery, Vec<TeamMember>> {
        self.call::<route::ListTeamMembers>(TeamMembersQuery {
            team_id: team_id.map(str::to_owned),
        })
    }

    /// `POST /organization/add-team-member`.
    pub fn add_team_member(
        self,
        team_id: impl Into<String>,
        user_id: impl Into<String>,
    ) -> OrganizationCall<'a, TeamMemberRequest, TeamMember> {
        self.call::<route::AddTeamMember>(TeamMemberRequest {
            team_id: team_id.into(),
            user_id: user_id.into(),
            organization_id: None,
        })
    }

    /// `POST /organization/remove-team-member`.
    pub fn remove_team_member(
        self,
        team_id: impl Into<String>,
        user_id: impl Into<String>,
    ) -> OrganizationCall<'a, TeamMemberRequest, MessageResponse> {
        self.call::<route::RemoveTeamMember>(TeamMemberRequest {
            team_id: team_id.into(),
            user_id: user_id.into(),
            organization_id: None,
        })
    }

    // ---- dynamic roles ----

    /// `POST /organization/create-role`.
    pub fn create_role(
        self,
        name: impl Into<String>,
        permissions: Permissions,
    ) -> OrganizationCall<'a, CreateRoleRequest, CreatedRole> {
        self.call::<route::CreateRole>(CreateRoleRequest {
            organization_id: None,
            role: name.into(),
            permission: permissions,
        })
    }

    /// `POST /organization/delete-role` by name.
    pub fn delete_role(self, name: impl Into<String>) -> OrganizationCall<'a, RoleSelector, SuccessResponse> {
        self.call::<route::DeleteRole>(RoleSelector {
            role_name: Some(name.into()),
            ..Default::default()
        })
    }

    /// `GET /organization/list-roles`.
    pub fn list_roles(self) -> OrganizationCall<'a, OrganizationIdQuery, Vec<OrganizationRole>> {
        self.call::<route::ListRoles>(OrganizationIdQuery::default())
    }

    /// `GET /organization/get-role` by name.
    pub fn get_role(self, name: impl Into<String>) -> OrganizationCall<'a, RoleSelector, OrganizationRole> {
        self.call::<route::GetRole>(RoleSelector {
            role_name: Some(name.into()),
            ..Default::default()
        })
    }

    /// `POST /organization/update-role` by name.
    pub fn update_role(self, name: impl Into<String>) -> OrganizationCall<'a, UpdateRoleRequest, UpdatedRole> {
        self.call::<route::UpdateRole>(UpdateRoleRequest {
            selector: RoleSelector {
                role_name: Some(name.into()),
                ..Default::default()
            },
            data: RoleChanges::default(),
        })
    }
}

/// Setters of the calls that may name the organization (default: the active one).
pub trait InOrganization {
    /// Sets the organization the call is about.
    fn set_organization(&mut self, organization_id: String);
}

macro_rules! in_organization {
    ($($body:ty => $($field:ident).+;)*) => {
        $(impl InOrganization for $body {
            fn set_organization(&mut self, organization_id: String) {
                self.$($field).+ = Some(organization_id);
            }
        })*
    };
}

in_organization! {
    UpdateOrganizationRequest => organization_id;
    OrganizationQuery => organization_id;
    OrganizationIdQuery => organization_id;
    InviteMemberRequest => organization_id;
    RemoveMemberRequest => organization_id;
    UpdateMemberRoleRequest => organization_id;
    MemberRoleQuery => organization_id;
    ListMembersQuery => organization_id;
    CreateTeamRequest => organization_id;
    RemoveTeamRequest => organization_id;
    TeamMemberRequest => organization_id;
    UserTeamsQuery => organization_id;
    UpdateTeamRequest => data.organization_id;
    CreateRoleRequest => organization_id;
    RoleSelector => organization_id;
    UpdateRoleRequest => selector.organization_id;
}

impl<B: InOrganization, T> OrganizationCall<'_, B, T> {
    /// The organization the call is about (default: the active one).
    pub fn organization_id(mut self, organization_id: impl Into<String>) -> Self {
        self.body.set_organization(organization_id.into());
        self
    }
}

impl<T> OrganizationCall<'_, OrganizationQuery, T> {
    /// Names the organization by slug.
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.body.organization_slug = Some(slug.into());
        self
    }

    /// `get-full-organization`: at most this many members.
    pub fn members_limit(mut self, limit: u32) -> Self {
        self.body.members_limit = Some(limit.to_string());
        self
    }
}

impl OrganizationCall<'_, CreateOrganizationRequest, CreatedOrganization> {
    /// Logo URL.
    pub fn logo(mut self, url: impl Into<String>) -> Self {
        self.body.logo = Some(Some(url.into()));
        self
    }

    /// Free-form data (stored as JSON).
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Leave the session's active organization as it is.
    pub fn keep_current_active_organization(mut self) -> Self {
        self.body.keep_current_active_organization = Some(true);
        self
    }
}

impl OrganizationCall<'_, UpdateOrganizationRequest, Organization> {
    /// New name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.data.name = Some(name.into());
        self
    }

    /// New slug.
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.body.data.slug = Some(slug.into());
        self
    }

    /// New logo (`None` removes it).
    pub fn logo(mut self, url: Option<&str>) -> Self {
        self.body.data.logo = Some(url.map(str::to_owned));
        self
    }

    /// New metadata (replaces the old).
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.body.data.metadata = Some(metadata);
        self
    }

    /// All changes at once.
    pub fn changes(mut self, changes: OrganizationChanges) -> Self {
        self.body.data = changes;
        self
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

impl OrganizationCall<'_, MemberRoleQuery, MemberRole> {
    /// Another member's roles (by user id).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.body.user_id = Some(user_id.into());
        self
    }
}

impl OrganizationCall<'_, ListMembersQuery, MemberList> {
    /// Page size.
    pub fn limit(mut self, limit: u32) -> Self {
        self.body.limit = Some(limit.to_string());
        self
    }

    /// Members to skip.
    pub fn offset(mut self, offset: u32) -> Self {
        self.body.offset = Some(offset.to_string());
        self
    }

    /// Sorts by a member field (`createdAt`, `role`, …).
    pub fn sort_by(mut self, field: impl Into<String>, direction: SortDirection) -> Self {
        self.body.sort_by = Some(field.into());
        self.body.sort_direction = Some(direction);
        self
    }

    /// Only members whose `field` compares to `value` by `operator` (`eq`, `ne`, `lt`,
    /// `contains`, …; `in` and `not_in` take several values: `["owner", "admin"]`).
    pub fn filter(mut self, field: impl Into<String>, operator: &str, value: impl Into<FilterValue>) -> Self {
        self.body.filter_field = Some(field.into());
        self.body.filter_operator = Some(operator.to_owned());
        self.body.filter_value = Some(value.into());
        self
    }

    /// Names the organization by slug.
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.body.organization_slug = Some(slug.into());
        self
    }
}

impl OrganizationCall<'_, UpdateTeamRequest, Team> {
    /// New name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.data.name = Some(name.into());
        self
    }
}

impl OrganizationCall<'_, UserTeamsQuery, Vec<Team>> {
    /// Another member's teams (needs `member: [update]`).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.body.user_id = Some(user_id.into());
        self
    }
}

impl OrganizationCall<'_, UpdateRoleRequest, UpdatedRole> {
    /// New grants (replace the old).
    pub fn permissions(mut self, permissions: Permissions) -> Self {
        self.body.data.permission = Some(permissions);
        self
    }

    /// New name.
    pub fn rename(mut self, name: impl Into<String>) -> Self {
        self.body.data.role_name = Some(name.into());
        self
    }
}

/// The static roles a client checks locally: the defaults plus any given to
/// [`AuthClientBuilder::organization_roles`](crate::AuthClientBuilder::organization_roles).
pub(crate) fn client_roles(custom: Option<RoleSet>) -> RoleSet {
    let mut roles = RoleSet::defaults();
    if let Some(custom) = custom {
        roles.0.extend(custom.0);
    }
    roles
}
