//! Server-side rendering with `keyward-leptos`: the page is rendered on the server with the
//! session the request's cookie carries, and the browser hydrates it with the same session
//! (embedded in the page as JSON), so the first paint is already right and hydration
//! agrees — no request, no flash of signed-out content, no mismatch.
//!
//! Build and run (what `scripts/test` does):
//!
//! ```text
//! cargo build -p keyward-ssr-example --lib --target wasm32-unknown-unknown --features hydrate
//! wasm-bindgen --target web --no-typescript --out-dir pkg target/wasm32-unknown-unknown/debug/keyward_ssr_example.wasm
//! SSR_PKG_DIR=pkg cargo run -p keyward-ssr-example --features ssr
//! ```

use keyward_leptos::components::{SignInForm, SignedIn, SignedOut, UserButton};
use keyward_leptos::use_session;
use leptos::prelude::*;

/// The id of the `<script type="application/json">` that carries the session to the
/// browser.
pub const SESSION_SCRIPT_ID: &str = "keyward-session";

/// The page: rendered by the server, hydrated by the browser. `provide_auth` is called by
/// the caller (with a seeded client) before this.
#[component]
pub fn App() -> impl IntoView {
    let session = use_session();
    let name = move || session.data().map(|data| data.user.name).unwrap_or_default();
    view! {
        <main>
            <h1>"Keyward SSR"</h1>
            <SignedIn>
                <p id="who">"Signed in as " <strong>{name}</strong></p>
                <UserButton />
            </SignedIn>
            <SignedOut>
                <SignInForm />
            </SignedOut>
        </main>
    }
}

/// The browser's entry point: seeds the client with the server's session and hydrates.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let window = web_sys::window().expect("a browser window");
    let origin = window.location().origin().expect("an origin");
    let data = window
        .document()
        .and_then(|document| document.get_element_by_id(SESSION_SCRIPT_ID))
        .and_then(|script| script.text_content())
        .and_then(|json| serde_json::from_str::<Option<keyward_client::wire::SessionData>>(&json).ok())
        .flatten();
    let client = keyward_client::AuthClient::at(origin).build().expect("a client");
    client.session().hydrate(data);
    leptos::mount::hydrate_body(move || {
        keyward_leptos::provide_auth(client.clone());
        view! { <App /> }
    });
    // For tests and for anyone watching: the page is interactive from here.
    if let Some(body) = window.document().and_then(|document| document.body()) {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
