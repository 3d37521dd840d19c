//! Ready-made components: unstyled, accessible, themable by class. Every root element
//! carries a stable `kw-…` class (and takes an extra `class`), errors are shown in a
//! `role="alert"` element with the texts of [`crate::provide_messages`], and buttons are
//! disabled (`aria-busy`) while their request runs.

mod accounts;
mod device;
mod email_otp;
mod flow;
mod gate;
mod last_used;
mod magic_link;
mod organization;
mod passkey;
mod phone;
mod session;
mod sign_in;
mod sign_up;
mod social;
mod two_factor;
mod user;

use std::future::Future;
use std::pin::Pin;

use keyward_client::Result;
use leptos::prelude::*;

use crate::messages::{Messages, use_messages};

pub use accounts::{AccountSwitcher, GuestButton};
pub use device::DeviceApproval;
pub use email_otp::EmailOtpForm;
pub use gate::{AuthGate, SignedIn, SignedOut};
pub use last_used::LastUsed;
pub use magic_link::MagicLinkForm;
pub use organization::OrganizationSwitcher;
pub use passkey::{PasskeyButton, PasskeysList};
pub use phone::PhoneSignIn;
pub use session::SessionsList;
pub use sign_in::SignInForm;
pub use sign_up::SignUpForm;
pub use social::{ProviderButton, SocialSignIn};
pub use two_factor::TwoFactorSetup;
pub use user::UserButton;

/// A component's request, boxed: it ends with what to do with the answer.
type PendingTask = Pin<Box<dyn Future<Output = Result<Box<dyn FnOnce()>>>>>;

/// One request a component runs at a time: whether it is running, and its last error.
#[derive(Clone, Copy)]
pub(crate) struct Task {
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    messages: StoredValue<Messages>,
}

impl Task {
    pub(crate) fn new() -> Self {
        Self {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            messages: StoredValue::new(use_messages()),
        }
    }

    /// Whether a request is running (tracked).
    pub(crate) fn busy(&self) -> bool {
        self.busy.get()
    }

    /// Runs `request` unless one is running; on success hands the answer to `then`, on
    /// failure shows the error.
    pub(crate) fn run<T: 'static>(
        self,
        request: impl Future<Output = Result<T>> + 'static,
        then: impl FnOnce(T) + 'static,
    ) {
        self.run_boxed(Box::pin(async move {
            let value = request.await?;
            Ok(Box::new(move || then(value)) as Box<dyn FnOnce()>)
        }));
    }

    /// [`Task::run`]'s body, compiled once for every component: only the boxing above is
    /// made per request type (the minimal page is 327 B gzipped smaller than with a copy
    /// of this per request).
    fn run_boxed(self, request: PendingTask) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            let result = request.await;
            // The component may be gone by now: its signals are then disposed.
            let _ = self.busy.try_set(false);
            match result {
                Ok(then) => then(),
                Err(error) => {
                    let text = self.messages.try_with_value(|messages| messages.text(&error));
                    let _ = self.error.try_set(text);
                }
            }
        });
    }

    /// Shows a message of the component's own (not from a request).
    pub(crate) fn fail(&self, text: impl Into<String>) {
        self.error.set(Some(text.into()));
    }

    /// The error line: nothing when there is no error.
    pub(crate) fn error_view(self) -> impl IntoView {
        move || {
            self.error
                .get()
                .map(|text| view! { <p class="kw-error" role="alert">{text}</p> })
        }
    }
}

/// `base` plus the caller's extra classes.
pub(crate) fn classes(base: &str, extra: &str) -> String {
    if extra.is_empty() {
        base.to_owned()
    } else {
        format!("{base} {extra}")
    }
}

/// `2026-12-04`: a day as the lists show it. Written with integer formatting: chrono's
/// `format` brought its pattern parser, weekday and month names and Unicode case tables
/// into the demo (24 KB of WebAssembly, 11 KB gzipped).
pub(crate) fn date(at: &chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

/// `2026-12-04 09:30 UTC`: a moment as the session list shows it.
pub(crate) fn date_time(at: &chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    format!("{} {:02}:{:02} UTC", date(at), at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    use super::{date, date_time};

    #[test]
    fn dates_read_as_chrono_formats_them() {
        for raw in ["2026-12-04T09:05:59Z", "0999-01-02T00:00:00Z", "2024-02-29T23:59:00Z"] {
            let at: chrono::DateTime<chrono::Utc> = raw.parse().expect("a date");
            assert_eq!(date(&at), at.format("%Y-%m-%d").to_string());
            assert_eq!(date_time(&at), at.format("%Y-%m-%d %H:%M UTC").to_string());
        }
    }
}
