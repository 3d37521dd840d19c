//! The anonymous plugin (better-auth `anonymous`): `POST /sign-in/anonymous`,
//! `POST /delete-anonymous-user`, the user's `isAnonymous` column, and the link of an
//! anonymous user who then signs in or up by another method.
//!
//! The link is an `after` hook on every route that may start a session (better-auth's
//! matcher: `/sign-in*`, `/sign-up*`, `/callback*`, `/magic-link/verify*`,
//! `/email-otp/verify-email*`, `/one-tap/callback*`, `/passkey/verify-authentication*`,
//! `/phone-number/verify*`, `/verify-email*`): when the answer sets a new session cookie
//! and the request carried an anonymous session (cookie or bearer token; on a social
//! callback without either, the anonymous user `/sign-in/social` kept in the OAuth
//! state's `serverContext`, and their first live session), the
//! `on_link_account` hook runs with both, then the anonymous user is deleted with their
//! sessions and accounts, unless deletion is disabled, the new session is the same user's
//! or the new user is anonymous too. A sign-in that stops at a second factor starts no
//! session and links nothing.

mod config;
mod env;
mod hooks;
mod routes;

pub use config::{AnonymousConfig, AnonymousEmailGenerator, AnonymousLink, AnonymousNameGenerator, OnLinkAccount};

use std::sync::Arc;

use axum::http::StatusCode;

use super::Builtin;
use crate::auth::Auth;
use crate::config::AdditionalField;
use crate::db::FieldType;
use crate::error::{ApiError, ApiResult};
use crate::hooks::EndpointMatcher;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::IS_ANONYMOUS_FIELD as COLUMN;

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "anonymous",
    enable: |config| config.anonymous = Some(AnonymousConfig::default()),
    is_enabled: |config| config.anonymous.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .anonymous
            .clone()
            .map(|options| Arc::new(AnonymousPlugin(options)) as Arc<dyn Plugin>)
    },
};

/// The anonymous plugin: its column, its link hook and its two routes.
pub(crate) struct AnonymousPlugin(AnonymousConfig);

impl Plugin for AnonymousPlugin {
    fn id(&self) -> &'static str {
        "anonymous"
    }

    fn setup(&self, setup: &mut Setup) {
        setup.user_field(
            AdditionalField::new(COLUMN, FieldType::Boolean)
                .server_only()
                .default_value(false),
        );
        for prefix in hooks::LINK_PATHS {
            setup.endpoint_hook(
                EndpointMatcher::any(format!("{prefix}*")),
                hooks::LinkAnonymous(self.0.clone()),
            );
        }
        setup.endpoint_hook(EndpointMatcher::post("/sign-in/social"), hooks::RememberAnonymous);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&AnonymousConfig> {
    auth.0
        .config
        .anonymous
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}
