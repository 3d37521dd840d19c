//! Keyward Desktop: a Tauri v2 window on `keyward-tauri-example`'s command layer. The
//! token lives in the OS keychain; the session is resolved before the window is created
//! (the first paint is already right), and every change reaches the webview as an
//! `auth://view` event, so the page never polls.
//!
//! `KEYWARD_SERVER_URL` names the server (default `http://localhost:3000`);
//! `KEYWARD_KEYCHAIN_SERVICE` the keychain entry's service (default the app identifier,
//! `dev.keyward.tauri-example`); `KEYWARD_SOCIAL_PROVIDERS` a comma list of provider ids
//! to offer "Sign in with …" for, through the system browser (the server needs the
//! electron plugin; `$BROWSER` chooses the browser on Linux).
//!
//! `KEYWARD_BROWSER_RETURN` says how the browser comes back: `loopback` (the default, a
//! listener on 127.0.0.1 for the length of the sign-in) or `deep-link`: the OS opens
//! [`DEEP_LINK`] with this app (the scheme is in `tauri.conf.json`; on Linux and Windows the
//! app registers itself as its handler at start), the second instance that the OS starts
//! hands the link to this one (`tauri-plugin-single-instance`, over D-Bus on Linux) and
//! exits, and `tauri-plugin-deep-link` delivers it to the waiting sign-in. The server must
//! allow the scheme (`KEYWARD_ELECTRON_DEEP_LINK_SCHEMES=dev.keyward.desktop`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use keyward_tauri_example::{AppView, CommandResult, Desktop, DesktopOptions, SessionView};
use tauri::{Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_deep_link::DeepLinkExt;

/// Where a browser sign-in comes back with `KEYWARD_BROWSER_RETURN=deep-link`: its scheme
/// is the one `tauri.conf.json` declares under `plugins.deep-link.desktop.schemes`.
const DEEP_LINK: &str = "dev.keyward.desktop:/auth/callback";

#[tauri::command]
fn current_view(desktop: State<'_, Desktop>) -> AppView {
    desktop.view()
}

#[tauri::command]
async fn sign_up(desktop: State<'_, Desktop>, name: String, email: String, password: String) -> CommandResult<AppView> {
    desktop.sign_up(name, email, password).await
}

#[tauri::command]
async fn sign_in(desktop: State<'_, Desktop>, email: String, password: String) -> CommandResult<AppView> {
    desktop.sign_in(email, password).await
}

#[tauri::command]
async fn verify_totp(desktop: State<'_, Desktop>, code: String, trust_device: bool) -> CommandResult<AppView> {
    desktop.verify_totp(code, trust_device).await
}

#[tauri::command]
async fn verify_backup_code(desktop: State<'_, Desktop>, code: String) -> CommandResult<AppView> {
    desktop.verify_backup_code(code).await
}

#[tauri::command]
async fn sign_in_with_provider(desktop: State<'_, Desktop>, provider: String) -> CommandResult<AppView> {
    desktop.sign_in_with_provider(provider).await
}

#[tauri::command]
fn cancel_browser_sign_in(desktop: State<'_, Desktop>) -> AppView {
    desktop.cancel_browser_sign_in()
}

#[tauri::command]
async fn sign_out(desktop: State<'_, Desktop>) -> CommandResult<AppView> {
    desktop.sign_out().await
}

#[tauri::command]
async fn update_profile(
    desktop: State<'_, Desktop>,
    name: Option<String>,
    image: Option<String>,
) -> CommandResult<AppView> {
    desktop.update_profile(name, image).await
}

#[tauri::command]
async fn list_sessions(desktop: State<'_, Desktop>) -> CommandResult<Vec<SessionView>> {
    desktop.list_sessions().await
}

#[tauri::command]
async fn revoke_session(desktop: State<'_, Desktop>, id: String) -> CommandResult<Vec<SessionView>> {
    desktop.revoke_session(id).await
}

#[tauri::command]
async fn use_encrypted_file(desktop: State<'_, Desktop>, path: String, passphrase: String) -> CommandResult<AppView> {
    desktop.use_encrypted_file(path, passphrase).await
}

fn server_url() -> Result<url::Url, String> {
    let raw = std::env::var("KEYWARD_SERVER_URL").unwrap_or_else(|_| "http://localhost:3000".to_owned());
    raw.parse().map_err(|e| format!("KEYWARD_SERVER_URL={raw}: {e}"))
}

/// `KEYWARD_BROWSER_RETURN`: the deep link to come back through, or `None` for the loopback.
fn browser_return() -> Result<Option<url::Url>, String> {
    match std::env::var("KEYWARD_BROWSER_RETURN").as_deref() {
        Err(_) | Ok("loopback") => Ok(None),
        Ok("deep-link") => DEEP_LINK.parse().map(Some).map_err(|e| format!("{DEEP_LINK}: {e}")),
        Ok(other) => Err(format!(
            "KEYWARD_BROWSER_RETURN={other}: expected `loopback` or `deep-link`"
        )),
    }
}

fn main() {
    let (server, deep_link) = match server_url().and_then(|server| Ok((server, browser_return()?))) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let app = tauri::Builder::default()
        // First: a second instance (the OS opening a deep link) hands its arguments to
        // this one, which gives the link to the deep-link plugin, and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .invoke_handler(tauri::generate_handler![
            current_view,
            sign_up,
            sign_in,
            sign_in_with_provider,
            cancel_browser_sign_in,
            verify_totp,
            verify_backup_code,
            sign_out,
            update_profile,
            list_sessions,
            revoke_session,
            use_encrypted_file
        ])
        .setup(move |app| {
            let returns_through_deep_link = deep_link.is_some();
            // Resolve the session first, then create the window with it.
            let handle = app.handle().clone();
            let (desktop, view) = tauri::async_runtime::block_on(async move {
                let mut options = DesktopOptions::new(server);
                options.deep_link = deep_link;
                if let Ok(service) = std::env::var("KEYWARD_KEYCHAIN_SERVICE") {
                    options.keychain_service = service;
                }
                if let Ok(providers) = std::env::var("KEYWARD_SOCIAL_PROVIDERS") {
                    options.social_providers = providers
                        .split(',')
                        .map(str::trim)
                        .filter(|id| !id.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                let desktop = Desktop::new(options);
                let view = desktop.start().await;
                let emitter = handle.clone();
                let _watch = desktop.watch(move |view| {
                    let _ = emitter.emit("auth://view", view);
                });
                (desktop, view)
            });
            if returns_through_deep_link {
                #[cfg(any(target_os = "linux", windows))]
                app.deep_link().register_all()?;
                let receiver = desktop.clone();
                app.deep_link().on_open_url(move |event| {
                    for url in event.urls() {
                        receiver.open_deep_link(url.as_str());
                    }
                });
            }
            app.manage(desktop);
            let initial = serde_json::to_string(&view)?;
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("Keyward Desktop")
                .inner_size(720.0, 560.0)
                .initialization_script(format!("window.__KEYWARD_VIEW__ = {initial};"))
                .build()?;
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(error) => {
            eprintln!("cannot start the app: {error}");
            std::process::exit(1);
        }
    }
}
