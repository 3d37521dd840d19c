//! The textual formats of environment values: seconds, switches, whole numbers, lists,
//! additional fields, rate-limit rules and role maps. Each parser names the variable in
//! its error.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use keyward_client::wire::organization::{Permissions, Role};

use crate::config::{AdditionalField, ConfigError, RateLimitRule, TrustedProxy};
use crate::db::FieldType;

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidVariable {
        name,
        reason: reason.into(),
    }
}

/// A positive number of seconds, fractions allowed (`0.5`).
pub(crate) fn parse_seconds(name: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| invalid(name, format!("`{value}` is not a positive number of seconds")))
}

/// Like [`parse_seconds`], and `0` is allowed.
pub(crate) fn parse_seconds_or_zero(name: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| invalid(name, format!("`{value}` is not zero or a positive number of seconds")))
}

/// `on`/`off` (or `1`/`0`, `true`/`false`).
pub(crate) fn parse_switch(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "off" | "0" | "false" => Ok(false),
        "on" | "1" | "true" => Ok(true),
        other => Err(invalid(name, format!("expected on or off, got `{other}`"))),
    }
}

/// A whole number from `min` to `max`.
pub(crate) fn parse_whole(name: &'static str, value: &str, min: u64, max: u64) -> Result<u64, ConfigError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|number| (min..=max).contains(number))
        .ok_or_else(|| {
            let wanted = if max == u64::MAX {
                format!("a whole number of at least {min}")
            } else {
                format!("a whole number from {min} to {max}")
            };
            invalid(name, format!("`{value}` is not {wanted}"))
        })
}

/// One of `choices` (by its text).
pub(crate) fn parse_choice<T: Copy>(name: &'static str, value: &str, choices: &[(&str, T)]) -> Result<T, ConfigError> {
    let value = value.trim();
    choices
        .iter()
        .find(|(text, _)| *text == value)
        .map(|(_, choice)| *choice)
        .ok_or_else(|| {
            let known: Vec<&str> = choices.iter().map(|(text, _)| *text).collect();
            invalid(name, format!("`{value}` is not one of {}", known.join(", ")))
        })
}

/// Comma-separated items, trimmed, empty ones dropped.
pub(crate) fn parse_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `BETTER_AUTH_SECRETS`: `"<version>:<secret>,…"`, newest first.
pub(crate) fn parse_versioned_secrets(list: &str) -> Result<Vec<(u32, String)>, ConfigError> {
    list.split(',')
        .enumerate()
        .map(|(index, entry)| {
            let entry = entry.trim();
            let (version, value) = entry.split_once(':').ok_or_else(|| {
                ConfigError::InvalidSecrets(format!("entry {} is not `<version>:<secret>`", index + 1))
            })?;
            let version = version.trim().parse::<u32>().map_err(|_| {
                ConfigError::InvalidSecrets(format!("entry {} has no non-negative integer version", index + 1))
            })?;
            Ok((version, value.trim().to_owned()))
        })
        .collect()
}

/// `KEYWARD_TRUSTED_PROXIES`: `none`, or a list of `*`, addresses and `address/bits`.
pub(crate) fn parse_trusted_proxies(name: &'static str, value: &str) -> Result<Vec<TrustedProxy>, ConfigError> {
    if value.trim() == "none" {
        return Ok(Vec::new());
    }
    parse_list(value)
        .iter()
        .map(|entry| {
            TrustedProxy::parse(entry).ok_or_else(|| {
                invalid(
                    name,
                    format!("`{entry}` is not `*`, `none`, an IP address or `address/bits`"),
                )
            })
        })
        .collect()
}

/// A mount path: `/` followed by segments of letters, digits, `-`, `_`, `.` and `~`
/// (the router takes `:`, `*` and braces for parameters). The root is refused.
pub(crate) fn check_base_path(name: &'static str, path: &str) -> Result<String, ConfigError> {
    let trimmed = path.trim().trim_end_matches('/');
    let segments_ok = trimmed.strip_prefix('/').is_some_and(|rest| {
        rest.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        })
    });
    if segments_ok {
        Ok(trimmed.to_owned())
    } else {
        Err(invalid(
            name,
            format!(
                "`{path}` is not a path below the root such as /api/auth (segments of letters, digits, \
                 `-`, `_`, `.`, `~`)"
            ),
        ))
    }
}

