//! Checking a key and spending one use of it, in `@better-auth/api-key`'s order: the key
//! must exist (`401 INVALID_API_KEY`), be enabled (`401 KEY_DISABLED`), not have expired
//! (the row is deleted, `401 KEY_EXPIRED`), hold the permissions asked for
//! (`401 KEY_NOT_FOUND`) and have a use left (a spent key without refill is deleted,
//! `429 USAGE_EXCEEDED`); then a use is spent (refilled first when due), the request is
//! counted against the key's rate limit (`429 RATE_LIMITED` with `details.tryAgainIn`),
//! and `updatedAt` is set.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::config::{ApiKeyConfig, is_default_id};
use super::store::{self, ApiKeyRow};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use keyward_client::wire::ErrorCode;
use keyward_client::wire::organization::access::{Permissions, Role};
use keyward_client::wire::time::now_millis;

/// How a key is stored: base64url (no padding) of the SHA-256 of the whole key, prefix
/// included (`defaultKeyHasher`), or the key itself with hashing disabled.
pub(super) fn stored_form(config: &ApiKeyConfig, key: &str) -> String {
    if config.disable_key_hashing {
        key.to_owned()
    } else {
        URL_SAFE_NO_PAD.encode(Sha256::digest(key.as_bytes()))
    }
}

/// Whether a key's `configId` is `expected` (a missing one and `default` are the same).
pub(super) fn config_id_matches(stored: Option<&str>, expected: &str) -> bool {
    (is_default_id(stored) && is_default_id(Some(expected))) || stored == Some(expected)
}

fn refused(status: StatusCode, code: ErrorCode) -> ApiError {
    ApiError::new(status, code)
}

/// Checks `key` (and `permissions`, when asked) and spends one use of it; the row after
/// the use. `lookup` is the configuration the key is looked up with (its hashing);
/// `expected`, when given, the configuration it must belong to; the key's own
/// configuration (of `root`'s) rules its rate limit.
pub(super) async fn validate(
    auth: &Auth,
    root: &ApiKeyConfig,
    lookup: &ApiKeyConfig,
    expected: Option<&str>,
    key: &str,
    permissions: Option<&Permissions>,
) -> ApiResult<ApiKeyRow> {
    let mut db = auth.0.db.clone();
    let Some(row) = store::find_by_key(&mut db, &stored_form(lookup, key)).await? else {
        return Err(refused(StatusCode::UNAUTHORIZED, ErrorCode::InvalidApiKey));
    };
    if expected.is_some_and(|expected| !config_id_matches(row.config_id.as_deref(), expected)) {
        return Err(refused(StatusCode::UNAUTHORIZED, ErrorCode::InvalidApiKey));
    }
    let config = root.resolve(row.config_id.as_deref());
    if row.enabled == Some(false) {
        return Err(refused(StatusCode::UNAUTHORIZED, ErrorCode::KeyDisabled));
    }
    let now = now_millis();
    if row.expires_at.is_some_and(|expires| now > expires) {
        store::delete(&mut db, &row.id).await?;
        return Err(refused(StatusCode::UNAUTHORIZED, ErrorCode::KeyExpired));
    }
    if let Some(wanted) = permissions {
        let granted = row.permission_set();
        if !granted.is_some_and(|granted| Role::new(granted).authorize(wanted)) {
            return Err(refused(StatusCode::UNAUTHORIZED, ErrorCode::KeyNotFound));
        }
    }
    if row.remaining == Some(0) && row.refill_amount.is_none() {
        store::delete(&mut db, &row.id).await?;
        return Err(refused(StatusCode::TOO_MANY_REQUESTS, ErrorCode::UsageExceeded));
    }
    let mut row = row;
    if row.remaining.is_some() {
        row = spend_use(auth, &row, now).await?;
    }
    row = count_request(auth, config, row, now).await?;
    let touched = store::update(&mut db, &row.id, vec![("updatedAt", now.into())]).await?;
    touched.ok_or_else(|| refused(StatusCode::UNAUTHORIZED, ErrorCode::InvalidApiKey))
}

/// Spends one use, refilling first when the refill is due (exactly one request wins a
/// refill; the others then spend from it).
async fn spend_use(auth: &Auth, row: &ApiKeyRow, now: DateTime<Utc>) -> ApiResult<ApiKeyRow> {
    let mut db = auth.0.db.clone();
    if let (Some(interval), Some(amount)) = (row.refill_interval, row.refill_amount)
        && interval != 0
        && amount != 0
    {
        let last = row.last_refill_at.unwrap_or(row.created_at);
        if (now - last).num_milliseconds() > interval
            && let Some(refilled) = store::refill(&mut db, &row.id, row.last_refill_at, amount, now).await?
        {
            return Ok(refilled);
        }
    }
    store::spend_use(&mut db, &row.id)
        .await?
        .ok_or_else(|| refused(StatusCode::TOO_MANY_REQUESTS, ErrorCode::UsageExceeded))
}

