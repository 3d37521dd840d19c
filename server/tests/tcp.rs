//! The server over real TCP sockets: peer addresses, concurrency, body limits.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Backend, ORIGIN, SECRET, fresh_database};
use keyward_server::{Auth, Config};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Running {
    base: String,
    auth: Auth,
    _dir: tempfile::TempDir,
    _schema: Option<common::SchemaGuard>,
}

async fn start(backend: Backend, configure: impl FnOnce(&mut Config)) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, schema) = fresh_database(backend, dir.path()).await;
    let mut config = Config::builder()
        .secret(SECRET)
        .base_url(ORIGIN.parse().expect("url"))
        .database_url(url)
        .rate_limit_enabled(false)
        .build()
        .expect("config");
    config.email.log_links = false;
    configure(&mut config);
    let auth = Auth::new(config).await.expect("starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("address");
    let app = axum::Router::new().merge(auth.router());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .expect("serves");
    });
    Running {
        base: format!("http://{address}/api/auth"),
        auth,
        _dir: dir,
        _schema: schema,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

async fn sign_up(http: &reqwest::Client, base: &str, email: &str) -> reqwest::Response {
    http.post(format!("{base}/sign-up/email"))
        .json(&json!({"name": "T", "email": email, "password": "password123"}))
        .send()
        .await
        .expect("request")
}

/// As better-auth: a session records the address a trusted header names, and `""`
/// without one.
#[tokio::test]
async fn sessions_record_the_forwarded_address_or_nothing() {
    sessions_record(false, "").await;
}

/// `session_ip_from_peer`: the TCP peer's address instead of `""`.
#[tokio::test]
async fn sessions_record_the_peer_when_asked() {
    sessions_record(true, "127.0.0.1").await;
}

async fn sessions_record(from_peer: bool, without_header: &str) {
    let server = start(Backend::Sqlite, |config| {
        config.advanced.session_ip_from_peer = from_peer
    })
    .await;
    let http = client();
    let response = http
        .post(format!("{}/sign-up/email", server.base))
        .header("user-agent", "keyward-tests/1")
        .json(&json!({"name": "T", "email": "t@b.co", "password": "password123"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let token = response.headers()["set-auth-token"].to_str().expect("ascii").to_owned();
    let session: Value = http
        .get(format!("{}/get-session", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(session["session"]["ipAddress"], without_header);
    assert_eq!(session["session"]["userAgent"], "keyward-tests/1");

    let forwarded = http
        .post(format!("{}/sign-in/email", server.base))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({"email": "t@b.co", "password": "password123"}))
        .send()
        .await
        .expect("request");
    let token = forwarded.headers()["set-auth-token"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let session: Value = http
        .get(format!("{}/get-session", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(session["session"]["ipAddress"], "203.0.113.9");
}

#[tokio::test]
async fn rate_limits_count_per_peer() {
    let server = start(Backend::Sqlite, |config| config.rate_limit.enabled = true).await;
    let http = client();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = http
            .post(format!("{}/sign-in/email", server.base))
            .json(&json!({"email": "x@b.co", "password": "password123"}))
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            // The seconds left of the 10 s window that began with the first attempt.
            let retry_after: u64 = response.headers()["x-retry-after"]
                .to_str()
                .expect("ascii")
                .parse()
                .expect("seconds");
            assert!((1..=10).contains(&retry_after), "{retry_after}");
        }
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
}

async fn concurrent_sign_ups(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let http = client();
    let distinct = (0..16).map(|i| {
        let (http, base) = (http.clone(), server.base.clone());
        tokio::spawn(async move { sign_up(&http, &base, &format!("user{i}@b.co")).await.status() })
    });
    for task in distinct {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
    let same = (0..8).map(|_| {
        let (http, base) = (http.clone(), server.base.clone());
        tokio::spawn(async move { sign_up(&http, &base, "same@b.co").await.status() })
    });
    let mut statuses = Vec::new();
    for task in same {
        statuses.push(task.await.expect("task"));
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::UNPROCESSABLE_ENTITY)
    );
    let user = server.auth.api().find_user_by_email("same@b.co").await.expect("query");
    assert!(user.is_some());
}

#[tokio::test]
async fn concurrent_sign_ups_on_sqlite() {
    concurrent_sign_ups(Backend::Sqlite).await;
}

#[tokio::test]
async fn concurrent_sign_ups_on_postgres() {
    concurrent_sign_ups(Backend::Postgres).await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_and_the_server_stays_up() {
    let server = start(Backend::Sqlite, |config| config.body_limit = 4096).await;
    let http = client();
    let response = http
        .post(format!("{}/sign-up/email", server.base))
        .header("content-type", "application/json")
        .body(vec![b' '; 64 * 1024])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(
        sign_up(&http, &server.base, "after@b.co").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn cors_for_trusted_origins_only() {
    let server = start(Backend::Sqlite, |config| {
        config.trusted_origins = vec!["http://127.0.0.1:8080".into()]
    })
    .await;
    let http = client();
    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{}/get-session", server.base))
        .header("origin", "http://127.0.0.1:8080")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .expect("request");
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8080"
    );
    assert_eq!(preflight.headers()["access-control-allow-credentials"], "true");
    let untrusted = http
        .request(reqwest::Method::OPTIONS, format!("{}/get-session", server.base))
        .header("origin", "https://evil.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("request");
    assert!(untrusted.headers().get("access-control-allow-origin").is_none());
    assert_eq!(untrusted.headers()["access-control-allow-methods"], "GET,POST");
    assert_eq!(untrusted.headers()["access-control-max-age"], "600");

    // Any OPTIONS is a preflight, also on a path that is no endpoint.
    let unknown = http
        .request(reqwest::Method::OPTIONS, format!("{}/no-such-endpoint", server.base))
        .header("origin", "http://127.0.0.1:8080")
        .send()
        .await
        .expect("request");
    assert_eq!(unknown.status(), StatusCode::OK);
    assert_eq!(
        unknown.headers()["access-control-allow-headers"],
        "content-type,authorization"
    );

    // Ordinary responses (success, error, unknown path) mirror a trusted origin only, and
    // always vary on it.
    for (path, status) in [("/ok", StatusCode::OK), ("/no-such-endpoint", StatusCode::NOT_FOUND)] {
        for (origin, mirrored) in [("http://127.0.0.1:8080", true), ("https://evil.com", false)] {
            let response = http
                .get(format!("{}{path}", server.base))
                .header("origin", origin)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), status);
            assert_eq!(response.headers()["vary"], "origin");
            assert_eq!(response.headers()["access-control-allow-credentials"], "true");
            assert_eq!(
                response
                    .headers()
                    .get("access-control-allow-origin")
                    .map(|v| v.to_str().expect("ascii")),
                mirrored.then_some(origin),
                "{path} from {origin}"
            );
        }
    }
    let signed_up = http
        .post(format!("{}/sign-up/email", server.base))
        .header("origin", "http://127.0.0.1:8080")
        .json(&serde_json::json!({"email": "cors@b.co", "password": "password-1234", "name": "C"}))
        .send()
        .await
        .expect("request");
    assert_eq!(signed_up.status(), StatusCode::OK);
    assert_eq!(
        signed_up.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8080"
    );
    assert_eq!(signed_up.headers()["access-control-expose-headers"], "set-auth-token");
    assert!(signed_up.headers().get("set-auth-token").is_some());
}

#[tokio::test]
async fn cors_off_adds_no_headers_and_leaves_options_to_the_router() {
    let server = start(Backend::Sqlite, |config| config.cors = false).await;
    let http = client();
    let response = http
        .get(format!("{}/ok", server.base))
        .header("origin", ORIGIN)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("vary").is_none());
    assert!(response.headers().get("access-control-allow-origin").is_none());
    let options = http
        .request(reqwest::Method::OPTIONS, format!("{}/get-session", server.base))
        .header("origin", ORIGIN)
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("request");
    assert_eq!(options.status(), StatusCode::NOT_FOUND);
}
