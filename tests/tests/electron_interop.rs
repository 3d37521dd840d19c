//! The electron plugin on Keyward against the real `@better-auth/electron` 1.7.5 on
//! better-auth 1.7.25: the same desktop flow (without Keyward's `redirect_uri`) sent to
//! both servers, through the same OpenID Connect provider, its answers compared (status,
//! `Location`, cookie names and attributes, JSON shapes, error codes and messages); and
//! on one database, codes made by either server traded at the other (SQLite and
//! PostgreSQL).
//!
//! Where the servers differ on purpose, the test says so step by step (an unknown
//! provider at `/electron/init-oauth-proxy`; better-auth writing a cookie twice).

use std::collections::BTreeMap;

use keyward_client::wire::ElectronTransfer;
use keyward_server::config::ElectronConfig;
use keyward_server::social::SocialProvider;
use keyward_tests::compat::{Direction, Record, flows, on_same_database, record};
use keyward_tests::oidc::{Consent, OidcClient, OidcProvider};
use keyward_tests::{BetterAuthServer, Database, TestServer, free_port};
use reqwest::StatusCode;
use serde_json::{Map, Value, json};
use url::Url;

use crate::electron::{Pkce, auth_url, code_from_cookie, new_state, set_cookies, through_the_browser, trade};
use crate::social::{Browser, location};

const CLIENT_ID: &str = "keyward-interop-electron";
const CLIENT_SECRET: &str = "keyward-interop-electron-secret";

/// better-auth with the electron plugin, Keyward on its database, and the provider both
/// sign in at.
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
    ];
    let better_auth = BetterAuthServer::start_on(database, &["electron"], &env).await;
    let database_url = better_auth.database_url().expect("a database");
    let keyward = TestServer::start_on_database(&database_url, |config| {
        config.social_providers.push(
            SocialProvider::openid_connect("oidc", &discovery, CLIENT_ID, CLIENT_SECRET)
                .with_scopes(["email", "profile"]),
        );
        config.electron = Some(ElectronConfig::default());
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
    let provider = OidcProvider::start_on(port, &[client], json!({}), &[]).await;
    Pair {
        better_auth,
        keyward,
        provider,
    }
}

/// One answer, as compared: what must be equal on both servers.
#[derive(Debug, PartialEq)]
struct Seen {
    status: StatusCode,
    /// `Location` with the server's origin as `{origin}` and the provider's as `{provider}`.
    location: Option<String>,
    /// The last `Set-Cookie` of each name: whether its value is empty, and its attributes.
    cookies: BTreeMap<String, (bool, String)>,
    /// The JSON body: error bodies as they are, others as their shape.
    body: Value,
}

/// Masks what differs by nature between two servers and two runs.
struct Masks<'a> {
    origin: &'a str,
    provider: &'a str,
}

impl Masks<'_> {
    fn location(&self, location: &str) -> String {
        let provider_origin = self.provider.trim_end_matches('/');
        if let Some(rest) = location.strip_prefix(provider_origin) {
            // The provider URL carries the server's own state, nonce and challenge.
            return format!("{{provider}}{}", rest.split('?').next().unwrap_or_default());
        }
        location.replace(self.origin.trim_end_matches('/'), "{origin}")
    }

    async fn seen(&self, response: reqwest::Response) -> Seen {
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(|value| self.location(value));
        let cookies = set_cookies(&response)
            .into_iter()
            .map(|(name, (value, attributes))| (name, (value.is_empty(), attributes)))
            .collect();
        let text = response.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let body = if json.get("code").is_some() || json.get("message").is_some() {
            json
        } else {
            shape(&json)
        };
        Seen {
            status,
            location,
            cookies,
            body,
        }
    }
}

/// A JSON value with every string, number and date replaced by its type (`url` and
/// `redirect` kept: they echo the request).
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let kept = matches!(key.as_str(), "url" | "redirect") || value.is_null() || value.is_boolean();
                    (key.clone(), if kept { value.clone() } else { shape(value) })
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::String(_) => json!("<string>"),
        Value::Number(_) => json!("<number>"),
        other => other.clone(),
    }
}

