//! Social sign-in on Keyward's server against a real OpenID Connect provider (npm
//! `oidc-provider`, started per test): the redirect flow followed as a browser follows it
//! (cookie jar, no automatic redirects), the ID-token flow, linking, and the provider
//! tokens of an account.

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

#[tokio::test]
async fn an_id_token_signs_in_when_it_is_the_providers_for_this_app() {
    let setup = setup(|_| {}).await;
    let client = setup.server.client();
    let token = id_token_for(&setup, CLIENT_ID, "n-123").await;
    let mut credential = IdTokenCredential::new(token.clone());
    credential.nonce = Some("n-123".into());
    let signed_in = client
        .sign_in()
        .social("oidc")
        .id_token(credential)
        .await
        .expect("signs in");
    assert_eq!(signed_in.user.email, "alice@example.com");
    assert!(!signed_in.redirect);
    let session = client.get_session().await.expect("session").expect("signed in");
    assert_eq!(session.user.id, signed_in.user.id);
    let stored = client.session().get();
    assert_eq!(
        stored.data.map(|d| d.user.id),
        Some(signed_in.user.id.clone()),
        "the store follows"
    );

    let mut wrong_nonce = IdTokenCredential::new(token);
    wrong_nonce.nonce = Some("another".into());
    let refused = client.sign_in().social("oidc").id_token(wrong_nonce).await;
    assert_eq!(
        refused.map(|_| ()).expect_err("refused").code(),
        Some(&ErrorCode::InvalidToken)
    );

    let foreign = id_token_for(&setup, "another-app", "n").await;
    let refused = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new(foreign))
        .await;
    assert_eq!(
        refused.map(|_| ()).expect_err("refused").code(),
        Some(&ErrorCode::InvalidToken),
        "wrong audience"
    );

    let garbage = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new("not.a.jwt"))
        .await;
    assert_eq!(
        garbage.map(|_| ()).expect_err("refused").code(),
        Some(&ErrorCode::InvalidToken)
    );
}

/// The token expires after a second; verification allows better-auth's 30 s of clock
/// leeway, so it is refused once 31 s have passed (the wait is for the clock itself).
#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let setup = setup_on(Database::Sqlite, |_| {}, &[("OIDC_ID_TOKEN_TTL", "1")]).await;
    let client = setup.server.client();
    let token = id_token_for(&setup, CLIENT_ID, "n").await;
    let fresh = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new(token.clone()))
        .await;
    assert!(fresh.is_ok(), "valid within the leeway: {fresh:?}");
    tokio::time::sleep(std::time::Duration::from_secs(32)).await;
    let expired = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new(token))
        .await
        .map(|_| ());
    assert_eq!(expired.expect_err("refused").code(), Some(&ErrorCode::InvalidToken));
}

