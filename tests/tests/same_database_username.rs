//! One database, both servers: usernames written by one server sign in, count as taken
//! and change at the other (better-auth migrating first, both running), and a Keyward
//! database whose `username` column Keyward added later is served by better-auth after
//! its own migrations, on SQLite and PostgreSQL.

use keyward_client::wire::{ErrorCode, SignInOutcome};
use keyward_client::{AuthClient, Error};
use keyward_server::config::UsernameConfig;
use keyward_tests::compat::{Record, flows, on_same_database};
use keyward_tests::{BetterAuthOptions, BetterAuthServer, Database, Storage, TestServer, fresh_postgres_schema};
use url::Url;

const PASSWORD: &str = "correct-horse-battery";

fn records(database: Database) -> Vec<Record> {
    on_same_database(database, &[flows::USERNAME, flows::USERNAME_REFUSED])
}

fn client(url: &Url) -> AuthClient {
    AuthClient::builder(url.clone()).build().expect("client")
}

async fn sign_up(url: &Url, name: &str, username: &str) -> AuthClient {
    let client = client(url);
    let email = format!("{}@example.com", name.to_lowercase());
    client
        .sign_up()
        .email(name, email, PASSWORD)
        .username(username)
        .await
        .expect("signs up");
    client
}

/// The user's email after signing in with `username` at `url`.
async fn sign_in(url: &Url, username: &str) -> String {
    match client(url).username().sign_in(username, PASSWORD).await {
        Ok(SignInOutcome::SignedIn(response)) => response.user.email,
        other => panic!("{username} signs in at {url}: {other:?}"),
    }
}

async fn taken_at(url: &Url, username: &str) {
    assert!(!client(url).username().is_available(username).await.expect("asks"));
    let refused = client(url)
        .sign_up()
        .email("Eve", "eve@example.com", PASSWORD)
        .username(username)
        .await;
    match refused {
        Err(Error::Api { status: 400, code, .. }) => assert_eq!(code, ErrorCode::UsernameIsAlreadyTaken),
        other => panic!("{username} is taken at {url}: {other:?}"),
    }
}

async fn both_running(database: Database) {
    let _records = records(database);
    let better_auth = BetterAuthServer::start_on(database, &["username"], &[]).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, |config| config.username = Some(UsernameConfig::default())).await;

    // Written by better-auth, used at Keyward.
    let ada = sign_up(&better_auth.url, "Ada", "Ada_Lovelace").await;
    assert_eq!(sign_in(&keyward.url, "ADA_LOVELACE").await, "ada@example.com");
    taken_at(&keyward.url, "ada_lovelace").await;
    // Written by Keyward, used at better-auth.
    let bob = sign_up(&keyward.url, "Bob", "Bob.Builder").await;
    assert_eq!(sign_in(&better_auth.url, "bob.builder").await, "bob@example.com");
    taken_at(&better_auth.url, "BOB.BUILDER").await;
    let fetched = client(&better_auth.url);
    fetched
        .username()
        .sign_in("bob.builder", PASSWORD)
        .await
        .expect("signs in");
    let user = fetched.get_session().await.expect("asks").expect("signed in").user;
    assert_eq!(
        user.additional["displayUsername"], "Bob.Builder",
        "better-auth reads Keyward's row"
    );

    // Changed at one, seen at the other.
    ada.user()
        .update()
        .username("Countess")
        .await
        .expect("updates at better-auth");
    assert_eq!(sign_in(&keyward.url, "countess").await, "ada@example.com");
    bob.user()
        .update()
        .username("Builder")
        .await
        .expect("updates at Keyward");
    assert_eq!(sign_in(&better_auth.url, "BUILDER").await, "bob@example.com");
    let refused = bob.user().update().username("countess").await;
    match refused {
        Err(Error::Api { status: 400, code, .. }) => assert_eq!(code, ErrorCode::UsernameIsAlreadyTaken),
        other => panic!("taken across servers: {other:?}"),
    }
}

async fn keyward_first(database: Database) {
    let _records = records(database);
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, storage, _schema) = match database {
        Database::Sqlite => {
            let path = dir.path().join("shared.db");
            (format!("sqlite://{}", path.display()), Storage::Sqlite(path), None)
        }
        Database::Postgres => {
            let (url, schema) = fresh_postgres_schema("same").await;
            (url.clone(), Storage::Postgres(url), Some(schema))
        }
    };
    {
        // A deployment without the plugin first: the column and its index come later.
        let plain = TestServer::start_on_database(&url, |_| {}).await;
        client(&plain.url)
            .sign_up()
            .email("Cy", "cy@example.com", PASSWORD)
            .await
            .expect("signs up");
        plain.auth.db().close().await;
    }
    {
        let keyward =
            TestServer::start_on_database(&url, |config| config.username = Some(UsernameConfig::default())).await;
        sign_up(&keyward.url, "Ada", "Ada_Lovelace").await;
        keyward.auth.db().close().await;
    }
    let better_auth = BetterAuthServer::start(BetterAuthOptions {
        storage,
        migrate: true,
        plugins: vec!["username".into()],
        env: vec![],
    })
    .await;
    assert_eq!(sign_in(&better_auth.url, "ada_lovelace").await, "ada@example.com");
    taken_at(&better_auth.url, "ADA_LOVELACE").await;
    // The user from before the plugin gets a username at better-auth.
    let cy = client(&better_auth.url);
    cy.sign_in()
        .email("cy@example.com", PASSWORD)
        .await
        .expect("signs in")
        .into_signed_in()
        .expect("no second factor");
    cy.user().update().username("Cyril").await.expect("updates");
    assert_eq!(sign_in(&better_auth.url, "cyril").await, "cy@example.com");
}

#[tokio::test]
async fn usernames_cross_between_the_servers_on_sqlite() {
    both_running(Database::Sqlite).await;
}

#[tokio::test]
async fn usernames_cross_between_the_servers_on_postgres() {
    both_running(Database::Postgres).await;
}

#[tokio::test]
async fn better_auth_serves_keyward_usernames_on_sqlite() {
    keyward_first(Database::Sqlite).await;
}

#[tokio::test]
async fn better_auth_serves_keyward_usernames_on_postgres() {
    keyward_first(Database::Postgres).await;
}
