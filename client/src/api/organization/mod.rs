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

mod invitations;
mod members;
mod orgs;
mod roles;
mod teams;

use std::marker::PhantomData;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::query_string;
use crate::client::AuthClient;
use crate::error::Result;
use crate::extension::StoreGroup;
use crate::query_store::{QueryHandle, QueryStore};
use crate::transport::{BoxFuture, Method};
use crate::wire::organization::{
    CreateRoleRequest, CreateTeamRequest, FullOrganization, InviteMemberRequest, ListMembersQuery, Member, MemberRole,
    MemberRoleQuery, Organization, OrganizationIdQuery, OrganizationQuery, Permissions, RemoveMemberRequest,
    RemoveTeamRequest, RoleSelector, RoleSet, TeamMemberRequest, UpdateMemberRoleRequest, UpdateOrganizationRequest,
    UpdateRoleRequest, UpdateTeamRequest, UserTeamsQuery,
};
use crate::wire::routes::Route;
use crate::wire::routes::organization as route;

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

impl OrganizationStores {
    async fn refresh(&self, client: &AuthClient, refresh: StoreRefresh) {
        if refresh.active && self.active.is_mounted() {
            let _ = self.active.refetch(client).await;
        }
        if (refresh.active || refresh.member) && self.active_member.is_mounted() {
            let _ = self.active_member.refetch(client).await;
        }
        if (refresh.active || refresh.member) && self.active_member_role.is_mounted() {
            let _ = self.active_member_role.refetch(client).await;
        }
        if refresh.list && self.list.is_mounted() {
            let _ = self.list.refetch(client).await;
        }
    }
}

impl StoreGroup for OrganizationStores {
    /// better-auth's session paths toggle `$activeOrgSignal`; the list follows too.
    fn after_session_change<'a>(&'a self, client: &'a AuthClient) -> BoxFuture<'a, ()> {
        let refresh = StoreRefresh {
            active: true,
            list: true,
            member: false,
        };
        Box::pin(self.refresh(client, refresh))
    }

    fn after_sign_out<'a>(&'a self, client: &'a AuthClient) -> BoxFuture<'a, ()> {
        let everything = StoreRefresh {
            active: true,
            list: true,
            member: true,
        };
        Box::pin(self.refresh(client, everything))
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

    /// The organization stores, made (and registered to follow the session) on first use.
    fn organization_stores(&self) -> Arc<OrganizationStores> {
        self.store_group(&self.inner.organization, OrganizationStores::default)
    }

    /// Refetches the organization stores someone uses.
    pub(crate) async fn refresh_organization_stores(&self, refresh: StoreRefresh) {
        if let Some(stores) = self.inner.organization.get() {
            stores.refresh(self, refresh).await;
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
        QueryHandle::new(self.client, &self.client.organization_stores().active)
    }

    /// The caller's organizations (`list`), as a reactive store.
    pub fn organizations(self) -> QueryHandle<Vec<Organization>> {
        QueryHandle::new(self.client, &self.client.organization_stores().list)
    }

    /// The caller's membership of the active organization, as a reactive store.
    pub fn active_member(self) -> QueryHandle<Member> {
        QueryHandle::new(self.client, &self.client.organization_stores().active_member)
    }

    /// The caller's roles in the active organization, as a reactive store.
    pub fn active_member_role(self) -> QueryHandle<MemberRole> {
        QueryHandle::new(self.client, &self.client.organization_stores().active_member_role)
    }

    /// Whether a role value (`"admin,auditor"`) grants `permissions`, by the static roles
    /// alone (the defaults and the client's
    /// [`organization_roles`](crate::AuthClientBuilder::organization_roles)), without
    /// asking the server. Dynamic roles need [`OrganizationApi::has_permission`].
    pub fn check_role_permission(self, role: &str, permissions: &Permissions) -> bool {
        let inner = &self.client.inner;
        inner
            .checked_roles
            .get_or_init(|| client_roles(inner.organization_roles.clone()))
            .allows(role, permissions)
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

/// The static roles a client checks locally: the defaults plus any given to
/// [`AuthClientBuilder::organization_roles`](crate::AuthClientBuilder::organization_roles).
pub(crate) fn client_roles(custom: Option<RoleSet>) -> RoleSet {
    let mut roles = RoleSet::defaults();
    if let Some(custom) = custom {
        roles.0.extend(custom.0);
    }
    roles
}
