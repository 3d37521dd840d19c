//! The electron plugin on Keyward's server, driven as a desktop app and its system browser
//! drive it, against a real OpenID Connect provider (npm `oidc-provider`): the app opens
//! `/electron/init-oauth-proxy` in the browser, the browser signs in at the provider and
//! comes back with the code (in the `better-auth.electron` cookie, or at the app's
//! loopback or deep-link `redirect_uri`), and the app trades it at `/electron/token`
//! with its PKCE verifier. Then the attacks: replayed, misdirected, expired and
//! wrong-verifier codes, and `redirect_uri`s that are not the app's.

use std::collections::BTreeMap;
use std::time::Duration;

use keyward_client::wire::ElectronTransfer;
use keyward_server::Config;
use keyward_server::config::ElectronConfig;
use keyward_server::crypto::{base64url, random_string, sha256};
use keyward_server::db::Exec;
use keyward_server::social::SocialProvider;
use keyward_tests::oidc::{Consent, OidcClient, OidcProvider};
use keyward_tests::{Database, TestServer, free_port};
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

use crate::social::{Browser, location};

const CLIENT_ID: &str = "keyward-electron";
const CLIENT_SECRET: &str = "keyward-electron-secret";

/// A PKCE pair as an app makes it: a random verifier and `base64url(SHA-256(verifier))`.
pub(crate) struct Pkce {
    pub(crate) verifier: String,
    pub(crate) challenge: String,
}

impl Pkce {
    pub(crate) fn new() -> Self {
        let verifier = random_string(
            64,
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~",
        );
        let challenge = base64url(&sha256(verifier.as_bytes()));
        Self { verifier, challenge }
    }
}

/// A state as an app makes it.
pub(crate) fn new_state() -> String {
    random_string(24, b"abcdefghijklmnopqrstuvwxyz0123456789")
}

/// `<base>api/auth<path>?<query>`.
pub(crate) fn auth_url(base: &Url, path: &str, query: &[(&str, &str)]) -> String {
    let mut url = base.join(&format!("api/auth{path}")).expect("url");
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    url.into()
}

/// The `Set-Cookie` headers of an answer, the last of each name: its value and its
/// attributes as written (`Max-Age=120; Path=/; SameSite=Lax`).
pub(crate) fn set_cookies(response: &reqwest::Response) -> BTreeMap<String, (String, String)> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .filter_map(|text| {
            let (pair, attributes) = text.split_once("; ").unwrap_or((text, ""));
            let (name, value) = pair.split_once('=')?;
            Some((name.to_owned(), (value.to_owned(), attributes.to_owned())))
        })
        .collect()
}

/// The browser opens `/electron/init-oauth-proxy` with `query`, signs in at the provider
/// as `login` (or denies), and comes back: the callback's answer.
pub(crate) async fn through_the_browser(
    browser: &mut Browser,
    provider: &OidcProvider,
    base: &Url,
    query: &[(&str, &str)],
    login: &str,
    consent: Consent,
) -> reqwest::Response {
    let init = browser
        .visit(&auth_url(base, "/electron/init-oauth-proxy", query))
        .await;
    let to_provider = location(&init);
    let back = provider.authorize(&to_provider, login, consent).await;
    browser.visit(&back).await
}

/// The code the `better-auth.electron` cookie of `browser` carries, with its state.
pub(crate) fn code_from_cookie(browser: &Browser) -> ElectronTransfer {
    let cookie = browser.cookies.get("better-auth.electron").expect("the code cookie");
    ElectronTransfer::decode(cookie).expect("base64url {identifier, state}")
}

/// `POST /electron/token` as the app sends it (no cookie, no Origin): status, cookies, JSON.
pub(crate) async fn trade(
    base: &Url,
    code: &str,
    state: &str,
    verifier: &str,
) -> (StatusCode, BTreeMap<String, (String, String)>, Value) {
    let response = reqwest::Client::new()
        .post(auth_url(base, "/electron/token", &[]))
        .json(&json!({"token": code, "state": state, "code_verifier": verifier}))
        .send()
        .await
        .expect("answers");
    let status = response.status();
    let cookies = set_cookies(&response);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, cookies, body)
}

