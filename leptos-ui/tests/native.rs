//! The bridge, the context and the gates, natively: Leptos' reactive runtime on a tokio
//! `LocalSet`, views rendered to HTML (what a server render sends).

#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_signals::signal::{Mutable, SignalExt};
use keyward_client::wire::OAuthErrorCode;
use keyward_client::wire::SessionData;
use keyward_client::{AuthClient, Error, wire::ErrorCode};
use keyward_leptos::components::{AuthGate, DeviceApproval, SignedIn, SignedOut};
use keyward_leptos::{provide_auth, provide_messages, use_messages, use_passkeys, use_session};
use leptos::prelude::*;

/// Runs `test` on a single-threaded runtime with Leptos' executor on it.
fn run_local<F: std::future::Future<Output = ()>>(test: impl FnOnce() -> F) {
    let _ = any_spawner::Executor::init_tokio();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, test());
}

/// Lets spawned tasks run.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn the_bridge_follows_the_store_and_stops_with_its_owner() {
    run_local(|| async {
        let source = Mutable::new(1);
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = DropFlag(dropped.clone());
        let owner = Owner::new();
        let followed = owner.with(|| {
            let watched = source.signal().map(move |value| {
                let _alive = &guard;
                value
            });
            keyward_leptos::bridge::follow(0, watched)
        });
        assert_eq!(followed.get_untracked(), 0, "the initial value until the task runs");
        settle().await;
        assert_eq!(followed.get_untracked(), 1);
        source.set(2);
        settle().await;
        assert_eq!(followed.get_untracked(), 2);
        assert!(!dropped.load(Ordering::SeqCst));
        owner.cleanup();
        settle().await;
        assert!(
            dropped.load(Ordering::SeqCst),
            "the forwarding task ended with its owner"
        );
        source.set(3);
        settle().await;
        assert_eq!(followed.try_get_untracked(), None, "the signal went with its owner");
    });
}

fn offline_client() -> AuthClient {
    // Nothing listens on port 9: a restore fails fast and leaves an error, never data.
    AuthClient::builder("http://127.0.0.1:9".parse().expect("url"))
        .build()
        .expect("client")
}

fn session_data(name: &str) -> SessionData {
    serde_json::from_value(serde_json::json!({
        "session": {
            "id": "s1", "token": "t1", "userId": "u1",
            "expiresAt": "2030-01-01T00:00:00.000Z",
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
            "ipAddress": "", "userAgent": ""
        },
        "user": {
            "id": "u1", "name": name, "email": "ada@example.com", "emailVerified": false,
            "image": null,
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z"
        }
    }))
    .expect("session JSON")
}

fn gates() -> impl IntoView {
    view! {
        <SignedIn><p>"signed in"</p></SignedIn>
        <SignedOut><p>"signed out"</p></SignedOut>
        <AuthGate fallback=|| view! { <p>"gate fallback"</p> }><p>"gate content"</p></AuthGate>
    }
}

#[test]
fn while_the_session_is_unknown_no_gate_shows_either_side() {
    run_local(|| async {
        let owner = Owner::new();
        let html = owner.with(|| {
            provide_auth(offline_client());
            gates().to_html()
        });
        assert!(html.contains("kw-pending"), "{html}");
        for text in ["signed in", "signed out", "gate content", "gate fallback"] {
            assert!(!html.contains(text), "{text} must not show while pending: {html}");
        }
    });
}

#[test]
fn a_session_seeded_on_the_server_renders_without_a_request() {
    run_local(|| async {
        let owner = Owner::new();
        let client = offline_client();
        assert!(client.session().hydrate(Some(session_data("Ada"))));
        let (html, name) = owner.with(|| {
            provide_auth(client.clone());
            let session = use_session();
            (gates().to_html(), session.data().map(|data| data.user.name))
        });
        assert_eq!(name.as_deref(), Some("Ada"));
        assert!(html.contains("signed in") && html.contains("gate content"), "{html}");
        assert!(
            !html.contains("signed out") && !html.contains("gate fallback"),
            "{html}"
        );
        settle().await;
        assert!(
            client.session().get().error.is_none(),
            "a seeded store is not fetched again"
        );
        assert!(!client.session().hydrate(None), "seeding happens once");
    });
}

