//! The minimal example's markup with no auth behind it: the same sign-in form (with its
//! second-factor step), sign-up form and user button, on Leptos alone. It is what
//! `./scripts/bench-frontend` weighs as the floor of a Leptos page (row `leptos`), so the
//! bytes Keyward adds to [the minimal example](minimal.rs) can be told from Leptos' own.
//! Build for the browser with
//! `cargo build -p keyward-leptos --example bare_forms --target wasm32-unknown-unknown`.

use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Password,
    SecondFactor,
}

#[component]
fn SignInForm(signed_in: RwSignal<Option<String>>) -> impl IntoView {
    let step = RwSignal::new(Step::Password);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let remember = RwSignal::new(true);
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit_password = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if password.get_untracked().len() < 8 {
            error.set(Some("Password too short".into()));
        } else if remember.get_untracked() {
            step.set(Step::SecondFactor);
        } else {
            signed_in.set(Some(email.get_untracked()));
        }
    };
    let submit_code = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if code.get_untracked().len() == 6 {
            signed_in.set(Some(email.get_untracked()));
        } else {
            error.set(Some("Invalid code".into()));
        }
    };
    move || {
        match step.get() {
        Step::Password => view! {
            <form on:submit=submit_password>
                <label><span>"Email"</span><input type="email" name="email" autocomplete="username" required bind:value=email /></label>
                <label><span>"Password"</span><input type="password" name="password" autocomplete="current-password" required bind:value=password /></label>
                <label class="kw-checkbox"><input type="checkbox" name="remember" bind:checked=remember /><span>"Remember me"</span></label>
                {move || error.get().map(|message| view! { <p role="alert">{message}</p> })}
                <button type="submit">"Sign in"</button>
            </form>
        }
        .into_any(),
        Step::SecondFactor => view! {
            <form on:submit=submit_code>
                <p>"Enter the 6-digit code from your authenticator app."</p>
                <label><span>"Code"</span><input type="text" name="code" autocomplete="one-time-code" inputmode="numeric" required bind:value=code /></label>
                {move || error.get().map(|message| view! { <p role="alert">{message}</p> })}
                <button type="submit">"Verify"</button>
            </form>
        }
        .into_any(),
    }
    }
}

#[component]
fn SignUpForm(signed_in: RwSignal<Option<String>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if !name.get_untracked().is_empty() {
            signed_in.set(Some(email.get_untracked()));
        }
    };
    view! {
        <form on:submit=submit>
            <label><span>"Name"</span><input type="text" name="name" autocomplete="name" required bind:value=name /></label>
            <label><span>"Email"</span><input type="email" name="email" autocomplete="email" required bind:value=email /></label>
            <label><span>"Password"</span><input type="password" name="password" autocomplete="new-password" required bind:value=password /></label>
            <button type="submit">"Sign up"</button>
        </form>
    }
}

#[component]
fn App() -> impl IntoView {
    let signed_in = RwSignal::new(None::<String>);
    move || match signed_in.get() {
        Some(email) => view! {
            <div class="kw-user-button">
                <span>{email}</span>
                <button on:click=move |_| signed_in.set(None)>"Sign out"</button>
            </div>
        }
        .into_any(),
        None => view! { <SignInForm signed_in /> <SignUpForm signed_in /> }.into_any(),
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
