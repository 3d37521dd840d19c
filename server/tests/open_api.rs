//! The open-api plugin: the document lists exactly the enabled endpoints, with their
//! request fields, parameters, tags and the tables, and `/reference` renders it.

use crate::common;

use axum::http::StatusCode;
use common::{ORIGIN, TestApp};
use keyward_server::config::{ApiKeyConfig, JwtConfig, OpenApiConfig};
use serde_json::{Value, json};

async fn document(app: &TestApp) -> Value {
    let answer = app.get("/open-api/generate-schema").send().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

on_both_databases! {
    async fn the_document_describes_the_enabled_endpoints(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.open_api = Some(OpenApiConfig::default());
            config.jwt = Some(JwtConfig::default());
            config.api_key = Some(ApiKeyConfig::default());
        })
        .await;
        let doc = document(&app).await;
        assert_eq!(doc["openapi"], "3.1.1");
        assert_eq!(doc["servers"], json!([{"url": format!("{ORIGIN}/api/auth")}]));
        let paths = doc["paths"].as_object().expect("paths");
        let sign_in = &paths["/sign-in/email"]["post"];
        assert_eq!(sign_in["operationId"], "signInEmail");
        assert_eq!(sign_in["tags"], json!(["Default"]));
        let body = &sign_in["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["properties"]["email"]["type"], "string");
        assert!(body["required"].as_array().expect("required").contains(&json!("password")));
        assert!(sign_in["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object());
        let verify = paths["/verify-email"]["get"]["parameters"].as_array().expect("parameters");
        assert!(verify.iter().any(|p| p["name"] == "token" && p["in"] == "query" && p["required"] == true));
        let callback = paths["/callback/{id}"]["get"]["parameters"].as_array().expect("parameters");
        assert!(callback.iter().any(|p| p["name"] == "id" && p["in"] == "path"));
        assert_eq!(paths["/token"]["get"]["tags"], json!(["Jwt"]));
        let create = &paths["/api-key/create"]["post"];
        assert_eq!(create["tags"], json!(["Api-key"]));
        let expires = &create["requestBody"]["content"]["application/json"]["schema"]["properties"]["expiresIn"];
        assert_eq!(expires["minimum"], 1);
        assert!(create["description"].as_str().expect("described").contains("plain text"));
        assert!(paths.get("/two-factor/enable").is_none(), "a plugin that is off is not listed");
        let operations: usize = paths.values().map(|methods| methods.as_object().expect("methods").len()).sum();
        let declared = keyward_client::wire::routes::TAGGED_GROUPS
            .iter()
            .filter(|(tag, _)| ["Default", "Jwt", "Api-key", "Open-api"].contains(tag))
            .map(|(_, routes)| routes.len())
            .sum::<usize>();
        assert_eq!(operations, declared, "every enabled route once");
        let tags: Vec<&str> = doc["tags"].as_array().expect("tags").iter().filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(tags, ["Default", "Jwt", "Api-key", "Open-api"]);
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for table in ["User", "Session", "Account", "Verification", "Jwks", "Apikey"] {
            assert!(schemas.contains_key(table), "{table}");
        }
        assert_eq!(schemas["Apikey"]["properties"]["expiresAt"]["format"], "date-time");
        assert!(schemas["User"]["required"].as_array().expect("required").contains(&json!("email")));
    }
}

on_both_databases! {
    async fn the_reference_page_renders_the_document_unless_disabled(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.open_api = Some(OpenApiConfig { nonce: Some("n0nce".into()), ..OpenApiConfig::default() });
        })
        .await;
        let page = app.get("/reference").send().await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.header("content-type").expect("type").starts_with("text/html"));
        let html = page.text();
        assert!(html.contains(r#"<script id="api-reference" type="application/json">{"#), "{html}");
        assert!(html.contains("\"openapi\":\"3.1.1\""));
        assert!(html.contains(r#"<script nonce="n0nce" src="https://cdn.jsdelivr.net/npm/@scalar/api-reference">"#));
        let disabled = TestApp::with(backend, |config| {
            config.open_api = Some(OpenApiConfig { disable_default_reference: true, ..OpenApiConfig::default() });
        })
        .await;
        assert_eq!(disabled.get("/reference").send().await.status, StatusCode::NOT_FOUND);
        assert_eq!(disabled.get("/open-api/generate-schema").send().await.status, StatusCode::OK);
        let off = TestApp::new(backend).await;
        assert_eq!(off.get("/open-api/generate-schema").send().await.status, StatusCode::NOT_FOUND);
        assert_eq!(off.get("/reference").send().await.status, StatusCode::NOT_FOUND);
    }
}
