//! `<DeviceApproval>`: the verification page of the device-authorization plugin, where
//! a signed-in user enters the code a device shows and approves or denies it.

use keyward_client::wire::{DeviceCodeStatus, DeviceVerifyResponse};
use leptos::prelude::*;

use super::{Task, classes};
use crate::context::use_auth;

/// The code a device (a CLI, a TV app) shows, checked and claimed for the signed-in user
/// (`GET /device`), then approved or denied. Put it on the page the server's
/// `verificationUri` names (`/device` by default), behind an [`super::AuthGate`], and
/// hand it the `user_code` of the page's query so a user who followed
/// `verification_uri_complete` sees the request at once.
///
/// ```no_run
/// use keyward_leptos::components::{AuthGate, DeviceApproval, SignInForm};
/// use leptos::prelude::*;
/// # fn page(code_from_query: Option<String>) -> impl IntoView {
/// view! {
///     <AuthGate fallback=|| view! { <SignInForm /> }>
///         <DeviceApproval user_code=code_from_query.clone() />
///     </AuthGate>
/// }
/// # }
/// ```
#[component]
pub fn DeviceApproval(
    /// The code from the page's URL (a `String` or an `Option`), checked as soon as the
    /// component shows.
    #[prop(default = None, into)]
    user_code: Option<String>,
    /// Called once the user decided: `true` approved, `false` denied.
    #[prop(optional, into)]
    on_decided: Option<Callback<bool>>,
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let code = RwSignal::new(user_code.clone().unwrap_or_default());
    let request = RwSignal::new(None::<DeviceVerifyResponse>);
    let decided = RwSignal::new(None::<bool>);
    let class = classes("kw-device-approval", &class);

    let check = move || {
        let client = auth.client();
        let typed = code.get_untracked().trim().to_owned();
        if typed.is_empty() {
            task.fail("Enter the code your device shows.");
            return;
        }
        task.run(
            async move { client.device_authorization().verify(typed).await },
            move |status| request.set(Some(status)),
        );
    };
    if user_code.is_some_and(|code| !code.trim().is_empty()) {
        check();
    }
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        check();
    };
    let decide = move |approve: bool| {
        let client = auth.client();
        let Some(status) = request.get_untracked() else {
            return;
        };
        task.run(
            async move {
                let api = client.device_authorization();
                if approve {
                    api.approve(status.user_code).await
                } else {
                    api.deny(status.user_code).await
                }
            },
            move |()| {
                decided.set(Some(approve));
                if let Some(on_decided) = on_decided {
                    on_decided.run(approve);
                }
            },
        );
    };

    let body = move || match (decided.get(), request.get()) {
        (Some(true), _) => view! {
            <p class="kw-device-done" role="status">"Device connected. You can go back to it now."</p>
        }
        .into_any(),
        (Some(false), _) => view! {
            <p class="kw-device-done" role="status">"Request denied. The device was not signed in."</p>
        }
        .into_any(),
        (None, Some(status)) => match (&status.status, status.client_id.clone()) {
            (DeviceCodeStatus::Pending, Some(client_id)) => {
                let scope = status.scope.clone().filter(|scope| !scope.is_empty());
                view! {
                    <div class="kw-device-request">
                        <p>
                            <strong class="kw-device-client">{client_id}</strong>
                            " wants to sign in to your account."
                        </p>
                        {scope.map(|scope| view! { <p class="kw-device-scope">"It asks for: " {scope}</p> })}
                        <p>"Approve only if you started this on your own device."</p>
                        <button type="button" class="kw-device-approve" on:click=move |_| decide(true) disabled=move || task.busy()>
                            "Approve"
                        </button>
                        <button type="button" class="kw-device-deny" on:click=move |_| decide(false) disabled=move || task.busy()>
                            "Deny"
                        </button>
                    </div>
                }
                .into_any()
            }
            (DeviceCodeStatus::Pending, None) => view! {
                <p class="kw-device-done" role="status">"This code was opened by another account."</p>
            }
            .into_any(),
            _ => view! {
                <p class="kw-device-done" role="status">"This code has been used already."</p>
            }
            .into_any(),
        },
        (None, None) => view! {
            <form class="kw-device-code-form" on:submit=submit>
                <label>
                    <span>"Code shown on your device"</span>
                    <input
                        type="text"
                        name="user_code"
                        autocomplete="one-time-code"
                        autocapitalize="characters"
                        spellcheck="false"
                        placeholder="ABCD-2345"
                        required
                        bind:value=code
                    />
                </label>
                <button type="submit" disabled=move || task.busy() aria-busy=move || task.busy().to_string()>
                    "Continue"
                </button>
            </form>
        }
        .into_any(),
    };
    view! {
        <div class=class>
            {body}
            {task.error_view()}
        </div>
    }
}
