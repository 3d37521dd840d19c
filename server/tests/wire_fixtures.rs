//! Replays the requests of the recorded better-auth 1.7.25 transcripts
//! (`tests/fixtures/wire-transcript*.md`, captured from the real server) against Keyward
//! and compares the shapes of the answers: status, JSON keys and value types, error
//! codes, cookie names and attributes, `set-auth-token` and cache headers.
//!
//! Values that differ by nature (ids, tokens, times) are not compared. Fields and headers
//! of better-auth plugins that Keyward's core does not implement are listed in
//! [`PLUGIN_FIELDS`] and [`PLUGIN_HEADERS`], with the plugin they belong to.

use crate::common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::{Backend, Client, TestApp, TestResponse};
use serde_json::Value;

/// User and session fields of plugins the transcript server ran (twoFactor, admin,
/// username, anonymous, organization) that Keyward's core has no business returning.
const PLUGIN_FIELDS: &[(&str, &str)] = &[
    ("twoFactorEnabled", "two-factor plugin"),
    ("role", "admin plugin"),
    ("banned", "admin plugin"),
    ("banReason", "admin plugin"),
    ("banExpires", "admin plugin"),
    ("username", "username plugin"),
    ("displayUsername", "username plugin"),
    ("isAnonymous", "anonymous plugin"),
    ("activeOrganizationId", "organization plugin"),
    ("activeTeamId", "organization plugin"),
    ("impersonatedBy", "admin plugin"),
];

/// Response headers of plugins Keyward's core does not implement.
const PLUGIN_HEADERS: &[(&str, &str)] = &[("set-auth-jwt", "jwt plugin")];

/// Headers whose presence (and, except for tokens, value) must match.
const COMPARED_HEADERS: &[&str] = &[
    "content-type",
    "cache-control",
    "pragma",
    "location",
    "x-retry-after",
    "set-auth-token",
    "access-control-expose-headers",
];

struct Exchange {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: String,
}

fn section<'a>(transcript: &'a str, title: &str) -> &'a str {
    let marker = format!("\n### {title}\n");
    let start = transcript
        .find(&marker)
        .unwrap_or_else(|| panic!("transcript has no section `{title}`"))
        + marker.len();
    let rest = &transcript[start..];
    let end = rest.find("\n### ").or_else(|| rest.find("\n## ")).unwrap_or(rest.len());
    &rest[..end]
}

