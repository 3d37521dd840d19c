//! One database, both servers running: the signing key the first server made (its
//! private JWK encrypted with the shared secret) signs at the other, which publishes it
//! with the same `kid`; on SQLite and PostgreSQL, each server first, with the default
//! Ed25519 keys and with ES512 (P-521) keys.

use keyward_client::AuthClient;
use keyward_tests::compat::{flows, on_same_database};
use keyward_tests::{BetterAuthServer, Database, JwtOptions, TestServer};
use url::Url;

use crate::client_jwt::verify;

const PASSWORD: &str = "correct-horse-battery";

fn kid(token: &keyward_client::wire::JsonWebToken) -> String {
    keyward_verifier::jose::key_id(token.expose()).expect("a kid")
}

/// Ada signs up at `first`, which makes the key; her session at `second` gets a token
/// signed with that key, and each server's key set verifies both servers' tokens.
async fn first_key_signs_at_the_other(first: &Url, second: &Url, algorithm: &str) {
    let at_first = AuthClient::builder(first.clone()).build().expect("client");
    let ada = at_first
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    let token = at_first.jwt().token().await.expect("a token");
    let session = at_first.token().expect("reads").expect("a session token");
    let store = keyward_client::MemoryStore::new();
    keyward_client::TokenStore::save(&store, &session).expect("saves");
    let at_second = AuthClient::builder(second.clone())
        .token_store(store)
        .build()
        .expect("client");
    let other = at_second.jwt().token().await.expect("a token of the same session");
    assert_eq!(
        kid(&other),
        kid(&token),
        "the second server signs with the first one's key"
    );
    for client in [&at_first, &at_second] {
        let keys = client.jwt().jwks().await.expect("the key set");
        assert_eq!(keys.keys.len(), 1, "one key, published by both");
        assert_eq!(keys.keys[0].alg, algorithm);
        for signed in [&token, &other] {
            let claims = verify(signed, &keys, &issuer(signed));
            assert_eq!(claims["sub"], ada.user.id.as_str());
        }
    }
}

/// The `iss` a token names, unverified: each server issues (and addresses) its tokens
/// under its own origin.
fn issuer(token: &keyward_client::wire::JsonWebToken) -> String {
    let payload = token.expose().split('.').nth(1).expect("a JWS");
    let claims: serde_json::Value =
        serde_json::from_slice(&keyward_server::crypto::decode_base64_any(payload).expect("base64url")).expect("JSON");
    claims["iss"].as_str().expect("iss").to_owned()
}

async fn both_running(database: Database, better_auth_first: bool, algorithm: &'static str) {
    let _records = on_same_database(database, &[flows::JWT]);
    let options = JwtOptions {
        algorithm: Some(algorithm),
    };
    let env = options.env();
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let better_auth = BetterAuthServer::start_on(database, &["jwt"], &env).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, |config| config.jwt = Some(options.keyward())).await;
    if better_auth_first {
        first_key_signs_at_the_other(&better_auth.url, &keyward.url, algorithm).await;
    } else {
        first_key_signs_at_the_other(&keyward.url, &better_auth.url, algorithm).await;
    }
}

#[tokio::test]
async fn better_auths_key_signs_at_keyward_on_sqlite() {
    both_running(Database::Sqlite, true, "EdDSA").await;
}

#[tokio::test]
async fn keywards_key_signs_at_better_auth_on_sqlite() {
    both_running(Database::Sqlite, false, "EdDSA").await;
}

#[tokio::test]
async fn better_auths_key_signs_at_keyward_on_postgres() {
    both_running(Database::Postgres, true, "EdDSA").await;
}

#[tokio::test]
async fn keywards_key_signs_at_better_auth_on_postgres() {
    both_running(Database::Postgres, false, "EdDSA").await;
}

#[tokio::test]
async fn better_auths_es512_key_signs_at_keyward_on_sqlite() {
    both_running(Database::Sqlite, true, "ES512").await;
}

#[tokio::test]
async fn keywards_es512_key_signs_at_better_auth_on_postgres() {
    both_running(Database::Postgres, false, "ES512").await;
}
