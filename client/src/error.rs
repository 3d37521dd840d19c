//! The client's one error type.

use serde::Deserialize;

use crate::wire::{ErrorBody, ErrorCode, OAuthErrorBody, OAuthErrorCode};

/// Everything a client call can fail with.
///
/// ```
/// use keyward_client::{Error, wire::ErrorCode};
/// fn explain(error: &Error) -> &'static str {
///     match error {
///         Error::Api { code: ErrorCode::InvalidEmailOrPassword, .. } => "wrong email or password",
///         Error::TwoFactorRequired { .. } => "enter your code",
///         Error::RateLimited { .. } => "slow down",
///         Error::Network { .. } => "offline?",
///         _ => "something went wrong",
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the request with a better-auth error body. When the body has no
    /// code, `code` is `Other` with the status name (`"BAD_REQUEST"`), as better-auth's
    /// own client reports `statusText`.
    #[error("{status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The error code.
        code: ErrorCode,
        /// The server's message.
        message: String,
    },
    /// The server refused the request with an OAuth error body
    /// (`{"error": "access_denied", "error_description": "…"}`, RFC 6749 §5.2), as the
    /// device-authorization endpoints answer.
    #[error("{status} {error}: {description}")]
    OAuth {
        /// HTTP status.
        status: u16,
        /// The OAuth error code; compare this.
        error: OAuthErrorCode,
        /// The server's description.
        description: String,
    },
    /// Too many requests (`429` from the rate limiter); try again after `retry_after`
    /// seconds. A `429` that carries an error code (such as the two-factor plugin's
    /// `ACCOUNT_TEMPORARILY_LOCKED`) is an [`Error::Api`] instead.
    #[error("rate limited; retry after {retry_after:?} s")]
    RateLimited {
        /// Seconds until the window resets, from `X-Retry-After`.
        retry_after: Option<u64>,
    },
    /// The request did not get an answer (connection refused, DNS, timeout, CORS).
    #[error("network error: {message}")]
    Network {
        /// What the transport reported.
        message: String,
    },
    /// The answer was not what the protocol promises.
    #[error("unexpected response: {message}")]
    Decode {
        /// What did not parse.
        message: String,
        /// The response body, for diagnostics.
        body: String,
    },
    /// The token store failed (no keychain available, storage full, …).
    #[error("token storage: {message}")]
    Storage {
        /// What the store reported.
        message: String,
    },
    /// Sign-in succeeded for the password, but the account needs a second factor. The
    /// server has set its two-factor challenge cookie; no session exists yet.
    #[error("a second factor is required ({methods:?})")]
    TwoFactorRequired {
        /// The factors the user can use: `"totp"`, `"otp"`.
        methods: Vec<String>,
    },
    /// A passkey ceremony gave no answer: the user cancelled, the authenticator already
    /// holds a passkey of this account, or there is no authenticator.
    #[error("passkey: {0}")]
    Passkey(crate::authenticator::CeremonyError),
    /// A sign-in through the system browser did not come back with a session: the user
    /// cancelled or never finished, the provider refused, or the browser could not be
    /// opened.
    #[error("system-browser sign-in: {0}")]
    BrowserSignIn(BrowserSignInError),
    /// A magic link did not sign in: the server redirected with `?error=CODE` (a used,
    /// expired or unknown link is [`crate::wire::MagicLinkError::InvalidToken`]).
    #[error("magic link: {error}")]
    MagicLink {
        /// The code of the redirect.
        error: crate::wire::MagicLinkError,
        /// Its `error_description`, when the server gave one.
        description: Option<String>,
    },
    /// A request could not be built (an invalid URL or header value).
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What was wrong.
        message: String,
    },
}

/// Why a sign-in through the system browser ended without a session.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserSignInError {
    /// Nothing came back within the time allowed (the user closed the browser, or left
    /// the provider's page open).
    #[error("timed out waiting for the browser")]
    TimedOut,
    /// The app cancelled the sign-in (its cancel signal fired).
    #[error("cancelled")]
    Cancelled,
    /// The provider or the server refused the sign-in: the error code it sent back
    /// (`access_denied`, `state_mismatch` …).
    #[error("refused: {error}")]
    Refused {
        /// The error code.
        error: String,
    },
    /// What came back does not belong to this sign-in (another state, or no code).
    #[error("unexpected callback: {message}")]
    InvalidCallback {
        /// What was wrong.
        message: String,
    },
    /// The browser could not be opened.
    #[error("could not open the browser: {message}")]
    OpenBrowser {
        /// The opener's error.
        message: String,
    },
    /// The loopback listener could not be started.
    #[error("loopback listener: {message}")]
    Loopback {
        /// The I/O error.
        message: String,
    },
}

