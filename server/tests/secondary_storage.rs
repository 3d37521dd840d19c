//! Secondary storage on the real Redis (127.0.0.1:6379, or `KEYWARD_TEST_REDIS`): its
//! semantics, and rate-limit counters shared by two server instances under better-auth's
//! keys. Every test uses its own key prefix and removes its keys.

use crate::common;

use common::{Backend, Client, TestApp, redis_prefix, redis_url};
use keyward_server::secondary_storage::{RedisStorage, SecondaryStorage, StorageError};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A prefix of this test's own, and a raw connection to look at (and clean up) its keys.
struct Keys {
    prefix: String,
    raw: redis::aio::MultiplexedConnection,
}

impl Keys {
    async fn new() -> Self {
        let prefix = redis_prefix("test");
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
    // The seconds left of the 10 s window that began with the first attempt.
    let retry_after: u64 = limited
        .header("x-retry-after")
        .expect("x-retry-after")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&retry_after), "{retry_after}");
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

/// A server whose sessions live in Redis under `prefix`, changed by `configure`.
async fn storage_instance(
    backend: Backend,
    prefix: &str,
    configure: impl FnOnce(&mut keyward_server::Config),
) -> TestApp {
    let prefix = prefix.to_owned();
    TestApp::with(backend, move |config| {
        config.secondary_storage.redis_url = Some(redis_url());
        config.secondary_storage.key_prefix = prefix;
        configure(config);
    })
    .await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Client {
    let response = app
        .post("/sign-in/email")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let mut client = Client::default();
    client.store(&response);
    client
}

/// The user of the client's session on `app` (`null` when it has none).
async fn session_of(app: &TestApp, client: &Client) -> Value {
    let response = app.get("/get-session").cookies(client).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

fn parse(raw: Option<String>) -> Value {
    serde_json::from_str(&raw.expect("the key exists")).expect("JSON")
}

#[tokio::test]
async fn sessions_live_in_redis_alone_under_better_auths_keys() {
    let mut keys = Keys::new().await;
    let app = storage_instance(Backend::Sqlite, &keys.prefix, |_| {}).await;
    let alice = app.sign_up("Alice", "alice@example.com", "password-123").await;
    let token = alice.session_token();
    assert_eq!(app.count("session").await, 0, "no row without storeSessionInDatabase");

    let cached = parse(keys.raw_get(&token).await);
    assert_eq!(cached["session"]["token"], token.as_str());
    assert_eq!(cached["user"]["email"], "alice@example.com");
    let user_id = cached["user"]["id"].as_str().expect("user id").to_owned();
    assert!(
        (604_790..=604_800).contains(&keys.ttl(&token).await),
        "lives as long as the session"
    );
    let listed = parse(keys.raw_get(&format!("active-sessions-{user_id}")).await);
    assert_eq!(listed[0]["token"], token.as_str());
    assert!(listed[0]["expiresAt"].as_i64().expect("epoch ms") > 1_700_000_000_000);

    assert_eq!(session_of(&app, &alice).await["user"]["email"], "alice@example.com");
    let renamed = app
        .post("/update-user")
        .cookies(&alice)
        .json(&json!({"name": "Alice B"}))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    assert_eq!(
        parse(keys.raw_get(&token).await)["user"]["name"],
        "Alice B",
        "update-user rewrites the user kept with the session"
    );

    let phone = sign_in(&app, "alice@example.com", "password-123").await;
    let listed = app.get("/list-sessions").cookies(&phone).send().await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    let others = app
        .post("/revoke-other-sessions")
        .cookies(&phone)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(others.status, StatusCode::OK, "{}", others.text());
    assert_eq!(keys.raw_get(&token).await, None, "the other session's key is gone");
    assert_eq!(session_of(&app, &alice).await, Value::Null);
    assert_eq!(session_of(&app, &phone).await["user"]["name"], "Alice B");

    let out = app.post("/sign-out").cookies(&phone).json(&json!({})).send().await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(keys.raw_get(&phone.session_token()).await, None);
    // As in better-auth, revoke-other-sessions deletes keys without pruning the list;
    // sign-out prunes its own entry, and lookups skip entries whose key is gone.
    let listed = keys
        .raw_get(&format!("active-sessions-{user_id}"))
        .await
        .unwrap_or_default();
    assert!(!listed.contains(&phone.session_token()), "{listed}");
    assert_eq!(session_of(&app, &phone).await, Value::Null);
    keys.clean().await;
}

#[tokio::test]
async fn revoking_every_session_marks_the_user_so_no_stale_copy_survives() {
    let mut keys = Keys::new().await;
    let app = storage_instance(Backend::Sqlite, &keys.prefix, |_| {}).await;
    let laptop = app.sign_up("Bob", "bob@example.com", "password-123").await;
    let phone = sign_in(&app, "bob@example.com", "password-123").await;
    let stale = keys.raw_get(&laptop.session_token()).await.expect("cached");
    let user_id = parse(Some(stale.clone()))["user"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let revoked = app
        .post("/revoke-sessions")
        .cookies(&phone)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    assert_eq!(keys.raw_get(&laptop.session_token()).await, None);
    assert_eq!(keys.raw_get(&phone.session_token()).await, None);
    let marker = keys
        .raw_get(&format!("revoked-sessions-before-{user_id}"))
        .await
        .expect("marker");
    assert!(marker.parse::<i64>().expect("epoch ms") > 1_700_000_000_000);
    assert!(keys.ttl(&format!("revoked-sessions-before-{user_id}")).await >= 604_790);

    // A copy written back by a slower instance after the revocation stays refused.
    let _: () = redis::cmd("SET")
        .arg(format!("{}{}", keys.prefix, laptop.session_token()))
        .arg(&stale)
        .arg("EX")
        .arg(600)
        .query_async(&mut keys.raw)
        .await
        .expect("set");
    assert_eq!(session_of(&app, &laptop).await, Value::Null);

    let again = sign_in(&app, "bob@example.com", "password-123").await;
    assert_eq!(
        session_of(&app, &again).await["user"]["email"],
        "bob@example.com",
        "a session made after the revocation is valid"
    );
    keys.clean().await;
}

#[tokio::test]
async fn sessions_in_both_places_fall_back_to_the_row_and_preserved_rows_end() {
    let mut keys = Keys::new().await;
    let app = storage_instance(Backend::Sqlite, &keys.prefix, |config| {
        config.session.store_session_in_database = true;
    })
    .await;
    let carol = app.sign_up("Carol", "carol@example.com", "password-123").await;
    let token = carol.session_token();
    assert_eq!(app.count("session").await, 1, "written to the database too");
    assert!(keys.raw_get(&token).await.is_some());
    let _: () = redis::cmd("DEL")
        .arg(format!("{}{token}", keys.prefix))
        .query_async(&mut keys.raw)
        .await
        .expect("del");
    assert_eq!(
        session_of(&app, &carol).await["user"]["email"],
        "carol@example.com",
        "a session missing from storage is read from its row"
    );
    let out = app.post("/sign-out").cookies(&carol).json(&json!({})).send().await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(app.count("session").await, 0);

    let preserving = app
        .beside(|config| config.session.preserve_session_in_database = true)
        .await;
    let dave = preserving.sign_up("Dave", "dave@example.com", "password-123").await;
    let out = preserving
        .post("/sign-out")
        .cookies(&dave)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(out.status, StatusCode::OK);
    let rows = preserving
        .sql_rows(
            "select \"expiresAt\" from \"session\" where \"token\" = $1",
            keyward_server::args![dave.session_token()],
        )
        .await;
    assert_eq!(rows.len(), 1, "the ended session's row is kept");
    let ended = rows[0].time("expiresAt").expect("time");
    assert!(ended <= keyward_server::wire::time::now_millis(), "ended now");
    assert_eq!(session_of(&preserving, &dave).await, Value::Null);
    keys.clean().await;
}

#[tokio::test]
async fn instances_on_one_postgres_and_redis_see_each_others_changes_at_once() {
    let keys = Keys::new().await;
    let first = storage_instance(Backend::Postgres, &keys.prefix, |config| {
        config.organization = Some(Default::default());
    })
    .await;
    let second = first.beside(|_| {}).await;
    let third = first.beside(|_| {}).await;

    let erin = first.sign_up("Erin", "erin@example.com", "password-123").await;
    for app in [&second, &third] {
        assert_eq!(session_of(app, &erin).await["user"]["email"], "erin@example.com");
    }
    let renamed = second
        .post("/update-user")
        .cookies(&erin)
        .json(&json!({"name": "Erin E"}))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!(session_of(&third, &erin).await["user"]["name"], "Erin E");

    let created = first
        .post("/organization/create")
        .cookies(&erin)
        .json(&json!({"name": "Acme", "slug": "acme"}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    let organization = created.json()["id"].as_str().expect("id").to_owned();
    let active = second
        .post("/organization/set-active")
        .cookies(&erin)
        .json(&json!({"organizationId": organization}))
        .send()
        .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.text());
    assert_eq!(
        session_of(&third, &erin).await["session"]["activeOrganizationId"],
        organization.as_str()
    );
    let full = third
        .get("/organization/get-full-organization")
        .cookies(&erin)
        .send()
        .await;
    assert_eq!(full.json()["slug"], "acme", "{}", full.text());

    let tablet = sign_in(&third, "erin@example.com", "password-123").await;
    let changed = first
        .post("/change-password")
        .cookies(&erin)
        .json(&json!({"currentPassword": "password-123", "newPassword": "password-456", "revokeOtherSessions": true}))
        .send()
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    let mut erin = erin;
    erin.store(&changed);
    for app in [&first, &second, &third] {
        assert_eq!(session_of(app, &tablet).await, Value::Null, "revoked everywhere");
        assert_eq!(
            session_of(app, &erin).await["user"]["name"],
            "Erin E",
            "the new session works everywhere"
        );
    }
    let out = third.post("/sign-out").cookies(&erin).json(&json!({})).send().await;
    assert_eq!(out.status, StatusCode::OK);
    for app in [&first, &second] {
        assert_eq!(session_of(app, &erin).await, Value::Null, "signed out everywhere");
    }
    keys.clean().await;
}

#[tokio::test]
async fn deleting_a_user_ends_their_sessions_in_storage() {
    let mut keys = Keys::new().await;
    let app = storage_instance(Backend::Sqlite, &keys.prefix, |_| {}).await;
    let frank = app.sign_up("Frank", "frank@example.com", "password-123").await;
    let deleted = app
        .post("/delete-user")
        .cookies(&frank)
        .json(&json!({"password": "password-123"}))
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text());
    assert_eq!(keys.raw_get(&frank.session_token()).await, None);
    assert_eq!(session_of(&app, &frank).await, Value::Null);
    keys.clean().await;
}

#[tokio::test]
async fn a_storage_outage_answers_503_with_a_code() {
    let keys = Keys::new().await;
    let app = storage_instance(Backend::Sqlite, &keys.prefix, |_| {}).await;
    let grace = app.sign_up("Grace", "grace@example.com", "password-123").await;
    // An instance whose storage fails every call, as a Redis that went away does.
    let failing = TestApp::with_builder(
        Backend::Sqlite,
        |_| {},
        |builder| builder.secondary_storage(Unreachable),
    )
    .await;
    let response = failing
        .post("/sign-up/email")
        .json(&json!({"name": "Heidi", "email": "heidi@example.com", "password": "password-123"}))
        .send()
        .await;
    response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SECONDARY_STORAGE_UNAVAILABLE");
    assert!(!response.message().is_empty());
    let lookup = failing.get("/get-session").cookies(&grace).send().await;
    lookup.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SECONDARY_STORAGE_UNAVAILABLE");
    keys.clean().await;
}

/// A secondary storage that is down.
struct Unreachable;

#[async_trait::async_trait]
impl SecondaryStorage for Unreachable {
    async fn get(&self, _: &str) -> Result<Option<String>, StorageError> {
        Err(StorageError("connection refused".into()))
    }
    async fn set(&self, _: &str, _: String, _: Option<u64>) -> Result<(), StorageError> {
        Err(StorageError("connection refused".into()))
    }
    async fn delete(&self, _: &str) -> Result<(), StorageError> {
        Err(StorageError("connection refused".into()))
    }
    async fn get_and_delete(&self, _: &str) -> Result<Option<String>, StorageError> {
        Err(StorageError("connection refused".into()))
    }
    async fn increment(&self, _: &str, _: u64) -> Result<i64, StorageError> {
        Err(StorageError("connection refused".into()))
    }
}

#[tokio::test]
async fn verification_values_live_in_redis_and_are_taken_once_across_instances() {
    let mut keys = Keys::new().await;
    let first = storage_instance(Backend::Postgres, &keys.prefix, |_| {}).await;
    let second = first.beside(|_| {}).await;
    first.sign_up("Ivan", "ivan@example.com", "password-123").await;
    let requested = first
        .post("/request-password-reset")
        .json(&json!({"email": "ivan@example.com", "redirectTo": "/reset"}))
        .send()
        .await;
    assert_eq!(requested.status, StatusCode::OK);
    let token = first.wait_for_email("reset-password", "ivan@example.com").await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(first.count("verification").await, 0, "no row without storeInDatabase");
    let identifier = format!("verification:reset-password:{token}");
    let stored = parse(keys.raw_get(&identifier).await);
    assert_eq!(stored["identifier"], format!("reset-password:{token}"));
    assert!(
        stored["value"].is_string() && stored["expiresAt"].is_string(),
        "{stored}"
    );
    assert!(
        (3590..=3600).contains(&keys.ttl(&identifier).await),
        "expires with the token"
    );

    let link = second
        .get(&format!("/reset-password/{token}?callbackURL=%2Freset"))
        .send()
        .await;
    assert_eq!(
        link.header("location"),
        Some(format!("http://localhost:3000/reset?token={token}")),
        "the other instance knows the token"
    );
    // Both instances try the token at once: exactly one wins.
    let body = |password: &str| json!({"newPassword": password, "token": token});
    let (a, b) = tokio::join!(
        first.post("/reset-password").json(&body("password-aaa")).send(),
        second.post("/reset-password").json(&body("password-bbb")).send()
    );
    let statuses = [a.status, b.status];
    assert_eq!(
        statuses.iter().filter(|status| **status == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(keys.raw_get(&identifier).await, None, "taken and gone");
    let winner = if a.status == StatusCode::OK {
        "password-aaa"
    } else {
        "password-bbb"
    };
    let signed_in = second
        .post("/sign-in/email")
        .json(&json!({"email": "ivan@example.com", "password": winner}))
        .send()
        .await;
    assert_eq!(signed_in.status, StatusCode::OK);
    keys.clean().await;
}
