//! Session cookies and session resolution, as better-auth's `setSessionCookie`,
//! `deleteSessionCookie`, `/get-session` and its session middlewares do them.

use crate::log_safe::Escaped;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::cookies::{SetCookie, encode_uri_component};
use crate::crypto::{base64url, decode_base64_any, hmac_sha256};
use crate::db::{Arg, sessions};
use crate::error::{ApiError, ApiResult};
use crate::request::Ctx;
use keyward_client::wire::secret::constant_time_eq;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{ErrorCode, Session, SessionData, User};

/// Whether the lookup found a session that has expired.
fn found_expired(found: &Option<SessionData>, now: DateTime<Utc>) -> bool {
    found.as_ref().is_some_and(|data| data.session.expires_at < now)
}

/// better-auth's per-cookie byte ceiling for chunked cookies.
const MAX_COOKIE_SIZE: usize = 4050;
const MAX_COOKIE_CHUNKS: usize = 100;

/// How to look a session up.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Lookup {
    /// Ignore the `session_data` cookie cache.
    pub disable_cookie_cache: bool,
    /// Never roll the expiry forward.
    pub disable_refresh: bool,
    /// A deferred-refresh `POST /get-session`.
    pub post: bool,
}

#[derive(Deserialize)]
struct CompactCache<'a> {
    #[serde(borrow)]
    session: &'a RawValue,
    #[serde(rename = "expiresAt")]
    expires_at: serde_json::Number,
    signature: String,
}

#[derive(Deserialize)]
struct CachedSession {
    session: Session,
    user: User,
    #[serde(default)]
    version: Option<String>,
}

impl Ctx {
    pub(crate) fn secure(&self) -> bool {
        self.auth.0.cookies.secure
    }

    pub(crate) fn secret(&self) -> &str {
        &self.auth.0.config.secret
    }

    fn expires_in(&self) -> Duration {
        Duration::from_std(self.auth.0.config.session.expires_in).unwrap_or(Duration::days(7))
    }

    /// Whether a valid `dont_remember` cookie came with the request.
    pub fn dont_remember_cookie(&self) -> bool {
        let names = &self.auth.0.cookies;
        self.cookies
            .signed(&names.dont_remember, self.secret())
            .value()
            .is_some()
    }

    /// better-auth's `setSessionCookie`. `dont_remember: None` keeps the request's
    /// remember-me state (what update-user, change-email … do).
    pub fn set_session_cookie(&mut self, data: &SessionData, dont_remember: Option<bool>) {
        let names = self.auth.0.cookies.clone();
        let had_cookie = self.dont_remember_cookie();
        let dont_remember = dont_remember.unwrap_or(had_cookie);
        let max_age = (!dont_remember).then(|| self.expires_in().num_seconds());
        self.out.set_cookie(SetCookie::signed(
            &names.session_token,
            data.session.token.expose(),
            self.secret(),
            max_age,
            self.secure(),
        ));
        if dont_remember {
            self.out.set_cookie(SetCookie::signed(
                &names.dont_remember,
                "true",
                self.secret(),
                None,
                self.secure(),
            ));
        } else if had_cookie {
            self.out.expire_cookie(&names.dont_remember, self.secure());
        }
        self.set_cookie_cache(data, dont_remember);
        self.session_cache = Some(Some(data.clone()));
    }

    /// Sets a cookie signed with the server secret (`Secure` and prefixed as configured).
    pub fn set_signed_cookie(&self, name: &str, value: &str, max_age: Option<std::time::Duration>) {
        self.out.set_signed_cookie(&self.auth, name, value, max_age);
    }

    /// better-auth's `deleteSessionCookie`: expires the session token, the cookie cache
    /// (with its chunks) and `dont_remember`.
    pub fn delete_session_cookies(&mut self) {
        self.expire_session_cookies(false);
    }

    /// [`Ctx::delete_session_cookies`], optionally keeping `dont_remember` (a two-factor
    /// challenge keeps the sign-in's remember-me choice for the session it leads to).
    pub fn expire_session_cookies(&mut self, keep_dont_remember: bool) {
        let names = self.auth.0.cookies.clone();
        self.out.expire_cookie(&names.session_token, self.secure());
        self.out.expire_cookie(&names.session_data, self.secure());
        for chunk in self.cookies.chunk_names(&names.session_data) {
            self.out.expire_cookie(&chunk, self.secure());
        }
        if !keep_dont_remember {
            self.out.expire_cookie(&names.dont_remember, self.secure());
        }
        self.session_cache = Some(None);
    }

