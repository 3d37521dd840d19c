//! Timestamps as better-auth puts them on the wire: ISO-8601 UTC with exactly three
//! fractional digits and a `Z` (JavaScript's `Date.prototype.toJSON`).
//!
//! Reading is lenient: any RFC 3339 timestamp (any precision, any offset) is accepted,
//! because SQL-backed better-auth servers and proxies do not always agree on precision.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// The current time truncated to whole milliseconds, the precision better-auth stores.
pub fn now_millis() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// Formats a timestamp the way better-auth does: `2026-11-23T19:52:26.106Z`.
pub fn format_iso(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses any RFC 3339 timestamp into UTC.
pub fn parse_iso(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|parsed| parsed.with_timezone(&Utc))
}

/// `#[serde(with = "iso")]` for required timestamps.
pub mod iso {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Serializes as a millisecond ISO-8601 string.
    pub fn serialize<S: Serializer>(value: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_iso(value))
    }

    /// Deserializes any RFC 3339 string.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(deserializer)?;
        super::parse_iso(&raw).ok_or_else(|| D::Error::custom(format!("invalid timestamp `{raw}`")))
    }
}

/// `#[serde(with = "iso_opt", default)]` for optional timestamps (absent or `null`).
pub mod iso_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Serializes `Some` as a millisecond ISO-8601 string and `None` as `null`.
    pub fn serialize<S: Serializer>(value: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_str(&super::format_iso(value)),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes a string, `null`, or an absent field.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(raw) => super::parse_iso(&raw)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("invalid timestamp `{raw}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_javascript_to_json() {
        let parsed = parse_iso("2026-11-23T19:52:26.106Z").expect("valid");
        assert_eq!(format_iso(&parsed), "2026-11-23T19:52:26.106Z");
        let micro = parse_iso("2026-11-23T19:52:26.106789+00:00").expect("valid");
        assert_eq!(format_iso(&micro), "2026-11-23T19:52:26.106Z");
        let offset = parse_iso("2026-11-23T21:52:26+02:00").expect("valid");
        assert_eq!(format_iso(&offset), "2026-11-23T19:52:26.000Z");
        assert!(parse_iso("yesterday").is_none());
    }

    #[test]
    fn now_has_millisecond_precision() {
        let now = now_millis();
        assert_eq!(now.timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
