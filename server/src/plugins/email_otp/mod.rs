//! The email-OTP plugin (better-auth `emailOTP`): codes sent by email to sign in, verify
//! an address, reset a password or change the address.
//!
//! A code is a `verification` row named `<type>-otp-<email>` (`change-email-otp-<user
//! id>:<new email>` for a change of address) whose value is `"<code>:<attempts>"`, the
//! code plain, hashed (`base64url(SHA-256)`) or encrypted (better-auth's
//! `symmetricEncrypt` with the server secret), written and taken through
//! [`Auth::verifications`] as better-auth's internal adapter does, so a code sent by
//! either server works at the other on a shared database or Redis. Checking a code takes
//! the row first (of racing checks only one compares); a wrong guess puts it back with
//! one more attempt and its old expiry, a right one leaves it taken (or puts it back
//! unchanged for `/email-otp/check-verification-otp` and the preflight of
//! `/email-otp/reset-password`), and a row out of attempts stays taken.

mod config;
mod env;
mod hooks;
mod routes;
mod store;

pub use config::{
    EmailOtpChangeEmail, EmailOtpCipher, EmailOtpConfig, EmailOtpGenerator, EmailOtpStorage, ResendStrategy,
    VerificationOtp, VerificationOtpSender,
};

use std::sync::Arc;

use axum::http::StatusCode;

use super::Builtin;
use crate::auth::Auth;
use crate::crypto::{DIGITS, random_string};
use crate::email::{Email, EmailKind};
use crate::error::{ApiError, ApiResult};
use crate::hooks::EndpointMatcher;
use crate::log_safe::Escaped;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::routes::{Route, email_otp as route};
use keyward_client::wire::{EmailOtpType, OtpCode};

pub(crate) use store::{create_otp, read_otp};

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "email-otp",
    enable: |config| config.email_otp = Some(EmailOtpConfig::default()),
    is_enabled: |config| config.email_otp.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .email_otp
            .is_some()
            .then(|| Arc::new(EmailOtpPlugin) as Arc<dyn Plugin>)
    },
};

/// The email-OTP plugin: its routes, their rate limits and the sign-up hook.
pub(crate) struct EmailOtpPlugin;

impl Plugin for EmailOtpPlugin {
    fn id(&self) -> &'static str {
        "email-otp"
    }

    fn setup(&self, setup: &mut Setup) {
        let config = setup.config().email_otp.clone().unwrap_or_default();
        // better-auth gives each route the same rule, matched exactly.
        for path in [
            route::SendVerificationOtp::PATH,
            route::CheckVerificationOtp::PATH,
            route::VerifyEmail::PATH,
            route::SignIn::PATH,
            route::RequestPasswordReset::PATH,
            route::ResetPassword::PATH,
            route::ForgetPassword::PATH,
            route::RequestEmailChange::PATH,
            route::ChangeEmail::PATH,
        ] {
            setup.rate_limit(path, config.rate_limit);
        }
        if config.send_verification_on_sign_up && !config.override_default_email_verification {
            setup.endpoint_hook(EndpointMatcher::any("/sign-up*"), hooks::SendOnSignUp);
        }
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&EmailOtpConfig> {
    auth.0
        .config
        .email_otp
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// Whether the server's verification emails are codes of this plugin
/// (`overrideDefaultEmailVerification`).
pub(crate) fn overrides_email_verification(auth: &Auth) -> bool {
    auth.0
        .config
        .email_otp
        .as_ref()
        .is_some_and(|config| config.override_default_email_verification)
}

/// Sends an `email-verification` code to `email` in place of a verification link
/// (`overrideDefaultEmailVerification`): better-auth's `sendVerificationEmail` replaced
/// by the plugin's own send route.
pub(crate) async fn send_in_place_of_link(auth: &Auth, email: &str) {
    let Some(config) = auth.0.config.email_otp.as_ref() else {
        return;
    };
    let email = email.to_lowercase();
    let result = async {
        let otp = store::resolve_otp(auth, config, &email, EmailOtpType::EmailVerification).await?;
        let mut db = auth.0.db.clone();
        let user = crate::db::users::find_by_email(&mut db, &auth.0.fields, &email).await?;
        let Some(user) = user else {
            let id = identifier(EmailOtpType::EmailVerification, &email);
            return auth.verifications().delete(&mut db, &id).await;
        };
        deliver(auth, config, user.email, otp, EmailOtpType::EmailVerification).await;
        Ok::<_, ApiError>(())
    }
    .await;
    if let Err(error) = result {
        tracing::error!(error = %Escaped(&error), "no verification code sent");
    }
}

/// The `verification` identifier of a code: `<type>-otp-<email>`.
fn identifier(otp_type: EmailOtpType, email: &str) -> String {
    format!("{}-otp-{email}", otp_type.as_str())
}

/// A new code: the generator's, or `otp_length` random digits.
fn generate(config: &EmailOtpConfig, email: &str, otp_type: EmailOtpType) -> String {
    config
        .generate_otp
        .as_ref()
        .map(|generator| generator.generate(email, otp_type))
        .filter(|otp| !otp.is_empty())
        .unwrap_or_else(|| random_string(config.otp_length, DIGITS))
}

/// Delivers a code through the configured sender, or as an email.
async fn deliver(auth: &Auth, config: &EmailOtpConfig, email: String, otp: String, otp_type: EmailOtpType) {
    let otp = VerificationOtp {
        email,
        otp: OtpCode::new(otp),
        otp_type,
    };
    if let Some(sender) = &config.sender {
        if let Err(error) = sender.send_verification_otp(&otp).await {
            tracing::error!(error = %Escaped(&error), "verification code delivery failed");
        }
        return;
    }
    let app = &auth.0.config.app_name;
    let purpose = match otp_type {
        EmailOtpType::EmailVerification => "verify your email address",
        EmailOtpType::SignIn => "sign in",
        EmailOtpType::ForgetPassword => "reset your password",
        EmailOtpType::ChangeEmail => "change your email address",
    };
    auth.send_email(Email {
        kind: EmailKind::EmailOtp,
        to: otp.email.clone(),
        user_id: String::new(),
        subject: format!("Your {app} code ({})", otp_type.as_str()),
        text: format!(
            "Your code to {purpose} at {app}: {}\nIt works for a few minutes. If you did not ask for it, ignore this email.",
            otp.otp.expose()
        ),
        url: None,
        token: otp.otp.expose().to_owned(),
        new_email: None,
    })
    .await;
}
