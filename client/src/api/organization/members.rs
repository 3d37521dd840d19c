//! Members: remove, change roles, leave, the active member and its role, list (paged,
//! sorted, filtered), and the server-side permission check; with their setters.

use super::{OrganizationApi, OrganizationCall};
use crate::error::Result;
use crate::wire::organization::{
    FilterValue, HasPermissionRequest, HasPermissionResponse, ListMembersQuery, Member, MemberList, MemberRole,
    MemberRoleQuery, OrganizationIdQuery, OrganizationIdRequest, Permissions, RemoveMemberRequest, RemovedMember,
    Roles, SortDirection, UpdateMemberRoleRequest,
};
use crate::wire::routes::organization as route;

impl<'a> OrganizationApi<'a> {
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
