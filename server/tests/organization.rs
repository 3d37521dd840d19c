//! The organization plugin on both databases: what the client suites (SQLite, both
//! servers) do not reach — filters and sorting in SQL, team seats under repeated adds,
//! what deleting an organization or a user leaves behind, and data isolation.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, TestApp, TestResponse};
use keyward_client::wire::organization::{AccessControl, RoleSet};
use keyward_server::config::{DynamicAccessControlConfig, OrganizationConfig};
use serde_json::{Value, json};

async fn app(backend: Backend) -> TestApp {
    TestApp::with(backend, |config| {
        let mut organization = OrganizationConfig {
            access_control: Some(AccessControl::default_statements()),
            dynamic_access_control: Some(DynamicAccessControlConfig::default()),
            roles: Some(RoleSet::defaults()),
            ..OrganizationConfig::default()
        };
        organization.teams.enabled = true;
        organization.teams.maximum_members_per_team = Some(3);
        config.organization = Some(organization);
    })
    .await
}

async fn post(app: &TestApp, client: &mut Client, path: &str, body: Value) -> TestResponse {
    let response = app.post(path).cookies(client).json(&body).send().await;
    client.store(&response);
    response
}

async fn get(app: &TestApp, client: &Client, path: &str) -> TestResponse {
    app.get(path).cookies(client).send().await
}

