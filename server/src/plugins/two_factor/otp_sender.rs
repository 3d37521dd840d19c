//! Delivering two-factor codes: by email unless the application plugs in another channel
//! ([`crate::AuthBuilder::two_factor_otp_sender`]).

use std::sync::Arc;

use crate::config::Config;
use crate::email::{Email, EmailError, EmailKind, EmailSender};

/// A two-factor code to deliver.
#[derive(Clone)]
pub struct TwoFactorCode {
    /// The user it is for.
    pub user: keyward_client::wire::User,
    /// The code.
    pub code: keyward_client::wire::OtpCode,
}

impl std::fmt::Debug for TwoFactorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoFactorCode")
            .field("user_id", &self.user.id)
            .field("code", &self.code)
            .finish()
    }
}

/// Delivers two-factor codes (better-auth's `otpOptions.sendOTP`). By default they go out
/// as emails through the [`EmailSender`]; plug in an SMS gateway by implementing this.
///
/// ```
/// use keyward_server::email::{EmailError, OtpSender, TwoFactorCode};
///
/// struct Sms;
///
/// #[async_trait::async_trait]
/// impl OtpSender for Sms {
///     async fn send_otp(&self, code: &TwoFactorCode) -> Result<(), EmailError> {
///         // look up the user's phone number and text `code.code.expose()`
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait OtpSender: Send + Sync {
    /// Delivers one code.
    async fn send_otp(&self, code: &TwoFactorCode) -> Result<(), EmailError>;
}

/// Sends two-factor codes as emails.
pub struct EmailOtpSender {
    email: Arc<dyn EmailSender>,
    app_name: String,
}

impl EmailOtpSender {
    /// Codes go out through `email`, naming `app_name` in the text.
    pub fn new(email: Arc<dyn EmailSender>, app_name: impl Into<String>) -> Self {
        Self {
            email,
            app_name: app_name.into(),
        }
    }
}

#[async_trait::async_trait]
impl OtpSender for EmailOtpSender {
    async fn send_otp(&self, code: &TwoFactorCode) -> Result<(), EmailError> {
        self.email
            .send(&Email {
                kind: EmailKind::TwoFactorOtp,
                to: code.user.email.clone(),
                user_id: code.user.id.clone(),
                subject: format!("Your {} sign-in code", self.app_name),
                text: format!(
                    "Your {} sign-in code is {}. It expires in a few minutes; if you did not try to sign in, change your password.",
                    self.app_name,
                    code.code.expose()
                ),
                url: None,
                token: code.code.expose().to_owned(),
                new_email: None,
            })
            .await
    }
}

/// The sender two-factor codes go out through: `explicit` when the application gave one,
/// else email when an email sender is configured; none when OTP is off or has no channel.
pub(crate) fn otp_sender(
    config: &Config,
    explicit: Option<Arc<dyn OtpSender>>,
    email: Option<Arc<dyn EmailSender>>,
) -> Option<Arc<dyn OtpSender>> {
    match &config.two_factor {
        Some(two_factor) if two_factor.otp.enabled => explicit.or_else(|| {
            email.map(|email| Arc::new(EmailOtpSender::new(email, config.app_name.clone())) as Arc<dyn OtpSender>)
        }),
        _ => None,
    }
}
