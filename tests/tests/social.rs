//! Social sign-in on Keyward's server against a real OpenID Connect provider (npm
//! `oidc-provider`, started per test): the redirect flow followed as a browser follows it
//! (cookie jar, no automatic redirects), the ID-token flow, linking, and the provider
//! tokens of an account.

mod rules;
mod tokens;

use std::collections::HashMap;

use keyward_client::wire::{AccessTokenResponse, ErrorCode, IdTokenCredential, RefreshTokenResponse};
use keyward_server::Config;
use keyward_server::social::SocialProvider;
use keyward_tests::oidc::{Consent, OidcClient, OidcProvider};
use keyward_tests::{Database, TestServer, free_port};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use serde_json::{Value, json};

const CLIENT_ID: &str = "keyward-social";
const CLIENT_SECRET: &str = "keyward-social-secret";

/// A Keyward server with the provider `oidc`, and the provider itself.
pub(crate) struct Setup {
    pub(crate) server: TestServer,
    pub(crate) provider: OidcProvider,
}

fn accounts() -> Value {
    json!({
        "alice": {"email": "Alice@Example.com", "email_verified": true, "name": "Alice Liddell", "picture": "https://img.example.com/alice.png"},
        "bob": {"email": "bob@example.com", "email_verified": false, "name": "Bob"},
        "carol": {"email": "carol@example.com", "email_verified": true, "name": "Carol"}
    })
}

pub(crate) async fn setup_on(database: Database, configure: impl FnOnce(&mut Config), env: &[(&str, &str)]) -> Setup {
    setup_inner(database, configure, env, |builder| builder).await
}

async fn setup_inner(
    database: Database,
    configure: impl FnOnce(&mut Config),
    env: &[(&str, &str)],
    customize: impl FnOnce(keyward_server::AuthBuilder) -> keyward_server::AuthBuilder,
) -> Setup {
    // The provider's port is chosen first: Keyward reads its discovery document on the
    // first sign-in, and the provider must know Keyward's redirect URI when it starts.
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = TestServer::start_customized(
        database,
        |config| {
            let provider = SocialProvider::openid_connect(
                "oidc",
                &format!("{issuer}/.well-known/openid-configuration"),
                CLIENT_ID,
                CLIENT_SECRET,
            )
            .with_scopes(["email", "profile"]);
            config.social_providers.push(provider);
            configure(config);
        },
        customize,
    )
    .await;
    let client = OidcClient {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uris: vec![format!("{}api/auth/callback/oidc", server.url)],
    };
    let other = OidcClient {
        client_id: "another-app".into(),
        client_secret: "another-secret".into(),
        redirect_uris: vec!["http://127.0.0.1:9/cb".into()],
    };
    let provider = OidcProvider::start_on(port, &[client, other], accounts(), env).await;
    Setup { server, provider }
}

async fn setup(configure: impl FnOnce(&mut Config)) -> Setup {
    setup_on(Database::Sqlite, configure, &[]).await
}

/// Like [`setup_on`], with access to the `AuthBuilder` (database hooks).
async fn setup_customized(
    configure: impl FnOnce(&mut Config),
    customize: impl FnOnce(keyward_server::AuthBuilder) -> keyward_server::AuthBuilder,
) -> Setup {
    setup_inner(Database::Sqlite, configure, &[], customize).await
}

/// A browser at one auth server: its cookies, no automatic redirects.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: url::Url,
    pub(crate) cookies: HashMap<String, String>,
}

impl Browser {
    fn new(server: &TestServer) -> Self {
        Self::at(server.url.clone())
    }

