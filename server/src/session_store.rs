//! Where sessions live: the database, the secondary storage, or both — better-auth's
//! internal adapter for sessions with `secondaryStorage`,
//! `session.storeSessionInDatabase` and `session.preserveSessionInDatabase`.
//!
//! Without secondary storage every session is a `session` row. With it, a session is the
//! key `<token>` → `{"session":…,"user":…}` that expires with the session, listed under
//! `active-sessions-<userId>`; the row is written too only with `storeSessionInDatabase`,
//! and a lookup then falls back to it when the key is missing (unless
//! `preserveSessionInDatabase` keeps ended rows for audit, with `expiresAt` set to the
//! moment they ended). Ending all of a user's sessions also records
//! `revoked-sessions-before-<userId>`, so a session created before it is refused by every
//! instance even if its key survived.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::crypto::generate_id;
use crate::db::sessions::{self, NewSession, SessionChanges};
use crate::db::users;
use crate::db::{Arg, Exec};
use crate::error::{ApiError, ApiResult};
use crate::hooks::EndedSessions;
use crate::secondary_storage::{SecondaryStorage, StorageError, ttl_until};
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{Session, SessionData, SessionToken, User};

mod cached;

use cached::{CachedSession, merge, storage_json, write_cached};

/// How long `revoked-sessions-before-<userId>` is kept at least (a day, as better-auth).
const MIN_REVOKED_MARKER_TTL: u64 = 86_400;

/// One entry of `active-sessions-<userId>`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActiveSession {
    token: String,
    /// Epoch milliseconds.
    expires_at: i64,
}

fn active_sessions_key(user_id: &str) -> String {
    format!("active-sessions-{user_id}")
}

fn revoked_before_key(user_id: &str) -> String {
    format!("revoked-sessions-before-{user_id}")
}

/// The sessions of one [`Auth`], wherever they are kept.
pub(crate) struct SessionStore<'a> {
    auth: &'a Auth,
}

impl Auth {
    /// The session store of this server.
    pub(crate) fn sessions(&self) -> SessionStore<'_> {
        SessionStore { auth: self }
    }
}

