//! Delivering the phone-number plugin's codes: [`SmsSender`], and the development sender
//! that logs them and appends them to the outbox file.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use serde::Serialize;

use crate::log_safe::Escaped;
use keyward_client::wire::OtpCode;

/// What a texted code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmsKind {
    /// Verifies the number (`/phone-number/send-otp`, or a refused sign-in of an
    /// unverified number): better-auth's `sendOTP`.
    PhoneNumberOtp,
    /// Resets the password (`/phone-number/request-password-reset`): better-auth's
    /// `sendPasswordResetOTP`.
    PhoneNumberReset,
}

/// The request that asked for a code (what better-auth's senders find in `ctx`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmsRequest {
    /// The client's address, as the server's trusted proxy headers give it.
    pub ip_address: Option<IpAddr>,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

/// One code to text.
#[derive(Clone)]
pub struct Sms {
    /// What it is for.
    pub kind: SmsKind,
    /// The number, as the request gave it.
    pub phone_number: String,
    /// The code.
    pub code: OtpCode,
    /// The request that asked for it.
    pub request: SmsRequest,
}

impl std::fmt::Debug for Sms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sms")
            .field("kind", &self.kind)
            .field("phone_number", &self.phone_number)
            .field("code", &self.code)
            .field("request", &self.request)
            .finish()
    }
}

/// Delivery failed.
#[derive(Debug, thiserror::Error)]
#[error("SMS delivery failed: {0}")]
pub struct SmsError(pub String);

/// Delivers the phone-number plugin's codes (better-auth's `sendOTP` and
/// `sendPasswordResetOTP`). A failure is logged; the client's answer does not change.
///
/// ```
/// use keyward_server::config::{Sms, SmsError, SmsSender};
///
/// struct Gateway;
///
/// #[async_trait::async_trait]
/// impl SmsSender for Gateway {
///     async fn send_sms(&self, sms: &Sms) -> Result<(), SmsError> {
///         // post `sms.code.expose()` to `sms.phone_number` through the SMS provider
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait SmsSender: Send + Sync {
    /// Delivers one code.
    async fn send_sms(&self, sms: &Sms) -> Result<(), SmsError>;
}

impl std::fmt::Debug for dyn SmsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmsSender(..)")
    }
}

/// Development only: logs each code at INFO level (with `log`) and appends it as one
/// JSON line `{"ts","kind","to","token"}` to the outbox file the emails go to
/// (`KEYWARD_OUTBOX`), where tests and local tooling read it. Codes are credentials;
/// never use this in production.
#[derive(Clone, Debug, Default)]
pub struct DevSmsSender {
    /// Log the codes.
    pub log: bool,
    /// Append the codes to this file.
    pub outbox: Option<PathBuf>,
}

/// The outbox line of a texted code.
#[derive(Serialize)]
struct OutboxLine<'a> {
    ts: String,
    kind: SmsKind,
    to: &'a str,
    token: &'a str,
}

/// One lock for every outbox write of the process (lines never interleave).
static OUTBOX_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[async_trait::async_trait]
impl SmsSender for DevSmsSender {
    async fn send_sms(&self, sms: &Sms) -> Result<(), SmsError> {
        if self.log {
            tracing::info!(to = %Escaped(&sms.phone_number), kind = ?sms.kind, code = %Escaped(sms.code.expose()), "development SMS");
        }
        let Some(path) = &self.outbox else {
            return Ok(());
        };
        let line = OutboxLine {
            ts: keyward_client::wire::time::format_iso(&chrono::Utc::now()),
            kind: sms.kind,
            to: &sms.phone_number,
            token: sms.code.expose(),
        };
        let mut text = serde_json::to_string(&line).map_err(|e| SmsError(e.to_string()))?;
        text.push('\n');
        let _guard = OUTBOX_LOCK.lock().map_err(|e| SmsError(e.to_string()))?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| SmsError(format!("{}: {e}", path.display())))?;
        file.write_all(text.as_bytes()).map_err(|e| SmsError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_development_sender_appends_to_the_outbox() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("outbox.jsonl");
        let sender = DevSmsSender {
            log: true,
            outbox: Some(path.clone()),
        };
        let sms = Sms {
            kind: SmsKind::PhoneNumberReset,
            phone_number: "+15550001".into(),
            code: OtpCode::new("012345"),
            request: SmsRequest::default(),
        };
        assert!(!format!("{sms:?}").contains("012345"));
        sender.send_sms(&sms).await.expect("sent");
        sender.send_sms(&sms).await.expect("sent");
        let text = std::fs::read_to_string(&path).expect("written");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect("JSON"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["kind"], "phone-number-reset");
        assert_eq!(lines[0]["to"], "+15550001");
        assert_eq!(lines[0]["token"], "012345");
    }
}