    pub(crate) fn set_cookie_cache(&self, data: &SessionData, dont_remember: bool) {
        let config = &self.auth.0.config.session.cookie_cache;
        if !config.enabled {
            return;
        }
        let names = &self.auth.0.cookies;
        let max_age = (!dont_remember).then_some(config.max_age.as_secs() as i64);
        let now_ms = Utc::now().timestamp_millis();
        let expires_at = now_ms + max_age.unwrap_or(60) * 1000;
        let payload = json!({
            "session": data.session,
            "user": data.user,
            "updatedAt": now_ms,
            "version": "1",
        });
        let inner = payload.to_string();
        let signed = format!("{},\"expiresAt\":{expires_at}}}", &inner[..inner.len() - 1]);
        let signature = base64url(&hmac_sha256(self.secret().as_bytes(), signed.as_bytes()));
        let outer = format!("{{\"session\":{inner},\"expiresAt\":{expires_at},\"signature\":\"{signature}\"}}");
        let value = base64url(outer.as_bytes());
        // Expire stale chunks first, then write one cookie or numbered chunks.
        for chunk in self.cookies.chunk_names(&names.session_data) {
            self.out.expire_cookie(&chunk, self.secure());
        }
        let probe = SetCookie::plain(&format!("{}.99", names.session_data), "", max_age, self.secure());
        let chunk_size = MAX_COOKIE_SIZE.saturating_sub(probe.header_value().len());
        let chunks = value.len().div_ceil(chunk_size.max(1));
        if chunks <= 1 {
            self.out
                .set_cookie(SetCookie::plain(&names.session_data, &value, max_age, self.secure()));
        } else if chunks <= MAX_COOKIE_CHUNKS {
            for (i, piece) in value.as_bytes().chunks(chunk_size).enumerate() {
                let piece = String::from_utf8_lossy(piece);
                self.out.set_cookie(SetCookie::plain(
                    &format!("{}.{i}", names.session_data),
                    &piece,
                    max_age,
                    self.secure(),
                ));
            }
        } else {
            tracing::warn!("session cookie cache too large even after chunking; skipped");
        }
    }

    /// The `session_data` cookie, joined from its chunks when chunked. An empty value is
    /// none (better-auth tests the value's truthiness, so `session_data=` is neither
    /// decoded nor expired).
    fn session_data_cookie(&self) -> Option<String> {
        let names = &self.auth.0.cookies;
        let value = match self.cookies.get(&names.session_data) {
            Some(value) => value.to_owned(),
            None => {
                let chunks = self.cookies.chunk_names(&names.session_data);
                chunks.iter().filter_map(|name| self.cookies.get(name)).collect()
            }
        };
        (!value.is_empty()).then_some(value)
    }

    /// Decodes a compact `session_data` cookie; `None` if malformed or badly signed.
    fn decode_cookie_cache(&self, raw: &str) -> Option<(SessionData, i64)> {
        let decoded = decode_base64_any(&encode_uri_component(raw).replace("%3D", "="))?;
        let outer: CompactCache<'_> = serde_json::from_slice(&decoded).ok()?;
        let inner = outer.session.get();
        let signed = format!("{},\"expiresAt\":{}}}", inner.strip_suffix('}')?, outer.expires_at);
        let expected = hmac_sha256(self.secret().as_bytes(), signed.as_bytes());
        if !constant_time_eq(&decode_base64_any(&outer.signature)?, &expected) {
            return None;
        }
        let cached: CachedSession = serde_json::from_str(inner).ok()?;
        if cached.version.as_deref().unwrap_or("1") != "1" {
            return None;
        }
        let expires_at = outer.expires_at.as_f64()? as i64;
        Some((
            SessionData {
                session: cached.session,
                user: cached.user,
                needs_refresh: None,
            },
            expires_at,
        ))
    }

