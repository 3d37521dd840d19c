//! `sendVerificationOnSignUp`: an `email-verification` code after every sign-up.

use serde_json::Value;

use super::{EmailOtpConfig, deliver, identifier, store};
use crate::error::ApiResult;
use crate::hooks::{EndpointHook, EndpointRequest, EndpointResponse};
use keyward_client::wire::EmailOtpType;

/// Emails a code to the address of the user a sign-up answers with (better-auth's after
/// hook on `/sign-up*`, which stores a new code whatever the resend strategy).
pub(super) struct SendOnSignUp;

#[async_trait::async_trait]
impl EndpointHook for SendOnSignUp {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let Some(email) = response
            .json()
            .and_then(|json| json.get("user"))
            .and_then(|user| user.get("email"))
            .and_then(Value::as_str)
            .filter(|email| !email.is_empty())
            .map(str::to_owned)
        else {
            return Ok(());
        };
        let auth = request.auth().clone();
        let Some(config) = auth.0.config.email_otp.as_ref() else {
            return Ok(());
        };
        let config: &EmailOtpConfig = config;
        let otp_type = EmailOtpType::EmailVerification;
        let id = identifier(otp_type, &email);
        let otp = store::store_new(&auth, config, &id, &email, otp_type).await?;
        deliver(&auth, config, email, otp, otp_type).await;
        Ok(())
    }
}
