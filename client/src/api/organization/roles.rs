//! Dynamic access control: roles defined at run time per organization (create, delete,
//! get, list, update); with the setters of `update-role`.

use super::{OrganizationApi, OrganizationCall};
use crate::wire::organization::{
    CreateRoleRequest, CreatedRole, OrganizationIdQuery, OrganizationRole, Permissions, RoleChanges, RoleSelector,
    SuccessResponse, UpdateRoleRequest, UpdatedRole,
};
use crate::wire::routes::organization as route;

impl<'a> OrganizationApi<'a> {
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
