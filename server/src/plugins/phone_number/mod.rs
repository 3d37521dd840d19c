//! The phone-number plugin (better-auth `phoneNumber`): `POST /sign-in/phone-number`,
//! `/phone-number/send-otp`, `/phone-number/verify`,
//! `/phone-number/request-password-reset` and `/phone-number/reset-password`, and the
//! `phoneNumber` (unique) and `phoneNumberVerified` user fields.
//!
//! Codes are `verification` rows written and taken through [`Auth::verifications`] as
//! better-auth's internal adapter does (see [`otp`]), so a code texted by either server
//! verifies at the other on a shared database or Redis. Only a verified code sets a
//! number: the user row hooks drop a number a new user would get otherwise (and a sign-up
//! that sends one is `PHONE_NUMBER_CANNOT_BE_SET`), `/update-user` refuses one
//! (`PHONE_NUMBER_CANNOT_BE_UPDATED`) but may clear it, which unverifies it.

mod config;
mod env;
mod otp;
mod routes;
mod sms;

pub use config::{
    FromPhoneNumber, OnPhoneNumberVerified, OtpVerifier, PhoneNumberConfig, PhoneNumberValidator, SignUpOnVerification,
    is_e164,
};
pub use sms::{DevSmsSender, Sms, SmsError, SmsKind, SmsRequest, SmsSender};

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::Builtin;
use crate::auth::Auth;
use crate::config::AdditionalField;
use crate::db::users::{NewUser, UserChanges};
use crate::db::{Arg, FieldType};
use crate::error::{ApiError, ApiResult};
use crate::hooks::{EndpointHook, EndpointMatcher, EndpointRequest, UserHooks};
use crate::log_safe::Escaped;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::routes::{Route, SignUpEmail, UpdateUser};
use keyward_client::wire::{ErrorCode, OtpCode, User};

/// The user column of the number.
const PHONE_NUMBER: &str = "phoneNumber";
/// The user column of whether the number is verified.
const PHONE_NUMBER_VERIFIED: &str = "phoneNumberVerified";

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "phone-number",
    enable: |config| config.phone_number = Some(PhoneNumberConfig::default()),
    is_enabled: |config| config.phone_number.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .phone_number
            .is_some()
            .then(|| Arc::new(PhoneNumberPlugin) as Arc<dyn Plugin>)
    },
};

/// The phone-number plugin: its fields, hooks, routes and rate limit.
pub(crate) struct PhoneNumberPlugin;

