//! Every endpoint, in-process on SQLite with every plugin on: an arbitrary body (or query),
//! `Authorization`, `Cookie` and `Origin`, signed in or not. No input may panic or get a
//! 5xx; every error is a 4xx.
//!
//! Input: byte 0 picks the path, byte 1 the method and headers, then lines:
//! `<authorization>\n<cookie>\n<body or query>`.
#![no_main]

use std::sync::{Mutex, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use http_body_util::BodyExt;
use keyward_server::{Auth, Config};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const ORIGIN: &str = "http://localhost:3000";
const PASSWORD: &str = "fuzz-password-1234";

/// Every route of the server with all plugins, below the base path.
const PATHS: &[&str] = &[
    "/ok",
    "/error",
    "/sign-up/email",
    "/sign-in/email",
    "/sign-out",
    "/get-session",
    "/list-sessions",
    "/revoke-session",
    "/revoke-sessions",
    "/revoke-other-sessions",
    "/update-session",
    "/update-user",
    "/change-email",
    "/delete-user",
    "/delete-user/callback",
    "/change-password",
    "/verify-password",
    "/request-password-reset",
    "/reset-password",
    "/reset-password/some-token",
    "/send-verification-email",
    "/verify-email",
    "/list-accounts",
    "/unlink-account",
    "/account-info",
    "/two-factor/enable",
    "/two-factor/disable",
    "/two-factor/get-totp-uri",
    "/two-factor/verify-totp",
    "/two-factor/send-otp",
    "/two-factor/verify-otp",
    "/two-factor/generate-backup-codes",
    "/two-factor/verify-backup-code",
    "/passkey/generate-register-options",
    "/passkey/verify-registration",
    "/passkey/generate-authenticate-options",
    "/passkey/verify-authentication",
    "/passkey/list-user-passkeys",
    "/passkey/delete-passkey",
    "/passkey/update-passkey",
    "/organization/create",
    "/organization/update",
    "/organization/delete",
    "/organization/check-slug",
    "/organization/get-full-organization",
    "/organization/get-organization",
    "/organization/list",
    "/organization/set-active",
    "/organization/leave",
    "/organization/invite-member",
    "/organization/accept-invitation",
    "/organization/reject-invitation",
    "/organization/cancel-invitation",
    "/organization/get-invitation",
    "/organization/list-invitations",
    "/organization/list-user-invitations",
    "/organization/remove-member",
    "/organization/update-member-role",
    "/organization/get-active-member",
    "/organization/get-active-member-role",
    "/organization/list-members",
    "/organization/has-permission",
    "/organization/create-role",
    "/organization/update-role",
    "/organization/delete-role",
    "/organization/get-role",
    "/organization/list-roles",
    "/organization/create-team",
    "/organization/update-team",
    "/organization/remove-team",
    "/organization/list-teams",
    "/organization/set-active-team",
    "/organization/list-user-teams",
    "/organization/add-team-member",
    "/organization/remove-team-member",
    "/organization/list-team-members",
];

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    /// The signed-in user's session cookie and bearer token (renewed when an input ends
    /// the session).
    session: Mutex<(String, String)>,
    users: Mutex<usize>,
    _dir: tempfile::TempDir,
}

async fn send(router: &Router, request: Request<Body>) -> (u16, Vec<String>, Vec<u8>) {
    let response = router.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status().as_u16();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    (status, cookies, body)
}

fn json_post(path: &str, body: serde_json::Value) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("/api/auth{path}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::from(body.to_string()))
        .expect("request")
}

