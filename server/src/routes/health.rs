//! `GET /ok` and `GET /error`.

use crate::cookies::encode_uri_component;
use crate::request::Ctx;
use crate::routes::Answer;
use axum::Json;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use keyward_client::wire::routes as route;
use keyward_client::wire::{ErrorPageQuery, OkResponse};

/// `GET /ok`: `{"ok":true}`.
pub(crate) async fn ok() -> Answer<route::HealthCheck> {
    Ok(Json(OkResponse { ok: true }))
}

/// better-auth's `sanitize` for the error page: `<`, `>`, quotes, and every `&` that does
/// not already start an entity.
fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, c) in text.char_indices() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '&' if starts_entity(&text[index + 1..]) => out.push('&'),
            '&' => out.push_str("&amp;"),
            other => out.push(other),
        }
    }
    out
}

/// Whether `rest` (what follows an `&`) is `amp;`, `lt;`, `gt;`, `quot;`, `#39;`, `#x<hex>;`
/// or `#<digits>;`.
fn starts_entity(rest: &str) -> bool {
    if ["amp;", "lt;", "gt;", "quot;", "#39;"]
        .iter()
        .any(|e| rest.starts_with(e))
    {
        return true;
    }
    let (digits, is_digit): (&str, fn(&char) -> bool) = if let Some(hex) = rest.strip_prefix("#x") {
        (hex, char::is_ascii_hexdigit)
    } else if let Some(decimal) = rest.strip_prefix('#') {
        (decimal, char::is_ascii_digit)
    } else {
        return false;
    };
    let count = digits.chars().take_while(is_digit).count();
    count > 0 && digits[count..].starts_with(';')
}

/// The code as better-auth shows it: letters, digits, `_`, `-` and `'` only, else `UNKNOWN`.
fn safe_code(code: Option<String>) -> String {
    code.filter(|code| {
        !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
    })
    .unwrap_or_else(|| "UNKNOWN".to_owned())
}

/// `GET /error?error=CODE&error_description=…`: as better-auth, redirects to the configured
/// error URL with both parameters, or renders the error page (the code, the description
/// or a pointer to the code's documentation, and a way home).
pub(crate) async fn error_page(ctx: Ctx, Query(query): Query<ErrorPageQuery>) -> Response {
    let code = safe_code(query.error);
    let description = query.error_description.filter(|d| !d.is_empty());
    if let Some(target) = &ctx.auth.0.config.error_url {
        let mut params = form_urlencoded::Serializer::new(String::new());
        params.append_pair("error", &code);
        if let Some(description) = &description {
            params.append_pair("error_description", description);
        }
        let mut url = target.clone();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&params.finish());
        return (StatusCode::FOUND, [(header::LOCATION, url)]).into_response();
    }
    let reference = format!(
        "https://better-auth.com/docs/reference/errors/{}",
        encode_uri_component(&code)
    );
    let explanation = match &description {
        Some(description) => sanitize(description),
        None => format!(
            "We encountered an unexpected error. Please try again or return to the home page. \
             If you're a developer, you can find <a href='{reference}' target='_blank' \
             rel=\"noopener noreferrer\">more information about the error</a>."
        ),
    };
    let ask = format!(
        "{reference}?askai={}",
        encode_uri_component(&format!("What does the error code {code} mean?"))
    );
    let page = ERROR_PAGE
        .replace("{code}", &sanitize(&code))
        .replace("{explanation}", &explanation)
        .replace("{ask}", &ask);
    ([(header::CONTENT_TYPE, "text/html")], page).into_response()
}

/// The error page: a card with the code, the explanation and two links, light or dark
/// with the system's scheme. `{code}`, `{explanation}` and `{ask}` are filled in.
const ERROR_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>Error</title>
    <style>
      :root { --bg: white; --fg: oklch(0.271 0 0); --muted: oklch(0.545 0 0); --line: oklch(0.89 0 0);
        --accent: oklch(0.55 0.15 25.723); --button-bg: black; --button-fg: white; }
      @media (prefers-color-scheme: dark) {
        :root { --bg: oklch(0.15 0 0); --fg: oklch(0.98 0 0); --muted: oklch(0.65 0 0); --line: oklch(0.27 0 0);
          --accent: oklch(0.65 0.15 25.723); --button-bg: white; --button-fg: black; }
      }
      * { box-sizing: border-box; }
      body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1rem;
        font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        color: var(--fg); background-color: var(--bg);
        background-image: linear-gradient(to right, var(--line) 1px, transparent 1px),
          linear-gradient(to bottom, var(--line) 1px, transparent 1px);
        background-size: 40px 40px; }
      main { position: relative; width: 100%; max-width: 42rem; padding: 1.5rem; text-align: center;
        background: var(--bg); border: 2px solid var(--line); outline: 4px solid transparent; }
      h1 { display: inline-block; margin: 0 0 1.5rem; padding: 0.375rem 1rem; font-size: 3rem;
        font-weight: 600; letter-spacing: -0.02em; border: 2px solid var(--accent); }
      h2 { margin: 0 0 1rem; font-size: 1.5rem; font-weight: 600; }
      .code { display: inline-flex; gap: 0.5rem; align-items: center; margin: 0 0 1rem;
        padding: 0.375rem 0.75rem; border: 2px solid var(--line); }
      .code span:first-child { font-size: 0.75rem; font-weight: 600; color: var(--muted); }
      .code code { font-size: 0.875rem; word-break: break-all; }
      p { max-width: 28rem; margin: 0 auto; font-size: 0.875rem; line-height: 1.5; color: var(--muted); }
      p a { color: var(--fg); }
      nav { display: flex; gap: 0.75rem; justify-content: center; flex-wrap: wrap; margin-top: 1.5rem; }
      nav a { padding: 0.5rem 1rem; border: 2px solid var(--line); text-decoration: none; color: var(--fg); }
      nav a:first-child { background: var(--button-bg); color: var(--button-fg); }
      nav a:hover { opacity: 0.8; }
    </style>
  </head>
  <body>
    <main>
      <h1>ERROR</h1>
      <h2>Something went wrong</h2>
      <div class="code"><span>CODE:</span> <code>{code}</code></div>
      <p>{explanation}</p>
      <nav>
        <a href="/">Go Home</a>
        <a href="{ask}" target="_blank" rel="noopener noreferrer">Ask AI</a>
      </nav>
    </main>
  </body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::{safe_code, sanitize};

    #[test]
    fn the_page_shows_only_safe_codes_and_escaped_descriptions() {
        assert_eq!(safe_code(Some("state_mismatch".into())), "state_mismatch");
        assert_eq!(safe_code(Some("<script>".into())), "UNKNOWN");
        assert_eq!(safe_code(Some(String::new())), "UNKNOWN");
        assert_eq!(safe_code(None), "UNKNOWN");
        assert_eq!(
            sanitize("<b>\"Tom's\" & Jerry &amp; &#39; &#x41; &#;</b>"),
            "&lt;b&gt;&quot;Tom&#39;s&quot; &amp; Jerry &amp; &#39; &#x41; &amp;#;&lt;/b&gt;"
        );
    }
}