impl From<BrowserSignInError> for Error {
    fn from(error: BrowserSignInError) -> Self {
        Error::BrowserSignIn(error)
    }
}

/// Result of a client call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn status_name(status: u16) -> &'static str {
    match status {
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "CONFLICT",
        413 => "PAYLOAD_TOO_LARGE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        417 => "EXPECTATION_FAILED",
        422 => "UNPROCESSABLE_ENTITY",
        429 => "TOO_MANY_REQUESTS",
        500 => "INTERNAL_SERVER_ERROR",
        502 => "BAD_GATEWAY",
        503 => "SERVICE_UNAVAILABLE",
        _ => "UNKNOWN",
    }
}

impl Error {
    /// Builds the error for a non-success response.
    pub fn from_response(status: u16, body: &[u8], retry_after: Option<u64>) -> Self {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        if let Some(oauth) = json
            .as_ref()
            .filter(|json| json.get("message").is_none())
            .and_then(|json| OAuthErrorBody::deserialize(json).ok())
        {
            return Error::OAuth {
                status,
                error: oauth.error,
                description: oauth.error_description,
            };
        }
        let parsed: Option<ErrorBody> = json.and_then(|json| ErrorBody::deserialize(&json).ok());
        if status == 429 && parsed.as_ref().is_none_or(|body| body.code.is_none()) {
            return Error::RateLimited { retry_after };
        }
        let (code, message) = match parsed {
            Some(ErrorBody {
                message,
                code: Some(code),
                ..
            }) => (code, message),
            Some(ErrorBody {
                message, code: None, ..
            }) => (ErrorCode::Other(status_name(status).to_owned()), message),
            None => (ErrorCode::Other(status_name(status).to_owned()), String::new()),
        };
        Error::Api { status, code, message }
    }

    /// The error code, for API errors.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The OAuth error code, for OAuth errors.
    pub fn oauth_error(&self) -> Option<&OAuthErrorCode> {
        match self {
            Error::OAuth { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::OAuth { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// Whether the server said the request lacks a valid session (`401`).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_from_responses() {
        let error = Error::from_response(
            401,
            br#"{"message":"Invalid email or password","code":"INVALID_EMAIL_OR_PASSWORD"}"#,
            None,
        );
        assert_eq!(error.code(), Some(&ErrorCode::InvalidEmailOrPassword));
        assert!(error.is_unauthorized());
        let no_code = Error::from_response(400, br#"{"message":"No fields to update"}"#, None);
        assert_eq!(no_code.code(), Some(&ErrorCode::Other("BAD_REQUEST".into())));
        let empty = Error::from_response(404, b"", None);
        assert_eq!(
            empty,
            Error::Api {
                status: 404,
                code: ErrorCode::Other("NOT_FOUND".into()),
                message: String::new()
            }
        );
        assert_eq!(
            Error::from_response(429, b"{}", Some(10)),
            Error::RateLimited { retry_after: Some(10) }
        );
        let locked = Error::from_response(
            429,
            br#"{"message":"Too many failed verification attempts.","code":"ACCOUNT_TEMPORARILY_LOCKED"}"#,
            None,
        );
        assert_eq!(locked.code(), Some(&ErrorCode::AccountTemporarilyLocked));
        assert_eq!(locked.status(), Some(429));
        let denied = Error::from_response(
            400,
            br#"{"error":"access_denied","error_description":"Access denied"}"#,
            None,
        );
        assert_eq!(
            denied,
            Error::OAuth {
                status: 400,
                error: OAuthErrorCode::AccessDenied,
                description: "Access denied".into()
            }
        );
        assert_eq!(denied.oauth_error(), Some(&OAuthErrorCode::AccessDenied));
        assert_eq!(denied.code(), None);
        let unauthorized = Error::from_response(
            401,
            br#"{"error":"unauthorized","error_description":"Authentication required"}"#,
            None,
        );
        assert!(unauthorized.is_unauthorized());
        let with_message = Error::from_response(400, br#"{"message":"m","error":"x"}"#, None);
        assert!(
            matches!(with_message, Error::Api { .. }),
            "a better-auth body with an extra field"
        );
    }
}
