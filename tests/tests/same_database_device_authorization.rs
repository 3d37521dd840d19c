//! One database, both servers running: a device code one server issued is claimed and
//! approved at the other and redeemed back at the first (and the reverse), on SQLite and
//! PostgreSQL; the `deviceCode` rows each server writes are read by the other.

use std::time::Duration;

use keyward_client::wire::OAuthErrorCode;
use keyward_client::{AuthClient, Error, MemoryStore, TokenStore};
use keyward_server::config::DeviceAuthorizationConfig;
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

/// A device asks `issuer` for a code; `approver`'s signed-in user claims and approves it
/// at the other server; the device polls `issuer` (and the code is then gone at both).
async fn cross(issuer: &Url, approver: &AuthClient, other: &Url) {
    let device = AuthClient::builder(issuer.clone()).build().expect("client");
    let pending = device
        .device_authorization()
        .request_code("cli")
        .scope("profile")
        .await
        .expect("codes");
    let status = approver
        .device_authorization()
        .verify(pending.user_code.clone())
        .await
        .expect("claims at the other server");
    assert_eq!(status.client_id.as_deref(), Some("cli"));
    approver
        .device_authorization()
        .approve(pending.user_code.clone())
        .await
        .expect("approves");
    let session = device.device_authorization().poll(&pending).await.expect("signed in");
    let approving_user = approver.session().get().data.expect("signed in").user;
    assert_eq!(session.user.id, approving_user.id);
    // The session the issuer made works at the other server too.
    let token = device.token().expect("reads").expect("stored");
    let store = MemoryStore::new();
    store.save(&token).expect("keeps the token");
    let elsewhere = AuthClient::builder(other.clone())
        .token_store(store)
        .build()
        .expect("client");
    let there = elsewhere.get_session().await.expect("asks").expect("signed in there");
    assert_eq!(there.session.id, session.session.id);
    for url in [issuer, other] {
        let late = AuthClient::builder(url.clone()).build().expect("client");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let again = late.device_authorization().token(&pending).await;
        match again {
            Err(Error::OAuth {
                error: OAuthErrorCode::InvalidGrant,
                ..
            }) => {}
            other => panic!("a used code is refused at {url}: {other:?}"),
        }
    }
}

async fn both_servers(database: Database) {
    let _records = on_same_database(database, &[flows::DEVICE]);
    let better_auth =
        BetterAuthServer::start_on(database, &["device-authorization"], &[("DEVICE_INTERVAL", "1s")]).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, |config| {
        config.device_authorization = Some(DeviceAuthorizationConfig::default().interval(Duration::from_secs(1)))
    })
    .await;

    let ada = signed_up(&keyward.url, "Ada").await;
    cross(&better_auth.url, &ada, &keyward.url).await;
    let bob = signed_up(&better_auth.url, "Bob").await;
    cross(&keyward.url, &bob, &better_auth.url).await;
}

#[tokio::test]
async fn device_codes_cross_between_the_servers_on_sqlite() {
    both_servers(Database::Sqlite).await;
}

#[tokio::test]
async fn device_codes_cross_between_the_servers_on_postgres() {
    both_servers(Database::Postgres).await;
}
