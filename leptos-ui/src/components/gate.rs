//! `<SignedIn>`, `<SignedOut>` and `<AuthGate>`: show content by session state. While the
//! session is unknown none of them shows its children, so neither a server render nor the
//! first browser render flashes signed-out content.

use leptos::prelude::*;

use crate::context::{UseSession, use_session};

/// The coarse state the gates render by. A memo of it re-renders their children only when
/// it changes, not at every refetch or profile update (which would reset the children's
/// own state, such as a half-filled form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gate {
    Pending,
    SignedIn,
    SignedOut,
}

fn gate(session: UseSession) -> Memo<Gate> {
    Memo::new(move |_| {
        let state = session.signal();
        state.with(|state| match (state.is_pending, state.is_signed_in()) {
            (true, _) => Gate::Pending,
            (false, true) => Gate::SignedIn,
            (false, false) => Gate::SignedOut,
        })
    })
}

/// Shows its children only while someone is signed in.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let gate = gate(use_session());
    move || (gate.get() == Gate::SignedIn).then(|| children())
}

/// Shows its children only once the session is known to be absent.
#[component]
pub fn SignedOut(children: ChildrenFn) -> impl IntoView {
    let gate = gate(use_session());
    move || (gate.get() == Gate::SignedOut).then(|| children())
}

/// Shows its children to a signed-in user. Otherwise it shows `fallback`, or, with
/// `redirect_to`, sends the browser there. While the session is unknown it shows
/// `pending` (an empty, `aria-busy` placeholder by default).
///
/// ```no_run
/// use keyward_leptos::components::AuthGate;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! {
///     <AuthGate fallback=|| view! { <p>"Please sign in."</p> }>
///         <p>"Secret things"</p>
///     </AuthGate>
/// }
/// # }
/// ```
#[component]
pub fn AuthGate(
    children: ChildrenFn,
    /// Shown to a signed-out visitor (unless `redirect_to` is set).
    #[prop(optional, into)]
    fallback: Option<ViewFn>,
    /// Where to send a signed-out visitor (browsers only).
    #[prop(optional, into)]
    redirect_to: Option<String>,
    /// Shown while the session is unknown.
    #[prop(optional, into)]
    pending: Option<ViewFn>,
) -> impl IntoView {
    let gate = gate(use_session());
    move || match gate.get() {
        Gate::Pending => match &pending {
            Some(pending) => pending.run(),
            None => view! { <div class="kw-pending" aria-busy="true"></div> }.into_any(),
        },
        Gate::SignedIn => children().into_any(),
        Gate::SignedOut => {
            if let Some(target) = &redirect_to {
                redirect(target);
            }
            match &fallback {
                Some(fallback) => fallback.run(),
                None => ().into_any(),
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn redirect(target: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(target);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn redirect(_target: &str) {}