    /// A browser at the server of origin `base`.
    pub(crate) fn at(base: url::Url) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base,
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all(SET_COOKIE) {
            let text = header.to_str().expect("ASCII cookie");
            let pair = text.split(';').next().expect("name=value");
            let (name, value) = pair.split_once('=').expect("name=value");
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub(crate) async fn post(&mut self, path: &str, body: Value) -> reqwest::Response {
        let url = self.base.join(&format!("api/auth{path}")).expect("url");
        let response = self
            .http
            .post(url)
            .header(ORIGIN, self.base.as_str().trim_end_matches('/'))
            .header(COOKIE, self.cookie_header())
            .json(&body)
            .send()
            .await
            .expect("answers");
        self.keep_cookies(&response);
        response
    }

    /// A navigation to an absolute URL (the provider's redirect back).
    pub(crate) async fn visit(&mut self, url: &str) -> reqwest::Response {
        let response = self
            .http
            .get(url)
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("answers");
        self.keep_cookies(&response);
        response
    }

    pub(crate) async fn get_json(&mut self, path: &str) -> (StatusCode, Value) {
        let response = self
            .visit(self.base.join(&format!("api/auth{path}")).expect("url").as_str())
            .await;
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub(crate) fn signed_in(&self) -> bool {
        self.cookies.contains_key("better-auth.session_token")
    }
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::FOUND, "a redirect: {response:?}");
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned()
}

/// Starts a sign-in at Keyward and returns the provider URL.
pub(crate) async fn start(browser: &mut Browser, body: Value) -> String {
    let response = browser.post("/sign-in/social", body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = response
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().expect("ASCII").to_owned());
    let json: Value = response.json().await.expect("JSON");
    assert_eq!(json["redirect"], true);
    let url = json["url"].as_str().expect("url").to_owned();
    assert_eq!(header.as_deref(), Some(url.as_str()), "Location repeats the URL");
    url
}

/// The whole flow: start, sign in at the provider as `login`, come back. Returns the
/// final redirect of Keyward's callback.
pub(crate) async fn round_trip(setup: &Setup, browser: &mut Browser, login: &str, body: Value) -> String {
    let url = start(browser, body).await;
    let back = setup.provider.authorize(&url, login, Consent::Grant).await;
    let response = browser.visit(&back).await;
    location(&response)
}

/// `/link-social` from the signed-in `browser` with `body`, then `login` at the provider:
/// where the callback sends the browser.
async fn link_as(setup: &Setup, browser: &mut Browser, login: &str, body: Value) -> String {
    let response = browser.post("/link-social", body).await;
    let json: Value = response.json().await.expect("JSON");
    let url = json["url"].as_str().expect("a provider URL");
    let back = setup.provider.authorize(url, login, Consent::Grant).await;
    location(&browser.visit(&back).await)
}

pub(crate) fn sign_in_body() -> Value {
    json!({"provider": "oidc", "callbackURL": "/dashboard", "newUserCallbackURL": "/welcome", "errorCallbackURL": "/oops"})
}

#[tokio::test]
async fn a_new_user_signs_up_and_a_returning_one_signs_in() {
    let setup = setup(|_| {}).await;
    let mut browser = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut browser, "alice", sign_in_body()).await;
    assert_eq!(landed, "/welcome", "a new user lands on newUserCallbackURL");
    assert!(browser.signed_in());
    assert!(
        !browser.cookies.contains_key("better-auth.state"),
        "the state cookie is cleared"
    );
    let (_, session) = browser.get_json("/get-session").await;
    assert_eq!(session["user"]["email"], "alice@example.com", "stored lowercased");
    assert_eq!(session["user"]["emailVerified"], true);
    assert_eq!(session["user"]["name"], "Alice Liddell");
    assert_eq!(session["user"]["image"], "https://img.example.com/alice.png");
    let (_, accounts) = browser.get_json("/list-accounts").await;
    let account = &accounts.as_array().expect("list")[0];
    assert_eq!(account["providerId"], "oidc");
    assert_eq!(account["accountId"], "alice");
    assert_eq!(account["scopes"], json!(["openid", "email", "profile"]));

    let mut again = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut again, "alice", sign_in_body()).await;
    assert_eq!(landed, "/dashboard", "a returning user lands on callbackURL");
    let (_, session) = again.get_json("/get-session").await;
    assert_eq!(session["user"]["id"], account["userId"]);
}

