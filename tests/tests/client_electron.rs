//! `client.sign_in().social(p).in_system_browser()`: a native app's sign-in through the
//! system browser, on the electron plugin's protocol, against Keyward (loopback and deep
//! link, Keyward's `redirect_uri` extension) and the real better-auth with
//! `@better-auth/electron` (deep link through the web app's page, played here by reading
//! the `better-auth.electron` cookie as `ensureElectronRedirect` does).
//!
//! The browser is the test's: the opener hands the URL to a task that follows it with a
//! cookie jar (`social::Browser`) through the real OpenID Connect provider.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyward_client::wire::{ElectronTransfer, ErrorCode};
use keyward_client::{AuthClient, BrowserSignInError, Error};
use keyward_server::social::SocialProvider;
use keyward_tests::compat::{Direction, flows, record};
use keyward_tests::oidc::{Consent, OidcClient, OidcProvider};
use keyward_tests::{BetterAuthServer, Database, TestServer, free_port};
use reqwest::StatusCode;
use serde_json::json;
use url::Url;

use crate::social::{Browser, location};

const CLIENT_ID: &str = "keyward-electron";
const CLIENT_SECRET: &str = "keyward-electron-secret";
const SCHEME: &str = "dev.keyward.test";

/// The URLs an opener was asked to open.
#[derive(Clone, Default)]
struct Opened(Arc<Mutex<Vec<Url>>>);

