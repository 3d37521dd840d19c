//! Cases from the security probe (issue 21) that passed, kept so they keep passing:
//! open-redirect payloads in every URL a request can carry, role escalation from inside
//! (a member, a user without the admin role), oversized and malformed bodies, and
//! tampered or swapped cookies besides the session token (which `attacks.rs` covers).

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, ORIGIN, TestApp, TestResponse};
use keyward_server::config::{AdminConfig, CookieCacheConfig, OrganizationConfig, TwoFactorConfig};
use serde_json::{Value, json};
use url::Url;

/// Redirect targets a browser resolves to somewhere other than the server's origin.
const OFF_ORIGIN: &[&str] = &[
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http://localhost:3000@evil.example",
    "http://localhost:3000.evil.example",
    "http://evil.example\\@localhost:3000",
    "http://evil.example#@localhost:3000",
    "http://evil.example?@localhost:3000",
    "https://evil.example/http://localhost:3000",
    "HTTPS://EVIL.EXAMPLE",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
];

/// Where a browser on the server's origin goes when told `target`.
fn resolve(target: &str) -> Option<Url> {
    Url::parse(ORIGIN).expect("origin").join(target).ok()
}

fn on_origin(target: &str) -> bool {
    let origin = Url::parse(ORIGIN).expect("origin").origin();
    resolve(target).is_some_and(|url| url.origin() == origin)
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[test]
fn every_payload_leaves_the_origin() {
    for payload in OFF_ORIGIN {
        assert!(!on_origin(payload), "{payload:?} resolves to {:?}", resolve(payload));
    }
    assert!(on_origin("/dashboard") && on_origin("http://localhost:3000/x"));
}

/// A refusal: a client error with a coded body.
fn assert_refused(response: &TestResponse, what: &str) {
    assert!(
        response.status.is_client_error(),
        "{what}: {} {}",
        response.status,
        response.text()
    );
    assert!(response.code().is_some(), "{what}: a coded error: {}", response.text());
}

/// An answer that sends the browser somewhere: refused, or a redirect that stays home.
fn assert_stays_on_origin(response: &TestResponse, what: &str) {
    if response.status.is_redirection() {
        let location = response.header("location").expect("a redirect has a Location");
        assert!(on_origin(&location), "{what} redirects to {location:?}");
    } else {
        assert_refused(response, what);
    }
}

#[tokio::test]
async fn redirect_payloads_in_sign_in_and_sign_up_are_refused() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    for (index, payload) in OFF_ORIGIN.iter().enumerate() {
        let sign_in = app
            .post("/sign-in/email")
            .json(&json!({"email": "alice@example.com", "password": "password123", "callbackURL": payload}))
            .send()
            .await;
        sign_in.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
        let sign_up = app
            .post("/sign-up/email")
            .json(&json!({
                "name": "Eve", "email": format!("eve{index}@example.com"), "password": "password123",
                "callbackURL": payload
            }))
            .send()
            .await;
        sign_up.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
    }
    assert_eq!(app.count("user").await, 1, "no refused sign-up made a user");
    assert_eq!(app.count("session").await, 1, "no refused sign-in made a session");
    let home = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": "password123", "callbackURL": "/dashboard"}))
        .send()
        .await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text());
    assert_eq!(home.json()["url"], "/dashboard");
}

#[tokio::test]
async fn redirect_payloads_in_emailed_links_are_refused() {
    let app = TestApp::new(Backend::Sqlite).await;
    let alice = app.sign_up("Alice", "alice@example.com", "password123").await;
    for payload in OFF_ORIGIN {
        let reset = app
            .post("/request-password-reset")
            .json(&json!({"email": "alice@example.com", "redirectTo": payload}))
            .send()
            .await;
        reset.assert_error(StatusCode::FORBIDDEN, "INVALID_REDIRECT_URL");
        let verification = app
            .post("/send-verification-email")
            .cookies(&alice)
            .json(&json!({"email": "alice@example.com", "callbackURL": payload}))
            .send()
            .await;
        verification.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
        let change = app
            .post("/change-email")
            .cookies(&alice)
            .json(&json!({"newEmail": "alice2@example.com", "callbackURL": payload}))
            .send()
            .await;
        change.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
    }
    assert!(app.emails().is_empty(), "no link went out: {:?}", app.emails());
}