#[test]
fn a_known_absent_session_shows_the_signed_out_side() {
    run_local(|| async {
        let owner = Owner::new();
        let client = offline_client();
        client.session().hydrate(None);
        let html = owner.with(|| {
            provide_auth(client);
            gates().to_html()
        });
        assert!(html.contains("signed out") && html.contains("gate fallback"), "{html}");
        assert!(!html.contains("signed in") && !html.contains("gate content"), "{html}");
    });
}

#[test]
fn provide_auth_resolves_an_unknown_session() {
    run_local(|| async {
        let owner = Owner::new();
        let session = owner.with(|| {
            provide_auth(offline_client());
            use_session()
        });
        assert!(session.signal().get_untracked().is_pending);
        settle().await;
        // No stored token: known signed out, without asking the (unreachable) server.
        let state = session.signal().get_untracked();
        assert!(
            !state.is_pending && state.data.is_none() && state.error.is_none(),
            "{state:?}"
        );
        let html = owner.with(|| gates().to_html());
        assert!(html.contains("signed out") && html.contains("gate fallback"), "{html}");
    });
}

#[test]
fn hooks_make_their_signal_once_per_context() {
    run_local(|| async {
        let owner = Owner::new();
        owner.with(|| {
            let client = offline_client();
            client.session().hydrate(None);
            provide_auth(client);
            let first = use_passkeys();
            let again = use_passkeys();
            assert!(first == again, "the same signal, not a second store subscription");
        });
    });
}

#[test]
fn error_texts_can_be_replaced() {
    let wrong = Error::Api {
        status: 401,
        code: ErrorCode::InvalidEmailOrPassword,
        message: "Invalid email or password".into(),
    };
    let unknown = Error::Api {
        status: 400,
        code: ErrorCode::Other("SOMETHING_NEW".into()),
        message: "Something new went wrong".into(),
    };
    let owner = Owner::new();
    owner.with(|| {
        assert_eq!(use_messages().text(&wrong), "Wrong email or password.");
        assert_eq!(use_messages().text(&unknown), "Something new went wrong");
        provide_messages(|error: &Error| match error {
            Error::Api {
                code: ErrorCode::InvalidEmailOrPassword,
                ..
            } => Some("E-Mail oder Passwort falsch.".into()),
            _ => None,
        });
        assert_eq!(use_messages().text(&wrong), "E-Mail oder Passwort falsch.");
        assert_eq!(
            use_messages().text(&unknown),
            "Something new went wrong",
            "the default stays"
        );
    });
}

#[test]
fn the_device_page_asks_for_the_code_and_explains_oauth_errors() {
    run_local(|| async {
        let owner = Owner::new();
        let html = owner.with(|| {
            provide_auth(offline_client());
            view! { <DeviceApproval class="mine" /> }.to_html()
        });
        assert!(html.contains("kw-device-approval mine"), "{html}");
        assert!(
            html.contains(r#"name="user_code""#) && html.contains("Continue"),
            "{html}"
        );
        let expired = Error::OAuth {
            status: 400,
            error: OAuthErrorCode::ExpiredToken,
            description: "User code has expired".into(),
        };
        let unknown = Error::OAuth {
            status: 400,
            error: OAuthErrorCode::InvalidRequest,
            description: "Invalid user code".into(),
        };
        owner.with(|| {
            assert_eq!(
                use_messages().text(&expired),
                "This code has expired. Start again on your device."
            );
            assert_eq!(
                use_messages().text(&unknown),
                "That code is not right. Check it on your device."
            );
        });
    });
}

/// The README's Leptos example is `examples/minimal.rs`, which CI builds (native and
/// wasm32), so the README cannot drift from code that compiles.
#[test]
fn readme_leptos_example_is_the_built_example() {
    let readme = include_str!("../../README.md");
    let example = include_str!("../examples/minimal.rs");
    let block = readme
        .split("## Leptos and Yew")
        .nth(1)
        .and_then(|section| section.split("```rust,ignore\n").nth(1))
        .and_then(|rest| rest.split("\n```").next())
        .expect("README has the Leptos block");
    let normalize = |text: &str| text.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert!(
        normalize(example).contains(&normalize(block)),
        "README Leptos block differs from examples/minimal.rs"
    );
}
