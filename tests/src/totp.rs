//! Authenticator-app codes for two-factor flows in tests, from the `otpauth://` URI a
//! server returned (computed by Keyward's RFC 6238 implementation, which is checked
//! against the RFC's vectors and against better-auth's URIs).

use keyward_client::AuthClient;
use keyward_server::crypto::totp::{Totp, unix_now};

/// Switches TOTP on for the signed-in user of `client` (enable, then a first code);
/// returns the `otpauth://` URI and the backup codes.
pub async fn enable_totp(client: &AuthClient, password: &str) -> (String, Vec<String>) {
    let setup = client.two_factor().enable().password(password).await.expect("enables");
    let uri = setup.totp_uri.expect("a TOTP URI").expose().to_owned();
    let codes = setup
        .backup_codes
        .expect("backup codes")
        .iter()
        .map(|c| c.expose().to_owned())
        .collect();
    client
        .two_factor()
        .verify_totp(code_from_uri(&uri))
        .await
        .expect("the first code switches TOTP on");
    (uri, codes)
}

fn totp(uri: &str) -> Totp {
    Totp::from_uri(uri).unwrap_or_else(|| panic!("not an otpauth URI: {uri}"))
}

/// The code an authenticator app shows now.
pub fn code_from_uri(uri: &str) -> String {
    totp(uri).now()
}

/// A code that is valid at no step near now.
pub fn wrong_code_for(uri: &str) -> String {
    let totp = totp(uri);
    let now = unix_now();
    let taken: Vec<String> = [now.saturating_sub(30), now, now + 30]
        .iter()
        .map(|t| totp.code_at(*t))
        .collect();
    (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|candidate| !taken.contains(candidate))
        .expect("a free code")
}
