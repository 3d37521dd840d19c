//! Embeds `tauri.conf.json` and the `dist/` frontend.

fn main() {
    tauri_build::build()
}
