//! The request body and query: read within the limits, parsed as better-call parses them,
//! checked for origin, CSRF and redirect fields, then validated into typed values by the
//! [`Body`], [`JsonBody`] and [`QueryOf`] extractors.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{Endpoint, QueryEndpoint};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use keyward_client::wire::ErrorCode;
use keyward_client::wire::schema::{validate_body_fields, validate_query};

/// Reads a request body of at most `limit` bytes that must arrive within `deadline`
/// (a client that declares a length and then trickles it, or stops, is answered
/// `408` and its connection closed).
async fn read_body(body: axum::body::Body, limit: usize, deadline: std::time::Duration) -> ApiResult<Bytes> {
    let Ok(read) = tokio::time::timeout(deadline, Limited::new(body, limit).collect()).await else {
        return Err(ApiError::new(StatusCode::REQUEST_TIMEOUT, ErrorCode::RequestTimeout).closing_connection());
    };
    match read {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::with_message(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("Request body is larger than {limit} bytes"),
        )),
        Err(_) => Err(ApiError::with_message(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "Could not read the request body",
        )),
    }
}

/// Parses a body as better-call does: none when empty; JSON or, where allowed, a form;
/// any other content type is `415`.
fn parse_body(headers: &HeaderMap, bytes: &[u8], rules: BodyRules) -> ApiResult<Option<Value>> {
    let accepts_form = rules.accepts_form;
    if bytes.is_empty() {
        return Ok(None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_owned();
    if media_type == "application/json" {
        return serde_json::from_slice(bytes)
            .map(Some)
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest));
    }
    if accepts_form && media_type == "application/x-www-form-urlencoded" {
        let mut map = Map::new();
        for (key, value) in form_urlencoded::parse(bytes) {
            // An OAuth form's empty parameter is an absent one (RFC 6749 §3.1): it never
            // replaces a value.
            if rules.oauth_form && value.is_empty() && map.contains_key(key.as_ref()) {
                continue;
            }
            let kept_first = rules.oauth_form && map.get(key.as_ref()).is_some_and(|v| v != "");
            if !kept_first {
                map.insert(key.into_owned(), Value::String(value.into_owned()));
            }
        }
        return Ok(Some(Value::Object(map)));
    }
    let allowed = rules.allowed;
    let shown = if media_type.is_empty() {
        "undefined".to_owned()
    } else {
        media_type
    };
    Err(ApiError::with_message(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
        format!("Content-Type \"{shown}\" is not allowed. Allowed types: {allowed}"),
    ))
}

/// A query string as better-call reads it: each parameter a string, a repeated one a
/// list of them.
fn query_map(query: Option<&str>) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let value = Value::String(value.into_owned());
        match map.get_mut(key.as_ref()) {
            None => {
                map.insert(key.into_owned(), value);
            }
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
        }
    }
    map
}

/// What a `POST` endpoint's body may be.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyRules {
    /// Also `application/x-www-form-urlencoded` (sign-in and sign-up forms).
    accepts_form: bool,
    /// better-auth's form CSRF rules (Fetch Metadata) on top of the origin check.
    form_csrf: bool,
    /// The media types a `415` lists, in the endpoint's order.
    allowed: &'static str,
    /// An OAuth client's form (RFC 6749 §3.1): empty parameters count as absent, and a
    /// parameter given twice is recorded in [`RepeatedFormFields`] for the endpoint.
    oauth_form: bool,
}

/// The parameters an OAuth form gave more than once with a value, in the order of their
/// second value (for the endpoint to refuse, as better-auth's device authorization does).
#[derive(Clone, Debug, Default)]
pub(crate) struct RepeatedFormFields(pub Vec<String>);

/// The parameters of `bytes` (a form) that have a value more than once.
fn repeated_form_fields(bytes: &[u8]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut repeated = Vec::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        if !value.is_empty() && !seen.insert(key.clone()) && !repeated.iter().any(|r: &String| r == key.as_ref()) {
            repeated.push(key.into_owned());
        }
    }
    repeated
}

