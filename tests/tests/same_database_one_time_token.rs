//! One database, both servers running: a one-time token better-auth made verifies at
//! Keyward, and the reverse, once (the row one server wrote, the other takes), with
//! tokens stored plain or hashed, on SQLite and PostgreSQL.

use keyward_client::{AuthClient, Error};
use keyward_server::config::{OneTimeTokenConfig, TokenStorage};
use keyward_tests::compat::{flows, on_same_database};
use keyward_tests::{BetterAuthServer, Database, TestServer};
use url::Url;

const PASSWORD: &str = "correct-horse-battery";

async fn signed_up(url: &Url, name: &str) -> AuthClient {
    let client = AuthClient::builder(url.clone()).build().expect("client");
    let email = format!("{}@example.com", name.to_lowercase());
    client.sign_up().email(name, email, PASSWORD).await.expect("signs up");
    client
}

/// A token made by `maker`'s server is taken by a client of `taker`, then refused at both.
async fn hand_over(maker: &AuthClient, taker: &Url, back: &Url) {
    let made_for = maker.session().get().data.expect("signed in");
    let token = maker.one_time_token().generate().await.expect("a token");
    let native = AuthClient::builder(taker.clone()).build().expect("client");
    let data = native.one_time_token().verify(token.clone()).await.expect("verifies");
    assert_eq!(data.session.id, made_for.session.id);
    let fetched = native.get_session().await.expect("asks").expect("signed in");
    assert_eq!(fetched.user.email, made_for.user.email);
    for url in [taker, back] {
        let late = AuthClient::builder(url.clone()).build().expect("client");
        match late.one_time_token().verify(token.clone()).await {
            Err(Error::Api {
                status: 400, message, ..
            }) => assert_eq!(message, "Invalid token"),
            other => panic!("a used token is refused at {url}: {other:?}"),
        }
    }
}

async fn both_servers(database: Database, hashed: bool) {
    let rows: &[&str] = if hashed {
        &[flows::ONE_TIME_TOKEN, flows::ONE_TIME_TOKEN_OPTIONS]
    } else {
        &[flows::ONE_TIME_TOKEN]
    };
    let _records = on_same_database(database, rows);
    let env: &[(&str, &str)] = if hashed { &[("OTT_STORE_TOKEN", "hashed")] } else { &[] };
    let better_auth = BetterAuthServer::start_on(database, &["one-time-token"], env).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, |config| {
        config.one_time_token = Some(OneTimeTokenConfig::default().store_token(if hashed {
            TokenStorage::Hashed
        } else {
            TokenStorage::Plain
        }))
    })
    .await;

    let ada = signed_up(&better_auth.url, "Ada").await;
    hand_over(&ada, &keyward.url, &better_auth.url).await;
    let bob = signed_up(&keyward.url, "Bob").await;
    hand_over(&bob, &better_auth.url, &keyward.url).await;
}

#[tokio::test]
async fn one_time_tokens_cross_between_the_servers_on_sqlite() {
    both_servers(Database::Sqlite, false).await;
}

#[tokio::test]
async fn one_time_tokens_cross_between_the_servers_on_postgres() {
    both_servers(Database::Postgres, false).await;
}

#[tokio::test]
async fn hashed_one_time_tokens_cross_between_the_servers() {
    both_servers(Database::Sqlite, true).await;
}