fn recorded_response(transcript: &str, title: &str) -> Exchange {
    let text = section(transcript, title);
    let response = &text[text.find("Response (").expect("response block")..];
    let block = response
        .split("```http\n")
        .nth(1)
        .expect("http block")
        .split("\n```")
        .next()
        .expect("block end");
    let mut lines = block.lines();
    let status_line = lines.next().expect("status line");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .expect("status")
        .parse()
        .expect("numeric status");
    let mut headers = Vec::new();
    let mut body = String::new();
    let mut in_body = false;
    for line in lines {
        if in_body {
            body.push_str(line);
        } else if line.is_empty() {
            in_body = true;
        } else if let Some((name, value)) = line.split_once(": ") {
            headers.push((name.to_ascii_lowercase(), value.to_owned()));
        }
    }
    Exchange {
        status: StatusCode::from_u16(status).expect("status"),
        headers,
        body,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Key → type map of an object (recursing into objects), without plugin fields.
fn shape(value: &Value, path: &str, out: &mut BTreeMap<String, &'static str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if PLUGIN_FIELDS.iter().any(|(field, _)| field == key) {
                    continue;
                }
                let child_path = format!("{path}.{key}");
                out.insert(child_path.clone(), json_type(child));
                shape(child, &child_path, out);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                shape(first, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// Cookie name → (empty value?, attributes).
fn cookie_shapes(headers: &[(String, String)]) -> BTreeMap<String, (bool, String)> {
    headers
        .iter()
        .filter(|(name, _)| name == "set-cookie")
        .map(|(_, line)| {
            let (pair, attributes) = line.split_once("; ").unwrap_or((line.as_str(), ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            // The transcript writes a deletion's value as `""`.
            let empty = value.is_empty() || value.starts_with("\"\"");
            (name.to_owned(), (empty, attributes.to_owned()))
        })
        .collect()
}

fn compare(title: &str, recorded: &Exchange, ours: &TestResponse) {
    assert_eq!(ours.status, recorded.status, "{title}: status ({})", ours.text());
    let recorded_body = recorded.body.trim();
    if recorded_body.is_empty() {
        assert!(
            ours.body.is_empty(),
            "{title}: better-auth sent an empty body, Keyward sent {}",
            ours.text()
        );
    } else {
        let expected: Value = serde_json::from_str(recorded_body).expect("recorded JSON");
        let actual = ours.json();
        let (mut want, mut got) = (BTreeMap::new(), BTreeMap::new());
        shape(&expected, "$", &mut want);
        shape(&actual, "$", &mut got);
        assert_eq!(json_type(&actual), json_type(&expected), "{title}: body type");
        assert_eq!(got, want, "{title}: JSON keys and types");
        if let Some(code) = expected.get("code") {
            assert_eq!(actual.get("code"), Some(code), "{title}: error code");
            assert_eq!(actual.get("message"), expected.get("message"), "{title}: error message");
        }
    }
    let our_headers: Vec<(String, String)> = ours
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().expect("ascii").to_owned()))
        .collect();
    assert_eq!(
        cookie_shapes(&our_headers),
        cookie_shapes(&recorded.headers),
        "{title}: Set-Cookie names and attributes"
    );
    for name in COMPARED_HEADERS {
        let normalize = |value: &str| -> String {
            let mut parts: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|part| !PLUGIN_HEADERS.iter().any(|(header, _)| header == part))
                .collect();
            parts.sort_unstable();
            parts.join(", ")
        };
        let recorded_value = recorded
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| normalize(v))
            .filter(|v| !v.is_empty());
        let our_value = ours.header(name).map(|v| normalize(&v));
        match *name {
            "set-auth-token" => assert_eq!(
                our_value.is_some(),
                recorded_value.is_some(),
                "{title}: {name} presence"
            ),
            // The seconds left of the window: the recording's at most (the attempts
            // before this one took time), never less than one.
            "x-retry-after" => {
                let seconds = |value: &Option<String>| value.as_deref().map(|v| v.parse::<u64>().expect("seconds"));
                match (seconds(&our_value), seconds(&recorded_value)) {
                    (Some(ours), Some(recorded)) => {
                        assert!((1..=recorded).contains(&ours), "{title}: {name} {ours} vs {recorded}")
                    }
                    (ours, recorded) => assert_eq!(ours, recorded, "{title}: {name}"),
                }
            }
            _ => assert_eq!(our_value, recorded_value, "{title}: {name}"),
        }
    }
}

/// Replays the request of the section called `title` with the given body and credentials.
async fn replay(_app: &TestApp, transcript: &str, title: &str, request: common::TestRequest<'_>) -> TestResponse {
    let mut recorded = recorded_response(transcript, title);
    for (_, header, _) in DELIBERATE.iter().filter(|(section, _, _)| *section == title) {
        recorded.headers.retain(|(name, _)| name != header);
    }
    let response = request.send().await;
    compare(title, &recorded, &response);
    response
}

/// Recorded headers Keyward deliberately does not send: section, header, reason (the same
/// difference is allow-listed in `tests/interop/differences.json`).
const DELIBERATE: &[(&str, &str, &str)] = &[
    (
        "POST /sign-in/email (2FA user)",
        "set-auth-token",
        "better-auth names the session it has just deleted; Keyward sends no dead token",
    ),
    (
        "POST /sign-in/email (2FA user)",
        "access-control-expose-headers",
        "exposes only the set-auth-token that is not sent",
    ),
];

/// The current TOTP code for an `otpauth://` URI.
fn totp_code(uri: &str) -> String {
    use keyward_server::crypto::totp::{Totp, base32_decode, unix_now};
    let url: url::Url = uri.parse().expect("otpauth URI");
    let secret = url
        .query_pairs()
        .find(|(k, _)| k == "secret")
        .expect("secret")
        .1
        .into_owned();
    Totp::new(base32_decode(&secret).expect("base32")).code_at(unix_now())
}

#[tokio::test]
async fn core_flow_matches_the_recorded_shapes() {
    let transcript = include_str!("fixtures/wire-transcript-sqlite.md");
    let app = TestApp::new(Backend::Sqlite).await;
    let alice = serde_json::json!({"email": "alice-mwtoy09i@example.com", "password": "correct-horse-battery", "name": "Alice"});

    replay(&app, transcript, "GET /ok", app.get("/ok")).await;
    let signed_up = replay(
        &app,
        transcript,
        "POST /sign-up/email",
        app.post("/sign-up/email").json(&alice),
    )
    .await;
    assert!(signed_up.json()["token"].is_string());
    let credentials = serde_json::json!({"email": alice["email"], "password": alice["password"]});
    let signed_in = replay(
        &app,
        transcript,
        "POST /sign-in/email",
        app.post("/sign-in/email").json(&credentials),
    )
    .await;
    let mut client = Client::default();
    client.store(&signed_in);
    let signed = signed_in.header("set-auth-token").expect("token");
    let unsigned = signed_in.json()["token"].as_str().expect("token").to_owned();
    let cookie_header = client.cookie_header();
    fn cookie_only<'a>(request: common::TestRequest<'a>, header: &str) -> common::TestRequest<'a> {
        request.header("cookie", header)
    }

    replay(
        &app,
        transcript,
        "GET /get-session (cookie)",
        cookie_only(app.get("/get-session"), &cookie_header),
    )
    .await;
    replay(
        &app,
        transcript,
        "GET /get-session (Authorization: Bearer)",
        app.get("/get-session").bearer(&signed),
    )
    .await;
    replay(
        &app,
        transcript,
        "GET /get-session (bearer = unsigned token only)",
        app.get("/get-session").bearer(&unsigned),
    )
    .await;
    replay(
        &app,
        transcript,
        "GET /get-session (no credentials)",
        app.get("/get-session"),
    )
    .await;
    replay(
        &app,
        transcript,
        "GET /get-session (garbage bearer)",
        app.get("/get-session").bearer("garbage.token"),
    )
    .await;
    let update = serde_json::json!({"name": "Alice (no origin)"});
    replay(
        &app,
        transcript,
        "POST /update-user with cookie but NO Origin header (CSRF check)",
        cookie_only(app.post("/update-user"), &cookie_header).json(&update),
    )
    .await;
    replay(
        &app,
        transcript,
        "POST /update-user (cookie + Origin)",
        app.post("/update-user")
            .cookies(&client)
            .json(&serde_json::json!({"name": "Alice Updated"})),
    )
    .await;
    let after = replay(
        &app,
        transcript,
        "GET /get-session after update-user",
        cookie_only(app.get("/get-session"), &cookie_header),
    )
    .await;
    assert_eq!(after.json()["user"]["name"], "Alice Updated");
    replay(
        &app,
        transcript,
        "POST /update-user (Bearer only, no Origin, no cookie)",
        app.post("/update-user")
            .bearer(&signed)
            .json(&serde_json::json!({"name": "Alice Bearer"})),
    )
    .await;
    replay(
        &app,
        transcript,
        "GET /get-session (bearer) after bearer update-user",
        app.get("/get-session").bearer(&signed),
    )
    .await;
    replay(
        &app,
        transcript,
        "GET /list-sessions",
        cookie_only(app.get("/list-sessions"), &cookie_header),
    )
    .await;
    replay(
        &app,
        transcript,
        "POST /sign-out",
        app.post("/sign-out").cookies(&client).json(&serde_json::json!({})),
    )
    .await;
}

