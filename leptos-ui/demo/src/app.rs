//! The demo's page.

use keyward_client::AuthClient;
use keyward_leptos::components::{
    AccountSwitcher, AuthGate, DeviceApproval, EmailOtpForm, GuestButton, MagicLinkForm, OrganizationSwitcher,
    PasskeyButton, PasskeysList, PhoneSignIn, SessionsList, SignInForm, SignUpForm, SignedIn, SocialSignIn,
    TwoFactorSetup, UserButton,
};
use keyward_leptos::{provide_auth, use_active_member, use_active_organization, use_client, use_messages, use_session};
use leptos::prelude::*;

/// The whole app: the header, then the signed-out or the signed-in page (at `/device`,
/// the device-authorization plugin's verification page).
#[component]
pub fn App() -> impl IntoView {
    let location = web_sys::window().map(|window| window.location());
    let origin = location
        .as_ref()
        .and_then(|location| location.origin().ok())
        .unwrap_or_else(|| "http://localhost:3000".to_owned());
    let device_page = location
        .as_ref()
        .and_then(|location| location.pathname().ok())
        .is_some_and(|path| path.trim_end_matches('/') == "/device");
    let client = AuthClient::at(origin).build().map_err(|error| error.to_string());
    match client {
        Ok(client) => {
            provide_auth(client);
            record_first_session_render();
            view! {
                <header class="bar">
                    <h1>"Keyward"</h1>
                    <SignedIn>
                        <OrganizationSwitcher allow_create=false />
                        <UserButton />
                    </SignedIn>
                </header>
                <main>
                    {if device_page {
                        view! {
                            <AuthGate
                                fallback=|| view! { <SignedOutPage heading="Sign in to connect your device" /> }
                                pending=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }
                            >
                                <DevicePage />
                            </AuthGate>
                        }
                        .into_any()
                    } else {
                        view! {
                            <AuthGate
                                fallback=|| view! { <SignedOutPage heading="Sign in" /> }
                                pending=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }
                            >
                                <ProfilePage />
                            </AuthGate>
                        }
                        .into_any()
                    }}
                </main>
            }
            .into_any()
        }
        Err(error) => view! { <p class="kw-error" role="alert">{format!("cannot start: {error}")}</p> }.into_any(),
    }
}

/// Puts the time from navigation start to the first known session state on
/// `<body data-first-session-ms>`, for the end-to-end test's measurement.
fn record_first_session_render() {
    let session = use_session();
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || session.is_pending() {
            return done.unwrap_or(false);
        }
        let window = web_sys::window();
        let elapsed = window.as_ref().and_then(|window| window.performance()).map(|p| p.now());
        if let (Some(body), Some(elapsed)) = (window.and_then(|w| w.document()).and_then(|d| d.body()), elapsed) {
            // JavaScript's `toFixed`: Rust's float formatting is 10 KB of WebAssembly.
            if let Ok(text) = js_sys::Number::from(elapsed).to_fixed(1) {
                let _ = body.set_attribute("data-first-session-ms", &String::from(text));
            }
        }
        true
    });
}

/// Every way in the server offers: the password form (with usernames when the plugin
/// is on), a passkey, a magic link, the social providers; and sign-up.
#[component]
fn SignedOutPage(heading: &'static str) -> impl IntoView {
    let plugins = LocalResource::new(crate::config::plugins);
    move || {
        plugins.get().map(|plugins| {
            let username = plugins.has("username");
            view! {
                <div class="columns">
                    <section class="card" id="sign-in">
                        <h2>{heading}</h2>
                        <SignInForm username=username />
                        <div class="or">"or"</div>
                        <PasskeyButton />
                        {plugins.has("magic-link").then(|| view! {
                            <div class="or">"or"</div>
                            <MagicLinkForm />
                        })}
                        {plugins.has("email-otp").then(|| view! {
                            <div class="or">"or"</div>
                            <EmailOtpForm />
                        })}
                        {plugins.has("phone-number").then(|| view! {
                            <div class="or">"or"</div>
                            <PhoneSignIn />
                        })}
                        <SocialButtons />
                        {plugins.has("anonymous").then(|| view! {
                            <div class="or">"or"</div>
                            <GuestButton />
                        })}
                    </section>
                    <section class="card" id="sign-up">
                        <h2>"Create an account"</h2>
                        <SignUpForm username=username />
                    </section>
                </div>
            }
        })
    }
}

