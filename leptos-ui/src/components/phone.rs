//! `<PhoneSignIn>`: sign in with a phone number, by texted code or by password.

use keyward_client::wire::PhoneSignInOutcome;
use leptos::prelude::*;

use super::{Task, classes};
use crate::context::use_auth;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Text a code, then verify it (`/phone-number/send-otp`, `/phone-number/verify`).
    Code,
    /// Number and password (`/sign-in/phone-number`).
    Password,
}

/// Phone sign-in (the server's phone-number plugin): a texted code signs in the number's
/// user (or creates one where the server signs up on verification), or the number and a
/// password do. An account with two-factor authentication is answered with the
/// challenge, which `<SignInForm>` completes; here it shows as an error.
///
/// ```no_run
/// use keyward_leptos::components::PhoneSignIn;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <PhoneSignIn /> }
/// # }
/// ```
#[component]
pub fn PhoneSignIn(
    /// Called once signed in.
    #[prop(optional, into)]
    on_success: Option<Callback<()>>,
    /// Extra classes on the `<form>`.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let mode = RwSignal::new(Mode::Code);
    let number = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let texted = RwSignal::new(false);
    let done = move || {
        code.set(String::new());
        password.set(String::new());
        texted.set(false);
        if let Some(on_success) = on_success {
            on_success.run(());
        }
    };

    let send_code = move || {
        let client = auth.client();
        let to = number.get_untracked().trim().to_owned();
        task.run(async move { client.phone_number().send_otp(to).await }, move |()| {
            texted.set(true)
        });
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let phone = number.get_untracked().trim().to_owned();
        match mode.get_untracked() {
            Mode::Code if !texted.get_untracked() => send_code(),
            Mode::Code => {
                let value = code.get_untracked().trim().to_owned();
                task.run(
                    async move { client.phone_number().verify(phone, value).send().await },
                    move |_| done(),
                );
            }
            Mode::Password => {
                let secret = password.get_untracked();
                task.run(
                    async move { client.phone_number().sign_in(phone, secret).send().await },
                    move |outcome| match outcome {
                        PhoneSignInOutcome::SignedIn(_) => done(),
                        PhoneSignInOutcome::TwoFactorRequired(_) => {
                            task.fail("This account has two-factor authentication: sign in with its email.")
                        }
                    },
                );
            }
        }
    };

    view! {
        <form class=classes("kw-phone-sign-in", &class) on:submit=submit aria-busy=move || task.busy().to_string()>
            <label>
                <span>"Phone number"</span>
                <input type="tel" name="phone" autocomplete="tel" required bind:value=number disabled=move || texted.get() />
            </label>
            {move || match (mode.get(), texted.get()) {
                (Mode::Code, false) => view! {
                    {task.error_view()}
                    <button type="submit" disabled=move || task.busy()>"Text me a code"</button>
                }
                .into_any(),
                (Mode::Code, true) => view! {
                    <p class="kw-sent" role="status">"We texted a code to " <strong>{number.get_untracked()}</strong> "."</p>
                    <label>
                        <span>"Code"</span>
                        <input type="text" name="code" autocomplete="one-time-code" inputmode="numeric" required bind:value=code />
                    </label>
                    {task.error_view()}
                    <button type="submit" disabled=move || task.busy()>"Sign in"</button>
                    <button type="button" class="kw-resend" on:click=move |_| send_code() disabled=move || task.busy()>"Send a new code"</button>
                }
                .into_any(),
                (Mode::Password, _) => view! {
                    <label>
                        <span>"Password"</span>
                        <input type="password" name="password" autocomplete="current-password" required bind:value=password />
                    </label>
                    {task.error_view()}
                    <button type="submit" disabled=move || task.busy()>"Sign in"</button>
                }
                .into_any(),
            }}
            <button type="button" class="kw-phone-mode" on:click=move |_| {
                texted.set(false);
                mode.update(|mode| *mode = if *mode == Mode::Code { Mode::Password } else { Mode::Code });
            }>
                {move || if mode.get() == Mode::Code { "Use my password instead" } else { "Text me a code instead" }}
            </button>
        </form>
    }
}
