//! Trusted-origin and callback-URL matching: for any URL, a match against an exact
//! trusted origin means exactly that origin, a match against a wildcard means a host
//! under it, and a relative URL is trusted only if it stays on the server's origin.
#![no_main]

use keyward_server::origin::{OriginPolicy, is_safe_relative_url, matches_origin_pattern, origin_of, wildcard_match};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (url, pattern) = text.split_once('\n').unwrap_or((text, "https://*.example.com"));
    let _ = matches_origin_pattern(url, pattern, true);
    let _ = wildcard_match(pattern, url);

    let policy = OriginPolicy {
        trusted: vec!["https://app.example.com".to_owned(), "https://*.example.org".to_owned()],
        disable_origin_check: false,
        disable_csrf_check: false,
    };
    if policy.is_trusted(url, true) {
        if url.starts_with('/') {
            assert!(
                is_safe_relative_url(url),
                "{url:?}: relative and trusted, so it stays here"
            );
            assert!(!url.starts_with("//") && !url.contains('\\'), "{url:?}");
        } else {
            let origin = origin_of(url).expect("a trusted absolute URL has an origin");
            assert!(
                origin == "https://app.example.com"
                    || (origin.starts_with("https://") && origin.ends_with(".example.org")),
                "{url:?} was trusted with origin {origin}"
            );
        }
    }
});
