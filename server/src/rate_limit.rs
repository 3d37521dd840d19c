//! Rate limiting as better-auth does it: a fixed window per `"<ip>|<path>"`, anchored at
//! the first request, with stricter rules for sign-in, sign-up, password and email paths.
//! Blocked requests get `429`, `X-Retry-After` and better-auth's body.
//!
//! The counters live behind [`RateLimitStore`]; [`MemoryStore`] is the default, and a
//! shared store (Redis) can replace it for several server processes.
//!
//! Why not `governor` / `tower_governor`: they implement GCRA, which spreads a quota
//! evenly over its window (with 3 requests per 10 s, a fourth is let through 3.3 s after
//! a burst of three), where better-auth blocks until the window started by the first
//! request has passed and answers `X-Retry-After` with the seconds left in it (the same
//! client test runs against both servers and expects `retry_after: 10`,
//! `tests/tests/client_endpoints.rs`). In Redis the counters are better-auth's own: an
//! atomic increment of `<ip>|<path>` that expires with the window, as better-auth's
//! secondary-storage limiter keeps them, so instances share one limit
//! (`server/tests/instances.rs`); a GCRA store keeps a timestamp instead of a count. What
//! is written here is the window arithmetic (`decide`) and the rules per path.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::{RateLimitConfig, RateLimitRule};
use crate::origin::wildcard_match;
use keyward_client::wire::routes::{RequestPasswordReset, Route, SendVerificationEmail};

/// The verdict on one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// Seconds until the window resets, when blocked.
    pub retry_after: Option<u64>,
}

/// Keeps the counters.
#[async_trait::async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Counts one request for `key` under `rule` and decides, atomically.
    async fn consume(&self, key: &str, rule: RateLimitRule) -> Result<Decision, String>;
}

struct Entry {
    count: u32,
    window_start: Instant,
    expires: Instant,
}

/// Counters in process memory (lost on restart, not shared between processes).
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Entry>>,
    max_entries: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            max_entries: 100_000,
        }
    }
}

impl MemoryStore {
    fn prune(entries: &mut HashMap<String, Entry>, now: Instant, max_entries: usize) {
        entries.retain(|_, entry| entry.expires > now);
        if entries.len() > max_entries {
            let overflow = entries.len() - max_entries;
            let victims: Vec<String> = entries.keys().take(overflow).cloned().collect();
            for key in victims {
                entries.remove(&key);
            }
        }
    }
}

/// better-auth's `decideConsume`, on an in-memory entry.
fn decide(entry: Option<&mut Entry>, rule: RateLimitRule, now: Instant) -> (Decision, Option<Entry>) {
    let allowed = Decision {
        allowed: true,
        retry_after: None,
    };
    match entry {
        None => (
            allowed,
            Some(Entry {
                count: 1,
                window_start: now,
                expires: now + rule.window,
            }),
        ),
        Some(entry) if now.duration_since(entry.window_start) >= rule.window => {
            *entry = Entry {
                count: 1,
                window_start: now,
                expires: now + rule.window,
            };
            (allowed, None)
        }
        Some(entry) if entry.count >= rule.max => {
            let remaining = (entry.window_start + rule.window).saturating_duration_since(now);
            let retry_after = remaining.as_millis().div_ceil(1000).max(1) as u64;
            (
                Decision {
                    allowed: false,
                    retry_after: Some(retry_after),
                },
                None,
            )
        }
        Some(entry) => {
            entry.count += 1;
            entry.expires = now + rule.window;
            (allowed, None)
        }
    }
}

#[async_trait::async_trait]
impl RateLimitStore for MemoryStore {
    async fn consume(&self, key: &str, rule: RateLimitRule) -> Result<Decision, String> {
        let now = Instant::now();
        let mut entries = self.entries.lock().map_err(|e| e.to_string())?;
        if entries.len() >= self.max_entries {
            Self::prune(&mut entries, now, self.max_entries);
        }
        let live = entries.get_mut(key).filter(|entry| entry.expires > now);
        let (decision, new_entry) = decide(live, rule, now);
        if let Some(entry) = new_entry {
            entries.insert(key.to_owned(), entry);
        }
        Ok(decision)
    }
}

/// Counters in the secondary storage (Redis), shared by every server process: one atomic
/// increment per request, as better-auth's `storage: "secondary-storage"` does. The
/// window starts with the first request and is not extended by later ones.
pub struct SecondaryStorageStore(pub std::sync::Arc<dyn crate::secondary_storage::SecondaryStorage>);

