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

/// Sends the browser to `url` (better-auth's redirect plugin does this with a provider's
/// URL); refuses `javascript:`, `data:` and `vbscript:` URLs as it does.
pub(crate) fn navigate(url: &str) -> crate::error::Result<()> {
    let scheme = url.split(':').next().unwrap_or_default().trim().to_ascii_lowercase();
    if matches!(scheme.as_str(), "javascript" | "data" | "vbscript") {
        return Err(crate::error::Error::InvalidRequest {
            message: format!("refusing to navigate to a {scheme}: URL"),
        });
    }
    let window = web_sys::window().ok_or_else(|| crate::error::Error::InvalidRequest {
        message: "no browser window to navigate".into(),
    })?;
    window
        .location()
        .set_href(url)
        .map_err(|_| crate::error::Error::InvalidRequest {
            message: "the browser refused to navigate".into(),
        })
}

/// The query of the current page, without `?`.
pub(crate) fn current_query() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    Some(search.trim_start_matches('?').to_owned())
}

/// better-auth's cross-tab channel: a `localStorage` key whose `storage` event reaches
/// every other tab of the same origin.
const BROADCAST_KEY: &str = "better-auth.message";

/// Writes a session message for the other tabs, in better-auth's format:
/// `{"event":"session","data":{"trigger":…},"clientId":…,"timestamp":<unix s>}`.
pub(crate) fn announce(what: crate::session_store::Broadcast) {
    let Some(storage) = web_sys::window().and_then(|window| window.local_storage().ok().flatten()) else {
        return;
    };
    let client_id = format!("{:016x}", (js_sys::Math::random() * 2f64.powi(53)) as u64);
    let message = serde_json::json!({
        "event": "session",
        "data": { "trigger": what.trigger() },
        "clientId": client_id,
        "timestamp": (js_sys::Date::now() / 1000.0).floor() as u64,
    });
    let _ = storage.set_item(BROADCAST_KEY, &message.to_string());
}

/// Whether a `storage` event's new value is a session message another tab wrote.
fn is_session_message(value: &str) -> bool {
    // From bytes, as every answer is read: `from_str` would be a second copy of the parser.
    let Ok(message) = serde_json::from_slice::<serde_json::Value>(value.as_bytes()) else {
        return false;
    };
    message.get("event").and_then(|event| event.as_str()) == Some("session")
        && message.get("data").is_some_and(|data| data.is_object())
}

/// Refetches the session when another tab announces a change. Like the focus listener,
/// it lives as long as the page and does nothing once the client is dropped.
pub(crate) fn listen_for_other_tabs(client: &AuthClient) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let weak = Arc::downgrade(&client.inner);
    let listener = Closure::<dyn FnMut(web_sys::StorageEvent)>::new(move |event: web_sys::StorageEvent| {
        if event.key().as_deref() != Some(BROADCAST_KEY) {
            return;
        }
        if !event.new_value().as_deref().is_some_and(is_session_message) {
            return;
        }
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let client = AuthClient { inner };
        wasm_bindgen_futures::spawn_local(async move {
            let _ = client.refresh_session(false).await;
        });
    });
    let _ = window.add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// The value of the page's cookie `name` (`document.cookie`), decoded.
pub(crate) fn cookie(name: &str) -> Option<String> {
    let document = web_sys::window()?
        .document()?
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?;
    let cookies = document.cookie().ok()?;
    cookies.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then(|| {
            js_sys::decode_uri_component(value)
                .ok()
                .and_then(|decoded| decoded.as_string())
                .unwrap_or_else(|| value.to_owned())
        })
    })
}

/// Expires the page's cookie `name` on `/` (as better-auth's client does).
pub(crate) fn expire_cookie(name: &str) {
    if let Some(document) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok())
    {
        let _ = document.set_cookie(&format!("{name}=; expires=Thu, 01 Jan 1970 00:00:00 UTC; path=/;"));
    }
}
