//! Teams: create, update, remove, set the active one, list, and team membership; with
//! their setters.

use super::{OrganizationApi, OrganizationCall};
use crate::wire::organization::{
    CreateTeamRequest, MessageResponse, OrganizationIdQuery, RemoveTeamRequest, SetActiveTeamRequest, Team,
    TeamChanges, TeamMember, TeamMemberRequest, TeamMembersQuery, UpdateTeamRequest, UserTeamsQuery,
};
use crate::wire::routes::organization as route;

impl<'a> OrganizationApi<'a> {
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
