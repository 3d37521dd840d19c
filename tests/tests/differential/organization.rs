//! The organization plugin's endpoints in the differential check: organizations,
//! invitations, members, roles and teams.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let user = |name: &str| json!({"name": name, "email": format!("{}@example.com", name.to_lowercase()), "password": "correct-horse-battery"});
    vec![
        step("ORG: sign-up Alice", Method::POST, "/sign-up/email", None).json(user("Alice")),
        step("ORG: sign-up Bob", Method::POST, "/sign-up/email", None)
            .json(user("Bob"))
            .by(1)
            .capture("bob_user", "/user/id"),
        step("ORG: sign-up Carol", Method::POST, "/sign-up/email", None).json(user("Carol")).by(2),
        step("ORG: sign-up Dave", Method::POST, "/sign-up/email", None).json(user("Dave")).by(3),
        step("ORG: create without a session", Method::POST, "/organization/create", None)
            .json(json!({"name": "X", "slug": "x"})),
        step("ORG: create with an empty name", Method::POST, "/organization/create", Bearer)
            .json(json!({"name": "", "slug": "x", "metadata": "nope"})),
        step("ORG: create", Method::POST, "/organization/create", Bearer)
            .json(json!({"name": "Acme", "slug": "acme", "logo": "https://img.example/acme.png", "metadata": {"plan": "pro"}}))
            .capture("org", "/id"),
        step("ORG: create with a taken slug", Method::POST, "/organization/create", Bearer)
            .json(json!({"name": "Acme again", "slug": "acme"})),
        step("ORG: create keeping the active one", Method::POST, "/organization/create", Bearer)
            .json(json!({"name": "Beta", "slug": "beta", "keepCurrentActiveOrganization": true}))
            .capture("beta", "/id"),
        step("ORG: check-slug of a taken slug", Method::POST, "/organization/check-slug", Bearer).json(json!({"slug": "acme"})),
        step("ORG: check-slug of a free slug", Method::POST, "/organization/check-slug", Bearer).json(json!({"slug": "gamma"})),
        step("ORG: get-session after create", Method::GET, "/get-session", Bearer),
        step("ORG: set-active by slug", Method::POST, "/organization/set-active", Cookie).json(json!({"organizationSlug": "beta"})),
        step("ORG: set-active to nothing", Method::POST, "/organization/set-active", Bearer).json(json!({"organizationId": null})),
        step("ORG: get-organization without an active one", Method::GET, "/organization/get-organization", Bearer),
        step("ORG: get-full-organization without an active one", Method::GET, "/organization/get-full-organization", Bearer),
        step("ORG: set-active by id", Method::POST, "/organization/set-active", Bearer).json(json!({"organizationId": "{org}"})),
        step("ORG: set-active to an unknown organization", Method::POST, "/organization/set-active", Bearer)
            .json(json!({"organizationId": "nope"}))
            .by(3),
        step("ORG: get-organization", Method::GET, "/organization/get-organization", Bearer),
        step("ORG: get-organization by slug", Method::GET, "/organization/get-organization?organizationSlug=beta", Bearer),
        step("ORG: get-organization of another's organization", Method::GET, "/organization/get-organization?organizationId={org}", Bearer).by(3),
        step("ORG: list", Method::GET, "/organization/list", Bearer),
        step("ORG: update", Method::POST, "/organization/update", Bearer)
            .json(json!({"data": {"name": "Acme Inc", "metadata": {"plan": "max"}}})),
        step("ORG: update to a taken slug", Method::POST, "/organization/update", Bearer).json(json!({"data": {"slug": "beta"}})),
        step("ORG: update with an empty name", Method::POST, "/organization/update", Bearer).json(json!({"data": {"name": ""}})),
        step("ORG: update by an outsider", Method::POST, "/organization/update", Bearer)
            .json(json!({"data": {"name": "Mine"}, "organizationId": "{org}"}))
            .by(3),
        step("ORG: create-team", Method::POST, "/organization/create-team", Bearer).json(json!({"name": "Core"})).capture("team", "/id"),
        step("ORG: list-teams", Method::GET, "/organization/list-teams", Bearer).capture("default_team", "/0/id"),
        step("ORG: invite Bob as admin", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "Bob@example.com", "role": "admin"}))
            .capture("inv_bob", "/id"),
        step("ORG: invite Carol into a team", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "carol@example.com", "role": ["member"], "teamId": "{team}"}))
            .capture("inv_carol", "/id"),
        step("ORG: invite Bob again", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "bob@example.com", "role": "admin"})),
        step("ORG: invite with an unknown role", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "erin@example.com", "role": "wizard"})),
        step("ORG: invite an invalid address", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "not-an-email", "role": "member"})),
        step("ORG: invite with a bad role type", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "erin@example.com", "role": 5})),
        step("ORG: invite into an unknown team", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "erin@example.com", "role": "member", "teamId": "nope"})),
        step("ORG: resend Bob's invitation", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "bob@example.com", "role": "admin", "resend": true})),
        step("ORG: list-invitations", Method::GET, "/organization/list-invitations", Bearer),
        step("ORG: list-invitations by an outsider", Method::GET, "/organization/list-invitations?organizationId={org}", Bearer).by(3),
        step("ORG: get-invitation by someone else", Method::GET, "/organization/get-invitation?id={inv_bob}", Bearer).by(3),
        step("ORG: get-invitation by its recipient", Method::GET, "/organization/get-invitation?id={inv_bob}", Bearer).by(1),
        step("ORG: list-user-invitations of an unverified user", Method::GET, "/organization/list-user-invitations", Bearer).by(1),
        step("ORG: accept someone else's invitation", Method::POST, "/organization/accept-invitation", Bearer)
            .json(json!({"invitationId": "{inv_bob}"}))
            .by(3),
        step("ORG: accept an invitation", Method::POST, "/organization/accept-invitation", Bearer)
            .json(json!({"invitationId": "{inv_bob}"}))
            .by(1)
            .capture("bob_member", "/member/id"),
        step("ORG: accept it again", Method::POST, "/organization/accept-invitation", Bearer)
            .json(json!({"invitationId": "{inv_bob}"}))
            .by(1),
        step("ORG: accept an invitation with a team", Method::POST, "/organization/accept-invitation", Cookie)
            .json(json!({"invitationId": "{inv_carol}"}))
            .by(2)
            .capture("carol_member", "/member/id"),
        step("ORG: get-session after accepting", Method::GET, "/get-session", Bearer).by(2),
        step("ORG: get-active-member", Method::GET, "/organization/get-active-member", Bearer).by(1),
        step("ORG: get-active-member without an active organization", Method::GET, "/organization/get-active-member", Bearer).by(3),
        step("ORG: get-active-member-role", Method::GET, "/organization/get-active-member-role", Bearer).by(2),
        step("ORG: get-full-organization", Method::GET, "/organization/get-full-organization", Bearer),
        step("ORG: get-full-organization as a member", Method::GET, "/organization/get-full-organization", Bearer).by(2),
        step("ORG: list-members", Method::GET, "/organization/list-members", Bearer),
        step("ORG: list-members paged and sorted", Method::GET, "/organization/list-members?limit=2&offset=1&sortBy=createdAt&sortDirection=desc", Bearer),
        step("ORG: list-members filtered", Method::GET, "/organization/list-members?filterField=role&filterValue=admin", Bearer),
        step("ORG: list-members by an outsider", Method::GET, "/organization/list-members?organizationId={org}", Bearer).by(3),
        step("ORG: has-permission of a member", Method::POST, "/organization/has-permission", Bearer)
            .json(json!({"permissions": {"member": ["create"]}}))
            .by(2),
        step("ORG: has-permission of an admin", Method::POST, "/organization/has-permission", Bearer)
            .json(json!({"permission": {"member": ["create"]}}))
            .by(1),
        step("ORG: has-permission of an outsider", Method::POST, "/organization/has-permission", Bearer)
            .json(json!({"permissions": {"member": ["create"]}, "organizationId": "{org}"}))
            .by(3),
        step("ORG: has-permission with both keys", Method::POST, "/organization/has-permission", Bearer)
            .json(json!({"permissions": {"member": ["create"]}, "permission": {"member": ["create"]}})),
        step("ORG: has-permission with neither key", Method::POST, "/organization/has-permission", Bearer).json(json!({})),
        step("ORG: an admin promotes a member", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "{carol_member}", "role": "admin"}))
            .by(1),
        step("ORG: an admin grants the owner role", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "{carol_member}", "role": "owner"}))
            .by(1),
        step("ORG: the owner grants several roles", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "{bob_member}", "role": ["admin", "auditor"]})),
        step("ORG: update-member-role with an unknown role", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "{bob_member}", "role": "wizard"})),
        step("ORG: update-member-role of an unknown member", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "nope", "role": "member"})),
        step("ORG: remove the owner as an admin", Method::POST, "/organization/remove-member", Bearer)
            .json(json!({"memberIdOrEmail": "alice@example.com"}))
            .by(2),
        step("ORG: remove an unknown member", Method::POST, "/organization/remove-member", Bearer)
            .json(json!({"memberIdOrEmail": "nobody@example.com"})),
        step("ORG: set-active-team to a team one is not in", Method::POST, "/organization/set-active-team", Bearer)
            .json(json!({"teamId": "{team}"})),
        step("ORG: set-active-team", Method::POST, "/organization/set-active-team", Cookie).json(json!({"teamId": "{default_team}"})),
        step("ORG: list-user-teams", Method::GET, "/organization/list-user-teams", Bearer),
        step("ORG: list-team-members", Method::GET, "/organization/list-team-members", Bearer),
        step("ORG: add-team-member", Method::POST, "/organization/add-team-member", Bearer)
            .json(json!({"teamId": "{team}", "userId": "{bob_user}"})),
        step("ORG: update-team", Method::POST, "/organization/update-team", Bearer)
            .json(json!({"teamId": "{team}", "data": {"name": "Core Team"}})),
        step("ORG: remove-team-member", Method::POST, "/organization/remove-team-member", Bearer)
            .json(json!({"teamId": "{team}", "userId": "{bob_user}"})),
        step("ORG: remove the active team", Method::POST, "/organization/remove-team", Bearer).json(json!({"teamId": "{default_team}"})),
        step("ORG: remove-team", Method::POST, "/organization/remove-team", Bearer).json(json!({"teamId": "{team}"})),
        step("ORG: create-role", Method::POST, "/organization/create-role", Bearer)
            .json(json!({"role": "Designer", "permission": {"member": ["create"]}})),
        step("ORG: create-role with an unknown resource", Method::POST, "/organization/create-role", Bearer)
            .json(json!({"role": "x", "permission": {"spaceship": ["fly"]}})),
        step("ORG: create-role with a predefined name", Method::POST, "/organization/create-role", Bearer)
            .json(json!({"role": "Admin", "permission": {"member": ["create"]}})),
        step("ORG: create-role granting more than one holds", Method::POST, "/organization/create-role", Bearer)
            .json(json!({"role": "boss", "permission": {"organization": ["delete"]}}))
            .by(1),
        step("ORG: list-roles", Method::GET, "/organization/list-roles", Bearer),
        step("ORG: get-role", Method::GET, "/organization/get-role?roleName=designer", Bearer),
        step("ORG: update-role", Method::POST, "/organization/update-role", Bearer)
            .json(json!({"roleName": "designer", "data": {"permission": {"member": ["create", "update"]}}})),
        step("ORG: update-role without a role", Method::POST, "/organization/update-role", Bearer)
            .json(json!({"data": {"roleName": "x"}})),
        step("ORG: delete a predefined role", Method::POST, "/organization/delete-role", Bearer).json(json!({"roleName": "owner"})),
        step("ORG: delete-role", Method::POST, "/organization/delete-role", Bearer).json(json!({"roleName": "designer"})),
        step("ORG: invite Dave", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "dave@example.com", "role": "member"}))
            .capture("inv_dave", "/id"),
        step("ORG: cancel-invitation by a non-member", Method::POST, "/organization/cancel-invitation", Bearer)
            .json(json!({"invitationId": "{inv_dave}"}))
            .by(3),
        step("ORG: cancel-invitation", Method::POST, "/organization/cancel-invitation", Bearer).json(json!({"invitationId": "{inv_dave}"})),
        step("ORG: reject a canceled invitation", Method::POST, "/organization/reject-invitation", Bearer)
            .json(json!({"invitationId": "{inv_dave}"}))
            .by(3),
        step("ORG: remove a member by email", Method::POST, "/organization/remove-member", Bearer)
            .json(json!({"memberIdOrEmail": "carol@example.com"})),
        step("ORG: leave", Method::POST, "/organization/leave", Bearer).json(json!({"organizationId": "{org}"})).by(1),
        step("ORG: leave as the only owner", Method::POST, "/organization/leave", Bearer).json(json!({"organizationId": "{org}"})),
        step("ORG: delete by a non-member", Method::POST, "/organization/delete", Bearer).json(json!({"organizationId": "{org}"})).by(1),
        step("ORG: delete", Method::POST, "/organization/delete", Bearer).json(json!({"organizationId": "{org}"})),
        step("ORG: get-session after delete", Method::GET, "/get-session", Bearer),
    ]
}

#[tokio::test]
async fn the_organization_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, keyward_tests::organization_like_the_peer).await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["organization"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
