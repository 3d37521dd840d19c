//! Request schemas: which fields each endpoint takes, checked the way better-auth's zod
//! schemas check them, with the same messages (`[body.email] Invalid email address`).
//!
//! The server rejects a request whose body does not satisfy its type's [`RequestSchema`]
//! with `400 VALIDATION_ERROR`; a client can run the same check before sending.

use serde_json::Value;

/// What a field must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Any string.
    String,
    /// A string of at least one character.
    NonEmptyString,
    /// A string that is an email address (zod's `z.email()` pattern).
    Email,
    /// `true` or `false`.
    Bool,
    /// A JSON number.
    Number,
    /// A JSON number of at least this value (zod's `z.number().min(n)`).
    NumberAtLeast(i64),
    /// A JSON number of at least this value, or `null` (`z.number().min(n).nullable()`).
    NullableNumberAtLeast(i64),
    /// A whole number of zero or more, given as a number or as its text (a query
    /// parameter: `z.coerce.number().int().nonnegative()`).
    Count,
    /// A string or `null`.
    NullableString,
    /// A JSON object.
    Object,
    /// One of the listed strings (zod's `z.enum`).
    OneOf(&'static [&'static str]),
    /// A string or an array of strings (zod's `z.union([z.string(), z.array(z.string())])`).
    StringOrList,
    /// A string or a number (`z.string().or(z.number())`, as query parameters are).
    StringOrNumber,
    /// An object of arbitrary keys (`z.record(z.string(), z.any())`).
    Record,
    /// An object whose values are arrays of strings (permission maps).
    PermissionRecord,
    /// An object with fields of its own, checked the same way.
    Nested(&'static [FieldSpec]),
    /// A string where zod's schema is a union (`z.enum([...]).or(z.string())`, the
    /// provider of social sign-in): a wrong type or a missing value is `Invalid input`.
    StringUnion,
    /// An array of strings (`z.array(z.string())`).
    StringList,
    /// An object of string values (`z.record(z.string(), z.string())`).
    StringRecord,
    /// Exactly this string (zod's `z.literal`).
    Literal(&'static str),
    /// Anything.
    Any,
}

/// One field of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The JSON key.
    pub name: &'static str,
    /// What it must hold.
    pub kind: FieldKind,
    /// Whether it must be present.
    pub required: bool,
}

impl FieldSpec {
    /// A required field.
    pub const fn required(name: &'static str, kind: FieldKind) -> Self {
        Self {
            name,
            kind,
            required: true,
        }
    }

    /// An optional field (it may be absent, but not `null` unless the kind allows it).
    pub const fn optional(name: &'static str, kind: FieldKind) -> Self {
        Self {
            name,
            kind,
            required: false,
        }
    }
}

/// What the body as a whole must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyShape {
    /// A JSON object with the listed fields; other keys are ignored.
    Object,
    /// Like `Object`, but the body may be absent altogether.
    OptionalObject,
    /// A JSON object of arbitrary keys (better-auth's `z.record`), as for `/update-user`.
    Record,
    /// An object that is also a record (better-auth's sign-up schema); the same as
    /// `Object` except for the wording of the error when the body is not an object.
    ObjectAndRecord,
}

/// The schema of a request body or query.
pub trait RequestSchema {
    /// The body's overall shape.
    const SHAPE: BodyShape;
    /// The fields, in the order better-auth reports problems with them.
    const FIELDS: &'static [FieldSpec];
}

/// No body or query.
impl RequestSchema for () {
    const SHAPE: BodyShape = BodyShape::OptionalObject;
    const FIELDS: &'static [FieldSpec] = &[];
}

