//! `<AccountSwitcher>` (the multi-session plugin's accounts of this device) and
//! `<GuestButton>` (the anonymous plugin's "continue as a guest").

use leptos::prelude::*;

use super::{SignInForm, Task, classes};
use crate::context::{use_auth, use_device_sessions, use_session};

/// The accounts signed in on this device (the server's multi-session plugin): the active
/// one marked, any other made active with a click (the page follows through the session
/// store, without a reload), each signed out on its own, and "Add an account" with an
/// inline `<SignInForm>` that signs another one in beside them.
///
/// ```no_run
/// use keyward_leptos::components::AccountSwitcher;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <AccountSwitcher /> }
/// # }
/// ```
#[component]
pub fn AccountSwitcher(
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let session = use_session();
    let accounts = use_device_sessions();
    let adding = RwSignal::new(false);
    let active_token = move || session.data().map(|data| data.session.token);

    let rows = move || {
        let active = active_token();
        accounts.get().data.unwrap_or_default().into_iter().map(|entry| {
            let is_active = active.as_ref() == Some(&entry.session.token);
            let (switch_token, revoke_token) = (entry.session.token.clone(), entry.session.token.clone());
            let switch = move |_| {
                let client = auth.client();
                let token = switch_token.clone();
                task.run(async move { client.multi_session().set_active(token).await }, |_| {});
            };
            let revoke = move |_| {
                let client = auth.client();
                let token = revoke_token.clone();
                task.run(async move { client.multi_session().revoke(token).await }, |()| {});
            };
            view! {
                <li class="kw-account" class:kw-account-active=is_active aria-current=is_active.then_some("true")>
                    <button type="button" class="kw-account-switch" on:click=switch disabled=move || is_active || task.busy()>
                        <span class="kw-account-name">{entry.user.name.clone()}</span>
                        <span class="kw-account-email">{entry.user.email.clone()}</span>
                    </button>
                    <button type="button" class="kw-account-sign-out" on:click=revoke disabled=move || task.busy()>"Sign out"</button>
                </li>
            }
        }).collect_view()
    };

    view! {
        <div class=classes("kw-account-switcher", &class)>
            <ul>{rows}</ul>
            {task.error_view()}
            {move || if adding.get() {
                view! { <SignInForm class="kw-add-account" on_success=move || adding.set(false) /> }.into_any()
            } else {
                view! { <button type="button" class="kw-account-add" on:click=move |_| adding.set(true)>"Add an account"</button> }.into_any()
            }}
        </div>
    }
}

/// "Continue as a guest" (the server's anonymous plugin): an anonymous account and its
/// session. Signing up or in later links what the guest did to the real account, and
/// the server removes the guest.
///
/// ```no_run
/// use keyward_leptos::components::GuestButton;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <GuestButton /> }
/// # }
/// ```
#[component]
pub fn GuestButton(
    /// Called once signed in as a guest.
    #[prop(optional, into)]
    on_success: Option<Callback<()>>,
    /// The button's text.
    #[prop(default = "Continue as a guest".into(), into)]
    label: String,
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let start = move |_| {
        let client = auth.client();
        task.run(async move { client.sign_in().anonymous().send().await }, move |_| {
            if let Some(on_success) = on_success {
                on_success.run(());
            }
        });
    };
    view! {
        <div class=classes("kw-guest-button", &class)>
            <button type="button" on:click=start disabled=move || task.busy() aria-busy=move || task.busy().to_string()>{label}</button>
            {task.error_view()}
        </div>
    }
}
