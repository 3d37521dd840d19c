//! The jwt plugin (better-auth `jwt`): tokens for the application's other services.
//!
//! `GET /token` answers a JSON Web Token for the caller's session, and every
//! `/get-session` that answers a session sends the same token in its `set-auth-jwt`
//! header. The claims are the user (or [`JwtConfig::define_payload`]'s), `sub` the user's
//! id, `iss` and `aud` the base URL's origin unless configured, and fifteen minutes of
//! life. `GET /jwks` publishes the public keys.
//!
//! The keys live in better-auth's `jwks` table: the public JWK as JSON, the private JWK as
//! JSON encrypted with the server secret (XChaCha20-Poly1305, better-auth's
//! `symmetricEncrypt`), the algorithm, curve and expiry; a key's row id is the tokens'
//! `kid`. A key made by either server signs at the other on a shared database. With
//! [`JwtConfig::rotation_interval`] a key expires, the next signature makes a new one, and
//! the old one stays in `/jwks` for [`JwtConfig::grace_period`], so the tokens it signed
//! keep verifying; `auth.api().rotate_jwt_key()` does the same on demand.

mod config;
mod env;
mod keys;
mod routes;
mod sign;
mod store;

pub use config::{JwtConfig, JwtKeyAlgorithm, JwtPayload};
pub(crate) use sign::{rotate_key, sign_claims, verify_token};

use std::sync::Arc;

use axum::http::StatusCode;

use super::Builtin;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::hooks::EndpointMatcher;
use crate::plugin::{Endpoints, Plugin, Setup};

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "jwt",
    enable: |config| config.jwt = Some(JwtConfig::default()),
    is_enabled: |config| config.jwt.is_some(),
    read_env: env::read,
    plugin: |config| config.jwt.is_some().then(|| Arc::new(JwtPlugin) as Arc<dyn Plugin>),
};

/// The jwt plugin: its table, its two routes and the `/get-session` hook.
pub(crate) struct JwtPlugin;

impl Plugin for JwtPlugin {
    fn id(&self) -> &'static str {
        "jwt"
    }

    fn setup(&self, setup: &mut Setup) {
        setup.table(store::jwks_table());
        setup.endpoint_hook(EndpointMatcher::any("/get-session"), routes::SetAuthJwt);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
pub(crate) fn plugin(auth: &Auth) -> ApiResult<&JwtConfig> {
    auth.0
        .config
        .jwt
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}