/// The type name zod uses in "received …".
pub fn json_type_name(value: Option<&Value>) -> &'static str {
    match value {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

/// zod 4's email pattern, without a regex engine:
/// `^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$`
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if domain.contains('@') || local.is_empty() {
        return false;
    }
    let local_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '+' | '-');
    // The local part is dot-separated runs; every run but the last is non-empty, and the
    // last one ends in a character other than `'`.
    let runs: Vec<&str> = local.split('.').collect();
    let (last, leading) = runs.split_last().expect("split yields at least one item");
    if leading.iter().any(|run| run.is_empty() || !run.chars().all(local_char)) {
        return false;
    }
    if last.is_empty() || !last.chars().all(local_char) || last.ends_with('\'') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let Some((tld, hosts)) = labels.split_last() else {
        return false;
    };
    if hosts.is_empty() || tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    hosts.iter().all(|label| {
        let mut chars = label.chars();
        matches!(chars.next(), Some(first) if first.is_ascii_alphanumeric())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

fn check_field(field: &FieldSpec, value: Option<&Value>, path: &str, issues: &mut Vec<String>) {
    let expected = |issues: &mut Vec<String>, kind: &str| {
        issues.push(format!(
            "[{path}.{}] Invalid input: expected {kind}, received {}",
            field.name,
            json_type_name(value)
        ));
    };
    let invalid_option = |issues: &mut Vec<String>, options: &[&str]| {
        let listed: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
        issues.push(format!(
            "[{path}.{}] Invalid option: expected one of {}",
            field.name,
            listed.join("|")
        ));
    };
    let invalid_input = |issues: &mut Vec<String>| issues.push(format!("[{path}.{}] Invalid input", field.name));
    match value {
        None if !field.required => {}
        None => match field.kind {
            FieldKind::Bool => expected(issues, "boolean"),
            FieldKind::Number
            | FieldKind::NumberAtLeast(_)
            | FieldKind::NullableNumberAtLeast(_)
            | FieldKind::Count => expected(issues, "number"),
            FieldKind::Object | FieldKind::Nested(_) => expected(issues, "object"),
            FieldKind::Record | FieldKind::PermissionRecord | FieldKind::StringRecord => expected(issues, "record"),
            FieldKind::StringList => expected(issues, "array"),
            FieldKind::StringOrList | FieldKind::StringOrNumber | FieldKind::StringUnion => invalid_input(issues),
            FieldKind::Any => {}
            FieldKind::OneOf(options) => invalid_option(issues, options),
            FieldKind::Literal(literal) => {
                issues.push(format!("[{path}.{}] Invalid input: expected \"{literal}\"", field.name))
            }
            _ => expected(issues, "string"),
        },
        Some(value) => match (field.kind, value) {
            (FieldKind::Any, _) => {}
            (FieldKind::StringOrList, Value::String(_)) => {}
            (FieldKind::StringOrList, Value::Array(items)) if items.iter().all(Value::is_string) => {}
            (FieldKind::StringOrList, _) => invalid_input(issues),
            (FieldKind::StringUnion, Value::String(_)) => {}
            (FieldKind::StringUnion, _) => invalid_input(issues),
            (FieldKind::StringOrNumber, Value::String(_) | Value::Number(_)) => {}
            (FieldKind::StringOrNumber, _) => invalid_input(issues),
            (FieldKind::Record, Value::Object(_)) => {}
            (FieldKind::StringList, Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    if !item.is_string() {
                        issues.push(format!(
                            "[{path}.{}.{index}] Invalid input: expected string, received {}",
                            field.name,
                            json_type_name(Some(item))
                        ));
                    }
                }
            }
            (FieldKind::StringList, _) => expected(issues, "array"),
            (FieldKind::StringRecord, Value::Object(map)) => {
                for (key, item) in map {
                    if !item.is_string() {
                        issues.push(format!(
                            "[{path}.{}.{key}] Invalid input: expected string, received {}",
                            field.name,
                            json_type_name(Some(item))
                        ));
                    }
                }
            }
            (FieldKind::StringRecord, _) => expected(issues, "record"),
            (
                FieldKind::Record | FieldKind::PermissionRecord,
                Value::Array(_) | Value::String(_) | Value::Null | Value::Bool(_) | Value::Number(_),
            ) => expected(issues, "record"),
            (FieldKind::PermissionRecord, Value::Object(map)) => {
                for (key, actions) in map {
                    match actions {
                        Value::Array(items) => {
                            for (index, item) in items.iter().enumerate() {
                                if !item.is_string() {
                                    issues.push(format!(
                                        "[{path}.{}.{key}.{index}] Invalid input: expected string, received {}",
                                        field.name,
                                        json_type_name(Some(item))
                                    ));
                                }
                            }
                        }
                        other => issues.push(format!(
                            "[{path}.{}.{key}] Invalid input: expected array, received {}",
                            field.name,
                            json_type_name(Some(other))
                        )),
                    }
                }
            }
            (FieldKind::Nested(fields), Value::Object(map)) => {
                let nested = format!("{path}.{}", field.name);
                for inner in fields {
                    check_field(inner, map.get(inner.name), &nested, issues);
                }
            }
            (FieldKind::Nested(_), _) => expected(issues, "object"),
            (FieldKind::OneOf(options), value) => {
                if !value.as_str().is_some_and(|s| options.contains(&s)) {
                    invalid_option(issues, options);
                }
            }
            (FieldKind::Literal(literal), value) => {
                if value.as_str() != Some(literal) {
                    issues.push(format!("[{path}.{}] Invalid input: expected \"{literal}\"", field.name));
                }
            }
            (FieldKind::String, Value::String(_)) => {}
            (FieldKind::NullableString, Value::String(_) | Value::Null) => {}
            (FieldKind::NonEmptyString, Value::String(s)) => {
                if s.is_empty() {
                    issues.push(format!(
                        "[{path}.{}] Too small: expected string to have >=1 characters",
                        field.name
                    ));
                }
            }
            (FieldKind::Email, Value::String(s)) => {
                if !is_valid_email(s) {
                    issues.push(format!("[{path}.{}] Invalid email address", field.name));
                }
            }
            (FieldKind::Bool, Value::Bool(_)) => {}
            (FieldKind::Number, Value::Number(_)) => {}
            (FieldKind::NullableNumberAtLeast(_), Value::Null) => {}
            (FieldKind::NumberAtLeast(min) | FieldKind::NullableNumberAtLeast(min), Value::Number(number)) => {
                if number.as_f64().is_some_and(|n| n < min as f64) {
                    issues.push(format!(
                        "[{path}.{}] Too small: expected number to be >={min}",
                        field.name
                    ));
                }
            }
            (FieldKind::NumberAtLeast(_) | FieldKind::NullableNumberAtLeast(_), _) => expected(issues, "number"),
            (FieldKind::Count, value) => check_count(value, &format!("{path}.{}", field.name), issues),
            (FieldKind::Object, Value::Object(_)) => {}
            (FieldKind::Bool, _) => expected(issues, "boolean"),
            (FieldKind::Number, _) => expected(issues, "number"),
            (FieldKind::Object, _) => expected(issues, "object"),
            _ => expected(issues, "string"),
        },
    }
}

/// zod's `z.coerce.number().int().nonnegative()`: JavaScript's `Number(value)`, then an
/// integer of zero or more.
fn check_count(value: &Value, at: &str, issues: &mut Vec<String>) {
    let number = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) if text.trim().is_empty() => Some(0.0),
        Value::String(text) => text.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        Value::Bool(flag) => Some(f64::from(u8::from(*flag))),
        Value::Null => Some(0.0),
        _ => None,
    };
    match number {
        None => issues.push(format!("[{at}] Invalid input: expected number, received NaN")),
        Some(n) if n.fract() != 0.0 => issues.push(format!("[{at}] Invalid input: expected int, received number")),
        Some(n) if n < 0.0 => issues.push(format!("[{at}] Too small: expected number to be >=0")),
        Some(_) => {}
    }
}