#[async_trait::async_trait]
impl RateLimitStore for SecondaryStorageStore {
    async fn consume(&self, key: &str, rule: RateLimitRule) -> Result<Decision, String> {
        let window = rule.window.as_secs().max(1);
        let count = self.0.increment(key, window).await.map_err(|e| e.to_string())?;
        let allowed = count <= i64::from(rule.max);
        Ok(Decision {
            allowed,
            retry_after: (!allowed).then_some(window),
        })
    }
}

/// Which rule applies to `path` (relative to the base path); `None` means no limit. The
/// configuration's custom rules come first, then the plugins' rules (`plugin_rules`, a
/// pattern exact or ending in `*`), then better-auth's special paths, then the default.
pub fn rule_for(
    config: &RateLimitConfig,
    plugin_rules: &[(String, RateLimitRule)],
    path: &str,
) -> Option<RateLimitRule> {
    let mut rule = config.default_rule;
    let strict = RateLimitRule {
        window: Duration::from_secs(10),
        max: 3,
    };
    let email = RateLimitRule {
        window: Duration::from_secs(60),
        max: 3,
    };
    if ["/sign-in", "/sign-up", "/change-password", "/change-email"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        rule = strict;
    } else if path == RequestPasswordReset::PATH
        || path == SendVerificationEmail::PATH
        || path.starts_with("/forget-password")
    {
        rule = email;
    }
    if let Some((_, plugin_rule)) = plugin_rules.iter().find(|(pattern, _)| wildcard_match(pattern, path)) {
        rule = *plugin_rule;
    }
    for (pattern, custom) in &config.custom_rules {
        let matches = if pattern.contains('*') {
            wildcard_match(pattern, path)
        } else {
            pattern == path
        };
        if matches {
            return *custom;
        }
    }
    Some(rule)
}

/// The rate-limit key of an IP: IPv6 addresses share a bucket per /64, as in better-auth.
pub fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let segments = v6.segments();
                format!(
                    "{:x}:{:x}:{:x}:{:x}::/64",
                    segments[0], segments[1], segments[2], segments[3]
                )
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fixed_window_blocks_after_max() {
        let store = MemoryStore::default();
        let rule = RateLimitRule {
            window: Duration::from_secs(10),
            max: 3,
        };
        for _ in 0..3 {
            assert!(store.consume("k", rule).await.expect("ok").allowed);
        }
        let blocked = store.consume("k", rule).await.expect("ok");
        assert!(!blocked.allowed);
        assert_eq!(blocked.retry_after, Some(10));
        assert!(store.consume("other", rule).await.expect("ok").allowed);
    }

    #[tokio::test]
    async fn window_resets() {
        let store = MemoryStore::default();
        let rule = RateLimitRule {
            window: Duration::from_millis(50),
            max: 1,
        };
        assert!(store.consume("k", rule).await.expect("ok").allowed);
        assert!(!store.consume("k", rule).await.expect("ok").allowed);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(store.consume("k", rule).await.expect("ok").allowed);
    }

    #[tokio::test]
    async fn secondary_storage_counters_block_after_max() {
        let storage = std::sync::Arc::new(crate::secondary_storage::MemoryStorage::default());
        let (first, second) = (SecondaryStorageStore(storage.clone()), SecondaryStorageStore(storage));
        let rule = RateLimitRule {
            window: Duration::from_secs(10),
            max: 2,
        };
        assert!(first.consume("k", rule).await.expect("ok").allowed);
        assert!(second.consume("k", rule).await.expect("ok").allowed);
        let blocked = first.consume("k", rule).await.expect("ok");
        assert_eq!(
            blocked,
            Decision {
                allowed: false,
                retry_after: Some(10)
            },
            "the two stores share one counter"
        );
    }

    #[test]
    fn special_and_custom_rules() {
        let mut config = RateLimitConfig::default();
        assert_eq!(rule_for(&config, &[], "/sign-in/email").map(|r| r.max), Some(3));
        assert_eq!(
            rule_for(&config, &[], "/request-password-reset").map(|r| r.window),
            Some(Duration::from_secs(60))
        );
        assert_eq!(rule_for(&config, &[], "/get-session").map(|r| r.max), Some(100));
        config.custom_rules.push(("/get-session".into(), None));
        config.custom_rules.push((
            "/sign-*".into(),
            Some(RateLimitRule {
                window: Duration::from_secs(1),
                max: 50,
            }),
        ));
        assert_eq!(rule_for(&config, &[], "/get-session"), None);
        assert_eq!(rule_for(&config, &[], "/sign-up/email").map(|r| r.max), Some(50));
    }

    #[test]
    fn ipv6_shares_a_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("ip");
        assert_eq!(ip_key(a), ip_key(b));
        assert_eq!(ip_key("::ffff:10.0.0.1".parse().expect("ip")), "10.0.0.1");
    }
}
