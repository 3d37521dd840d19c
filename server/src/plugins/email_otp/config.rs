//! The email-OTP plugin's options (better-auth `emailOTP(options)`).

use std::sync::Arc;
use std::time::Duration;

use crate::config::{RateLimitRule, TokenHasher};
use crate::email::EmailError;
use keyward_client::wire::{EmailOtpType, OtpCode};

/// The email-OTP plugin (better-auth `emailOTP`): codes emailed to sign in
/// (`/sign-in/email-otp`), verify an address (`/email-otp/verify-email`), reset a
/// password (`/email-otp/reset-password`) and change the address
/// (`/email-otp/change-email`, when [`EmailOtpChangeEmail::enabled`]).
///
/// Codes go out through the server's [`crate::email::EmailSender`] (an email of kind
/// [`crate::email::EmailKind::EmailOtp`]) unless [`EmailOtpConfig::sender`] delivers them
/// otherwise (better-auth's `sendVerificationOTP`).
#[derive(Clone, Debug)]
pub struct EmailOtpConfig {
    /// Digits in a generated code (`otpLength`, default 6).
    pub otp_length: usize,
    /// How long a code works (`expiresIn`, default five minutes).
    pub expires_in: Duration,
    /// Wrong guesses a code survives (`allowedAttempts`, default 3); the next try after
    /// them is `403 TOO_MANY_ATTEMPTS`.
    pub allowed_attempts: u32,
    /// How the code is kept in its `verification` row (`storeOTP`).
    pub store_otp: EmailOtpStorage,
    /// Makes the codes instead of random digits (`generateOTP`); an empty answer falls
    /// back to random digits, as in better-auth.
    pub generate_otp: Option<Arc<dyn EmailOtpGenerator>>,
    /// Emails an `email-verification` code after every sign-up (`sendVerificationOnSignUp`;
    /// ignored with `override_default_email_verification`, which sends one already).
    pub send_verification_on_sign_up: bool,
    /// Codes of addresses without a user never create one (`disableSignUp`).
    pub disable_sign_up: bool,
    /// What asking again while a code is still valid does (`resendStrategy`).
    pub resend_strategy: ResendStrategy,
    /// `/email-otp/request-email-change` and `/email-otp/change-email` (`changeEmail`).
    pub change_email: EmailOtpChangeEmail,
    /// The server's verification emails carry a code instead of a link
    /// (`overrideDefaultEmailVerification`).
    pub override_default_email_verification: bool,
    /// Delivers the codes instead of the email sender (`sendVerificationOTP`).
    pub sender: Option<Arc<dyn VerificationOtpSender>>,
    /// The rate limit of each of the plugin's routes (`rateLimit`, default three a minute).
    pub rate_limit: RateLimitRule,
}

impl Default for EmailOtpConfig {
    fn default() -> Self {
        Self {
            otp_length: 6,
            expires_in: Duration::from_secs(5 * 60),
            allowed_attempts: 3,
            store_otp: EmailOtpStorage::Plain,
            generate_otp: None,
            send_verification_on_sign_up: false,
            disable_sign_up: false,
            resend_strategy: ResendStrategy::Rotate,
            change_email: EmailOtpChangeEmail::default(),
            override_default_email_verification: false,
            sender: None,
            rate_limit: RateLimitRule {
                window: Duration::from_secs(60),
                max: 3,
            },
        }
    }
}

impl EmailOtpConfig {
    /// Sets how long a code works.
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Sets how codes are stored.
    pub fn store_otp(mut self, storage: EmailOtpStorage) -> Self {
        self.store_otp = storage;
        self
    }

    /// Makes codes with `generator` (any `Fn(&str, EmailOtpType) -> String` is one).
    pub fn generate_otp(mut self, generator: impl EmailOtpGenerator) -> Self {
        self.generate_otp = Some(Arc::new(generator));
        self
    }

    /// Delivers codes with `sender`.
    pub fn sender(mut self, sender: impl VerificationOtpSender + 'static) -> Self {
        self.sender = Some(Arc::new(sender));
        self
    }
}

