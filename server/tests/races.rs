//! Checks that an insert relies on, under parallel requests, on both databases. better-auth's
//! schema has unique indexes only on the user's email, the session token, the organization
//! slug and the team membership key (and must stay as it is), so "no pending invitation
//! for this address yet", "fewer teams than the limit" and the like hold only if the check
//! and the insert do not interleave with another request's. Each test sends eight
//! requests at once, each on a task of its own on a runtime with worker threads, and
//! checks that the answers and the rows are those of the same requests one after another.

use crate::common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{Backend, Client, ORIGIN, TestApp};
use http_body_util::BodyExt;
use keyward_client::wire::ErrorCode;
use keyward_client::wire::organization::{AccessControl, RoleSet};
use keyward_server::config::{
    AdminConfig, DynamicAccessControlConfig, OrganizationConfig, PasskeyConfig, TwoFactorConfig,
};
use keyward_server::crypto::{base64url, sha256};
use serde_json::{Value, json};
use tower::ServiceExt;

/// How many requests race.
const RACERS: usize = 8;
/// How many races a test runs (one race may well happen to run in order).
const ROUNDS: usize = 4;
const PASSWORD: &str = "password123";

/// A test on SQLite and on PostgreSQL, on a runtime with worker threads, so that the
/// racing requests run at the same time.
macro_rules! racing_on_both_databases {
    (async fn $name:ident($backend:ident) $body:block) => {
        mod $name {
            use super::*;
            async fn run($backend: Backend) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                run(Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                run(Backend::Postgres).await
            }
        }
    };
}

/// An answer: its status and JSON body (`null` when there is none).
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn code(&self) -> Option<&str> {
        self.body["code"].as_str()
    }
}

/// POSTs every `(path, client, body)` at once, each on a task of its own, all released
/// together by a barrier; the answers in the same order.
async fn race(app: &TestApp, calls: Vec<(&str, &Client, Value)>) -> Vec<Answer> {
    let start = Arc::new(tokio::sync::Barrier::new(calls.len()));
    let mut tasks = Vec::new();
    for (path, client, body) in calls {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}{path}", app.auth.config().base_path))
            .header("content-type", "application/json")
            .header("origin", ORIGIN);
        let cookies = client.cookie_header();
        if !cookies.is_empty() {
            request = request.header("cookie", cookies);
        }
        let request = request
            .body(Body::from(serde_json::to_vec(&body).expect("json")))
            .expect("request");
        let router = app.router.clone();
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let response = router.oneshot(request).await.expect("router answers");
            let status = response.status();
            let bytes = response.into_body().collect().await.expect("body").to_bytes();
            Answer {
                status,
                body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            }
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("request task"));
    }
    answers
}

/// The same call `RACERS` times at once.
async fn race_same(app: &TestApp, path: &str, client: &Client, body: Value) -> Vec<Answer> {
    race(app, (0..RACERS).map(|_| (path, client, body.clone())).collect()).await
}

/// Exactly `winners` answers are 200, and every other one is `status` with `code`.
fn assert_outcome(answers: &[Answer], winners: usize, status: StatusCode, code: &str) {
    let ok = answers.iter().filter(|a| a.status == StatusCode::OK).count();
    assert_eq!(ok, winners, "{answers:#?}");
    for answer in answers.iter().filter(|a| a.status != StatusCode::OK) {
        assert_eq!((answer.status, answer.code()), (status, Some(code)), "{answers:#?}");
    }
}

async fn count(app: &TestApp, sql: &str, args: Vec<keyward_server::db::Arg>) -> i64 {
    app.sql_rows(sql, args).await[0].int("n").expect("count")
}

async fn with_organizations(backend: Backend, configure: impl FnOnce(&mut OrganizationConfig)) -> TestApp {
    TestApp::with(backend, |config| {
        let mut organization = OrganizationConfig::default();
        configure(&mut organization);
        config.organization = Some(organization);
    })
    .await
}

