//! `<MagicLinkForm>`: ask for a sign-in link by email.

use keyward_client::wire::MagicLinkError;
use leptos::prelude::*;

use super::flow::{current_page, current_page_for, returned_error};
use super::{LastUsed, Task, classes};
use crate::context::use_auth;
use crate::messages::default_magic_link_message;

/// The flow name in the address a failed link comes back to.
const FLOW: &str = "magic-link";

/// Email sign-in without a password (the server's magic-link plugin): the address gets a
/// link, and opening it signs the browser in at `callback_url` (the current page by
/// default; a new user lands on `new_user_callback_url` when given). A link that failed
/// (used, expired, sign-up closed) comes back to this page, and the form shows why.
///
/// ```no_run
/// use keyward_leptos::components::MagicLinkForm;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <MagicLinkForm callback_url="/dashboard" /> }
/// # }
/// ```
#[component]
pub fn MagicLinkForm(
    /// Where the link signs the browser in (a trusted URL; the current page by default).
    #[prop(optional, into)]
    callback_url: Option<String>,
    /// Where a new user lands instead.
    #[prop(optional, into)]
    new_user_callback_url: Option<String>,
    /// Called once the link is sent, with the address.
    #[prop(optional, into)]
    on_sent: Option<Callback<String>>,
    /// Extra classes on the `<form>`.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let email = RwSignal::new(String::new());
    let sent_to = RwSignal::new(None::<String>);
    let returned = RwSignal::new(None::<MagicLinkError>);
    Effect::new(move || returned.set(returned_error(FLOW).map(|code| MagicLinkError::parse(&code))));

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let address = email.get_untracked().trim().to_owned();
        let (callback, new_user) = (
            callback_url.clone().or_else(current_page),
            new_user_callback_url.clone(),
        );
        returned.set(None);
        sent_to.set(None);
        task.run(
            {
                let address = address.clone();
                async move {
                    let mut request = client.magic_link().sign_in(address);
                    if let Some(url) = callback {
                        request = request.callback_url(url);
                    }
                    if let Some(url) = new_user {
                        request = request.new_user_callback_url(url);
                    }
                    if let Some(url) = current_page_for(FLOW) {
                        request = request.error_callback_url(url);
                    }
                    request.send().await
                }
            },
            move |()| {
                sent_to.set(Some(address.clone()));
                if let Some(on_sent) = on_sent {
                    on_sent.run(address);
                }
            },
        );
    };

    view! {
        <form class=classes("kw-magic-link-form", &class) on:submit=submit aria-busy=move || task.busy().to_string()>
            <label>
                <span>"Email"</span>
                <input type="email" name="email" autocomplete="email" required bind:value=email />
            </label>
            {move || returned.get().map(|error| view! {
                <p class="kw-error" role="alert" data-code=error.to_string()>{default_magic_link_message(&error)}</p>
            })}
            {task.error_view()}
            {move || sent_to.get().map(|address| view! {
                <p class="kw-sent" role="status">"We sent a sign-in link to " <strong>{address}</strong> "."</p>
            })}
            <button type="submit" disabled=move || task.busy()>"Email me a sign-in link" <LastUsed method=FLOW /></button>
        </form>
    }
}