/// The change-of-address routes' options (better-auth `changeEmail`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmailOtpChangeEmail {
    /// Whether the routes work (`enabled`, default off: `400`).
    pub enabled: bool,
    /// The request must carry an `email-verification` code of the current address
    /// (`verifyCurrentEmail`).
    pub verify_current_email: bool,
}

/// What asking for a code again does while the last one is valid (`resendStrategy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResendStrategy {
    /// A new code every time (better-auth's default).
    #[default]
    Rotate,
    /// The same code again, its lifetime renewed; only when the stored code can be read
    /// back (plain or encrypted), else a new one.
    Reuse,
}

/// How a code is kept in its `verification` row (better-auth's `storeOTP`).
#[derive(Clone, Default)]
pub enum EmailOtpStorage {
    /// As sent (better-auth's default).
    #[default]
    Plain,
    /// `base64url(SHA-256(code))` without padding, as better-auth's `"hashed"`.
    Hashed,
    /// better-auth's `symmetricEncrypt` with the server secret (XChaCha20-Poly1305), so
    /// either server with the same secret reads it.
    Encrypted,
    /// The hasher's answer (better-auth's `{ hash }`).
    CustomHasher(Arc<dyn TokenHasher>),
    /// The cipher's answer (better-auth's `{ encrypt, decrypt }`).
    Custom(Arc<dyn EmailOtpCipher>),
}

impl std::fmt::Debug for EmailOtpStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Plain => "Plain",
            Self::Hashed => "Hashed",
            Self::Encrypted => "Encrypted",
            Self::CustomHasher(_) => "CustomHasher(..)",
            Self::Custom(_) => "Custom(..)",
        })
    }
}

/// Encrypts stored codes (better-auth's `storeOTP: { encrypt, decrypt }`).
pub trait EmailOtpCipher: Send + Sync + 'static {
    /// The stored form of `otp`.
    fn encrypt(&self, otp: &str) -> String;
    /// The code a stored form holds; `None` when it does not decrypt.
    fn decrypt(&self, stored: &str) -> Option<String>;
}

/// Makes codes (better-auth's `generateOTP`).
pub trait EmailOtpGenerator: Send + Sync + 'static {
    /// A new code for `email` and `otp_type`; an empty answer means random digits.
    fn generate(&self, email: &str, otp_type: EmailOtpType) -> String;
}

impl<F: Fn(&str, EmailOtpType) -> String + Send + Sync + 'static> EmailOtpGenerator for F {
    fn generate(&self, email: &str, otp_type: EmailOtpType) -> String {
        self(email, otp_type)
    }
}

impl std::fmt::Debug for dyn EmailOtpGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmailOtpGenerator(..)")
    }
}

/// A code to deliver (better-auth's `sendVerificationOTP` argument).
#[derive(Clone, Debug)]
pub struct VerificationOtp {
    /// The address it goes to (the user's stored address when there is a user).
    pub email: String,
    /// The code.
    pub otp: OtpCode,
    /// What it is for.
    pub otp_type: EmailOtpType,
}

/// Delivers codes (better-auth's `sendVerificationOTP`). A failure is logged; the client
/// is answered the same either way (whether an address exists must not show).
///
/// ```
/// use keyward_server::config::{VerificationOtp, VerificationOtpSender};
/// use keyward_server::email::EmailError;
///
/// struct Sms;
///
/// #[async_trait::async_trait]
/// impl VerificationOtpSender for Sms {
///     async fn send_verification_otp(&self, otp: &VerificationOtp) -> Result<(), EmailError> {
///         // text `otp.otp.expose()` to the phone of the user found by `otp.email`
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait VerificationOtpSender: Send + Sync {
    /// Delivers one code.
    async fn send_verification_otp(&self, otp: &VerificationOtp) -> Result<(), EmailError>;
}

impl std::fmt::Debug for dyn VerificationOtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerificationOtpSender(..)")
    }
}