/// Alice's organization with Bob (admin) and Carol (member); returns the clients, the
/// organization id and the member ids by name.
async fn acme(app: &TestApp) -> (Client, Client, Client, String) {
    let mut alice = app.sign_up("Alice", "alice@example.com", "password123").await;
    let mut bob = app.sign_up("Bob", "bob@example.com", "password123").await;
    let mut carol = app.sign_up("Carol", "carol@example.com", "password123").await;
    let created = post(
        app,
        &mut alice,
        "/organization/create",
        json!({"name": "Acme", "slug": "acme"}),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    let id = created.json()["id"].as_str().expect("id").to_owned();
    for (client, email, role) in [
        (&mut bob, "bob@example.com", "admin"),
        (&mut carol, "carol@example.com", "member"),
    ] {
        let invited = post(
            app,
            &mut alice,
            "/organization/invite-member",
            json!({"email": email, "role": role}),
        )
        .await;
        let invitation = invited.json()["id"].as_str().expect("invitation").to_owned();
        let accepted = post(
            app,
            client,
            "/organization/accept-invitation",
            json!({"invitationId": invitation}),
        )
        .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    }
    (alice, bob, carol, id)
}

fn emails(members: &Value) -> Vec<String> {
    members["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["user"]["email"].as_str().expect("email").to_owned())
        .collect()
}

on_both_databases! {
    async fn list_members_filters_and_sorts_in_sql(backend: Backend) {
        let app = app(backend).await;
        let (alice, _, _, _) = acme(&app).await;
        let all = get(&app, &alice, "/organization/list-members").await.json();
        assert_eq!(all["total"], 3);
        assert_eq!(emails(&all), ["alice@example.com", "bob@example.com", "carol@example.com"]);
        let newest = get(&app, &alice, "/organization/list-members?sortBy=createdAt&sortDirection=desc&limit=1").await.json();
        assert_eq!((emails(&newest), newest["total"].clone()), (vec!["carol@example.com".to_owned()], json!(3)));
        let second = get(&app, &alice, "/organization/list-members?limit=1&offset=1").await.json();
        assert_eq!(emails(&second), ["bob@example.com"]);
        // As better-auth's Kysely adapter: `in` takes repeated values, `not_in` one value
        // as a list of one, and `%` is a LIKE wildcard.
        let cases: [(&str, &str, &[&str], Vec<&str>); 8] = [
            ("role", "eq", &["admin"], vec!["bob@example.com"]),
            ("role", "ne", &["admin"], vec!["alice@example.com", "carol@example.com"]),
            ("role", "in", &["owner", "member"], vec!["alice@example.com", "carol@example.com"]),
            ("role", "not_in", &["owner"], vec!["bob@example.com", "carol@example.com"]),
            ("role", "contains", &["wn"], vec!["alice@example.com"]),
            ("role", "starts_with", &["mem"], vec!["carol@example.com"]),
            ("role", "ends_with", &["in"], vec!["bob@example.com"]),
            ("role", "contains", &["%"], vec!["alice@example.com", "bob@example.com", "carol@example.com"]),
        ];
        for (field, operator, values, expected) in cases {
            let mut path = format!("/organization/list-members?filterField={field}&filterOperator={operator}");
            for value in values {
                path.push_str(&format!("&filterValue={}", urlencode(value)));
            }
            let page = get(&app, &alice, &path).await;
            assert_eq!(page.status, StatusCode::OK, "{operator}: {}", page.text());
            let page = page.json();
            assert_eq!(emails(&page), expected, "{field} {operator} {values:?}");
            assert_eq!(page["total"], expected.len(), "the total counts the filter");
        }
        // One value for `in` (better-auth's adapter throws, and the endpoint fails): a 400
        // that says why, not a 500.
        let single_in = get(&app, &alice, "/organization/list-members?filterField=role&filterOperator=in&filterValue=owner").await;
        single_in.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let cutoff = all["members"][1]["createdAt"].as_str().expect("date").to_owned();
        let after = get(&app, &alice, &format!("/organization/list-members?filterField=createdAt&filterOperator=gte&filterValue={}", urlencode(&cutoff))).await.json();
        assert_eq!(emails(&after), ["bob@example.com", "carol@example.com"]);
        let bad = get(&app, &alice, "/organization/list-members?sortBy=password").await;
        bad.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let bad_operator = get(&app, &alice, "/organization/list-members?filterField=role&filterOperator=like&filterValue=x").await;
        bad_operator.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    }
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

on_both_databases! {
    async fn team_seats_are_counted_once(backend: Backend) {
        let app = app(backend).await;
        let (mut alice, bob, carol, _) = acme(&app).await;
        let team = post(&app, &mut alice, "/organization/create-team", json!({"name": "Core"})).await.json();
        let team_id = team["id"].as_str().expect("team").to_owned();
        let bob_id = get(&app, &bob, "/get-session").await.json()["user"]["id"].as_str().expect("id").to_owned();
        let carol_id = get(&app, &carol, "/get-session").await.json()["user"]["id"].as_str().expect("id").to_owned();
        for _ in 0..3 {
            let added = post(&app, &mut alice, "/organization/add-team-member", json!({"teamId": team_id, "userId": bob_id})).await;
            assert_eq!(added.status, StatusCode::OK, "{}", added.text());
        }
        let rows = app.sql_rows(r#"select "memberCount" from "team" where "id" = $1"#, keyward_server::args![team_id.as_str()]).await;
        assert_eq!(rows[0].int("memberCount").expect("count"), 1, "adding a member again takes no seat");
        let alice_id = get(&app, &alice, "/get-session").await.json()["user"]["id"].as_str().expect("id").to_owned();
        post(&app, &mut alice, "/organization/add-team-member", json!({"teamId": team_id, "userId": alice_id})).await;
        post(&app, &mut alice, "/organization/add-team-member", json!({"teamId": team_id, "userId": carol_id})).await;
        let fourth = app.sign_up("Dan", "dan@example.com", "password123").await;
        let dan_id = get(&app, &fourth, "/get-session").await.json()["user"]["id"].as_str().expect("id").to_owned();
        keyward_server::Auth::api(&app.auth)
            .add_member(&dan_id, team["organizationId"].as_str().expect("org"), "member", None)
            .await
            .expect("adds a member server-side");
        let full = post(&app, &mut alice, "/organization/add-team-member", json!({"teamId": team_id, "userId": dan_id})).await;
        full.assert_error(StatusCode::FORBIDDEN, "TEAM_MEMBER_LIMIT_REACHED");
        post(&app, &mut alice, "/organization/remove-team-member", json!({"teamId": team_id, "userId": bob_id})).await;
        let rows = app.sql_rows(r#"select "memberCount" from "team" where "id" = $1"#, keyward_server::args![team_id.as_str()]).await;
        assert_eq!(rows[0].int("memberCount").expect("count"), 2, "removing frees the seat");
        let joined = post(&app, &mut alice, "/organization/add-team-member", json!({"teamId": team_id, "userId": dan_id})).await;
        assert_eq!(joined.status, StatusCode::OK, "{}", joined.text());
    }
}

on_both_databases! {
    async fn deleting_leaves_nothing_behind(backend: Backend) {
        let app = app(backend).await;
        let (mut alice, mut bob, _, id) = acme(&app).await;
        post(&app, &mut alice, "/organization/create-team", json!({"name": "Core"})).await;
        post(&app, &mut alice, "/organization/create-role", json!({"role": "recruiter", "permission": {"invitation": ["create"]}})).await;
        post(&app, &mut alice, "/organization/invite-member", json!({"email": "dan@example.com", "role": "member"})).await;
        // Deleting Bob's account ends his memberships.
        let deleted = post(&app, &mut bob, "/delete-user", json!({"password": "password123"})).await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text());
        assert_eq!(get(&app, &alice, "/organization/list-members").await.json()["total"], 2);
        let gone = post(&app, &mut alice, "/organization/delete", json!({"organizationId": id})).await;
        assert_eq!(gone.status, StatusCode::OK, "{}", gone.text());
        for table in ["organization", "member", "invitation", "team", "teamMember", "organizationRole"] {
            assert_eq!(app.count(table).await, 0, "{table} is empty");
        }
    }
}

#[tokio::test]
async fn members_see_only_their_organizations() {
    let app = app(Backend::Sqlite).await;
    let (mut alice, _, _, acme_id) = acme(&app).await;
    let mut mallory = app.sign_up("Mallory", "mallory@example.com", "password123").await;
    post(
        &app,
        &mut mallory,
        "/organization/create",
        json!({"name": "Evil", "slug": "evil"}),
    )
    .await;
    let team = post(&app, &mut alice, "/organization/create-team", json!({"name": "Core"}))
        .await
        .json();
    let team_id = team["id"].as_str().expect("team");
    let invitation = post(
        &app,
        &mut alice,
        "/organization/invite-member",
        json!({"email": "dan@example.com", "role": "member"}),
    )
    .await
    .json();
    let invitation_id = invitation["id"].as_str().expect("invitation");
    let probes = [
        format!("/organization/get-organization?organizationId={acme_id}"),
        format!("/organization/get-full-organization?organizationId={acme_id}"),
        format!("/organization/list-members?organizationId={acme_id}"),
        format!("/organization/list-invitations?organizationId={acme_id}"),
        format!("/organization/list-teams?organizationId={acme_id}"),
        format!("/organization/list-team-members?teamId={team_id}"),
        format!("/organization/get-invitation?id={invitation_id}"),
        format!("/organization/list-roles?organizationId={acme_id}"),
        format!("/organization/get-active-member-role?organizationId={acme_id}"),
    ];
    for path in probes {
        let response = get(&app, &mallory, &path).await;
        assert!(
            response.status.is_client_error(),
            "{path} answered {}: {}",
            response.status,
            response.text()
        );
        let text = response.text();
        assert!(
            !text.contains("alice@example.com") && !text.contains("Acme"),
            "{path} leaked: {text}"
        );
    }
    let writes = [
        (
            "/organization/update",
            json!({"organizationId": acme_id, "data": {"name": "Pwned"}}),
        ),
        (
            "/organization/invite-member",
            json!({"organizationId": acme_id, "email": "x@example.com", "role": "owner"}),
        ),
        (
            "/organization/cancel-invitation",
            json!({"invitationId": invitation_id}),
        ),
        (
            "/organization/create-team",
            json!({"organizationId": acme_id, "name": "Mine"}),
        ),
        (
            "/organization/remove-member",
            json!({"organizationId": acme_id, "memberIdOrEmail": "alice@example.com"}),
        ),
        (
            "/organization/create-role",
            json!({"organizationId": acme_id, "role": "x", "permission": {"member": ["create"]}}),
        ),
        ("/organization/delete", json!({"organizationId": acme_id})),
    ];
    for (path, body) in writes {
        let response = post(&app, &mut mallory, path, body).await;
        assert!(
            response.status.is_client_error(),
            "{path} answered {}: {}",
            response.status,
            response.text()
        );
    }
    let full = get(&app, &alice, "/organization/get-full-organization").await.json();
    assert_eq!(full["name"], "Acme", "nothing changed");
    let pending: Vec<&Value> = full["invitations"]
        .as_array()
        .expect("invitations")
        .iter()
        .filter(|i| i["status"] == "pending")
        .collect();
    assert_eq!(pending.len(), 1, "Dan's invitation was not canceled");
}

#[tokio::test]
async fn the_plugin_is_switched_on_from_the_environment() {
    let env = |name: &str| match name {
        "KEYWARD_PLUGINS" => Some("organization".to_owned()),
        "KEYWARD_ORGANIZATION_TEAMS" => Some("on".to_owned()),
        _ => None,
    };
    let config = keyward_server::Config::from_lookup(env).expect("valid");
    let organization = config.organization.expect("enabled");
    assert!(organization.teams.enabled);
    assert_eq!(organization.creator_role, "owner");
    let plain = TestApp::with(Backend::Sqlite, |config| {
        config.organization = Some(OrganizationConfig::default())
    })
    .await;
    let mut alice = plain.sign_up("Alice", "alice@example.com", "password123").await;
    let created = post(
        &plain,
        &mut alice,
        "/organization/create",
        json!({"name": "Acme", "slug": "acme"}),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK);
    let teams = post(&plain, &mut alice, "/organization/create-team", json!({"name": "Core"})).await;
    assert_eq!(teams.status, StatusCode::NOT_FOUND, "teams are off by default");
    let invitation = post(
        &plain,
        &mut alice,
        "/organization/invite-member",
        json!({"email": "bob@example.com", "role": "member"}),
    )
    .await
    .json();
    assert!(invitation.get("teamId").is_none(), "no teamId without teams");
    let roles = post(
        &plain,
        &mut alice,
        "/organization/create-role",
        json!({"role": "x", "permission": {}}),
    )
    .await;
    assert_eq!(roles.status, StatusCode::NOT_FOUND, "dynamic roles are off by default");
    let session = get(&plain, &alice, "/get-session").await.json();
    assert!(session["session"].get("activeTeamId").is_none());
    assert!(session["session"]["activeOrganizationId"].is_string());
}

#[tokio::test]
async fn rarer_errors() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        let mut organization = OrganizationConfig {
            dynamic_access_control: Some(DynamicAccessControlConfig {
                maximum_roles_per_organization: Some(1),
            }),
            disable_organization_deletion: true,
            cancel_pending_invitations_on_re_invite: true,
            ..OrganizationConfig::default()
        };
        organization.teams.enabled = true;
        config.organization = Some(organization);
    })
    .await;
    let mut alice = app.sign_up("Alice", "alice@example.com", "password123").await;
    let no_org = post(
        &app,
        &mut alice,
        "/organization/has-permission",
        json!({"permissions": {"member": ["create"]}}),
    )
    .await;
    no_org.assert_error(StatusCode::BAD_REQUEST, "NO_ACTIVE_ORGANIZATION");
    let no_team = get(&app, &alice, "/organization/list-team-members").await;
    no_team.assert_error(StatusCode::BAD_REQUEST, "YOU_DO_NOT_HAVE_AN_ACTIVE_TEAM");
    let created = post(
        &app,
        &mut alice,
        "/organization/create",
        json!({"name": "Acme", "slug": "acme"}),
    )
    .await
    .json();
    let id = created["id"].as_str().expect("id").to_owned();
    let no_ac = post(
        &app,
        &mut alice,
        "/organization/create-role",
        json!({"role": "x", "permission": {"member": ["create"]}}),
    )
    .await;
    no_ac.assert_error(StatusCode::NOT_IMPLEMENTED, "MISSING_AC_INSTANCE");
    let disabled = post(&app, &mut alice, "/organization/delete", json!({"organizationId": id})).await;
    disabled.assert_error(StatusCode::NOT_FOUND, "ORGANIZATION_DELETION_DISABLED");
    let empty_role = post(
        &app,
        &mut alice,
        "/organization/invite-member",
        json!({"email": "bob@example.com", "role": ","}),
    )
    .await;
    empty_role.assert_error(StatusCode::BAD_REQUEST, "ROLE_NOT_FOUND");
    let bad_team = post(
        &app,
        &mut alice,
        "/organization/invite-member",
        json!({"email": "bob@example.com", "role": "member", "teamId": "a,b"}),
    )
    .await;
    bad_team.assert_error(StatusCode::BAD_REQUEST, "INVALID_TEAM_ID");

    // Re-inviting cancels the pending invitation instead of failing.
    let first = post(
        &app,
        &mut alice,
        "/organization/invite-member",
        json!({"email": "bob@example.com", "role": "member"}),
    )
    .await
    .json();
    let second = post(
        &app,
        &mut alice,
        "/organization/invite-member",
        json!({"email": "bob@example.com", "role": "admin"}),
    )
    .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text());
    let all = get(&app, &alice, "/organization/list-invitations").await.json();
    let status_of = |invitation_id: &str| {
        all.as_array()
            .expect("list")
            .iter()
            .find(|i| i["id"] == invitation_id)
            .map(|i| i["status"].clone())
    };
    assert_eq!(status_of(first["id"].as_str().expect("id")), Some(json!("canceled")));

    // An invitation whose inviter left cannot be viewed.
    let mut bob = app.sign_up("Bob", "bob@example.com", "password123").await;
    let invitation = second.json()["id"].as_str().expect("id").to_owned();
    post(
        &app,
        &mut bob,
        "/organization/accept-invitation",
        json!({"invitationId": invitation}),
    )
    .await;
    let to_carol = post(
        &app,
        &mut bob,
        "/organization/invite-member",
        json!({"email": "carol@example.com", "role": "member"}),
    )
    .await
    .json();
    let mut carol = app.sign_up("Carol", "carol@example.com", "password123").await;
    post(&app, &mut bob, "/organization/leave", json!({"organizationId": id})).await;
    let orphan = get(
        &app,
        &carol,
        &format!(
            "/organization/get-invitation?id={}",
            to_carol["id"].as_str().expect("id")
        ),
    )
    .await;
    orphan.assert_error(
        StatusCode::BAD_REQUEST,
        "INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION",
    );
    let accepted = post(
        &app,
        &mut carol,
        "/organization/accept-invitation",
        json!({"invitationId": to_carol["id"]}),
    )
    .await;
    assert_eq!(
        accepted.status,
        StatusCode::OK,
        "the invitation itself stays valid: {}",
        accepted.text()
    );
}

