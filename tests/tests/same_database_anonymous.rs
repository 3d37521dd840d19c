//! One database, both servers running: an anonymous user one server made is anonymous at
//! the other, which refuses them a second anonymous sign-in, links them when they sign up
//! and deletes them on request, on SQLite and PostgreSQL.

use keyward_client::wire::{ErrorCode, SessionToken};
use keyward_client::{AuthClient, Error, MemoryStore, TokenStore};
use keyward_server::config::AnonymousConfig;
use keyward_server::db::{Db, Exec};
use keyward_server::{Auth, args};
use keyward_tests::compat::{flows, on_same_database};
use keyward_tests::{BetterAuthServer, Database, TestServer};
use url::Url;

const PASSWORD: &str = "correct-horse-battery";

/// A bearer client of `url` holding `token`.
fn holding(url: &Url, token: &SessionToken) -> AuthClient {
    let store = MemoryStore::new();
    store.save(token).expect("saves");
    AuthClient::builder(url.clone())
        .token_store(store)
        .build()
        .expect("client")
}

async fn stored_flag(db: &Db, id: &str) -> Option<bool> {
    let mut db = db.clone();
    db.fetch_all(
        r#"select "isAnonymous" from "user" where "id" = $1"#,
        args![id.to_owned()],
    )
    .await
    .expect("reads the user table")
    .first()
    .map(|row| row.bool("isAnonymous").expect("isAnonymous"))
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// A guest made at `maker` is a guest at `other`: refused a second anonymous sign-in
/// there, and linked (then deleted) when they sign up there.
async fn guest_crosses(maker: &Url, other: &Url, db: &Db, email: &str) {
    let client = AuthClient::builder(maker.clone()).build().expect("client");
    let guest = client.sign_in().anonymous().await.expect("signs in anonymously");
    let there = holding(other, &guest.token);
    let restored = there
        .restore()
        .await
        .expect("restores")
        .expect("the guest's session is valid");
    assert!(restored.user.is_anonymous(), "isAnonymous read from the shared row");
    assert_eq!(restored.user.email, guest.user.email);
    assert_eq!(
        code(there.sign_in().anonymous().await),
        ErrorCode::AnonymousUsersCannotSignInAgainAnonymously
    );
    let user = there.sign_up().email("Ada", email, PASSWORD).await.expect("signs up");
    assert!(!user.user.is_anonymous());
    assert_eq!(stored_flag(db, &user.user.id).await, Some(false));
    assert_eq!(stored_flag(db, &guest.user.id).await, None, "the guest is deleted");
}

/// A guest made at `maker` deletes themselves at `other`.
async fn guest_deleted_elsewhere(maker: &Url, other: &Url, db: &Db) {
    let client = AuthClient::builder(maker.clone()).build().expect("client");
    let guest = client.sign_in().anonymous().await.expect("signs in anonymously");
    assert_eq!(stored_flag(db, &guest.user.id).await, Some(true));
    let there = holding(other, &guest.token);
    let deleted = there.anonymous().delete_anonymous_user().await.expect("deletes");
    assert!(deleted.success);
    assert_eq!(stored_flag(db, &guest.user.id).await, None);
    assert_eq!(
        client.restore().await.expect("restores"),
        None,
        "gone at the server that made them"
    );
}

async fn both_servers(database: Database) {
    let _records = on_same_database(database, &[flows::ANONYMOUS, flows::ANONYMOUS_REFUSED]);
    let better_auth = BetterAuthServer::start_on(database, &["anonymous"], &[]).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward =
        TestServer::start_on_database(&url, |config| config.anonymous = Some(AnonymousConfig::default())).await;
    let db = Auth::db(&keyward.auth).clone();

    guest_crosses(&better_auth.url, &keyward.url, &db, "ada@example.com").await;
    guest_crosses(&keyward.url, &better_auth.url, &db, "bob@example.com").await;
    guest_deleted_elsewhere(&better_auth.url, &keyward.url, &db).await;
    guest_deleted_elsewhere(&keyward.url, &better_auth.url, &db).await;

    // A regular user of either server is no guest at the other.
    let ada = AuthClient::builder(keyward.url.clone()).build().expect("client");
    ada.sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in");
    let token = ada.token().expect("token").expect("signed in");
    let at_better_auth = holding(&better_auth.url, &token);
    assert_eq!(
        code(at_better_auth.anonymous().delete_anonymous_user().await),
        ErrorCode::UserIsNotAnonymous
    );
}

#[tokio::test]
async fn anonymous_users_cross_between_the_servers_on_sqlite() {
    both_servers(Database::Sqlite).await;
}

#[tokio::test]
async fn anonymous_users_cross_between_the_servers_on_postgres() {
    both_servers(Database::Postgres).await;
}
