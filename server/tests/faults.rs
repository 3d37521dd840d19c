//! Restarts of PostgreSQL and Redis, played by a proxy that cuts every connection and
//! refuses new ones, then listens again: requests fail fast with `503` and a code while
//! the service is away, and the server recovers by itself when it is back.

use crate::common;

use std::time::Duration;

use common::proxy::Proxy;
use common::{Backend, Client, TestApp, TestResponse};
use reqwest::StatusCode;
use serde_json::json;

/// No request may hang while a service is away; this bounds the wait.
const BOUND: Duration = Duration::from_secs(20);

fn host_port(url: &str) -> String {
    let url = url::Url::parse(url).expect("url");
    format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port_or_known_default().expect("port")
    )
}

async fn bounded(request: impl std::future::Future<Output = TestResponse>) -> TestResponse {
    tokio::time::timeout(BOUND, request)
        .await
        .expect("answered while the service was away, not left hanging")
}

/// A server on PostgreSQL reached through a proxy the test can cut.
async fn behind_a_proxy_to_postgres() -> (Proxy, TestApp) {
    let target = host_port(&common::postgres_base());
    let proxy = Proxy::start(&target).await;
    let app = TestApp::with(Backend::Postgres, |config| {
        config.database_url = config.database_url.replacen(&target, &proxy.address.to_string(), 1);
    })
    .await;
    (proxy, app)
}

/// A server on SQLite whose sessions live in Redis, reached through a proxy the test can
/// cut.
async fn behind_a_proxy_to_redis() -> (Proxy, TestApp) {
    let redis = common::redis_url();
    let target = host_port(&redis);
    let proxy = Proxy::start(&target).await;
    let prefix = common::redis_prefix("faults");
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.secondary_storage.redis_url = Some(redis.replacen(&target, &proxy.address.to_string(), 1));
        config.secondary_storage.key_prefix = prefix;
    })
    .await;
    (proxy, app)
}

async fn session_status(app: &TestApp, client: &Client) -> TestResponse {
    bounded(app.get("/get-session").cookies(client).send()).await
}

