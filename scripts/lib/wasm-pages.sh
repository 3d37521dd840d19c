# Builds the pages whose bytes are measured (sourced by scripts/wasm-size,
# scripts/bench-frontend and scripts/build-demo): the minimal Leptos example and the client alone
# (client/examples/browser.rs), in profile wasm-release, through wasm-bindgen without
# the name and producers sections (function names were a quarter of the bytes).
#
#   build_minimal DIR [--keep-names]       DIR/index.html and DIR/pkg/minimal{.js,_bg.wasm}
#   build_client DIR [--keep-names]        DIR/client{.js,_bg.wasm}
#   build_leptos_floor DIR [--keep-names]  DIR/bare{.js,_bg.wasm}: the minimal page's markup on
#                                          Leptos alone (leptos-ui/examples/bare_forms.rs), the
#                                          floor Keyward's bytes are counted from
#   page_sizes DIR                         "raw gzip": the bytes of DIR's .js and .wasm files,
#                                          as served and gzip -9
#   csr_build CARGO-BUILD-ARGS…            cargo build for a client-rendered page (below)
wasm_target_dir="${CARGO_TARGET_DIR:-$PWD/target}/wasm32-unknown-unknown/wasm-release"

# Client-rendered pages type-erase Leptos views (`--cfg erase_components`, Leptos' own
# switch for smaller WebAssembly): one copy of the rendering code per view type instead of
# one per component and closure. Measured on 2026-12-04: the minimal page 166,718 →
# 160,357 B gzipped, the demo 391,590 → 362,883 B. Not for a hydrating build whose server
# half is built without it (the SSR example): hydration then fails.
csr_build() { RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components" cargo build "$@"; }

bindgen_names() { [ "${1:-}" = "--keep-names" ] || echo "--remove-name-section --remove-producers-section"; }

# The minimal page asks for the session while its WebAssembly downloads (the last
# `preload`): the client's first `GET /api/auth/get-session`, the same URL with cookies,
# takes that answer instead of a new round trip.
build_minimal() {
  csr_build -p keyward-leptos --example minimal --target wasm32-unknown-unknown --profile wasm-release --locked
  # shellcheck disable=SC2046
  wasm-bindgen --target web --no-typescript $(bindgen_names "${2:-}") --out-name minimal --out-dir "$1/pkg" \
    "$wasm_target_dir/examples/minimal.wasm"
  cat >"$1/index.html" <<'HTML'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Keyward minimal</title><link rel="icon" href="data:,">
<link rel="modulepreload" href="/pkg/minimal.js"><link rel="preload" href="/pkg/minimal_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<link rel="preload" href="/api/auth/get-session" as="fetch" crossorigin="use-credentials"></head>
<body><script type="module">import init from "/pkg/minimal.js"; init();</script></body></html>
HTML
}

build_client() {
  csr_build -p keyward-client --example browser --target wasm32-unknown-unknown --no-default-features --features web \
    --profile wasm-release --locked
  # shellcheck disable=SC2046
  wasm-bindgen --target web --no-typescript $(bindgen_names "${2:-}") --out-name client --out-dir "$1" \
    "$wasm_target_dir/examples/browser.wasm"
}

build_leptos_floor() {
  csr_build -p keyward-leptos --example bare_forms --target wasm32-unknown-unknown --profile wasm-release --locked
  # shellcheck disable=SC2046
  wasm-bindgen --target web --no-typescript $(bindgen_names "${2:-}") --out-name bare --out-dir "$1" \
    "$wasm_target_dir/examples/bare_forms.wasm"
}

page_sizes() {
  local raw=0 gz=0
  while IFS= read -r file; do
    raw=$((raw + $(stat -c %s "$file")))
    gz=$((gz + $(gzip -9c "$file" | wc -c)))
  done < <(find "$1" -name '*.js' -o -name '*.wasm')
  echo "$raw $gz"
}