impl SessionStore<'_> {
    fn storage(&self) -> Option<&dyn SecondaryStorage> {
        self.auth.0.secondary_storage.as_deref()
    }

    /// Whether session rows are written (always without secondary storage).
    fn in_database(&self) -> bool {
        self.storage().is_none() || self.auth.0.config.session.store_session_in_database
    }

    /// Whether ended sessions keep their row (with secondary storage and rows only).
    fn preserve_rows(&self) -> bool {
        self.storage().is_some() && self.in_database() && self.auth.0.config.session.preserve_session_in_database
    }

    /// Whether a lookup missing in secondary storage reads the row (better-auth's
    /// `databaseSessionFallbackEnabled`).
    fn database_fallback(&self) -> bool {
        self.storage().is_some() && self.in_database() && !self.preserve_rows()
    }

    /// Creates a session for `user` from `record`, created at `now`, through the session
    /// hooks: `before_create` first; `after_create` at once when `exec` is not a
    /// transaction, else once it has committed ([`crate::db::Exec::after_commit`]).
    pub async fn create(
        &self,
        exec: &mut impl Exec,
        mut record: NewSession,
        user: &User,
        now: DateTime<Utc>,
    ) -> ApiResult<Session> {
        let hooks = &self.auth.0.hooks;
        hooks.before_session_create(self.auth, &mut record).await?;
        // A hook may have changed the user (the admin plugin lifts a lapsed ban): the
        // cached copy must be the stored one.
        let refreshed;
        let user = match (self.storage(), hooks.session.is_empty()) {
            (Some(_), false) => match users::find_by_id(exec, &self.auth.0.fields, &user.id).await? {
                Some(stored) => {
                    refreshed = stored;
                    &refreshed
                }
                None => user,
            },
            _ => user,
        };
        let session = if self.in_database() {
            sessions::insert(exec, &self.auth.0.fields, record, now).await?
        } else {
            Session {
                id: generate_id(),
                token: SessionToken::new(generate_id()),
                user_id: record.user_id,
                expires_at: record.expires_at,
                created_at: now,
                updated_at: now,
                ip_address: Some(record.ip_address),
                user_agent: Some(record.user_agent),
                additional: record.additional,
            }
        };
        if let Some(storage) = self.storage() {
            let now_ms = now_millis().timestamp_millis();
            let mut list = self.active_sessions(storage, &session.user_id).await?;
            list.retain(|entry| entry.expires_at > now_ms && entry.token != session.token.expose());
            list.push(ActiveSession {
                token: session.token.expose().to_owned(),
                expires_at: session.expires_at.timestamp_millis(),
            });
            self.set_active_sessions(storage, &session.user_id, list, now_ms)
                .await?;
            write_cached(storage, &session, user, now_ms).await?;
        }
        if !self.auth.0.hooks.session.is_empty() {
            let (auth, created) = (self.auth.clone(), session.clone());
            let work: crate::db::AfterCommit = Box::pin(async move {
                auth.0.hooks.after_session_create(&auth, &created).await;
            });
            crate::hooks::after_commit(exec, work).await;
        }
        Ok(session)
    }

    /// The session with `token` and its user, expired or not; `None` when there is none or
    /// it was revoked.
    pub async fn find_with_user(&self, exec: &mut impl Exec, token: &str) -> ApiResult<Option<SessionData>> {
        if let Some(storage) = self.storage() {
            match storage.get(token).await? {
                Some(raw) => {
                    let Ok(cached) = serde_json::from_str::<CachedSession>(&raw) else {
                        return Ok(None);
                    };
                    if revoked(storage, &cached.session, &mut None).await? {
                        return Ok(None);
                    }
                    return Ok(Some(SessionData {
                        session: cached.session,
                        user: cached.user,
                        needs_refresh: None,
                    }));
                }
                None if !self.database_fallback() => return Ok(None),
                None => {}
            }
        }
        if let Some(reads) = &self.auth.0.session_reads
            && !exec.in_transaction()
        {
            return Ok(reads.find(token).await?);
        }
        Ok(sessions::find_with_user(exec, &self.auth.0.fields, token).await?)
    }

    /// Sets `columns` (and `updatedAt`) on the session with `token` through the session
    /// hooks; `None` when it no longer exists. A `before_update` refusal is the error.
    pub async fn update(
        &self,
        exec: &mut impl Exec,
        token: &str,
        columns: Vec<(String, Arg)>,
        now: DateTime<Utc>,
    ) -> ApiResult<Option<Session>> {
        self.try_update(exec, token, columns, now).await?
    }

    /// [`SessionStore::update`], with a `before_update` hook's refusal apart
    /// (`Ok(Err(refusal))`: nothing was written).
    pub async fn try_update(
        &self,
        exec: &mut impl Exec,
        token: &str,
        columns: Vec<(String, Arg)>,
        now: DateTime<Utc>,
    ) -> ApiResult<Result<Option<Session>, ApiError>> {
        let hooks = &self.auth.0.hooks;
        let mut changes = SessionChanges { columns };
        if !hooks.session.is_empty() {
            let Some(current) = self.find_with_user(exec, token).await? else {
                return Ok(Ok(None));
            };
            if let Err(refusal) = hooks
                .before_session_update(self.auth, &current.session, &mut changes)
                .await
            {
                return Ok(Err(refusal));
            }
        }
        Ok(Ok(self.write_update(exec, token, changes.columns, now).await?))
    }

    async fn write_update(
        &self,
        exec: &mut impl Exec,
        token: &str,
        columns: Vec<(String, Arg)>,
        now: DateTime<Utc>,
    ) -> ApiResult<Option<Session>> {
        let mut updated = None;
        if let Some(storage) = self.storage()
            && let Some(raw) = storage.get(token).await?
            && let Ok(cached) = serde_json::from_str::<CachedSession>(&raw)
        {
            let session = merge(&cached.session, &columns, now)?;
            let now_ms = now_millis().timestamp_millis();
            if ttl_until(session.expires_at.timestamp_millis(), now_ms) > 0 {
                write_cached(storage, &session, &cached.user, now_ms).await?;
                let mut list = self.active_sessions(storage, &session.user_id).await?;
                list.retain(|entry| entry.token != token && entry.expires_at > now_ms);
                list.push(ActiveSession {
                    token: token.to_owned(),
                    expires_at: session.expires_at.timestamp_millis(),
                });
                self.set_active_sessions(storage, &session.user_id, list, now_ms)
                    .await?;
            }
            updated = Some(session);
        }
        if self.in_database() {
            let row = sessions::update(exec, &self.auth.0.fields, token, columns, now).await?;
            updated = row.or(updated);
        }
        if let Some(session) = &updated {
            crate::hooks::after_session_update(self.auth, exec, session).await;
        }
        Ok(updated)
    }

    /// Ends the session with `token` (nothing happens for an unknown token) through the
    /// session hooks: `before_delete` (a refusal is the error), then `after_delete`.
    pub async fn delete(&self, exec: &mut impl Exec, token: &str) -> ApiResult<()> {
        self.try_delete(exec, token).await?
    }

    /// [`SessionStore::delete`], with a `before_delete` hook's refusal apart
    /// (`Ok(Err(refusal))`: the session is kept).
    pub async fn try_delete(&self, exec: &mut impl Exec, token: &str) -> ApiResult<Result<(), ApiError>> {
        let ended = EndedSessions::Tokens(vec![SessionToken::new(token.to_owned())]);
        if let Err(refusal) = self.auth.0.hooks.before_session_delete(self.auth, &ended).await {
            return Ok(Err(refusal));
        }
        self.end(exec, token).await?;
        crate::hooks::after_session_delete(self.auth, exec, ended).await;
        Ok(Ok(()))
    }

    async fn end(&self, exec: &mut impl Exec, token: &str) -> ApiResult<()> {
        if let Some(storage) = self.storage() {
            if let Some(raw) = storage.get(token).await?
                && let Ok(cached) = serde_json::from_str::<CachedSession>(&raw)
            {
                let user_id = &cached.session.user_id;
                let now_ms = now_millis().timestamp_millis();
                let mut list = self.active_sessions(storage, user_id).await?;
                list.retain(|entry| entry.expires_at > now_ms && entry.token != token);
                self.set_active_sessions(storage, user_id, list, now_ms).await?;
            }
            storage.delete(token).await?;
            if !self.in_database() {
                return Ok(());
            }
            if self.preserve_rows() {
                sessions::end_by_tokens(exec, &[token], now_millis()).await?;
                return Ok(());
            }
        }
        sessions::delete(exec, token).await?;
        Ok(())
    }

    /// Ends the sessions with these tokens through the session hooks (see
    /// [`SessionStore::delete`]).
    pub async fn delete_many(&self, exec: &mut impl Exec, tokens: &[&str]) -> ApiResult<()> {
        if tokens.is_empty() {
            return Ok(());
        }
        let ended = EndedSessions::Tokens(
            tokens
                .iter()
                .map(|token| SessionToken::new((*token).to_owned()))
                .collect(),
        );
        self.auth.0.hooks.before_session_delete(self.auth, &ended).await?;
        self.end_many(exec, tokens).await?;
        crate::hooks::after_session_delete(self.auth, exec, ended).await;
        Ok(())
    }

    async fn end_many(&self, exec: &mut impl Exec, tokens: &[&str]) -> ApiResult<()> {
        if let Some(storage) = self.storage() {
            for token in tokens {
                storage.delete(token).await?;
            }
            if !self.in_database() {
                return Ok(());
            }
            if self.preserve_rows() {
                sessions::end_by_tokens(exec, tokens, now_millis()).await?;
                return Ok(());
            }
        }
        sessions::delete_tokens(exec, tokens).await?;
        Ok(())
    }

    /// Ends every session of `user_id` through the session hooks (see
    /// [`SessionStore::delete`]); returns how many were live.
    pub async fn delete_for_user(&self, exec: &mut impl Exec, user_id: &str) -> ApiResult<u64> {
        let ending = EndedSessions::AllOfUser(user_id.to_owned());
        self.auth.0.hooks.before_session_delete(self.auth, &ending).await?;
        let ended = self.end_for_user(exec, user_id).await?;
        crate::hooks::after_session_delete(self.auth, exec, ending).await;
        Ok(ended)
    }

    async fn end_for_user(&self, exec: &mut impl Exec, user_id: &str) -> ApiResult<u64> {
        let Some(storage) = self.storage() else {
            return Ok(sessions::delete_for_user(exec, user_id).await?);
        };
        let listed = self.active_sessions(storage, user_id).await?;
        let now_ms = now_millis().timestamp_millis();
        let live = listed.iter().filter(|entry| entry.expires_at > now_ms).count() as u64;
        let rows = if self.preserve_rows() {
            sessions::end_for_user(exec, user_id, now_millis()).await?
        } else if self.in_database() {
            sessions::delete_for_user(exec, user_id).await?
        } else {
            0
        };
        self.revoke_cached(storage, user_id, listed).await?;
        Ok(rows.max(live))
    }

    /// After `user_id`'s row was deleted: ends what secondary storage still holds of
    /// their sessions (the rows went with the user).
    pub async fn forget_user(&self, user_id: &str) -> ApiResult<()> {
        match self.storage() {
            Some(storage) => {
                let listed = self.active_sessions(storage, user_id).await?;
                self.revoke_cached(storage, user_id, listed).await
            }
            None => Ok(()),
        }
    }

    /// The live sessions of `user_id`, oldest first.
    pub async fn list_for_user(&self, exec: &mut impl Exec, user_id: &str) -> ApiResult<Vec<Session>> {
        let now = now_millis();
        let from_storage = match self.storage() {
            Some(storage) if !self.database_fallback() => Some(storage),
            _ => None,
        };
        let Some(storage) = from_storage else {
            let mut all = sessions::list_for_user(exec, &self.auth.0.fields, user_id).await?;
            all.retain(|session| session.expires_at > now);
            return Ok(all);
        };
        let now_ms = now.timestamp_millis();
        let mut seen = HashSet::new();
        let mut marker = None;
        let mut found = Vec::new();
        for entry in self.active_sessions(storage, user_id).await? {
            if entry.expires_at <= now_ms || !seen.insert(entry.token.clone()) {
                continue;
            }
            let Some(raw) = storage.get(&entry.token).await? else {
                continue;
            };
            let Ok(cached) = serde_json::from_str::<CachedSession>(&raw) else {
                continue;
            };
            if !revoked(storage, &cached.session, &mut marker).await? {
                found.push(cached.session);
            }
        }
        found.sort_by_key(|session| session.created_at);
        Ok(found)
    }

    /// After `user` changed: rewrites the user kept with each of their live sessions.
    pub async fn refresh_user(&self, user: &User) -> ApiResult<()> {
        let Some(storage) = self.storage() else {
            return Ok(());
        };
        let now_ms = now_millis().timestamp_millis();
        for entry in self.active_sessions(storage, &user.id).await? {
            if entry.expires_at <= now_ms {
                continue;
            }
            let Some(raw) = storage.get(&entry.token).await? else {
                continue;
            };
            let Ok(cached) = serde_json::from_str::<CachedSession>(&raw) else {
                continue;
            };
            write_cached(storage, &cached.session, user, now_ms).await?;
        }
        Ok(())
    }

    async fn active_sessions(&self, storage: &dyn SecondaryStorage, user_id: &str) -> ApiResult<Vec<ActiveSession>> {
        let raw = storage.get(&active_sessions_key(user_id)).await?;
        Ok(raw.and_then(|raw| serde_json::from_str(&raw).ok()).unwrap_or_default())
    }

    /// Writes the list sorted by expiry, living as long as its last session; an empty or
    /// expired list is removed.
    async fn set_active_sessions(
        &self,
        storage: &dyn SecondaryStorage,
        user_id: &str,
        mut list: Vec<ActiveSession>,
        now_ms: i64,
    ) -> ApiResult<()> {
        list.sort_by_key(|entry| entry.expires_at);
        let ttl = list.last().map_or(0, |last| ttl_until(last.expires_at, now_ms));
        let key = active_sessions_key(user_id);
        if ttl == 0 {
            storage.delete(&key).await?;
        } else {
            let value = serde_json::to_string(&list).map_err(storage_json)?;
            storage.set(&key, value, Some(ttl)).await?;
        }
        Ok(())
    }

    /// Records that every session of `user_id` created until now is revoked, then removes
    /// the listed sessions' keys and prunes the list.
    async fn revoke_cached(
        &self,
        storage: &dyn SecondaryStorage,
        user_id: &str,
        listed: Vec<ActiveSession>,
    ) -> ApiResult<()> {
        let revoked_at = now_millis().timestamp_millis();
        let marker_key = revoked_before_key(user_id);
        let previous = storage
            .get(&marker_key)
            .await?
            .and_then(|raw| raw.trim().parse::<f64>().ok())
            .filter(|value| value.is_finite())
            .map_or(0, |value| value as i64);
        let ttl = self
            .auth
            .0
            .config
            .session
            .expires_in
            .as_secs()
            .max(MIN_REVOKED_MARKER_TTL);
        storage
            .set(&marker_key, revoked_at.max(previous).to_string(), Some(ttl))
            .await?;
        let deleted: HashSet<String> = listed.into_iter().map(|entry| entry.token).collect();
        for token in &deleted {
            storage.delete(token).await?;
        }
        let now_ms = now_millis().timestamp_millis();
        let mut remaining = self.active_sessions(storage, user_id).await?;
        remaining.retain(|entry| entry.expires_at > now_ms && !deleted.contains(&entry.token));
        self.set_active_sessions(storage, user_id, remaining, now_ms).await
    }
}

/// Whether `session` was created before its user's `revoked-sessions-before` marker.
/// `marker` caches the marker of one user across a listing.
async fn revoked(
    storage: &dyn SecondaryStorage,
    session: &Session,
    marker: &mut Option<f64>,
) -> Result<bool, StorageError> {
    let revoked_before = match *marker {
        Some(value) => value,
        None => {
            let value = storage
                .get(&revoked_before_key(&session.user_id))
                .await?
                .map_or(0.0, |raw| raw.trim().parse::<f64>().unwrap_or(f64::NAN));
            *marker = Some(value);
            value
        }
    };
    Ok((session.created_at.timestamp_millis() as f64) < revoked_before)
}
