//! `/get-session`, `/list-sessions`, `/revoke-session(s)`, `/revoke-other-sessions`, `/update-session`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::models::Session;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::SessionToken;

/// Query of `GET /get-session`. better-auth coerces any non-empty value (even `"false"`)
/// to `true`, so a flag is sent only when it is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetSessionQuery {
    /// Read the database even when a cookie cache exists.
    pub disable_cookie_cache: bool,
    /// Do not roll the session's expiry forward.
    pub disable_refresh: bool,
}

impl super::schema::RequestSchema for GetSessionQuery {
    const SHAPE: super::schema::BodyShape = super::schema::BodyShape::OptionalObject;
    const FIELDS: &'static [super::schema::FieldSpec] = &[
        super::schema::FieldSpec::optional("disableCookieCache", super::schema::FieldKind::Any),
        super::schema::FieldSpec::optional("disableRefresh", super::schema::FieldKind::Any),
    ];
}

impl GetSessionQuery {
    /// The query string (without `?`), empty when no flag is set.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if self.disable_cookie_cache {
            parts.push("disableCookieCache=true");
        }
        if self.disable_refresh {
            parts.push("disableRefresh=true");
        }
        parts.join("&")
    }
}

/// Body of `POST /revoke-session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeSessionRequest {
    /// The token of the session to end, as `/list-sessions` shows it.
    pub token: SessionToken,
}

impl RequestSchema for RevokeSessionRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::required("token", FieldKind::String)];
}

/// Body of `POST /update-session`: values for the session's additional fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateSessionRequest {
    /// Field name to new value.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl RequestSchema for UpdateSessionRequest {
    const SHAPE: BodyShape = BodyShape::Record;
    const FIELDS: &'static [FieldSpec] = &[];
}

/// Response of `POST /update-session`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateSessionResponse {
    /// The updated session.
    pub session: Session,
}
