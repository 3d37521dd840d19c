//! Emails the server sends (verification, password reset, change of address, account
//! deletion), and the ways to deliver them.
//!
//! Plug in any delivery by implementing [`EmailSender`]:
//!
//! ```
//! use keyward_server::email::{Email, EmailError, EmailSender};
//!
//! struct Mailer;
//!
//! #[async_trait::async_trait]
//! impl EmailSender for Mailer {
//!     async fn send(&self, email: &Email) -> Result<(), EmailError> {
//!         println!("to {}: {}", email.to, email.subject);
//!         Ok(())
//!     }
//! }
//! ```

use crate::log_safe::Escaped;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;

pub use crate::plugins::two_factor::{EmailOtpSender, OtpSender, TwoFactorCode};

/// What an email is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmailKind {
    /// Verify an address (also used for the new address of an email change).
    VerifyEmail,
    /// Reset a password.
    ResetPassword,
    /// Confirm from the current address that the email may change.
    ChangeEmailConfirmation,
    /// Confirm deleting the account.
    DeleteAccount,
    /// A two-factor sign-in code.
    TwoFactorOtp,
    /// An invitation to join an organization.
    OrganizationInvitation,
    /// A magic link that signs its recipient in (the magic-link plugin).
    MagicLink,
    /// A one-time code to type (the email-OTP plugin).
    EmailOtp,
    /// One of the application's own (a welcome, a notice), sent with [`crate::api::Api::send_email`].
    Application,
}

/// One email.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Email {
    /// What it is for.
    pub kind: EmailKind,
    /// Recipient.
    pub to: String,
    /// The user it concerns.
    pub user_id: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// The link to open (none for a code to type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The token inside the link, or the code to type.
    pub token: String,
    /// For email changes: the requested address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_email: Option<String>,
}

/// Delivery failed.
#[derive(Debug, thiserror::Error)]
#[error("email delivery failed: {0}")]
pub struct EmailError(pub String);

/// Delivers emails.
#[async_trait::async_trait]
pub trait EmailSender: Send + Sync {
    /// Sends one email.
    async fn send(&self, email: &Email) -> Result<(), EmailError>;
}

/// Appends each email as one JSON line (`{"ts", "kind", "to", "userId", "url", "token", …}`)
/// to a file: the development outbox that tests and local tooling read.
#[derive(Clone, Debug)]
pub struct OutboxSender {
    path: PathBuf,
    lock: Arc<std::sync::Mutex<()>>,
}

impl OutboxSender {
    /// Writes to `path` (created if missing).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Arc::new(std::sync::Mutex::new(())),
        }
    }
}

#[derive(Serialize)]
struct OutboxLine<'a> {
    ts: String,
    #[serde(flatten)]
    email: &'a Email,
}

#[async_trait::async_trait]
impl EmailSender for OutboxSender {
    async fn send(&self, email: &Email) -> Result<(), EmailError> {
        let line = OutboxLine {
            ts: keyward_client::wire::time::format_iso(&chrono::Utc::now()),
            email,
        };
        let mut text = serde_json::to_string(&line).map_err(|e| EmailError(e.to_string()))?;
        text.push('\n');
        let _guard = self.lock.lock().map_err(|e| EmailError(e.to_string()))?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| EmailError(format!("{}: {e}", self.path.display())))?;
        file.write_all(text.as_bytes()).map_err(|e| EmailError(e.to_string()))
    }
}

/// Development only: logs the recipient and link at INFO level, so a developer can click
/// it from the terminal. The link is a credential; never use this in production.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogSender;

#[async_trait::async_trait]
impl EmailSender for LogSender {
    async fn send(&self, email: &Email) -> Result<(), EmailError> {
        match &email.url {
            Some(url) => {
                tracing::info!(to = %Escaped(&email.to), kind = ?email.kind, link = %Escaped(url), "development email")
            }
            None => {
                tracing::info!(to = %Escaped(&email.to), kind = ?email.kind, code = %Escaped(&email.token), "development email")
            }
        }
        Ok(())
    }
}

/// Sends through SMTP with lettre.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// `url`: `smtp://host:port` (STARTTLS), `smtps://user:pass@host` (TLS); `from`: the
    /// sender mailbox, e.g. `Keyward <auth@example.com>`.
    pub fn new(url: &str, from: &str) -> Result<Self, EmailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| EmailError(format!("SMTP_URL: {e}")))?
            .build();
        let from = from.parse().map_err(|e| EmailError(format!("SMTP_FROM: {e}")))?;
        Ok(Self { transport, from })
    }
}

#[async_trait::async_trait]
impl EmailSender for SmtpSender {
    async fn send(&self, email: &Email) -> Result<(), EmailError> {
        let to: Mailbox = email.to.parse().map_err(|e| EmailError(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .body(email.text.clone())
            .map_err(|e| EmailError(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| EmailError(e.to_string()))?;
        Ok(())
    }
}

/// Sends every email through each of several senders (development: log + outbox).
pub struct FanOut(pub Vec<Arc<dyn EmailSender>>);

#[async_trait::async_trait]
impl EmailSender for FanOut {
    async fn send(&self, email: &Email) -> Result<(), EmailError> {
        for sender in &self.0 {
            sender.send(email).await?;
        }
        Ok(())
    }
}

/// The sender the environment configures (`KEYWARD_OUTBOX`, `SMTP_URL`), with the log
/// sender in development; `None` when there is none, which disables the email flows.
pub fn from_config(config: &crate::config::EmailTransportConfig) -> Result<Option<Arc<dyn EmailSender>>, EmailError> {
    let mut senders: Vec<Arc<dyn EmailSender>> = Vec::new();
    if config.log_links {
        senders.push(Arc::new(LogSender));
    }
    if let Some(path) = &config.outbox {
        senders.push(Arc::new(OutboxSender::new(path)));
    }
    if let Some(url) = &config.smtp_url {
        let from = config
            .smtp_from
            .as_deref()
            .ok_or_else(|| EmailError("SMTP_FROM is required with SMTP_URL".into()))?;
        senders.push(Arc::new(SmtpSender::new(url, from)?));
    }
    Ok(match senders.len() {
        0 => None,
        1 => senders.pop(),
        _ => Some(Arc::new(FanOut(senders))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outbox_appends_json_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("outbox.jsonl");
        let sender = OutboxSender::new(&path);
        for token in ["t1", "t2"] {
            sender
                .send(&Email {
                    kind: EmailKind::ResetPassword,
                    to: "a@b.co".into(),
                    user_id: "u1".into(),
                    subject: "Reset".into(),
                    text: "click".into(),
                    url: Some(format!("http://x/reset-password/{token}")),
                    token: token.into(),
                    new_email: None,
                })
                .await
                .expect("sends");
        }
        let text = std::fs::read_to_string(&path).expect("reads");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["kind"], "reset-password");
        assert_eq!(lines[1]["token"], "t2");
        assert_eq!(lines[0]["userId"], "u1");
    }

    #[test]
    fn smtp_configuration_errors_are_clear() {
        let config = crate::config::EmailTransportConfig {
            smtp_url: Some("smtp://localhost:2525".into()),
            ..Default::default()
        };
        let Err(error) = from_config(&config) else {
            panic!("SMTP without a sender address must be refused");
        };
        assert!(error.to_string().contains("SMTP_FROM"));
    }
}
