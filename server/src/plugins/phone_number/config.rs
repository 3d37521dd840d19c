//! The phone-number plugin's options (better-auth `phoneNumber(options)`).

use std::sync::Arc;
use std::time::Duration;

use super::sms::SmsSender;
use crate::config::RateLimitRule;
use crate::wire::User;
use crate::{ApiResult, Auth};

/// The phone-number plugin (better-auth `phoneNumber`): codes by SMS
/// (`/phone-number/send-otp`, `/phone-number/verify`), sign-in with a phone number and
/// password (`/sign-in/phone-number`), password resets by SMS
/// (`/phone-number/request-password-reset`, `/phone-number/reset-password`), and the
/// `phoneNumber` (unique) and `phoneNumberVerified` user fields.
///
/// Codes go out through [`PhoneNumberConfig::sender`] (better-auth's `sendOTP` and
/// `sendPasswordResetOTP`); without one, through the development sender (the log and
/// `KEYWARD_OUTBOX`, when the server has them), and with neither `send-otp` answers
/// `501 SEND_OTP_NOT_IMPLEMENTED` as better-auth does without `sendOTP`.
#[derive(Clone, Debug)]
pub struct PhoneNumberConfig {
    /// Digits in a code (`otpLength`, default 6).
    pub otp_length: usize,
    /// How long a code works (`expiresIn`, default five minutes).
    pub expires_in: Duration,
    /// Wrong codes before a code is gone (`allowedAttempts`, default 3): the next try is
    /// `403 TOO_MANY_ATTEMPTS`.
    pub allowed_attempts: u64,
    /// Sign-in with an unverified number is refused (`401 PHONE_NUMBER_NOT_VERIFIED`,
    /// and a code is texted), and so is a password reset (`requireVerification`).
    pub require_verification: bool,
    /// Verifying a number without a user creates one (`signUpOnVerification`).
    pub sign_up_on_verification: Option<SignUpOnVerification>,
    /// Refuses malformed numbers on send-otp and sign-in (`phoneNumberValidator`; none
    /// by default, as better-auth).
    pub phone_number_validator: Option<Arc<dyn PhoneNumberValidator>>,
    /// Checks codes instead of the stored ones (`verifyOTP`, an SMS provider's own
    /// verification service).
    pub verify_otp: Option<Arc<dyn OtpVerifier>>,
    /// Delivers the codes (`sendOTP`, `sendPasswordResetOTP`).
    pub sender: Option<Arc<dyn SmsSender>>,
    /// Runs once `/phone-number/verify` has verified a number and updated (or created)
    /// its user, before the session (`callbackOnVerification`).
    pub callback_on_verification: Option<Arc<dyn OnPhoneNumberVerified>>,
    /// The rate limit of the `/phone-number/*` routes (better-auth: ten a minute).
    pub rate_limit: RateLimitRule,
}

impl Default for PhoneNumberConfig {
    fn default() -> Self {
        Self {
            otp_length: 6,
            expires_in: Duration::from_secs(300),
            allowed_attempts: 3,
            require_verification: false,
            sign_up_on_verification: None,
            phone_number_validator: None,
            verify_otp: None,
            sender: None,
            callback_on_verification: None,
            rate_limit: RateLimitRule {
                window: Duration::from_secs(60),
                max: 10,
            },
        }
    }
}

impl PhoneNumberConfig {
    /// Sets the code length.
    pub fn otp_length(mut self, digits: usize) -> Self {
        self.otp_length = digits;
        self
    }

    /// Sets how long a code works.
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Sets how many wrong codes a code survives.
    pub fn allowed_attempts(mut self, attempts: u64) -> Self {
        self.allowed_attempts = attempts;
        self
    }

    /// Refuses sign-in and password resets of unverified numbers.
    pub fn require_verification(mut self, require: bool) -> Self {
        self.require_verification = require;
        self
    }

    /// Creates a user when an unknown number is verified.
    pub fn sign_up_on_verification(mut self, sign_up: SignUpOnVerification) -> Self {
        self.sign_up_on_verification = Some(sign_up);
        self
    }

    /// Validates numbers with `validator` (any `Fn(&str) -> bool` is one).
    pub fn phone_number_validator(mut self, validator: impl PhoneNumberValidator) -> Self {
        self.phone_number_validator = Some(Arc::new(validator));
        self
    }

    /// Checks codes with `verifier` instead of the stored ones.
    pub fn verify_otp(mut self, verifier: impl OtpVerifier + 'static) -> Self {
        self.verify_otp = Some(Arc::new(verifier));
        self
    }

    /// Delivers codes with `sender`.
    pub fn sender(mut self, sender: impl SmsSender + 'static) -> Self {
        self.sender = Some(Arc::new(sender));
        self
    }

