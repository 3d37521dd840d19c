//! `<OrganizationSwitcher>`: pick the active organization, or create one.

use leptos::prelude::*;

use super::{Task, classes};
use crate::context::{use_active_organization, use_auth, use_organizations};

/// A `<select>` of the user's organizations (plus "Personal account", no organization)
/// that sets the active one, and a small form to create an organization, which becomes
/// the active one.
///
/// ```no_run
/// use keyward_leptos::components::OrganizationSwitcher;
/// use leptos::prelude::*;
/// # fn header() -> impl IntoView {
/// view! { <OrganizationSwitcher /> }
/// # }
/// ```
#[component]
pub fn OrganizationSwitcher(
    /// Show the "new organization" form.
    #[prop(default = true)]
    allow_create: bool,
    /// Extra classes on the root element.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let auth = use_auth();
    let organizations = use_organizations();
    let active = use_active_organization();
    let task = Task::new();
    let name = RwSignal::new(String::new());
    let active_id = move || active.get().data.map(|full| full.organization.id).unwrap_or_default();
    let switch = move |event: leptos::ev::Event| {
        let id = event_target_value(&event);
        let client = auth.client();
        task.run(
            async move {
                let target = (!id.is_empty()).then_some(id);
                client.organization().set_active(target.as_deref()).send().await
            },
            |_| (),
        );
    };
    let create = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = auth.client();
        let display = name.get_untracked().trim().to_owned();
        let slug = slugify(&display);
        if slug.is_empty() {
            task.fail("Give the organization a name with at least one letter or digit.");
            return;
        }
        task.run(
            async move {
                // A taken slug gets a short suffix: names need not be unique, slugs must.
                let slug = match client.organization().is_slug_available(slug.clone()).await? {
                    true => slug,
                    false => format!("{slug}-{:04x}", chrono::Utc::now().timestamp_subsec_micros() & 0xffff),
                };
                client.organization().create(display, slug).send().await
            },
            move |_| name.set(String::new()),
        );
    };
    view! {
        <div class=classes("kw-organization-switcher", &class) aria-busy=move || task.busy().to_string()>
            <label>
                <span>"Organization"</span>
                <select name="organization" on:change=switch prop:value=active_id disabled=move || task.busy()>
                    <option value="" selected=move || active_id().is_empty()>"Personal account"</option>
                    {move || {
                        let current = active_id();
                        organizations
                            .get()
                            .data
                            .unwrap_or_default()
                            .into_iter()
                            .map(|organization| {
                                let selected = organization.id == current;
                                view! { <option value=organization.id.clone() selected=selected>{organization.name.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            {allow_create.then(|| view! {
                <form class="kw-create-organization" on:submit=create>
                    <label>
                        <span>"New organization"</span>
                        <input type="text" name="organization-name" required bind:value=name />
                    </label>
                    <button type="submit" disabled=move || task.busy()>"Create"</button>
                </form>
            })}
            {task.error_view()}
        </div>
    }
}

/// A URL slug from a display name: lowercase ASCII letters and digits, dashes between
/// words ("Acme & Co. (EU)" → "acme-co-eu").
pub(crate) fn slugify(name: &str) -> String {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Acme & Co. (EU)"), "acme-co-eu");
        assert_eq!(slugify("  Ünïcode  Ltd "), "n-code-ltd");
        assert_eq!(slugify("!!!"), "");
    }
}
