//! The OpenAPI 3.1.1 document of a server, generated from what the server runs: its
//! registered routes, each one's declaration in `keyward_client::wire::routes` (its doc
//! comment, and its request's fields as the server checks them), and its tables (with
//! the configured and the plugins' fields), in the layout better-auth's `openAPI` plugin
//! gives its document.

use serde_json::{Map, Value, json};

use keyward_client::wire::routes::{BodyEncoding, HttpMethod, RouteSpec, TAGGED_GROUPS};
use keyward_client::wire::schema::{BodyShape, FieldKind, FieldSpec};

use crate::auth::Auth;
use crate::db::Exec;
use crate::db::schema::{FieldType, Table, core_tables};

/// The document.
pub(super) fn generate(auth: &Auth) -> Value {
    let config = &auth.0.config;
    let base = format!("{}{}", config.base_url.as_str().trim_end_matches('/'), config.base_path);
    let mut tags = Vec::new();
    let mut paths = Map::new();
    for route in crate::routes::list(auth) {
        let method = route.method.as_str().to_ascii_lowercase();
        let (tag, spec) = declaration(&method, route.path).unwrap_or(("Other", None));
        if !tags.contains(&tag) {
            tags.push(tag);
        }
        let operation = operation(tag, spec, route.path, &method);
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(methods) = entry {
            methods.insert(method, operation);
        }
    }
    let tags: Vec<Value> = tags
        .into_iter()
        .map(|tag| match tag {
            "Default" => json!({"name": "Default", "description": "The core endpoints, part of no plugin."}),
            other => json!({"name": other, "description": format!("{other} plugin endpoints")}),
        })
        .collect();
    json!({
        "openapi": "3.1.1",
        "info": {
            "title": "Keyward",
            "description": "API Reference for your Keyward auth server (better-auth compatible)",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "components": {
            "schemas": table_schemas(auth),
            "securitySchemes": {
                "apiKeyCookie": {"type": "apiKey", "in": "cookie", "name": "apiKeyCookie", "description": "API Key authentication via cookie"},
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Bearer token authentication"},
            },
        },
        "security": [{"apiKeyCookie": [], "bearerAuth": []}],
        "servers": [{"url": base}],
        "tags": tags,
        "paths": paths,
    })
}

/// The tag and declaration of the route `method path` (`None` for a route an
/// application's plugin added by path).
fn declaration(method: &str, path: &str) -> Option<(&'static str, Option<&'static RouteSpec>)> {
    TAGGED_GROUPS.iter().find_map(|(tag, routes)| {
        routes
            .iter()
            .find(|spec| spec.path == path && spec.method.as_str().eq_ignore_ascii_case(method))
            .map(|spec| (*tag, Some(spec)))
    })
}

/// `/callback/{id}` → `["id"]`.
fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// `SignInEmail` → `signInEmail`.
fn operation_id(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn operation(tag: &str, spec: Option<&RouteSpec>, path: &str, method: &str) -> Value {
    let mut operation = Map::new();
    operation.insert("tags".into(), json!([tag]));
    if let Some(spec) = spec {
        let description: Vec<&str> = spec
            .description
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        operation.insert("description".into(), json!(description.join(" ")));
        operation.insert("operationId".into(), json!(operation_id(spec.name)));
    }
    operation.insert("security".into(), json!([{"bearerAuth": []}]));
    let mut parameters: Vec<Value> = Vec::new();
    if let Some(spec) = spec.filter(|_| method == "get") {
        for field in spec.request_fields {
            parameters.push(json!({
                "name": field.name,
                "in": "query",
                "required": field.required,
                "schema": field_schema(field.kind),
            }));
        }
    }
    for name in path_parameters(path) {
        parameters.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
    }
    operation.insert("parameters".into(), Value::Array(parameters));
    if let Some(spec) = spec.filter(|_| method == "post") {
        operation.insert("requestBody".into(), request_body(spec));
    }
    operation.insert("responses".into(), responses(spec));
    Value::Object(operation)
}

fn request_body(spec: &RouteSpec) -> Value {
    let schema = match spec.request_shape {
        BodyShape::Record => json!({"type": "object", "additionalProperties": true}),
        _ => object_schema(spec.request_fields),
    };
    let mut content = Map::new();
    content.insert("application/json".into(), json!({"schema": schema}));
    if !matches!(spec.body, BodyEncoding::Json) {
        content.insert("application/x-www-form-urlencoded".into(), json!({"schema": schema}));
    }
    json!({
        "required": matches!(spec.request_shape, BodyShape::Object | BodyShape::ObjectAndRecord),
        "content": content,
    })
}

fn object_schema(fields: &[FieldSpec]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        properties.insert(field.name.to_owned(), field_schema(field.kind));
        if field.required {
            required.push(field.name);
        }
    }
    json!({"type": "object", "properties": properties, "required": required})
}

/// The JSON Schema of what a field must hold, as the server checks it.
fn field_schema(kind: FieldKind) -> Value {
    match kind {
        FieldKind::String | FieldKind::StringUnion => json!({"type": "string"}),
        FieldKind::NonEmptyString => json!({"type": "string", "minLength": 1}),
        FieldKind::Email => json!({"type": "string", "format": "email"}),
        FieldKind::NullableString => json!({"type": ["string", "null"]}),
        FieldKind::Bool => json!({"type": "boolean"}),
        FieldKind::Number => json!({"type": "number"}),
        FieldKind::NumberAtLeast(min) => json!({"type": "number", "minimum": min}),
        FieldKind::NullableNumberAtLeast(min) => json!({"type": ["number", "null"], "minimum": min}),
        FieldKind::Count => json!({"type": "integer", "minimum": 0}),
        FieldKind::Object => json!({"type": "object"}),
        FieldKind::OneOf(options) => json!({"type": "string", "enum": options}),
        FieldKind::StringOrList => {
            json!({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
        }
        FieldKind::StringOrNumber => json!({"anyOf": [{"type": "string"}, {"type": "number"}]}),
        FieldKind::Record => json!({"type": "object", "additionalProperties": true}),
        FieldKind::PermissionRecord => {
            json!({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}})
        }
        FieldKind::Nested(fields) => object_schema(fields),
        FieldKind::StringList => json!({"type": "array", "items": {"type": "string"}}),
        FieldKind::StringRecord => json!({"type": "object", "additionalProperties": {"type": "string"}}),
        FieldKind::Literal(value) => json!({"type": "string", "const": value}),
        FieldKind::Any => json!({}),
    }
}

/// The success answer, and the error answers every endpoint may give (`{message, code}`).
fn responses(spec: Option<&RouteSpec>) -> Value {
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "code": {"type": "string"}},
                "required": ["message"],
            }}},
        })
    };
    let success = match spec {
        // A redirect or an HTML page (`/error`, the callbacks, `/reference`).
        Some(spec) if spec.method == HttpMethod::Get && spec.name.ends_with("Page") => {
            json!({"description": "An HTML page, or a redirect"})
        }
        _ => json!({"description": "Success", "content": {"application/json": {"schema": {}}}}),
    };
    json!({
        "200": success,
        "400": error("Bad Request. Usually due to missing parameters, or invalid parameters."),
        "401": error("Unauthorized. Due to missing or invalid authentication."),
        "403": error("Forbidden. You do not have permission to access this resource or to perform this action."),
        "404": error("Not Found. The requested resource was not found."),
        "429": error("Too Many Requests. You have exceeded the rate limit. Try again later."),
        "500": error("Internal Server Error. This is a problem with the server that you cannot fix."),
    })
}

/// One schema per table (`user` → `User`, `twoFactor` → `TwoFactor`), with every column.
fn table_schemas(auth: &Auth) -> Map<String, Value> {
    let dialect = auth.0.db.dialect();
    let mut tables: Vec<Table> = core_tables(&auth.0.fields.user, &auth.0.fields.session, dialect);
    tables.extend(auth.0.plugin_tables.iter().cloned());
    let mut schemas = Map::new();
    for table in tables {
        let mut properties = Map::new();
        properties.insert("id".into(), json!({"type": "string", "readOnly": true}));
        let mut required = vec!["id".to_owned()];
        for column in &table.columns {
            let schema = match column.field_type {
                FieldType::String => json!({"type": "string"}),
                FieldType::Boolean => json!({"type": "boolean"}),
                FieldType::Number | FieldType::BigInt => json!({"type": "number"}),
                FieldType::Date => json!({"type": "string", "format": "date-time"}),
            };
            properties.insert(column.name.clone(), schema);
            if column.required {
                required.push(column.name.clone());
            }
        }
        let mut name = table.name.to_owned();
        if let Some(first) = name.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        schemas.insert(
            name,
            json!({"type": "object", "properties": properties, "required": required}),
        );
    }
    schemas
}