/// Checks a body against a field list chosen at run time (a server whose configuration
/// changes what is required).
pub fn validate_body_fields(shape: BodyShape, fields: &[FieldSpec], body: Option<&Value>) -> Result<(), String> {
    validate(shape, fields, body, "body")
}

/// Checks a request body (`None` when the request had none) against `S`.
/// Returns better-auth's joined message on failure.
pub fn validate_body<S: RequestSchema>(body: Option<&Value>) -> Result<(), String> {
    validate(S::SHAPE, S::FIELDS, body, "body")
}

/// Checks a parsed query string (always an object of strings) against `S`.
pub fn validate_query<S: RequestSchema>(query: &Value) -> Result<(), String> {
    validate(S::SHAPE, S::FIELDS, Some(query), "query")
}

fn validate(shape: BodyShape, fields: &[FieldSpec], body: Option<&Value>, path: &str) -> Result<(), String> {
    let object = match body {
        Some(Value::Object(map)) => map,
        None if shape == BodyShape::OptionalObject => return Ok(()),
        other => {
            let received = json_type_name(other);
            return Err(match shape {
                BodyShape::Record => format!("[{path}] Invalid input: expected record, received {received}"),
                BodyShape::ObjectAndRecord => format!(
                    "[{path}] Invalid input: expected object, received {received}; [{path}] Invalid input: expected record, received {received}"
                ),
                BodyShape::Object | BodyShape::OptionalObject => {
                    format!("[{path}] Invalid input: expected object, received {received}")
                }
            });
        }
    };
    let mut issues = Vec::new();
    for field in fields {
        check_field(field, object.get(field.name), path, &mut issues);
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(issues.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct SignUpLike;
    impl RequestSchema for SignUpLike {
        const SHAPE: BodyShape = BodyShape::ObjectAndRecord;
        const FIELDS: &'static [FieldSpec] = &[
            FieldSpec::required("name", FieldKind::String),
            FieldSpec::required("email", FieldKind::Email),
            FieldSpec::required("password", FieldKind::NonEmptyString),
            FieldSpec::optional("image", FieldKind::String),
        ];
    }

    #[test]
    fn messages_match_better_auth() {
        assert_eq!(
            validate_body::<SignUpLike>(Some(&json!({"name": 1, "email": "x", "password": null}))),
            Err("[body.name] Invalid input: expected string, received number; [body.email] Invalid email address; [body.password] Invalid input: expected string, received null".into())
        );
        assert_eq!(
            validate_body::<SignUpLike>(None),
            Err("[body] Invalid input: expected object, received undefined; [body] Invalid input: expected record, received undefined".into())
        );
        assert_eq!(
            validate_body::<SignUpLike>(Some(&json!({"name": "", "email": "a@b.co", "password": ""}))),
            Err("[body.password] Too small: expected string to have >=1 characters".into())
        );
        assert_eq!(
            validate_body::<SignUpLike>(Some(
                &json!({"name": "n", "email": "a@b.co", "password": "p", "image": null})
            )),
            Err("[body.image] Invalid input: expected string, received null".into())
        );
        assert!(
            validate_body::<SignUpLike>(Some(&json!({"name": "n", "email": "a@b.co", "password": "p", "x": 1})))
                .is_ok()
        );
    }

    #[test]
    fn email_pattern_matches_zod() {
        for ok in [
            "a@b.co",
            "alice.smith+tag@example.com",
            "o'neil@mail.example.org",
            "x_y-z@a-b.io",
        ] {
            assert!(is_valid_email(ok), "{ok} should be valid");
        }
        for bad in [
            "x",
            "a@b",
            "a@b.c",
            "@b.co",
            "a.@b.co",
            ".a@b.co",
            "a..b@b.co",
            "a@-b.co",
            "a@b.c0",
            "a b@b.co",
            "a@@b.co",
            "o'@b.co",
            "a@b..co",
        ] {
            assert!(!is_valid_email(bad), "{bad} should be invalid");
        }
    }
}
