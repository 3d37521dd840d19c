//! `client.email_otp()`: the email-OTP plugin's routes (servers with better-auth's
//! `emailOTP` or Keyward's `email-otp`), and `client.sign_in().email_otp(..)`.
//!
//! The server emails a code; the user types it into the app:
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! use keyward_client::wire::EmailOtpType;
//!
//! client.email_otp().send_verification_otp("ada@example.com", EmailOtpType::SignIn).await?;
//! // … the user reads the code in their mailbox …
//! let signed_in = client.sign_in().email_otp("ada@example.com", "123456").name("Ada").await?;
//! println!("hello {}", signed_in.user.email);
//! assert!(client.session().get().is_signed_in());
//! # Ok(()) }
//! ```
//!
//! Failures are [`Error::Api`](crate::Error::Api) with the plugin's codes:
//! `OTP_EXPIRED` and `INVALID_OTP` (400; a wrong code counts as an attempt) and
//! `TOO_MANY_ATTEMPTS` (403: the code is dead, ask for a new one), besides the core's
//! `INVALID_EMAIL`, `USER_NOT_FOUND`, `PASSWORD_TOO_SHORT` …

use serde_json::Value;

use crate::api::sign_in::SignIn;
use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::routes::email_otp as route;
use crate::wire::{
    ChangeEmailOtpRequest, CheckVerificationOtpRequest, EmailOtpPasswordResetRequest, EmailOtpType, OtpCode, Password,
    RequestEmailChangeOtpRequest, ResetPasswordEmailOtpRequest, SendVerificationOtpRequest, SignInEmailOtpRequest,
    SignInEmailOtpResponse, VerifyEmailOtpRequest, VerifyEmailOtpResponse,
};

impl AuthClient {
    /// Email-OTP endpoints.
    pub fn email_otp(&self) -> EmailOtpApi<'_> {
        EmailOtpApi { client: self }
    }
}

impl<'a> SignIn<'a> {
    /// Signs in with a `sign-in` code emailed to `email` (`POST /sign-in/email-otp`),
    /// creating the user on first use unless the server forbids it. The same as
    /// [`EmailOtpApi::sign_in`].
    pub fn email_otp(self, email: impl Into<String>, otp: impl Into<OtpCode>) -> SignInEmailOtp<'a> {
        self.client().email_otp().sign_in(email, otp)
    }
}

/// The email-OTP endpoints.
#[derive(Clone, Copy, Debug)]
pub struct EmailOtpApi<'a> {
    client: &'a AuthClient,
}

impl<'a> EmailOtpApi<'a> {
    /// `POST /email-otp/send-verification-otp`: asks the server to email a code of
    /// `otp_type` to `email` (`ChangeEmail` is refused: use
    /// [`request_email_change`](Self::request_email_change)). The answer is the same
    /// whether or not a user has the address.
    pub async fn send_verification_otp(self, email: impl Into<String>, otp_type: EmailOtpType) -> Result<()> {
        let body = SendVerificationOtpRequest {
            email: email.into(),
            otp_type,
        };
        self.client
            .post_route::<route::SendVerificationOtp>(None, &body)
            .await?;
        Ok(())
    }

    /// `POST /email-otp/check-verification-otp`: whether `otp` is the valid code of
    /// `otp_type` for `email`, without using it up (a wrong one counts as an attempt).
    pub async fn check_verification_otp(
        self,
        email: impl Into<String>,
        otp_type: EmailOtpType,
        otp: impl Into<OtpCode>,
    ) -> Result<()> {
        let body = CheckVerificationOtpRequest {
            email: email.into(),
            otp_type,
            otp: otp.into(),
        };
        self.client
            .post_route::<route::CheckVerificationOtp>(None, &body)
            .await?;
        Ok(())
    }

    /// `POST /email-otp/verify-email`: marks `email` verified with its
    /// `email-verification` code. When the server signs users in after verification the
    /// answer carries a token, which this client keeps; the session store is refreshed
    /// either way (as better-auth's `emailOTPClient` signals the session atom).
    pub async fn verify_email(
        self,
        email: impl Into<String>,
        otp: impl Into<OtpCode>,
    ) -> Result<VerifyEmailOtpResponse> {
        let body = VerifyEmailOtpRequest {
            email: email.into(),
            otp: otp.into(),
        };
        let reply = self.client.post_route_reply::<route::VerifyEmail>(&body).await?;
        let answer = crate::client::decode_route::<route::VerifyEmail>(&reply)?;
        if let Some(token) = &answer.token {
            self.client.keep_token_of(&reply, token)?;
        }
        let _ = self.client.refresh_session(false).await;
        Ok(answer)
    }

