//! Secondary storage on the real Redis (127.0.0.1:6379, or `KEYWARD_TEST_REDIS`): its
//! semantics, and rate-limit counters shared by two server instances under better-auth's
//! keys. Every test uses its own key prefix and removes its keys.

mod common;

use common::{Backend, TestApp};
use keyward_server::secondary_storage::{RedisStorage, SecondaryStorage};
use reqwest::StatusCode;
use serde_json::json;

fn redis_url() -> String {
    std::env::var("KEYWARD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".to_owned())
}

/// A prefix of this test's own, and a raw connection to look at (and clean up) its keys.
struct Keys {
    prefix: String,
    raw: redis::aio::MultiplexedConnection,
}

impl Keys {
    async fn new() -> Self {
        let prefix = format!(
            "keyward-test-{}:",
            keyward_server::crypto::random_string(10, b"abcdefghijklmnopqrstuvwxyz0123456789")
        );
        let client = redis::Client::open(redis_url()).expect("redis url");
        let raw = client
            .get_multiplexed_async_connection()
            .await
            .expect("Redis is reachable");
        Self { prefix, raw }
    }

    async fn ttl(&mut self, key: &str) -> i64 {
        redis::cmd("TTL")
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut self.raw)
            .await
            .expect("ttl")
    }

    async fn raw_get(&mut self, key: &str) -> Option<String> {
        redis::cmd("GET")
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut self.raw)
            .await
            .expect("get")
    }

    async fn clean(mut self) {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.prefix))
            .query_async(&mut self.raw)
            .await
            .expect("keys");
        for key in keys {
            let _: () = redis::cmd("DEL")
                .arg(key)
                .query_async(&mut self.raw)
                .await
                .expect("del");
        }
    }
}

#[tokio::test]
async fn redis_storage_keeps_better_auths_semantics() {
    let mut keys = Keys::new().await;
    let storage = RedisStorage::connect(&redis_url(), &keys.prefix)
        .await
        .expect("connects");

    storage.set("token", "{\"a\":1}".into(), Some(60)).await.expect("sets");
    assert_eq!(storage.get("token").await.expect("gets").as_deref(), Some("{\"a\":1}"));
    assert_eq!(
        keys.raw_get("token").await.as_deref(),
        Some("{\"a\":1}"),
        "stored under the prefix"
    );
    assert!((1..=60).contains(&keys.ttl("token").await), "expires in whole seconds");

    storage.set("forever", "x".into(), None).await.expect("sets");
    assert_eq!(keys.ttl("forever").await, -1, "no expiry without a ttl");
    storage.set("gone", "x".into(), Some(0)).await.expect("sets");
    assert_eq!(
        storage.get("gone").await.expect("gets"),
        None,
        "a zero ttl leaves nothing"
    );

    assert_eq!(
        storage.get_and_delete("token").await.expect("takes").as_deref(),
        Some("{\"a\":1}")
    );
    assert_eq!(
        storage.get_and_delete("token").await.expect("takes"),
        None,
        "taken once"
    );
    storage.delete("forever").await.expect("deletes");
    assert_eq!(storage.get("forever").await.expect("gets"), None);

    assert_eq!(storage.increment("counter", 30).await.expect("counts"), 1);
    let first_ttl = keys.ttl("counter").await;
    assert!((1..=30).contains(&first_ttl));
    assert_eq!(storage.increment("counter", 300).await.expect("counts"), 2);
    assert!(
        keys.ttl("counter").await <= first_ttl,
        "later increments keep the window's expiry"
    );
    keys.clean().await;
}

#[tokio::test]
async fn an_unreachable_redis_is_a_clear_start_error() {
    let started = std::time::Instant::now();
    let error = RedisStorage::connect("redis://127.0.0.1:1/0", "")
        .await
        .expect_err("nothing listens there");
    assert!(error.to_string().contains("secondary storage unavailable"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "fails fast");
}

async fn instance(prefix: &str) -> TestApp {
    let prefix = prefix.to_owned();
    TestApp::with(Backend::Sqlite, move |config| {
        config.rate_limit.enabled = true;
        config.secondary_storage.redis_url = Some(redis_url());
        config.secondary_storage.key_prefix = prefix;
    })
    .await
}

#[tokio::test]
async fn two_instances_share_rate_limit_counters_under_better_auths_keys() {
    let mut keys = Keys::new().await;
    let (first, second) = (instance(&keys.prefix).await, instance(&keys.prefix).await);
    assert!(first.auth.secondary_storage().is_some());
    let body = json!({"email": "nobody@example.com", "password": "wrong-password-xx"});
    for app in [&first, &second, &first] {
        let response = app.post("/sign-in/email").json(&body).send().await;
        response.assert_error(StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD");
    }
    let limited = second.post("/sign-in/email").json(&body).send().await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the fourth try, on either instance"
    );
    assert_eq!(limited.header("x-retry-after").as_deref(), Some("10"));
    assert_eq!(
        keys.raw_get("127.0.0.1|/sign-in/email").await.as_deref(),
        Some("4"),
        "one counter per `<ip>|<path>`, as better-auth keeps it"
    );
    assert!((1..=10).contains(&keys.ttl("127.0.0.1|/sign-in/email").await));
    let other_path = first.get("/get-session").send().await;
    assert_eq!(other_path.status, StatusCode::OK);
    keys.clean().await;
}
