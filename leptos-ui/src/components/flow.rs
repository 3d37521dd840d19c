//! Where a redirect-based flow (social sign-in, magic link) comes back to, and the error
//! it brings. A component that sends the browser away names its flow in the URL it comes
//! back to (`?kw_flow=magic-link`), so that each component shows only its own flow's
//! `?error=…`.

/// The query parameter naming the flow a page was reached by.
const FLOW_PARAM: &str = "kw_flow";

/// The current page without its query (the default place to come back to).
#[cfg(target_arch = "wasm32")]
pub(crate) fn current_page() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!("{}{}", location.origin().ok()?, location.pathname().ok()?))
}

/// Rendered on a server there is no page to come back to.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn current_page() -> Option<String> {
    None
}

/// The current page marked as the way back from `flow`.
pub(crate) fn current_page_for(flow: &str) -> Option<String> {
    current_page().map(|page| format!("{page}?{FLOW_PARAM}={flow}"))
}

/// The page's query parameter `name`.
#[cfg(target_arch = "wasm32")]
fn page_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

#[cfg(not(target_arch = "wasm32"))]
fn page_param(_name: &str) -> Option<String> {
    None
}

/// Whether the page was reached by `flow` (`None`: by a flow that named none, as a
/// social sign-in's error redirect does).
pub(crate) fn reached_by(flow: Option<&str>) -> bool {
    page_param(FLOW_PARAM).as_deref() == flow
}

/// The `error` code the page was reached with, when it was reached by `flow`.
pub(crate) fn returned_error(flow: &str) -> Option<String> {
    reached_by(Some(flow)).then(|| page_param("error")).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_the_browser_no_page_and_no_error() {
        assert_eq!(current_page_for("magic-link"), None);
        assert_eq!(returned_error("magic-link"), None);
        assert!(reached_by(None));
        assert!(!reached_by(Some("magic-link")));
    }
}