/// What the key's rate limit makes of this request.
#[derive(Debug, PartialEq)]
enum RateDecision {
    /// No limit applies; `touch` records the request's time.
    Skip { touch: bool },
    /// The first request since the window (or ever): a new window.
    Start { after: Option<DateTime<Utc>> },
    /// Counted in the current window, which began after `window_start`.
    Count { window_start: DateTime<Utc>, max: i64 },
    /// Refused: try again in this many milliseconds.
    Deny { try_again_in: i64 },
}

/// better-auth's `evaluateRateLimit`: the window slides from the last allowed request.
fn decide(config: &ApiKeyConfig, row: &ApiKeyRow, now: DateTime<Utc>) -> RateDecision {
    if !config.rate_limit.enabled || row.rate_limit_enabled == Some(false) {
        return RateDecision::Skip { touch: true };
    }
    let (Some(window), Some(max)) = (row.rate_limit_time_window, row.rate_limit_max) else {
        return RateDecision::Skip { touch: false };
    };
    let Some(last) = row.last_request else {
        return RateDecision::Start { after: None };
    };
    let since = (now - last).num_milliseconds();
    let window_start = now - Duration::milliseconds(window);
    if since > window {
        return RateDecision::Start {
            after: Some(window_start),
        };
    }
    if row.request_count.unwrap_or(0) >= max {
        return RateDecision::Deny {
            try_again_in: window - since,
        };
    }
    RateDecision::Count { window_start, max }
}

/// Counts the request against the key's rate limit; a guard lost to a concurrent request
/// reads the row again and decides again.
async fn count_request(auth: &Auth, config: &ApiKeyConfig, row: ApiKeyRow, now: DateTime<Utc>) -> ApiResult<ApiKeyRow> {
    let mut db = auth.0.db.clone();
    let mut row = row;
    loop {
        let applied = match decide(config, &row, now) {
            RateDecision::Skip { touch: false } => return Ok(row),
            RateDecision::Skip { touch: true } => {
                let touched = store::update(&mut db, &row.id, vec![("lastRequest", now.into())]).await?;
                return Ok(touched.unwrap_or(row));
            }
            RateDecision::Deny { try_again_in } => {
                return Err(ApiError::with_message(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::RateLimited,
                    ErrorCode::RateLimitExceeded.default_message(),
                )
                .with_field("details", serde_json::json!({ "tryAgainIn": try_again_in })));
            }
            RateDecision::Count { window_start, max } => {
                store::count_request(&mut db, &row.id, window_start, max, now).await?
            }
            RateDecision::Start { after } => store::start_window(&mut db, &row.id, after, now).await?,
        };
        if let Some(applied) = applied {
            return Ok(applied);
        }
        row = store::find(&mut db, &row.id)
            .await?
            .ok_or_else(|| refused(StatusCode::UNAUTHORIZED, ErrorCode::InvalidApiKey))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(last_request: Option<DateTime<Utc>>, count: i64) -> ApiKeyRow {
        ApiKeyRow {
            id: "k".into(),
            config_id: Some("default".into()),
            name: None,
            start: None,
            reference_id: "u".into(),
            prefix: None,
            key: "h".into(),
            refill_interval: None,
            refill_amount: None,
            last_refill_at: None,
            enabled: Some(true),
            rate_limit_enabled: Some(true),
            rate_limit_time_window: Some(1000),
            rate_limit_max: Some(2),
            request_count: Some(count),
            remaining: None,
            last_request,
            expires_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            permissions: None,
            metadata: None,
        }
    }

    #[test]
    fn the_window_slides_from_the_last_allowed_request() {
        let config = ApiKeyConfig::default();
        let now = Utc::now();
        assert_eq!(decide(&config, &key(None, 0), now), RateDecision::Start { after: None });
        let recent = now - Duration::milliseconds(600);
        assert_eq!(
            decide(&config, &key(Some(recent), 2), now),
            RateDecision::Deny { try_again_in: 400 }
        );
        assert!(matches!(
            decide(&config, &key(Some(recent), 1), now),
            RateDecision::Count { max: 2, .. }
        ));
        let old = now - Duration::milliseconds(1500);
        assert!(matches!(
            decide(&config, &key(Some(old), 2), now),
            RateDecision::Start { after: Some(_) }
        ));
        let mut unlimited = key(Some(recent), 5);
        unlimited.rate_limit_enabled = Some(false);
        assert_eq!(decide(&config, &unlimited, now), RateDecision::Skip { touch: true });
        unlimited.rate_limit_enabled = Some(true);
        unlimited.rate_limit_max = None;
        assert_eq!(decide(&config, &unlimited, now), RateDecision::Skip { touch: false });
    }

    #[test]
    fn keys_are_stored_as_better_auths_hash() {
        let config = ApiKeyConfig::default();
        // base64url(SHA-256("abc")), as `defaultKeyHasher` computes it.
        assert_eq!(
            stored_form(&config, "abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }
}
