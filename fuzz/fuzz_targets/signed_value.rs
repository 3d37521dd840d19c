//! Signed values (`value.signature`, as in session cookies and bearer tokens): whatever
//! is signed verifies to itself, a changed value or signature never verifies, and
//! arbitrary input never panics.
#![no_main]

use keyward_server::cookies::{SignedCookie, sign_cookie_value, verify_signed_value};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "keyward-fuzz-secret-0123456789abcdefghijklmnop";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let SignedCookie::Valid(value) = verify_signed_value(text, SECRET) {
        assert_eq!(
            sign_cookie_value(&value, SECRET),
            text,
            "a valid value carries our signature"
        );
    }
    let signed = sign_cookie_value(text, SECRET);
    assert_eq!(
        verify_signed_value(&signed, SECRET),
        SignedCookie::Valid(text.to_owned())
    );
    let tampered = format!("{text}x.{}", &signed[signed.len() - 44..]);
    assert!(!matches!(
        verify_signed_value(&tampered, SECRET),
        SignedCookie::Valid(_)
    ));
    assert!(!matches!(
        verify_signed_value(&signed, "another-secret-0123456789abcdefghijklmn"),
        SignedCookie::Valid(_)
    ));
});
