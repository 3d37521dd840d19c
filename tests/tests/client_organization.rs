//! `client.organization()` and its stores, against both servers: Keyward's organization
//! plugin and better-auth's (interop direction A). Three users: Alice (owner), Bob
//! (admin) and Carol (member), and Dave, who belongs nowhere.

use keyward_client::wire::ErrorCode;
use keyward_client::wire::organization::{InvitationStatus, Permissions, RoleSet, SortDirection};
use keyward_client::{AuthClient, Error};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{OrganizationOptions, Peer, PeerKind, PeerOptions, peer_test};
use serde_json::json;

const PASSWORD: &str = "correct-horse-battery";

async fn peer_with(kind: PeerKind, organization: OrganizationOptions) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["organization"],
            organization,
            ..PeerOptions::default()
        },
    )
    .await
}

async fn peer(kind: PeerKind) -> Peer {
    peer_with(kind, OrganizationOptions::default()).await
}

async fn user(peer: &Peer, name: &str) -> AuthClient {
    let client = peer.client();
    let email = format!("{}@example.com", name.to_lowercase());
    client.sign_up().email(name, email, PASSWORD).await.expect("signs up");
    client
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn status<T: std::fmt::Debug>(result: Result<T, Error>) -> u16 {
    match result {
        Err(Error::Api { status, .. }) => status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn active_organization_id(client: &AuthClient) -> Option<String> {
    client
        .session()
        .get()
        .data
        .and_then(|d| d.session.additional.get("activeOrganizationId").cloned())
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Alice's organization with Bob as admin and Carol as member, through invitations.
struct Acme {
    alice: AuthClient,
    bob: AuthClient,
    carol: AuthClient,
    dave: AuthClient,
    id: String,
}

async fn invite_and_accept(peer: &Peer, inviter: &AuthClient, invitee: &AuthClient, email: &str, role: &str) {
    let invitation = inviter
        .organization()
        .invite_member(email, role)
        .await
        .expect("invites");
    let sent = peer.email("organization-invitation", email).await;
    assert_eq!(
        sent["token"],
        invitation.id.as_str(),
        "the email carries the invitation id"
    );
    let accepted = invitee
        .organization()
        .accept_invitation(invitation.id.as_str())
        .await
        .expect("accepts");
    assert_eq!(accepted.member.expect("a member").role, role);
}

async fn acme(peer: &Peer) -> Acme {
    let alice = user(peer, "Alice").await;
    let bob = user(peer, "Bob").await;
    let carol = user(peer, "Carol").await;
    let dave = user(peer, "Dave").await;
    let created = alice.organization().create("Acme", "acme").await.expect("creates");
    invite_and_accept(peer, &alice, &bob, "bob@example.com", "admin").await;
    invite_and_accept(peer, &alice, &carol, "carol@example.com", "member").await;
    Acme {
        alice,
        bob,
        carol,
        dave,
        id: created.organization.id,
    }
}

peer_test! {
    async fn organization_lifecycle(kind) {
        let _record = against_better_auth(kind, &[flows::ORG_CRUD]);
        let peer = peer(kind).await;
        let alice = user(&peer, "Alice").await;
        assert!(alice.organization().is_slug_available("acme").await.expect("checks"));
        let metadata = json!({"plan": "pro"}).as_object().cloned().expect("object");
        let created = alice
            .organization()
            .create("Acme", "acme")
            .logo("https://img.example/acme.png")
            .metadata(metadata.clone())
            .await
            .expect("creates");
        assert_eq!(created.members.len(), 1);
        assert_eq!(created.members[0].role, "owner");
        assert_eq!(created.organization.metadata.object(), Some(metadata));
        assert!(!alice.organization().is_slug_available("acme").await.expect("checks"));
        assert_eq!(active_organization_id(&alice).as_deref(), Some(created.organization.id.as_str()), "active at once");
        assert_eq!(code(alice.organization().create("Again", "acme").await), ErrorCode::OrganizationAlreadyExists);

        let beta = alice
            .organization()
            .create("Beta", "beta")
            .keep_current_active_organization()
            .await
            .expect("creates");
        assert_eq!(active_organization_id(&alice).as_deref(), Some(created.organization.id.as_str()));
        let listed = alice.organization().list().await.expect("lists");
        assert_eq!(listed.iter().map(|o| o.slug.as_str()).collect::<Vec<_>>(), ["acme", "beta"]);

        let switched = alice.organization().set_active_by_slug("beta").await.expect("switches");
        assert_eq!(switched.map(|o| o.id), Some(beta.organization.id.clone()));
        assert_eq!(active_organization_id(&alice).as_deref(), Some(beta.organization.id.as_str()), "the session store followed");
        assert_eq!(alice.organization().set_active(None).await.expect("clears"), None);
        assert_eq!(active_organization_id(&alice), None);
        assert_eq!(alice.organization().get_full_organization().await.expect("asks"), None);
        alice.organization().set_active(Some(&created.organization.id)).await.expect("switches");

        let updated = alice.organization().update().name("Acme Inc").slug("acme-inc").await.expect("updates");
        assert_eq!((updated.name.as_str(), updated.slug.as_str()), ("Acme Inc", "acme-inc"));
        let taken = alice.organization().update().slug("beta").await;
        assert_eq!(code(taken), ErrorCode::OrganizationSlugAlreadyTaken);
        let fetched = alice.organization().get_organization().slug("acme-inc").await.expect("gets");
        assert_eq!(fetched.map(|o| o.name), Some("Acme Inc".to_owned()));
        let full = alice.organization().get_full_organization().await.expect("gets").expect("active");
        assert_eq!(full.members.len(), 1);
        assert_eq!(full.members[0].user.as_ref().map(|u| u.email.as_str()), Some("alice@example.com"));
        assert!(full.teams.is_some(), "the peers run with teams");

        let outsider = user(&peer, "Dave").await;
        let foreign = outsider.organization().get_organization().organization_id(created.organization.id.as_str()).await;
        assert_eq!(code(foreign), ErrorCode::UserIsNotAMemberOfTheOrganization);
        assert_eq!(code(outsider.organization().delete(created.organization.id.as_str()).await), ErrorCode::UserIsNotAMemberOfTheOrganization);

        let deleted = alice.organization().delete(created.organization.id.as_str()).await.expect("deletes");
        assert_eq!(deleted.id, created.organization.id);
        assert_eq!(active_organization_id(&alice), None, "deleting the active organization unsets it");
        assert_eq!(alice.organization().list().await.expect("lists").len(), 1);
    }
}

peer_test! {
    async fn what_each_role_may_do(kind) {
        let _record = against_better_auth(kind, &[flows::ORG_MEMBERS]);
        let peer = peer(kind).await;
        let acme = acme(&peer).await;
        let p = |resource: &str, action: &str| Permissions::new().with(resource, [action]);
        // has-permission, on the server and locally for the static roles.
        let table = [
            ("organization", "delete", [true, false, false]),
            ("organization", "update", [true, true, false]),
            ("member", "create", [true, true, false]),
            ("invitation", "cancel", [true, true, false]),
            ("team", "create", [true, true, false]),
            ("ac", "read", [true, true, true]),
        ];
        for (resource, action, expected) in table {
            for (client, (role, allowed)) in [&acme.alice, &acme.bob, &acme.carol].into_iter().zip(["owner", "admin", "member"].into_iter().zip(expected)) {
                let server = client.organization().has_permission(p(resource, action)).await.expect("asks");
                assert_eq!(server, allowed, "{role} {resource}:{action}");
                assert_eq!(client.organization().check_role_permission(role, &p(resource, action)), allowed);
            }
        }
        let outsider = acme.dave.organization().has_permission_in(Some(&acme.id), p("ac", "read")).await;
        assert_eq!(status(outsider), 401);

        // A member may not change the organization, invite, or manage members.
        assert_eq!(code(acme.carol.organization().update().name("Mine").await), ErrorCode::YouAreNotAllowedToUpdateThisOrganization);
        assert_eq!(code(acme.carol.organization().invite_member("erin@example.com", "member").await), ErrorCode::YouAreNotAllowedToInviteUsersToThisOrganization);
        let members = acme.alice.organization().list_members().await.expect("lists");
        assert_eq!(members.total, 3);
        let member_id = |email: &str| {
            members.members.iter().find(|m| m.user.as_ref().is_some_and(|u| u.email == email)).expect("member").id.clone()
        };
        let bob_id = member_id("bob@example.com");
        let carol_id = member_id("carol@example.com");
        let alice_id = member_id("alice@example.com");
        assert_eq!(code(acme.carol.organization().update_member_role(bob_id.as_str(), "member").await), ErrorCode::YouAreNotAllowedToUpdateThisMember);
        let removal = acme.carol.organization().remove_member(bob_id.as_str()).await;
        assert_eq!((status(removal.clone()), code(removal)), (401, ErrorCode::YouAreNotAllowedToDeleteThisMember));
        assert_eq!(code(acme.carol.organization().delete(acme.id.as_str()).await), ErrorCode::YouAreNotAllowedToDeleteThisOrganization);

        // An admin may manage members but not owners, and may not delete the organization.
        assert_eq!(code(acme.bob.organization().delete(acme.id.as_str()).await), ErrorCode::YouAreNotAllowedToDeleteThisOrganization);
        assert_eq!(code(acme.bob.organization().update_member_role(carol_id.as_str(), "owner").await), ErrorCode::YouAreNotAllowedToUpdateThisMember);
        assert_eq!(code(acme.bob.organization().update_member_role(alice_id.as_str(), "member").await), ErrorCode::YouAreNotAllowedToUpdateThisMember);
        assert_eq!(code(acme.bob.organization().remove_member("alice@example.com").await), ErrorCode::YouCannotLeaveTheOrganizationAsTheOnlyOwner);
        assert_eq!(code(acme.bob.organization().invite_member("erin@example.com", "owner").await), ErrorCode::YouAreNotAllowedToInviteUserWithThisRole);
        acme.bob.organization().update_member_role(carol_id.as_str(), "auditor").await.expect("an admin sets a custom role");

        // The custom role: may cancel invitations, may not invite.
        let pending = acme.alice.organization().invite_member("erin@example.com", "member").await.expect("invites");
        assert!(acme.carol.organization().has_permission(p("invitation", "cancel")).await.expect("asks"));
        assert_eq!(code(acme.carol.organization().invite_member("fay@example.com", "member").await), ErrorCode::YouAreNotAllowedToInviteUsersToThisOrganization);
        let canceled = acme.carol.organization().cancel_invitation(pending.id.as_str()).await.expect("cancels");
        assert_eq!(canceled.map(|i| i.status), Some(InvitationStatus::Canceled));

        // Roles: several at once, unknown ones refused, the last owner kept.
        let both = acme.alice.organization().update_member_role(bob_id.as_str(), vec!["admin", "auditor"]).await.expect("updates");
        assert_eq!(both.roles(), ["admin", "auditor"]);
        let unknown = acme.alice.organization().update_member_role(bob_id.as_str(), "wizard").await;
        assert_eq!(code(unknown), ErrorCode::RoleNotFound);
        assert_eq!(code(acme.alice.organization().update_member_role(alice_id.as_str(), "admin").await), ErrorCode::YouCannotLeaveTheOrganizationWithoutAnOwner);
        assert_eq!(code(acme.alice.organization().leave(acme.id.as_str()).await), ErrorCode::YouCannotLeaveTheOrganizationAsTheOnlyOwner);

        let role = acme.alice.organization().get_active_member_role().user_id(both.user_id.as_str()).await.expect("asks");
        assert_eq!(role.role, "admin,auditor");
        let removed = acme.bob.organization().remove_member("carol@example.com").await.expect("removes");
        assert_eq!(removed.member.id, carol_id);
        assert_eq!(code(acme.carol.organization().get_active_member().await), ErrorCode::MemberNotFound);
        let left = acme.bob.organization().leave(acme.id.as_str()).await.expect("leaves");
        assert_eq!(left.id, bob_id);
        assert_eq!(active_organization_id(&acme.bob), None, "leaving unsets the active organization");

        let page = acme.alice.organization().list_members().limit(1).sort_by("createdAt", SortDirection::Desc).await.expect("lists");
        assert_eq!((page.members.len(), page.total), (1, 1));
        let outsider = acme.dave.organization().list_members().organization_id(acme.id.as_str()).await;
        assert_eq!(code(outsider), ErrorCode::YouAreNotAMemberOfThisOrganization);
    }
}

peer_test! {
    async fn invitations(kind) {
        let _record = against_better_auth(kind, &[flows::ORG_INVITATIONS]);
        let peer = peer(kind).await;
        let alice = user(&peer, "Alice").await;
        let bob = user(&peer, "Bob").await;
        let dave = user(&peer, "Dave").await;
        let organization = alice.organization().create("Acme", "acme").await.expect("creates").organization;

        let invitation = alice.organization().invite_member("Bob@Example.com", "admin").await.expect("invites");
        assert_eq!(invitation.email, "bob@example.com");
        assert_eq!(invitation.status, InvitationStatus::Pending);
        assert_eq!(code(alice.organization().invite_member("bob@example.com", "admin").await), ErrorCode::UserIsAlreadyInvitedToThisOrganization);
        let resent = alice.organization().invite_member("bob@example.com", "admin").resend().await.expect("resends");
        assert_eq!(resent.id, invitation.id);
        assert!(resent.expires_at >= invitation.expires_at);
        let unknown_role = alice.organization().invite_member("erin@example.com", "wizard").await;
        assert_eq!(status(unknown_role), 400);
        assert_eq!(code(alice.organization().invite_member("not-an-email", "member").await), ErrorCode::InvalidEmail);

        let listed = alice.organization().list_invitations().await.expect("lists");
        assert_eq!(listed.len(), 1);
        let details = bob.organization().get_invitation(invitation.id.as_str()).await.expect("sees it");
        assert_eq!((details.organization_name.as_str(), details.inviter_email.as_str()), ("Acme", "alice@example.com"));
        assert_eq!(code(dave.organization().get_invitation(invitation.id.as_str()).await), ErrorCode::YouAreNotTheRecipientOfTheInvitation);
        assert_eq!(code(dave.organization().accept_invitation(invitation.id.as_str()).await), ErrorCode::YouAreNotTheRecipientOfTheInvitation);
        assert_eq!(code(bob.organization().list_user_invitations().await), ErrorCode::EmailVerificationRequiredForInvitation);

        let accepted = bob.organization().accept_invitation(invitation.id.as_str()).await.expect("accepts");
        assert_eq!(accepted.invitation.map(|i| i.status), Some(InvitationStatus::Accepted));
        assert_eq!(active_organization_id(&bob).as_deref(), Some(organization.id.as_str()), "accepting makes it active");
        assert_eq!(code(bob.organization().accept_invitation(invitation.id.as_str()).await), ErrorCode::InvitationNotFound);
        assert_eq!(code(alice.organization().invite_member("bob@example.com", "member").await), ErrorCode::UserIsAlreadyAMemberOfThisOrganization);

        let for_dave = alice.organization().invite_member("dave@example.com", "member").await.expect("invites");
        let rejected = dave.organization().reject_invitation(for_dave.id.as_str()).await.expect("rejects");
        assert_eq!(rejected.invitation.map(|i| i.status), Some(InvitationStatus::Rejected));
        assert_eq!(rejected.member, None);
        assert_eq!(code(dave.organization().accept_invitation(for_dave.id.as_str()).await), ErrorCode::InvitationNotFound);

        let again = alice.organization().invite_member("dave@example.com", "member").await.expect("invites again");
        alice.organization().cancel_invitation(again.id.as_str()).await.expect("cancels");
        assert_eq!(code(dave.organization().reject_invitation(again.id.as_str()).await), ErrorCode::InvitationNotFound);

        // An invitation past its expiry cannot be accepted.
        let late = alice.organization().invite_member("dave@example.com", "member").await.expect("invites");
        let mut db = peer.db().await;
        use keyward_server::db::Exec;
        db.execute(
            r#"update "invitation" set "expiresAt" = $1 where "id" = $2"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::hours(1), late.id.as_str()],
        )
        .await
        .expect("ages the invitation");
        assert_eq!(code(dave.organization().accept_invitation(late.id.as_str()).await), ErrorCode::InvitationNotFound);
    }
}

peer_test! {
    async fn invitees_must_verify_where_required(kind) {
        let _record = against_better_auth(kind, &[flows::ORG_INVITATIONS]);
        let options = OrganizationOptions { require_verified_invitee: true, ..OrganizationOptions::default() };
        let peer = peer_with(kind, options).await;
        let alice = user(&peer, "Alice").await;
        let bob = user(&peer, "Bob").await;
        alice.organization().create("Acme", "acme").await.expect("creates");
        let invitation = alice.organization().invite_member("bob@example.com", "member").await.expect("invites");
        assert_eq!(code(bob.organization().accept_invitation(invitation.id.as_str()).await), ErrorCode::EmailVerificationRequiredBeforeAcceptingOrRejectingInvitation);
        assert_eq!(code(bob.organization().get_invitation(invitation.id.as_str()).await), ErrorCode::EmailVerificationRequiredForInvitation);
        bob.email().send_verification("bob@example.com").await.expect("sends");
        let link = peer.email("verify-email", "bob@example.com").await;
        bob.email().verify(link["token"].as_str().expect("token")).await.expect("verifies");
        let pending = bob.organization().list_user_invitations().await.expect("lists");
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].organization_name.as_deref(), Some("Acme"));
        bob.organization().accept_invitation(invitation.id.as_str()).await.expect("a verified invitee accepts");
    }
}

peer_test! {
    async fn limits(kind) {
        let _record = against_better_auth(kind, &[flows::ORG_CRUD, flows::ORG_INVITATIONS, flows::ORG_TEAMS]);
        let options = OrganizationOptions {
            organization_limit: Some(1),
            membership_limit: Some(2),
            invitation_limit: Some(2),
            maximum_teams: Some(2),
            ..OrganizationOptions::default()
        };
        let peer = peer_with(kind, options).await;
        let alice = user(&peer, "Alice").await;
        let bob = user(&peer, "Bob").await;
        let carol = user(&peer, "Carol").await;
        alice.organization().create("Acme", "acme").await.expect("creates");
        assert_eq!(code(alice.organization().create("Beta", "beta").await), ErrorCode::YouHaveReachedTheMaximumNumberOfOrganizations);
        let to_bob = alice.organization().invite_member("bob@example.com", "member").await.expect("invites");
        let to_carol = alice.organization().invite_member("carol@example.com", "member").await.expect("invites");
        assert_eq!(code(alice.organization().invite_member("dave@example.com", "member").await), ErrorCode::InvitationLimitReached);
        bob.organization().accept_invitation(to_bob.id.as_str()).await.expect("accepts");
        assert_eq!(code(carol.organization().accept_invitation(to_carol.id.as_str()).await), ErrorCode::OrganizationMembershipLimitReached);
        alice.organization().create_team("Core").await.expect("the second team");
        assert_eq!(code(alice.organization().create_team("Ops").await), ErrorCode::YouHaveReachedTheMaximumNumberOfTeams);

        let closed = peer_with(kind, OrganizationOptions { forbid_creation: true, ..OrganizationOptions::default() }).await;
        let erin = user(&closed, "Erin").await;
        assert_eq!(code(erin.organization().create("Nope", "nope").await), ErrorCode::YouAreNotAllowedToCreateANewOrganization);
    }
}

peer_test! {
    async fn teams(kind) {
        let _record = against_better_auth(kind, &[flows::ORG_TEAMS]);
        let options = OrganizationOptions { maximum_members_per_team: Some(2), ..OrganizationOptions::default() };
        let peer = peer_with(kind, options).await;
        let alice = user(&peer, "Alice").await;
        let bob = user(&peer, "Bob").await;
        let carol = user(&peer, "Carol").await;
        alice.organization().create("Acme", "acme").await.expect("creates");
        let default_team = alice.organization().list_teams().await.expect("lists").remove(0);
        assert_eq!(default_team.name, "Acme", "a team named after the organization");
        let core = alice.organization().create_team("Core").await.expect("creates a team");
        let renamed = alice.organization().update_team(core.id.as_str()).name("Core Team").await.expect("renames");
        assert_eq!(renamed.name, "Core Team");

        let invitation = alice.organization().invite_member("bob@example.com", "member").teams([core.id.as_str()]).await.expect("invites into a team");
        assert_eq!(invitation.team_ids(), std::slice::from_ref(&core.id));
        bob.organization().accept_invitation(invitation.id.as_str()).await.expect("accepts");
        let bob_session = bob.session().get().data.expect("signed in").session;
        assert_eq!(bob_session.additional.get("activeTeamId").and_then(|v| v.as_str()), Some(core.id.as_str()), "the only team becomes active");
        let members = bob.organization().list_team_members(None).await.expect("lists");
        assert_eq!(members.len(), 1);
        assert_eq!(bob.organization().list_user_teams().await.expect("lists").len(), 1);

        assert_eq!(code(alice.organization().set_active_team(Some(&core.id)).await), ErrorCode::UserIsNotAMemberOfTheTeam);
        let alice_id = alice.session().get().data.expect("signed in").user.id;
        alice.organization().add_team_member(core.id.as_str(), alice_id.as_str()).await.expect("adds herself");
        let active = alice.organization().set_active_team(Some(&core.id)).await.expect("sets").expect("a team");
        assert_eq!(active.id, core.id);

        // The team is full at two.
        let to_carol = alice.organization().invite_member("carol@example.com", "member").await.expect("invites");
        carol.organization().accept_invitation(to_carol.id.as_str()).await.expect("accepts");
        let carol_id = carol.session().get().data.expect("signed in").user.id;
        assert_eq!(code(alice.organization().add_team_member(core.id.as_str(), carol_id.as_str()).await), ErrorCode::TeamMemberLimitReached);
        assert_eq!(code(carol.organization().add_team_member(core.id.as_str(), carol_id.as_str()).await), ErrorCode::YouAreNotAllowedToCreateANewTeamMember);

        let bob_id = bob.session().get().data.expect("signed in").user.id;
        alice.organization().remove_team_member(core.id.as_str(), bob_id.as_str()).await.expect("removes");
        assert_eq!(code(alice.organization().remove_team(core.id.as_str()).await), ErrorCode::YouAreNotAllowedToDeleteThisTeam, "not the active team");
        alice.organization().set_active_team(None).await.expect("clears");
        alice.organization().remove_team(core.id.as_str()).await.expect("removes the team");
        assert_eq!(code(alice.organization().remove_team(default_team.id.as_str()).await), ErrorCode::UnableToRemoveLastTeam);
    }
}

peer_test! {
    async fn dynamic_roles(kind) {
        let _record = against_better_auth(kind, &[flows::ORG_DYNAMIC_ROLES]);
        let peer = peer(kind).await;
        let acme = acme(&peer).await;
        let recruit = Permissions::new().with("invitation", ["create"]);
        let created = acme.alice.organization().create_role("Recruiter", recruit.clone()).await.expect("creates");
        assert_eq!(created.role_data.role, "recruiter");
        assert_eq!(code(acme.alice.organization().create_role("Admin", recruit.clone()).await), ErrorCode::RoleNameIsAlreadyTaken);
        assert_eq!(code(acme.alice.organization().create_role("pilot", Permissions::new().with("spaceship", ["fly"])).await), ErrorCode::InvalidResource);
        assert_eq!(code(acme.carol.organization().create_role("boss", recruit.clone()).await), ErrorCode::YouAreNotAllowedToCreateARole);

        let members = acme.alice.organization().list_members().await.expect("lists");
        let carol_id = members.members.iter().find(|m| m.user.as_ref().is_some_and(|u| u.email == "carol@example.com")).expect("carol").id.clone();
        acme.alice.organization().update_member_role(carol_id.as_str(), vec!["member", "recruiter"]).await.expect("a stored role can be granted");
        assert!(acme.carol.organization().has_permission(recruit.clone()).await.expect("asks"), "the stored role grants it");
        acme.carol.organization().invite_member("erin@example.com", "member").await.expect("Carol may now invite");

        let roles = acme.bob.organization().list_roles().await.expect("an admin may read roles");
        assert_eq!(roles.len(), 1);
        let fetched = acme.alice.organization().get_role("recruiter").await.expect("gets");
        assert_eq!(fetched.permission, recruit);
        let widened = recruit.clone().with("invitation", ["cancel"]);
        let updated = acme.alice.organization().update_role("recruiter").permissions(widened.clone()).await.expect("updates");
        assert_eq!(updated.role_data.permission, widened);
        assert_eq!(code(acme.alice.organization().delete_role("recruiter").await), ErrorCode::RoleIsAssignedToMembers);
        assert_eq!(code(acme.alice.organization().delete_role("owner").await), ErrorCode::CannotDeleteAPreDefinedRole);
        acme.alice.organization().update_member_role(carol_id.as_str(), "member").await.expect("updates");
        acme.alice.organization().delete_role("recruiter").await.expect("deletes");
        assert!(acme.alice.organization().list_roles().await.expect("lists").is_empty());
    }
}

peer_test! {
    async fn stores_follow_the_calls(kind) {
        let _record = against_better_auth(kind, &[flows::ORG_STORES]);
        let peer = peer(kind).await;
        let alice = AuthClient::builder(peer.url())
            .organization_roles(RoleSet::defaults())
            .build()
            .expect("client");
        alice.sign_up().email("Alice", "alice@example.com", PASSWORD).await.expect("signs up");
        let org = alice.organization();
        assert_eq!(org.active().refetch().await.expect("fetches"), None, "no active organization yet");
        assert_eq!(org.organizations().refetch().await.expect("fetches"), Some(vec![]));

        let acme = org.create("Acme", "acme").await.expect("creates").organization;
        assert_eq!(org.active().get().data.map(|o| o.organization.id), Some(acme.id.clone()), "create refreshed the active organization");
        assert_eq!(org.organizations().get().data.map(|l| l.len()), Some(1), "and the list");
        assert_eq!(org.active_member().refetch().await.expect("fetches").map(|m| m.role), Some("owner".to_owned()));
        assert_eq!(org.active_member_role().refetch().await.expect("fetches").map(|r| r.role), Some("owner".to_owned()));

        let beta = org.create("Beta", "beta").keep_current_active_organization().await.expect("creates").organization;
        assert_eq!(org.organizations().get().data.map(|l| l.len()), Some(2));
        org.set_active(Some(&beta.id)).await.expect("switches");
        assert_eq!(org.active().get().data.map(|o| o.organization.slug), Some("beta".to_owned()));
        assert_eq!(active_organization_id(&alice).as_deref(), Some(beta.id.as_str()));

        org.update().name("Beta Inc").await.expect("updates");
        assert_eq!(org.active().get().data.map(|o| o.organization.name), Some("Beta Inc".to_owned()));
        assert!(org.organizations().get().data.expect("list").iter().any(|o| o.name == "Beta Inc"));

        org.delete(beta.id.as_str()).await.expect("deletes");
        assert_eq!(org.active().get().data, None, "the deleted active organization is gone from the store");
        assert_eq!(org.organizations().get().data.map(|l| l.len()), Some(1));

        alice.sign_out().await.expect("signs out");
        let state = org.active().get();
        assert_eq!(state.data, None);
        assert!(state.error.is_some_and(|e| e.is_unauthorized()), "signed out: 401");
        assert_eq!(org.organizations().get().data, None);
    }
}
