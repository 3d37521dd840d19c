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
                Ok(value) => then(value),
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