#[tokio::test]
async fn tokens_are_kept_refreshed_and_encrypted_when_asked() {
    let setup = setup_on(
        Database::Sqlite,
        |config| config.account.encrypt_oauth_tokens = true,
        &[("OIDC_ACCESS_TOKEN_TTL", "3")],
    )
    .await;
    let mut browser = Browser::new(&setup.server);
    round_trip(&setup, &mut browser, "alice", sign_in_body()).await;
    let (_, accounts) = browser.get_json("/list-accounts").await;
    let account_id = accounts[0]["id"].as_str().expect("id").to_owned();
    let stored = keyward_tests::account_tokens(setup.server.auth.db(), &account_id).await;
    assert!(stored.0.chars().all(|c| c.is_ascii_hexdigit()), "encrypted at rest");

    // The access token expires within the five-second margin: the server refreshes it.
    let first: AccessTokenResponse = serde_json::from_value(
        browser
            .post("/get-access-token", json!({"accountId": account_id}))
            .await
            .json()
            .await
            .expect("JSON"),
    )
    .expect("token");
    assert!(!first.access_token.expose().is_empty());
    assert_eq!(first.scopes, ["openid", "email", "profile"]);
    let stored_after = keyward_tests::account_tokens(setup.server.auth.db(), &account_id).await;
    assert_ne!(stored.0, stored_after.0, "refreshed and stored");

    let refreshed: RefreshTokenResponse = serde_json::from_value(
        browser
            .post("/refresh-token", json!({"accountId": account_id}))
            .await
            .json()
            .await
            .expect("JSON"),
    )
    .expect("tokens");
    assert_ne!(refreshed.access_token, first.access_token);
    assert_eq!(refreshed.provider_id, "oidc");
    assert_eq!(refreshed.account_id, account_id);
    assert!(refreshed.refresh_token.is_some());

    let (status, info) = browser.get_json(&format!("/account-info?accountId={account_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["user"]["email"], "Alice@Example.com");
    assert_eq!(info["account"]["providerId"], "oidc");

    let response = browser.post("/get-access-token", json!({"providerId": "oidc"})).await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "1.7.25 selects by account id"
    );
    let response = browser.post("/get-access-token", json!({"accountId": "nope"})).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn link_social_adds_a_provider_account_to_the_signed_in_user() {
    let setup = setup(|_| {}).await;
    let mut browser = Browser::new(&setup.server);
    let response = browser
        .post(
            "/sign-up/email",
            json!({"email": "carol@example.com", "password": "password-1234", "name": "Carol"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // alice's address differs from carol's.
    let body = json!({"provider": "oidc", "callbackURL": "/linked", "errorCallbackURL": "/link-failed"});
    assert_eq!(
        link_as(&setup, &mut browser, "alice", body).await,
        "/link-failed?error=email_does_not_match"
    );
    assert_eq!(
        link_as(
            &setup,
            &mut browser,
            "carol",
            json!({"provider": "oidc", "callbackURL": "/linked"})
        )
        .await,
        "/linked"
    );
    let (_, accounts) = browser.get_json("/list-accounts").await;
    assert_eq!(accounts.as_array().expect("list").len(), 2);
    // Another user cannot take the linked account.
    let mut other = Browser::new(&setup.server);
    other
        .post(
            "/sign-up/email",
            json!({"email": "dave@example.com", "password": "password-1234", "name": "Dave"}),
        )
        .await;
    let landed = link_as(
        &setup,
        &mut other,
        "carol",
        json!({"provider": "oidc", "callbackURL": "/linked"}),
    )
    .await;
    assert!(landed.contains("error="), "{landed}");
}

#[tokio::test]
async fn the_flow_works_on_postgres() {
    let setup = setup_on(Database::Postgres, |_| {}, &[]).await;
    let mut browser = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut browser, "alice", sign_in_body()).await,
        "/welcome"
    );
    let mut again = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut again, "alice", sign_in_body()).await,
        "/dashboard"
    );
}

#[tokio::test]
async fn implicit_sign_up_can_require_the_request_to_ask_for_it() {
    let setup = setup(|config| config.social_providers[0].disable_implicit_sign_up = true).await;
    let mut browser = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut browser, "alice", sign_in_body()).await;
    assert_eq!(landed, "/oops?error=signup_disabled");
    let mut asking = Browser::new(&setup.server);
    let mut body = sign_in_body();
    body["requestSignUp"] = json!(true);
    assert_eq!(round_trip(&setup, &mut asking, "alice", body).await, "/welcome");
}

