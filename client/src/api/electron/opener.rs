//! How a sign-in opens the browser.

use url::Url;

/// Opens a URL in a browser. The default, [`SystemBrowser`], is the user's default
/// browser; an app that opens URLs its own way (Tauri's opener plugin) or a test that
/// drives a browser passes its own. Any `Fn(&Url) -> Result<(), String>` is one.
pub trait BrowserOpener: Send + Sync + 'static {
    /// Opens `url`; an error says why the browser could not be started.
    fn open(&self, url: &Url) -> Result<(), String>;
}

impl<F: Fn(&Url) -> Result<(), String> + Send + Sync + 'static> BrowserOpener for F {
    fn open(&self, url: &Url) -> Result<(), String> {
        self(url)
    }
}

/// The user's default browser, through the `webbrowser` crate: `$BROWSER` when set, then
/// `xdg-open` and the usual browsers on Linux, `open` on macOS, the shell on Windows.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemBrowser;

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        webbrowser::open(url.as_str()).map_err(|error| error.to_string())
    }
}
