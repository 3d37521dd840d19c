//! `GET /ok` and `GET /error`.

use axum::Json;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::request::Ctx;
use keyward_client::wire::OkResponse;

/// `GET /ok`: `{"ok":true}`.
pub(crate) async fn ok() -> Json<OkResponse> {
    Json(OkResponse { ok: true })
}

#[derive(Deserialize)]
pub(crate) struct ErrorQuery {
    error: Option<String>,
    error_description: Option<String>,
}

fn escape_html(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

/// `GET /error?error=CODE`: redirects to the configured error URL, or renders a page.
pub(crate) async fn error_page(ctx: Ctx, Query(query): Query<ErrorQuery>) -> Response {
    let code = query.error.unwrap_or_else(|| "UNKNOWN".to_owned());
    if let Some(target) = &ctx.auth.0.config.error_url {
        let mut url = target.clone();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .append_pair("error", &code)
                .finish(),
        );
        return (StatusCode::FOUND, [(header::LOCATION, url)]).into_response();
    }
    let description = query
        .error_description
        .map(|d| format!("<p>{}</p>", escape_html(&d)))
        .unwrap_or_default();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"UTF-8\" /><meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\" /><title>Error</title></head>\n<body>\n<main>\n<h1>Something went wrong</h1>\n<p>Error code: <code>{}</code></p>\n{description}\n<p><a href=\"/\">Go back</a></p>\n</main>\n</body>\n</html>\n",
        escape_html(&code)
    );
    ([(header::CONTENT_TYPE, "text/html")], page).into_response()
}
