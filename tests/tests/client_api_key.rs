//! `client.api_keys()` against both servers: Keyward's api-key plugin and
//! `@better-auth/api-key` 1.7.5 (interop direction A): keys made, read, listed, changed
//! and deleted; a key as a session of its owner; the refusals, the per-key rate limit,
//! uses and permissions through each server's own calls.

use keyward_client::Error;
use keyward_client::wire::{CreateApiKeyRequest, UpdateApiKeyRequest};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{ApiKeyOptions, Peer, PeerKind, PeerOptions, peer_test};
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";

async fn peer(kind: PeerKind, api_key: ApiKeyOptions) -> Peer {
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

/// The code of an API refusal (panics on anything else).
fn refusal<T: std::fmt::Debug>(result: keyward_client::Result<T>) -> (u16, String) {
    match result {
        Err(Error::Api { status, code, .. }) => (status, code.as_str().to_owned()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

peer_test! {
    async fn a_user_manages_keys_and_a_key_is_a_session(kind) {
        let _record = against_better_auth(kind, &[flows::API_KEY]);
        let options = ApiKeyOptions { sessions: true, metadata: true, ..ApiKeyOptions::default() };
        let peer = peer(kind, options).await;
        let client = peer.client();
        let ada = client.sign_up().email("Ada", "ada@example.com", PASSWORD).await.expect("signs up");
        let created = client
            .api_keys()
            .create(
                CreateApiKeyRequest::named("deploy")
                    .expires_in_days(30)
                    .prefix("kw_")
                    .metadata(json!({"team": "ops"})),
            )
            .await
            .expect("created");
        let key = created.key.expose().to_owned();
        assert!(key.starts_with("kw_") && key.len() == 67, "{key}");
        assert_eq!(created.api_key.start.as_deref(), Some(&key[..6]));
        assert_eq!(created.api_key.reference_id, ada.user.id);
        assert_eq!(created.api_key.metadata, Some(json!({"team": "ops"})));
        assert_eq!(created.api_key.rate_limit_max, Some(10));
        let lifetime = created.api_key.expires_at.expect("expires") - chrono::Utc::now();
        assert!((29..=30).contains(&lifetime.num_days()), "{lifetime}");
        client.api_keys().create(CreateApiKeyRequest::named("backup")).await.expect("a second");

        let read = client.api_keys().get(&created.api_key.id).await.expect("read");
        assert_eq!(read.name.as_deref(), Some("deploy"));
        let page = client.api_keys().list().sort_by("name", false).limit(1).send().await.expect("listed");
        assert_eq!(page.total, 2);
        assert_eq!(page.api_keys.len(), 1);
        assert_eq!(page.api_keys[0].name.as_deref(), Some("backup"));

        let (status, session) = peer.key_session(&key).await;
        assert_eq!(status, 200, "{session}");
        assert_eq!(session["user"]["id"], ada.user.id.as_str());
        assert_eq!(session["session"]["id"], created.api_key.id.as_str());
        assert_eq!(session["session"]["token"], key.as_str());

        let changed = client
            .api_keys()
            .update(UpdateApiKeyRequest::key(&created.api_key.id).name("deploy-2").enabled(false))
            .await
            .expect("changed");
        assert_eq!(changed.name.as_deref(), Some("deploy-2"));
        assert!(!changed.enabled);
        assert_eq!(changed.request_count, 1, "the session's request counted");
        let (status, refused) = peer.key_session(&key).await;
        assert_eq!((status, refused["code"].as_str()), (401, Some("KEY_DISABLED")));
        client.api_keys().delete(&created.api_key.id).await.expect("deleted");
        assert_eq!(refusal(client.api_keys().get(&created.api_key.id).await), (404, "KEY_NOT_FOUND".into()));
        let (status, refused) = peer.key_session(&key).await;
        assert_eq!((status, refused["code"].as_str()), (401, Some("INVALID_API_KEY")));
        let (status, refused) = peer.key_session("short").await;
        assert_eq!((status, refused["code"].as_str()), (403, Some("INVALID_API_KEY")));
    }
}

peer_test! {
    async fn refusals_limits_and_permissions_match(kind) {
        let _record = against_better_auth(kind, &[flows::API_KEY_REFUSED]);
        let options = ApiKeyOptions { sessions: true, rate_limit_max: Some(2), ..ApiKeyOptions::default() };
        let peer = peer(kind, options).await;
        let client = peer.client();
        let ada = client.sign_up().email("Ada", "ada@example.com", PASSWORD).await.expect("signs up");
        let bob = peer.client();
        bob.sign_up().email("Bob", "bob@example.com", PASSWORD).await.expect("signs up");
        let created = client.api_keys().create(CreateApiKeyRequest::default()).await.expect("created");
        assert_eq!(refusal(bob.api_keys().get(&created.api_key.id).await), (404, "KEY_NOT_FOUND".into()));
        assert_eq!(refusal(bob.api_keys().delete(&created.api_key.id).await), (404, "KEY_NOT_FOUND".into()));
        let server_only = CreateApiKeyRequest { remaining: Some(3), ..CreateApiKeyRequest::default() };
        assert_eq!(refusal(client.api_keys().create(server_only).await), (400, "SERVER_ONLY_PROPERTY".into()));
        let too_short = CreateApiKeyRequest { expires_in: Some(60), ..CreateApiKeyRequest::default() };
        assert_eq!(refusal(client.api_keys().create(too_short).await), (400, "EXPIRES_IN_IS_TOO_SMALL".into()));
        let metadata = CreateApiKeyRequest::default().metadata(json!({"a": 1}));
        assert_eq!(refusal(client.api_keys().create(metadata).await), (400, "METADATA_DISABLED".into()));
        let nothing = UpdateApiKeyRequest::key(&created.api_key.id);
        assert_eq!(refusal(client.api_keys().update(nothing).await), (400, "NO_VALUES_TO_UPDATE".into()));

        // The per-key rate limit: two requests, then 429 with the time to wait.
        let key = created.key.expose();
        assert_eq!(peer.key_session(key).await.0, 200);
        assert_eq!(peer.key_session(key).await.0, 200);
        let (status, limited) = peer.key_session(key).await;
        assert_eq!((status, limited["code"].as_str()), (429, Some("RATE_LIMITED")), "{limited}");
        assert_eq!(limited["message"], "Rate limit exceeded.");
        assert!(limited["details"]["tryAgainIn"].as_i64().is_some_and(|ms| ms > 86_000_000), "{limited}");

        // What only the server sets: uses, and permissions checked by its verify.
        let (status, made) = peer
            .api_key_server_call(
                "create",
                json!({"userId": ada.user.id, "remaining": 1, "rateLimitEnabled": false, "permissions": {"files": ["read"]}}),
            )
            .await;
        assert_eq!(status, 200, "{made}");
        assert_eq!(made["remaining"], 1);
        assert_eq!(made["permissions"], json!({"files": ["read"]}));
        let limited_key = made["key"].as_str().expect("key");
        let verify = |permissions: Value| {
            peer.api_key_server_call("verify", json!({"key": limited_key, "permissions": permissions}))
        };
        let (_, denied) = verify(json!({"files": ["write"]})).await;
        assert_eq!(denied["valid"], false);
        assert_eq!(denied["error"]["code"], "KEY_NOT_FOUND");
        let (_, granted) = verify(json!({"files": ["read"]})).await;
        assert_eq!(granted["valid"], true, "{granted}");
        assert_eq!(granted["key"]["remaining"], 0);
        assert!(granted["key"].get("key").is_none(), "the hash is never answered");
        let (status, spent) = peer.key_session(limited_key).await;
        assert_eq!((status, spent["code"].as_str()), (429, Some("USAGE_EXCEEDED")));
        let keys = client.api_keys().list().send().await.expect("listed");
        assert_eq!(keys.total, 1, "the spent key was deleted");
    }
}

peer_test! {
    async fn an_organizations_keys_are_managed_by_its_members_as_their_role_allows(kind) {
        let _record = against_better_auth(kind, &[flows::API_KEY, flows::API_KEY_REFUSED]);
        let options = ApiKeyOptions { sessions: true, organization_keys: true, ..ApiKeyOptions::default() };
        let peer = Peer::start(
            kind,
            PeerOptions { plugins: vec!["organization", "api-key"], api_key: options, ..PeerOptions::default() },
        )
        .await;
        let alice = peer.client();
        alice.sign_up().email("Alice", "alice@example.com", PASSWORD).await.expect("signs up");
        let carol = peer.client();
        carol.sign_up().email("Carol", "carol@example.com", PASSWORD).await.expect("signs up");
        let erin = peer.client();
        erin.sign_up().email("Erin", "erin@example.com", PASSWORD).await.expect("signs up");
        let acme = alice.organization().create("Acme", "acme").await.expect("creates").organization.id;
        let invitation = alice.organization().invite_member("carol@example.com", "member").await.expect("invites");
        carol.organization().accept_invitation(invitation.id.as_str()).await.expect("accepts");

        let unowned = alice.api_keys().create(CreateApiKeyRequest::named("ci")).await;
        assert_eq!(refusal(unowned), (400, "ORGANIZATION_ID_REQUIRED".into()));
        let for_acme = CreateApiKeyRequest { organization_id: Some(acme.clone()), ..CreateApiKeyRequest::named("ci") };
        let created = alice.api_keys().create(for_acme.clone()).await.expect("the owner makes one");
        assert_eq!(created.api_key.reference_id, acme);
        assert_eq!(refusal(carol.api_keys().create(for_acme.clone()).await), (403, "INSUFFICIENT_API_KEY_PERMISSIONS".into()));
        assert_eq!(refusal(erin.api_keys().create(for_acme).await), (403, "USER_NOT_MEMBER_OF_ORGANIZATION".into()));

        let listed = alice.api_keys().list().organization(&acme).send().await.expect("listed");
        assert_eq!(listed.total, 1);
        assert_eq!(alice.api_keys().list().send().await.expect("listed").total, 0, "no user keys here");
        assert_eq!(refusal(carol.api_keys().list().organization(&acme).send().await), (403, "INSUFFICIENT_API_KEY_PERMISSIONS".into()));
        assert_eq!(refusal(erin.api_keys().get(&created.api_key.id).await), (403, "USER_NOT_MEMBER_OF_ORGANIZATION".into()));
        let renamed = alice
            .api_keys()
            .update(UpdateApiKeyRequest::key(&created.api_key.id).name("ci-2"))
            .await
            .expect("renamed");
        assert_eq!(renamed.name.as_deref(), Some("ci-2"));
        let (status, refused) = peer.key_session(created.key.expose()).await;
        assert_eq!((status, refused["code"].as_str()), (401, Some("INVALID_REFERENCE_ID_FROM_API_KEY")));
        assert_eq!(refusal(carol.api_keys().delete(&created.api_key.id).await), (403, "INSUFFICIENT_API_KEY_PERMISSIONS".into()));
        alice.api_keys().delete(&created.api_key.id).await.expect("the owner deletes it");
    }
}

peer_test! {
    async fn keys_of_another_configuration_follow_its_rules_and_are_found_through_it(kind) {
        let _record = against_better_auth(kind, &[flows::API_KEY]);
        let options = ApiKeyOptions { sessions: true, public_configuration: true, ..ApiKeyOptions::default() };
        let peer = peer(kind, options).await;
        let client = peer.client();
        client.sign_up().email("Ada", "ada@example.com", PASSWORD).await.expect("signs up");
        let default = client.api_keys().create(CreateApiKeyRequest::named("main")).await.expect("created");
        assert_eq!(default.api_key.config_id.as_deref(), Some("default"));
        let public_request = CreateApiKeyRequest { config_id: Some("public".into()), ..CreateApiKeyRequest::named("web") };
        let public = client.api_keys().create(public_request).await.expect("created");
        assert_eq!(public.api_key.config_id.as_deref(), Some("public"));
        assert!(public.key.expose().starts_with("pub_"), "the configuration's prefix");
        assert_eq!(public.api_key.rate_limit_max, Some(1));
        assert_eq!(refusal(client.api_keys().get(&public.api_key.id).await), (404, "KEY_NOT_FOUND".into()));
        assert_eq!(client.api_keys().list().send().await.expect("listed").total, 2);
        let listed = client.api_keys().list().config("public").send().await.expect("listed");
        assert_eq!(listed.total, 1);
        assert_eq!(listed.api_keys[0].id, public.api_key.id);
        let found = client.api_keys().get_in(Some("public"), &public.api_key.id).await.expect("found");
        assert_eq!(found.name.as_deref(), Some("web"));
        // Sessions are the default configuration's: the public key gets none.
        let (status, refused) = peer.key_session(public.key.expose()).await;
        assert_eq!((status, refused["code"].as_str()), (401, Some("INVALID_API_KEY")));
        assert_eq!(peer.key_session(default.key.expose()).await.0, 200);
        assert_eq!(refusal(client.api_keys().delete(&public.api_key.id).await), (404, "KEY_NOT_FOUND".into()));
        client.api_keys().delete_in(Some("public"), &public.api_key.id).await.expect("deleted");
        assert_eq!(client.api_keys().list().send().await.expect("listed").total, 1);
    }
}
