//! better-auth and Keyward side by side on one PostgreSQL database and one Redis, as a
//! deployment that moves from one to the other runs while both serve: a session created
//! by either is valid on both, and a change made on one (a new name, a sign-out, a
//! revocation of every session) holds on the other at once.

use keyward_client::AuthClient;
use keyward_server::Config;
use keyward_server::db::Exec;
use keyward_tests::better_auth::BetterAuthServer;
use keyward_tests::{Database, SharedStore, TestServer, unique, wait_for_email};
use url::Url;

const PASSWORD: &str = "correct-horse-battery";

/// The Redis the tests share (`KEYWARD_TEST_REDIS` overrides it).
pub(crate) fn redis_url() -> String {
    std::env::var("KEYWARD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".to_owned())
}

/// Removes every key under the test's prefix when the test ends.
pub(crate) struct Prefix(pub(crate) String);

impl Drop for Prefix {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(redis_url()) else {
            return;
        };
        let Ok(mut connection) = client.get_connection() else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.0))
            .query(&mut connection)
            .unwrap_or_default();
        for key in keys {
            let _: redis::RedisResult<()> = redis::cmd("DEL").arg(key).query(&mut connection);
        }
    }
}

/// A client of `url` holding the session in `store`.
fn client(url: &Url, store: &SharedStore) -> AuthClient {
    AuthClient::builder(url.clone())
        .token_store(store.clone())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn sessions_in_redis_are_shared_with_better_auth_both_ways() {
    let prefix = Prefix(format!("{}:", unique("shared")));
    let better_auth = BetterAuthServer::start_on(
        Database::Postgres,
        &[],
        &[("REDIS_URL", &redis_url()), ("REDIS_PREFIX", &prefix.0)],
    )
    .await;
    let database_url = better_auth.database_url().expect("SQL storage");
    let redis_prefix = prefix.0.clone();
    let keyward = TestServer::start_on_database(&database_url, move |config: &mut Config| {
        config.secondary_storage.redis_url = Some(redis_url());
        config.secondary_storage.key_prefix = redis_prefix;
    })
    .await;

    // Signed up on better-auth: the session (in Redis only) works on Keyward.
    let laptop = SharedStore::default();
    client(&better_auth.url, &laptop)
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up on better-auth");
    let on_keyward = client(&keyward.url, &laptop);
    let session = on_keyward.get_session().await.expect("asks").expect("valid on Keyward");
    assert_eq!(session.user.email, "ada@example.com");

    // Renamed on Keyward: better-auth reads the new name from the shared session.
    on_keyward.user().update().name("Ada L").send().await.expect("renames");
    let on_better_auth = client(&better_auth.url, &laptop);
    let session = on_better_auth.get_session().await.expect("asks").expect("signed in");
    assert_eq!(session.user.name, "Ada L", "better-auth sees Keyward's change");

    // Signed in on Keyward: better-auth accepts and lists that session too.
    let phone = SharedStore::default();
    let phone_on_keyward = client(&keyward.url, &phone);
    phone_on_keyward
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in on Keyward");
    let phone_on_better_auth = client(&better_auth.url, &phone);
    let session = phone_on_better_auth
        .get_session()
        .await
        .expect("asks")
        .expect("valid on better-auth");
    assert_eq!(session.user.name, "Ada L");
    assert_eq!(on_better_auth.sessions().list().await.expect("lists").len(), 2);
    assert_eq!(on_keyward.sessions().list().await.expect("lists").len(), 2);
    assert_eq!(
        count(&keyward, "session").await,
        0,
        "neither server wrote a session row"
    );

    // Signed out on better-auth: gone on Keyward.
    phone_on_better_auth.sign_out().await.expect("signs out");
    assert_eq!(phone_on_keyward.get_session().await.expect("asks"), None);

    // Every session revoked on Keyward: better-auth honours it.
    let tablet = SharedStore::default();
    client(&better_auth.url, &tablet)
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in on better-auth");
    on_keyward.sessions().revoke_all().await.expect("revokes all");
    assert_eq!(
        client(&better_auth.url, &tablet).get_session().await.expect("asks"),
        None
    );
    assert_eq!(
        client(&better_auth.url, &laptop).get_session().await.expect("asks"),
        None
    );

    // A session made after the revocation is good on both.
    let fresh = SharedStore::default();
    client(&better_auth.url, &fresh)
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in");
    assert!(
        client(&keyward.url, &fresh)
            .get_session()
            .await
            .expect("asks")
            .is_some()
    );

    // A reset token better-auth put in Redis is taken once, by Keyward.
    let anonymous = client(&better_auth.url, &SharedStore::default());
    anonymous
        .password()
        .request_reset("ada@example.com")
        .redirect_to("/reset")
        .await
        .expect("requests a reset");
    assert_eq!(
        count(&keyward, "verification").await,
        0,
        "better-auth kept the token in Redis only"
    );
    let email = wait_for_email(&better_auth.outbox, "reset-password", "ada@example.com").await;
    let token = email["token"].as_str().expect("token").to_owned();
    let on_keyward = client(&keyward.url, &SharedStore::default());
    on_keyward
        .password()
        .reset(token.as_str(), "a-brand-new-password")
        .await
        .expect("Keyward takes better-auth's token");
    assert!(
        anonymous
            .password()
            .reset(token.as_str(), "another-password-x")
            .await
            .is_err(),
        "and it is gone for better-auth too"
    );
    anonymous
        .sign_in()
        .email("ada@example.com", "a-brand-new-password")
        .await
        .expect("the new password works on better-auth");
}

async fn count(server: &TestServer, table: &str) -> i64 {
    let mut db = server.auth.db().clone();
    let rows = db
        .fetch_all(&format!(r#"select count(*) as "n" from "{table}""#), vec![])
        .await
        .expect("counts");
    rows[0].int("n").expect("n")
}