#[tokio::test]
async fn a_postgres_restart_answers_503_then_recovers_without_a_restart() {
    let (proxy, app) = behind_a_proxy_to_postgres().await;
    let ada = app.sign_up("Ada", "ada@example.com", "password-123").await;

    proxy.cut().await;
    for _ in 0..3 {
        session_status(&app, &ada)
            .await
            .assert_error(StatusCode::SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE");
    }
    let sign_up = bounded(
        app.post("/sign-up/email")
            .json(&json!({"name": "Bea", "email": "bea@example.com", "password": "password-123"}))
            .send(),
    )
    .await;
    sign_up.assert_error(StatusCode::SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE");
    assert!(!sign_up.message().is_empty());

    proxy.restore().await;
    let back = session_status(&app, &ada).await;
    assert_eq!(
        back.status,
        StatusCode::OK,
        "the first request after the restart: {}",
        back.text()
    );
    assert_eq!(back.json()["user"]["email"], "ada@example.com");
    app.sign_up("Bea", "bea@example.com", "password-123").await;
    assert_eq!(app.count("user").await, 2, "the refused sign-up left nothing behind");
}

#[tokio::test]
async fn a_redis_restart_answers_503_then_recovers_without_a_restart() {
    let (proxy, app) = behind_a_proxy_to_redis().await;
    let ada = app.sign_up("Ada", "ada@example.com", "password-123").await;

    proxy.cut().await;
    for _ in 0..3 {
        session_status(&app, &ada)
            .await
            .assert_error(StatusCode::SERVICE_UNAVAILABLE, "SECONDARY_STORAGE_UNAVAILABLE");
    }

    proxy.restore().await;
    // The Redis client reconnects in the background; give it a few tries.
    let mut back = session_status(&app, &ada).await;
    for _ in 0..50 {
        if back.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        back = session_status(&app, &ada).await;
    }
    assert_eq!(back.status, StatusCode::OK, "{}", back.text());
    assert_eq!(
        back.json()["user"]["email"],
        "ada@example.com",
        "the session outlived the outage"
    );
    let out = bounded(app.post("/sign-out").cookies(&ada).json(&json!({})).send()).await;
    assert_eq!(out.status, StatusCode::OK);
}

/// Eight clients read their session in a loop while the service is cut and restored:
/// every answer is the session or a coded 503 (never a 500, a lost session or a hang), both
/// kinds are seen, and reads succeed again afterwards. Each phase ends on a count of
/// answers, not after a fixed time.
async fn under_load(app: &TestApp, proxy: &Proxy, code: &str) {
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    let mut clients = Vec::new();
    for i in 0..8 {
        clients.push(
            app.sign_up("Load", &format!("load{i}@example.com"), "password-123")
                .await,
        );
    }
    let stop = AtomicBool::new(false);
    let (served, refused) = (AtomicU32::new(0), AtomicU32::new(0));
    let counts = Counts {
        served: &served,
        refused: &refused,
    };
    let outage = async {
        until(|| served.load(Ordering::Relaxed) >= 16, "reads before the outage").await;
        proxy.cut().await;
        until(|| refused.load(Ordering::Relaxed) >= 8, "refusals during the outage").await;
        let before = served.load(Ordering::Relaxed);
        proxy.restore().await;
        until(
            || served.load(Ordering::Relaxed) >= before + 16,
            "reads after the outage",
        )
        .await;
        stop.store(true, Ordering::Relaxed);
    };
    let readers = futures_join_all(
        clients
            .iter()
            .enumerate()
            .map(|(i, client)| read_until(app, client, format!("load{i}@example.com"), code, &stop, counts)),
    );
    tokio::join!(readers, outage);
    let (served, refused) = (served.into_inner(), refused.into_inner());
    println!("{code}: {served} served, {refused} refused during the outage");
    for (i, client) in clients.iter().enumerate() {
        let mut back = session_status(app, client).await;
        for _ in 0..50 {
            if back.status == StatusCode::OK {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            back = session_status(app, client).await;
        }
        assert_eq!(back.json()["user"]["email"], format!("load{i}@example.com"));
    }
}

/// The readers' tallies: sessions served, and coded refusals.
#[derive(Clone, Copy)]
struct Counts<'a> {
    served: &'a std::sync::atomic::AtomicU32,
    refused: &'a std::sync::atomic::AtomicU32,
}

/// Waits until `done` holds, checking between the readers' requests; fails after 60 s
/// (a hang, not a slow machine).
async fn until(done: impl Fn() -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "waited 60 s for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn read_until(
    app: &TestApp,
    client: &Client,
    email: String,
    code: &str,
    stop: &std::sync::atomic::AtomicBool,
    counts: Counts<'_>,
) {
    use std::sync::atomic::Ordering;
    while !stop.load(Ordering::Relaxed) {
        let response = session_status(app, client).await;
        match response.status {
            StatusCode::OK => {
                assert_eq!(response.json()["user"]["email"], email.as_str(), "the session holds");
                counts.served.fetch_add(1, Ordering::Relaxed);
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(response.code().as_deref(), Some(code));
                counts.refused.fetch_add(1, Ordering::Relaxed);
            }
            other => panic!("{other}: {}", response.text()),
        }
        tokio::task::yield_now().await;
    }
}

/// Polls every future to the end on this task (no `Send` needed), in order of the input.
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[tokio::test]
async fn a_postgres_restart_under_load_answers_only_sessions_or_coded_503s() {
    let (proxy, app) = behind_a_proxy_to_postgres().await;
    under_load(&app, &proxy, "DATABASE_UNAVAILABLE").await;
}

#[tokio::test]
async fn a_redis_restart_under_load_answers_only_sessions_or_coded_503s() {
    let (proxy, app) = behind_a_proxy_to_redis().await;
    under_load(&app, &proxy, "SECONDARY_STORAGE_UNAVAILABLE").await;
}
