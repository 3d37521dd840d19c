//! `client.phone_number()`: the phone-number plugin's endpoints (servers with
//! better-auth's `phoneNumber` or Keyward's `phone-number`): codes by SMS, sign-in with a
//! phone number and password, password resets by SMS.
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient) -> keyward_client::Result<()> {
//! client.phone_number().send_otp("+15551234567").await?;
//! // … the user types the texted code …
//! let verified = client.phone_number().verify("+15551234567", "123456").await?;
//! println!("verified {:?}", verified.user.additional.get("phoneNumber"));
//! let signed_in = client
//!     .phone_number()
//!     .sign_in("+15551234567", "correct-horse-battery")
//!     .remember_me(false)
//!     .await?;
//! assert!(signed_in.signed_in().is_some());
//! # Ok(()) }
//! ```
//!
//! Failures are [`Error::Api`](crate::Error::Api) with the plugin's codes: `INVALID_OTP`,
//! `OTP_EXPIRED`, `OTP_NOT_FOUND` (400), `TOO_MANY_ATTEMPTS` (403), `PHONE_NUMBER_EXIST`,
//! `INVALID_PHONE_NUMBER`, `PHONE_NUMBER_CANNOT_BE_UPDATED`,
//! `PHONE_NUMBER_PENDING_VERIFICATION` (400), `INVALID_PHONE_NUMBER_OR_PASSWORD` and
//! `PHONE_NUMBER_NOT_VERIFIED` (401), `SEND_OTP_NOT_IMPLEMENTED` (501).

use serde_json::{Map, Value};

use crate::client::{AuthClient, into_future};
use crate::error::Result;
use crate::wire::routes::phone_number as route;
use crate::wire::{
    OtpCode, Password, PhoneSignInOutcome, RequestPasswordResetPhoneNumberRequest, ResetPasswordPhoneNumberRequest,
    SendPhoneNumberOtpRequest, SignInOutcome, SignInPhoneNumberRequest, VerifyPhoneNumberRequest,
    VerifyPhoneNumberResponse,
};

impl AuthClient {
    /// Phone-number endpoints.
    pub fn phone_number(&self) -> PhoneNumberApi<'_> {
        PhoneNumberApi { client: self }
    }
}

/// The phone-number endpoints.
#[derive(Clone, Copy, Debug)]
pub struct PhoneNumberApi<'a> {
    client: &'a AuthClient,
}

impl<'a> PhoneNumberApi<'a> {
    /// `POST /phone-number/send-otp`: texts a verification code to `phone_number`.
    pub async fn send_otp(self, phone_number: impl Into<String>) -> Result<()> {
        let body = SendPhoneNumberOtpRequest {
            phone_number: phone_number.into(),
        };
        self.client.post_route::<route::SendOtp>(None, &body).await?;
        Ok(())
    }

    /// `POST /phone-number/verify`: checks the texted `code`, marks the number verified
    /// and signs its user in (see [`VerifyPhoneNumber`] for the options).
    pub fn verify(self, phone_number: impl Into<String>, code: impl Into<String>) -> VerifyPhoneNumber<'a> {
        VerifyPhoneNumber {
            client: self.client,
            body: VerifyPhoneNumberRequest {
                phone_number: phone_number.into(),
                code: OtpCode::new(code.into()),
                disable_session: None,
                update_phone_number: None,
                additional: Map::new(),
            },
        }
    }

    /// `POST /phone-number/verify` with `updatePhoneNumber`: the verified number becomes
    /// the signed-in user's.
    pub fn update(self, phone_number: impl Into<String>, code: impl Into<String>) -> VerifyPhoneNumber<'a> {
        let mut verify = self.verify(phone_number, code);
        verify.body.update_phone_number = Some(true);
        verify
    }

    /// `POST /sign-in/phone-number`: signs in with a phone number and password.
    pub fn sign_in(self, phone_number: impl Into<String>, password: impl Into<Password>) -> SignInPhoneNumber<'a> {
        SignInPhoneNumber {
            client: self.client,
            body: SignInPhoneNumberRequest {
                phone_number: phone_number.into(),
                password: password.into(),
                remember_me: None,
            },
        }
    }

    /// `POST /phone-number/request-password-reset`: texts a password-reset code to the
    /// number's user (the answer is the same whether or not the number has one).
    pub async fn request_password_reset(self, phone_number: impl Into<String>) -> Result<()> {
        let body = RequestPasswordResetPhoneNumberRequest {
            phone_number: phone_number.into(),
        };
        self.client
            .post_route::<route::RequestPasswordReset>(None, &body)
            .await?;
        Ok(())
    }

    /// `POST /phone-number/reset-password`: sets `new_password` with the texted reset
    /// code `otp`.
    pub async fn reset_password(
        self,
        phone_number: impl Into<String>,
        otp: impl Into<String>,
        new_password: impl Into<Password>,
    ) -> Result<()> {
        let body = ResetPasswordPhoneNumberRequest {
            otp: OtpCode::new(otp.into()),
            phone_number: phone_number.into(),
            new_password: new_password.into(),
        };
        self.client.post_route::<route::ResetPassword>(None, &body).await?;
        Ok(())
    }
}

