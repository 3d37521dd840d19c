//! The verifier's example service (`client/verifier/examples/notes_service.rs`), a notes
//! API beside the auth server, driven over HTTP with tokens from Keyward and from
//! better-auth: the extractor and the layer let a caller with a valid token through, as
//! that user, and answer `401` with better-auth's error body otherwise; an API key is a
//! caller too, whose key's permissions decide what it may do.

#[allow(dead_code)]
#[path = "../../client/verifier/examples/notes_service.rs"]
mod notes_service;

use keyward_client::AuthClient;
use keyward_server::config::JwtConfig;
use keyward_tests::{ApiKeyOptions, BetterAuthServer, Database, TestServer};
use keyward_verifier::Verifier;
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

/// The service on a free loopback port, trusting `auth_url`.
async fn service(auth_url: &Url) -> String {
    let verifier = Verifier::builder(auth_url.clone())
        .accept_api_keys(std::time::Duration::from_secs(30))
        .build()
        .expect("a verifier");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, notes_service::app(verifier)).await });
    format!("http://{address}")
}

/// Signs `email` up at `auth_url` and answers a token of the session and an API key.
async fn credentials_for(auth_url: &Url, email: &str) -> (String, String) {
    let client = AuthClient::builder(auth_url.clone()).build().expect("client");
    client
        .sign_up()
        .email("Ada", email, "correct-horse-battery")
        .await
        .expect("signs up");
    let key = client
        .api_keys()
        .create(keyward_client::wire::CreateApiKeyRequest::named("notes"))
        .await
        .expect("an API key");
    (
        client.jwt().token().await.expect("a token").into_inner(),
        key.key.into_inner(),
    )
}

/// The plugins' options at both servers: sessions for keys, which may read notes.
fn key_options() -> ApiKeyOptions {
    ApiKeyOptions {
        sessions: true,
        default_permissions: Some(json!({"notes": ["read"]})),
        ..ApiKeyOptions::default()
    }
}

async fn drive(auth_url: &Url) {
    let base = service(auth_url).await;
    let http = reqwest::Client::new();
    let (ada, ada_key) = credentials_for(auth_url, "ada@example.com").await;
    let (bob, _) = credentials_for(auth_url, "bob@example.com").await;
    let get = |path: &str, token: Option<&str>| {
        let mut request = http.get(format!("{base}{path}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(get("/health", None).await.expect("answers").status(), StatusCode::OK);
    let me: Value = get("/me", Some(&ada))
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me["email"], "ada@example.com");
    let refused = get("/me", None).await.expect("answers");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    assert_eq!(refused.json::<Value>().await.expect("JSON")["code"], "UNAUTHORIZED");

    let added = http
        .post(format!("{base}/notes"))
        .bearer_auth(&ada)
        .body("buy milk")
        .send()
        .await
        .expect("answers");
    assert_eq!(added.json::<Value>().await.expect("JSON"), json!(["buy milk"]));
    let bobs: Value = get("/notes", Some(&bob))
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(bobs, json!([]), "each caller sees their own notes");
    let forged = format!("{ada}x");
    assert_eq!(
        get("/notes", Some(&forged)).await.expect("answers").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get("/notes", None).await.expect("answers").status(),
        StatusCode::UNAUTHORIZED
    );

    // Ada's API key reads her notes, but may not write.
    let by_key: Value = http
        .get(format!("{base}/notes"))
        .header("x-api-key", &ada_key)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(by_key, json!(["buy milk"]));
    let write = http
        .post(format!("{base}/notes"))
        .header("x-api-key", &ada_key)
        .body("sell milk")
        .send()
        .await
        .expect("answers");
    assert_eq!(write.status(), StatusCode::FORBIDDEN);
    let forged = http
        .get(format!("{base}/notes"))
        .header("x-api-key", "A".repeat(64))
        .send()
        .await
        .expect("answers");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(forged.json::<Value>().await.expect("JSON")["code"], "INVALID_API_KEY");
}

#[tokio::test]
async fn the_notes_service_trusts_keyward() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.jwt = Some(JwtConfig::default());
        config.api_key = Some(key_options().keyward());
    })
    .await;
    drive(&keyward.url).await;
}

#[tokio::test]
async fn the_notes_service_trusts_better_auth() {
    let env = key_options().env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["jwt", "api-key"], &env).await;
    drive(&better_auth.url).await;
}
