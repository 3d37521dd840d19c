//! The magic-link plugin (better-auth `magicLink`): `POST /sign-in/magic-link` and
//! `GET /magic-link/verify`.
//!
//! A link's token is a `verification` row named `magic-link:<token>` (or the token's
//! hash) whose value is `{"type":"magic-link","email":…,"name":…}` (better-auth's
//! `JSON.stringify`, `name` left out when absent), written and taken through
//! [`Auth::verifications`] as better-auth's internal adapter does, so a link sent by either
//! server signs in at the other on a shared database or Redis. A token is taken once, on
//! the first verification; better-auth 1.7.25 ignores `allowedAttempts` (it warns that
//! any value but 1 has no effect), and so does Keyward by not having it.

mod config;
mod env;
mod routes;

pub use config::{MagicLink, MagicLinkConfig, MagicLinkSender, MagicLinkTokenGenerator};

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::Builtin;
use crate::auth::Auth;
use crate::config::TokenStorage;
use crate::crypto::{base64url, sha256};
use crate::email::{Email, EmailKind};
use crate::error::{ApiError, ApiResult};
use crate::log_safe::Escaped;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::routes::{Route, magic_link as route};
use keyward_client::wire::schema::is_valid_email;

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "magic-link",
    enable: |config| config.magic_link = Some(MagicLinkConfig::default()),
    is_enabled: |config| config.magic_link.is_some(),
    read_env: env::read,
    plugin: |config| {
        config
            .magic_link
            .is_some()
            .then(|| Arc::new(MagicLinkPlugin) as Arc<dyn Plugin>)
    },
};

/// The magic-link plugin: its two routes and their rate limit.
pub(crate) struct MagicLinkPlugin;

impl Plugin for MagicLinkPlugin {
    fn id(&self) -> &'static str {
        "magic-link"
    }

    fn setup(&self, setup: &mut Setup) {
        let rule = setup
            .config()
            .magic_link
            .as_ref()
            .map_or_else(|| MagicLinkConfig::default().rate_limit, |config| config.rate_limit);
        // better-auth matches both paths by prefix.
        setup.rate_limit(&format!("{}*", route::SignIn::PATH), rule);
        setup.rate_limit(&format!("{}*", route::Verify::PATH), rule);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&MagicLinkConfig> {
    auth.0
        .config
        .magic_link
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// The `verification` identifier of `token`: `magic-link:` and the token as stored.
fn identifier(config: &MagicLinkConfig, token: &str) -> String {
    let stored = match &config.store_token {
        TokenStorage::Plain => token.to_owned(),
        TokenStorage::Hashed => base64url(&sha256(token.as_bytes())),
        TokenStorage::CustomHasher(hasher) => hasher.hash(token),
    };
    format!("magic-link:{stored}")
}

/// What a magic link's `verification` row holds.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Record {
    /// The address, as the sign-in request gave it.
    email: String,
    /// The name for a user the link creates.
    name: Option<String>,
}

impl Record {
    /// The row's value, as better-auth's `JSON.stringify({type, email, name})` writes it.
    fn to_value(&self) -> String {
        let mut map = Map::new();
        map.insert("type".into(), Value::String("magic-link".into()));
        map.insert("email".into(), Value::String(self.email.clone()));
        if let Some(name) = &self.name {
            map.insert("name".into(), Value::String(name.clone()));
        }
        Value::Object(map).to_string()
    }

    /// A row's value, when it is one better-auth would accept: an object with exactly
    /// `type: "magic-link"`, a valid `email` and an optional string `name`.
    fn parse(value: &str) -> Option<Self> {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(value) else {
            return None;
        };
        if map.keys().any(|key| !matches!(key.as_str(), "type" | "email" | "name")) {
            return None;
        }
        if map.get("type").and_then(Value::as_str) != Some("magic-link") {
            return None;
        }
        let email = map.get("email").and_then(Value::as_str).filter(|e| is_valid_email(e))?;
        let name = match map.get("name") {
            None => None,
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => return None,
        };
        Some(Self {
            email: email.to_owned(),
            name,
        })
    }
}

/// Delivers `link` through the configured sender, or as an email.
async fn deliver(auth: &Auth, config: &MagicLinkConfig, link: MagicLink) {
    if let Some(sender) = &config.sender {
        if let Err(error) = sender.send_magic_link(&link).await {
            tracing::error!(error = %Escaped(&error), "magic link delivery failed");
        }
        return;
    }
    let app = &auth.0.config.app_name;
    auth.send_email(Email {
        kind: EmailKind::MagicLink,
        to: link.email.clone(),
        user_id: String::new(),
        subject: format!("Sign in to {app}"),
        text: format!(
            "Open this link to sign in to {app}: {}\nIt works once, for a few minutes. If you did not ask for it, ignore this email.",
            link.url
        ),
        url: Some(link.url),
        token: link.token.expose().to_owned(),
        new_email: None,
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_better_auths() {
        let plain = MagicLinkConfig::default();
        assert_eq!(identifier(&plain, "aBc"), "magic-link:aBc");
        let hashed = MagicLinkConfig::default().store_token(TokenStorage::Hashed);
        assert_eq!(
            identifier(&hashed, "abc"),
            "magic-link:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }

    #[test]
    fn records_are_written_and_read_as_better_auth_does() {
        let record = Record {
            email: "Ada@Example.com".into(),
            name: None,
        };
        assert_eq!(record.to_value(), r#"{"type":"magic-link","email":"Ada@Example.com"}"#);
        assert_eq!(Record::parse(&record.to_value()), Some(record));
        let named = r#"{"type":"magic-link","email":"ada@example.com","name":"Ada"}"#;
        assert_eq!(Record::parse(named).and_then(|r| r.name), Some("Ada".into()));
        for refused in [
            r#"{"type":"magic-link","email":"ada@example.com","extra":1}"#,
            r#"{"type":"email-otp","email":"ada@example.com"}"#,
            r#"{"type":"magic-link","email":"not an address"}"#,
            r#"{"type":"magic-link","email":"ada@example.com","name":7}"#,
            r#"["magic-link"]"#,
            "not json",
        ] {
            assert_eq!(Record::parse(refused), None, "{refused}");
        }
    }
}