/// `POST /electron/transfer-user?<query>` from `browser`.
async fn transfer_user(browser: &mut Browser, query: Vec<(&str, String)>, body: Value) -> reqwest::Response {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let path = if encoded.is_empty() {
        "/electron/transfer-user".to_owned()
    } else {
        format!("/electron/transfer-user?{encoded}")
    };
    browser.post(&path, body).await
}

/// Every step of the flow on the server at `base`, as seen; `login` signs in at the
/// provider. The code made along the way is checked as it is made (32 letters and digits,
/// the app's state).
async fn the_flow(
    base: &Url,
    provider: &OidcProvider,
    login: &str,
    http: &reqwest::Client,
) -> Vec<(&'static str, Seen)> {
    let masks = Masks {
        origin: base.as_str(),
        provider: provider.issuer.as_str(),
    };
    let mut seen = Vec::new();
    let (pkce, state) = (Pkce::new(), new_state());
    let query = [
        ("provider", "oidc"),
        ("client_id", "electron"),
        ("state", state.as_str()),
        ("code_challenge", pkce.challenge.as_str()),
    ];

    // The browser: init-oauth-proxy, the provider, the callback.
    let mut browser = Browser::at(base.clone());
    let init = browser
        .visit(&auth_url(base, "/electron/init-oauth-proxy", &query))
        .await;
    let to_provider = location(&init);
    seen.push(("init-oauth-proxy", masks.seen(init).await));
    let back = provider.authorize(&to_provider, login, Consent::Grant).await;
    seen.push(("callback", masks.seen(browser.visit(&back).await).await));
    let transfer = code_from_cookie(&browser);
    assert_eq!(transfer.state, state);
    let code = transfer.identifier.expose().to_owned();
    assert!(
        code.len() == 32 && code.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{code}"
    );

    // The app: the code, then the same code again.
    let token = |body: Value| http.post(auth_url(base, "/electron/token", &[])).json(&body).send();
    let good = json!({"token": code, "state": state, "code_verifier": pkce.verifier});
    let response = token(good.clone()).await.expect("answers");
    seen.push(("token", masks.seen(response).await));
    seen.push(("token replayed", masks.seen(token(good).await.expect("answers")).await));
    for (name, body) in [
        ("token without a body", json!({})),
        (
            "token with empty fields",
            json!({"token": "", "state": "", "code_verifier": ""}),
        ),
        (
            "token unknown",
            json!({"token": "nope", "state": state, "code_verifier": pkce.verifier}),
        ),
    ] {
        seen.push((name, masks.seen(token(body).await.expect("answers")).await));
    }

    // transfer-user from the signed-in browser: refusals, then codes with wrong state
    // and verifier (each burnt by the refusal).
    let ch = pkce.challenge.clone();
    let mut stranger = Browser::at(base.clone());
    let q = |client: &str, state: &str, challenge: &str| {
        vec![
            ("client_id", client.to_owned()),
            ("state", state.to_owned()),
            ("code_challenge", challenge.to_owned()),
        ]
    };
    let response = transfer_user(&mut stranger, q("electron", "s1", &ch), json!({})).await;
    seen.push(("transfer-user signed out", masks.seen(response).await));
    let response = transfer_user(&mut browser, Vec::new(), json!({})).await;
    seen.push(("transfer-user without a query", masks.seen(response).await));
    for (name, query) in [
        ("transfer-user other client", q("other", "s1", &ch)),
        ("transfer-user without state", q("electron", "", &ch)),
        ("transfer-user without challenge", q("electron", "s1", "")),
    ] {
        let response = transfer_user(&mut browser, query, json!({})).await;
        seen.push((name, masks.seen(response).await));
    }
    let foreign = json!({"callbackURL": "https://evil.example.com/done"});
    let response = transfer_user(&mut browser, q("electron", "s1", &ch), foreign).await;
    seen.push(("transfer-user to a foreign callbackURL", masks.seen(response).await));
    let response = transfer_user(&mut browser, q("electron", "s2", &ch), json!({"callbackURL": "/done"})).await;
    let made: Value = response.json().await.expect("JSON");
    assert_eq!(
        shape(&made),
        json!({"url": "/done", "redirect": true, "electron_authorization_code": "<string>"})
    );
    let code = made["electron_authorization_code"].as_str().expect("a code");
    let wrong_state = json!({"token": code, "state": "s3", "code_verifier": pkce.verifier});
    seen.push((
        "token wrong state",
        masks.seen(token(wrong_state).await.expect("answers")).await,
    ));
    let right = json!({"token": code, "state": "s2", "code_verifier": pkce.verifier});
    seen.push((
        "token after a wrong state",
        masks.seen(token(right).await.expect("answers")).await,
    ));
    let response = transfer_user(&mut browser, q("electron", "s4", &ch), json!({})).await;
    seen.push(("transfer-user", masks.seen(response).await));
    let code = code_from_cookie(&browser).identifier.expose().to_owned();
    let wrong_verifier = json!({"token": code, "state": "s4", "code_verifier": Pkce::new().verifier});
    seen.push((
        "token wrong verifier",
        masks.seen(token(wrong_verifier).await.expect("answers")).await,
    ));
    let right = json!({"token": code, "state": "s4", "code_verifier": pkce.verifier});
    seen.push((
        "token after a wrong verifier",
        masks.seen(token(right).await.expect("answers")).await,
    ));

    // Password sign-up and sign-in with the app's query (better-auth writes the transfer
    // cookie and then its expiry, two `Set-Cookie`s of one name; Keyward only the expiry:
    // the last of each name is compared).
    let email = format!("{login}-password@example.com");
    let mut web = Browser::at(base.clone());
    let query = format!("client_id=electron&state={state}&code_challenge={}", pkce.challenge);
    let response = web
        .post(
            &format!("/sign-up/email?{query}"),
            json!({"email": email, "password": "password-1234", "name": "Web"}),
        )
        .await;
    seen.push(("sign-up with the query", masks.seen(response).await));
    let code = code_from_cookie(&web).identifier.expose().to_owned();
    let response = token(json!({"token": code, "state": state, "code_verifier": pkce.verifier}))
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    let mut web = Browser::at(base.clone());
    let response = web
        .post(
            &format!("/sign-in/email?{query}"),
            json!({"email": email, "password": "wrong-password"}),
        )
        .await;
    seen.push(("sign-in with the query, wrong password", masks.seen(response).await));
    // A session made elsewhere in that browser (here a code traded there) sets the
    // transfer cookie again, for its full lifetime.
    let response = transfer_user(&mut browser, q("electron", "s5", &ch), json!({})).await;
    let made: Value = response.json().await.expect("JSON");
    let code = made["electron_authorization_code"].as_str().expect("a code");
    let response = web
        .post(
            "/electron/token",
            json!({"token": code, "state": "s5", "code_verifier": pkce.verifier}),
        )
        .await;
    seen.push(("token in a browser with a transfer", masks.seen(response).await));
    let response = web
        .post("/sign-in/email", json!({"email": email, "password": "password-1234"}))
        .await;
    seen.push(("sign-in after it, by the cookie", masks.seen(response).await));
    let response = web
        .post("/sign-in/email", json!({"email": email, "password": "password-1234"}))
        .await;
    seen.push(("sign-in without a transfer", masks.seen(response).await));

    // A denied consent, and init-oauth-proxy's own refusals.
    let mut denied = Browser::at(base.clone());
    let query = [
        ("provider", "oidc"),
        ("state", state.as_str()),
        ("code_challenge", pkce.challenge.as_str()),
    ];
    let response = through_the_browser(&mut denied, provider, base, &query, login, Consent::Deny).await;
    seen.push(("callback denied", masks.seen(response).await));
    let mut browser = Browser::at(base.clone());
    let response = browser
        .visit(&auth_url(
            base,
            "/electron/init-oauth-proxy",
            &[("state", "s"), ("code_challenge", "c")],
        ))
        .await;
    seen.push(("init-oauth-proxy without a provider", masks.seen(response).await));
    let query = [("provider", "oidc"), ("state", ""), ("code_challenge", "")];
    let response = browser
        .visit(&auth_url(base, "/electron/init-oauth-proxy", &query))
        .await;
    seen.push((
        "init-oauth-proxy without state and challenge",
        masks.seen(response).await,
    ));
    seen
}

