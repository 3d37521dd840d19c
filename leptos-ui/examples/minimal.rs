//! The smallest Keyward app in Leptos (the README's example): sign-in and sign-up forms
//! for visitors, the user button once signed in. Build for the browser with
//! `cargo build -p keyward-leptos --example minimal --target wasm32-unknown-unknown`.

use keyward_client::AuthClient;
use keyward_leptos::components::{AuthGate, SignInForm, SignUpForm, UserButton};
use keyward_leptos::provide_auth;
use leptos::prelude::*;

#[component]
fn App() -> impl IntoView {
    // Same origin as the server: the browser's cookies carry the session.
    provide_auth(AuthClient::at("http://localhost:3000").build().expect("a client"));
    view! {
        <AuthGate fallback=|| view! { <SignInForm /> <SignUpForm /> }>
            <UserButton />
        </AuthGate>
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this example runs in a browser: build it for wasm32-unknown-unknown");
}
