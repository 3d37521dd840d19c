//! The open-api plugin (better-auth `openAPI`): `GET /open-api/generate-schema` answers an
//! OpenAPI 3.1.1 document of every endpoint the server has enabled, generated from the
//! route declarations, request schemas and tables the server runs on (so it cannot drift
//! from them), and `GET /reference` renders it as a Scalar API reference page.

mod document;

use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Builtin;
use crate::auth::Auth;
use crate::config::env::{Env, set};
use crate::config::{Config, ConfigError};
use crate::error::{ApiError, ApiResult};
use crate::plugin::{Endpoints, Plugin};
use crate::request::Ctx;
use crate::routes::Answer;
use keyward_client::wire::routes::open_api as route;

/// The open-api plugin's options (better-auth `openAPI(options)`).
///
/// ```
/// use keyward_server::config::OpenApiConfig;
///
/// let docs = OpenApiConfig { theme: "purple".into(), ..OpenApiConfig::default() };
/// assert!(!docs.disable_default_reference);
/// ```
#[derive(Clone, Debug)]
pub struct OpenApiConfig {
    /// No `/reference` page, only the document (`disableDefaultReference`).
    pub disable_default_reference: bool,
    /// The page's Scalar theme (`theme`, default `default`).
    pub theme: String,
    /// A CSP nonce for the page's scripts (`nonce`).
    pub nonce: Option<String>,
}

impl Default for OpenApiConfig {
    fn default() -> Self {
        Self {
            disable_default_reference: false,
            theme: "default".to_owned(),
            nonce: None,
        }
    }
}

/// How the configuration switches the plugin on and reads its variables.
pub(crate) const BUILTIN: Builtin = Builtin {
    id: "open-api",
    enable: |config| config.open_api = Some(OpenApiConfig::default()),
    is_enabled: |config| config.open_api.is_some(),
    read_env,
    plugin: |config| {
        config
            .open_api
            .is_some()
            .then(|| Arc::new(OpenApiPlugin) as Arc<dyn Plugin>)
    },
};

fn read_env(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let Some(options) = config.open_api.as_mut() else {
        return Ok(());
    };
    set(
        &mut options.disable_default_reference,
        env.switch("KEYWARD_OPEN_API_DISABLE_DEFAULT_REFERENCE")?,
    );
    if let Some(theme) = env.text("KEYWARD_OPEN_API_THEME") {
        options.theme = theme;
    }
    Ok(())
}

/// The open-api plugin: its two routes.
pub(crate) struct OpenApiPlugin;

impl Plugin for OpenApiPlugin {
    fn id(&self) -> &'static str {
        "open-api"
    }

    fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
        endpoints
            .route(route::GenerateSchema, generate_schema)
            .route(route::Reference, reference)
    }
}

fn plugin(auth: &Auth) -> ApiResult<&OpenApiConfig> {
    auth.0
        .config
        .open_api
        .as_ref()
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// `GET /open-api/generate-schema`: the document.
async fn generate_schema(ctx: Ctx) -> Answer<route::GenerateSchema> {
    plugin(&ctx.auth)?;
    Ok(Json(document::generate(&ctx.auth)))
}

/// `GET /reference`: the Scalar page with the document in it (`404` with
/// `disable_default_reference`).
async fn reference(ctx: Ctx) -> ApiResult<Response> {
    let options = plugin(&ctx.auth)?;
    if options.disable_default_reference {
        return Err(ApiError::empty(StatusCode::NOT_FOUND));
    }
    let document = document::generate(&ctx.auth).to_string().replace("</", "<\\/");
    let configuration = serde_json::json!({
        "theme": options.theme,
        "metaData": {"title": "Keyward API", "description": "API Reference for your Keyward auth server"},
    })
    .to_string()
    .replace("</", "<\\/");
    let nonce = options
        .nonce
        .as_deref()
        .map(|nonce| format!(" nonce=\"{}\"", html_attribute(nonce)))
        .unwrap_or_default();
    let page = format!(
        r#"<!doctype html>
<html>
  <head>
    <title>Scalar API Reference</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <script id="api-reference" type="application/json">{document}</script>
    <script{nonce}>
      document.getElementById("api-reference").dataset.configuration = JSON.stringify({configuration});
    </script>
    <script{nonce} src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script>
  </body>
</html>
"#
    );
    let mut response = page.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(response)
}

/// `text` safe inside a double-quoted HTML attribute.
fn html_attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}