#[tokio::test]
async fn two_factor_flow_matches_the_recorded_shapes() {
    let transcript = include_str!("fixtures/wire-transcript-sqlite.md");
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.two_factor = Some(keyward_server::config::TwoFactorConfig::default())
    })
    .await;
    let password = "correct-horse-battery";
    let mut client = app.sign_up("Alice", "alice-mwtoy09i@example.com", password).await;
    let enabled = replay(
        &app,
        transcript,
        "POST /two-factor/enable",
        app.post("/two-factor/enable")
            .cookies(&client)
            .json(&serde_json::json!({"password": password})),
    )
    .await;
    let uri = enabled.json()["totpURI"].as_str().expect("uri").to_owned();
    let pending = replay(
        &app,
        transcript,
        "GET /get-session (2FA enabled but not yet verified)",
        app.get("/get-session").header("cookie", &client.cookie_header()),
    )
    .await;
    assert_eq!(pending.json()["user"]["twoFactorEnabled"], false);
    let old_token = client.session_token();
    let verified = replay(
        &app,
        transcript,
        "POST /two-factor/verify-totp (completes enrolment)",
        app.post("/two-factor/verify-totp")
            .cookies(&client)
            .json(&serde_json::json!({"code": totp_code(&uri)})),
    )
    .await;
    client.store(&verified);
    replay(
        &app,
        transcript,
        "GET /get-session with the pre-enrolment bearer token",
        app.get("/get-session").bearer(&old_token),
    )
    .await;
    let after = replay(
        &app,
        transcript,
        "GET /get-session after enrolment",
        app.get("/get-session").header("cookie", &client.cookie_header()),
    )
    .await;
    assert_eq!(after.json()["user"]["twoFactorEnabled"], true);
    let signed_out = replay(
        &app,
        transcript,
        "POST /sign-out",
        app.post("/sign-out").cookies(&client).json(&serde_json::json!({})),
    )
    .await;
    client.store(&signed_out);
    let challenge = replay(
        &app,
        transcript,
        "POST /sign-in/email (2FA user)",
        app.post("/sign-in/email")
            .json(&serde_json::json!({"email": "alice-mwtoy09i@example.com", "password": password})),
    )
    .await;
    client.store(&challenge);
    let done = replay(
        &app,
        transcript,
        "POST /two-factor/verify-totp (sign-in challenge)",
        app.post("/two-factor/verify-totp")
            .cookies(&client)
            .json(&serde_json::json!({"code": totp_code(&uri)})),
    )
    .await;
    client.store(&done);
    replay(
        &app,
        transcript,
        "GET /get-session after 2FA sign-in",
        app.get("/get-session").header("cookie", &client.cookie_header()),
    )
    .await;
}

