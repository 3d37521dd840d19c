//! `<PasskeyButton>` (sign in with a passkey) and `<PasskeysList>` (add, rename, delete).

use keyward_client::wire::Passkey;
use leptos::prelude::*;

use super::{LastUsed, Task, classes};
use crate::context::{use_auth, use_passkeys};

/// "Sign in with a passkey": runs the WebAuthn ceremony with the client's authenticator
/// (the browser's `navigator.credentials` on the web) and signs in.
///
/// ```no_run
/// use keyward_leptos::components::PasskeyButton;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <PasskeyButton /> }
/// # }
/// ```
#[component]
pub fn PasskeyButton(
    /// Called once signed in.
    #[prop(optional, into)]
    on_success: Option<Callback<()>>,
    /// The button's text.
    #[prop(default = "Sign in with a passkey".into(), into)]
    label: String,
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let sign_in = move |_| {
        let client = auth.client();
        task.run(async move { client.sign_in().passkey().send().await }, move |_| {
            if let Some(on_success) = on_success {
                on_success.run(());
            }
        });
    };
    view! {
        <div class=classes("kw-passkey-button", &class)>
            <button type="button" on:click=sign_in disabled=move || task.busy() aria-busy=move || task.busy().to_string()>
                {label}
                <LastUsed method="passkey" />
            </button>
            {task.error_view()}
        </div>
    }
}

/// The signed-in user's passkeys, each renamable and deletable, and "Add a passkey"
/// with an optional name.
///
/// ```no_run
/// use keyward_leptos::components::PasskeysList;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <PasskeysList /> }
/// # }
/// ```
#[component]
pub fn PasskeysList(
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let passkeys = use_passkeys();
    let task = Task::new();
    let new_name = RwSignal::new(String::new());
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let name = new_name.get_untracked().trim().to_owned();
        task.run(
            async move {
                let call = client.passkey().add_passkey();
                let call = if name.is_empty() { call } else { call.name(name) };
                call.send().await
            },
            move |_| new_name.set(String::new()),
        );
    };
    let delete = move |id: String| {
        let client = auth.client();
        task.run(async move { client.passkey().delete(&id).await }, |()| ());
    };
    let rename = move |id: String, name: String| {
        let client = auth.client();
        task.run(async move { client.passkey().update(&id, name).await }, |_| ());
    };
    view! {
        <section class=classes("kw-passkeys", &class) aria-busy=move || task.busy().to_string()>
            <ul>
                <For
                    each=move || passkeys.get().data.unwrap_or_default()
                    key=|passkey| (passkey.id.clone(), passkey.name.clone())
                    children=move |passkey: Passkey| {
                        let editing = RwSignal::new(passkey.name.clone().unwrap_or_default());
                        let (id_rename, id_delete) = (passkey.id.clone(), passkey.id.clone());
                        view! {
                            <li class="kw-passkey">
                                <span class="kw-passkey-name">{passkey.name.clone().unwrap_or_else(|| "Passkey".into())}</span>
                                <span class="kw-passkey-created">{passkey.created_at.map(|at| super::date(&at))}</span>
                                <input type="text" aria-label="New name" bind:value=editing />
                                <button type="button" class="kw-rename" on:click=move |_| rename(id_rename.clone(), editing.get_untracked()) disabled=move || task.busy()>"Rename"</button>
                                <button type="button" class="kw-delete" on:click=move |_| delete(id_delete.clone()) disabled=move || task.busy()>"Delete"</button>
                            </li>
                        }
                    }
                />
            </ul>
            <form class="kw-add-passkey" on:submit=add>
                <label>
                    <span>"Name (optional)"</span>
                    <input type="text" name="passkey-name" bind:value=new_name />
                </label>
                <button type="submit" disabled=move || task.busy()>"Add a passkey"</button>
            </form>
            {task.error_view()}
        </section>
    }
}