#[tokio::test]
async fn linking_rules_different_addresses_profile_copies_and_no_implicit_linking() {
    let setup = setup(|config| {
        let linking = &mut config.account.account_linking;
        linking.allow_different_emails = true;
        linking.update_user_info_on_link = true;
        linking.disable_implicit_linking = true;
    })
    .await;
    let mut browser = Browser::new(&setup.server);
    browser
        .post(
            "/sign-up/email",
            json!({"email": "carol@example.com", "password": "password-1234", "name": "Local"}),
        )
        .await;
    keyward_tests::mark_email_verified(setup.server.auth.db(), "carol@example.com").await;
    // No implicit linking: the provider's carol does not become the local carol.
    let mut stranger = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut stranger, "carol", sign_in_body()).await,
        "/oops?error=account_not_linked"
    );
    // /link-social still links, another address too, and copies the provider's profile.
    assert_eq!(
        link_as(
            &setup,
            &mut browser,
            "alice",
            json!({"provider": "oidc", "callbackURL": "/linked"})
        )
        .await,
        "/linked"
    );
    let (_, session) = browser.get_json("/get-session?disableCookieCache=true").await;
    assert_eq!(session["user"]["name"], "Alice Liddell", "updateUserInfoOnLink");
    assert_eq!(session["user"]["email"], "carol@example.com", "the address stays");
}

#[tokio::test]
async fn override_user_info_copies_the_providers_profile_on_every_sign_in() {
    let setup = setup(|config| config.social_providers[0].override_user_info_on_sign_in = true).await;
    let mut first = Browser::new(&setup.server);
    round_trip(&setup, &mut first, "alice", sign_in_body()).await;
    first.post("/update-user", json!({"name": "Renamed"})).await;
    let mut second = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut second, "alice", sign_in_body()).await,
        "/dashboard"
    );
    let (_, session) = second.get_json("/get-session").await;
    assert_eq!(session["user"]["name"], "Alice Liddell");
}

#[tokio::test]
async fn a_provider_whose_discovery_fails_is_a_clear_error() {
    let port = free_port();
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.social_providers.push(SocialProvider::openid_connect(
            "down",
            &format!("http://127.0.0.1:{port}/.well-known/openid-configuration"),
            "client",
            "secret",
        ));
    })
    .await;
    let mut browser = Browser::new(&server);
    let response = browser.post("/sign-in/social", json!({"provider": "down"})).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["code"], "PROVIDER_UNAVAILABLE");
}

/// A provider whose token endpoint answers garbage: the real provider's pages sign the
/// user in, then the exchange goes to an endpoint that answers HTML with 200.
#[tokio::test]
async fn a_token_endpoint_answering_garbage_ends_in_an_error_redirect() {
    let garbage = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let garbage_url = format!("http://{}/token", garbage.local_addr().expect("address"));
    tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/token",
            axum::routing::post(|| async { ([("content-type", "application/json")], "<html>oops</html>") }),
        );
        let _ = axum::serve(garbage, app).await;
    });
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.social_providers.push(
            SocialProvider::oauth2(
                "oidc",
                &format!("{issuer}/auth"),
                &garbage_url,
                &format!("{issuer}/me"),
                CLIENT_ID,
                CLIENT_SECRET,
            )
            .with_scopes(["openid", "email", "profile"]),
        );
    })
    .await;
    let client = OidcClient {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uris: vec![format!("{}api/auth/callback/oidc", server.url)],
    };
    let provider = OidcProvider::start_on(port, &[client], accounts(), &[]).await;
    let mut browser = Browser::new(&server);
    let url = start(&mut browser, sign_in_body()).await;
    let back = provider.authorize(&url, "alice", Consent::Grant).await;
    assert_eq!(location(&browser.visit(&back).await), "/oops?error=invalid_code");
    assert!(!browser.signed_in());
}

#[tokio::test]
async fn a_provider_requiring_verified_addresses_refuses_unverified_users() {
    let setup = setup(|config| config.social_providers[0].require_email_verification = true).await;
    let mut browser = Browser::new(&setup.server);
    // bob's address is not verified at the provider: created, but not signed in.
    let landed = round_trip(&setup, &mut browser, "bob", sign_in_body()).await;
    assert_eq!(landed, "/oops?error=email_not_verified");
    assert!(!browser.signed_in());
    let mut verified = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut verified, "alice", sign_in_body()).await,
        "/welcome"
    );
}