#[tokio::test]
async fn the_desktop_flow_answers_as_on_better_auth() {
    let _records: Vec<Record> = [flows::ELECTRON, flows::ELECTRON_REFUSED]
        .iter()
        .map(|flow| record(flow, Direction::RustClientAgainstBetterAuth))
        .collect();
    let pair = pair(Database::Sqlite).await;
    let http = reqwest::Client::new();
    let on_better_auth = the_flow(&pair.better_auth.url, &pair.provider, "ada", &http).await;
    let on_keyward = the_flow(&pair.keyward.url, &pair.provider, "bea", &http).await;
    assert_eq!(on_better_auth.len(), on_keyward.len());
    let mut differences = Vec::new();
    for ((step, theirs), (_, ours)) in on_better_auth.iter().zip(&on_keyward) {
        if theirs != ours {
            differences.push(format!("{step}:\n  better-auth: {theirs:?}\n  keyward:     {ours:?}"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));

    // The one place Keyward answers otherwise on purpose: an unknown provider is the
    // social sign-in's own 404, where better-auth wraps it in a 500.
    let unknown = [("provider", "nope"), ("state", "s"), ("code_challenge", "c")];
    for (base, status, body) in [
        (
            &pair.better_auth.url,
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"message": "Provider not found"}),
        ),
        (
            &pair.keyward.url,
            StatusCode::NOT_FOUND,
            json!({"message": "Provider not found", "code": "PROVIDER_NOT_FOUND"}),
        ),
    ] {
        let response = http
            .get(auth_url(base, "/electron/init-oauth-proxy", &unknown))
            .send()
            .await
            .expect("answers");
        assert_eq!(response.status(), status, "{base}");
        assert_eq!(response.json::<Value>().await.expect("JSON"), body);
    }
}

