//! One database, both servers running: API keys either server made work at the other,
//! with the same owner, name and counters; the rate limit, uses and refill, expiry,
//! changes and deletion are shared, whichever server sees the request; on SQLite and
//! PostgreSQL, each server first.

use keyward_client::wire::{CreateApiKeyRequest, UpdateApiKeyRequest};
use keyward_server::db::{Db, Exec};
use keyward_tests::compat::{flows, on_same_database};
use keyward_tests::{ApiKeyOptions, BetterAuthServer, Database, Peer, TestServer};
use serde_json::json;

const PASSWORD: &str = "correct-horse-battery";

/// Moves `column` of every key `seconds` into the past (a window, a refill interval or
/// a lifetime that has run out).
async fn backdate(db: &mut Db, column: &str, seconds: i64) {
    let sql = format!(r#"update "apikey" set "{column}" = $1"#);
    let past = chrono::Utc::now() - chrono::Duration::seconds(seconds);
    db.execute(&sql, keyward_server::args![past]).await.expect("updates");
}

/// Ada's keys made at `first` work at `second`, and what either server changes or counts
/// holds at the other.
async fn keys_cross(first: &Peer, second: &Peer, db: &mut Db) {
    let at_first = first.client();
    let ada = at_first
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    let created = at_first
        .api_keys()
        .create(CreateApiKeyRequest::named("deploy").expires_in_days(7))
        .await
        .expect("created");
    let key = created.key.expose();

    // The key is a session of Ada at the other server, counted on the shared row.
    let (status, session) = second.key_session(key).await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["user"]["id"], ada.user.id.as_str());
    assert_eq!(session["session"]["id"], created.api_key.id.as_str());
    let read = at_first.api_keys().get(&created.api_key.id).await.expect("read");
    assert_eq!(read.request_count, 1);

    // The rate limit (three per window) counts requests at both servers.
    assert_eq!(first.key_session(key).await.0, 200);
    assert_eq!(second.key_session(key).await.0, 200);
    let (status, limited) = first.key_session(key).await;
    assert_eq!(
        (status, limited["code"].as_str()),
        (429, Some("RATE_LIMITED")),
        "{limited}"
    );
    backdate(db, "lastRequest", 120).await;
    assert_eq!(second.key_session(key).await.0, 200, "a new window");

    // A change at the other server shows at the first.
    let at_second = second.client();
    at_second
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in");
    at_second
        .api_keys()
        .update(UpdateApiKeyRequest::key(&created.api_key.id).name("deploy-2"))
        .await
        .expect("renamed");
    let renamed = at_first.api_keys().get(&created.api_key.id).await.expect("read");
    assert_eq!(renamed.name.as_deref(), Some("deploy-2"));

    // Uses and their refill, set by the first server itself, spent at both.
    let body = json!({"userId": ada.user.id, "remaining": 2, "refillAmount": 2, "refillInterval": 60_000, "rateLimitEnabled": false});
    let (status, limited) = first.api_key_server_call("create", body).await;
    assert_eq!(status, 200, "{limited}");
    let limited_key = limited["key"].as_str().expect("key");
    assert_eq!(second.key_session(limited_key).await.0, 200);
    assert_eq!(first.key_session(limited_key).await.0, 200);
    let (status, spent) = second.key_session(limited_key).await;
    assert_eq!((status, spent["code"].as_str()), (429, Some("USAGE_EXCEEDED")));
    backdate(db, "createdAt", 61).await;
    assert_eq!(second.key_session(limited_key).await.0, 200, "refilled");
    let (_, verified) = first.api_key_server_call("verify", json!({"key": limited_key})).await;
    assert_eq!(verified["key"]["remaining"], 0, "{verified}");

    // An expired key is refused at the other server, which deletes it.
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    let sql = r#"update "apikey" set "expiresAt" = $1 where "id" = $2"#;
    db.execute(sql, keyward_server::args![past, created.api_key.id.as_str()])
        .await
        .expect("updates");
    let (status, expired) = second.key_session(key).await;
    assert_eq!((status, expired["code"].as_str()), (401, Some("KEY_EXPIRED")));
    let left = at_first.api_keys().list().send().await.expect("listed");
    let ids: Vec<&str> = left.api_keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, [limited["id"].as_str().expect("id")], "the expired key is gone");
}

async fn both_running(database: Database, better_auth_first: bool) {
    let _records = on_same_database(database, &[flows::API_KEY]);
    let options = ApiKeyOptions {
        sessions: true,
        rate_limit_max: Some(3),
        rate_limit_window_ms: Some(60_000),
        ..ApiKeyOptions::default()
    };
    let env = options.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let better_auth = BetterAuthServer::start_on(database, &["api-key"], &env).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, |config| config.api_key = Some(options.keyward())).await;
    let mut db = Db::connect(&url).await.expect("connects");
    let (better_auth, keyward) = (Peer::BetterAuth(better_auth), Peer::Keyward(keyward));
    if better_auth_first {
        keys_cross(&better_auth, &keyward, &mut db).await;
    } else {
        keys_cross(&keyward, &better_auth, &mut db).await;
    }
}

#[tokio::test]
async fn better_auths_keys_work_at_keyward_on_sqlite() {
    both_running(Database::Sqlite, true).await;
}

#[tokio::test]
async fn keywards_keys_work_at_better_auth_on_sqlite() {
    both_running(Database::Sqlite, false).await;
}

#[tokio::test]
async fn better_auths_keys_work_at_keyward_on_postgres() {
    both_running(Database::Postgres, true).await;
}

#[tokio::test]
async fn keywards_keys_work_at_better_auth_on_postgres() {
    both_running(Database::Postgres, false).await;
}