/// A cookie name part: RFC 6265 token characters.
pub(crate) fn check_cookie_name(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim();
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if value.chars().all(token) {
        Ok(value.to_owned())
    } else {
        Err(invalid(
            name,
            format!("`{value}` may only hold letters, digits and !#$%&'*+-.^_`|~"),
        ))
    }
}

/// A URL with a scheme and host.
pub(crate) fn check_absolute_url(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim();
    match url::Url::parse(value) {
        Ok(url) if url.has_host() => Ok(value.to_owned()),
        Ok(_) => Err(invalid(name, format!("`{value}` has no host"))),
        Err(error) => Err(invalid(name, format!("`{value}` is not a URL: {error}"))),
    }
}

/// HTTP header names, lowercased.
pub(crate) fn parse_header_names(name: &'static str, value: &str) -> Result<Vec<String>, ConfigError> {
    parse_list(value)
        .into_iter()
        .map(|header| {
            axum::http::HeaderName::from_bytes(header.as_bytes())
                .map(|parsed| parsed.as_str().to_owned())
                .map_err(|_| invalid(name, format!("`{header}` is not an HTTP header name")))
        })
        .collect()
}

/// Additional fields: comma-separated `name:type[:required][:server-only][:hidden]
/// [:default=value]`, where type is `string`, `boolean`, `number`, `bigint` or `date`.
/// `default=` comes last and takes the rest of the entry, colons included (a date).
/// `reserved` are the table's own columns.
pub(crate) fn parse_additional_fields(
    name: &'static str,
    value: &str,
    reserved: &[String],
) -> Result<Vec<AdditionalField>, ConfigError> {
    let mut fields: Vec<AdditionalField> = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
        let field = parse_additional_field(entry).map_err(|reason| invalid(name, format!("`{entry}`: {reason}")))?;
        if reserved.contains(&field.name) {
            return Err(invalid(
                name,
                format!("`{}` is a column the table already has", field.name),
            ));
        }
        if fields.iter().any(|other| other.name == field.name) {
            return Err(invalid(name, format!("`{}` appears twice", field.name)));
        }
        fields.push(field);
    }
    Ok(fields)
}

fn parse_additional_field(entry: &str) -> Result<AdditionalField, String> {
    let (entry, default) = match entry.find(":default=") {
        Some(at) => (&entry[..at], Some(&entry[at + ":default=".len()..])),
        None => (entry, None),
    };
    let mut parts = entry.split(':').map(str::trim);
    let field_name = parts.next().unwrap_or_default();
    let identifier = field_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && field_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier {
        return Err("the name must be letters, digits and `_`, not starting with a digit".into());
    }
    let field_type = match parts.next() {
        Some("string") => FieldType::String,
        Some("boolean") => FieldType::Boolean,
        Some("number") => FieldType::Number,
        Some("bigint") => FieldType::BigInt,
        Some("date") => FieldType::Date,
        Some(other) => {
            return Err(format!(
                "unknown type `{other}` (string, boolean, number, bigint, date)"
            ));
        }
        None => return Err("no type (name:type)".into()),
    };
    let mut field = AdditionalField::new(field_name, field_type);
    for flag in parts {
        match flag {
            "required" => field.required = true,
            "server-only" => field.input = false,
            "hidden" => field.returned = false,
            other => {
                return Err(format!(
                    "unknown flag `{other}` (required, server-only, hidden, default=…)"
                ));
            }
        }
    }
    if let Some(default) = default {
        field.default = Some(parse_default(field_type, default.trim())?);
    }
    if field.required && !field.input && field.default.is_none() {
        return Err("a required server-only field needs a default, or no sign-up could set it".into());
    }
    Ok(field)
}

fn parse_default(field_type: FieldType, text: &str) -> Result<serde_json::Value, String> {
    let bad = |wanted: &str| format!("default `{text}` is not {wanted}");
    match field_type {
        FieldType::String => Ok(text.into()),
        FieldType::Boolean => match text {
            "true" => Ok(true.into()),
            "false" => Ok(false.into()),
            _ => Err(bad("true or false")),
        },
        FieldType::Number => {
            if let Ok(whole) = text.parse::<i64>() {
                return Ok(whole.into());
            }
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(serde_json::Value::Number)
                .ok_or_else(|| bad("a number"))
        }
        FieldType::BigInt => text.parse::<i64>().map(Into::into).map_err(|_| bad("a whole number")),
        FieldType::Date => keyward_client::wire::time::parse_iso(text)
            .map(|_| text.into())
            .ok_or_else(|| bad("an RFC 3339 date such as 2025-01-31T00:00:00Z")),
    }
}

