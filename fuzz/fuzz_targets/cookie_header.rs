//! `Cookie` headers: parsing never panics, the first of a repeated name wins, and every
//! cookie read as signed is absent, invalid, or valid with a signature that really is the
//! server's.
#![no_main]

use keyward_server::cookies::{RequestCookies, SignedCookie, sign_cookie_value};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "keyward-fuzz-secret-0123456789abcdefghijklmnop";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let headers: Vec<&str> = text.split('\n').collect();
    let cookies = RequestCookies::parse(headers.iter().copied());
    for pair in text.split(['\n', ';']) {
        let Some((name, _)) = pair.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        assert!(cookies.get(name).is_some(), "a sent cookie `{name}` is readable");
        if let SignedCookie::Valid(value) = cookies.signed(name, SECRET) {
            let raw = cookies.get(name).unwrap_or_default();
            assert_eq!(
                raw,
                sign_cookie_value(&value, SECRET),
                "only the server's own signature verifies"
            );
        }
    }
    let _ = cookies.chunk_names("better-auth.session_data");
});
