//! `<LastUsed>`: the "last used" marker of a sign-in method.

use leptos::prelude::*;

use crate::context::use_auth;

/// "Last used", shown only when `method` is the one the user signed in with last (the
/// server's last-login-method plugin sets the readable cookie it is read from: `email`,
/// `magic-link`, `email-otp`, `passkey`, a provider's id …). The sign-in components show
/// it on their own methods; put it beside anything else.
///
/// It is read in the browser once the page runs, so a server render (which has no
/// cookie of the browser's) and the hydrated page agree.
///
/// ```no_run
/// use keyward_leptos::components::LastUsed;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <button>"Continue with SSO" <LastUsed method="sso" /></button> }
/// # }
/// ```
#[component]
pub fn LastUsed(
    /// The method's name as the server records it.
    #[prop(into)]
    method: String,
    /// The marker's text.
    #[prop(default = "Last used".into(), into)]
    label: String,
) -> impl IntoView {
    let auth = use_auth();
    let shown = RwSignal::new(false);
    let checked = method.clone();
    Effect::new(move || shown.set(auth.client().last_login_method().is(&checked)));
    move || {
        shown
            .get()
            .then(|| view! { <span class="kw-last-used" data-method=method.clone()>{label.clone()}</span> })
    }
}
