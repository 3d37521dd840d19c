//! Client input for configured additional fields (better-auth's `parseInputData`).
//!
//! Unlike better-auth, which stores whatever JSON a client sends for a field without a
//! validator, Keyward checks each value against the field's type, so a number can never
//! land in a text column.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::config::AdditionalField;
use crate::db::FieldType;
use crate::error::{ApiError, ApiResult};
use keyward_client::wire::ErrorCode;
use keyward_client::wire::schema::json_type_name;

/// Whether input creates a record or updates one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Sign-up: defaults apply, required fields must be present.
    Create,
    /// Update: only what is sent changes.
    Update,
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// Checks that `value` fits `field`'s type (null only when it is optional); the error names
/// it as `[<at>.<field>]`, e.g. `at` = `body`.
pub(crate) fn check_type(field: &AdditionalField, value: &Value, at: &str) -> ApiResult<()> {
    let ok = match (field.field_type, value) {
        (_, Value::Null) => !field.required,
        (FieldType::String, Value::String(_)) => true,
        (FieldType::Boolean, Value::Bool(_)) => true,
        (FieldType::Number | FieldType::BigInt, Value::Number(_)) => true,
        (FieldType::Date, Value::String(s)) => keyward_client::wire::time::parse_iso(s).is_some(),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let expected = match field.field_type {
        FieldType::String => "string",
        FieldType::Boolean => "boolean",
        FieldType::Number | FieldType::BigInt => "number",
        FieldType::Date => "ISO 8601 date string",
    };
    Err(ApiError::validation(format!(
        "[{at}.{}] Invalid input: expected {expected}, received {}",
        field.name,
        json_type_name(Some(value))
    )))
}

/// Picks the configured fields out of `input`, applying better-auth's rules: server-only
/// fields get their default on create and are refused when set to a truthy value;
/// required fields without a default must be present on create; unknown keys are ignored.
pub fn parse_input(
    fields: &[AdditionalField],
    input: &Map<String, Value>,
    action: Action,
) -> ApiResult<Map<String, Value>> {
    let mut parsed = Map::new();
    for field in fields {
        match input.get(&field.name) {
            Some(value) if !field.input => {
                if let (Some(default), Action::Create) = (&field.default, action) {
                    parsed.insert(field.name.clone(), default.clone());
                    continue;
                }
                if truthy(value) {
                    return Err(ApiError::with_message(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::FieldNotAllowed,
                        format!("{} is not allowed to be set", field.name),
                    ));
                }
            }
            Some(value) => {
                check_type(field, value, "body")?;
                parsed.insert(field.name.clone(), value.clone());
            }
            None if action == Action::Create => {
                if let Some(default) = &field.default {
                    parsed.insert(field.name.clone(), default.clone());
                } else if field.required {
                    return Err(ApiError::with_message(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::MissingField,
                        format!("{} is required", field.name),
                    ));
                }
            }
            None => {}
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields() -> Vec<AdditionalField> {
        vec![
            AdditionalField::new("plan", FieldType::String).required(),
            AdditionalField::new("role", FieldType::String)
                .server_only()
                .default_value("user"),
            AdditionalField::new("age", FieldType::Number),
        ]
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn create_rules() {
        let parsed = parse_input(&fields(), &object(json!({"plan": "pro", "x": 1})), Action::Create).expect("valid");
        assert_eq!(parsed, object(json!({"plan": "pro", "role": "user"})));
        let missing = parse_input(&fields(), &object(json!({})), Action::Create).expect_err("missing");
        assert_eq!(missing.code(), Some(&ErrorCode::MissingField));
        assert_eq!(missing.body().map(|b| b.message.as_str()), Some("plan is required"));
        let forced = parse_input(
            &fields(),
            &object(json!({"plan": "p", "role": "admin"})),
            Action::Create,
        )
        .expect("default wins");
        assert_eq!(forced["role"], "user");
        let typed = parse_input(&fields(), &object(json!({"plan": 5})), Action::Create).expect_err("type");
        assert_eq!(typed.code(), Some(&ErrorCode::ValidationError));
    }

    #[test]
    fn update_rules() {
        let refused = parse_input(&fields(), &object(json!({"role": "admin"})), Action::Update).expect_err("refused");
        assert_eq!(refused.code(), Some(&ErrorCode::FieldNotAllowed));
        assert_eq!(
            refused.body().map(|b| b.message.as_str()),
            Some("role is not allowed to be set")
        );
        assert!(
            parse_input(&fields(), &object(json!({"role": ""})), Action::Update)
                .expect("falsy ignored")
                .is_empty()
        );
        assert_eq!(
            parse_input(&fields(), &object(json!({"age": 30})), Action::Update).expect("valid"),
            object(json!({"age": 30}))
        );
    }
}
