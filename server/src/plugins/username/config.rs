//! The username plugin's options (better-auth `username(options)`).

use std::sync::Arc;

/// The username plugin (better-auth `username`): users get a unique `username` (stored
/// normalised) and a `displayUsername`, set on sign-up and update-user, and sign in with
/// `POST /sign-in/username`; `POST /is-username-available` checks a name.
#[derive(Clone, Debug)]
pub struct UsernameConfig {
    /// The shortest username accepted (`minUsernameLength`, default 3; better-auth reads
    /// 0 as the default). Counted in UTF-16 units, as JavaScript counts.
    pub min_username_length: usize,
    /// The longest username accepted (`maxUsernameLength`, default 30; 0 reads as the
    /// default).
    pub max_username_length: usize,
    /// Decides which usernames are valid (`usernameValidator`); by default letters,
    /// digits, `_` and `.` only.
    pub username_validator: Option<Arc<dyn UsernameValidator>>,
    /// Decides which display usernames are valid (`displayUsernameValidator`); by
    /// default any.
    pub display_username_validator: Option<Arc<dyn UsernameValidator>>,
    /// How a username is stored and looked up (`usernameNormalization`).
    pub username_normalization: Normalization,
    /// How a display username is stored (`displayUsernameNormalization`; by default as
    /// given).
    pub display_username_normalization: Option<Arc<dyn UsernameNormalizer>>,
    /// Whether the username (`username`) and the display username (`display_username`)
    /// are validated as given or once normalised (`validationOrder`).
    pub validation_order: ValidationOrder,
    /// A username, once set, cannot be changed through update-user
    /// (`immutableUsername`; `400 USERNAME_IS_IMMUTABLE`).
    pub immutable_username: bool,
    /// Whether users have a `displayUsername` column at all (`displayUsername: false`
    /// leaves it out of the schema).
    pub display_username: bool,
}

impl Default for UsernameConfig {
    fn default() -> Self {
        Self {
            min_username_length: 3,
            max_username_length: 30,
            username_validator: None,
            display_username_validator: None,
            username_normalization: Normalization::Lowercase,
            display_username_normalization: None,
            validation_order: ValidationOrder::default(),
            immutable_username: false,
            display_username: true,
        }
    }
}

impl UsernameConfig {
    /// Sets the shortest and longest usernames accepted.
    pub fn lengths(mut self, min: usize, max: usize) -> Self {
        self.min_username_length = min;
        self.max_username_length = max;
        self
    }

    /// Validates usernames with `validator` (any `Fn(&str) -> bool` is one).
    pub fn username_validator(mut self, validator: impl UsernameValidator) -> Self {
        self.username_validator = Some(Arc::new(validator));
        self
    }

    /// Validates display usernames with `validator`.
    pub fn display_username_validator(mut self, validator: impl UsernameValidator) -> Self {
        self.display_username_validator = Some(Arc::new(validator));
        self
    }

    /// Sets how usernames are normalised.
    pub fn username_normalization(mut self, normalization: Normalization) -> Self {
        self.username_normalization = normalization;
        self
    }

    /// Normalises display usernames with `normalizer` (any `Fn(&str) -> String` is one).
    pub fn display_username_normalization(mut self, normalizer: impl UsernameNormalizer) -> Self {
        self.display_username_normalization = Some(Arc::new(normalizer));
        self
    }

    /// Sets when usernames and display usernames are validated.
    pub fn validation_order(mut self, order: ValidationOrder) -> Self {
        self.validation_order = order;
        self
    }

    /// Makes a username unchangeable once set.
    pub fn immutable_username(mut self, immutable: bool) -> Self {
        self.immutable_username = immutable;
        self
    }

    /// Whether users have a `displayUsername`.
    pub fn display_username(mut self, enabled: bool) -> Self {
        self.display_username = enabled;
        self
    }

    /// The shortest length in force (0 is the default, 3).
    pub(super) fn min_length(&self) -> usize {
        if self.min_username_length == 0 {
            3
        } else {
            self.min_username_length
        }
    }

    /// The longest length in force (0 is the default, 30).
    pub(super) fn max_length(&self) -> usize {
        if self.max_username_length == 0 {
            30
        } else {
            self.max_username_length
        }
    }

    /// `username` as stored and looked up.
    pub(super) fn normalize(&self, username: &str) -> String {
        match &self.username_normalization {
            Normalization::Lowercase => username.to_lowercase(),
            Normalization::None => username.to_owned(),
            Normalization::Custom(normalizer) => normalizer.normalize(username),
        }
    }

    /// `display_username` as stored.
    pub(super) fn normalize_display(&self, display_username: &str) -> String {
        match &self.display_username_normalization {
            Some(normalizer) => normalizer.normalize(display_username),
            None => display_username.to_owned(),
        }
    }
}

/// How usernames are normalised before they are stored or looked up.
#[derive(Clone, Default)]
pub enum Normalization {
    /// Lowercased (better-auth's default), so `Alice` and `alice` are one username.
    #[default]
    Lowercase,
    /// As given (`usernameNormalization: false`): usernames differ by case.
    None,
    /// By the normalizer (any `Fn(&str) -> String` is one).
    Custom(Arc<dyn UsernameNormalizer>),
}

impl Normalization {
    /// A custom normalizer.
    pub fn custom(normalizer: impl UsernameNormalizer) -> Self {
        Self::Custom(Arc::new(normalizer))
    }
}

impl std::fmt::Debug for Normalization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Lowercase => "Lowercase",
            Self::None => "None",
            Self::Custom(_) => "Custom(..)",
        })
    }
}

/// When a value is validated: as the client sent it, or once normalised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// As sent (better-auth's default, `"pre-normalization"`).
    #[default]
    PreNormalization,
    /// Once normalised (`"post-normalization"`).
    PostNormalization,
}

/// better-auth's `validationOrder`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValidationOrder {
    /// For usernames.
    pub username: Order,
    /// For display usernames.
    pub display_username: Order,
}

/// Decides whether a (display) username is acceptable.
pub trait UsernameValidator: Send + Sync + 'static {
    /// Whether `username` is valid.
    fn is_valid(&self, username: &str) -> bool;
}

impl<F: Fn(&str) -> bool + Send + Sync + 'static> UsernameValidator for F {
    fn is_valid(&self, username: &str) -> bool {
        self(username)
    }
}

impl std::fmt::Debug for dyn UsernameValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UsernameValidator(..)")
    }
}

/// Turns a (display) username into its stored form.
pub trait UsernameNormalizer: Send + Sync + 'static {
    /// The stored form of `username`.
    fn normalize(&self, username: &str) -> String;
}

impl<F: Fn(&str) -> String + Send + Sync + 'static> UsernameNormalizer for F {
    fn normalize(&self, username: &str) -> String {
        self(username)
    }
}

impl std::fmt::Debug for dyn UsernameNormalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UsernameNormalizer(..)")
    }
}
