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
    let _record = [flows::SOCIAL, flows::SOCIAL_PROVIDER].map(|flow| record(flow, Direction::SameDatabase));
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

/// The Rust client through a whole provider sign-in, as a native app whose system
/// browser shares its cookies: the provider URL from `sign_in().social(..)`, the provider's
/// pages, the callback fetched with the client's own jar; then the account's tokens.
async fn rust_client_round_trip(base: &url::Url, provider: &OidcProvider, login: &str) {
    use keyward_client::transport::Method;
    use keyward_client::{AuthClient, CredentialMode};
    let client = AuthClient::builder(base.clone())
        .credential_mode(CredentialMode::Cookie)
        .build()
        .expect("client builds");
    let redirect = client
        .sign_in()
        .social("oidc")
        .callback_url("/dashboard")
        .await
        .expect("the provider URL");
    let back: url::Url = provider
        .authorize(&redirect.url, login, Consent::Grant)
        .await
        .parse()
        .expect("a URL");
    let callback = format!(
        "{}?{}",
        back.path().trim_start_matches("/api/auth"),
        back.query().expect("query")
    );
    let _: Value = client
        .fetch::<(), _>(Method::Get, &callback, None)
        .await
        .expect("the callback answers");
    let session = client.get_session().await.expect("asks").expect("signed in");
    assert_eq!(session.user.email, format!("{login}@example.com"));
    let accounts = client.accounts().list().await.expect("lists");
    let account = accounts
        .iter()
        .find(|a| a.provider_id == "oidc")
        .expect("an oidc account");
    assert_eq!(account.scopes, ["openid", "email", "profile"]);
    let token = client.accounts().access_token(&account.id).await.expect("a token");
    assert!(!token.access_token.expose().is_empty());
    let refreshed = client.accounts().refresh_token(&account.id).await.expect("refreshed");
    assert_eq!(refreshed.provider_id, "oidc");
    assert!(refreshed.refresh_token.is_some());
    let info = client.accounts().info(&account.id).await.expect("the profile");
    assert_eq!(info.user.email.as_deref(), Some(session.user.email.as_str()));
    let unknown = client.accounts().access_token("nope").await.map(|_| ());
    assert_eq!(
        unknown.expect_err("refused").code(),
        Some(&keyward_client::wire::ErrorCode::AccountNotFound)
    );
}

#[tokio::test]
async fn the_rust_client_signs_in_through_a_provider_on_both_servers() {
    let _record = record(flows::SOCIAL_PROVIDER, Direction::RustClientAgainstBetterAuth);
    let pair = pair(Database::Sqlite).await;
    rust_client_round_trip(&pair.better_auth.url, &pair.provider, "alice").await;
    rust_client_round_trip(&pair.keyward.url, &pair.provider, "carol").await;
}

/// Two instances behind one public URL (better-auth's), on one database: better-auth
/// started with `env` besides the provider's, Keyward configured by `configure`.
struct BehindOneUrl {
    better_auth: BetterAuthServer,
    keyward: TestServer,
    provider: OidcProvider,
}

impl BehindOneUrl {
    async fn start(
        database: Database,
        env: &[(&str, &str)],
        configure: impl FnOnce(&mut keyward_server::Config) + Send + 'static,
    ) -> Self {
        let port = free_port();
        let discovery = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
        let mut all = vec![
            ("OIDC_DISCOVERY_URL", discovery.as_str()),
            ("OIDC_CLIENT_ID", CLIENT_ID),
            ("OIDC_CLIENT_SECRET", CLIENT_SECRET),
        ];
        all.extend_from_slice(env);
        let better_auth = BetterAuthServer::start_on(database, &[], &all).await;
        let public_callback = format!("{}api/auth/callback/oidc", better_auth.url);
        let database_url = better_auth.database_url().expect("a database");
        let callback = public_callback.clone();
        let keyward = TestServer::start_on_database(&database_url, move |config| {
            let mut provider = SocialProvider::openid_connect("oidc", &discovery, CLIENT_ID, CLIENT_SECRET)
                .with_scopes(["email", "profile"]);
            provider.redirect_uri = Some(callback);
            config.social_providers.push(provider);
            configure(config);
        })
        .await;
        let client = OidcClient {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_uris: vec![public_callback],
        };
        let accounts = json!({"alice": {"email": "alice@example.com", "email_verified": true, "name": "Alice"}});
        let provider = OidcProvider::start_on(port, &[client], accounts, &[]).await;
        Self {
            better_auth,
            keyward,
            provider,
        }
    }

    /// A flow started at `first` whose callback (sent to the public URL) lands on
    /// `second`, with the first browser's cookies: where it lands, and the browser there.
    async fn across(&self, first: &url::Url, second: &url::Url, state_cookie: &str) -> (String, Browser) {
        let mut browser = Browser::at(first.clone());
        let url = start(&mut browser, sign_in_body()).await;
        assert!(
            browser.cookies.contains_key(state_cookie),
            "the flow is in {state_cookie}"
        );
        let back: url::Url = self
            .provider
            .authorize(&url, "alice", Consent::Grant)
            .await
            .parse()
            .expect("a URL");
        let at_second = format!(
            "{}{}?{}",
            second.as_str().trim_end_matches('/'),
            back.path(),
            back.query().unwrap_or_default()
        );
        let mut there = Browser::at(second.clone());
        there.cookies = browser.cookies.clone();
        let landed = location(&there.visit(&at_second).await);
        (landed, there)
    }
}

/// With one Redis: a flow started on either server finishes on the other, which reads
/// the state (PKCE verifier, nonce, URLs) the first one stored there.
#[tokio::test]
async fn a_flow_started_on_one_server_finishes_on_the_other_through_redis() {
    use crate::shared_storage::{Prefix, redis_url};
    let prefix = Prefix(format!("{}:", keyward_tests::unique("social")));
    let redis = redis_url();
    let env = [("REDIS_URL", redis.as_str()), ("REDIS_PREFIX", prefix.0.as_str())];
    let redis_prefix = prefix.0.clone();
    let servers = BehindOneUrl::start(Database::Postgres, &env, move |config| {
        config.secondary_storage.redis_url = Some(redis_url());
        config.secondary_storage.key_prefix = redis_prefix;
    })
    .await;
    let (ba, kw) = (&servers.better_auth.url, &servers.keyward.url);
    let (landed, mut at_keyward) = servers.across(ba, kw, "better-auth.state").await;
    assert_eq!(landed, "/welcome");
    let (landed, mut at_better_auth) = servers.across(kw, ba, "better-auth.state").await;
    assert_eq!(landed, "/dashboard", "the same user, returning");
    assert_eq!(user_id(&mut at_better_auth).await, user_id(&mut at_keyward).await);
}

/// better-auth's cookie strategy and Keyward's read each other's `oauth_state` cookie
/// (the `oauth-state-cookie` purpose key, the same JSON).
#[tokio::test]
async fn a_cookie_kept_flow_started_on_one_server_finishes_on_the_other() {
    use keyward_server::config::StateStrategy;
    let env = [("STORE_STATE_STRATEGY", "cookie")];
    let servers = BehindOneUrl::start(Database::Sqlite, &env, |config| {
        config.account.store_state_strategy = StateStrategy::Cookie;
    })
    .await;
    let (ba, kw) = (&servers.better_auth.url, &servers.keyward.url);
    let (landed, _) = servers.across(ba, kw, "better-auth.oauth_state").await;
    assert_eq!(landed, "/welcome");
    let (landed, _) = servers.across(kw, ba, "better-auth.oauth_state").await;
    assert_eq!(landed, "/dashboard");
}
