//! `<EmailOtpForm>`: sign in with a code sent by email.

use keyward_client::wire::EmailOtpType;
use leptos::prelude::*;

use super::{LastUsed, Task, classes};
use crate::context::use_auth;

/// Passwordless sign-in by emailed code (the server's email-OTP plugin): the address gets
/// a code, typing it signs in (a new address is signed up unless the server forbids it).
/// "Send a new code" asks again; a wrong, expired or used-up code shows the server's
/// typed error.
///
/// ```no_run
/// use keyward_leptos::components::EmailOtpForm;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <EmailOtpForm on_success=|| leptos::logging::log!("signed in") /> }
/// # }
/// ```
#[component]
pub fn EmailOtpForm(
    /// Called once signed in.
    #[prop(optional, into)]
    on_success: Option<Callback<()>>,
    /// Extra classes on the `<form>`.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let email = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let sent_to = RwSignal::new(None::<String>);

    let send = move || {
        let client = auth.client();
        let address = email.get_untracked().trim().to_owned();
        task.run(
            {
                let address = address.clone();
                async move {
                    client
                        .email_otp()
                        .send_verification_otp(address, EmailOtpType::SignIn)
                        .await
                }
            },
            move |()| sent_to.set(Some(address)),
        );
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(address) = sent_to.get_untracked() else {
            send();
            return;
        };
        let client = auth.client();
        let value = code.get_untracked().trim().to_owned();
        task.run(
            async move { client.sign_in().email_otp(address, value).send().await },
            move |_| {
                code.set(String::new());
                sent_to.set(None);
                if let Some(on_success) = on_success {
                    on_success.run(());
                }
            },
        );
    };

    view! {
        <form class=classes("kw-email-otp-form", &class) on:submit=submit aria-busy=move || task.busy().to_string()>
            {move || match sent_to.get() {
                None => view! {
                    <label>
                        <span>"Email"</span>
                        <input type="email" name="email" autocomplete="email" required bind:value=email />
                    </label>
                    {task.error_view()}
                    <button type="submit" disabled=move || task.busy()>"Email me a code" <LastUsed method="email-otp" /></button>
                }
                .into_any(),
                Some(address) => view! {
                    <p class="kw-sent" role="status">"We sent a code to " <strong>{address}</strong> "."</p>
                    <label>
                        <span>"Code"</span>
                        <input type="text" name="otp" autocomplete="one-time-code" inputmode="numeric" required bind:value=code />
                    </label>
                    {task.error_view()}
                    <button type="submit" disabled=move || task.busy()>"Sign in"</button>
                    <div class="kw-alternatives">
                        <button type="button" class="kw-resend" on:click=move |_| send() disabled=move || task.busy()>"Send a new code"</button>
                        <button type="button" class="kw-change-email" on:click=move |_| sent_to.set(None)>"Use another address"</button>
                    </div>
                }
                .into_any(),
            }}
        </form>
    }
}