impl BodyRules {
    /// JSON only.
    pub const JSON: Self = Self {
        accepts_form: false,
        form_csrf: false,
        allowed: "application/json",
        oauth_form: false,
    };
    /// JSON or a form, with the form CSRF rules.
    pub const FORM: Self = Self {
        accepts_form: true,
        form_csrf: true,
        allowed: FORM_OR_JSON,
        oauth_form: false,
    };
    /// JSON or a form a provider posts across sites (`response_mode=form_post`): no
    /// Fetch Metadata rules, only the origin check (which applies with cookies).
    pub const PROVIDER_FORM: Self = Self {
        accepts_form: true,
        form_csrf: false,
        allowed: FORM_OR_JSON,
        oauth_form: false,
    };
    /// JSON or a form an OAuth client posts (RFC 8628's device authorization request):
    /// no Fetch Metadata rules, only the origin check (which applies with cookies).
    pub const OAUTH_FORM: Self = Self {
        accepts_form: true,
        form_csrf: false,
        allowed: "application/json, application/x-www-form-urlencoded",
        oauth_form: true,
    };
}

/// The media types of the sign-in and sign-up forms, in better-auth's order.
const FORM_OR_JSON: &str = "application/x-www-form-urlencoded, application/json";

/// A `POST` body as [`read_post`] parsed it (`None` when empty), for [`Body`].
#[derive(Clone)]
pub(crate) struct ParsedBody(pub Option<Value>);

/// Layer in front of every `POST` endpoint, as better-call's router and better-auth's
/// `originCheckMiddleware` run for every endpoint: reads and parses the body (`413`,
/// `408`, `415`, `400`), applies the form CSRF rules where they apply, the `Origin`
/// check for requests with cookies, and the redirect-field checks (`403`). An endpoint
/// that never reads its body is checked all the same.
pub(crate) async fn read_post(
    State((auth, rules)): State<(Auth, BodyRules)>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match check_post(&auth, rules, &parts, body).await {
        Ok((parsed, repeated)) => {
            parts.extensions.insert(ParsedBody(parsed));
            if !repeated.is_empty() {
                parts.extensions.insert(RepeatedFormFields(repeated));
            }
            next.run(Request::from_parts(parts, axum::body::Body::empty())).await
        }
        Err(error) => error.into_response(),
    }
}

async fn check_post(
    auth: &Auth,
    rules: BodyRules,
    parts: &Parts,
    body: axum::body::Body,
) -> ApiResult<(Option<Value>, Vec<String>)> {
    let config = &auth.0.config;
    let bytes = read_body(body, config.body_limit, config.connection_limits.body_read_timeout).await?;
    let value = parse_body(&parts.headers, &bytes, rules)?;
    let origins = &auth.0.origins;
    if rules.form_csrf {
        origins.validate_form_csrf(&parts.headers)?;
    }
    origins.validate_origin(&parts.headers, false)?;
    let query = query_map(parts.uri.query());
    let query_callback = match query.get("callbackURL") {
        Some(Value::Array(_)) => {
            return Err(ApiError::message_only(
                StatusCode::BAD_REQUEST,
                "Invalid callbackURL: expected a string",
            ));
        }
        other => other.and_then(Value::as_str),
    };
    origins.validate_redirect_fields(value.as_ref(), query_callback)?;
    let is_form = value.as_ref().is_some_and(|_| {
        parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
    });
    let repeated = if rules.oauth_form && is_form {
        repeated_form_fields(&bytes)
    } else {
        Vec::new()
    };
    Ok((value, repeated))
}

/// A validated request body of type `T`, from a `POST` endpoint behind [`read_post`].
pub(crate) struct Body<T>(pub T);

impl<T: Endpoint> FromRequestParts<Auth> for Body<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, auth: &Auth) -> Result<Self, Self::Rejection> {
        let Some(ParsedBody(value)) = parts.extensions.remove::<ParsedBody>() else {
            return Err(ApiError::internal(
                "a request body was asked for outside a POST endpoint",
                parts.uri.path(),
            ));
        };
        validate_body_fields(T::SHAPE, &T::fields(auth), value.as_ref()).map_err(ApiError::validation)?;
        let value = value.unwrap_or_else(|| Value::Object(Map::new()));
        if let Value::Object(map) = &value {
            T::check(map).map_err(ApiError::validation)?;
        }
        serde_json::from_value(value)
            .map(Body)
            .map_err(|error| ApiError::validation(format!("[body] {error}")))
    }
}

