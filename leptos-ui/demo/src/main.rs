//! The Keyward demo: every ready-made component of `keyward-leptos` on one page, talking
//! to the server that serves it (same origin, cookies). Build it with
//! `./scripts/build-demo`; `./scripts/run` builds it and starts the server with it at
//! <http://localhost:3000>.

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod config;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the demo runs in a browser: build it with ./scripts/build-demo, or run ./scripts/run");
}
