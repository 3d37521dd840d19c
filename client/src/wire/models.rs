//! The objects better-auth returns: users, sessions and accounts.
//!
//! Optional fields accept both forms servers use: omitted (better-auth's memory adapter)
//! and explicit `null` (its SQL adapters, and Keyward). Fields added by plugins or by the
//! server's `additionalFields` configuration land in `additional`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::object::deserialize_from_members;
use super::secret::SessionToken;
use super::time::iso;

/// A user as returned by sign-in, sign-up and get-session.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user id (32 alphanumeric characters by default).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email address, stored lowercase.
    pub email: String,
    /// Whether the email address was verified.
    pub email_verified: bool,
    /// Avatar URL.
    pub image: Option<String>,
    /// Creation time.
    #[serde(serialize_with = "iso::serialize")]
    pub created_at: DateTime<Utc>,
    /// Last update time.
    #[serde(serialize_with = "iso::serialize")]
    pub updated_at: DateTime<Utc>,
    /// Plugin fields (`twoFactorEnabled`, `username`, …) and configured additional fields.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

deserialize_from_members!(User, |members| Self {
    id: members.take("id")?,
    name: members.take("name")?,
    email: members.take("email")?,
    email_verified: members.take("emailVerified")?,
    image: members.take_or_default("image")?,
    created_at: members.take_with("createdAt", iso::deserialize)?,
    updated_at: members.take_with("updatedAt", iso::deserialize)?,
    additional: members.rest(),
});

impl User {
    /// Whether the two-factor plugin's `twoFactorEnabled` field is `true` (absent when the
    /// plugin is off: `false`).
    pub fn two_factor_enabled(&self) -> bool {
        self.additional
            .get("twoFactorEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// A session row: one signed-in device.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The session id.
    pub id: String,
    /// The session token (unsigned). It authenticates as a bearer token.
    pub token: SessionToken,
    /// The owner.
    pub user_id: String,
    /// When the session stops being valid.
    #[serde(serialize_with = "iso::serialize")]
    pub expires_at: DateTime<Utc>,
    /// Creation time; freshness is measured from here.
    #[serde(serialize_with = "iso::serialize")]
    pub created_at: DateTime<Utc>,
    /// Last refresh time.
    #[serde(serialize_with = "iso::serialize")]
    pub updated_at: DateTime<Utc>,
    /// Client IP address at sign-in (may be empty).
    pub ip_address: Option<String>,
    /// Client user agent at sign-in (may be empty).
    pub user_agent: Option<String>,
    /// Plugin fields (`activeOrganizationId`, …) and configured additional fields.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

deserialize_from_members!(Session, |members| Self {
    id: members.take("id")?,
    token: members.take("token")?,
    user_id: members.take("userId")?,
    expires_at: members.take_with("expiresAt", iso::deserialize)?,
    created_at: members.take_with("createdAt", iso::deserialize)?,
    updated_at: members.take_with("updatedAt", iso::deserialize)?,
    ip_address: members.take_or_default("ipAddress")?,
    user_agent: members.take_or_default("userAgent")?,
    additional: members.rest(),
});

/// The `{session, user}` pair that `/get-session` returns for a signed-in request.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    /// The session.
    pub session: Session,
    /// Its user.
    pub user: User,
    /// Present only when the server defers refreshes (`deferSessionRefresh`): the client
    /// should then `POST /get-session` to roll the expiry forward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_refresh: Option<bool>,
}

deserialize_from_members!(SessionData, |members| Self {
    session: members.take("session")?,
    user: members.take("user")?,
    needs_refresh: members.take_or_default("needsRefresh")?,
});

/// A linked account as `/list-accounts` returns it (tokens and password are never sent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    /// The account row id (what `/unlink-account` takes).
    pub id: String,
    /// `"credential"` for email and password, else the OAuth provider id.
    pub provider_id: String,
    /// The provider's user id (equal to `user_id` for credential accounts).
    pub account_id: String,
    /// The owner.
    pub user_id: String,
    /// Creation time.
    #[serde(with = "iso")]
    pub created_at: DateTime<Utc>,
    /// Last update time.
    #[serde(with = "iso")]
    pub updated_at: DateTime<Utc>,
    /// Granted OAuth scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_accepts_omitted_and_null_optionals() {
        let memory = r#"{"name":"Alice","email":"alice@example.com","emailVerified":false,
            "createdAt":"2026-11-23T19:52:26.106Z","updatedAt":"2026-11-23T19:52:26.106Z",
            "twoFactorEnabled":false,"id":"ukF93Og1Ica2l7ma1RlckNQ9v9jysIPa"}"#;
        let user: User = serde_json::from_str(memory).expect("memory-adapter shape");
        assert_eq!(user.image, None);
        assert_eq!(user.additional.get("twoFactorEnabled"), Some(&Value::Bool(false)));
        assert!(!user.two_factor_enabled());

        let sql = r#"{"name":"Alice","email":"alice@example.com","emailVerified":false,"image":null,
            "createdAt":"2026-11-23T19:52:26.106Z","updatedAt":"2026-11-23T19:52:26.106Z",
            "username":null,"id":"ukF93Og1Ica2l7ma1RlckNQ9v9jysIPa"}"#;
        let user: User = serde_json::from_str(sql).expect("sql-adapter shape");
        assert_eq!(user.additional.get("username"), Some(&Value::Null));
    }

    #[test]
    fn session_round_trips() {
        let raw = r#"{"expiresAt":"2026-11-30T20:08:14.702Z","token":"1mxqpica06cijOkk1uKnggkI2ITmA7ZA",
            "createdAt":"2026-11-23T20:08:14.702Z","updatedAt":"2026-11-23T20:08:14.702Z","ipAddress":"",
            "userAgent":"","userId":"xZIJtduq3Ex3VJdBLJQb5npPSuWHDB1O","id":"pnIsQMC1OVA5Bh6zenhfecVFeh24WNYE"}"#;
        let session: Session = serde_json::from_str(raw).expect("parses");
        assert_eq!(session.token.expose(), "1mxqpica06cijOkk1uKnggkI2ITmA7ZA");
        let again: Session =
            serde_json::from_value(serde_json::to_value(&session).expect("serializes")).expect("parses");
        assert_eq!(again, session);
    }
}