/// A plugin endpoint's JSON (or form) body, read and checked by the `POST` pipeline and
/// deserialized into `T`; a body that does not fit is `400 VALIDATION_ERROR`, and an empty
/// body reads as `{}`.
///
/// ```no_run
/// use keyward_server::plugin::JsonBody;
///
/// #[derive(serde::Deserialize)]
/// struct AddNote {
///     text: String,
/// }
///
/// async fn add_note(JsonBody(note): JsonBody<AddNote>) -> String {
///     note.text
/// }
/// ```
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<Auth> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _auth: &Auth) -> Result<Self, Self::Rejection> {
        let Some(ParsedBody(value)) = parts.extensions.remove::<ParsedBody>() else {
            return Err(ApiError::internal(
                "a request body was asked for outside a POST endpoint",
                parts.uri.path(),
            ));
        };
        serde_json::from_value(value.unwrap_or_else(|| Value::Object(Map::new())))
            .map(JsonBody)
            .map_err(|error| ApiError::validation(format!("[body] {error}")))
    }
}

/// A validated query of type `T` (also runs `originCheck` on its redirect field).
pub(crate) struct QueryOf<T>(pub T);

impl<T: QueryEndpoint> FromRequestParts<Auth> for QueryOf<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, auth: &Auth) -> Result<Self, Self::Rejection> {
        let query = Value::Object(query_map(parts.uri.query()));
        validate_query::<T>(&query).map_err(ApiError::validation)?;
        if let Some(field) = T::CALLBACK_FIELD
            && let Some(url) = query.get(field).and_then(Value::as_str)
        {
            auth.0.origins.validate_url(url, ErrorCode::InvalidCallbackUrl)?;
        }
        serde_json::from_value(query)
            .map(QueryOf)
            .map_err(|error| ApiError::validation(format!("[query] {error}")))
    }
}

/// The raw query as an object of strings (for endpoints with coerced or strict queries).
pub(crate) fn raw_query(parts_query: Option<&str>) -> Map<String, Value> {
    query_map(parts_query)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::CONTENT_TYPE, content_type.parse().expect("header"));
        map
    }

    #[test]
    fn body_parsing_follows_better_call() {
        assert_eq!(
            parse_body(&HeaderMap::new(), b"", BodyRules::JSON).expect("empty"),
            None
        );
        assert!(
            parse_body(&headers("application/json; charset=utf-8"), b"{}", BodyRules::JSON)
                .expect("json")
                .is_some()
        );
        let bad = parse_body(&headers("application/json"), b"{bad", BodyRules::JSON).expect_err("bad json");
        assert_eq!(bad.code(), Some(&ErrorCode::BadRequest));
        let invalid_utf8 =
            parse_body(&headers("application/json"), b"{\"a\":\"\xff\"}", BodyRules::JSON).expect_err("utf8");
        assert_eq!(invalid_utf8.status(), StatusCode::BAD_REQUEST);
        let text = parse_body(&headers("text/plain"), b"x", BodyRules::FORM).expect_err("415");
        assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            text.body().map(|b| b.message.as_str()),
            Some(
                "Content-Type \"text/plain\" is not allowed. Allowed types: application/x-www-form-urlencoded, application/json"
            )
        );
        let form = parse_body(
            &headers("application/x-www-form-urlencoded"),
            b"email=a%40b.co&x=1",
            BodyRules::FORM,
        )
        .expect("form")
        .expect("some");
        assert_eq!(form["email"], "a@b.co");
        assert!(parse_body(&headers("application/x-www-form-urlencoded"), b"a=1", BodyRules::JSON).is_err());
        let oauth = parse_body(
            &headers("application/x-www-form-urlencoded"),
            b"client_id=&client_id=cli&scope=a&scope=&scope=b",
            BodyRules::OAUTH_FORM,
        )
        .expect("form")
        .expect("some");
        assert_eq!(oauth["client_id"], "cli", "an empty value is none");
        assert_eq!(oauth["scope"], "a", "the first value stays");
        assert_eq!(
            repeated_form_fields(b"client_id=&client_id=cli&scope=a&scope=&scope=b&scope=c"),
            ["scope"]
        );
        let oauth = parse_body(&headers("text/plain"), b"x", BodyRules::OAUTH_FORM).expect_err("415");
        assert_eq!(
            oauth.body().map(|b| b.message.as_str()),
            Some(
                "Content-Type \"text/plain\" is not allowed. Allowed types: application/json, application/x-www-form-urlencoded"
            )
        );
    }
}