#[tokio::test]
async fn redirect_payloads_in_link_targets_never_leave_the_origin() {
    let app = TestApp::new(Backend::Sqlite).await;
    let alice = app.sign_up("Alice", "alice@example.com", "password123").await;
    // Genuine tokens, so a payload that got through would be followed.
    app.post("/request-password-reset")
        .json(&json!({"email": "alice@example.com", "redirectTo": "/reset"}))
        .send()
        .await;
    let reset = app.wait_for_email("reset-password", "alice@example.com").await;
    let reset_token = reset["token"].as_str().expect("token").to_owned();
    app.post("/send-verification-email")
        .cookies(&alice)
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await;
    let verify = app.wait_for_email("verify-email", "alice@example.com").await;
    let verify_token = verify["token"].as_str().expect("token").to_owned();
    for payload in OFF_ORIGIN {
        let encoded = encode(payload);
        for token in [reset_token.as_str(), "bad-token"] {
            let path = format!("/reset-password/{token}?callbackURL={encoded}");
            assert_stays_on_origin(&app.get(&path).send().await, &path);
        }
        for token in [verify_token.as_str(), "bad-token"] {
            let path = format!("/verify-email?token={token}&callbackURL={encoded}");
            assert_stays_on_origin(&app.get(&path).send().await, &path);
        }
    }
    let session = app.get("/get-session").cookies(&alice).send().await.json();
    assert_eq!(
        session["user"]["emailVerified"], false,
        "no refused link verified the address"
    );
}

async fn admin_app() -> TestApp {
    TestApp::with(Backend::Sqlite, |config| config.admin = Some(AdminConfig::default())).await
}

async fn user_id(app: &TestApp, client: &Client) -> String {
    let session = app.get("/get-session").cookies(client).send().await.json();
    session["user"]["id"].as_str().expect("id").to_owned()
}

async fn role_of(app: &TestApp, email: &str) -> Option<String> {
    app.sql_rows(
        r#"select "role" from "user" where "email" = $1"#,
        keyward_server::args![email],
    )
    .await[0]
        .opt_text("role")
        .expect("role")
}

#[tokio::test]
async fn a_user_cannot_make_themselves_an_admin() {
    let app = admin_app().await;
    let signed_up = app
        .post("/sign-up/email")
        .json(&json!({"name": "Mallory", "email": "mallory@example.com", "password": "password123", "role": "admin"}))
        .send()
        .await;
    assert!(
        signed_up.status == StatusCode::OK || signed_up.status.is_client_error(),
        "{}",
        signed_up.text()
    );
    let mallory = if signed_up.status == StatusCode::OK {
        assert_eq!(
            signed_up.json()["user"]["role"],
            "user",
            "the role asked for was ignored"
        );
        let mut client = Client::default();
        client.store(&signed_up);
        client
    } else {
        app.sign_up("Mallory", "mallory@example.com", "password123").await
    };
    let victim = app.sign_up("Victor", "victor@example.com", "password123").await;
    let mallory_id = user_id(&app, &mallory).await;
    let victim_id = user_id(&app, &victim).await;
    let attempts = [
        ("/update-user", json!({"role": "admin"})),
        ("/admin/set-role", json!({"userId": mallory_id, "role": "admin"})),
        (
            "/admin/update-user",
            json!({"userId": mallory_id, "data": {"role": "admin"}}),
        ),
        (
            "/admin/create-user",
            json!({"email": "sock@example.com", "password": "password123", "name": "Sock", "role": "admin"}),
        ),
        ("/admin/impersonate-user", json!({"userId": victim_id})),
        ("/admin/ban-user", json!({"userId": victim_id})),
        (
            "/admin/set-user-password",
            json!({"userId": victim_id, "newPassword": "taken-over-1"}),
        ),
        ("/admin/revoke-user-sessions", json!({"userId": victim_id})),
        ("/admin/remove-user", json!({"userId": victim_id})),
    ];
    for (path, body) in attempts {
        let response = app.post(path).cookies(&mallory).json(&body).send().await;
        assert_refused(&response, path);
    }
    let listed = app.get("/admin/list-users").cookies(&mallory).send().await;
    assert_refused(&listed, "list-users");
    assert_eq!(role_of(&app, "mallory@example.com").await.as_deref(), Some("user"));
    assert_eq!(app.count("user").await, 2, "no user was created or removed");
    let still = app.get("/get-session").cookies(&victim).send().await.json();
    assert_eq!(
        still["user"]["email"], "victor@example.com",
        "Victor's session lives on"
    );
    assert_eq!(still["user"]["banned"], false);
    let signed_in = app
        .post("/sign-in/email")
        .json(&json!({"email": "victor@example.com", "password": "password123"}))
        .send()
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "Victor's password is unchanged");
}