impl Plugin for PhoneNumberPlugin {
    fn id(&self) -> &'static str {
        "phone-number"
    }

    fn setup(&self, setup: &mut Setup) {
        let rule = setup
            .config()
            .phone_number
            .as_ref()
            .map_or_else(|| PhoneNumberConfig::default().rate_limit, |config| config.rate_limit);
        setup
            .user_field(AdditionalField::new(PHONE_NUMBER, FieldType::String).unique())
            .user_field(AdditionalField::new(PHONE_NUMBER_VERIFIED, FieldType::Boolean).server_only())
            .user_hooks(OnlyVerifiedNumbers)
            .endpoint_hook(EndpointMatcher::post(SignUpEmail::PATH), RefuseNumber::SignUp)
            .endpoint_hook(EndpointMatcher::post(UpdateUser::PATH), RefuseNumber::Update)
            // better-auth matches every path that starts with `/phone-number`.
            .rate_limit("/phone-number*", rule);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes and hooks exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&PhoneNumberConfig> {
    auth.0
        .config
        .phone_number
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// The user whose `phoneNumber` is `phone_number` (compared as stored).
async fn find_by_phone_number(auth: &Auth, phone_number: &str) -> ApiResult<Option<User>> {
    let mut db = auth.0.db.clone();
    Ok(crate::db::users::find_by_column(&mut db, &auth.0.fields, PHONE_NUMBER, phone_number).await?)
}

/// Whether `user`'s number is verified.
fn is_verified(user: &User) -> bool {
    user.additional.get(PHONE_NUMBER_VERIFIED) == Some(&Value::Bool(true))
}

/// The sender codes go out through: the configured one, else the development sender when
/// the server logs or keeps an outbox; `None` when codes cannot be sent.
fn sender(auth: &Auth, config: &PhoneNumberConfig) -> Option<Arc<dyn SmsSender>> {
    if let Some(sender) = &config.sender {
        return Some(sender.clone());
    }
    let email = &auth.0.config.email;
    (email.log_links || email.outbox.is_some()).then(|| {
        Arc::new(DevSmsSender {
            log: email.log_links,
            outbox: email.outbox.clone(),
        }) as Arc<dyn SmsSender>
    })
}

/// Texts `code` to `phone_number` through `sender`; a failure is logged.
async fn deliver(sender: &dyn SmsSender, kind: SmsKind, phone_number: &str, code: &str, request: SmsRequest) {
    let sms = Sms {
        kind,
        phone_number: phone_number.to_owned(),
        code: OtpCode::new(code),
        request,
    };
    if let Err(error) = sender.send_sms(&sms).await {
        tracing::error!(error = %Escaped(&error), kind = ?kind, "SMS delivery failed");
    }
}

/// A number only a verified code sets (better-auth's `databaseHooks.user`): a new user
/// gets none unless verified, and clearing a user's number unverifies it.
struct OnlyVerifiedNumbers;

#[async_trait::async_trait]
impl UserHooks for OnlyVerifiedNumbers {
    async fn before_create(&self, _auth: &Auth, user: &mut NewUser) -> ApiResult<()> {
        let number = user.additional.get(PHONE_NUMBER).filter(|value| !value.is_null());
        let verified = user.additional.get(PHONE_NUMBER_VERIFIED) == Some(&Value::Bool(true));
        if number.is_some() && !verified {
            user.additional.insert(PHONE_NUMBER.into(), Value::Null);
            user.additional.insert(PHONE_NUMBER_VERIFIED.into(), Value::Bool(false));
        }
        Ok(())
    }

    async fn before_update(&self, _auth: &Auth, _user_id: &str, changes: &mut UserChanges) -> ApiResult<()> {
        let cleared = changes
            .columns
            .iter()
            .any(|(column, value)| column == PHONE_NUMBER && matches!(value, Arg::Text(None)));
        if cleared {
            changes.columns.retain(|(column, _)| column != PHONE_NUMBER_VERIFIED);
            changes
                .columns
                .push((PHONE_NUMBER_VERIFIED.to_owned(), Arg::Bool(Some(false))));
        }
        Ok(())
    }
}

/// Refuses a number sent where only a verified code may set one.
enum RefuseNumber {
    /// `/sign-up/email` with a non-empty `phoneNumber`: `PHONE_NUMBER_CANNOT_BE_SET`.
    SignUp,
    /// `/update-user` with a `phoneNumber` other than `null`: `PHONE_NUMBER_CANNOT_BE_UPDATED`.
    Update,
}

#[async_trait::async_trait]
impl EndpointHook for RefuseNumber {
    async fn before(&self, request: &mut EndpointRequest) -> ApiResult<Option<Response>> {
        let Some(Value::Object(body)) = request.body() else {
            return Ok(None);
        };
        let refused = match self {
            Self::SignUp => match body.get(PHONE_NUMBER) {
                None | Some(Value::Null) | Some(Value::Bool(false)) => None,
                Some(Value::String(text)) if text.is_empty() => None,
                Some(Value::Number(n)) if n.as_f64() == Some(0.0) => None,
                Some(_) => Some(ErrorCode::PhoneNumberCannotBeSet),
            },
            Self::Update => body
                .get(PHONE_NUMBER)
                .filter(|value| !value.is_null())
                .map(|_| ErrorCode::PhoneNumberCannotBeUpdated),
        };
        match refused {
            Some(code) => Err(ApiError::bad_request(code)),
            None => Ok(None),
        }
    }
}