/// The session a bearer token is, as `/get-session` answers it.
pub(crate) async fn session_of(base: &Url, token: &str) -> Value {
    reqwest::Client::new()
        .get(auth_url(base, "/get-session", &[]))
        .bearer_auth(token)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON")
}

/// The `code` of an error answer.
pub(crate) fn code_of(body: &Value) -> &str {
    body["code"].as_str().unwrap_or_default()
}

/// A Keyward server with the electron plugin (deep links `myapp:`) and the provider `oidc`.
struct Desktop {
    server: TestServer,
    provider: OidcProvider,
}

async fn desktop_with(configure: impl FnOnce(&mut Config)) -> Desktop {
    let port = free_port();
    let discovery = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.social_providers.push(
            SocialProvider::openid_connect("oidc", &discovery, CLIENT_ID, CLIENT_SECRET)
                .with_scopes(["email", "profile"]),
        );
        config.electron = Some(ElectronConfig::default().deep_link_scheme("myapp"));
        configure(config);
    })
    .await;
    let client = OidcClient {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uris: vec![format!("{}api/auth/callback/oidc", server.url)],
    };
    let provider = OidcProvider::start_on(port, &[client], json!({}), &[]).await;
    Desktop { server, provider }
}

async fn desktop() -> Desktop {
    desktop_with(|_| {}).await
}

