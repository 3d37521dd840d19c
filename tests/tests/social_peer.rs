//! The local OpenID Connect provider of the social sign-in tests (`keyward_tests::oidc`),
//! checked on its own: a user signs in and consents, the code is exchanged by hand, and a
//! denied consent comes back as `access_denied`.

use keyward_server::crypto::{base64url, random_string, sha256};
use keyward_tests::oidc::{Consent, OidcClient, OidcProvider};
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

const REDIRECT_URI: &str = "http://127.0.0.1:9/cb";

/// An authorization request for `client`, with PKCE: the URL and the code verifier.
fn authorization_url(provider: &OidcProvider, client: &OidcClient, state: &str) -> (String, String) {
    let verifier = random_string(64, b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    let challenge = base64url(&sha256(verifier.as_bytes()));
    let mut url = provider.issuer.join("auth").expect("authorization endpoint");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.client_id)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("scope", "openid email profile")
        .append_pair("state", state)
        .append_pair("nonce", "nonce-1")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    (url.into(), verifier)
}

fn query(url: &str) -> Vec<(String, String)> {
    let url: Url = url.parse().expect("a URL");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn the_local_provider_signs_a_user_in_and_refuses_a_denied_consent() {
    let client = OidcClient {
        client_id: "peer-client".into(),
        client_secret: "peer-secret".into(),
        redirect_uris: vec![REDIRECT_URI.into()],
    };
    let accounts = json!({"alice": {"email": "Alice@Example.com", "email_verified": true, "name": "Alice Liddell"}});
    let provider = OidcProvider::start(std::slice::from_ref(&client), accounts).await;
    let issuer = provider.issuer.as_str().trim_end_matches('/').to_owned();
    let http = reqwest::Client::new();

    let discovery: Value = serde_json::from_str(
        &http
            .get(provider.discovery_url())
            .send()
            .await
            .expect("discovery answers")
            .text()
            .await
            .expect("a body"),
    )
    .expect("discovery is JSON");
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(discovery["code_challenge_methods_supported"], json!(["S256"]));

    let (url, verifier) = authorization_url(&provider, &client, "state-1");
    let back = provider.authorize(&url, "alice", Consent::Grant).await;
    assert!(back.starts_with(&format!("{REDIRECT_URI}?")), "{back}");
    let pairs = query(&back);
    let code = param(&pairs, "code").unwrap_or_else(|| panic!("no code: {back}"));
    assert_eq!(param(&pairs, "state"), Some("state-1"));
    assert_eq!(param(&pairs, "iss"), Some(issuer.as_str()));

    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier.as_str()),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
        ])
        .finish();
    let response = http
        .post(provider.issuer.join("token").expect("token endpoint"))
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the token endpoint answers");
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = serde_json::from_str(&response.text().await.expect("a body")).expect("JSON");
    for field in ["access_token", "refresh_token", "id_token"] {
        assert!(
            tokens[field].as_str().is_some_and(|t| !t.is_empty()),
            "{field} in {tokens}"
        );
    }
    assert_eq!(tokens["token_type"], "Bearer");

    let (url, _) = authorization_url(&provider, &client, "state-2");
    let back = provider.authorize(&url, "alice", Consent::Deny).await;
    let pairs = query(&back);
    assert_eq!(param(&pairs, "error"), Some("access_denied"), "{back}");
    assert_eq!(param(&pairs, "code"), None);
    assert_eq!(param(&pairs, "state"), Some("state-2"));
    assert_eq!(param(&pairs, "iss"), Some(issuer.as_str()));
}
