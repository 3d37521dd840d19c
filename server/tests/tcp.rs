//! The server over real TCP sockets: peer addresses, concurrency, body limits.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Backend, ORIGIN, SECRET, fresh_database};
use keyward_server::{Auth, Config};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Running {
    base: String,
    address: SocketAddr,
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
    let limits = auth.config().connection_limits.clone();
    tokio::spawn(async move {
        keyward_server::serve(listener, app, &limits, std::future::pending())
            .await
            .expect("serves");
    });
    Running {
        base: format!("http://{address}/api/auth"),
        address,
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

/// Reads from a raw connection until the server closes it, and returns what it sent.
/// (The 60 s bound only keeps a broken server from hanging the test.)
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        let mut buffer = [0u8; 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the slow connection open");
    String::from_utf8_lossy(&received).into_owned()
}

/// A client that sends half its headers, or declares a body and sends one byte of it
/// (slowloris), is cut off, while other clients are served meanwhile.
#[tokio::test]
async fn slow_clients_are_cut_off_while_others_are_served() {
    use tokio::io::AsyncWriteExt;
    let server = start(Backend::Sqlite, |config| {
        config.connection_limits.header_read_timeout = Duration::from_secs(1);
        config.connection_limits.body_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut half_headers = tokio::net::TcpStream::connect(server.address).await.expect("connects");
    half_headers
        .write_all(b"GET /api/auth/ok HTTP/1.1\r\nhost: localhost\r\nx-slow: ")
        .await
        .expect("writes");
    let mut short_body = tokio::net::TcpStream::connect(server.address).await.expect("connects");
    short_body
        .write_all(
            b"POST /api/auth/sign-in/email HTTP/1.1\r\nhost: localhost\r\n\
              content-type: application/json\r\ncontent-length: 100\r\n\r\n{",
        )
        .await
        .expect("writes");

    // A new connection per request: an idle one is closed by the same header deadline.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    for _ in 0..3 {
        let ok = http.get(format!("{}/ok", server.base)).send().await.expect("served");
        assert_eq!(ok.status(), StatusCode::OK);
    }

    let cut = read_until_closed(&mut half_headers).await;
    assert!(cut.is_empty() || cut.starts_with("HTTP/1.1 408"), "{cut:?}");
    let answered = read_until_closed(&mut short_body).await;
    assert!(answered.starts_with("HTTP/1.1 408"), "{answered:?}");
    assert!(answered.contains("REQUEST_TIMEOUT"), "{answered:?}");
    let ok = http.get(format!("{}/ok", server.base)).send().await.expect("served");
    assert_eq!(ok.status(), StatusCode::OK);
}

/// With every connection slot taken, a new client waits in the listen queue and is
/// served as soon as a slot frees.
#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    use tokio::io::AsyncWriteExt;
    let server = start(Backend::Sqlite, |config| {
        config.connection_limits.max_connections = 2;
        config.connection_limits.header_read_timeout = Duration::from_secs(600);
    })
    .await;
    let http = client();
    // Two connections the server has accepted (each answered once, then kept alive idle).
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(server.address).await.expect("connects");
        stream
            .write_all(b"GET /api/auth/ok HTTP/1.1\r\nhost: localhost\r\n\r\n")
            .await
            .expect("writes");
        let mut reply = [0u8; 12];
        tokio::io::AsyncReadExt::read_exact(&mut stream, &mut reply)
            .await
            .expect("answered");
        assert_eq!(&reply, b"HTTP/1.1 200");
        held.push(stream);
    }
    let base = server.base.clone();
    let waiting = tokio::spawn(async move { http.get(format!("{base}/ok")).send().await.map(|r| r.status()) });
    // Not served while both slots are held: the cap, not timing, decides this.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "a third connection was served beyond the cap of two"
    );
    drop(held.pop());
    let status = waiting.await.expect("joins").expect("served once a slot is free");
    assert_eq!(status, StatusCode::OK);
}
