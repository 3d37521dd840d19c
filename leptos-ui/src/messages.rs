//! The words the components show for an error: English by default, replaceable per app
//! (localisation) with [`provide_messages`].

use std::sync::Arc;

use keyward_client::Error;
use keyward_client::authenticator::CeremonyError;
use keyward_client::wire::{ErrorCode, MagicLinkError, OAuthErrorCode, SocialErrorCode};
use leptos::prelude::*;

/// An app's translation: the text for an error, or `None` for the default.
type Translate = dyn Fn(&Error) -> Option<String> + Send + Sync;

/// Turns an error into the text a component shows. Return `None` to keep the default.
#[derive(Clone)]
pub struct Messages(Arc<Translate>);

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Messages(..)")
    }
}

/// Replaces the components' error texts below this point of the tree. The function gets
/// the typed error; `None` falls back to the English default.
///
/// ```no_run
/// use keyward_client::{Error, wire::ErrorCode};
/// keyward_leptos::provide_messages(|error: &Error| match error {
///     Error::Api { code: ErrorCode::InvalidEmailOrPassword, .. } => Some("E-Mail oder Passwort falsch".into()),
///     _ => None,
/// });
/// ```
pub fn provide_messages(translate: impl Fn(&Error) -> Option<String> + Send + Sync + 'static) {
    provide_context(Messages(Arc::new(translate)));
}

/// The error texts in effect here. Take it while rendering (it reads the context) and
/// use it later, in event handlers and tasks.
pub fn use_messages() -> Messages {
    use_context::<Messages>().unwrap_or_else(|| Messages(Arc::new(|_| None)))
}

impl Messages {
    /// The text for `error`: the app's translation where it gives one, else the default.
    pub fn text(&self, error: &Error) -> String {
        (self.0)(error).unwrap_or_else(|| default_message(error))
    }
}

/// The English default for an error.
pub fn default_message(error: &Error) -> String {
    match error {
        Error::Api { code, message, .. } => match code {
            ErrorCode::InvalidEmailOrPassword => "Wrong email or password.".into(),
            ErrorCode::UserAlreadyExists | ErrorCode::UserAlreadyExistsUseAnotherEmail => {
                "An account with this email already exists.".into()
            }
            ErrorCode::PasswordTooShort => "The password is too short.".into(),
            ErrorCode::PasswordTooLong => "The password is too long.".into(),
            ErrorCode::InvalidEmail => "That is not a valid email address.".into(),
            ErrorCode::InvalidPassword => "Wrong password.".into(),
            ErrorCode::InvalidCode => "That code is not right.".into(),
            ErrorCode::InvalidBackupCode => "That backup code is not valid.".into(),
            ErrorCode::EmailNotVerified => "Verify your email address first.".into(),
            ErrorCode::SessionExpired => "Please sign in again to do this.".into(),
            ErrorCode::InvalidOtp => "That code is not right.".into(),
            ErrorCode::OtpExpired => "This code has expired. Ask for a new one.".into(),
            ErrorCode::TooManyAttempts => "Too many wrong codes. Ask for a new one.".into(),
            ErrorCode::OtpNotFound => "This code was already used. Ask for a new one.".into(),
            ErrorCode::InvalidPhoneNumberOrPassword => "Wrong phone number or password.".into(),
            ErrorCode::AnonymousUsersCannotSignInAgainAnonymously => "You are already signed in as a guest.".into(),
            ErrorCode::InvalidUsernameOrPassword => "Wrong username or password.".into(),
            ErrorCode::UsernameIsAlreadyTaken => "This username is taken. Please choose another.".into(),
            ErrorCode::UsernameTooShort => "The username is too short.".into(),
            ErrorCode::UsernameTooLong => "The username is too long.".into(),
            ErrorCode::InvalidUsername => "Use only letters, digits, underscores and dots in the username.".into(),
            _ if !message.is_empty() => message.clone(),
            other => other.as_str().replace('_', " ").to_ascii_lowercase(),
        },
        Error::OAuth { error, description, .. } => match error {
            OAuthErrorCode::ExpiredToken => "This code has expired. Start again on your device.".into(),
            OAuthErrorCode::InvalidRequest if description == "Invalid user code" => {
                "That code is not right. Check it on your device.".into()
            }
            OAuthErrorCode::AccessDenied => "This request belongs to another account.".into(),
            _ if !description.is_empty() => description.clone(),
            other => other.as_str().replace('_', " "),
        },
        Error::RateLimited { retry_after } => match retry_after {
            Some(seconds) => format!("Too many attempts. Try again in {seconds} s."),
            None => "Too many attempts. Try again later.".into(),
        },
        Error::Network { .. } => "Cannot reach the server.".into(),
        Error::TwoFactorRequired { .. } => "Enter your second factor.".into(),
        Error::Passkey(CeremonyError::Cancelled) => "The passkey prompt was cancelled.".into(),
        Error::Passkey(CeremonyError::AlreadyRegistered) => "This device already has a passkey for you.".into(),
        Error::Passkey(CeremonyError::NotSupported(_)) => "Passkeys are not supported here.".into(),
        Error::MagicLink { error, .. } => default_magic_link_message(error),
        other => other.to_string(),
    }
}

/// The English default for the error a social sign-in or link flow came back with.
pub fn default_social_message(code: &SocialErrorCode) -> String {
    match code {
        SocialErrorCode::Other(code) if code == "access_denied" => "The sign-in was cancelled at the provider.".into(),
        SocialErrorCode::AccountNotLinked => {
            "An account with this email already exists. Sign in with it first, then link this provider.".into()
        }
        SocialErrorCode::SignupDisabled => "There is no account for you here yet, and sign-up is closed.".into(),
        SocialErrorCode::EmailNotFound => "The provider did not share your email address.".into(),
        SocialErrorCode::EmailNotVerified => "Verify your email address at the provider first.".into(),
        SocialErrorCode::StateNotFound | SocialErrorCode::StateMismatch | SocialErrorCode::StateInvalid => {
            "The sign-in took too long or was started elsewhere. Please try again.".into()
        }
        SocialErrorCode::EmailDoesNotMatch => "That account's email address differs from yours.".into(),
        SocialErrorCode::AccountAlreadyLinkedToDifferentUser => "That account is linked to another user.".into(),
        SocialErrorCode::InvalidCode | SocialErrorCode::UnableToGetUserInfo => {
            "The provider could not be reached or refused the sign-in. Please try again.".into()
        }
        other => format!("The sign-in failed ({other})."),
    }
}

/// The English default for the error a magic link came back with.
pub fn default_magic_link_message(error: &MagicLinkError) -> String {
    match error {
        MagicLinkError::InvalidToken => "This link was already used or has expired. Ask for a new one.".into(),
        MagicLinkError::NewUserSignupDisabled => "There is no account for this address, and sign-up is closed.".into(),
        MagicLinkError::UserNotFound => "This account no longer exists.".into(),
        other => format!("The link did not sign you in ({other})."),
    }
}
