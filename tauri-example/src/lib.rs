//! # keyward-tauri-example
//!
//! A desktop app on Keyward: the client in bearer mode with the token in the OS keychain.
//! This library is the app's command layer ([`Desktop`]): each Tauri command is one of its
//! methods, and the window follows [`Desktop::watch`]. It needs no window, so it is tested
//! against a real server and a real keychain.
//!
//! ```no_run
//! use keyward_tauri_example::{Desktop, DesktopOptions};
//! # async fn run() -> Result<(), keyward_tauri_example::CommandError> {
//! let desktop = Desktop::new(DesktopOptions::new("http://localhost:3000".parse().unwrap()));
//! let _watch = desktop.watch(|view| println!("{:?} {:?}", view.phase, view.user));
//! let view = desktop.start().await; // before the first window paints
//! if view.user.is_none() {
//!     desktop.sign_in("ada@example.com".into(), "correct-horse-battery".into()).await?;
//! }
//! # Ok(()) }
//! ```

mod desktop;
pub mod storage;

pub use desktop::{AppView, CommandError, CommandResult, Desktop, DesktopOptions, Phase, SessionView, UserView};
pub use storage::{EncryptedFileStore, StorageStatus};
