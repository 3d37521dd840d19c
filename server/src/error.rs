//! The one error type of the server. It renders as better-auth renders errors:
//! `{"message": "...", "code": "..."}` with better-auth's status, an OAuth body
//! `{"error": "...", "error_description": "..."}` where better-auth answers one (the
//! device-authorization endpoints), or an empty body where better-auth sends none.

use crate::log_safe::Escaped;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use keyward_client::wire::{ErrorBody, ErrorCode, OAuthErrorBody, OAuthErrorCode};

/// An error answered to the client.
#[derive(Clone, Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Option<Box<ErrorBody>>,
    /// An OAuth body, answered instead of `body`.
    oauth: Option<Box<OAuthErrorBody>>,
    retry_after: Option<u64>,
    /// Answer with `Connection: close` (the request could not be read to its end).
    close_connection: bool,
}

/// Result of an endpoint.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// `status` with `code` and its default message.
    pub fn new(status: StatusCode, code: ErrorCode) -> Self {
        let message = code.default_message().to_owned();
        Self::with_message(status, code, message)
    }

    /// `status` with `code` and a custom message.
    pub fn with_message(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Some(Box::new(ErrorBody {
                message: message.into(),
                code: Some(code),
                details: Default::default(),
            })),
            oauth: None,
            retry_after: None,
            close_connection: false,
        }
    }

    /// A `{message}` body without a code (better-auth's `APIError.fromStatus(.., {message})`).
    pub fn message_only(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Some(Box::new(ErrorBody {
                message: message.into(),
                code: None,
                details: Default::default(),
            })),
            oauth: None,
            retry_after: None,
            close_connection: false,
        }
    }

    /// An empty body (better-auth's `APIError.fromStatus(status)`).
    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            body: None,
            oauth: None,
            retry_after: None,
            close_connection: false,
        }
    }

    /// An OAuth error body, `{"error": .., "error_description": ..}` (RFC 6749 §5.2),
    /// as better-auth's device-authorization endpoints answer.
    pub fn oauth(status: StatusCode, error: OAuthErrorCode, description: impl Into<String>) -> Self {
        Self {
            status,
            body: None,
            oauth: Some(Box::new(OAuthErrorBody {
                error,
                error_description: description.into(),
            })),
            retry_after: None,
            close_connection: false,
        }
    }

    /// `400 BAD_REQUEST` shorthand.
    pub fn bad_request(code: ErrorCode) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code)
    }

    /// `401 UNAUTHORIZED` with the `UNAUTHORIZED` code (session middlewares).
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized)
    }

    /// `400 VALIDATION_ERROR` with zod-style issues.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::with_message(StatusCode::BAD_REQUEST, ErrorCode::ValidationError, message)
    }

    /// `429` with better-auth's body and `X-Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: Some(Box::new(ErrorBody {
                message: "Too many requests. Please try again later.".into(),
                code: None,
                details: Default::default(),
            })),
            oauth: None,
            retry_after: Some(retry_after_secs),
            close_connection: false,
        }
    }

    /// A server-side failure: logged with its cause, answered as `500` with an empty body
    /// (better-auth's answer to unexpected exceptions), so nothing internal leaks.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(cause = %Escaped(cause), "{context}");
        Self::empty(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Adds a field to the error body (besides `message` and `code`).
    pub fn with_field(mut self, name: &str, value: serde_json::Value) -> Self {
        if let Some(body) = &mut self.body {
            body.details.insert(name.to_owned(), value);
        }
        self
    }

    /// Closes the connection after this answer (the rest of the request was not read).
    pub fn closing_connection(mut self) -> Self {
        self.close_connection = true;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body, when there is one.
    pub fn body(&self) -> Option<&ErrorBody> {
        self.body.as_deref()
    }

    /// The OAuth body, for an [`ApiError::oauth`] error.
    pub fn oauth_body(&self) -> Option<&OAuthErrorBody> {
        self.oauth.as_deref()
    }

    /// The code, when there is one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.body.as_ref().and_then(|body| body.code.as_ref())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(oauth) = self.oauth.as_deref() {
            return write!(f, "{} {}: {}", self.status, oauth.error, oauth.error_description);
        }
        match self.body.as_deref() {
            Some(ErrorBody {
                message,
                code: Some(code),
                ..
            }) => write!(f, "{} {code}: {message}", self.status),
            Some(ErrorBody {
                message, code: None, ..
            }) => write!(f, "{}: {message}", self.status),
            None => write!(f, "{}", self.status),
        }
    }
}

impl std::error::Error for ApiError {}

impl From<sqlx::Error> for ApiError {
    /// A database that cannot be reached (refused, cut, shutting down, or no connection
    /// free within the pool's timeout) is `503 DATABASE_UNAVAILABLE`, which a client may
    /// retry; any other failure is an internal error.
    fn from(error: sqlx::Error) -> Self {
        if crate::db::is_unavailable(&error) {
            tracing::error!(error = %Escaped(&error), "database unavailable");
            return Self::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::DatabaseUnavailable);
        }
        if crate::db::is_unstorable_text(&error) {
            return Self::validation("Text contains a character the database cannot store (such as NUL)");
        }
        Self::internal("database error", error)
    }
}

impl From<crate::secondary_storage::StorageError> for ApiError {
    /// `503 SECONDARY_STORAGE_UNAVAILABLE`: the request may succeed when retried.
    fn from(error: crate::secondary_storage::StorageError) -> Self {
        tracing::error!(error = %Escaped(&error), "secondary storage error");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::SecondaryStorageUnavailable)
    }
}

impl From<crate::password::HashError> for ApiError {
    fn from(error: crate::password::HashError) -> Self {
        Self::internal("password hashing error", error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match (&self.oauth, &self.body) {
            (Some(oauth), _) => serde_json::to_vec(oauth).unwrap_or_default(),
            (None, Some(body)) => serde_json::to_vec(body).unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(retry_after) = self.retry_after {
            response
                .headers_mut()
                .insert("x-retry-after", HeaderValue::from(retry_after));
        }
        if self.close_connection {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
