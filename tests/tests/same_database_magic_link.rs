//! One database, both servers running: a magic link better-auth sent signs in at
//! Keyward, and the reverse, once (the row one server wrote, the other takes), with tokens
//! stored plain or hashed, on SQLite and PostgreSQL. The user the first link created is
//! the one the second link signs in.

use keyward_client::wire::MagicLinkError;
use keyward_client::{AuthClient, Error};
use keyward_server::config::{MagicLinkConfig, TokenStorage};
use keyward_tests::compat::{Direction, flows, on_same_database, record};
use keyward_tests::{BetterAuthServer, Database, TestServer, wait_for_email};
use url::Url;

/// Asks `sender` for a link to `email` and answers its token, read from `outbox`.
async fn link_from(sender: &Url, outbox: &std::path::Path, email: &str) -> String {
    let before = keyward_tests::read_outbox(outbox).len();
    let client = AuthClient::builder(sender.clone()).build().expect("client");
    client
        .magic_link()
        .sign_in(email)
        .name("Ada")
        .await
        .expect("asks for a link");
    for _ in 0..100 {
        if keyward_tests::read_outbox(outbox).len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let sent = wait_for_email(outbox, "magic-link", email).await;
    sent["token"].as_str().expect("a token").to_owned()
}

/// Verifies `token` at `taker` (signing a client in), then finds it used at both servers.
async fn verify_at(token: &str, taker: &Url, back: &Url) -> keyward_client::wire::MagicLinkVerifyResponse {
    let native = AuthClient::builder(taker.clone()).build().expect("client");
    let signed_in = native.magic_link().verify(token).await.expect("verifies");
    let fetched = native.get_session().await.expect("asks").expect("signed in");
    assert_eq!(fetched.user.id, signed_in.user.id);
    for url in [taker, back] {
        let late = AuthClient::builder(url.clone()).build().expect("client");
        match late.magic_link().verify(token).await {
            Err(Error::MagicLink {
                error: MagicLinkError::InvalidToken,
                ..
            }) => {}
            other => panic!("a used link is refused at {url}: {other:?}"),
        }
    }
    signed_in
}

async fn both_servers(database: Database, hashed: bool) {
    let _records = on_same_database(database, &[flows::MAGIC_LINK]);
    let env: &[(&str, &str)] = if hashed {
        &[("MAGIC_LINK_STORE_TOKEN", "hashed")]
    } else {
        &[]
    };
    let better_auth = BetterAuthServer::start_on(database, &["magic-link"], env).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, |config| {
        config.magic_link = Some(MagicLinkConfig::default().store_token(if hashed {
            TokenStorage::Hashed
        } else {
            TokenStorage::Plain
        }))
    })
    .await;

    // better-auth sends, Keyward signs the new user up.
    let token = link_from(&better_auth.url, &better_auth.outbox, "ada@example.com").await;
    let created = verify_at(&token, &keyward.url, &better_auth.url).await;
    assert_eq!(created.user.name, "Ada");
    assert!(created.user.email_verified);
    // Keyward sends, better-auth signs the same user in.
    let token = link_from(&keyward.url, &keyward.outbox, "ada@example.com").await;
    let again = verify_at(&token, &better_auth.url, &keyward.url).await;
    assert_eq!(again.user.id, created.user.id, "the user Keyward created");
    // Keyward sends, better-auth creates the user this time.
    let token = link_from(&keyward.url, &keyward.outbox, "bob@example.com").await;
    let bob = verify_at(&token, &better_auth.url, &keyward.url).await;
    assert_eq!(bob.user.email, "bob@example.com");
    let token = link_from(&better_auth.url, &better_auth.outbox, "bob@example.com").await;
    assert_eq!(
        verify_at(&token, &keyward.url, &better_auth.url).await.user.id,
        bob.user.id
    );
}

#[tokio::test]
async fn magic_links_cross_between_the_servers_on_sqlite() {
    both_servers(Database::Sqlite, false).await;
}

#[tokio::test]
async fn magic_links_cross_between_the_servers_on_postgres() {
    both_servers(Database::Postgres, false).await;
}

#[tokio::test]
async fn hashed_magic_links_cross_between_the_servers() {
    let _record = record(flows::MAGIC_LINK_REFUSED, Direction::SameDatabase);
    both_servers(Database::Sqlite, true).await;
}
