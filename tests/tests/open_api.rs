//! The open-api plugin at both servers: Keyward's document lists the same endpoints as
//! better-auth's `openAPI` does for the same plugins (paths, methods, tags and query
//! parameters), and both serve a `/reference` page.

use std::collections::BTreeSet;

use keyward_tests::{Peer, PeerKind, PeerOptions};
use serde_json::Value;

const PLUGINS: [&str; 3] = ["jwt", "api-key", "open-api"];

async fn document(kind: PeerKind) -> Value {
    let peer = Peer::start(
        kind,
        PeerOptions {
            plugins: PLUGINS.to_vec(),
            ..PeerOptions::default()
        },
    )
    .await;
    let url = peer.url().join("/api/auth/open-api/generate-schema").expect("url");
    let answer = reqwest::get(url).await.expect("answers");
    assert_eq!(answer.status(), 200);
    let page = reqwest::get(peer.url().join("/api/auth/reference").expect("url"))
        .await
        .expect("answers");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains(r#"id="api-reference""#));
    answer.json().await.expect("JSON")
}

/// Every `(METHOD path, tag)` of a document.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, methods) in document["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let tag = operation["tags"][0].as_str().unwrap_or("").to_owned();
            out.insert((format!("{} {path}", method.to_uppercase()), tag));
        }
    }
    out
}

/// The query parameters of `METHOD path`.
fn query_parameters(document: &Value, path: &str, method: &str) -> BTreeSet<String> {
    document["paths"][path][method]["parameters"]
        .as_array()
        .map(|parameters| {
            parameters
                .iter()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn both_documents_list_the_same_endpoints() {
    let ours = document(PeerKind::Keyward).await;
    let theirs = document(PeerKind::BetterAuth).await;
    assert_eq!(ours["openapi"], theirs["openapi"]);
    let (mine, real) = (operations(&ours), operations(&theirs));
    assert!(real.len() > 35, "the core's and two plugins' endpoints: {real:?}");
    // better-auth's document leaves out its own two routes (`/open-api/generate-schema`
    // and `/reference`); Keyward lists them under the plugin's tag.
    let open_api: BTreeSet<(String, String)> = [
        ("GET /open-api/generate-schema", "Open-api"),
        ("GET /reference", "Open-api"),
    ]
    .into_iter()
    .map(|(route, tag)| (route.to_owned(), tag.to_owned()))
    .collect();
    let only_ours: Vec<_> = mine.difference(&real).filter(|op| !open_api.contains(op)).collect();
    let only_theirs: Vec<_> = real.difference(&mine).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "only in Keyward's: {only_ours:?}\nonly in better-auth's: {only_theirs:?}"
    );
    for (path, method) in [
        ("/verify-email", "get"),
        ("/api-key/list", "get"),
        ("/api-key/get", "get"),
    ] {
        assert_eq!(
            query_parameters(&ours, path, method),
            query_parameters(&theirs, path, method),
            "{method} {path}"
        );
    }
    let schemas = |doc: &Value| -> BTreeSet<String> {
        doc["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(schemas(&ours), schemas(&theirs));
}