    /// `POST /sign-in/email-otp`: signs in with a `sign-in` code; see
    /// [`SignInEmailOtp`].
    pub fn sign_in(self, email: impl Into<String>, otp: impl Into<OtpCode>) -> SignInEmailOtp<'a> {
        SignInEmailOtp {
            client: self.client,
            body: SignInEmailOtpRequest::new(email, otp),
        }
    }

    /// `POST /email-otp/request-password-reset`: asks the server to email a
    /// `forget-password` code to `email` (the same answer for an unknown address).
    pub async fn request_password_reset(self, email: impl Into<String>) -> Result<()> {
        let body = EmailOtpPasswordResetRequest { email: email.into() };
        self.client
            .post_route::<route::RequestPasswordReset>(None, &body)
            .await?;
        Ok(())
    }

    /// `POST /forget-password/email-otp`: the deprecated name of
    /// [`request_password_reset`](Self::request_password_reset), for servers that only
    /// know it.
    pub async fn forget_password(self, email: impl Into<String>) -> Result<()> {
        let body = EmailOtpPasswordResetRequest { email: email.into() };
        self.client.post_route::<route::ForgetPassword>(None, &body).await?;
        Ok(())
    }

    /// `POST /email-otp/reset-password`: sets `password` as the password of `email`'s
    /// user with its `forget-password` code (and marks the address verified).
    pub async fn reset_password(
        self,
        email: impl Into<String>,
        otp: impl Into<OtpCode>,
        password: impl Into<Password>,
    ) -> Result<()> {
        let body = ResetPasswordEmailOtpRequest {
            email: email.into(),
            otp: otp.into(),
            password: password.into(),
        };
        self.client.post_route::<route::ResetPassword>(None, &body).await?;
        Ok(())
    }

    /// `POST /email-otp/request-email-change` (signed in): asks the server to email a
    /// `change-email` code to `new_email`; see [`RequestEmailChangeOtp`].
    pub fn request_email_change(self, new_email: impl Into<String>) -> RequestEmailChangeOtp<'a> {
        RequestEmailChangeOtp {
            client: self.client,
            body: RequestEmailChangeOtpRequest {
                new_email: new_email.into(),
                otp: None,
            },
        }
    }

    /// `POST /email-otp/change-email` (signed in): moves this user to `new_email` with
    /// the `change-email` code sent there; the session store is refreshed, since the
    /// session's user changed.
    pub async fn change_email(self, new_email: impl Into<String>, otp: impl Into<OtpCode>) -> Result<()> {
        let body = ChangeEmailOtpRequest {
            new_email: new_email.into(),
            otp: otp.into(),
        };
        self.client.post_route::<route::ChangeEmail>(None, &body).await?;
        let _ = self.client.refresh_session(false).await;
        Ok(())
    }
}

/// `POST /sign-in/email-otp`.
#[derive(Debug)]
pub struct SignInEmailOtp<'a> {
    client: &'a AuthClient,
    body: SignInEmailOtpRequest,
}

impl SignInEmailOtp<'_> {
    /// The display name of a user the code creates.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    /// The image of a user the code creates.
    pub fn image(mut self, image: impl Into<String>) -> Self {
        self.body.image = Some(image.into());
        self
    }

    /// An additional user field for a user the code creates.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.additional.insert(name.into(), value.into());
        self
    }

    /// Sends it. The token is stored (bearer mode; the cookie in cookie mode) and the
    /// session store refreshed, as better-auth's `emailOTPClient` signals the session atom
    /// on `/sign-in/email-otp`.
    pub async fn send(self) -> Result<SignInEmailOtpResponse> {
        let reply = self.client.post_route_reply::<route::SignIn>(&self.body).await?;
        let answer = crate::client::decode_route::<route::SignIn>(&reply)?;
        self.client.keep_token_of(&reply, &answer.token)?;
        let _ = self.client.refresh_session(false).await;
        Ok(answer)
    }
}

into_future!(SignInEmailOtp, SignInEmailOtpResponse);

/// `POST /email-otp/request-email-change`.
#[derive(Debug)]
pub struct RequestEmailChangeOtp<'a> {
    client: &'a AuthClient,
    body: RequestEmailChangeOtpRequest,
}

impl RequestEmailChangeOtp<'_> {
    /// An `email-verification` code of the current address, for servers that require one
    /// (`changeEmail.verifyCurrentEmail`).
    pub fn otp(mut self, otp: impl Into<OtpCode>) -> Self {
        self.body.otp = Some(otp.into());
        self
    }

    /// Sends it; the session store is refreshed (better-auth's `emailOTPClient` signals
    /// the session atom on this path).
    pub async fn send(self) -> Result<()> {
        self.client
            .post_route::<route::RequestEmailChange>(None, &self.body)
            .await?;
        let _ = self.client.refresh_session(false).await;
        Ok(())
    }
}

into_future!(RequestEmailChangeOtp, ());