#[tokio::test]
async fn organization_flow_matches_the_recorded_shapes() {
    let transcript = include_str!("fixtures/wire-transcript-sqlite.md");
    let app = TestApp::with(Backend::Sqlite, |config| {
        let mut organization = keyward_server::config::OrganizationConfig::default();
        organization.teams.enabled = true;
        config.organization = Some(organization);
    })
    .await;
    let mut alice = app
        .sign_up("Alice", "alice-mwtoy09i@example.com", "correct-horse-battery")
        .await;
    let created = replay(
        &app,
        transcript,
        "POST /organization/create",
        app.post("/organization/create")
            .cookies(&alice)
            .json(&serde_json::json!({"name": "Acme", "slug": "acme-mwtoy09i"})),
    )
    .await;
    let organization_id = created.json()["id"].as_str().expect("id").to_owned();
    let active = replay(
        &app,
        transcript,
        "POST /organization/set-active",
        app.post("/organization/set-active")
            .cookies(&alice)
            .json(&serde_json::json!({"organizationId": organization_id})),
    )
    .await;
    alice.store(&active);
    let session = replay(
        &app,
        transcript,
        "GET /get-session (activeOrganizationId)",
        app.get("/get-session").header("cookie", &alice.cookie_header()),
    )
    .await;
    assert_eq!(
        session.json()["session"]["activeOrganizationId"],
        organization_id.as_str()
    );
    replay(
        &app,
        transcript,
        "GET /organization/get-full-organization",
        app.get("/organization/get-full-organization")
            .header("cookie", &alice.cookie_header()),
    )
    .await;
    replay(
        &app,
        transcript,
        "POST /organization/create-team",
        app.post("/organization/create-team")
            .cookies(&alice)
            .json(&serde_json::json!({"name": "Core"})),
    )
    .await;
    let bob_credentials =
        serde_json::json!({"email": "bob-mwtoy09i@example.com", "password": "bob-password-123456", "name": "Bob"});
    let signed_up = replay(
        &app,
        transcript,
        "POST /sign-up/email (second user, Bob)",
        app.post("/sign-up/email").json(&bob_credentials),
    )
    .await;
    let mut bob = Client::default();
    bob.store(&signed_up);
    let invited = replay(
        &app,
        transcript,
        "POST /organization/invite-member",
        app.post("/organization/invite-member")
            .cookies(&alice)
            .json(&serde_json::json!({"email": "bob-mwtoy09i@example.com", "role": "member"})),
    )
    .await;
    let invitation_id = invited.json()["id"].as_str().expect("id").to_owned();
    let accepted = replay(
        &app,
        transcript,
        "POST /organization/accept-invitation (Bob)",
        app.post("/organization/accept-invitation")
            .cookies(&bob)
            .json(&serde_json::json!({"invitationId": invitation_id})),
    )
    .await;
    bob.store(&accepted);
    replay(
        &app,
        transcript,
        "POST /organization/has-permission (Bob=member, member:create)",
        app.post("/organization/has-permission")
            .cookies(&bob)
            .json(&serde_json::json!({"permissions": {"member": ["create"]}})),
    )
    .await;
    replay(
        &app,
        transcript,
        "POST /organization/has-permission (Bob=member, organization:update)",
        app.post("/organization/has-permission")
            .cookies(&bob)
            .json(&serde_json::json!({"permissions": {"organization": ["update"]}, "organizationId": organization_id})),
    )
    .await;
    replay(
        &app,
        transcript,
        "POST /organization/has-permission (Alice=owner, member:create)",
        app.post("/organization/has-permission")
            .cookies(&alice)
            .json(&serde_json::json!({"permissions": {"member": ["create"]}})),
    )
    .await;
    let full = replay(
        &app,
        transcript,
        "GET /organization/get-full-organization (after accept)",
        app.get(&format!(
            "/organization/get-full-organization?organizationId={organization_id}"
        ))
        .header("cookie", &alice.cookie_header()),
    )
    .await;
    assert_eq!(full.json()["members"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn error_shapes_match_the_recording() {
    let transcript = include_str!("fixtures/wire-transcript-sqlite.md");
    let app = TestApp::new(Backend::Sqlite).await;
    app.sign_up("Bob", "bob-mwtoy09i@example.com", "bob-password-123456")
        .await;
    let bob =
        serde_json::json!({"email": "bob-mwtoy09i@example.com", "password": "bob-password-123456", "name": "Bob"});
    replay(
        &app,
        transcript,
        "POST /sign-in/email wrong password",
        app.post("/sign-in/email")
            .json(&serde_json::json!({"email": bob["email"], "password": "wrong-password-xx"})),
    )
    .await;
    replay(
        &app,
        transcript,
        "POST /sign-up/email duplicate email",
        app.post("/sign-up/email").json(&bob),
    )
    .await;
    replay(
        &app,
        transcript,
        "POST /sign-in/email missing password (validation)",
        app.post("/sign-in/email")
            .json(&serde_json::json!({"email": bob["email"]})),
    )
    .await;
    replay(
        &app,
        transcript,
        "POST /update-user without credentials",
        app.post("/update-user").json(&serde_json::json!({"name": "x"})),
    )
    .await;
    replay(&app, transcript, "GET /does-not-exist", app.get("/does-not-exist")).await;
    replay(
        &app,
        transcript,
        "POST /sign-up/email short password",
        app.post("/sign-up/email")
            .json(&serde_json::json!({"email": "short-mwtoy09i@example.com", "password": "short", "name": "S"})),
    )
    .await;
}

#[tokio::test]
async fn rate_limit_shape_matches_the_recording() {
    let transcript = include_str!("fixtures/wire-transcript.md");
    let app = TestApp::with(Backend::Sqlite, |config| config.rate_limit.enabled = true).await;
    let body = serde_json::json!({"email": "nobody@example.com", "password": "wrong-password-xx"});
    for attempt in 1..=4 {
        let title = format!("POST /sign-in/email attempt {attempt}");
        replay(&app, transcript, &title, app.post("/sign-in/email").json(&body)).await;
    }
}

#[test]
fn allow_lists_name_their_plugin() {
    for (name, plugin) in PLUGIN_FIELDS.iter().chain(PLUGIN_HEADERS) {
        assert!(!name.is_empty() && plugin.ends_with("plugin"));
    }
}
