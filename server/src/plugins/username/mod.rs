//! The username plugin (better-auth `username`): the `username` and `displayUsername`
//! user fields, `POST /sign-in/username` and `POST /is-username-available`.
//!
//! A username is stored normalised (lowercase by default) in a unique column, the
//! display username as the user wrote it. `/sign-up/email` and `/update-user` take both
//! as additional fields; a before hook on those two endpoints validates them as
//! better-auth's does (length, characters, taken, immutable, the display validator),
//! derives a missing username from a valid display username on sign-up and a missing
//! display username from the username, and normalises them. The user row hooks normalise
//! them on every other path too (and validate a new user's, as better-auth's
//! `databaseHooks` do), so rows written by either server read the same at the other.

mod config;
mod env;
mod hooks;
mod routes;

pub use config::{Normalization, Order, UsernameConfig, UsernameNormalizer, UsernameValidator, ValidationOrder};

use std::sync::Arc;

use axum::http::StatusCode;

use super::Builtin;
use crate::auth::Auth;
use crate::config::AdditionalField;
use crate::db::FieldType;
use crate::error::{ApiError, ApiResult};
use crate::hooks::EndpointMatcher;
use crate::password::js_length;
use crate::plugin::{Endpoints, Plugin, Setup};
use keyward_client::wire::routes::{Route, SignUpEmail, UpdateUser};
use keyward_client::wire::{ErrorCode, User};

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "username",
    enable: |config| config.username = Some(UsernameConfig::default()),
    is_enabled: |config| config.username.is_some(),
    read_env: env::read,
    plugin: |config| {
        let options = config.username.clone()?;
        Some(Arc::new(UsernamePlugin(options)) as Arc<dyn Plugin>)
    },
};

/// The username plugin: its fields, hooks and routes.
pub(crate) struct UsernamePlugin(UsernameConfig);

impl Plugin for UsernamePlugin {
    fn id(&self) -> &'static str {
        "username"
    }

    fn setup(&self, setup: &mut Setup) {
        let display = self.0.display_username;
        setup.user_field(AdditionalField::new("username", FieldType::String).unique());
        if display {
            setup.user_field(AdditionalField::new("displayUsername", FieldType::String));
        }
        setup
            .user_hooks(hooks::NormalizeUser(self.0.clone()))
            .endpoint_hook(EndpointMatcher::post(SignUpEmail::PATH), hooks::CheckBody)
            .endpoint_hook(EndpointMatcher::post(UpdateUser::PATH), hooks::CheckBody);
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        routes::routes(endpoints)
    }
}

/// The plugin's configuration (its routes and hooks exist only when it is enabled).
fn plugin(auth: &Auth) -> ApiResult<&UsernameConfig> {
    auth.0
        .config
        .username
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// better-auth's default validator: letters, digits, `_` and `.`, at least one.
fn default_valid(username: &str) -> bool {
    !username.is_empty()
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// What is wrong with `username` (better-auth's `validateUsernameValue`): too short, too
/// long (UTF-16 units) or refused by the validator, checked on the value as sent or once
/// normalised, as the validation order says.
fn invalid(config: &UsernameConfig, username: &str) -> Option<ErrorCode> {
    let normalized;
    let value = match config.validation_order.username {
        Order::PreNormalization => username,
        Order::PostNormalization => {
            normalized = config.normalize(username);
            &normalized
        }
    };
    let length = js_length(value);
    if length < config.min_length() {
        return Some(ErrorCode::UsernameTooShort);
    }
    if length > config.max_length() {
        return Some(ErrorCode::UsernameTooLong);
    }
    let valid = match &config.username_validator {
        Some(validator) => validator.is_valid(value),
        None => default_valid(value),
    };
    (!valid).then_some(ErrorCode::InvalidUsername)
}

/// Whether the display validator refuses `display_username` (validated as sent or once
/// normalised, as the validation order says).
fn display_invalid(config: &UsernameConfig, display_username: &str) -> bool {
    let Some(validator) = &config.display_username_validator else {
        return false;
    };
    let value = match config.validation_order.display_username {
        Order::PreNormalization => display_username.to_owned(),
        Order::PostNormalization => config.normalize_display(display_username),
    };
    !validator.is_valid(&value)
}

/// The user whose stored (normalised) username is `normalized`.
async fn find_by_username(auth: &Auth, normalized: &str) -> ApiResult<Option<User>> {
    let mut db = auth.0.db.clone();
    Ok(crate::db::users::find_by_column(&mut db, &auth.0.fields, "username", normalized).await?)
}

/// `400` with the username plugin's code.
fn bad_request(code: ErrorCode) -> ApiError {
    ApiError::bad_request(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_validated_as_better_auth_does() {
        let config = UsernameConfig::default();
        assert_eq!(invalid(&config, "al"), Some(ErrorCode::UsernameTooShort));
        assert_eq!(invalid(&config, &"a".repeat(31)), Some(ErrorCode::UsernameTooLong));
        assert_eq!(invalid(&config, "al ice"), Some(ErrorCode::InvalidUsername));
        assert_eq!(invalid(&config, "alïce"), Some(ErrorCode::InvalidUsername));
        assert_eq!(invalid(&config, "Alice_1.x"), None);
        assert_eq!(invalid(&config, &"a".repeat(30)), None);
        // Lengths count UTF-16 units: one emoji is two.
        let short = UsernameConfig::default()
            .lengths(4, 30)
            .username_validator(|_: &str| true);
        assert_eq!(invalid(&short, "a😀"), Some(ErrorCode::UsernameTooShort));
        assert_eq!(invalid(&short, "ab😀"), None);
        // 0 means the defaults.
        let zero = UsernameConfig::default().lengths(0, 0);
        assert_eq!(invalid(&zero, "ab"), Some(ErrorCode::UsernameTooShort));
        assert_eq!(invalid(&zero, &"a".repeat(31)), Some(ErrorCode::UsernameTooLong));
    }

    #[test]
    fn the_validation_order_decides_which_value_is_checked() {
        let upper_only = |name: &str| name.chars().all(|c| c.is_ascii_uppercase());
        let pre = UsernameConfig::default()
            .username_normalization(Normalization::custom(|name: &str| name.to_uppercase()))
            .username_validator(upper_only);
        assert_eq!(invalid(&pre, "abc"), Some(ErrorCode::InvalidUsername));
        let post = pre.clone().validation_order(ValidationOrder {
            username: Order::PostNormalization,
            display_username: Order::PreNormalization,
        });
        assert_eq!(invalid(&post, "abc"), None);
        let display = UsernameConfig::default()
            .display_username_validator(|name: &str| !name.contains(' '))
            .display_username_normalization(|name: &str| name.replace(' ', "-"));
        assert!(display_invalid(&display, "Ada L"));
        let display_post = display.validation_order(ValidationOrder {
            username: Order::PreNormalization,
            display_username: Order::PostNormalization,
        });
        assert!(!display_invalid(&display_post, "Ada L"));
    }

    #[test]
    fn normalisation_lowercases_by_default() {
        assert_eq!(UsernameConfig::default().normalize("Alice_1"), "alice_1");
        let none = UsernameConfig::default().username_normalization(Normalization::None);
        assert_eq!(none.normalize("Alice_1"), "Alice_1");
        assert_eq!(UsernameConfig::default().normalize_display("Alice_1"), "Alice_1");
    }
}
