//! The Yew bindings in headless Chromium against a live Keyward server: a component under
//! `<AuthProvider>` re-renders from pending to signed in to signed out.
#![cfg(all(target_arch = "wasm32", feature = "yew"))]

use keyward_client::yew::{AuthProvider, use_session};
use keyward_client::{AuthClient, CredentialMode};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[function_component]
fn Status() -> Html {
    let session = use_session();
    let text = match (&session.data, session.is_pending) {
        (_, true) => "pending".to_owned(),
        (Some(data), _) => format!("signed in as {}", data.user.name),
        (None, _) => "signed out".to_owned(),
    };
    html! { <p id="status">{ text }</p> }
}

#[derive(Properties, PartialEq)]
struct RootProps {
    client: AuthClient,
}

#[function_component]
fn Root(props: &RootProps) -> Html {
    html! { <AuthProvider client={props.client.clone()}><Status /></AuthProvider> }
}

async fn wait_for_text(root: &web_sys::Element, expected: &str) -> String {
    let mut seen = String::new();
    for _ in 0..100 {
        seen = root.text_content().unwrap_or_default();
        if seen == expected {
            break;
        }
        gloo_timers::future::sleep(std::time::Duration::from_millis(50)).await;
    }
    seen
}

#[wasm_bindgen_test]
async fn use_session_follows_sign_up_and_sign_out() {
    let Some(server) = option_env!("KEYWARD_TEST_SERVER") else {
        panic!("KEYWARD_TEST_SERVER must name the Keyward server to test against (scripts/test sets it)");
    };
    let client = AuthClient::at(server)
        .credential_mode(CredentialMode::Bearer)
        .build()
        .expect("builds");
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let root = document.create_element("div").expect("div");
    document.body().expect("body").append_child(&root).expect("appended");
    let app = yew::Renderer::<Root>::with_root_and_props(root.clone(), RootProps { client: client.clone() }).render();

    // No token: the provider's restore settles on signed out without a request.
    assert_eq!(wait_for_text(&root, "signed out").await, "signed out");
    let email = format!(
        "yew-{}@example.com",
        js_sys::Math::random().to_string().trim_start_matches("0.")
    );
    client
        .sign_up()
        .email("Yew Ada", email.as_str(), "correct-horse-battery")
        .await
        .expect("signs up");
    assert_eq!(
        wait_for_text(&root, "signed in as Yew Ada").await,
        "signed in as Yew Ada"
    );
    client.user().update().name("Yew Ada King").await.expect("updates");
    assert_eq!(
        wait_for_text(&root, "signed in as Yew Ada King").await,
        "signed in as Yew Ada King"
    );
    client.sign_out().await.expect("signs out");
    assert_eq!(wait_for_text(&root, "signed out").await, "signed out");
    app.destroy();
}
