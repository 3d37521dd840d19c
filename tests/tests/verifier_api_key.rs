//! `keyward-verifier`'s API-key mode against both servers: a key is checked by the auth
//! server and gives the service its owner and the key (name, permissions); concurrent
//! checks of one key cost one check at the server; forged, disabled and rate-limited keys
//! are refused with the server's code, also through the axum layer.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use keyward_client::wire::organization::access::Permissions;
use keyward_client::wire::{CreateApiKeyRequest, UpdateApiKeyRequest};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{ApiKeyOptions, Peer, PeerKind, PeerOptions, peer_test};
use keyward_verifier::{Authenticated, RequireCaller, Verifier, VerifyError};
use serde_json::json;
use tower::ServiceExt;

const PASSWORD: &str = "correct-horse-battery";

async fn peer(kind: PeerKind, rate_limit_max: u64) -> Peer {
    let api_key = ApiKeyOptions {
        sessions: true,
        rate_limit_max: Some(rate_limit_max),
        default_permissions: Some(json!({"notes": ["read"]})),
        ..ApiKeyOptions::default()
    };
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["api-key"],
            api_key,
            ..PeerOptions::default()
        },
    )
    .await
}

fn verifier(peer: &Peer) -> Verifier {
    Verifier::builder(peer.url())
        .accept_api_keys(Duration::from_secs(60))
        .build()
        .expect("a verifier")
}

fn refused_code(error: VerifyError) -> (u16, String) {
    match error {
        VerifyError::ApiKeyRefused { status, code, .. } => (status, code),
        other => panic!("expected the server's refusal, got {other:?}"),
    }
}

peer_test! {
    async fn a_key_names_its_owner_and_permissions_and_is_checked_once_per_period(kind) {
        let _record = against_better_auth(kind, &[flows::API_KEY]);
        let peer = peer(kind, 100).await;
        let client = peer.client();
        let ada = client.sign_up().email("Ada", "ada@example.com", PASSWORD).await.expect("signs up");
        let created = client.api_keys().create(CreateApiKeyRequest::named("notes bot")).await.expect("created");
        let key = created.key.expose();
        let service = verifier(&peer);
        let checks = (0..5).map(|_| service.verify_api_key(key));
        for caller in futures::future::join_all(checks).await {
            let caller = caller.expect("the key is good");
            assert_eq!(caller.user_id, ada.user.id);
            assert_eq!(caller.claims["email"], "ada@example.com");
            let described = caller.api_key.as_ref().expect("the key");
            assert_eq!(described.id, created.api_key.id);
            assert_eq!(described.name.as_deref(), Some("notes bot"));
            assert!(caller.key_allows(&Permissions::new().with("notes", ["read"])));
            assert!(!caller.key_allows(&Permissions::new().with("notes", ["write"])));
        }
        assert_eq!(service.api_key_fetches(), 1, "five callers, one check");
        let counted = client.api_keys().get(&created.api_key.id).await.expect("read");
        assert_eq!(counted.request_count, 2, "a check is two requests with the key");

        let forged = "A".repeat(64);
        assert_eq!(refused_code(service.verify_api_key(&forged).await.expect_err("forged")), (401, "INVALID_API_KEY".into()));
        assert_eq!(refused_code(service.verify_api_key("short").await.expect_err("short")), (403, "INVALID_API_KEY".into()));
        client
            .api_keys()
            .update(UpdateApiKeyRequest::key(&created.api_key.id).enabled(false))
            .await
            .expect("disabled");
        assert!(service.verify_api_key(key).await.is_ok(), "cached for its period");
        let fresh = verifier(&peer);
        assert_eq!(refused_code(fresh.verify_api_key(key).await.expect_err("disabled")), (401, "KEY_DISABLED".into()));
    }
}

peer_test! {
    async fn the_layer_lets_keys_through_and_answers_the_servers_refusal(kind) {
        let _record = against_better_auth(kind, &[flows::API_KEY_REFUSED]);
        let peer = peer(kind, 3).await;
        let client = peer.client();
        client.sign_up().email("Ada", "ada@example.com", PASSWORD).await.expect("signs up");
        let created = client.api_keys().create(CreateApiKeyRequest::default()).await.expect("created");
        let key = created.key.expose();
        let app = |service: Verifier| {
            axum::Router::new()
                .route(
                    "/notes",
                    get(|Authenticated(caller): Authenticated| async move {
                        caller.api_key.map(|key| key.id).unwrap_or_default()
                    }),
                )
                .layer(RequireCaller::new(service.clone()))
                .with_state(service)
        };
        let call = |service: Verifier, key: Option<&str>| {
            let mut request = Request::get("/notes");
            if let Some(key) = key {
                request = request.header("x-api-key", key);
            }
            app(service).oneshot(request.body(Body::empty()).expect("request"))
        };
        let answer = call(verifier(&peer), Some(key)).await.expect("answers");
        assert_eq!(answer.status(), StatusCode::OK);
        let body = axum::body::to_bytes(answer.into_body(), 1 << 16).await.expect("body");
        assert_eq!(body, created.api_key.id.as_bytes());
        let answer = call(verifier(&peer), None).await.expect("answers");
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
        // The key's rate limit (three requests) is spent by the first check's two and one
        // more: a service without the answer cached gets the server's 429.
        let answer = call(verifier(&peer), Some(key)).await.expect("answers");
        assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
        let body = axum::body::to_bytes(answer.into_body(), 1 << 16).await.expect("body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(body["code"], "RATE_LIMITED");
    }
}