#[tokio::test]
async fn stored_roles_are_limited_and_need_an_organization() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.organization = Some(OrganizationConfig {
            access_control: Some(AccessControl::default_statements()),
            dynamic_access_control: Some(DynamicAccessControlConfig {
                maximum_roles_per_organization: Some(1),
            }),
            ..OrganizationConfig::default()
        })
    })
    .await;
    let mut alice = app.sign_up("Alice", "alice@example.com", "password123").await;
    let homeless = post(
        &app,
        &mut alice,
        "/organization/create-role",
        json!({"role": "x", "permission": {"member": ["create"]}}),
    )
    .await;
    homeless.assert_error(
        StatusCode::BAD_REQUEST,
        "YOU_MUST_BE_IN_AN_ORGANIZATION_TO_CREATE_A_ROLE",
    );
    post(
        &app,
        &mut alice,
        "/organization/create",
        json!({"name": "Acme", "slug": "acme"}),
    )
    .await;
    let first = post(
        &app,
        &mut alice,
        "/organization/create-role",
        json!({"role": "x", "permission": {"member": ["create"]}}),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.json()["statements"], json!({"member": ["create"]}));
    let second = post(
        &app,
        &mut alice,
        "/organization/create-role",
        json!({"role": "y", "permission": {"member": ["create"]}}),
    )
    .await;
    second.assert_error(StatusCode::BAD_REQUEST, "TOO_MANY_ROLES");
    let missing = post(&app, &mut alice, "/organization/get-role", json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "get-role is a GET");
    let unknown = get(&app, &alice, "/organization/get-role?roleName=nope").await;
    unknown.assert_error(StatusCode::BAD_REQUEST, "ROLE_NOT_FOUND");
}
