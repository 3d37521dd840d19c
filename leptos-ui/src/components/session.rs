//! `<SessionsList>`: the user's signed-in devices, each revocable.

use keyward_client::wire::Session;
use leptos::prelude::*;

use super::{Task, classes};
use crate::context::{use_auth, use_session};

/// The user's sessions (newest first), this device marked, each with "Revoke", plus
/// "Sign out everywhere else". Revoking this device's session signs out.
///
/// ```no_run
/// use keyward_leptos::components::SessionsList;
/// use leptos::prelude::*;
/// # fn page() -> impl IntoView {
/// view! { <SessionsList /> }
/// # }
/// ```
#[component]
pub fn SessionsList(
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let session = use_session();
    let task = Task::new();
    let sessions = RwSignal::new(None::<Vec<Session>>);
    let reload = move || {
        let client = auth.client();
        task.run(async move { client.sessions().list().await }, move |mut list| {
            list.sort_by_key(|row| std::cmp::Reverse(row.created_at));
            let _ = sessions.try_set(Some(list));
        });
    };
    // Load when the signed-in user changes (and on mount).
    let user_id = Memo::new(move |_| session.user_id());
    Effect::new(move |_| {
        if user_id.get().is_some() {
            reload();
        }
    });
    let current_id = move || session.data().map(|data| data.session.id);
    let revoke = move |target: Session| {
        let client = auth.client();
        let token = target.token;
        task.run(async move { client.sessions().revoke(token).await }, move |()| reload());
    };
    let revoke_others = move |_| {
        let client = auth.client();
        task.run(async move { client.sessions().revoke_others().await }, move |()| {
            reload()
        });
    };
    view! {
        <section class=classes("kw-sessions", &class) aria-busy=move || task.busy().to_string()>
            {task.error_view()}
            <ul>
                <For
                    each=move || sessions.get().unwrap_or_default()
                    key=|row| (row.id.clone(), row.updated_at)
                    children=move |row: Session| {
                        let this_device = current_id() == Some(row.id.clone());
                        let label = describe(&row);
                        let target = row.clone();
                        view! {
                            <li class="kw-session" class:kw-current=this_device>
                                <span class="kw-session-device">{label}</span>
                                <span class="kw-session-created">{super::date_time(&row.created_at)}</span>
                                {this_device.then(|| view! { <span class="kw-session-this">"This device"</span> })}
                                <button type="button" on:click=move |_| revoke(target.clone()) disabled=move || task.busy()>
                                    {if this_device { "Sign out" } else { "Revoke" }}
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
            <button type="button" class="kw-revoke-others" on:click=revoke_others disabled=move || task.busy()>
                "Sign out everywhere else"
            </button>
        </section>
    }
}

/// "Firefox on Linux · 203.0.113.7", or what is known of it.
fn describe(session: &Session) -> String {
    let agent = session.user_agent.as_deref().filter(|agent| !agent.is_empty());
    let device = agent
        .map(summarize_agent)
        .unwrap_or_else(|| "Unknown device".to_owned());
    match session.ip_address.as_deref().filter(|ip| !ip.is_empty()) {
        Some(ip) => format!("{device} · {ip}"),
        None => device,
    }
}

/// A short name for a user agent string.
fn summarize_agent(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("node", "Node.js"),
        ("reqwest", "Rust app"),
    ]
    .iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => system.to_owned(),
        (None, None) => agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::summarize_agent;

    #[test]
    fn user_agents_are_summarized() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
        assert_eq!(summarize_agent(chrome), "Chrome on Linux");
        assert_eq!(
            summarize_agent("Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/130.0"),
            "Firefox on Windows"
        );
        assert_eq!(summarize_agent("curl/8.5.0"), "curl/8.5.0");
    }
}