/// A code `maker` makes for a new user (a sign-up with the app's query), traded at
/// `taker`, then refused at both.
async fn cross(maker: &Url, taker: &Url, email: &str) {
    let (pkce, state) = (Pkce::new(), new_state());
    let mut web = Browser::at(maker.clone());
    let query = format!("client_id=electron&state={state}&code_challenge={}", pkce.challenge);
    let response = web
        .post(
            &format!("/sign-up/email?{query}"),
            json!({"email": email, "password": "password-1234", "name": "Crossing"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    let code = body["electron_authorization_code"].as_str().expect("a code").to_owned();
    let from_cookie: ElectronTransfer = code_from_cookie(&web);
    assert_eq!(from_cookie.identifier.expose(), code);
    let (status, _, body) = trade(taker, &code, &state, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK, "{maker} -> {taker}: {body}");
    assert_eq!(body["user"]["email"], email);
    let session = crate::electron::session_of(taker, body["token"].as_str().expect("token")).await;
    assert_eq!(session["user"]["email"], email);
    for url in [taker, maker] {
        let (status, _, body) = trade(url, &code, &state, &pkce.verifier).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("INVALID_TOKEN"))
        );
    }
}

async fn codes_cross(database: Database) {
    let _records = on_same_database(database, &[flows::ELECTRON]);
    let better_auth = BetterAuthServer::start_on(database, &["electron"], &[]).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, |config| config.electron = Some(ElectronConfig::default())).await;
    cross(&better_auth.url, &keyward.url, "made-at-better-auth@example.com").await;
    cross(&keyward.url, &better_auth.url, "made-at-keyward@example.com").await;
}

#[tokio::test]
async fn codes_cross_between_the_servers_on_sqlite() {
    codes_cross(Database::Sqlite).await;
}

#[tokio::test]
async fn codes_cross_between_the_servers_on_postgres() {
    codes_cross(Database::Postgres).await;
}
