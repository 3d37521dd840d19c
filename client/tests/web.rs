//! The client in a real browser (headless Chromium via wasm-bindgen-test) against a live
//! Keyward server. `scripts/test` starts the server and sets `KEYWARD_TEST_SERVER`.
#![cfg(target_arch = "wasm32")]

use futures::StreamExt;
use futures_signals::signal::SignalExt;
use gloo_storage::Storage;
use keyward_client::token_store::LocalStorageStore;
use keyward_client::{AuthClient, CredentialMode, TokenStore};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn server() -> &'static str {
    let Some(url) = option_env!("KEYWARD_TEST_SERVER") else {
        panic!("KEYWARD_TEST_SERVER must name the Keyward server to test against (scripts/test sets it)");
    };
    url
}

fn unique_email(prefix: &str) -> String {
    format!(
        "{prefix}-{}@example.com",
        js_sys::Math::random().to_string().trim_start_matches("0.")
    )
}

#[wasm_bindgen_test]
async fn bearer_sign_up_signal_local_storage_and_sign_out() {
    let key = "keyward.test.token";
    let client = AuthClient::at(server())
        .credential_mode(CredentialMode::Bearer)
        .token_store(LocalStorageStore::new(key))
        .build()
        .expect("builds");
    assert!(client.session().get().is_pending, "unknown before anything happened");
    let email = unique_email("wasm");
    let created = client
        .sign_up()
        .email("Wasm Ada", email.as_str(), "correct-horse-battery")
        .await
        .expect("signs up");
    assert_eq!(created.user.email, email);

    let stored = gloo_storage::LocalStorage::raw()
        .get_item(key)
        .expect("readable")
        .expect("token in localStorage");
    assert!(
        stored.starts_with(created.token.expect("token").expose()),
        "the signed header token was stored"
    );

    // The signal carries the signed-in user…
    let names = client
        .session()
        .data_signal()
        .map(|d| d.map(|d| d.user.name))
        .to_stream();
    futures::pin_mut!(names);
    assert_eq!(names.next().await.flatten().as_deref(), Some("Wasm Ada"));
    // …and follows a profile update without a manual refetch.
    client.user().update().name("Wasm Lovelace").await.expect("updates");
    assert_eq!(names.next().await.flatten().as_deref(), Some("Wasm Lovelace"));

    // A new client (a page reload) restores from localStorage.
    let reloaded = AuthClient::at(server())
        .credential_mode(CredentialMode::Bearer)
        .token_store(LocalStorageStore::new(key))
        .build()
        .expect("builds");
    let restored = reloaded.restore().await.expect("restores").expect("signed in");
    assert_eq!(restored.user.name, "Wasm Lovelace");

    reloaded.sign_out().await.expect("signs out");
    assert!(!reloaded.session().get().is_signed_in());
    assert_eq!(
        LocalStorageStore::new(key).load().expect("readable"),
        None,
        "localStorage emptied"
    );
    assert_eq!(
        client.get_session().await.expect("asks"),
        None,
        "the session ended on the server"
    );
}

#[wasm_bindgen_test]
async fn cookie_mode_uses_the_browser_cookie_jar() {
    let client = AuthClient::at(server()).build().expect("builds");
    assert_eq!(
        client.credential_mode(),
        CredentialMode::Cookie,
        "browsers default to cookies"
    );
    let email = unique_email("cookie");
    client
        .sign_up()
        .email("Cookie Ada", email.as_str(), "correct-horse-battery")
        .await
        .expect("signs up");
    let session = client
        .get_session()
        .await
        .expect("asks")
        .expect("the browser sent the cookie");
    assert_eq!(session.user.email, email);
    client.sign_out().await.expect("signs out");
    assert_eq!(client.get_session().await.expect("asks"), None);
}

async fn wait_for_name(client: &AuthClient, name: &str) -> bool {
    for _ in 0..60 {
        if client.session().get().data.map(|d| d.user.name).as_deref() == Some(name) {
            return true;
        }
        gloo_timers::future::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

fn page_becomes_visible() {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    let event = web_sys::Event::new("visibilitychange").expect("event");
    document.dispatch_event(&event).expect("dispatched");
}

#[wasm_bindgen_test]
async fn refetches_when_the_page_becomes_visible_at_most_every_five_seconds() {
    let email = unique_email("focus");
    let here = AuthClient::at(server())
        .credential_mode(CredentialMode::Bearer)
        .build()
        .expect("builds");
    here.sign_up()
        .email("Before", email.as_str(), "correct-horse-battery")
        .await
        .expect("signs up");
    // Another device of the same user changes the profile.
    let elsewhere = AuthClient::at(server())
        .credential_mode(CredentialMode::Bearer)
        .build()
        .expect("builds");
    elsewhere
        .sign_in()
        .email(email.as_str(), "correct-horse-battery")
        .await
        .expect("signs in");
    elsewhere
        .user()
        .update()
        .name("Changed elsewhere")
        .await
        .expect("updates");
    assert_eq!(
        here.session().get().data.map(|d| d.user.name).as_deref(),
        Some("Before")
    );

    page_becomes_visible();
    assert!(
        wait_for_name(&here, "Changed elsewhere").await,
        "the focus refetch picked up the change"
    );

    elsewhere.user().update().name("Changed again").await.expect("updates");
    page_becomes_visible();
    gloo_timers::future::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(
        here.session().get().data.map(|d| d.user.name).as_deref(),
        Some("Changed elsewhere"),
        "a second focus within 5 s does not refetch"
    );
}
