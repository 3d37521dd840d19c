//! The `<token>` key of a session in secondary storage: `{"session":…,"user":…}`, written
//! with the session's lifetime and merged with an update as the row would read after it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::Arg;
use crate::error::ApiResult;
use crate::secondary_storage::{SecondaryStorage, StorageError, ttl_until};
use keyward_client::wire::time::format_iso;
use keyward_client::wire::{Session, User};

/// The value of a `<token>` key.
#[derive(Deserialize)]
pub(super) struct CachedSession {
    pub session: Session,
    pub user: User,
}

#[derive(Serialize)]
struct CachedSessionRef<'a> {
    session: &'a Session,
    user: &'a User,
}

/// Writes `<token>` → `{session, user}`, expiring with the session (not at all once it
/// has expired).
pub(super) async fn write_cached(
    storage: &dyn SecondaryStorage,
    session: &Session,
    user: &User,
    now_ms: i64,
) -> ApiResult<()> {
    let ttl = ttl_until(session.expires_at.timestamp_millis(), now_ms);
    if ttl == 0 {
        return Ok(());
    }
    let value = serde_json::to_string(&CachedSessionRef { session, user }).map_err(storage_json)?;
    storage.set(session.token.expose(), value, Some(ttl)).await?;
    Ok(())
}

/// `session` with `columns` and `updatedAt` set, as the row would read after the update.
pub(super) fn merge(session: &Session, columns: &[(String, Arg)], now: DateTime<Utc>) -> Result<Session, StorageError> {
    let Value::Object(mut object) = serde_json::to_value(session).map_err(storage_json)? else {
        return Err(StorageError("a session did not serialize to an object".into()));
    };
    for (column, value) in columns {
        object.insert(column.clone(), arg_json(value));
    }
    object.insert("updatedAt".into(), Value::String(format_iso(&now)));
    serde_json::from_value(Value::Object(object)).map_err(storage_json)
}

/// A column value as it reads in the cached JSON.
fn arg_json(arg: &Arg) -> Value {
    match arg {
        Arg::Text(value) => value.clone().map_or(Value::Null, Value::String),
        Arg::Int(value) => value.map_or(Value::Null, Value::from),
        Arg::Float(value) => value.map_or(Value::Null, Value::from),
        Arg::Bool(value) => value.map_or(Value::Null, Value::Bool),
        Arg::Time(value) => value.map_or(Value::Null, |time| Value::String(format_iso(&time))),
        Arg::TextList(values) => Value::from(values.clone()),
    }
}

pub(super) fn storage_json(error: serde_json::Error) -> StorageError {
    StorageError(format!("session JSON: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_client::wire::SessionToken;
    use keyward_client::wire::time::now_millis;
    use serde_json::Map;

    fn session() -> Session {
        let now = now_millis();
        Session {
            id: "s1".into(),
            token: SessionToken::new("t1"),
            user_id: "u1".into(),
            expires_at: now + chrono::Duration::days(7),
            created_at: now,
            updated_at: now,
            ip_address: Some(String::new()),
            user_agent: Some("agent".into()),
            additional: Map::new(),
        }
    }

    #[test]
    fn merging_sets_the_columns_and_updated_at() {
        let original = session();
        let later = original.updated_at + chrono::Duration::seconds(5);
        let expires = later + chrono::Duration::days(7);
        let merged = merge(
            &original,
            &[
                ("expiresAt".into(), Arg::from(expires)),
                ("activeOrganizationId".into(), Arg::from(Some("org".to_owned()))),
            ],
            later,
        )
        .expect("merges");
        assert_eq!(merged.expires_at, expires);
        assert_eq!(merged.updated_at, later);
        assert_eq!(merged.created_at, original.created_at);
        assert_eq!(merged.additional.get("activeOrganizationId"), Some(&Value::from("org")));
        let cleared = merge(&merged, &[("activeOrganizationId".into(), Arg::Text(None))], later).expect("merges");
        assert_eq!(cleared.additional.get("activeOrganizationId"), Some(&Value::Null));
    }
}
