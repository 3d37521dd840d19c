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

/// The body of a `POST` endpoint that takes none (`/revoke-sessions`, …). Clients send `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmptyRequest {}

impl RequestSchema for EmptyRequest {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[];
}