    /// The `/get-session` algorithm. Errors only for the refresh race
    /// (`401 FAILED_TO_GET_SESSION`) and storage failures.
    pub async fn get_session(&mut self, lookup: Lookup) -> ApiResult<Option<SessionData>> {
        if let Some(provided) = &self.provided_session {
            return Ok(Some(provided.clone()));
        }
        let auth = self.auth.clone();
        let config = &auth.0.config.session;
        let names = auth.0.cookies.clone();
        let token = self
            .cookies
            .signed(&names.session_token, self.secret())
            .value()
            .map(str::to_owned);
        let cache_enabled = config.cookie_cache.enabled;
        if token.is_none() && cache_enabled {
            return Ok(None);
        }
        let cache_cookie = self.session_data_cookie();
        if cache_cookie.is_some() && !cache_enabled {
            self.out.expire_cookie(&names.session_data, self.secure());
        }
        let Some(token) = token else {
            return Ok(None);
        };
        let dont_remember = self.dont_remember_cookie();
        if cache_enabled
            && !lookup.disable_cookie_cache
            && let Some(raw) = cache_cookie
        {
            match self.decode_cookie_cache(&raw) {
                Some((data, expires_at))
                    if data.session.token.expose() == token
                        && expires_at > Utc::now().timestamp_millis()
                        && data.session.expires_at > Utc::now() =>
                {
                    return Ok(Some(data));
                }
                _ => self.out.expire_cookie(&names.session_data, self.secure()),
            }
        }
        let now = now_millis();
        let mut db = auth.0.db.clone();
        let store = auth.sessions();
        let found = store.find_with_user(&mut db, &token).await?;
        let expired = found_expired(&found, now);
        let Some(mut data) = found.filter(|d| d.session.expires_at >= now) else {
            self.delete_session_cookies();
            if expired
                && (!config.defer_session_refresh || lookup.post)
                && let Err(refusal) = store.try_delete(&mut db, &token).await?
            {
                tracing::debug!(error = %Escaped(&refusal), "a session hook kept an expired session");
            }
            return Ok(None);
        };
        if dont_remember || lookup.disable_refresh {
            return Ok(Some(data));
        }
        let expires_in = self.expires_in();
        let update_age = Duration::from_std(config.update_age).unwrap_or(Duration::days(1));
        let due = data.session.expires_at - expires_in + update_age <= now;
        let needs_refresh = due && !config.disable_session_refresh;
        if config.defer_session_refresh && !lookup.post {
            self.set_cookie_cache(&data, dont_remember);
            data.needs_refresh = Some(needs_refresh);
            return Ok(Some(data));
        }
        if needs_refresh {
            let changes = vec![("expiresAt".to_owned(), Arg::from(now + expires_in))];
            // A session hook refusing the new expiry leaves the session as it was.
            match store.try_update(&mut db, &token, changes, now).await? {
                Ok(Some(updated)) => {
                    data.session = updated;
                    self.set_session_cookie(&data, Some(false));
                    return Ok(Some(data));
                }
                Ok(None) => {
                    self.delete_session_cookies();
                    return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::FailedToGetSession));
                }
                Err(refusal) => {
                    tracing::debug!(error = %Escaped(&refusal), "a session hook kept the session's expiry");
                }
            }
        }
        self.set_cookie_cache(&data, dont_remember);
        Ok(Some(data))
    }

    /// better-auth's `getSessionFromCtx`: the request's session, resolved once.
    pub async fn session(&mut self) -> Option<SessionData> {
        if let Some(cached) = &self.session_cache {
            return cached.clone();
        }
        let resolved = self.get_session(Lookup::default()).await.unwrap_or_else(|error| {
            tracing::debug!(error = %Escaped(&error), "session lookup failed");
            None
        });
        self.session_cache = Some(resolved.clone());
        resolved
    }

    /// `sessionMiddleware`: a session is required (401 otherwise).
    pub async fn require_session(&mut self) -> ApiResult<SessionData> {
        self.session().await.ok_or_else(ApiError::unauthorized)
    }

    /// `sensitiveSessionMiddleware`: like [`Ctx::require_session`] but always reads the
    /// database, never the cookie cache.
    pub async fn require_sensitive_session(&mut self) -> ApiResult<SessionData> {
        let resolved = self
            .get_session(Lookup {
                disable_cookie_cache: true,
                ..Lookup::default()
            })
            .await
            .unwrap_or(None);
        self.session_cache = Some(resolved.clone());
        resolved.ok_or_else(ApiError::unauthorized)
    }

    /// `freshSessionMiddleware`: a session created less than `freshAge` ago.
    pub async fn require_fresh_session(&mut self) -> ApiResult<SessionData> {
        let data = self.require_session().await?;
        if !self.is_fresh(&data.session) {
            return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::SessionNotFresh));
        }
        Ok(data)
    }

    /// Whether a session is younger than `freshAge` (always, when `freshAge` is 0).
    pub fn is_fresh(&self, session: &Session) -> bool {
        let fresh_age = self.auth.0.config.session.fresh_age;
        fresh_age.is_zero()
            || Utc::now() - session.created_at < Duration::from_std(fresh_age).unwrap_or(Duration::days(1))
    }

    /// The row of a new session for `user_id`, with this request's IP and user agent.
    /// With `dont_remember`, it lasts one day.
    pub fn new_session_record(&self, user_id: &str, dont_remember: bool, now: DateTime<Utc>) -> sessions::NewSession {
        let lifetime = if dont_remember {
            Duration::days(1)
        } else {
            self.expires_in()
        };
        let additional = self
            .auth
            .0
            .fields
            .session
            .iter()
            .filter_map(|field| field.default.clone().map(|value| (field.name.clone(), value)))
            .collect::<serde_json::Map<String, Value>>();
        sessions::NewSession {
            user_id: user_id.to_owned(),
            expires_at: now + lifetime,
            ip_address: self.ip.map(stored_ip_address).unwrap_or_default(),
            user_agent: self.header("user-agent").unwrap_or_default().to_owned(),
            additional,
        }
    }

    /// Creates a session for `user` (see [`Ctx::new_session_record`]).
    pub async fn create_session(&self, user: &User, dont_remember: bool) -> ApiResult<Session> {
        let now = now_millis();
        let record = self.new_session_record(&user.id, dont_remember, now);
        let mut db = self.auth.0.db.clone();
        self.auth.sessions().create(&mut db, record, user, now).await
    }

    /// Signs `user` in: creates a session and sets its cookies. `dont_remember` is the
    /// sign-in's remember-me choice; `None` keeps the request's (as better-auth's
    /// `setSessionCookie` without the argument does).
    pub async fn start_session(&mut self, user: User, dont_remember: Option<bool>) -> ApiResult<SessionData> {
        let session = self.create_session(&user, dont_remember.unwrap_or(false)).await?;
        let data = SessionData {
            session,
            user,
            needs_refresh: None,
        };
        self.set_session_cookie(&data, dont_remember);
        Ok(data)
    }

    /// Replaces `old` with a new session for `user` that keeps the old one's client details
    /// and plugin fields (better-auth does this when two-factor settings change, so a
    /// stolen token stops working), sets its cookie, and deletes the old session.
    pub async fn rotate_session(&mut self, old: &Session, user: User) -> ApiResult<SessionData> {
        let now = now_millis();
        let mut record = self.new_session_record(&user.id, false, now);
        record.ip_address = old.ip_address.clone().unwrap_or_default();
        record.user_agent = old.user_agent.clone().unwrap_or_default();
        for (name, value) in &old.additional {
            record.additional.insert(name.clone(), value.clone());
        }
        let auth = self.auth.clone();
        let mut db = auth.0.db.clone();
        let store = auth.sessions();
        let session = store.create(&mut db, record, &user, now).await?;
        let data = SessionData {
            session,
            user,
            needs_refresh: None,
        };
        self.set_session_cookie(&data, None);
        // The rotation stands even if a session hook keeps the old session.
        if let Err(refusal) = store.try_delete(&mut db, old.token.expose()).await? {
            tracing::debug!(error = %Escaped(&refusal), "a session hook kept a rotated session");
        }
        Ok(data)
    }

    /// Now, at millisecond precision.
    pub fn now(&self) -> DateTime<Utc> {
        now_millis()
    }
}

/// An address as better-auth's `normalizeIP` stores it in `session.ipAddress`: IPv4 as
/// it is (also when mapped into IPv6), IPv6 as its /64 network in full lowercase groups
/// (`2001:0db8:0000:0000:0000:0000:0000:0000`).
pub(crate) fn stored_ip_address(ip: std::net::IpAddr) -> String {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & (u128::MAX << 64);
                std::net::Ipv6Addr::from(network)
                    .segments()
                    .iter()
                    .map(|group| format!("{group:04x}"))
                    .collect::<Vec<_>>()
                    .join(":")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::stored_ip_address;

    #[test]
    fn session_addresses_are_stored_as_better_auth_normalises_them() {
        let stored = |ip: &str| stored_ip_address(ip.parse().expect("ip"));
        assert_eq!(stored("203.0.113.9"), "203.0.113.9");
        assert_eq!(stored("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(stored("2001:DB8::1"), "2001:0db8:0000:0000:0000:0000:0000:0000");
        assert_eq!(
            stored("2001:db8:1:2:3:4:5:6"),
            "2001:0db8:0001:0002:0000:0000:0000:0000"
        );
    }
}
