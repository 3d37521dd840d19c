//! `<UserButton>`: who is signed in, and a way out.

use leptos::prelude::*;

use super::{Task, classes};
use crate::context::{use_auth, use_session};

/// The signed-in user's avatar (or initials), name and email, with a "Sign out" button.
/// Renders nothing while nobody is signed in.
///
/// ```no_run
/// use keyward_leptos::components::UserButton;
/// use leptos::prelude::*;
/// # fn header() -> impl IntoView {
/// view! { <header><UserButton /></header> }
/// # }
/// ```
#[component]
pub fn UserButton(
    /// Called after signing out.
    #[prop(optional, into)]
    on_sign_out: Option<Callback<()>>,
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let session = use_session();
    let task = Task::new();
    let class = classes("kw-user-button", &class);
    let sign_out = move |_| {
        let client = auth.client();
        task.run(async move { client.sign_out().await }, move |()| {
            if let Some(on_sign_out) = on_sign_out {
                on_sign_out.run(());
            }
        });
    };
    move || {
        session.data().map(|data| {
            let user = data.user;
            let avatar = match user.image.clone().filter(|image| !image.is_empty()) {
                Some(image) => view! { <img class="kw-avatar" src=image alt="" /> }.into_any(),
                None => view! { <span class="kw-avatar" aria-hidden="true">{initials(&user.name)}</span> }.into_any(),
            };
            view! {
                <div class=class.clone()>
                    {avatar}
                    <span class="kw-user-name">{user.name.clone()}</span>
                    <span class="kw-user-email">{user.email.clone()}</span>
                    {task.error_view()}
                    <button type="button" class="kw-sign-out" on:click=sign_out disabled=move || task.busy()>"Sign out"</button>
                </div>
            }
        })
    }
}

/// Up to two initials of a name ("Ada Lovelace" → "AL"), uppercased in full Unicode
/// ("émile" → "É").
pub(crate) fn initials(name: &str) -> String {
    let initials: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .collect();
    uppercase(&initials)
}

/// In the browser, `String.prototype.toUpperCase`: Rust's own Unicode case table is
/// 13.8 KB of WebAssembly, and the minimal page is 7.4 KB (gzipped) smaller without it.
#[cfg(target_arch = "wasm32")]
fn uppercase(text: &str) -> String {
    js_sys::JsString::from(text).to_upper_case().into()
}

/// On the server (SSR) and in native tests, Rust's `to_uppercase`.
#[cfg(not(target_arch = "wasm32"))]
fn uppercase(text: &str) -> String {
    text.to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("  émile   zola  byron"), "ÉZ");
        assert_eq!(initials("ßmith"), "SS");
        assert_eq!(initials(""), "");
    }
}