/// A sign-in the provider started arrives with a code and no state: with
/// allowIdpInitiated the callback restarts the flow for this browser instead of failing.
#[tokio::test]
async fn a_provider_initiated_sign_in_restarts_the_flow_when_allowed() {
    let setup = setup(|config| config.social_providers[0].allow_idp_initiated = true).await;
    let mut browser = Browser::new(&setup.server);
    let callback = format!("{}api/auth/callback/oidc?code=from-the-provider", setup.server.url);
    let restarted = location(&browser.visit(&callback).await);
    assert!(restarted.starts_with(setup.provider.issuer.as_str()), "{restarted}");
    assert!(browser.cookies.contains_key("better-auth.state"));
    let back = setup.provider.authorize(&restarted, "alice", Consent::Grant).await;
    let landed = location(&browser.visit(&back).await);
    assert_eq!(landed, setup.server.url.as_str().trim_end_matches('/'));
    assert!(browser.signed_in());

    let strict = setup_on(Database::Sqlite, |_| {}, &[]).await;
    let mut other = Browser::new(&strict.server);
    let callback = format!("{}api/auth/callback/oidc?code=from-the-provider", strict.server.url);
    let refused = location(&other.visit(&callback).await);
    assert!(refused.ends_with("/api/auth/error?error=state_not_found"), "{refused}");
}

#[tokio::test]
async fn the_cookie_state_strategy_keeps_the_flow_in_an_encrypted_cookie() {
    use keyward_server::config::StateStrategy;
    let setup = setup(|config| config.account.store_state_strategy = StateStrategy::Cookie).await;
    let mut browser = Browser::new(&setup.server);
    let url = start(&mut browser, sign_in_body()).await;
    assert!(browser.cookies.contains_key("better-auth.oauth_state"));
    assert!(!browser.cookies.contains_key("better-auth.state"));
    let back = setup.provider.authorize(&url, "alice", Consent::Grant).await;
    // Another browser has no such cookie; a tampered cookie does not decrypt.
    let mut attacker = Browser::new(&setup.server);
    assert_eq!(
        location(&attacker.visit(&back).await),
        format!("{}api/auth/error?error=state_mismatch", setup.server.url)
    );
    let mut tampered = Browser::new(&setup.server);
    let mut value = browser.cookies["better-auth.oauth_state"].clone();
    value.replace_range(60..62, if &value[60..62] == "00" { "11" } else { "00" });
    tampered.cookies.insert("better-auth.oauth_state".into(), value);
    assert_eq!(
        location(&tampered.visit(&back).await),
        format!("{}api/auth/error?error=state_invalid", setup.server.url)
    );
    assert_eq!(location(&browser.visit(&back).await), "/welcome");
    assert!(
        !browser.cookies.contains_key("better-auth.oauth_state"),
        "cleared once read"
    );
}

/// A database hook refusing the new user: the callback ends at the error URL with the
/// hook's code and message, the ID-token sign-in answers its `{message, code}`.
#[tokio::test]
async fn a_user_hook_refusing_a_new_user_ends_the_flow_with_its_code() {
    struct NoExampleDotCom;
    #[async_trait::async_trait]
    impl keyward_server::hooks::UserHooks for NoExampleDotCom {
        async fn before_create(
            &self,
            _auth: &keyward_server::Auth,
            user: &mut keyward_server::db::users::NewUser,
        ) -> Result<(), keyward_server::ApiError> {
            if user.email.ends_with("@example.com") {
                return Err(keyward_server::ApiError::with_message(
                    reqwest::StatusCode::FORBIDDEN,
                    ErrorCode::Other("DOMAIN_NOT_ALLOWED".into()),
                    "Not from example.com",
                ));
            }
            Ok(())
        }
    }
    let setup = setup_customized(|_| {}, |builder| builder.user_hooks(NoExampleDotCom)).await;
    let mut browser = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut browser, "alice", sign_in_body()).await;
    assert_eq!(
        landed,
        "/oops?error=DOMAIN_NOT_ALLOWED&error_description=Not+from+example.com"
    );
    assert!(!browser.signed_in());
    let client = setup.server.client();
    let token = id_token_for(&setup, CLIENT_ID, "n").await;
    let refused = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new(token))
        .await
        .map(|_| ());
    assert_eq!(
        refused.expect_err("refused").code(),
        Some(&ErrorCode::Other("DOMAIN_NOT_ALLOWED".into()))
    );
}

