//! Secret newtypes: values that must never reach a log.
//!
//! Each type serializes as the plain string the protocol expects, prints `***` in
//! `Debug`, and compares in constant time.

use subtle::ConstantTimeEq;

macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself. Call this only where the value must leave the process.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Consumes the wrapper and returns the secret.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        impl Eq for $name {}

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_string!(
    /// A session token: the 32-character value from a sign-in body, or its signed
    /// `token.signature` form from the `set-auth-token` header. Either works as a bearer.
    SessionToken
);

secret_string!(
    /// A user's password as typed.
    Password
);

secret_string!(
    /// A signed JSON Web Token (the jwt plugin's `/token` and `set-auth-jwt`): a
    /// short-lived bearer credential for other services.
    JsonWebToken
);

secret_string!(
    /// An API key (the api-key plugin), as its owner holds it: the server keeps only its
    /// hash, so this is the one copy.
    ApiKeySecret
);

secret_string!(
    /// A single-use token from an email link (password reset, verification, deletion).
    EmailToken
);

secret_string!(
    /// A one-time code typed by the user: a TOTP code from an authenticator app, or an
    /// OTP delivered by email or SMS.
    OtpCode
);

secret_string!(
    /// A two-factor backup code (`XXXXX-XXXXX`), usable once.
    BackupCode
);

secret_string!(
    /// An `otpauth://totp/…` URI. It contains the TOTP secret: show it to its owner (as
    /// text or a QR code) and nowhere else.
    TotpUri
);

secret_string!(
    /// A TOTP secret in base32, as an authenticator app takes it when typed in by hand.
    TotpSecret
);

secret_string!(
    /// The two-factor plugin's trusted-device cookie as a client keeps it (`name=value`):
    /// while it is valid, signing in on this device skips the second factor.
    TrustedDevice
);

secret_string!(
    /// A one-time token (the one-time-token plugin): it signs its holder in as the session
    /// it was made from, once, within minutes. Hand it over a channel only the user sees.
    OneTimeToken
);

secret_string!(
    /// The electron plugin's single-use authorization code (`electron_authorization_code`):
    /// with the PKCE verifier of the flow it was made for, it is traded once for a session.
    ElectronCode
);

secret_string!(
    /// A PKCE code verifier (RFC 7636): the secret whose SHA-256 the flow's code challenge
    /// is. Only the app that started the flow holds it.
    PkceVerifier
);

secret_string!(
    /// The token of a magic link (the magic-link plugin): it signs the owner of an
    /// address in, once, within minutes.
    MagicLinkToken
);

secret_string!(
    /// A token a provider issued (OAuth access or refresh token, OpenID Connect ID token).
    ProviderToken
);

secret_string!(
    /// An OAuth client secret, as the provider's developer console shows it.
    ClientSecret
);

secret_string!(
    /// The device-authorization plugin's device code (RFC 8628 `device_code`): the device
    /// polls with it, and once the user approved, it is traded once for a session. It
    /// never leaves the device.
    DeviceCode
);

secret_string!(
    /// The device-authorization plugin's user code (`ABCD2345`): shown on the device and
    /// typed by the user on the verification page, where a signed-in user claims and
    /// approves it. Show it to the user and nowhere else.
    UserCode
);

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && bool::from(left.ct_eq(right))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serde_is_transparent() {
        let token = SessionToken::new("jomE7q5zHgFDA51IBXS0vVhLGtcMwLGE");
        assert_eq!(format!("{token:?}"), "SessionToken(***)");
        assert_eq!(
            serde_json::to_string(&token).expect("serializes"),
            "\"jomE7q5zHgFDA51IBXS0vVhLGtcMwLGE\""
        );
        let back: SessionToken = serde_json::from_str("\"abc\"").expect("deserializes");
        assert_eq!(back.expose(), "abc");
        assert_eq!(format!("{:?}", Password::new("hunter22")), "Password(***)");
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(Password::new("a"), Password::new("a"));
        assert_ne!(Password::new("a"), Password::new("b"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
