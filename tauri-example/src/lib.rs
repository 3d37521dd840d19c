//! # keyward-tauri-example
//!
//! Reserved for the Tauri v2 example app. It contains nothing yet: the app is built on
//! the Keyward client and its keychain token store, which land first.