impl Opened {
    fn opener(&self) -> impl Fn(&Url) -> Result<(), String> + Send + Sync + 'static {
        let opened = self.0.clone();
        move |url: &Url| {
            opened.lock().expect("lock").push(url.clone());
            Ok(())
        }
    }

    async fn first(&self) -> Url {
        for _ in 0..100 {
            if let Some(url) = self.0.lock().expect("lock").first().cloned() {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the browser was never opened");
    }
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The loopback URI the sign-in opened the browser with.
async fn loopback_of(opened: &Opened) -> Url {
    let url = opened.first().await;
    let redirect = param(&url, "redirect_uri").expect("a redirect_uri");
    let redirect: Url = redirect.parse().expect("a URL");
    assert_eq!(redirect.host_str(), Some("127.0.0.1"), "{redirect}");
    redirect
}

async fn is_listening(url: &Url) -> bool {
    let port = url.port().expect("a port");
    tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
}

/// A GET to the loopback, as the browser makes it: status and page.
async fn visit_loopback(url: &str) -> (StatusCode, String) {
    let response = reqwest::get(url).await.expect("the loopback answers");
    let status = response.status();
    (status, response.text().await.expect("a page"))
}

#[tokio::test]
async fn a_loopback_sign_in_times_out_is_cancelled_or_refused_and_stops_listening() {
    let server = TestServer::start().await;
    let client = server.client();

    // Nobody comes back: TimedOut, and the port is closed afterwards.
    let opened = Opened::default();
    let outcome = client
        .sign_in()
        .social("oidc")
        .in_system_browser()
        .open_with(opened.opener())
        .timeout(Duration::from_millis(300))
        .await;
    assert_eq!(outcome.err(), Some(Error::BrowserSignIn(BrowserSignInError::TimedOut)));
    let loopback = loopback_of(&opened).await;
    assert!(
        !is_listening(&loopback).await,
        "nothing is left listening at {loopback}"
    );
    let opened_url = opened.first().await;
    assert_eq!(opened_url.path(), "/api/auth/electron/init-oauth-proxy");
    assert_eq!(param(&opened_url, "provider").as_deref(), Some("oidc"));
    assert_eq!(param(&opened_url, "client_id").as_deref(), Some("electron"));
    assert_eq!(param(&opened_url, "code_challenge").map(|c| c.len()), Some(43));

    // The app cancels while the browser is open.
    let opened = Opened::default();
    let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    let waiting = {
        let client = client.clone();
        let opener = opened.opener();
        tokio::spawn(async move {
            client
                .sign_in()
                .social("oidc")
                .in_system_browser()
                .open_with(opener)
                .cancel_on(async move {
                    let _ = cancelled.await;
                })
                .await
        })
    };
    let loopback = loopback_of(&opened).await;
    assert!(is_listening(&loopback).await);
    cancel.send(()).expect("still waiting");
    let outcome = waiting.await.expect("joins");
    assert_eq!(outcome.err(), Some(Error::BrowserSignIn(BrowserSignInError::Cancelled)));
    assert!(!is_listening(&loopback).await);

    // Another sign-in's state is answered 400 and ignored; another path is 404; the
    // provider's refusal with this state ends the wait with the error code.
    let opened = Opened::default();
    let waiting = {
        let client = client.clone();
        let opener = opened.opener();
        tokio::spawn(async move {
            client
                .sign_in()
                .social("oidc")
                .in_system_browser()
                .open_with(opener)
                .timeout(Duration::from_secs(30))
                .await
        })
    };
    let loopback = loopback_of(&opened).await;
    let state = param(&opened.first().await, "state").expect("a state");
    let (status, page) = visit_loopback(&format!(
        "{loopback}?electron_authorization_code=forged&state=someone-else"
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    let mut elsewhere = loopback.clone();
    elsewhere.set_path("/favicon.ico");
    assert_eq!(visit_loopback(elsewhere.as_str()).await.0, StatusCode::NOT_FOUND);
    assert!(!waiting.is_finished(), "a forged callback does not end the wait");
    let (status, page) = visit_loopback(&format!("{loopback}?error=access_denied&state={state}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Sign-in failed") && page.contains("access_denied"),
        "{page}"
    );
    let outcome = waiting.await.expect("joins");
    assert_eq!(
        outcome.err(),
        Some(Error::BrowserSignIn(BrowserSignInError::Refused {
            error: "access_denied".into()
        }))
    );
    assert!(!is_listening(&loopback).await);

    // No browser: a typed error, and no listener left behind.
    let failing = |_: &Url| Err("no browser on this machine".to_owned());
    let outcome = client
        .sign_in()
        .social("oidc")
        .in_system_browser()
        .open_with(failing)
        .await;
    assert!(
        matches!(
            outcome,
            Err(Error::BrowserSignIn(BrowserSignInError::OpenBrowser { ref message })) if message.contains("no browser")
        ),
        "{outcome:?}"
    );
    assert_eq!(client.session().get().data, None);
}

/// A Keyward server with the electron plugin (and `SCHEME` allowed for deep links) and
/// the provider `oidc`, and the provider.
struct KeywardSetup {
    server: TestServer,
    provider: OidcProvider,
}

async fn keyward() -> KeywardSetup {
    let port = free_port();
    let discovery = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.social_providers.push(
            SocialProvider::openid_connect("oidc", &discovery, CLIENT_ID, CLIENT_SECRET)
                .with_scopes(["email", "profile"]),
        );
        config.electron = Some(keyward_server::config::ElectronConfig {
            deep_link_schemes: vec![SCHEME.to_owned()],
            ..Default::default()
        });
    })
    .await;
    let provider = provider_for(port, &[&server.url]).await;
    KeywardSetup { server, provider }
}

async fn provider_for(port: u16, servers: &[&Url]) -> OidcProvider {
    let client = OidcClient {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uris: servers
            .iter()
            .map(|server| format!("{server}api/auth/callback/oidc"))
            .collect(),
    };
    let accounts = json!({"alice": {"email": "alice@example.com", "email_verified": true, "name": "Alice"}});
    OidcProvider::start_on(port, &[client], accounts, &[]).await
}

/// The system browser: opens `url` (the server's init-oauth-proxy), signs in at the
/// provider as `login` with `decision`, and follows the server's callback. Returns the
/// browser and where the callback sent it.
async fn browse(server: &Url, provider: &OidcProvider, url: &Url, login: &str, decision: Consent) -> (Browser, String) {
    let mut browser = Browser::at(server.clone());
    let to_provider = location(&browser.visit(url.as_str()).await);
    let back = provider.authorize(&to_provider, login, decision).await;
    let landed = location(&browser.visit(&back).await);
    (browser, landed)
}

#[tokio::test]
async fn keyward_brings_the_browser_back_to_the_loopback_and_the_app_is_signed_in() {
    let setup = keyward().await;
    let client = setup.server.client();
    let opened = Opened::default();
    let waiting = {
        let client = client.clone();
        let opener = opened.opener();
        tokio::spawn(async move {
            client
                .sign_in()
                .social("oidc")
                .in_system_browser()
                .open_with(opener)
                .timeout(Duration::from_secs(60))
                .await
        })
    };
    let url = opened.first().await;
    let (_, landed) = browse(&setup.server.url, &setup.provider, &url, "alice", Consent::Grant).await;
    let loopback = loopback_of(&opened).await;
    assert!(
        landed.starts_with(loopback.as_str()),
        "{landed} is the loopback {loopback}"
    );
    let (status, page) = visit_loopback(&landed).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Signed in as alice@example.com"), "{page}");
    let data = waiting.await.expect("joins").expect("signed in");
    assert_eq!(data.user.email, "alice@example.com");
    assert_eq!(
        client.session().get().data.map(|d| d.user.email).as_deref(),
        Some("alice@example.com")
    );
    assert!(client.token().expect("store").is_some(), "the token is in the store");
    assert!(!is_listening(&loopback).await);

    // The same link again (an intercepted one): the code is spent.
    let replayed = param(&landed.parse().expect("URL"), "electron_authorization_code").expect("a code");
    let state = param(&url, "state").expect("state");
    let other = setup.server.client();
    let refused = other
        .electron()
        .token(
            replayed.into(),
            &state,
            &keyward_client::wire::PkceVerifier::new("not-the-verifier-of-this-flow-000000000000"),
        )
        .await;
    assert!(
        matches!(
            &refused,
            Err(Error::Api {
                status: 404,
                code: ErrorCode::InvalidToken,
                ..
            })
        ),
        "{refused:?}"
    );

    // A denied consent comes back to the loopback as an error, at once.
    let opened = Opened::default();
    let waiting = {
        let client = setup.server.client();
        let opener = opened.opener();
        tokio::spawn(async move {
            client
                .sign_in()
                .social("oidc")
                .in_system_browser()
                .open_with(opener)
                .timeout(Duration::from_secs(60))
                .await
        })
    };
    let url = opened.first().await;
    let (_, landed) = browse(&setup.server.url, &setup.provider, &url, "alice", Consent::Deny).await;
    let (_, page) = visit_loopback(&landed).await;
    assert!(page.contains("Sign-in failed"), "{page}");
    assert!(
        matches!(
            waiting.await.expect("joins"),
            Err(Error::BrowserSignIn(BrowserSignInError::Refused { .. }))
        ),
        "refused"
    );
}

#[tokio::test]
async fn keyward_sends_the_browser_to_an_allowed_deep_link() {
    let setup = keyward().await;
    let client = setup.server.client();
    let opened = Opened::default();
    let deep_link: Url = format!("{SCHEME}:/auth/callback").parse().expect("URL");
    let pending = client
        .sign_in()
        .social("oidc")
        .in_system_browser()
        .deep_link(deep_link.clone())
        .open_with(opened.opener())
        .start()
        .expect("opens the browser");
    let url = opened.first().await;
    assert_eq!(&url, pending.url());
    let (_, landed) = browse(&setup.server.url, &setup.provider, &url, "alice", Consent::Grant).await;
    assert!(
        landed.starts_with(&format!("{SCHEME}:/auth/callback#token=")),
        "{landed}"
    );
    // A link of another sign-in (another state) is refused without spending anything:
    // the right link still completes this one.
    let foreign = format!("{SCHEME}:/auth/callback?electron_authorization_code=stolen&state=another");
    let refused = pending.complete(&foreign).await.expect_err("another sign-in's link");
    assert!(
        matches!(
            refused,
            Error::BrowserSignIn(BrowserSignInError::InvalidCallback { .. })
        ),
        "{refused:?}"
    );
    assert!(!client.session().get().is_signed_in());
    let data = pending.complete(&landed).await.expect("signed in");
    assert_eq!(data.user.email, "alice@example.com");
    assert!(client.session().get().is_signed_in());

    // A scheme the server does not allow is refused before the provider is involved.
    let opened = Opened::default();
    let pending = client
        .sign_in()
        .social("oidc")
        .in_system_browser()
        .deep_link("com.attacker.app:/cb".parse().expect("URL"))
        .open_with(opened.opener())
        .start()
        .expect("opens the browser");
    let mut browser = Browser::at(setup.server.url.clone());
    let response = browser.visit(pending.url().as_str()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["code"], "INVALID_REDIRECT_URI");
}

#[tokio::test]
async fn better_auths_electron_plugin_signs_the_app_in_through_the_deep_link() {
    let port = free_port();
    let discovery = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
    let env = [
        ("OIDC_DISCOVERY_URL", discovery.as_str()),
        ("OIDC_CLIENT_ID", CLIENT_ID),
        ("OIDC_CLIENT_SECRET", CLIENT_SECRET),
    ];
    let _record = record(flows::SYSTEM_BROWSER, Direction::RustClientAgainstBetterAuth);
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["electron"], &env).await;
    let provider = provider_for(port, &[&better_auth.url]).await;
    let client = AuthClient::builder(better_auth.url.clone()).build().expect("client");

    let opened = Opened::default();
    let pending = client
        .sign_in()
        .social("oidc")
        .in_system_browser()
        .deep_link(format!("{SCHEME}:/auth/callback").parse().expect("URL"))
        .open_with(opened.opener())
        .start()
        .expect("opens the browser");
    let url = opened.first().await;
    let (browser, _landed) = browse(&better_auth.url, &provider, &url, "alice", Consent::Grant).await;
    // The web app's page (electronProxyClient's ensureElectronRedirect) reads the cookie
    // and opens the deep link with it.
    let transfer = browser
        .cookies
        .get("better-auth.electron")
        .cloned()
        .expect("better-auth sets the transfer cookie");
    assert!(ElectronTransfer::decode(&transfer).is_some(), "{transfer}");
    let link = format!("{SCHEME}:/auth/callback#token={transfer}");
    let data = pending.complete(&link).await.expect("signed in");
    assert_eq!(data.user.email, "alice@example.com");
    assert!(client.session().get().is_signed_in());
    let me = client.sessions().list().await.expect("the bearer token works");
    assert_eq!(me.len(), 2, "the browser's session and the app's own");
}
