//! # keyward-leptos
//!
//! Reserved for the Leptos bindings of the Keyward client (`provide_auth`, `use_session`
//! and components). It exposes nothing yet: the bindings are built on the client's
//! session store, which lands first.