async fn organization_app() -> TestApp {
    TestApp::with(Backend::Sqlite, |config| {
        config.organization = Some(OrganizationConfig::default())
    })
    .await
}

async fn post(app: &TestApp, client: &mut Client, path: &str, body: Value) -> TestResponse {
    let response = app.post(path).cookies(client).json(&body).send().await;
    client.store(&response);
    response
}

#[tokio::test]
async fn members_cannot_raise_their_own_role() {
    let app = organization_app().await;
    let mut owner = app.sign_up("Olive", "olive@example.com", "password123").await;
    let mut admin = app.sign_up("Adam", "adam@example.com", "password123").await;
    let mut member = app.sign_up("Mel", "mel@example.com", "password123").await;
    let created = post(
        &app,
        &mut owner,
        "/organization/create",
        json!({"name": "Acme", "slug": "acme"}),
    )
    .await;
    let organization = created.json()["id"].as_str().expect("id").to_owned();
    let mut member_ids = Vec::new();
    for (client, email, role) in [
        (&mut admin, "adam@example.com", "admin"),
        (&mut member, "mel@example.com", "member"),
    ] {
        let invited = post(
            &app,
            &mut owner,
            "/organization/invite-member",
            json!({"email": email, "role": role}),
        )
        .await;
        let id = invited.json()["id"].as_str().expect("invitation").to_owned();
        let accepted = post(
            &app,
            client,
            "/organization/accept-invitation",
            json!({"invitationId": id}),
        )
        .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
        member_ids.push(accepted.json()["member"]["id"].as_str().expect("member").to_owned());
    }
    let (admin_member, member_member) = (member_ids[0].clone(), member_ids[1].clone());
    let attempts = [
        (
            &member,
            "/organization/update-member-role",
            json!({"memberId": member_member, "role": "owner"}),
        ),
        (
            &member,
            "/organization/update-member-role",
            json!({"memberId": member_member, "role": "admin"}),
        ),
        (
            &member,
            "/organization/invite-member",
            json!({"email": "sock@example.com", "role": "owner"}),
        ),
        (
            &admin,
            "/organization/update-member-role",
            json!({"memberId": admin_member, "role": "owner"}),
        ),
        (
            &admin,
            "/organization/invite-member",
            json!({"email": "sock@example.com", "role": "owner"}),
        ),
        (&member, "/organization/delete", json!({"organizationId": organization})),
        (
            &admin,
            "/organization/remove-member",
            json!({"memberIdOrEmail": "olive@example.com"}),
        ),
    ];
    for (client, path, body) in attempts {
        let response = app.post(path).cookies(client).json(&body).send().await;
        assert_refused(&response, &format!("{path} {body}"));
    }
    let rows = app
        .sql_rows(r#"select "role" from "member" order by "role""#, vec![])
        .await;
    let roles: Vec<String> = rows.iter().map(|r| r.text("role").expect("role")).collect();
    assert_eq!(roles, ["admin", "member", "owner"], "every role as it was");
    assert_eq!(app.count("invitation").await, 2, "no owner invitation went out");
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused_with_a_coded_error() {
    let app = TestApp::new(Backend::Sqlite).await;
    let alice = app.sign_up("Alice", "alice@example.com", "password123").await;
    let limit = app.auth.config().body_limit;
    let oversized = serde_json::to_vec(&json!({
        "name": "n".repeat(limit), "email": "big@example.com", "password": "password123"
    }))
    .expect("json");
    let too_large = app
        .post("/sign-up/email")
        .raw("application/json", oversized)
        .send()
        .await;
    too_large.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");
    let bodies: [&[u8]; 12] = [
        b"",
        b"[]",
        b"\"alice\"",
        b"42",
        b"null",
        b"true",
        b"{\"email\": \"alice@example.com\", \"password\": \"password123\"",
        b"{\"email\": \"alice@example.com\", \"password\": \"password123\"}}",
        b"{\"email\": \"\\ud800@example.com\", \"password\": \"password123\"}",
        b"{\"email\": \"alice@example.com\", \"password\": 1e400}",
        b"{\"email\": [\"alice@example.com\"], \"password\": \"password123\"}",
        b"\xef\xbb\xbf{\"email\": \"alice@example.com\", \"password\": \"password123\"}",
    ];
    for path in ["/sign-in/email", "/sign-up/email", "/update-user", "/change-password"] {
        for body in bodies {
            let response = app
                .post(path)
                .cookies(&alice)
                .raw("application/json", body)
                .send()
                .await;
            assert_refused(&response, &format!("{path} {}", String::from_utf8_lossy(body)));
        }
    }
    assert_eq!(app.count("user").await, 1, "no refused body made a user");
    assert_eq!(app.count("session").await, 1, "nor a session");
}

#[tokio::test]
async fn another_users_cached_session_is_not_believed() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.session.cookie_cache = CookieCacheConfig {
            enabled: true,
            ..CookieCacheConfig::default()
        }
    })
    .await;
    let alice = app.sign_up("Alice", "alice@example.com", "password123").await;
    let bob = app.sign_up("Bob", "bob@example.com", "password123").await;
    let bob_cache = bob
        .cookies
        .get("better-auth.session_data")
        .expect("Bob's cache")
        .clone();
    // Bob's cache is validly signed, but it is not for Alice's session token.
    let mut swapped = alice.clone();
    swapped
        .cookies
        .insert("better-auth.session_data".into(), bob_cache.clone());
    let session = app.get("/get-session").cookies(&swapped).send().await.json();
    assert_eq!(session["user"]["email"], "alice@example.com", "{session}");
    // Nor does the cache stand in for a missing or forged session cookie.
    let mut cache_only = Client::default();
    cache_only.cookies.insert("better-auth.session_data".into(), bob_cache);
    let nobody = app.get("/get-session").cookies(&cache_only).send().await;
    assert_eq!(nobody.text(), "null");
}