/// Rate-limit rules: comma-separated `<path>=<max>/<seconds>` or `<path>=off`; the path is
/// relative to the base path and may hold `*`. The first rule that matches applies.
pub(crate) fn parse_rate_limit_rules(
    name: &'static str,
    value: &str,
) -> Result<Vec<(String, Option<RateLimitRule>)>, ConfigError> {
    let mut rules: Vec<(String, Option<RateLimitRule>)> = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
        let wrong = |reason: &str| invalid(name, format!("`{entry}`: {reason}"));
        let (path, rule) = entry
            .split_once('=')
            .ok_or_else(|| wrong("expected <path>=<max>/<seconds> or <path>=off"))?;
        let path = path.trim();
        if !path.starts_with('/') || path.contains(char::is_whitespace) {
            return Err(wrong("the path must start with / (relative to the base path)"));
        }
        let rule = match rule.trim() {
            "off" => None,
            limit => {
                let (max, window) = limit
                    .split_once('/')
                    .ok_or_else(|| wrong("expected <max>/<seconds>, e.g. 5/60"))?;
                let max = max.trim().parse::<u32>().ok().filter(|max| *max > 0);
                let window = window.trim().parse::<u64>().ok().filter(|window| *window > 0);
                match (max, window) {
                    (Some(max), Some(window)) => Some(RateLimitRule {
                        window: Duration::from_secs(window),
                        max,
                    }),
                    _ => return Err(wrong("max and seconds must be positive whole numbers")),
                }
            }
        };
        if rules.iter().any(|(other, _)| other == path) {
            return Err(wrong("the path has a rule already"));
        }
        rules.push((path.to_owned(), rule));
    }
    Ok(rules)
}

/// Statements as JSON: `{"resource": ["action", …], …}`.
pub(crate) fn parse_permissions(name: &'static str, value: &str) -> Result<Permissions, ConfigError> {
    let permissions: Permissions = serde_json::from_str(value.trim())
        .map_err(|error| invalid(name, format!("expected {{\"resource\": [\"action\", …]}}: {error}")))?;
    check_names(name, &permissions)?;
    if permissions.0.is_empty() {
        return Err(invalid(name, "no resources"));
    }
    Ok(permissions)
}

/// Roles as JSON: `{"role": {"resource": ["action", …]}, …}`.
pub(crate) fn parse_roles(name: &'static str, value: &str) -> Result<BTreeMap<String, Role>, ConfigError> {
    let roles: BTreeMap<String, Permissions> = serde_json::from_str(value.trim()).map_err(|error| {
        invalid(
            name,
            format!("expected {{\"role\": {{\"resource\": [\"action\", …]}}}}: {error}"),
        )
    })?;
    if roles.is_empty() {
        return Err(invalid(name, "no roles"));
    }
    let mut parsed = BTreeMap::new();
    for (role, permissions) in roles {
        if role.trim().is_empty() || role.contains(',') || role.trim() != role {
            return Err(invalid(
                name,
                format!("`{role}` is not a role name (no commas or spaces around)"),
            ));
        }
        check_names(name, &permissions)?;
        parsed.insert(role, Role::new(permissions));
    }
    Ok(parsed)
}

fn check_names(name: &'static str, permissions: &Permissions) -> Result<(), ConfigError> {
    for (resource, action) in permissions.pairs() {
        if resource.trim().is_empty() || action.trim().is_empty() {
            return Err(invalid(name, "resource and action names may not be empty"));
        }
    }
    if permissions.resources().any(|resource| resource.trim().is_empty()) {
        return Err(invalid(name, "resource names may not be empty"));
    }
    Ok(())
}

/// Checks that every role grants only actions the statements declare.
pub(crate) fn check_roles_use_statements(
    name: &'static str,
    roles: &BTreeMap<String, Role>,
    statements: &Permissions,
) -> Result<(), ConfigError> {
    let declared: BTreeSet<(&str, &str)> = statements.pairs().collect();
    for (role, granted) in roles {
        if let Some((resource, action)) = granted.statements().pairs().find(|pair| !declared.contains(pair)) {
            return Err(invalid(
                name,
                format!(
                    "role `{role}` grants `{resource}: {action}`, which KEYWARD_ORGANIZATION_ACCESS_CONTROL does not declare"
                ),
            ));
        }
    }
    Ok(())
}
