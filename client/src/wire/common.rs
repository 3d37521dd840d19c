//! Small response bodies shared by many endpoints.

use serde::{Deserialize, Serialize};

use super::schema::{BodyShape, FieldSpec, RequestSchema};

/// `{"status": true}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResponse {
    /// Always `true` on success.
    pub status: bool,
}

/// `{"success": true, "message": "..."}` (`/delete-user`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessMessage {
    /// Always `true` on success.
    pub success: bool,
    /// What happened: `"User deleted"` or `"Verification email sent"`.
    pub message: String,
}

/// `GET /ok`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OkResponse {
    /// Always `true`.
    pub ok: bool,
}

/// Query of `GET /error`: the error a flow ended with, as a provider or the server
/// reported it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorPageQuery {
    /// The error code (`access_denied`, `state_mismatch` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A description of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl super::schema::RequestSchema for ErrorPageQuery {
    const SHAPE: super::schema::BodyShape = super::schema::BodyShape::OptionalObject;
    const FIELDS: &'static [super::schema::FieldSpec] = &[
        super::schema::FieldSpec::optional("error", super::schema::FieldKind::String),
        super::schema::FieldSpec::optional("error_description", super::schema::FieldKind::String),
    ];
}

/// The body of a `POST` endpoint that takes none (`/revoke-sessions`, …). Clients send `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmptyRequest {}

impl RequestSchema for EmptyRequest {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[];
}
