//! The electron plugin (`@better-auth/electron` 1.7.5): a desktop app signs in through the
//! system browser and gets the session back, proving with PKCE that it started the flow.
//!
//! - `GET /electron/init-oauth-proxy?provider&state&code_challenge` starts the provider's
//!   sign-in (the code of `POST /sign-in/social`, run in-process: better-auth sends itself
//!   an HTTP request, which its hooks and rate limit see; Keyward's endpoint hooks on
//!   `/sign-in/social` do not) and keeps the app's state and challenge in the signed
//!   `transfer_token` cookie for the code's lifetime.
//! - When an endpoint that signs in (`/sign-in*`, `/sign-up*`, `/callback*`,
//!   `/verify-email*` and the plugins' verification paths) makes a session in a browser
//!   with that cookie, or with `?client_id=electron&state=…&code_challenge=…` on a
//!   `/sign-in*` or `/sign-up*` request, the server stores a single-use code, a
//!   `verification` row `electron:<32 letters and digits>` whose value is
//!   `{"userId","codeChallenge","state"}`, sets the readable cookie
//!   `<cookiePrefix>.<clientID>` to `base64url({identifier, state})`, and adds
//!   `electron_authorization_code` to a JSON answer (a redirecting `/callback/{id}` stays
//!   the redirect, as on better-auth: the cookie carries the code).
//! - `POST /electron/token {token, state, code_verifier}` takes the code (first, so a wrong
//!   verifier burns it), checks the state and `S256(code_verifier)` against the stored
//!   challenge, and answers a new session `{token, user}` with its cookie.
//! - `POST /electron/transfer-user?client_id&state&code_challenge` makes a code for the
//!   signed-in caller.
//!
//! Codes are stored through [`Auth::verifications`] as better-auth's internal adapter
//! stores them, so a code made by either server is traded at the other on a shared
//! database or Redis, and the cookies are better-auth's byte for byte.
//!
//! **Keyward's extension** (`redirect_uri`, see [`redirect`]): `init-oauth-proxy` (and a
//! `/sign-in*` or `/sign-up*` request with the client id) may name where the browser goes
//! once the session exists: a loopback `http://127.0.0.1:<port>/…` or `http://[::1]:<port>/…`
//! receives `?electron_authorization_code=<code>&state=<state>`, a deep link of a scheme
//! in [`ElectronConfig::deep_link_schemes`] `#token=<base64url {identifier, state}>`; a
//! social callback that fails sends the browser to `?error=<code>&state=<state>` there.
//! The answer that made the session becomes a `302` to it. Any other `redirect_uri` is
//! `400 INVALID_REDIRECT_URI` before the browser leaves for the provider, and so is one
//! without a state or a challenge (`MISSING_STATE`, `MISSING_PKCE`). Without
//! `redirect_uri` everything is as on better-auth.

mod config;
mod env;
mod hooks;
mod redirect;
mod routes;

pub use config::ElectronConfig;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Builtin;
use crate::auth::Auth;
use crate::crypto::{ALPHANUMERIC, random_string};
use crate::error::{ApiError, ApiResult};
use crate::hooks::EndpointMatcher;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{ElectronCode, ElectronTransfer, ErrorCode};

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "electron",
    enable: |config| config.electron = Some(ElectronConfig::default()),
    is_enabled: |config| config.electron.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .electron
            .is_some()
            .then(|| Arc::new(ElectronPlugin) as Arc<dyn Plugin>)
    },
};

/// The paths whose new sessions hand a code to the app (better-auth's `hookMatcher`),
/// as prefixes of the route.
const SIGN_IN_PATHS: [&str; 9] = [
    "/sign-in",
    "/sign-up",
    "/callback",
    "/magic-link/verify",
    "/email-otp/verify-email",
    "/verify-email",
    "/one-tap/callback",
    "/passkey/verify-authentication",
    "/phone-number/verify",
];

/// Whether `path` (a route, relative to the base path) is one of [`SIGN_IN_PATHS`].
fn is_sign_in_path(path: &str) -> bool {
    SIGN_IN_PATHS.iter().any(|prefix| path.starts_with(prefix))
}

/// The electron plugin: three routes, a hook on the paths that sign in and one on every
/// other path.
pub(crate) struct ElectronPlugin;