#[tokio::test]
async fn callback_url_defaults_to_the_site() {
    let setup = setup(|_| {}).await;
    let mut browser = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut browser, "carol", json!({"provider": "oidc"})).await;
    assert_eq!(landed, setup.server.url.as_str().trim_end_matches('/'));
}

#[tokio::test]
async fn a_verified_address_links_to_a_verified_user_and_an_unverified_one_does_not() {
    let setup = setup(|_| {}).await;
    let db = setup.server.auth.db();
    // carol (verified at the provider) and bob (not) already have password accounts.
    for email in ["carol@example.com", "bob@example.com"] {
        let mut browser = Browser::new(&setup.server);
        let response = browser
            .post(
                "/sign-up/email",
                json!({"email": email, "password": "password-1234", "name": "Local"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // Linking by address needs a locally verified user (requireLocalEmailVerified).
    let mut first = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut first, "carol", sign_in_body()).await;
    assert_eq!(landed, "/oops?error=account_not_linked");
    keyward_tests::mark_email_verified(db, "carol@example.com").await;
    let mut second = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut second, "carol", sign_in_body()).await;
    assert_eq!(landed, "/dashboard", "linked, not a new user");
    let (_, accounts) = second.get_json("/list-accounts").await;
    let providers: Vec<&str> = accounts
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["providerId"].as_str().expect("id"))
        .collect();
    assert_eq!(providers, ["credential", "oidc"]);

    // bob's address is not verified at the provider: no link, even to a verified user.
    keyward_tests::mark_email_verified(db, "bob@example.com").await;
    let mut third = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut third, "bob", sign_in_body()).await;
    assert_eq!(landed, "/oops?error=account_not_linked");
    assert!(!third.signed_in());
}

#[tokio::test]
async fn trusted_providers_link_unverified_addresses_and_sign_up_can_be_refused() {
    let setup = setup(|config| {
        config.account.account_linking.trusted_providers = vec!["oidc".into()];
        config.account.account_linking.require_local_email_verified = false;
        config.social_providers[0].disable_sign_up = true;
    })
    .await;
    let mut local = Browser::new(&setup.server);
    local
        .post(
            "/sign-up/email",
            json!({"email": "bob@example.com", "password": "password-1234", "name": "Bob"}),
        )
        .await;
    let mut browser = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut browser, "bob", sign_in_body()).await;
    assert_eq!(landed, "/dashboard", "a trusted provider links bob");
    let mut stranger = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut stranger, "alice", sign_in_body()).await;
    assert_eq!(landed, "/oops?error=signup_disabled");
    assert!(!stranger.signed_in());
}

#[tokio::test]
async fn a_denied_consent_lands_on_the_error_url() {
    let setup = setup(|_| {}).await;
    let mut browser = Browser::new(&setup.server);
    let url = start(&mut browser, sign_in_body()).await;
    let back = setup.provider.authorize(&url, "alice", Consent::Deny).await;
    let landed = location(&browser.visit(&back).await);
    assert!(landed.starts_with("/oops?error=access_denied"), "{landed}");
    assert!(!browser.signed_in());
}

