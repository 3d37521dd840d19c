//! `<SignInForm>`: email (or username) and password, then the second factor when the
//! account has one.

use keyward_client::wire::SignInOutcome;
use leptos::prelude::*;

use super::{LastUsed, Task, classes};
use crate::context::use_auth;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Password,
    /// The password was right; the account needs a TOTP, an emailed OTP or a backup code.
    SecondFactor,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Factor {
    Totp,
    Otp,
    BackupCode,
}

/// Email/password sign-in with the two-factor step: after a right password for an
/// account with two-factor authentication it asks for the authenticator code (or an
/// emailed code, or a backup code), with "trust this device". With `username` (the
/// server's username plugin) the first field takes an email address or a username.
/// Marked "last used" when the user last signed in with an email and password.
///
/// ```no_run
/// use keyward_leptos::components::SignInForm;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <SignInForm on_success=|| leptos::logging::log!("signed in") /> }
/// # }
/// ```
#[component]
pub fn SignInForm(
    /// Called once signed in.
    #[prop(optional, into)]
    on_success: Option<Callback<()>>,
    /// Accept a username instead of the email address (`/sign-in/username`).
    #[prop(optional)]
    username: bool,
    /// Extra classes on the `<form>`.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let task = Task::new();
    let step = RwSignal::new(Step::Password);
    let methods = RwSignal::new(Vec::<String>::new());
    let factor = RwSignal::new(Factor::Totp);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let remember = RwSignal::new(true);
    let code = RwSignal::new(String::new());
    let trust = RwSignal::new(false);
    let done = move || {
        password.set(String::new());
        code.set(String::new());
        step.set(Step::Password);
        if let Some(on_success) = on_success {
            on_success.run(());
        }
    };

    let submit_password = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let (email, password, remember) = (
            email.get_untracked(),
            password.get_untracked(),
            remember.get_untracked(),
        );
        let login = email.trim().to_owned();
        task.run(
            async move {
                if username && !login.contains('@') {
                    client
                        .username()
                        .sign_in(login, password)
                        .remember_me(remember)
                        .send()
                        .await
                } else {
                    client
                        .sign_in()
                        .email(login, password)
                        .remember_me(remember)
                        .send()
                        .await
                }
            },
            move |outcome| match outcome {
                SignInOutcome::SignedIn(_) => done(),
                SignInOutcome::TwoFactorRequired(challenge) => {
                    let first = if challenge.two_factor_methods.iter().any(|m| m == "totp") {
                        Factor::Totp
                    } else {
                        Factor::Otp
                    };
                    factor.set(first);
                    methods.set(challenge.two_factor_methods);
                    step.set(Step::SecondFactor);
                }
            },
        );
    };

    let submit_code = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let (value, trust_device) = (code.get_untracked().trim().to_owned(), trust.get_untracked());
        match factor.get_untracked() {
            Factor::Totp | Factor::Otp => {
                let otp = factor.get_untracked() == Factor::Otp;
                task.run(
                    async move {
                        let two_factor = client.two_factor();
                        let call = if otp {
                            two_factor.verify_otp(value)
                        } else {
                            two_factor.verify_totp(value)
                        };
                        let call = if trust_device { call.trust_device() } else { call };
                        call.send().await
                    },
                    move |_| done(),
                );
            }
            Factor::BackupCode => {
                task.run(
                    async move {
                        let call = client.two_factor().verify_backup_code(value);
                        let call = if trust_device { call.trust_device() } else { call };
                        call.send().await
                    },
                    move |_| done(),
                );
            }
        }
    };

    let send_otp = move |_| {
        let client = auth.client();
        task.run(async move { client.two_factor().send_otp().await }, move |()| {
            factor.set(Factor::Otp);
        });
    };

    let has = move |method: &str| methods.with(|methods| methods.iter().any(|m| m == method));
    let class = classes("kw-sign-in-form", &class);

    move || {
        match step.get() {
        Step::Password => view! {
            <form class=class.clone() on:submit=submit_password aria-busy=move || task.busy().to_string()>
                {if username {
                    view! {
                        <label>
                            <span>"Email or username"</span>
                            <input type="text" name="login" autocomplete="username webauthn" autocapitalize="none" required bind:value=email />
                        </label>
                    }
                    .into_any()
                } else {
                    view! {
                        <label>
                            <span>"Email"</span>
                            <input type="email" name="email" autocomplete="username webauthn" required bind:value=email />
                        </label>
                    }
                    .into_any()
                }}
                <label>
                    <span>"Password"</span>
                    <input type="password" name="password" autocomplete="current-password" required bind:value=password />
                </label>
                <label class="kw-checkbox">
                    <input type="checkbox" name="remember" bind:checked=remember />
                    <span>"Remember me"</span>
                </label>
                {task.error_view()}
                <button type="submit" disabled=move || task.busy()>"Sign in" <LastUsed method="email" /></button>
            </form>
        }
        .into_any(),
        Step::SecondFactor => view! {
            <form class=format!("{class} kw-second-factor") on:submit=submit_code aria-busy=move || task.busy().to_string()>
                <p>{move || match factor.get() {
                    Factor::Totp => "Enter the 6-digit code from your authenticator app.",
                    Factor::Otp => "Enter the code we emailed you.",
                    Factor::BackupCode => "Enter one of your backup codes.",
                }}</p>
                <label>
                    <span>{move || if factor.get() == Factor::BackupCode { "Backup code" } else { "Code" }}</span>
                    <input type="text" name="code" autocomplete="one-time-code" inputmode=move || if factor.get() == Factor::BackupCode { "text" } else { "numeric" } required bind:value=code />
                </label>
                <label class="kw-checkbox">
                    <input type="checkbox" name="trust-device" bind:checked=trust />
                    <span>"Trust this device for 30 days"</span>
                </label>
                {task.error_view()}
                <button type="submit" disabled=move || task.busy()>"Verify"</button>
                <div class="kw-alternatives">
                    {move || (has("otp") && factor.get() != Factor::Otp).then(|| view! {
                        <button type="button" on:click=send_otp disabled=move || task.busy()>"Email me a code"</button>
                    })}
                    {move || (has("totp") && factor.get() != Factor::Totp).then(|| view! {
                        <button type="button" on:click=move |_| factor.set(Factor::Totp)>"Use my authenticator app"</button>
                    })}
                    {move || (factor.get() != Factor::BackupCode).then(|| view! {
                        <button type="button" on:click=move |_| factor.set(Factor::BackupCode)>"Use a backup code"</button>
                    })}
                </div>
            </form>
        }
        .into_any(),
    }
    }
}