/// `POST /phone-number/verify`.
#[derive(Debug)]
pub struct VerifyPhoneNumber<'a> {
    client: &'a AuthClient,
    body: VerifyPhoneNumberRequest,
}

impl VerifyPhoneNumber<'_> {
    /// `true`: verify without signing in (the answer's `token` is `None`).
    pub fn disable_session(mut self, disable: bool) -> Self {
        self.body.disable_session = Some(disable);
        self
    }

    /// `true`: the number becomes the signed-in user's.
    pub fn update_phone_number(mut self, update: bool) -> Self {
        self.body.update_phone_number = Some(update);
        self
    }

    /// An additional user field for a user the verification creates (servers that sign
    /// up on verification).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.additional.insert(name.into(), value.into());
        self
    }

    /// Sends it. A new session's token is stored and the session store refreshed, as
    /// better-auth's `phoneNumberClient` signals the session atom on
    /// `/phone-number/verify`.
    pub async fn send(self) -> Result<VerifyPhoneNumberResponse> {
        let reply = self.client.post_route_reply::<route::Verify>(&self.body).await?;
        let response = crate::client::decode_route::<route::Verify>(&reply)?;
        if let Some(token) = &response.token
            && self.body.update_phone_number != Some(true)
        {
            self.client.keep_token_of(&reply, token)?;
        }
        let _ = self.client.refresh_session(false).await;
        Ok(response)
    }
}

into_future!(VerifyPhoneNumber, VerifyPhoneNumberResponse);

/// `POST /sign-in/phone-number`.
#[derive(Debug)]
pub struct SignInPhoneNumber<'a> {
    client: &'a AuthClient,
    body: SignInPhoneNumberRequest,
}

impl SignInPhoneNumber<'_> {
    /// `false`: the session ends with the browser session (one day at most).
    pub fn remember_me(mut self, remember: bool) -> Self {
        self.body.remember_me = Some(remember);
        self
    }

    /// Sends it. As [`client.sign_in().email(..)`](crate::api::sign_in::SignIn::email):
    /// the token is stored (or the two-factor challenge kept) and the session store
    /// refreshed, as `phoneNumberClient` signals the session atom on
    /// `/sign-in/phone-number`.
    pub async fn send(self) -> Result<PhoneSignInOutcome> {
        let reply = self
            .client
            .post_route_reply::<route::SignInPhoneNumber>(&self.body)
            .await?;
        let outcome = crate::client::decode_route::<route::SignInPhoneNumber>(&reply)?;
        match &outcome {
            PhoneSignInOutcome::SignedIn(response) => {
                self.client.keep_token_of(&reply, &response.token)?;
                self.client.set_pending_two_factor(None)?;
            }
            PhoneSignInOutcome::TwoFactorRequired(challenge) => {
                let outcome = SignInOutcome::TwoFactorRequired(challenge.clone());
                self.client.apply_sign_in_outcome(&outcome)?;
            }
        }
        let _ = self.client.refresh_session(false).await;
        Ok(outcome)
    }
}

into_future!(SignInPhoneNumber, PhoneSignInOutcome);