async fn post(app: &TestApp, client: &mut Client, path: &str, body: Value) -> Value {
    let response = app.post(path).cookies(client).json(&body).send().await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.text());
    client.store(&response);
    response.json()
}

/// Alice and a new organization of hers (`org-<n>`, active in her session); its id.
async fn new_organization(app: &TestApp, alice: &mut Client, n: usize) -> String {
    let created = post(
        app,
        alice,
        "/organization/create",
        json!({"name": "Org", "slug": format!("org-{n}")}),
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

async fn invitations_to(app: &TestApp, email: &str, status: &str) -> i64 {
    count(
        app,
        r#"select count(*) as "n" from "invitation" where "email" = $1 and "status" = $2"#,
        keyward_server::args![email, status],
    )
    .await
}

async fn count_where(app: &TestApp, table: &str, column: &str, value: &str) -> i64 {
    count(
        app,
        &format!(r#"select count(*) as "n" from "{table}" where "{column}" = $1"#),
        keyward_server::args![value],
    )
    .await
}

racing_on_both_databases! {
    async fn one_pending_invitation_per_address(backend) {
        let app = with_organizations(backend, |_| {}).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        let organization_id = new_organization(&app, &mut alice, 0).await;
        for round in 0..ROUNDS {
            let email = format!("dave{round}@example.com");
            let body = json!({"email": email, "role": "member", "organizationId": organization_id});
            let answers = race_same(&app, "/organization/invite-member", &alice, body).await;
            assert_outcome(
                &answers,
                1,
                StatusCode::BAD_REQUEST,
                "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION",
            );
            assert_eq!(invitations_to(&app, &email, "pending").await, 1);
        }
    }
}

racing_on_both_databases! {
    async fn parallel_re_invites_leave_one_pending(backend) {
        let app = with_organizations(backend, |organization| {
            organization.cancel_pending_invitations_on_re_invite = true;
        })
        .await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        let organization_id = new_organization(&app, &mut alice, 0).await;
        for round in 0..ROUNDS {
            let email = format!("dave{round}@example.com");
            let body = json!({"email": email, "role": "member", "organizationId": organization_id});
            let answers = race_same(&app, "/organization/invite-member", &alice, body).await;
            assert_outcome(&answers, RACERS, StatusCode::OK, "");
            assert_eq!(invitations_to(&app, &email, "pending").await, 1);
            assert_eq!(
                invitations_to(&app, &email, "canceled").await,
                RACERS as i64 - 1,
                "each re-invite canceled the one before"
            );
        }
    }
}

racing_on_both_databases! {
    async fn parallel_resends_make_one_invitation(backend) {
        let app = with_organizations(backend, |_| {}).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        let organization_id = new_organization(&app, &mut alice, 0).await;
        for round in 0..ROUNDS {
            let email = format!("dave{round}@example.com");
            let body = json!({"email": email, "role": "member", "organizationId": organization_id, "resend": true});
            let answers = race_same(&app, "/organization/invite-member", &alice, body).await;
            assert_outcome(&answers, RACERS, StatusCode::OK, "");
            let ids: std::collections::BTreeSet<&str> = answers.iter().filter_map(|a| a.body["id"].as_str()).collect();
            assert_eq!(ids.len(), 1, "the first created it, the others resent it: {answers:#?}");
            assert_eq!(count_where(&app, "invitation", "email", &email).await, 1);
        }
    }
}

racing_on_both_databases! {
    async fn the_invitation_limit_holds(backend) {
        let app = with_organizations(backend, |organization| organization.invitation_limit = 3).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        for round in 0..ROUNDS {
            let organization_id = new_organization(&app, &mut alice, round).await;
            let bodies: Vec<Value> = (0..RACERS)
                .map(|i| json!({"email": format!("guest{i}@example.com"), "role": "member", "organizationId": organization_id}))
                .collect();
            let answers = race(
                &app,
                bodies.into_iter().map(|body| ("/organization/invite-member", &alice, body)).collect(),
            )
            .await;
            assert_outcome(&answers, 3, StatusCode::FORBIDDEN, "INVITATION_LIMIT_REACHED");
            assert_eq!(count_where(&app, "invitation", "organizationId", &organization_id).await, 3);
        }
    }
}

racing_on_both_databases! {
    async fn one_organization_per_slug(backend) {
        let app = with_organizations(backend, |_| {}).await;
        let mut racers = Vec::new();
        for i in 0..RACERS {
            racers.push(app.sign_up("Racer", &format!("racer{i}@example.com"), PASSWORD).await);
        }
        for round in 0..ROUNDS {
            let slug = format!("acme-{round}");
            let answers = race(
                &app,
                racers
                    .iter()
                    .map(|racer| ("/organization/create", racer, json!({"name": "Acme", "slug": slug})))
                    .collect(),
            )
            .await;
            assert_outcome(&answers, 1, StatusCode::BAD_REQUEST, "ORGANIZATION_ALREADY_EXISTS");
            assert_eq!(count_where(&app, "organization", "slug", &slug).await, 1);
            assert_eq!(app.count("member").await, round as i64 + 1, "only the winners became members");
        }
    }
}

racing_on_both_databases! {
    async fn one_organization_takes_a_new_slug(backend) {
        let app = with_organizations(backend, |_| {}).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        for round in 0..ROUNDS {
            let mut ids = Vec::new();
            for i in 0..RACERS {
                ids.push(new_organization(&app, &mut alice, round * RACERS + i).await);
            }
            let slug = format!("taken-{round}");
            let answers = race(
                &app,
                ids.iter()
                    .map(|id| {
                        let body = json!({"organizationId": id, "data": {"slug": slug}});
                        ("/organization/update", &alice, body)
                    })
                    .collect(),
            )
            .await;
            assert_outcome(&answers, 1, StatusCode::BAD_REQUEST, "ORGANIZATION_SLUG_ALREADY_TAKEN");
            assert_eq!(count_where(&app, "organization", "slug", &slug).await, 1);
        }
    }
}

racing_on_both_databases! {
    async fn the_organization_limit_holds(backend) {
        let app = with_organizations(backend, |organization| organization.organization_limit = Some(2)).await;
        for round in 0..ROUNDS {
            let founder = app.sign_up("Founder", &format!("founder{round}@example.com"), PASSWORD).await;
            let bodies: Vec<Value> = (0..RACERS)
                .map(|i| json!({"name": "Org", "slug": format!("org-{round}-{i}")}))
                .collect();
            let answers = race(
                &app,
                bodies.into_iter().map(|body| ("/organization/create", &founder, body)).collect(),
            )
            .await;
            assert_outcome(
                &answers,
                2,
                StatusCode::FORBIDDEN,
                "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS",
            );
            assert_eq!(app.count("organization").await, 2 * (round as i64 + 1));
        }
    }
}

racing_on_both_databases! {
    async fn a_user_is_added_once(backend) {
        let app = with_organizations(backend, |_| {}).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        let organization_id = new_organization(&app, &mut alice, 0).await;
        for round in 0..ROUNDS {
            let email = format!("dave{round}@example.com");
            app.sign_up("Dave", &email, PASSWORD).await;
            let rows = app
                .sql_rows(r#"select "id" from "user" where "email" = $1"#, keyward_server::args![&email])
                .await;
            let dave_id = rows[0].text("id").expect("id");
            let start = Arc::new(tokio::sync::Barrier::new(RACERS));
            let mut tasks = Vec::new();
            for _ in 0..RACERS {
                let (auth, dave_id, organization_id, start) =
                    (app.auth.clone(), dave_id.clone(), organization_id.clone(), start.clone());
                tasks.push(tokio::spawn(async move {
                    start.wait().await;
                    auth.api().add_member(&dave_id, &organization_id, "member", None).await
                }));
            }
            let mut added = 0;
            for task in tasks {
                match task.await.expect("task") {
                    Ok(_) => added += 1,
                    Err(error) => {
                        assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{error:?}");
                        assert_eq!(error.code(), Some(&ErrorCode::UserIsAlreadyAMemberOfThisOrganization));
                    }
                }
            }
            assert_eq!(added, 1);
            assert_eq!(count_where(&app, "member", "userId", &dave_id).await, 1);
        }
    }
}

racing_on_both_databases! {
    async fn the_membership_limit_holds_when_invitations_are_accepted(backend) {
        let app = with_organizations(backend, |organization| organization.membership_limit = 3).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        let mut guests = Vec::new();
        for i in 0..RACERS {
            guests.push(app.sign_up("Guest", &format!("guest{i}@example.com"), PASSWORD).await);
        }
        for round in 0..ROUNDS {
            let organization_id = new_organization(&app, &mut alice, round).await;
            let mut invitations = Vec::new();
            for i in 0..RACERS {
                let body = json!({"email": format!("guest{i}@example.com"), "role": "member", "organizationId": organization_id});
                let invitation = post(&app, &mut alice, "/organization/invite-member", body).await;
                invitations.push(invitation["id"].as_str().expect("id").to_owned());
            }
            let answers = race(
                &app,
                guests
                    .iter()
                    .zip(&invitations)
                    .map(|(guest, id)| ("/organization/accept-invitation", guest, json!({"invitationId": id})))
                    .collect(),
            )
            .await;
            assert_outcome(
                &answers,
                2,
                StatusCode::FORBIDDEN,
                "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED",
            );
            assert_eq!(count_where(&app, "member", "organizationId", &organization_id).await, 3);
        }
    }
}

racing_on_both_databases! {
    async fn the_team_limit_holds(backend) {
        let app = with_organizations(backend, |organization| {
            organization.teams.enabled = true;
            organization.teams.maximum_teams = Some(3);
        })
        .await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        for round in 0..ROUNDS {
            let organization_id = new_organization(&app, &mut alice, round).await;
            assert_eq!(count_where(&app, "team", "organizationId", &organization_id).await, 1, "the default team");
            let bodies: Vec<Value> = (0..RACERS)
                .map(|i| json!({"name": format!("Team {i}"), "organizationId": organization_id}))
                .collect();
            let answers = race(
                &app,
                bodies.into_iter().map(|body| ("/organization/create-team", &alice, body)).collect(),
            )
            .await;
            assert_outcome(
                &answers,
                2,
                StatusCode::BAD_REQUEST,
                "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_TEAMS",
            );
            assert_eq!(count_where(&app, "team", "organizationId", &organization_id).await, 3);
        }
    }
}

async fn with_dynamic_roles(backend: Backend, maximum: Option<usize>) -> TestApp {
    with_organizations(backend, |organization| {
        organization.access_control = Some(AccessControl::default_statements());
        organization.dynamic_access_control = Some(DynamicAccessControlConfig {
            maximum_roles_per_organization: maximum,
        });
        organization.roles = Some(RoleSet::defaults());
    })
    .await
}

racing_on_both_databases! {
    async fn one_stored_role_per_name(backend) {
        let app = with_dynamic_roles(backend, None).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        let organization_id = new_organization(&app, &mut alice, 0).await;
        for round in 0..ROUNDS {
            let role = format!("auditor-{round}");
            let body = json!({"role": role, "permission": {"member": ["update"]}, "organizationId": organization_id});
            let answers = race_same(&app, "/organization/create-role", &alice, body).await;
            assert_outcome(&answers, 1, StatusCode::BAD_REQUEST, "ROLE_NAME_IS_ALREADY_TAKEN");
            assert_eq!(count_where(&app, "organizationRole", "role", &role).await, 1);
        }
    }
}

racing_on_both_databases! {
    async fn one_stored_role_per_new_name(backend) {
        let app = with_dynamic_roles(backend, None).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        let organization_id = new_organization(&app, &mut alice, 0).await;
        for round in 0..ROUNDS {
            let mut renames = Vec::new();
            for i in 0..RACERS {
                let name = format!("role-{round}-{i}");
                let body = json!({"role": name, "permission": {"member": ["update"]}, "organizationId": organization_id});
                post(&app, &mut alice, "/organization/create-role", body).await;
                renames.push(json!({"roleName": name, "organizationId": organization_id, "data": {"roleName": format!("renamed-{round}")}}));
            }
            let answers = race(
                &app,
                renames.into_iter().map(|body| ("/organization/update-role", &alice, body)).collect(),
            )
            .await;
            assert_outcome(&answers, 1, StatusCode::BAD_REQUEST, "ROLE_NAME_IS_ALREADY_TAKEN");
            assert_eq!(count_where(&app, "organizationRole", "role", &format!("renamed-{round}")).await, 1);
        }
    }
}

racing_on_both_databases! {
    async fn the_stored_role_limit_holds(backend) {
        let app = with_dynamic_roles(backend, Some(2)).await;
        let mut alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        for round in 0..ROUNDS {
            let organization_id = new_organization(&app, &mut alice, round).await;
            let bodies: Vec<Value> = (0..RACERS)
                .map(|i| json!({"role": format!("role-{i}"), "permission": {"member": ["update"]}, "organizationId": organization_id}))
                .collect();
            let answers = race(
                &app,
                bodies.into_iter().map(|body| ("/organization/create-role", &alice, body)).collect(),
            )
            .await;
            assert_outcome(&answers, 2, StatusCode::BAD_REQUEST, "TOO_MANY_ROLES");
            assert_eq!(count_where(&app, "organizationRole", "organizationId", &organization_id).await, 2);
        }
    }
}

racing_on_both_databases! {
    async fn one_user_per_address(backend) {
        let app = TestApp::new(backend).await;
        let nobody = Client::default();
        for round in 0..ROUNDS {
            let email = format!("ada{round}@example.com");
            let answers = race_same(
                &app,
                "/sign-up/email",
                &nobody,
                json!({"name": "Ada", "email": email, "password": PASSWORD}),
            )
            .await;
            assert_outcome(
                &answers,
                1,
                StatusCode::UNPROCESSABLE_ENTITY,
                "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            );
            assert_eq!(count_where(&app, "user", "email", &email).await, 1);
            assert_eq!(app.count("account").await, round as i64 + 1);
        }
    }
}

racing_on_both_databases! {
    async fn one_credential_account_per_user(backend) {
        let app = TestApp::with(backend, |config| config.admin = Some(AdminConfig::default())).await;
        let admin = app.sign_up("Root", "root@example.com", PASSWORD).await;
        app.sql(
            r#"update "user" set "role" = 'admin' where "email" = $1"#,
            keyward_server::args!["root@example.com"],
        )
        .await;
        for round in 0..ROUNDS {
            let email = format!("ada{round}@example.com");
            let ada = app.sign_up("Ada", &email, PASSWORD).await;
            let id = app.get("/get-session").cookies(&ada).send().await.json()["user"]["id"]
                .as_str()
                .expect("id")
                .to_owned();
            // A user without a password (as after a social sign-up): set-user-password
            // creates the credential account, once however many admins ask at once.
            app.sql(
                r#"delete from "account" where "userId" = $1 and "providerId" = 'credential'"#,
                keyward_server::args![id.clone()],
            )
            .await;
            let answers = race_same(
                &app,
                "/admin/set-user-password",
                &admin,
                json!({"userId": id, "newPassword": "a-new-password-1"}),
            )
            .await;
            assert!(answers.iter().all(|a| a.status == StatusCode::OK), "{answers:?}");
            let credentials = count(
                &app,
                r#"select count(*) as "n" from "account" where "userId" = $1 and "providerId" = 'credential'"#,
                keyward_server::args![id],
            )
            .await;
            assert_eq!(credentials, 1);
        }
    }
}

racing_on_both_databases! {
    async fn one_totp_row_per_user(backend) {
        let app = TestApp::with(backend, |config| config.two_factor = Some(TwoFactorConfig::default())).await;
        for round in 0..ROUNDS {
            let user = app.sign_up("Ada", &format!("ada{round}@example.com"), PASSWORD).await;
            let answers = race_same(&app, "/two-factor/enable", &user, json!({"password": PASSWORD})).await;
            assert_outcome(&answers, RACERS, StatusCode::OK, "");
            assert_eq!(
                app.count("twoFactor").await,
                round as i64 + 1,
                "the first stored it, the others replaced its secret"
            );
        }
    }
}

/// A "none" attestation of an ES256 credential `credential_id` for `challenge` at
/// `localhost`, as a browser sends it to `verify-registration`. The key is P-256's base
/// point (private key 1): a valid point, and "none" attestation signs nothing.
fn registration_response(challenge: &str, credential_id: &[u8]) -> Value {
    use serde_cbor_2::Value as Cbor;
    let x = hex_bytes("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
    let y = hex_bytes("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    let key = Cbor::Map(
        [
            (Cbor::Integer(1), Cbor::Integer(2)),
            (Cbor::Integer(3), Cbor::Integer(-7)),
            (Cbor::Integer(-1), Cbor::Integer(1)),
            (Cbor::Integer(-2), Cbor::Bytes(x)),
            (Cbor::Integer(-3), Cbor::Bytes(y)),
        ]
        .into_iter()
        .collect(),
    );
    let mut auth_data = sha256(b"localhost").to_vec();
    auth_data.push(0x45); // user present, user verified, attested credential data
    auth_data.extend_from_slice(&0u32.to_be_bytes());
    auth_data.extend_from_slice(&[0u8; 16]);
    auth_data.extend_from_slice(&(credential_id.len() as u16).to_be_bytes());
    auth_data.extend_from_slice(credential_id);
    auth_data.extend(serde_cbor_2::to_vec(&key).expect("cbor"));
    let attestation = Cbor::Map(
        [
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(Default::default())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]
        .into_iter()
        .collect(),
    );
    let client_data =
        json!({"type": "webauthn.create", "challenge": challenge, "origin": ORIGIN, "crossOrigin": false});
    let id = base64url(credential_id);
    json!({
        "id": id,
        "rawId": id,
        "type": "public-key",
        "response": {
            "clientDataJSON": base64url(client_data.to_string().as_bytes()),
            "attestationObject": base64url(&serde_cbor_2::to_vec(&attestation).expect("cbor")),
            "transports": ["internal"],
        },
        "clientExtensionResults": {},
    })
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

racing_on_both_databases! {
    async fn one_passkey_per_credential_id(backend) {
        let app = TestApp::with(backend, |config| config.passkey = Some(PasskeyConfig::default())).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        for round in 0..ROUNDS {
            // A registration challenge each (each in the cookie of its own copy of the jar).
            let mut ceremonies = Vec::new();
            for _ in 0..RACERS {
                let mut jar = ada.clone();
                let options = app.get("/passkey/generate-register-options").cookies(&jar).send().await;
                assert_eq!(options.status, StatusCode::OK, "{}", options.text());
                jar.store(&options);
                let challenge = options.json()["challenge"].as_str().expect("challenge").to_owned();
                ceremonies.push((jar, challenge));
            }
            let credential_id = [round as u8; 16];
            let answers = race(
                &app,
                ceremonies
                    .iter()
                    .map(|(jar, challenge)| {
                        let body = json!({"response": registration_response(challenge, &credential_id)});
                        ("/passkey/verify-registration", jar, body)
                    })
                    .collect(),
            )
            .await;
            assert_outcome(&answers, 1, StatusCode::BAD_REQUEST, "FAILED_TO_VERIFY_REGISTRATION");
            assert_eq!(count_where(&app, "passkey", "credentialID", &base64url(&credential_id)).await, 1);
        }
    }
}
