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

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use keyward_tauri_example::{AppView, CommandResult, Desktop, DesktopOptions, SessionView};
use tauri::{Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};

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

fn main() {
    let server = match server_url() {
        Ok(server) => server,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let app = tauri::Builder::default()
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
            // Resolve the session first, then create the window with it.
            let handle = app.handle().clone();
            let (desktop, view) = tauri::async_runtime::block_on(async move {
                let mut options = DesktopOptions::new(server);
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