/// "Continue with …" for each configured provider; back here signed in, or with the
/// provider's error shown.
#[component]
fn SocialButtons() -> impl IntoView {
    let providers = LocalResource::new(crate::config::providers);
    move || {
        providers.get().filter(|list| !list.is_empty()).map(|list| {
            view! {
                <div class="or">"or"</div>
                <SocialSignIn providers=list />
            }
        })
    }
}

/// `/device?user_code=…`: a device (a CLI, a TV app) asked to sign in as the user, who
/// approves or denies it here.
#[component]
fn DevicePage() -> impl IntoView {
    let user_code = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("user_code"));
    view! {
        <section class="card" id="device">
            <h2>"Connect a device"</h2>
            <DeviceApproval user_code=user_code />
            <p><a href="/">"Back to your profile"</a></p>
        </section>
    }
}

#[component]
fn ProfilePage() -> impl IntoView {
    let session = use_session();
    let name = move || session.data().map(|data| data.user.name).unwrap_or_default();
    let guest = move || session.data().is_some_and(|data| data.user.is_anonymous());
    let plugins = LocalResource::new(crate::config::plugins);
    let has = move |id: &str| plugins.get().is_some_and(|plugins| plugins.has(id));
    view! {
        <h2 id="greeting">"Hello, " <span id="user-name">{name}</span></h2>
        {move || guest().then(|| view! {
            <section class="card wide" id="upgrade">
                <h3>"You are signed in as a guest"</h3>
                <p>"Create an account to keep what you did; the guest account is then removed."</p>
                <SignUpForm username=has("username") />
            </section>
        })}
        {move || has("multi-session").then(|| view! {
            <section class="card wide" id="accounts">
                <h3>"Accounts on this device"</h3>
                <AccountSwitcher />
            </section>
        })}
        <div class="columns">
            <section class="card" id="profile">
                <h3>"Profile"</h3>
                <ProfileForm />
            </section>
            <section class="card" id="organizations">
                <h3>"Organizations"</h3>
                <OrganizationSwitcher />
                <ActiveOrganization />
            </section>
            <section class="card" id="two-factor">
                <h3>"Two-factor authentication"</h3>
                <TwoFactorSetup issuer="Keyward demo" />
            </section>
            <section class="card" id="passkeys">
                <h3>"Passkeys"</h3>
                <PasskeysList />
            </section>
            <section class="card wide" id="sessions">
                <h3>"Signed-in devices"</h3>
                <SessionsList />
            </section>
        </div>
    }
}

/// Changes the display name; the greeting follows through the session store.
#[component]
fn ProfileForm() -> impl IntoView {
    let client = StoredValue::new_local(use_client());
    let messages = use_messages();
    let session = use_session();
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(data) = session.data() {
            name.set(data.user.name);
        }
    });
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (client, messages, value) = (client.get_value(), messages.clone(), name.get_untracked());
        saved.set(false);
        leptos::task::spawn_local(async move {
            match client.user().update().name(value).send().await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                }
                Err(failure) => error.set(Some(messages.text(&failure))),
            }
        });
    };
    view! {
        <form class="profile-form" on:submit=save>
            <label>
                <span>"Name"</span>
                <input type="text" name="display-name" required bind:value=name />
            </label>
            {move || error.get().map(|text| view! { <p class="kw-error" role="alert">{text}</p> })}
            {move || saved.get().then(|| view! { <p class="saved" role="status">"Saved."</p> })}
            <button type="submit">"Save"</button>
        </form>
    }
}

/// The active organization's name, members and the user's role in it.
#[component]
fn ActiveOrganization() -> impl IntoView {
    let active = use_active_organization();
    let member = use_active_member();
    move || {
        active.get().data.map(|full| {
            let role = member.get().data.map(|member| member.role).unwrap_or_default();
            view! {
                <div class="active-organization" id="active-organization">
                    <p><strong>{full.organization.name.clone()}</strong> " (" {role} ")"</p>
                    <ul>
                        {full.members.into_iter().map(|member| {
                            let who = member.user.map(|user| user.name).unwrap_or(member.user_id);
                            view! { <li>{who} " · " {member.role}</li> }
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
