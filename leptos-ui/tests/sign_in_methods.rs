//! The sign-in method components rendered natively (what a server render sends): the
//! username fields, the magic-link form, and the "last used" marker that only the
//! browser shows. Their behaviour in a browser is driven by the demo's end-to-end test.

#![cfg(not(target_arch = "wasm32"))]

use keyward_client::wire::{ErrorCode, MagicLinkError};
use keyward_client::{AuthClient, Error};
use keyward_leptos::components::{LastUsed, MagicLinkForm, SignInForm, SignUpForm};
use keyward_leptos::{provide_auth, use_messages};
use leptos::prelude::*;

fn render(view: impl FnOnce() -> AnyView) -> String {
    let _ = any_spawner::Executor::init_tokio();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let owner = Owner::new();
        owner.with(|| {
            // Nothing listens on port 9.
            provide_auth(
                AuthClient::builder("http://127.0.0.1:9".parse().expect("url"))
                    .build()
                    .expect("client"),
            );
            view().to_html()
        })
    })
}

#[test]
fn the_password_forms_ask_for_a_username_only_when_told() {
    let plain = render(|| view! { <SignInForm /> }.into_any());
    assert!(plain.contains(r#"type="email" name="email""#), "{plain}");
    assert!(!plain.contains("username\""), "{plain}");
    let with_username = render(|| view! { <SignInForm username=true /> }.into_any());
    assert!(with_username.contains("Email or username"), "{with_username}");
    assert!(with_username.contains(r#"type="text" name="login""#), "{with_username}");

    let sign_up = render(|| view! { <SignUpForm /> }.into_any());
    assert!(!sign_up.contains(r#"name="username""#), "{sign_up}");
    let sign_up = render(|| view! { <SignUpForm username=true /> }.into_any());
    assert!(sign_up.contains(r#"name="username""#), "{sign_up}");
    assert!(
        !sign_up.contains("kw-field-status"),
        "nothing is said before the name is checked: {sign_up}"
    );
}

#[test]
fn the_magic_link_form_and_the_marker_render_without_a_browser() {
    let html = render(|| view! { <MagicLinkForm class="mine" /> }.into_any());
    assert!(html.contains("kw-magic-link-form mine"), "{html}");
    assert!(html.contains(r#"type="email" name="email""#), "{html}");
    assert!(
        !html.contains("role=\"alert\""),
        "no error without a failed link: {html}"
    );
    // The marker is read in the browser only: a server render never shows it, so the
    // hydrated page agrees with it.
    let marker = render(|| view! { <p><LastUsed method="magic-link" /></p> }.into_any());
    assert!(!marker.contains("kw-last-used"), "{marker}");
}

#[test]
fn magic_link_and_username_errors_have_texts() {
    let owner = Owner::new();
    owner.with(|| {
        let messages = use_messages();
        let used = Error::MagicLink {
            error: MagicLinkError::InvalidToken,
            description: None,
        };
        assert_eq!(
            messages.text(&used),
            "This link was already used or has expired. Ask for a new one."
        );
        let taken = Error::Api {
            status: 400,
            code: ErrorCode::UsernameIsAlreadyTaken,
            message: "Username is already taken. Please try another.".into(),
        };
        assert_eq!(messages.text(&taken), "This username is taken. Please choose another.");
        assert_eq!(
            keyward_leptos::default_magic_link_message(&MagicLinkError::Other("BANNED_USER".into())),
            "The link did not sign you in (BANNED_USER)."
        );
    });
}
