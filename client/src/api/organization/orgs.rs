//! Organizations themselves: create, check a slug, update, delete, set the active one,
//! get and list; with the setters of those calls.

use serde_json::{Map, Value};

use super::{OrganizationApi, OrganizationCall};
use crate::error::{Error, Result};
use crate::wire::organization::{
    CheckSlugRequest, CreateOrganizationRequest, CreatedOrganization, FullOrganization, Organization,
    OrganizationChanges, OrganizationIdQuery, OrganizationIdRequest, OrganizationQuery, SetActiveOrganizationRequest,
    UpdateOrganizationRequest,
};
use crate::wire::routes::organization as route;
use crate::wire::{ErrorCode, StatusResponse};

impl<'a> OrganizationApi<'a> {
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