/// Signs in (or, if the fuzzer changed the password or deleted the user, signs up a new
/// user) and returns the session cookie and bearer token.
async fn fresh_session(router: &Router, users: &mut usize) -> (String, String) {
    let email = format!("fuzz-{users}@example.com");
    let mut answer = send(
        router,
        json_post(
            "/sign-in/email",
            serde_json::json!({"email": email, "password": PASSWORD}),
        ),
    )
    .await;
    if answer.0 != 200 {
        *users += 1;
        let email = format!("fuzz-{users}@example.com");
        answer = send(
            router,
            json_post(
                "/sign-up/email",
                serde_json::json!({"name": "Fuzz", "email": email, "password": PASSWORD}),
            ),
        )
        .await;
        assert_eq!(answer.0, 200, "sign-up of a fresh user");
    }
    let cookie = answer
        .1
        .iter()
        .find(|c| c.starts_with("better-auth.session_token="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let token = serde_json::from_slice::<serde_json::Value>(&answer.2).expect("JSON")["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (cookie, token)
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut config = Config::builder()
            .secret("keyward-fuzz-secret-0123456789abcdefghijklmnop")
            .base_url(ORIGIN.parse().expect("url"))
            .database_url(format!("sqlite://{}", dir.path().join("fuzz.db").display()))
            .rate_limit_enabled(false)
            .build()
            .expect("config");
        config.email.outbox = Some(dir.path().join("outbox.jsonl"));
        config.email.log_links = false;
        config.user.change_email.enabled = true;
        config.user.delete_user.enabled = true;
        config.two_factor = Some(Default::default());
        config.organization = Some(Default::default());
        config.passkey = Some(Default::default());
        let mut users = 0;
        let (router, session) = runtime.block_on(async {
            let auth = Auth::new(config).await.expect("server starts");
            let router = Router::new().merge(auth.router());
            let session = fresh_session(&router, &mut users).await;
            (router, session)
        });
        Harness {
            runtime,
            router,
            session: Mutex::new(session),
            users: Mutex::new(users),
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let [path, flags, rest @ ..] = data else {
        return;
    };
    let harness = harness();
    let path = PATHS[usize::from(*path) % PATHS.len()];
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.splitn(3, '\n');
    let (authorization, cookie, payload) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    let (session_cookie, token) = harness.session.lock().expect("lock").clone();
    let get = flags & 1 == 1;
    let uri = if get && !payload.is_empty() {
        format!("/api/auth{path}?{payload}")
    } else {
        format!("/api/auth{path}")
    };
    let mut request = Request::builder()
        .method(if get { Method::GET } else { Method::POST })
        .uri(uri);
    let mut cookies = Vec::new();
    if flags & 2 != 0 {
        cookies.push(session_cookie);
    }
    if flags & 4 != 0 && !cookie.is_empty() {
        cookies.push(cookie.to_owned());
    }
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies.join("; "));
    }
    match (flags >> 3) & 3 {
        0 => request = request.header(header::ORIGIN, ORIGIN),
        1 => request = request.header(header::ORIGIN, "https://evil.example"),
        2 => request = request.header(header::ORIGIN, "null"),
        _ => {}
    }
    if flags & 32 != 0 {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    } else if !authorization.is_empty() {
        request = request.header(header::AUTHORIZATION, authorization);
    }
    if flags & 64 != 0 {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = if get {
        Body::empty()
    } else {
        Body::from(payload.to_owned())
    };
    // Header values or URIs the HTTP layer itself would refuse never reach the server.
    let Ok(request) = request.body(body) else {
        return;
    };
    harness.runtime.block_on(async {
        let (status, _, body) = send(&harness.router, request).await;
        assert!(
            status < 500,
            "{path}: {status} {}",
            String::from_utf8_lossy(&body).chars().take(300).collect::<String>()
        );
        // An input that ended the session (sign-out, revocation, deletion, a new
        // password) leaves the next input a fresh one.
        let (cookie, _) = harness.session.lock().expect("lock").clone();
        let check = Request::builder()
            .uri("/api/auth/get-session")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request");
        if send(&harness.router, check).await.2 == b"null" {
            let mut users = *harness.users.lock().expect("lock");
            let session = fresh_session(&harness.router, &mut users).await;
            *harness.users.lock().expect("lock") = users;
            *harness.session.lock().expect("lock") = session;
        }
    });
});
