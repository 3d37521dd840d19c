//! Social sign-in across Keyward and the real better-auth on one database, both with the
//! same OpenID Connect provider (npm `oidc-provider`) as better-auth's `genericOAuth`
//! provider `oidc`: a user who signed up through the provider on one server signs in
//! through it on the other, and each server reads the other's (encrypted) tokens.

use keyward_client::wire::AccessTokenResponse;
use keyward_server::social::SocialProvider;
use keyward_tests::compat::{Direction, flows, record};
use keyward_tests::oidc::{Consent, OidcClient, OidcProvider};
use keyward_tests::{BetterAuthServer, Database, TestServer, free_port};
use serde_json::{Value, json};

use crate::social::{Browser, location, sign_in_body, start};

const CLIENT_ID: &str = "keyward-interop-oidc";
const CLIENT_SECRET: &str = "keyward-interop-oidc-secret";

struct Pair {
    better_auth: BetterAuthServer,
    keyward: TestServer,
    provider: OidcProvider,
}

async fn pair(database: Database) -> Pair {
    let port = free_port();
    let discovery = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
    let env = [
        ("OIDC_DISCOVERY_URL", discovery.as_str()),
        ("OIDC_CLIENT_ID", CLIENT_ID),
        ("OIDC_CLIENT_SECRET", CLIENT_SECRET),
        ("ENCRYPT_OAUTH_TOKENS", "1"),
    ];
    let better_auth = BetterAuthServer::start_on(database, &[], &env).await;
    let database_url = better_auth.database_url().expect("a database");
    let keyward = TestServer::start_on_database(&database_url, |config| {
        config.social_providers.push(
            SocialProvider::openid_connect("oidc", &discovery, CLIENT_ID, CLIENT_SECRET)
                .with_scopes(["email", "profile"]),
        );
        config.account.encrypt_oauth_tokens = true;
    })
    .await;
    let client = OidcClient {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uris: vec![
            format!("{}api/auth/callback/oidc", better_auth.url),
            format!("{}api/auth/callback/oidc", keyward.url),
        ],
    };
    let accounts = json!({
        "alice": {"email": "alice@example.com", "email_verified": true, "name": "Alice"},
        "carol": {"email": "carol@example.com", "email_verified": true, "name": "Carol"}
    });
    let provider = OidcProvider::start_on(port, &[client], accounts, &[]).await;
    Pair {
        better_auth,
        keyward,
        provider,
    }
}

async fn sign_in_at(provider: &OidcProvider, base: &url::Url, login: &str) -> (Browser, String) {
    let mut browser = Browser::at(base.clone());
    let url = start(&mut browser, sign_in_body()).await;
    let back = provider.authorize(&url, login, Consent::Grant).await;
    let landed = location(&browser.visit(&back).await);
    (browser, landed)
}

async fn user_id(browser: &mut Browser) -> String {
    let (_, session) = browser.get_json("/get-session").await;
    session["user"]["id"].as_str().expect("signed in").to_owned()
}

/// The provider access token a server hands out for the user's `oidc` account, checked
/// against the provider's user-info endpoint.
async fn usable_access_token(browser: &mut Browser, provider: &OidcProvider) -> String {
    let (_, accounts) = browser.get_json("/list-accounts").await;
    let account = accounts
        .as_array()
        .expect("list")
        .iter()
        .find(|a| a["providerId"] == "oidc")
        .expect("an oidc account")
        .clone();
    let token: AccessTokenResponse = browser
        .post("/get-access-token", json!({"accountId": account["id"]}))
        .await
        .json()
        .await
        .expect("token");
    let me: Value = reqwest::Client::new()
        .get(format!("{}me", provider.issuer))
        .bearer_auth(token.access_token.expose())
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    me["sub"].as_str().expect("the provider knows the token").to_owned()
}

async fn both_ways(database: Database) {
    let _record = record(flows::SOCIAL_PROVIDER, Direction::SameDatabase);
    let pair = pair(database).await;
    // alice signs up through the provider on better-auth, then signs in on Keyward.
    let (mut at_better_auth, landed) = sign_in_at(&pair.provider, &pair.better_auth.url, "alice").await;
    assert_eq!(landed, "/welcome");
    let (mut at_keyward, landed) = sign_in_at(&pair.provider, &pair.keyward.url, "alice").await;
    assert_eq!(landed, "/dashboard", "Keyward finds better-auth's account row");
    assert_eq!(user_id(&mut at_keyward).await, user_id(&mut at_better_auth).await);
    assert_eq!(usable_access_token(&mut at_keyward, &pair.provider).await, "alice");

    // carol signs up on Keyward, then signs in on better-auth, which reads her tokens.
    let (mut at_keyward, landed) = sign_in_at(&pair.provider, &pair.keyward.url, "carol").await;
    assert_eq!(landed, "/welcome");
    let (mut at_better_auth, landed) = sign_in_at(&pair.provider, &pair.better_auth.url, "carol").await;
    assert_eq!(landed, "/dashboard", "better-auth finds Keyward's account row");
    assert_eq!(user_id(&mut at_better_auth).await, user_id(&mut at_keyward).await);
    assert_eq!(usable_access_token(&mut at_better_auth, &pair.provider).await, "carol");
}

#[tokio::test]
async fn provider_accounts_are_shared_with_better_auth_on_sqlite() {
    both_ways(Database::Sqlite).await;
}

#[tokio::test]
async fn provider_accounts_are_shared_with_better_auth_on_postgres() {
    both_ways(Database::Postgres).await;
}
