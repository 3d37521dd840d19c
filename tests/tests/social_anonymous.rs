//! The anonymous plugin and social sign-in against the real OpenID Connect provider: a
//! guest who signs in with a provider is linked and deleted, also when the callback comes
//! back without the guest's cookie (an in-app browser), through the anonymous user's id
//! the server kept in the OAuth state's `serverContext`, as better-auth does.

use std::sync::{Arc, Mutex};

use keyward_server::config::{AnonymousConfig, AnonymousLink, OnLinkAccount};
use keyward_server::db::Exec;
use keyward_server::{ApiResult, Auth, args};
use keyward_tests::Database;
use keyward_tests::oidc::Consent;
use serde_json::{Value, json};

use crate::social::{Browser, Setup, location, round_trip, setup_on, sign_in_body, start};

const SESSION_COOKIE: &str = "better-auth.session_token";

/// Every link the plugin made: (guest, new user).
#[derive(Clone, Default)]
struct Links(Arc<Mutex<Vec<(String, String)>>>);

#[async_trait::async_trait]
impl OnLinkAccount for Links {
    async fn on_link_account(&self, _auth: &Auth, link: &AnonymousLink) -> ApiResult<()> {
        let pair = (link.anonymous.user.id.clone(), link.new.user.id.clone());
        self.0.lock().expect("lock").push(pair);
        Ok(())
    }
}

async fn setup(links: &Links) -> Setup {
    let links = links.clone();
    setup_on(
        Database::Sqlite,
        move |config| config.anonymous = Some(AnonymousConfig::default().on_link_account(links)),
        &[],
    )
    .await
}

/// A browser signed in as a new guest, and the guest's id.
async fn guest(setup: &Setup) -> (Browser, String) {
    let mut browser = Browser::at(setup.server.url.clone());
    let response = browser.post("/sign-in/anonymous", json!({})).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    (browser, body["user"]["id"].as_str().expect("id").to_owned())
}

async fn user_exists(setup: &Setup, id: &str) -> bool {
    let mut db = Auth::db(&setup.server.auth).clone();
    let rows = db
        .fetch_all(r#"select "id" from "user" where "id" = $1"#, args![id.to_owned()])
        .await
        .expect("reads the user table");
    !rows.is_empty()
}

/// The `serverContext` of every OAuth state stored now.
async fn stored_server_contexts(setup: &Setup) -> Vec<Value> {
    let mut db = Auth::db(&setup.server.auth).clone();
    let rows = db
        .fetch_all(
            r#"select "value" from "verification" where "identifier" like 'auth-state:%'"#,
            args![],
        )
        .await
        .expect("reads the verification table");
    rows.iter()
        .map(|row| {
            let value = row.text("value").expect("value");
            let state: Value = serde_json::from_str(&value).expect("state JSON");
            state["serverContext"].clone()
        })
        .collect()
}

#[tokio::test]
async fn a_guest_who_signs_in_with_a_provider_is_linked_with_or_without_the_cookie() {
    let links = Links::default();
    let setup = setup(&links).await;

    // The callback carries the guest's cookie.
    let (mut browser, alice_guest) = guest(&setup).await;
    let landed = round_trip(&setup, &mut browser, "alice", sign_in_body()).await;
    assert_eq!(landed, "/welcome");
    let (_, session) = browser.get_json("/get-session").await;
    let alice = session["user"]["id"].as_str().expect("Alice").to_owned();
    assert_eq!(session["user"]["isAnonymous"], json!(false));
    assert!(!user_exists(&setup, &alice_guest).await, "the guest is gone");

    // The callback arrives without it: the state names the guest.
    let (mut browser, bob_guest) = guest(&setup).await;
    let provider_url = start(&mut browser, sign_in_body()).await;
    assert_eq!(
        stored_server_contexts(&setup).await,
        [json!({"anonymousUserId": bob_guest})],
        "the server kept the guest's id in the state"
    );
    browser.cookies.remove(SESSION_COOKIE);
    let back = setup.provider.authorize(&provider_url, "bob", Consent::Grant).await;
    assert_eq!(location(&browser.visit(&back).await), "/welcome");
    let (_, session) = browser.get_json("/get-session").await;
    let bob = session["user"]["id"].as_str().expect("Bob").to_owned();
    assert!(!user_exists(&setup, &bob_guest).await, "the guest is gone");
    assert_eq!(
        links.0.lock().expect("lock").clone(),
        [(alice_guest, alice), (bob_guest, bob)]
    );

    // A regular user's flow keeps no guest, and links nobody.
    let mut carol = Browser::at(setup.server.url.clone());
    let provider_url = start(&mut carol, sign_in_body()).await;
    assert!(stored_server_contexts(&setup).await.iter().all(Value::is_null));
    let back = setup.provider.authorize(&provider_url, "carol", Consent::Grant).await;
    assert_eq!(location(&carol.visit(&back).await), "/welcome");
    assert_eq!(links.0.lock().expect("lock").len(), 2);
}