/// A browser signed up as `email` by password.
async fn signed_up(server: &TestServer, email: &str) -> Browser {
    let mut browser = Browser::at(server.url.clone());
    let response = browser
        .post(
            "/sign-up/email",
            json!({"email": email, "password": "password-1234", "name": "Desk Top"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    browser
}

/// `/electron/transfer-user` from `browser` for `pkce` and `state`: the answer.
async fn transfer(
    browser: &mut Browser,
    client_id: &str,
    state: &str,
    challenge: &str,
    body: Value,
) -> (StatusCode, Value) {
    let query = [
        ("client_id", client_id),
        ("state", state),
        ("code_challenge", challenge),
    ];
    let path = format!("/electron/transfer-user?{}", query_string(&query));
    let response = browser.post(&path, body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[tokio::test]
async fn a_desktop_app_signs_in_through_the_browser_and_trades_the_code() {
    let setup = desktop().await;
    let base = &setup.server.url;
    let (pkce, state) = (Pkce::new(), new_state());
    let mut browser = Browser::at(base.clone());
    let query = [
        ("provider", "oidc"),
        ("client_id", "electron"),
        ("state", state.as_str()),
        ("code_challenge", pkce.challenge.as_str()),
    ];
    let init = browser
        .visit(&auth_url(base, "/electron/init-oauth-proxy", &query))
        .await;
    let to_provider = location(&init);
    assert!(
        to_provider.starts_with(setup.provider.issuer.as_str().trim_end_matches('/')),
        "{to_provider}"
    );
    let cookies = set_cookies(&init);
    let (transfer, attributes) = &cookies["better-auth.transfer_token"];
    assert_eq!(attributes, "Max-Age=300; Path=/; HttpOnly; SameSite=Lax");
    assert!(
        transfer.starts_with("%7B%22client_id%22%3A%22electron%22"),
        "{transfer}"
    );
    assert!(cookies.contains_key("better-auth.state"));

    let back = setup.provider.authorize(&to_provider, "alice", Consent::Grant).await;
    let callback = browser.visit(&back).await;
    assert_eq!(
        location(&callback),
        base.as_str().trim_end_matches('/'),
        "the flow's own redirect"
    );
    let cookies = set_cookies(&callback);
    assert_eq!(cookies["better-auth.transfer_token"].0, "", "the transfer is over");
    let (value, attributes) = &cookies["better-auth.electron"];
    assert_eq!(attributes, "Max-Age=120; Path=/; SameSite=Lax", "readable by the page");
    assert_eq!(value.replace("%3D", "=").len() % 4, 0, "padded base64url: {value}");
    let transfer = code_from_cookie(&browser);
    assert_eq!(transfer.state, state);
    assert_eq!(transfer.identifier.expose().len(), 32);
    assert!(transfer.identifier.expose().bytes().all(|b| b.is_ascii_alphanumeric()));

    let (status, cookies, body) = trade(base, transfer.identifier.expose(), &state, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "alice@example.com");
    let token = body["token"].as_str().expect("a session token");
    assert!(cookies["better-auth.session_token"].0.starts_with(token));
    let session = session_of(base, token).await;
    assert_eq!(session["user"]["email"], "alice@example.com");
    assert_eq!(
        session["session"]["token"], token,
        "a session of its own, not the browser's"
    );
    let (_, browser_session) = browser.get_json("/get-session").await;
    assert_ne!(browser_session["session"]["token"], token);

    let (status, _, body) = trade(base, transfer.identifier.expose(), &state, &pkce.verifier).await;
    assert_eq!(
        (status, code_of(&body)),
        (StatusCode::NOT_FOUND, "INVALID_TOKEN"),
        "single use"
    );
    assert_eq!(body["message"], "Invalid or expired token.");
}

#[tokio::test]
async fn a_loopback_or_deep_link_redirect_uri_gets_the_code_without_a_page() {
    let setup = desktop().await;
    let base = &setup.server.url;
    for (redirect_uri, login) in [
        ("http://127.0.0.1:53682/callback", "bob"),
        ("http://[::1]:8123/cb?app=1", "carol"),
        ("myapp:/auth/callback", "dave"),
    ] {
        let (pkce, state) = (Pkce::new(), new_state());
        let mut browser = Browser::at(base.clone());
        let query = [
            ("provider", "oidc"),
            ("client_id", "electron"),
            ("state", state.as_str()),
            ("code_challenge", pkce.challenge.as_str()),
            ("redirect_uri", redirect_uri),
        ];
        let callback = through_the_browser(&mut browser, &setup.provider, base, &query, login, Consent::Grant).await;
        let landed = location(&callback);
        let code = if redirect_uri.starts_with("http") {
            let url: Url = landed.parse().expect("a URL");
            assert!(landed.starts_with(redirect_uri), "{landed}");
            let pairs: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
            assert_eq!(pairs["state"], state);
            pairs["electron_authorization_code"].clone()
        } else {
            let token = landed
                .strip_prefix("myapp:/auth/callback#token=")
                .unwrap_or_else(|| panic!("a deep link with the transfer: {landed}"));
            let transfer = ElectronTransfer::decode(token).expect("the cookie's value");
            assert_eq!(transfer.state, state);
            assert_eq!(transfer, code_from_cookie(&browser), "the same value as the cookie");
            transfer.identifier.expose().to_owned()
        };
        let (status, _, body) = trade(base, &code, &state, &pkce.verifier).await;
        assert_eq!(status, StatusCode::OK, "{redirect_uri}: {body}");
        assert_eq!(body["user"]["email"], format!("{login}@example.com"));
    }
}

#[tokio::test]
async fn a_denied_consent_lands_on_the_loopback_uri_as_an_error() {
    let setup = desktop().await;
    let base = &setup.server.url;
    let (pkce, state) = (Pkce::new(), new_state());
    let mut browser = Browser::at(base.clone());
    let query = [
        ("provider", "oidc"),
        ("state", state.as_str()),
        ("code_challenge", pkce.challenge.as_str()),
        ("redirect_uri", "http://127.0.0.1:40000/done"),
    ];
    let callback = through_the_browser(&mut browser, &setup.provider, base, &query, "alice", Consent::Deny).await;
    assert_eq!(
        location(&callback),
        format!("http://127.0.0.1:40000/done?error=access_denied&state={state}")
    );
    assert!(!browser.signed_in());
    assert!(
        !browser.cookies.contains_key("better-auth.transfer_token"),
        "the transfer is over"
    );
    assert!(!browser.cookies.contains_key("better-auth.electron"));

    // Without redirect_uri a denial ends where better-auth ends it: the error page.
    let mut plain = Browser::at(base.clone());
    let query = [
        ("provider", "oidc"),
        ("state", state.as_str()),
        ("code_challenge", pkce.challenge.as_str()),
    ];
    let callback = through_the_browser(&mut plain, &setup.provider, base, &query, "alice", Consent::Deny).await;
    let landed = location(&callback);
    assert!(
        landed.starts_with(&format!("{base}api/auth/error?error=access_denied")),
        "{landed}"
    );
    assert!(
        plain.cookies.contains_key("better-auth.transfer_token"),
        "kept, as better-auth keeps it"
    );
}

#[tokio::test]
async fn redirect_uris_that_are_not_the_apps_are_refused_before_the_provider() {
    let setup = desktop().await;
    let base = &setup.server.url;
    let pkce = Pkce::new();
    for redirect_uri in [
        "https://127.0.0.1:53682/callback",
        "http://evil.example.com/callback",
        "http://localhost:53682/callback",
        "http://user:pw@127.0.0.1:53682/callback",
        "http://127.0.0.1:53682@evil.example.com/callback",
        "http://127.0.0.1:53682/callback#frag",
        "otherapp:/auth/callback",
        "javascript:alert(1)",
        "//127.0.0.1:53682/callback",
    ] {
        let mut browser = Browser::at(base.clone());
        let query = [
            ("provider", "oidc"),
            ("state", "s1"),
            ("code_challenge", pkce.challenge.as_str()),
            ("redirect_uri", redirect_uri),
        ];
        let response = browser
            .visit(&auth_url(base, "/electron/init-oauth-proxy", &query))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{redirect_uri}");
        assert!(response.headers().get(reqwest::header::LOCATION).is_none());
        assert!(set_cookies(&response).is_empty(), "no flow started for {redirect_uri}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(code_of(&body), "INVALID_REDIRECT_URI", "{redirect_uri}");
        assert!(!body["message"].as_str().unwrap_or_default().is_empty());
    }
    // A loopback redirect needs the state and challenge it returns.
    for (state, challenge, code) in [("", "c", "MISSING_STATE"), ("s", "", "MISSING_PKCE")] {
        let query = [
            ("provider", "oidc"),
            ("state", state),
            ("code_challenge", challenge),
            ("redirect_uri", "http://127.0.0.1:1/cb"),
        ];
        let mut browser = Browser::at(base.clone());
        let response = browser
            .visit(&auth_url(base, "/electron/init-oauth-proxy", &query))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(code_of(&body), code);
    }
    // On a password sign-in the same rule holds, before the password is checked.
    signed_up(&setup.server, "eve@example.com").await;
    let mut browser = Browser::at(base.clone());
    let query = query_string(&[
        ("client_id", "electron"),
        ("state", "s1"),
        ("code_challenge", pkce.challenge.as_str()),
        ("redirect_uri", "https://evil.example.com/"),
    ]);
    let response = browser
        .post(
            &format!("/sign-in/email?{query}"),
            json!({"email": "eve@example.com", "password": "password-1234"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(!browser.signed_in());
}

#[tokio::test]
async fn codes_are_single_use_and_bound_to_their_state_and_verifier() {
    let setup = desktop().await;
    let base = &setup.server.url;
    let mut browser = signed_up(&setup.server, "frank@example.com").await;
    let pkce = Pkce::new();

    // A wrong verifier is refused, and the code is burnt with it.
    let (status, body) = transfer(&mut browser, "electron", "s1", &pkce.challenge, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = body["electron_authorization_code"].as_str().expect("a code").to_owned();
    let wrong = Pkce::new();
    let (status, _, body) = trade(base, &code, "s1", &wrong.verifier).await;
    assert_eq!(
        (status, code_of(&body)),
        (StatusCode::BAD_REQUEST, "INVALID_CODE_VERIFIER")
    );
    let (status, _, body) = trade(base, &code, "s1", &pkce.verifier).await;
    assert_eq!(
        (status, code_of(&body)),
        (StatusCode::NOT_FOUND, "INVALID_TOKEN"),
        "burnt"
    );

    // So is a wrong state.
    let (_, body) = transfer(&mut browser, "electron", "s2", &pkce.challenge, json!({})).await;
    let code = body["electron_authorization_code"].as_str().expect("a code").to_owned();
    let (status, _, body) = trade(base, &code, "s3", &pkce.verifier).await;
    assert_eq!((status, code_of(&body)), (StatusCode::BAD_REQUEST, "STATE_MISMATCH"));
    let (status, _, _) = trade(base, &code, "s2", &pkce.verifier).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The challenge itself is not a verifier.
    let (_, body) = transfer(&mut browser, "electron", "s4", &pkce.challenge, json!({})).await;
    let code = body["electron_authorization_code"].as_str().expect("a code").to_owned();
    let (status, _, body) = trade(base, &code, "s4", &pkce.challenge).await;
    assert_eq!(
        (status, code_of(&body)),
        (StatusCode::BAD_REQUEST, "INVALID_CODE_VERIFIER")
    );

    // Unknown codes and empty fields.
    let (status, _, body) = trade(base, "not-a-code", "s1", &pkce.verifier).await;
    assert_eq!((status, code_of(&body)), (StatusCode::NOT_FOUND, "INVALID_TOKEN"));
    let (status, _, body) = trade(base, "", "s1", &pkce.verifier).await;
    assert_eq!((status, code_of(&body)), (StatusCode::BAD_REQUEST, "VALIDATION_ERROR"));
}

#[tokio::test]
async fn a_code_whose_user_is_gone_or_whose_row_is_unreadable_is_refused_without_a_500() {
    let setup = desktop().await;
    let base = &setup.server.url;
    let mut db = setup.server.auth.db().clone();
    let pkce = Pkce::new();

    // The row was damaged after it was written.
    let mut browser = signed_up(&setup.server, "ivan@example.com").await;
    let (_, body) = transfer(&mut browser, "electron", "s1", &pkce.challenge, json!({})).await;
    let code = body["electron_authorization_code"].as_str().expect("a code").to_owned();
    let damaged = db
        .execute(
            r#"update "verification" set "value" = $1 where "identifier" like 'electron:%'"#,
            keyward_server::args!["{not json"],
        )
        .await
        .expect("damages the row");
    assert_eq!(damaged, 1);
    let (status, _, body) = trade(base, &code, "s1", &pkce.verifier).await;
    assert_eq!((status, code_of(&body)), (StatusCode::NOT_FOUND, "INVALID_TOKEN"));

    // The user was deleted between the code and the exchange.
    let (_, body) = transfer(&mut browser, "electron", "s2", &pkce.challenge, json!({})).await;
    let code = body["electron_authorization_code"].as_str().expect("a code").to_owned();
    db.execute(r#"delete from "session""#, keyward_server::args![])
        .await
        .expect("ends the sessions");
    let deleted = db
        .execute(
            r#"delete from "user" where "email" = $1"#,
            keyward_server::args!["ivan@example.com"],
        )
        .await
        .expect("deletes the user");
    assert_eq!(deleted, 1);
    let (status, _, body) = trade(base, &code, "s2", &pkce.verifier).await;
    assert_eq!((status, code_of(&body)), (StatusCode::NOT_FOUND, "USER_NOT_FOUND"));
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let setup = desktop_with(|config| {
        config.electron = Some(ElectronConfig::default().code_expires_in(Duration::from_secs(1)));
    })
    .await;
    let base = &setup.server.url;
    let mut browser = signed_up(&setup.server, "grace@example.com").await;
    let pkce = Pkce::new();
    let (_, body) = transfer(&mut browser, "electron", "s1", &pkce.challenge, json!({})).await;
    let code = body["electron_authorization_code"].as_str().expect("a code").to_owned();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, _, body) = trade(base, &code, "s1", &pkce.verifier).await;
    assert_eq!((status, code_of(&body)), (StatusCode::NOT_FOUND, "INVALID_TOKEN"));
}

#[tokio::test]
async fn transfer_user_hands_the_callers_session_to_this_client_only() {
    let setup = desktop().await;
    let base = &setup.server.url;
    let pkce = Pkce::new();
    let mut stranger = Browser::at(base.clone());
    let (status, body) = transfer(&mut stranger, "electron", "s1", &pkce.challenge, json!({})).await;
    assert_eq!((status, code_of(&body)), (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"));

    let mut browser = signed_up(&setup.server, "heidi@example.com").await;
    let refusals = [
        ("other-app", "s1", pkce.challenge.as_str(), "INVALID_CLIENT_ID"),
        ("electron", "", pkce.challenge.as_str(), "MISSING_STATE"),
        ("electron", "s1", "", "MISSING_PKCE"),
    ];
    for (client_id, state, challenge, code) in refusals {
        let (status, body) = transfer(&mut browser, client_id, state, challenge, json!({})).await;
        assert_eq!((status, code_of(&body)), (StatusCode::BAD_REQUEST, code));
    }
    let (status, body) = transfer(
        &mut browser,
        "electron",
        "s1",
        &pkce.challenge,
        json!({"callbackURL": "/desktop-done"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["url"], "/desktop-done");
    assert_eq!(body["redirect"], true);
    let code = body["electron_authorization_code"].as_str().expect("a code");
    assert_eq!(code_from_cookie(&browser).identifier.expose(), code);
    let (status, _, body) = trade(base, code, "s1", &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["email"], "heidi@example.com");
}

#[tokio::test]
async fn a_password_sign_in_with_the_query_hands_a_code_too() {
    let setup = desktop().await;
    let base = &setup.server.url;
    signed_up(&setup.server, "ivan@example.com").await;
    let (pkce, state) = (Pkce::new(), new_state());
    let sign_in = json!({"email": "ivan@example.com", "password": "password-1234"});

    let mut browser = Browser::at(base.clone());
    let query = query_string(&[
        ("client_id", "electron"),
        ("state", state.as_str()),
        ("code_challenge", pkce.challenge.as_str()),
    ]);
    let response = browser.post(&format!("/sign-in/email?{query}"), sign_in.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(set_cookies(&response)["better-auth.transfer_token"].0, "");
    let body: Value = response.json().await.expect("JSON");
    let code = body["electron_authorization_code"]
        .as_str()
        .expect("a code in the JSON");
    assert_eq!(code_from_cookie(&browser).identifier.expose(), code);
    let (status, _, _) = trade(base, code, &state, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK);

    // A wrong password keeps the transfer for the next try in that browser.
    let mut browser = Browser::at(base.clone());
    let wrong = json!({"email": "ivan@example.com", "password": "wrong-password"});
    let response = browser.post(&format!("/sign-in/email?{query}"), wrong).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(browser.cookies.contains_key("better-auth.transfer_token"));
    let response = browser.post("/sign-in/email", sign_in.clone()).await;
    let body: Value = response.json().await.expect("JSON");
    let code = body["electron_authorization_code"].as_str().expect("from the cookie");
    let (status, _, _) = trade(base, code, &state, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK);

    // With a loopback redirect_uri the sign-in's answer sends the browser there.
    let mut browser = Browser::at(base.clone());
    let query = query_string(&[
        ("client_id", "electron"),
        ("state", state.as_str()),
        ("code_challenge", pkce.challenge.as_str()),
        ("redirect_uri", "http://127.0.0.1:4000/cb"),
    ]);
    let response = browser.post(&format!("/sign-in/email?{query}"), sign_in).await;
    let landed = location(&response);
    assert!(
        landed.starts_with("http://127.0.0.1:4000/cb?electron_authorization_code="),
        "{landed}"
    );
    assert!(landed.ends_with(&format!("&state={state}")), "{landed}");
}

#[tokio::test]
async fn over_https_the_transfer_cookie_is_secure_prefixed_and_the_code_cookie_is_not() {
    let setup = desktop_with(|config| config.advanced.use_secure_cookies = Some(true)).await;
    let base = &setup.server.url;
    let (pkce, state) = (Pkce::new(), new_state());
    let mut browser = Browser::at(base.clone());
    let query = query_string(&[
        ("client_id", "electron"),
        ("state", state.as_str()),
        ("code_challenge", pkce.challenge.as_str()),
    ]);
    let response = browser
        .post(
            &format!("/sign-in/email?{query}"),
            json!({"email": "judy@example.com", "password": "wrong-password"}),
        )
        .await;
    let cookies = set_cookies(&response);
    assert_eq!(
        cookies["__Secure-better-auth.transfer_token"].1, "Max-Age=300; Path=/; HttpOnly; Secure; SameSite=Lax",
        "named and flagged as the server's own cookies"
    );
    let response = browser
        .post(
            "/sign-up/email",
            json!({"email": "judy@example.com", "password": "password-1234", "name": "Judy"}),
        )
        .await;
    let cookies = set_cookies(&response);
    assert_eq!(cookies["__Secure-better-auth.transfer_token"].0, "", "used up");
    let (value, attributes) = &cookies["better-auth.electron"];
    assert_eq!(
        attributes, "Max-Age=120; Path=/; Secure; SameSite=Lax",
        "the plugin's own name"
    );
    let transfer = ElectronTransfer::decode(value).expect("the transfer");
    let (status, _, body) = trade(base, transfer.identifier.expose(), &state, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "judy@example.com");
}