    /// Runs `hook` after every verified number, before its session.
    pub fn callback_on_verification(mut self, hook: impl OnPhoneNumberVerified) -> Self {
        self.callback_on_verification = Some(Arc::new(hook));
        self
    }

    /// Whether `phone_number` passes the validator (every number does without one).
    pub(super) fn is_valid(&self, phone_number: &str) -> bool {
        self.phone_number_validator
            .as_ref()
            .is_none_or(|validator| validator.is_valid(phone_number))
    }
}

/// Makes a new user's address or name from its phone number.
pub type FromPhoneNumber = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// The user a verification of an unknown number creates (better-auth's
/// `signUpOnVerification`): its address and name, from the number.
#[derive(Clone)]
pub struct SignUpOnVerification {
    /// The new user's email address (`getTempEmail`).
    pub temp_email: FromPhoneNumber,
    /// The new user's name (`getTempName`; the number itself when `None`).
    pub temp_name: Option<FromPhoneNumber>,
}

impl SignUpOnVerification {
    /// New users get the address `temp_email` makes of the number and the number as name.
    pub fn new(temp_email: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        Self {
            temp_email: Arc::new(temp_email),
            temp_name: None,
        }
    }

    /// New users get the address `<digits>@<domain>` (the number's `+` and digits, the
    /// rest dropped) and the number as name: `KEYWARD_PHONE_NUMBER_SIGN_UP_ON_VERIFICATION`.
    pub fn with_domain(domain: impl Into<String>) -> Self {
        let domain = domain.into();
        Self::new(move |phone_number: &str| {
            let local: String = phone_number
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            format!("{local}@{domain}")
        })
    }

    /// Names new users with `temp_name` instead of the number.
    pub fn temp_name(mut self, temp_name: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        self.temp_name = Some(Arc::new(temp_name));
        self
    }

    /// The address of a new user with `phone_number`.
    pub(super) fn email(&self, phone_number: &str) -> String {
        (self.temp_email)(phone_number)
    }

    /// The name of a new user with `phone_number`.
    pub(super) fn name(&self, phone_number: &str) -> String {
        self.temp_name
            .as_ref()
            .map_or_else(|| phone_number.to_owned(), |name| name(phone_number))
    }
}

impl std::fmt::Debug for SignUpOnVerification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpOnVerification")
            .field("temp_name", &self.temp_name.is_some())
            .finish_non_exhaustive()
    }
}

/// Decides whether a phone number is well-formed (better-auth's `phoneNumberValidator`).
pub trait PhoneNumberValidator: Send + Sync + 'static {
    /// Whether `phone_number` is acceptable.
    fn is_valid(&self, phone_number: &str) -> bool;
}

impl<F: Fn(&str) -> bool + Send + Sync + 'static> PhoneNumberValidator for F {
    fn is_valid(&self, phone_number: &str) -> bool {
        self(phone_number)
    }
}

impl std::fmt::Debug for dyn PhoneNumberValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PhoneNumberValidator(..)")
    }
}

/// E.164: `+`, a country code not starting with 0, and at most fifteen digits in all
/// (`KEYWARD_PHONE_NUMBER_VALIDATOR=e164`).
pub fn is_e164(phone_number: &str) -> bool {
    let Some(digits) = phone_number.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

/// Checks codes instead of the stored ones (better-auth's `verifyOTP`): an SMS
/// provider's verification service. The stored code of the number is dropped once a
/// code passes.
#[async_trait::async_trait]
pub trait OtpVerifier: Send + Sync {
    /// Whether `code` is right for `phone_number`.
    async fn verify(&self, phone_number: &str, code: &str) -> bool;
}

impl std::fmt::Debug for dyn OtpVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtpVerifier(..)")
    }
}

/// What runs when `/phone-number/verify` has verified a number (better-auth's
/// `callbackOnVerification`): after the user is updated (or created) with the number,
/// before the session is made.
///
/// ```
/// use keyward_server::config::OnPhoneNumberVerified;
/// use keyward_server::wire::User;
/// use keyward_server::{ApiResult, Auth};
///
/// struct Audit;
///
/// #[async_trait::async_trait]
/// impl OnPhoneNumberVerified for Audit {
///     async fn on_verified(&self, _auth: &Auth, phone_number: &str, user: &User) -> ApiResult<()> {
///         println!("{} verified {phone_number}", user.id);
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait OnPhoneNumberVerified: Send + Sync + 'static {
    /// Runs with the verified number and its user. An error is the client's answer and
    /// no session is made (the number stays verified), as a throwing
    /// `callbackOnVerification` is in better-auth.
    async fn on_verified(&self, auth: &Auth, phone_number: &str, user: &User) -> ApiResult<()>;
}

impl std::fmt::Debug for dyn OnPhoneNumberVerified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnPhoneNumberVerified(..)")
    }
}