/// Account update hooks on a provider's tokens: a returning sign-in stores them through
/// the hooks; while the account is frozen, the sign-in ends at the error URL with the
/// hook's code and message, and refresh-token answers its `{message, code}`.
#[tokio::test]
async fn account_update_hooks_see_a_providers_tokens_and_may_refuse_them() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Frozen {
        frozen: Arc<AtomicBool>,
        updated: Arc<Mutex<Vec<bool>>>,
    }
    #[async_trait::async_trait]
    impl keyward_server::hooks::AccountHooks for Frozen {
        async fn before_update(
            &self,
            _auth: &keyward_server::Auth,
            account: &keyward_server::db::accounts::Account,
            changes: &mut keyward_server::db::accounts::AccountChanges,
        ) -> Result<(), keyward_server::ApiError> {
            assert_eq!(account.provider_id, "oidc");
            assert!(changes.tokens.access_token.is_some(), "the provider's new tokens");
            if self.frozen.load(Ordering::SeqCst) {
                return Err(keyward_server::ApiError::with_message(
                    reqwest::StatusCode::FORBIDDEN,
                    ErrorCode::Other("ACCOUNT_FROZEN".into()),
                    "This account is frozen",
                ));
            }
            Ok(())
        }

        async fn after_update(&self, _auth: &keyward_server::Auth, account: &keyward_server::db::accounts::Account) {
            self.updated
                .lock()
                .expect("not poisoned")
                .push(account.access_token.is_some());
        }
    }
    let hooks = Frozen::default();
    let probe = hooks.clone();
    let setup = setup_customized(|_| {}, move |builder| builder.account_hooks(hooks)).await;
    let mut browser = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut browser, "alice", sign_in_body()).await,
        "/welcome"
    );
    let mut again = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut again, "alice", sign_in_body()).await,
        "/dashboard"
    );
    assert_eq!(
        *probe.updated.lock().expect("not poisoned"),
        [true],
        "the returning sign-in stored its tokens"
    );

    probe.frozen.store(true, Ordering::SeqCst);
    let mut refused = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut refused, "alice", sign_in_body()).await,
        "/oops?error=ACCOUNT_FROZEN&error_description=This+account+is+frozen"
    );
    assert!(!refused.signed_in());
    let (_, accounts) = browser.get_json("/list-accounts").await;
    let account_id = accounts[0]["id"].as_str().expect("id").to_owned();
    let response = browser.post("/refresh-token", json!({"accountId": account_id})).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["code"], "ACCOUNT_FROZEN");
    assert_eq!(body["message"], "This account is frozen");
    assert_eq!(
        *probe.updated.lock().expect("not poisoned"),
        [true],
        "nothing stored while frozen"
    );
}

#[tokio::test]
async fn the_last_login_method_plugin_records_the_provider_of_a_callback() {
    let setup = setup(|config| {
        config.last_login_method =
            Some(keyward_server::config::LastLoginMethodConfig::default().store_in_database(true));
    })
    .await;
    let mut browser = Browser::new(&setup.server);
    let url = start(&mut browser, sign_in_body()).await;
    assert!(
        !browser.cookies.contains_key("better-auth.last_used_login_method"),
        "starting a sign-in is not signing in"
    );
    let back = setup.provider.authorize(&url, "alice", Consent::Grant).await;
    let landed = browser.visit(&back).await;
    assert_eq!(location(&landed), "/welcome");
    assert_eq!(
        browser
            .cookies
            .get("better-auth.last_used_login_method")
            .map(String::as_str),
        Some("oidc"),
        "the provider's id, from /callback/{{id}}"
    );
    let (status, body) = browser.get_json("/get-session").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["lastLoginMethod"], "oidc");
}
