//! Browser integration: refetch the session when the page becomes visible again.

use std::sync::Arc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::client::AuthClient;

/// Refetches when the document becomes visible, at most once per 5 s (better-auth's
/// focus manager). The listener stays registered for the page's lifetime but does nothing
/// once the client is dropped.
pub(crate) fn listen_for_focus(client: &AuthClient) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let weak = Arc::downgrade(&client.inner);
    let target = document.clone();
    let listener = Closure::<dyn FnMut()>::new(move || {
        if target.visibility_state() != web_sys::VisibilityState::Visible {
            return;
        }
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let client = AuthClient { inner };
        if !client.inner.background.take_focus_slot(js_sys::Date::now()) {
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let _ = client.refresh_session(true).await;
        });
    });
    let _ = document.add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
    listener.forget();
}
