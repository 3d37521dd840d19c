//! The one-time-token plugin (better-auth `oneTimeToken`): `GET /one-time-token/generate`
//! and `POST /one-time-token/verify`, and the `set-ott` header on new sessions.
//!
//! A token is a `verification` row named `one-time-token:<token>` (or the token's hash)
//! whose value is the session token and which expires with the token, written and taken
//! through [`Auth::verifications`] exactly as better-auth's internal adapter does, so a
//! token made by either server verifies at the other on a shared database or Redis.

mod config;
mod env;
mod new_session;
mod routes;

pub use config::{OneTimeTokenConfig, TokenGenerator, TokenHasher, TokenStorage};
pub(crate) use env::token_storage;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::Builtin;
use crate::auth::Auth;
use crate::crypto::{URL_SAFE, base64url, random_string, sha256};
use crate::error::{ApiError, ApiResult};
use crate::hooks::EndpointMatcher;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{OneTimeToken, SessionData};

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "one-time-token",
    enable: |config| config.one_time_token = Some(OneTimeTokenConfig::default()),
    is_enabled: |config| config.one_time_token.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .one_time_token
            .is_some()
            .then(|| Arc::new(OneTimeTokenPlugin) as Arc<dyn Plugin>)
    },
};

/// The one-time-token plugin: its two routes and, with `set_ott_header_on_new_session`,
/// a hook on every endpoint.
pub(crate) struct OneTimeTokenPlugin;

impl Plugin for OneTimeTokenPlugin {
    fn id(&self) -> &'static str {
        "one-time-token"
    }

    fn setup(&self, setup: &mut Setup) {
        let header = setup
            .config()
            .one_time_token
            .as_ref()
            .is_some_and(|config| config.set_ott_header_on_new_session);
        if header {
            setup.endpoint_hook(EndpointMatcher::any("*"), new_session::SetOttHeader);
        }
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&OneTimeTokenConfig> {
    auth.0
        .config
        .one_time_token
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// better-auth's errors here carry a message and no code.
fn bad_request(message: &str) -> ApiError {
    ApiError::message_only(StatusCode::BAD_REQUEST, message)
}

/// The `verification` identifier of `token`: `one-time-token:` and the token as stored.
fn identifier(config: &OneTimeTokenConfig, token: &str) -> String {
    let stored = match &config.store_token {
        TokenStorage::Plain => token.to_owned(),
        TokenStorage::Hashed => base64url(&sha256(token.as_bytes())),
        TokenStorage::CustomHasher(hasher) => hasher.hash(token),
    };
    format!("one-time-token:{stored}")
}

/// `now` plus `lifetime`, or the latest time there is.
fn expiry(now: DateTime<Utc>, lifetime: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lifetime)
        .ok()
        .and_then(|lifetime| now.checked_add_signed(lifetime))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Makes and stores a token for `session` (better-auth's `generateToken`).
async fn issue(auth: &Auth, config: &OneTimeTokenConfig, session: &SessionData) -> ApiResult<OneTimeToken> {
    let token = match &config.generate_token {
        Some(generator) => generator.generate(session),
        None => random_string(32, URL_SAFE),
    };
    let now = now_millis();
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(
            &mut db,
            &identifier(config, &token),
            session.session.token.expose(),
            expiry(now, config.expires_in),
            now,
        )
        .await?;
    Ok(OneTimeToken::new(token))
}

/// Takes `token` (once: a second try, an expired or an unknown token is
/// `400 Invalid token`) and finds its session, expired or not (`400 Session not found`
/// when it ended).
async fn redeem(auth: &Auth, config: &OneTimeTokenConfig, token: &OneTimeToken) -> ApiResult<SessionData> {
    let taken = auth
        .verifications()
        .consume_now(&auth.0.db, &identifier(config, token.expose()), now_millis())
        .await?
        .ok_or_else(|| bad_request("Invalid token"))?;
    let mut db = auth.0.db.clone();
    auth.sessions()
        .find_with_user(&mut db, &taken.value)
        .await?
        .ok_or_else(|| bad_request("Session not found"))
}

/// `400 Session expired` for a session past its expiry.
fn check_live(data: &SessionData) -> ApiResult<()> {
    if data.session.expires_at < now_millis() {
        return Err(bad_request("Session expired"));
    }
    Ok(())
}

/// [`crate::api::Api::generate_one_time_token`].
pub(crate) async fn generate_for(auth: &Auth, session: &SessionData) -> ApiResult<OneTimeToken> {
    issue(auth, plugin(auth)?, session).await
}

/// [`crate::api::Api::verify_one_time_token`].
pub(crate) async fn verify_for(auth: &Auth, token: &OneTimeToken) -> ApiResult<SessionData> {
    let data = redeem(auth, plugin(auth)?, token).await?;
    check_live(&data)?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_better_auths() {
        let token = "DwCsXXSwuYLzEX0zIo5oyNGhTzHGjWB_";
        let plain = OneTimeTokenConfig::default();
        assert_eq!(identifier(&plain, token), format!("one-time-token:{token}"));
        let hashed = OneTimeTokenConfig::default().store_token(TokenStorage::Hashed);
        // base64url(SHA-256("abc")) without padding, as better-auth's defaultKeyHasher.
        assert_eq!(
            identifier(&hashed, "abc"),
            "one-time-token:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
        let custom =
            OneTimeTokenConfig::default().store_token(TokenStorage::custom_hasher(|token: &str| token.to_uppercase()));
        assert_eq!(identifier(&custom, "abc"), "one-time-token:ABC");
    }

    #[test]
    fn a_lifetime_too_long_for_a_date_ends_at_the_last_one() {
        let now = now_millis();
        assert_eq!(
            expiry(now, std::time::Duration::from_secs(180)) - now,
            chrono::Duration::minutes(3)
        );
        assert_eq!(expiry(now, std::time::Duration::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
