//! `<SignUpForm>`: name, email and password.

use leptos::prelude::*;

use super::{Task, classes};
use crate::context::use_auth;

/// Creates an account (and, where the server signs new users in, a session).
///
/// ```no_run
/// use keyward_leptos::components::SignUpForm;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <SignUpForm min_password_length=8 /> }
/// # }
/// ```
#[component]
pub fn SignUpForm(
    /// Called once the account exists.
    #[prop(optional, into)]
    on_success: Option<Callback<()>>,
    /// Checked in the browser before anything is sent (the server checks again).
    #[prop(default = 8)]
    min_password_length: usize,
    /// Extra classes on the `<form>`.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let password_value = password.get_untracked();
        if password_value.chars().count() < min_password_length {
            task.fail(format!("The password needs at least {min_password_length} characters."));
            return;
        }
        let client = auth.client();
        let (name_value, email_value) = (name.get_untracked(), email.get_untracked());
        task.run(
            async move {
                client
                    .sign_up()
                    .email(name_value, email_value, password_value)
                    .send()
                    .await
            },
            move |_| {
                password.set(String::new());
                if let Some(on_success) = on_success {
                    on_success.run(());
                }
            },
        );
    };

    view! {
        <form class=classes("kw-sign-up-form", &class) on:submit=submit aria-busy=move || task.busy().to_string()>
            <label>
                <span>"Name"</span>
                <input type="text" name="name" autocomplete="name" required bind:value=name />
            </label>
            <label>
                <span>"Email"</span>
                <input type="email" name="email" autocomplete="email" required bind:value=email />
            </label>
            <label>
                <span>"Password"</span>
                <input type="password" name="password" autocomplete="new-password" required minlength=min_password_length bind:value=password />
            </label>
            {task.error_view()}
            <button type="submit" disabled=move || task.busy()>"Create account"</button>
        </form>
    }
}
