//! `<SignUpForm>`: name, email (and username) and password.

use leptos::prelude::*;

use super::{Task, classes};
use crate::context::use_auth;

/// Creates an account (and, where the server signs new users in, a session). With
/// `username` (the server's username plugin) it asks for a username too, and says
/// whether it is free as soon as the field is left.
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
    /// Ask for a username too.
    #[prop(optional)]
    username: bool,
    /// Extra classes on the `<form>`.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let handle = RwSignal::new(String::new());
    let available = RwSignal::new(None::<bool>);

    let check_username = move |_| {
        let client = auth.client();
        let wanted = handle.get_untracked().trim().to_owned();
        available.set(None);
        if wanted.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            // A failed check says nothing: the sign-up itself reports a bad username.
            if let Ok(free) = client.username().is_available(wanted.clone()).await
                && handle.try_with_untracked(|now| now.trim() == wanted) == Some(true)
            {
                let _ = available.try_set(Some(free));
            }
        });
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let password_value = password.get_untracked();
        if password_value.chars().count() < min_password_length {
            task.fail(format!("The password needs at least {min_password_length} characters."));
            return;
        }
        let client = auth.client();
        let (name_value, email_value) = (name.get_untracked(), email.get_untracked());
        let handle_value = username.then(|| handle.get_untracked().trim().to_owned());
        task.run(
            async move {
                let request = client.sign_up().email(name_value, email_value, password_value);
                match handle_value {
                    Some(handle) => request.username(handle).send().await,
                    None => request.send().await,
                }
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
            {username.then(|| view! {
                <label>
                    <span>"Username"</span>
                    <input type="text" name="username" autocomplete="username" autocapitalize="none" required bind:value=handle on:change=check_username />
                    {move || available.get().map(|free| view! {
                        <span class="kw-field-status" data-available=free.to_string() role="status">
                            {if free { "Available" } else { "Taken" }}
                        </span>
                    })}
                </label>
            })}
            <label>
                <span>"Password"</span>
                <input type="password" name="password" autocomplete="new-password" required minlength=min_password_length bind:value=password />
            </label>
            {task.error_view()}
            <button type="submit" disabled=move || task.busy()>"Create account"</button>
        </form>
    }
}
