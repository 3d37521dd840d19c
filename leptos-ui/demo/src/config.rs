//! What the server of this demo offers, as files next to `index.html` say (the scripts
//! that start the server write them): `plugins.json` (the `KEYWARD_PLUGINS` ids) and
//! `providers.json` (the social providers). A missing file means none.

use keyward_leptos::components::ProviderButton;

/// The plugin ids the server has switched on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plugins(Vec<String>);

impl Plugins {
    /// Whether plugin `id` is on.
    pub fn has(&self, id: &str) -> bool {
        self.0.iter().any(|plugin| plugin == id)
    }
}

/// One provider of `providers.json`.
#[derive(serde::Deserialize)]
struct ConfiguredProvider {
    id: String,
    label: String,
}

/// The file `name` next to the page, parsed; `None` when it is absent or unreadable.
async fn fetch_json<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window()?;
    let response = JsFuture::from(window.fetch_with_str(name)).await.ok()?;
    let response = response.dyn_into::<web_sys::Response>().ok()?;
    if !response.ok() {
        return None;
    }
    let text = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// The server's plugins.
pub async fn plugins() -> Plugins {
    Plugins(fetch_json("plugins.json").await.unwrap_or_default())
}

/// The server's providers.
pub async fn providers() -> Vec<ProviderButton> {
    fetch_json::<Vec<ConfiguredProvider>>("providers.json")
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| ProviderButton::new(p.id, p.label))
        .collect()
}
