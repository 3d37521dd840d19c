//! `<TwoFactorSetup>`: turn two-factor authentication on (QR code, secret, backup codes,
//! first code) or off.

use keyward_client::wire::{BackupCode, EnableTwoFactorResponse};
use leptos::prelude::*;

use super::{Task, classes};
use crate::context::{use_auth, use_session};

/// A freshly enabled TOTP factor waiting for its first code.
#[derive(Clone)]
struct Pending {
    uri: String,
    secret: String,
    qr_svg: Option<String>,
    backup_codes: Vec<String>,
}

impl Pending {
    fn from_response(response: EnableTwoFactorResponse) -> Self {
        let setup = response.totp_uri.as_ref().and_then(|uri| uri.parse().ok());
        let uri = response
            .totp_uri
            .as_ref()
            .map(|uri| uri.expose().to_owned())
            .unwrap_or_default();
        let secret = setup
            .as_ref()
            .map(|setup| setup.secret.expose().to_owned())
            .unwrap_or_default();
        Self {
            qr_svg: setup.as_ref().and_then(qr_svg),
            uri,
            secret,
            backup_codes: codes(response.backup_codes.unwrap_or_default()),
        }
    }
}

fn codes(codes: Vec<BackupCode>) -> Vec<String> {
    codes.iter().map(|code| code.expose().to_owned()).collect()
}

#[cfg(feature = "qr")]
fn qr_svg(setup: &keyward_client::api::two_factor::TotpSetup) -> Option<String> {
    setup.qr_svg().ok()
}

#[cfg(not(feature = "qr"))]
fn qr_svg(_setup: &keyward_client::api::two_factor::TotpSetup) -> Option<String> {
    None
}

/// Two-factor settings for the signed-in user. Off: asks for the password, then shows the
/// QR code (feature `qr`), the secret to type by hand and the backup codes, and turns the
/// factor on with the first code from the app. On: new backup codes, or off (password).
///
/// ```no_run
/// use keyward_leptos::components::TwoFactorSetup;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <TwoFactorSetup issuer="My App" /> }
/// # }
/// ```
#[component]
pub fn TwoFactorSetup(
    /// The issuer authenticator apps show (default: the server's app name).
    #[prop(optional, into)]
    issuer: Option<String>,
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let session = use_session();
    let task = Task::new();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let pending = RwSignal::new(None::<Pending>);
    let fresh_codes = RwSignal::new(None::<Vec<String>>);
    let issuer = StoredValue::new(issuer);
    let enabled = Memo::new(move |_| session.data().is_some_and(|data| data.user.two_factor_enabled()));

    let enable = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let (secret, issuer) = (password.get_untracked(), issuer.get_value());
        task.run(
            async move {
                let call = client.two_factor().enable().password(secret);
                let call = match issuer {
                    Some(issuer) => call.issuer(issuer),
                    None => call,
                };
                call.send().await
            },
            move |response| {
                password.set(String::new());
                pending.set(Some(Pending::from_response(response)));
            },
        );
    };
    let verify = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let value = code.get_untracked().trim().to_owned();
        task.run(
            async move { client.two_factor().verify_totp(value).send().await },
            move |_| {
                code.set(String::new());
                pending.set(None);
            },
        );
    };
    let disable = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let secret = password.get_untracked();
        task.run(
            async move { client.two_factor().disable().password(secret).send().await },
            move |_| {
                password.set(String::new());
                fresh_codes.set(None);
            },
        );
    };
    let regenerate = move |_| {
        let client = auth.client();
        let secret = password.get_untracked();
        task.run(
            async move {
                client
                    .two_factor()
                    .generate_backup_codes()
                    .password(secret)
                    .send()
                    .await
            },
            move |response| {
                password.set(String::new());
                fresh_codes.set(Some(codes(response.backup_codes)));
            },
        );
    };

    let backup_list = |codes: Vec<String>| {
        view! {
            <div class="kw-backup-codes">
                <p>"Backup codes: each works once if you lose your authenticator. Keep them somewhere safe."</p>
                <ul>{codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}</ul>
            </div>
        }
    };

    let body = move || {
        if let Some(setup) = pending.get() {
            return view! {
                <form class="kw-two-factor-verify" on:submit=verify>
                    <p>"Scan this code with your authenticator app, or type the secret."</p>
                    {setup.qr_svg.clone().map(|svg| view! { <div class="kw-qr" role="img" aria-label="QR code" inner_html=svg></div> })}
                    <p class="kw-totp-secret">"Secret: "<code>{setup.secret.clone()}</code></p>
                    <a class="kw-totp-uri" href=setup.uri.clone()>"Open in an authenticator app"</a>
                    {backup_list(setup.backup_codes.clone())}
                    <label>
                        <span>"Code from the app"</span>
                        <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required bind:value=code />
                    </label>
                    {task.error_view()}
                    <button type="submit" disabled=move || task.busy()>"Turn on"</button>
                </form>
            }
            .into_any();
        }
        if enabled.get() {
            return view! {
                <form class="kw-two-factor-on" on:submit=disable>
                    <p class="kw-status">"Two-factor authentication is on."</p>
                    {move || fresh_codes.get().map(backup_list)}
                    <label>
                        <span>"Password"</span>
                        <input type="password" name="password" autocomplete="current-password" required bind:value=password />
                    </label>
                    {task.error_view()}
                    <button type="button" class="kw-new-backup-codes" on:click=regenerate disabled=move || task.busy()>"New backup codes"</button>
                    <button type="submit" disabled=move || task.busy()>"Turn off"</button>
                </form>
            }
            .into_any();
        }
        view! {
            <form class="kw-two-factor-off" on:submit=enable>
                <p class="kw-status">"Two-factor authentication is off."</p>
                <label>
                    <span>"Password"</span>
                    <input type="password" name="password" autocomplete="current-password" required bind:value=password />
                </label>
                {task.error_view()}
                <button type="submit" disabled=move || task.busy()>"Set up two-factor authentication"</button>
            </form>
        }
        .into_any()
    };
    view! { <section class=classes("kw-two-factor", &class) aria-busy=move || task.busy().to_string()>{body}</section> }
}