#[tokio::test]
async fn bad_replayed_and_foreign_states_are_refused() {
    let setup = setup(|_| {}).await;
    let error_page = format!("{}api/auth/error", setup.server.url);
    let mut browser = Browser::new(&setup.server);
    let callback = format!("{}api/auth/callback/oidc", setup.server.url);
    let landed = location(&browser.visit(&format!("{callback}?code=x&state=not-a-state")).await);
    assert_eq!(landed, format!("{error_page}?error=state_mismatch"));
    let landed = location(&browser.visit(&format!("{callback}?code=x")).await);
    assert_eq!(landed, format!("{error_page}?error=state_not_found"));

    // A callback in another browser (no state cookie: login CSRF) is refused, and the
    // flow stays usable in the browser that started it.
    let url = start(&mut browser, sign_in_body()).await;
    let back = setup.provider.authorize(&url, "alice", Consent::Grant).await;
    let mut attacker = Browser::new(&setup.server);
    let landed = location(&attacker.visit(&back).await);
    assert_eq!(landed, "/oops?error=state_mismatch");
    assert!(!attacker.signed_in());
    let landed = location(&browser.visit(&back).await);
    assert_eq!(landed, "/welcome");
    // Used once: a replay is refused.
    let mut replay = Browser::new(&setup.server);
    replay.cookies = browser.cookies.clone();
    replay.cookies.remove("better-auth.session_token");
    let landed = location(&replay.visit(&back).await);
    assert_eq!(landed, format!("{error_page}?error=state_mismatch"));
}

#[tokio::test]
async fn an_expired_state_and_a_wrong_code_verifier_are_refused() {
    let setup = setup(|_| {}).await;
    let db = setup.server.auth.db().clone();
    let mut browser = Browser::new(&setup.server);
    let url = start(&mut browser, sign_in_body()).await;
    let back = setup.provider.authorize(&url, "alice", Consent::Grant).await;
    // The stored flow's PKCE verifier no longer matches the challenge the provider saw.
    let forged = "f".repeat(128);
    keyward_tests::rewrite_state(&db, |state| state["codeVerifier"] = json!(forged)).await;
    let landed = location(&browser.visit(&back).await);
    assert_eq!(landed, "/oops?error=invalid_code");

    let mut later = Browser::new(&setup.server);
    let url = start(&mut later, sign_in_body()).await;
    let back = setup.provider.authorize(&url, "alice", Consent::Grant).await;
    keyward_tests::rewrite_state(&db, |state| state["expiresAt"] = json!(1)).await;
    let landed = location(&later.visit(&back).await);
    assert_eq!(landed, "/oops?error=state_mismatch");
    assert!(!later.signed_in());
}

#[tokio::test]
async fn redirect_targets_must_be_trusted() {
    let setup = setup(|_| {}).await;
    let mut browser = Browser::new(&setup.server);
    for field in ["callbackURL", "errorCallbackURL", "newUserCallbackURL"] {
        for target in [
            "https://evil.example/x",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
        ] {
            let response = browser
                .post("/sign-in/social", json!({"provider": "oidc", field: target}))
                .await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{field} = {target}");
        }
    }
    let response = browser
        .post(
            "/link-social",
            json!({"provider": "oidc", "callbackURL": "https://evil.example"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_provider_that_went_down_ends_in_an_error_redirect() {
    let mut setup = setup(|_| {}).await;
    let mut browser = Browser::new(&setup.server);
    let url = start(&mut browser, sign_in_body()).await;
    let back = setup.provider.authorize(&url, "alice", Consent::Grant).await;
    setup.provider.stop();
    let landed = location(&browser.visit(&back).await);
    assert_eq!(landed, "/oops?error=invalid_code");
    assert!(!browser.signed_in());
}

#[tokio::test]
async fn the_form_post_callback_redirects_to_the_get() {
    let setup = setup(|_| {}).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    // A provider's form_post: a cross-site form without cookies.
    let response = http
        .post(format!("{}api/auth/callback/oidc?state=from-query", setup.server.url))
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("code=c1&state=s1&user=%7B%22a%22%3A1%7D&foo=bar")
        .send()
        .await
        .expect("answers");
    assert_eq!(
        location(&response),
        format!(
            "{}api/auth/callback/oidc?code=c1&state=from-query&user=%7B%22a%22%3A1%7D",
            setup.server.url
        )
    );
}

/// An ID token from the provider for `client`, as a native SDK would hold it.
async fn id_token_for(setup: &Setup, client_id: &str, nonce: &str) -> String {
    setup.provider.id_token(client_id, "alice", nonce).await
}
