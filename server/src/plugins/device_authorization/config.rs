//! The device-authorization plugin's options (better-auth `deviceAuthorization(options)`).

use std::sync::Arc;
use std::time::Duration;

/// The device-authorization plugin (better-auth `deviceAuthorization`, RFC 8628): a device
/// asks for a code with `POST /device/code` and polls `POST /device/token`; a signed-in
/// user claims the code with `GET /device` and approves or denies it with
/// `POST /device/approve` or `POST /device/deny`, and the next poll answers a new
/// session's token.
#[derive(Clone, Debug)]
pub struct DeviceAuthorizationConfig {
    /// How long the codes can be used (`expiresIn`; 30 minutes). The rate limit of
    /// `GET /device` counts over the same window.
    pub expires_in: Duration,
    /// How long a device waits between polls (`interval`; 5 seconds); a poll sooner is
    /// `slow_down`.
    pub interval: Duration,
    /// Length of the device codes (`deviceCodeLength`; 40 random letters and digits).
    pub device_code_length: usize,
    /// Length of the user codes (`userCodeLength`; 8 characters of
    /// `ABCDEFGHJKLMNPQRSTUVWXYZ23456789`).
    pub user_code_length: usize,
    /// Makes the device codes instead (`generateDeviceCode`).
    pub generate_device_code: Option<Arc<dyn CodeGenerator>>,
    /// Makes the user codes instead (`generateUserCode`). A custom code is matched
    /// exactly; only codes of the default alphabet are also found as typed with dashes
    /// or in lower case.
    pub generate_user_code: Option<Arc<dyn CodeGenerator>>,
    /// Accepts or refuses a `client_id` (`validateClient`): a refused one is
    /// `invalid_client` at `/device/code` and `/device/token`. Without it every client is
    /// accepted.
    pub validate_client: Option<Arc<dyn ClientValidator>>,
    /// Called for every accepted device authorization request, with the client and the
    /// scopes (`onDeviceAuthRequest`).
    pub on_device_auth_request: Option<Arc<dyn DeviceAuthRequestHook>>,
    /// The verification page (`verificationUri`): an absolute URL, or a path resolved
    /// against the server's base URL (default `/device`, i.e. under the API's base path).
    pub verification_uri: Option<String>,
}

impl Default for DeviceAuthorizationConfig {
    fn default() -> Self {
        Self {
            expires_in: Duration::from_secs(30 * 60),
            interval: Duration::from_secs(5),
            device_code_length: 40,
            user_code_length: 8,
            generate_device_code: None,
            generate_user_code: None,
            validate_client: None,
            on_device_auth_request: None,
            verification_uri: None,
        }
    }
}

impl DeviceAuthorizationConfig {
    /// Sets how long the codes can be used.
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Sets the polling interval.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets the verification page (absolute, or a path under the base URL).
    pub fn verification_uri(mut self, uri: impl Into<String>) -> Self {
        self.verification_uri = Some(uri.into());
        self
    }

    /// Accepts only the clients `validator` accepts (any `Fn(&str) -> bool` is one).
    pub fn validate_client(mut self, validator: impl ClientValidator) -> Self {
        self.validate_client = Some(Arc::new(validator));
        self
    }

    /// Accepts only these `client_id`s.
    pub fn allowed_clients<I, S>(self, client_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let allowed: Vec<String> = client_ids.into_iter().map(Into::into).collect();
        self.validate_client(move |client_id: &str| allowed.iter().any(|allowed| allowed == client_id))
    }

    /// Calls `hook` for every accepted request (any `Fn(&str, Option<&str>)` is one).
    pub fn on_device_auth_request(mut self, hook: impl DeviceAuthRequestHook) -> Self {
        self.on_device_auth_request = Some(Arc::new(hook));
        self
    }

    /// Makes the device codes with `generator` (any `Fn() -> String` is one).
    pub fn generate_device_code(mut self, generator: impl CodeGenerator) -> Self {
        self.generate_device_code = Some(Arc::new(generator));
        self
    }

    /// Makes the user codes with `generator`.
    pub fn generate_user_code(mut self, generator: impl CodeGenerator) -> Self {
        self.generate_user_code = Some(Arc::new(generator));
        self
    }
}

/// Makes device or user codes (better-auth's `generateDeviceCode` / `generateUserCode`).
pub trait CodeGenerator: Send + Sync + 'static {
    /// A new code, at most 191 characters: unguessable for device codes, and never one
    /// in use (a clash is retried twice, then the request fails).
    fn generate(&self) -> String;
}

impl<F: Fn() -> String + Send + Sync + 'static> CodeGenerator for F {
    fn generate(&self) -> String {
        self()
    }
}

impl std::fmt::Debug for dyn CodeGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeGenerator(..)")
    }
}

/// Decides which clients may use the device flow (better-auth's `validateClient`).
pub trait ClientValidator: Send + Sync + 'static {
    /// Whether `client_id` is accepted.
    fn is_valid(&self, client_id: &str) -> bool;
}

impl<F: Fn(&str) -> bool + Send + Sync + 'static> ClientValidator for F {
    fn is_valid(&self, client_id: &str) -> bool {
        self(client_id)
    }
}

impl std::fmt::Debug for dyn ClientValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientValidator(..)")
    }
}

/// Sees every accepted device authorization request (better-auth's
/// `onDeviceAuthRequest`).
pub trait DeviceAuthRequestHook: Send + Sync + 'static {
    /// `client_id` asked for codes, with `scope`.
    fn on_request(&self, client_id: &str, scope: Option<&str>);
}

impl<F: Fn(&str, Option<&str>) + Send + Sync + 'static> DeviceAuthRequestHook for F {
    fn on_request(&self, client_id: &str, scope: Option<&str>) {
        self(client_id, scope)
    }
}

impl std::fmt::Debug for dyn DeviceAuthRequestHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceAuthRequestHook(..)")
    }
}