#[tokio::test]
async fn tampered_two_factor_cookies_prove_nothing() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.two_factor = Some(TwoFactorConfig::default())
    })
    .await;
    let mut alice = app.sign_up("Alice", "alice@example.com", "password123").await;
    let enabled = post(
        &app,
        &mut alice,
        "/two-factor/enable",
        json!({"password": "password123"}),
    )
    .await;
    let uri = enabled.json()["totpURI"].as_str().expect("uri").to_owned();
    let code = || keyward_server::crypto::totp::Totp::from_uri(&uri).expect("uri").now();
    let verified = post(&app, &mut alice, "/two-factor/verify-totp", json!({"code": code()})).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());

    // A trusted device's cookie, one character off, trusts nothing.
    let mut device = Client::default();
    let challenge = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": "password123"}))
        .send()
        .await;
    device.store(&challenge);
    let trusted = post(
        &app,
        &mut device,
        "/two-factor/verify-totp",
        json!({"code": code(), "trustDevice": true}),
    )
    .await;
    assert_eq!(trusted.status, StatusCode::OK, "{}", trusted.text());
    let trust = device
        .cookies
        .get("better-auth.trust_device")
        .expect("trust cookie")
        .clone();
    let mut forged = Client::default();
    forged
        .cookies
        .insert("better-auth.trust_device".into(), flip_last_signature_char(&trust));
    let response = app
        .post("/sign-in/email")
        .cookies(&forged)
        .json(&json!({"email": "alice@example.com", "password": "password123"}))
        .send()
        .await;
    assert_eq!(response.json()["twoFactorRedirect"], true, "still challenged");

    // A challenge cookie, one character off, is no challenge.
    let mut challenged = Client::default();
    challenged.store(&response);
    let cookie = challenged
        .cookies
        .get("better-auth.two_factor")
        .expect("challenge")
        .clone();
    challenged
        .cookies
        .insert("better-auth.two_factor".into(), flip_last_signature_char(&cookie));
    let refused = post(
        &app,
        &mut challenged,
        "/two-factor/verify-totp",
        json!({"code": code()}),
    )
    .await;
    refused.assert_error(StatusCode::UNAUTHORIZED, "INVALID_TWO_FACTOR_COOKIE");
    assert!(
        challenged.session_cookie().is_none(),
        "no session from a forged challenge"
    );
}

/// A signed cookie value with one character of its signature changed.
fn flip_last_signature_char(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    let at = chars.len().saturating_sub(6);
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

on_both_databases! {
    /// Attributes written above the function reach both generated tests (the macro once
    /// dropped them, so an `#[ignore]` or `#[should_panic]` did nothing).
    #[should_panic(expected = "attributes reach the generated tests")]
    async fn the_database_macro_keeps_attributes(backend: Backend) {
        let _ = backend;
        panic!("attributes reach the generated tests");
    }
}
