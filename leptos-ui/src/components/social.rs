//! `<SocialSignIn>`: one button per provider, and the error a provider flow came back with.

use keyward_client::wire::SocialErrorCode;
use leptos::prelude::*;

use super::flow::current_page;
use super::{LastUsed, Task, classes};
use crate::context::use_auth;
use crate::messages::default_social_message;

/// A provider button: the provider id the server knows and the text to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderButton {
    /// The provider id (`github`, or a generic provider's id).
    pub id: String,
    /// The button's text ("Continue with GitHub").
    pub label: String,
}

impl ProviderButton {
    /// A button for `id` labelled `label`.
    pub fn new(id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
        }
    }
}

/// "Continue with …" buttons: each asks the server for the provider's URL and sends the
/// browser there; the provider sends it back to `callback_url` signed in (or to
/// `new_user_callback_url` after a sign-up). When the page was reached by a failed flow
/// (`?error=…` from the server's `errorCallbackURL` redirect), the error is shown as text
/// from its typed code.
///
/// ```no_run
/// use keyward_leptos::components::{ProviderButton, SocialSignIn};
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// let providers = vec![ProviderButton::new("github", "Continue with GitHub")];
/// view! { <SocialSignIn providers=providers callback_url="/dashboard" /> }
/// # }
/// ```
#[component]
pub fn SocialSignIn(
    /// The buttons, in order.
    providers: Vec<ProviderButton>,
    /// Where the browser lands once signed in (a trusted URL; the current page by default).
    #[prop(optional, into)]
    callback_url: Option<String>,
    /// Where it lands after a sign-up.
    #[prop(optional, into)]
    new_user_callback_url: Option<String>,
    /// Where it lands when the flow fails (this page by default, so the error shows here).
    #[prop(optional, into)]
    error_callback_url: Option<String>,
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let returned_error = RwSignal::new(None::<SocialErrorCode>);
    Effect::new(move || returned_error.set(current_page_error()));
    let buttons = providers
        .into_iter()
        .map(|provider| {
            let (callback, new_user, error) = (
                callback_url.clone(),
                new_user_callback_url.clone(),
                error_callback_url.clone(),
            );
            let id = provider.id.clone();
            let start = move |_| {
                let client = auth.client();
                let (id, callback, new_user) = (id.clone(), callback.clone(), new_user.clone());
                let error = error.clone().or_else(current_page);
                returned_error.set(None);
                task.run(
                    async move {
                        let mut request = client.sign_in().social(id);
                        if let Some(url) = callback.or_else(current_page) {
                            request = request.callback_url(url);
                        }
                        if let Some(url) = new_user {
                            request = request.new_user_callback_url(url);
                        }
                        if let Some(url) = error {
                            request = request.error_callback_url(url);
                        }
                        go(request).await
                    },
                    |_| {},
                );
            };
            view! {
                <button
                    type="button"
                    class="kw-social-provider"
                    data-provider=provider.id.clone()
                    on:click=start
                    disabled=move || task.busy()
                    aria-busy=move || task.busy().to_string()
                >
                    {provider.label}
                    <LastUsed method=provider.id.clone() />
                </button>
            }
        })
        .collect_view();
    view! {
        <div class=classes("kw-social-sign-in", &class)>
            {buttons}
            {move || {
                returned_error
                    .get()
                    .map(|code| {
                        view! {
                            <p class="kw-error" role="alert" data-code=code.to_string()>
                                {default_social_message(&code)}
                            </p>
                        }
                    })
            }}
            {task.error_view()}
        </div>
    }
}

/// The social flow's error the page was reached with (not another flow's).
#[cfg(target_arch = "wasm32")]
fn current_page_error() -> Option<SocialErrorCode> {
    super::flow::reached_by(None)
        .then(keyward_client::api::sign_in::social_error)
        .flatten()
}

#[cfg(not(target_arch = "wasm32"))]
fn current_page_error() -> Option<SocialErrorCode> {
    None
}

#[cfg(target_arch = "wasm32")]
async fn go(request: keyward_client::api::sign_in::SignInSocial<'_>) -> keyward_client::Result<()> {
    request.navigate().await
}

/// Rendered on a server, a click never happens; a native app opens the URL itself.
#[cfg(not(target_arch = "wasm32"))]
async fn go(request: keyward_client::api::sign_in::SignInSocial<'_>) -> keyward_client::Result<()> {
    request.send().await.map(|_| ())
}
