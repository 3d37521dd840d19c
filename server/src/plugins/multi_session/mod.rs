//! The multi-session plugin (better-auth `multiSession`): one browser keeps several
//! signed-in users and switches between them.
//!
//! Every answer that sets a new session cookie also sets a cookie signed like it,
//! `<session cookie>_multi-<token, lowercased>`, holding the session's token (an `after`
//! hook on every endpoint). Signing in again as a user the browser already holds ends that
//! user's older sessions and drops their cookies; beyond `maximum_sessions` cookies the new
//! session gets none. `/multi-session/list-device-sessions` lists the live sessions the
//! cookies hold (the first per user, in the order the browser sent them),
//! `/multi-session/set-active` makes one the session cookie, `/multi-session/revoke` ends one
//! (the active one is replaced by the first other live one, or the browser is signed out),
//! and `/sign-out` (a second hook) ends every session the cookies hold and expires them.

mod config;
mod env;
mod hooks;
mod routes;

pub use config::MultiSessionConfig;

use std::sync::Arc;

use super::Builtin;
use crate::auth::Auth;
use crate::hooks::EndpointMatcher;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::multi_session_cookie_name;

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "multi-session",
    enable: |config| config.multi_session = Some(MultiSessionConfig::default()),
    is_enabled: |config| config.multi_session.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .multi_session
            .clone()
            .map(|options| Arc::new(MultiSessionPlugin(options)) as Arc<dyn Plugin>)
    },
};

/// The multi-session plugin: its two hooks and three routes.
pub(crate) struct MultiSessionPlugin(MultiSessionConfig);

impl Plugin for MultiSessionPlugin {
    fn id(&self) -> &'static str {
        "multi-session"
    }

    fn setup(&self, setup: &mut Setup) {
        setup
            .endpoint_hook(EndpointMatcher::any("*"), hooks::KeepDeviceSession(self.0.clone()))
            .endpoint_hook(EndpointMatcher::any("/sign-out"), hooks::EndDeviceSessions);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The multi-session cookie's name for `token` on this server.
fn cookie_name(auth: &Auth, token: &str) -> String {
    multi_session_cookie_name(&auth.0.cookies.session_token, token)
}
