//! The masking of what must differ between two servers' answers (the rules are in the
//! parent module's documentation), and the comparison of two masked bodies.

use super::*;

/// Masks, in one answer, the values that must differ between two servers (see the
/// module's documentation for the rules).
pub(super) struct Masker<'a> {
    pub(super) origin: &'a str,
    pub(super) vars: &'a BTreeMap<String, String>,
    pub(super) sent_at: DateTime<Utc>,
    /// Generated ids seen in this answer, numbered in order of appearance.
    pub(super) ids: BTreeMap<String, usize>,
}

impl Masker<'_> {
    pub(super) fn value(&mut self, key: Option<&str>, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.string(key, text)),
            // How long a rate-limited caller waits: milliseconds that depend on when the
            // request came.
            Value::Number(_) if key == Some("tryAgainIn") => Value::String("<milliseconds>".to_owned()),
            Value::Array(items) => Value::Array(items.iter().map(|item| self.value(key, item)).collect()),
            Value::Object(map) => {
                // Sorted, so ids are numbered in the same order whatever each server's key order.
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut masked = serde_json::Map::new();
                for name in keys {
                    masked.insert(name.clone(), self.value(Some(name), &map[name]));
                }
                Value::Object(masked)
            }
            other => other.clone(),
        }
    }

    pub(super) fn string(&mut self, key: Option<&str>, text: &str) -> String {
        if let Some((name, _)) = self.vars.iter().find(|(_, value)| value.as_str() == text) {
            return format!("{{{name}}}");
        }
        if key == Some("backupCodes") && is_backup_code(text) {
            return "<backup-code>".to_owned();
        }
        if key == Some("start")
            && let Some((name, _)) = self.vars.iter().find(|(_, value)| value.starts_with(text))
        {
            return format!("<start of {{{name}}}>");
        }
        if matches!(key, Some("x" | "y" | "n")) && is_base64url(text) && text.len() >= 20 {
            return "<key-material>".to_owned();
        }
        if text.split('.').count() == 3 && text.split('.').all(is_base64url) {
            return masked_jwt(text);
        }
        if is_generated_id(text) {
            let next = self.ids.len() + 1;
            let number = *self.ids.entry(text.to_owned()).or_insert(next);
            return format!("<id:{number}>");
        }
        if let Some((local, domain)) = text.split_once('@') {
            let (prefix, id) = local.strip_prefix("temp-").map_or(("", local), |id| ("temp-", id));
            if is_generated_id(id) {
                return format!("{prefix}<generated>@{domain}");
            }
        }
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            let seconds = (time.with_timezone(&Utc) - self.sent_at).num_seconds();
            return format!("<time:{seconds:+}s>");
        }
        self.url(text)
    }

    /// The origin as `{origin}`, and generated query parameter values masked.
    pub(super) fn url(&self, text: &str) -> String {
        let encoded: String = url::form_urlencoded::byte_serialize(self.origin.as_bytes()).collect();
        let text = text.replace(self.origin, "{origin}").replace(&encoded, "{origin}");
        let Some((head, query)) = text.split_once('?') else {
            return text;
        };
        let (query, fragment) = query.split_once('#').map_or((query, None), |(q, f)| (q, Some(f)));
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if MASKED_QUERY_PARAMETERS.contains(&name) => format!("{name}=<{name}>"),
                _ => pair.to_owned(),
            })
            .collect();
        let mut masked = format!("{head}?{}", pairs.join("&"));
        if let Some(fragment) = fragment {
            masked.push('#');
            masked.push_str(fragment);
        }
        masked
    }
}

/// better-auth's generated ids and session tokens: letters and digits only, 20 to 64.
pub(super) fn is_generated_id(text: &str) -> bool {
    (20..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Unpadded base64url text.
pub(super) fn is_base64url(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A compact JWS as its algorithm and claim names (values differ between servers):
/// `<jwt alg=EdDSA claims=aud,email,…>`.
pub(super) fn masked_jwt(token: &str) -> String {
    let part = |index: usize| -> Value {
        token
            .split('.')
            .nth(index)
            .and_then(keyward_server::crypto::decode_base64_any)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(Value::Null)
    };
    let (header, claims) = (part(0), part(1));
    let mut names: Vec<&String> = claims
        .as_object()
        .map(|claims| claims.keys().collect())
        .unwrap_or_default();
    names.sort();
    let names: Vec<&str> = names.iter().map(|name| name.as_str()).collect();
    format!(
        "<jwt alg={} claims={}>",
        header["alg"].as_str().unwrap_or("?"),
        names.join(",")
    )
}

/// A backup code: `xxxxx-xxxxx`, letters and digits.
pub(super) fn is_backup_code(text: &str) -> bool {
    text.len() == 11
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 5 { b == b'-' } else { b.is_ascii_alphanumeric() })
}

/// A masked time's offset in seconds (`<time:+60s>`).
pub(super) fn masked_time(text: &str) -> Option<i64> {
    text.strip_prefix("<time:")?.strip_suffix("s>")?.parse().ok()
}

pub(super) fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointers at which two masked bodies differ: a missing key, an array of
/// another length, another value (times within the tolerance are the same).
pub(super) fn body_differences(ours: &Value, theirs: &Value, pointer: &str, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let path = format!("{pointer}/{}", escape_pointer(key));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => body_differences(x, y, &path, out),
                    _ => out.push(path),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                body_differences(x, y, &format!("{pointer}/{index}"), out);
            }
        }
        (Value::String(a), Value::String(b)) => match (masked_time(a), masked_time(b)) {
            (Some(x), Some(y)) if (x - y).abs() <= TIME_TOLERANCE_SECONDS => {}
            _ if a == b => {}
            _ => out.push(pointer.to_owned()),
        },
        _ if ours == theirs => {}
        _ => out.push(pointer.to_owned()),
    }
}