impl Plugin for ElectronPlugin {
    fn id(&self) -> &'static str {
        "electron"
    }

    fn setup(&self, setup: &mut Setup) {
        for prefix in SIGN_IN_PATHS {
            setup.endpoint_hook(EndpointMatcher::any(format!("{prefix}*")), hooks::HandToApp);
        }
        setup.endpoint_hook(EndpointMatcher::any("*"), hooks::KeepTransferCookie);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&ElectronConfig> {
    auth.0
        .config
        .electron
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// The signed cookie carrying a [`TransferPayload`] through a sign-in, named as the
/// server's own cookies (`better-auth.transfer_token`, `__Secure-` over https).
fn transfer_cookie(auth: &Auth) -> String {
    auth.0.cookies.other(&auth.0.config, "transfer_token")
}

/// The readable cookie holding the code, `<cookie_prefix>.<client_id>` (never
/// `__Secure-` prefixed, as better-auth names it).
fn code_cookie(config: &ElectronConfig) -> String {
    format!("{}.{}", config.cookie_prefix, config.client_id)
}

/// What the app started a sign-in with: the `transfer_token` cookie's JSON, in
/// better-auth's key order, or the query of a `/sign-in*` or `/sign-up*` request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct TransferPayload {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    state: String,
    /// Keyward's extension (better-auth ignores the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirect_uri: Option<String>,
}

impl TransferPayload {
    /// The cookie's value.
    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The value of a code's `verification` row (better-auth's key names and order).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeRecord {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    state: String,
}

/// The `verification` identifier of a code.
fn code_identifier(code: &str) -> String {
    format!("electron:{code}")
}

/// `now` plus `lifetime`, or the latest time there is.
fn expiry(now: DateTime<Utc>, lifetime: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lifetime)
        .ok()
        .and_then(|lifetime| now.checked_add_signed(lifetime))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A stored code and the code cookie's value for it.
struct Issued {
    code: ElectronCode,
    cookie: String,
}

/// better-auth's `handleTransfer`: `None` when the payload is another client's; `400
/// MISSING_STATE` or `MISSING_PKCE` when it lacks either; else stores a code for
/// `user_id`, valid for `code_expires_in`. The caller sets the code cookie.
async fn issue_code(
    auth: &Auth,
    config: &ElectronConfig,
    user_id: &str,
    payload: &TransferPayload,
) -> ApiResult<Option<Issued>> {
    if payload.client_id != config.client_id {
        return Ok(None);
    }
    if payload.state.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MissingState));
    }
    if payload.code_challenge.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MissingPkce));
    }
    let code = random_string(32, ALPHANUMERIC);
    let record = CodeRecord {
        user_id: user_id.to_owned(),
        code_challenge: payload.code_challenge.clone(),
        state: payload.state.clone(),
    };
    let value = serde_json::to_string(&record).map_err(|error| ApiError::internal("electron code", error))?;
    let now = now_millis();
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(
            &mut db,
            &code_identifier(&code),
            &value,
            expiry(now, config.code_expires_in),
            now,
        )
        .await?;
    let code = ElectronCode::new(code);
    let cookie = ElectronTransfer {
        identifier: code.clone(),
        state: payload.state.clone(),
    }
    .encode();
    Ok(Some(Issued { code, cookie }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_are_better_auths() {
        let payload = TransferPayload {
            client_id: "electron".into(),
            code_challenge: "ch".into(),
            state: "st".into(),
            redirect_uri: None,
        };
        assert_eq!(
            payload.to_json(),
            r#"{"client_id":"electron","code_challenge":"ch","state":"st"}"#
        );
        let record = CodeRecord {
            user_id: "u1".into(),
            code_challenge: "ch".into(),
            state: "st".into(),
        };
        assert_eq!(
            serde_json::to_string(&record).expect("serializes"),
            r#"{"userId":"u1","codeChallenge":"ch","state":"st"}"#
        );
        assert_eq!(code_identifier("abc"), "electron:abc");
        assert!(is_sign_in_path("/callback/{id}") && is_sign_in_path("/sign-in/email"));
        assert!(!is_sign_in_path("/electron/token") && !is_sign_in_path("/get-session"));
    }
}
