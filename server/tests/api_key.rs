//! The api-key plugin: keys made, read, listed, changed and deleted by their owner; the
//! `apikey` rows as `@better-auth/api-key` writes them (the key's SHA-256, `start`, the
//! defaults); sessions for requests carrying a key; expiry, uses and refill, the per-key
//! rate limit and permissions, through the server's own calls.

use crate::common;

use axum::http::StatusCode;
use base64::Engine;
use common::{Backend, Client, TestApp};
use keyward_client::wire::organization::access::Permissions;
use keyward_client::wire::{CreateApiKeyRequest, UpdateApiKeyRequest};
use keyward_server::config::ApiKeyConfig;
use serde_json::{Value, json};
use sha2::Digest;

const PASSWORD: &str = "correct-horse-battery";

async fn app(backend: Backend, options: ApiKeyConfig) -> TestApp {
    TestApp::with(backend, |config| config.api_key = Some(options)).await
}

async fn create(app: &TestApp, client: &Client, body: Value) -> Value {
    let answer = app
        .post("/api-key/create")
        .origin()
        .cookies(client)
        .json(&body)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

/// `GET /get-session` with `key` in `x-api-key`.
async fn key_session(app: &TestApp, key: &str) -> common::TestResponse {
    app.get("/get-session").header("x-api-key", key).send().await
}

on_both_databases! {
    async fn a_key_is_answered_once_and_stored_as_its_hash(backend: Backend) {
        let app = app(backend, ApiKeyConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let created = create(&app, &ada, json!({"name": "ci", "expiresIn": 86400})).await;
        let key = created["key"].as_str().expect("the key");
        assert_eq!(key.len(), 64);
        assert!(key.chars().all(|c| c.is_ascii_alphabetic()), "{key}");
        assert_eq!(created["start"], key[..6]);
        assert_eq!(created["configId"], "default");
        assert_eq!(created["rateLimitMax"], 10);
        assert_eq!(created["rateLimitTimeWindow"], 86_400_000);
        assert_eq!(created["requestCount"], 0);
        assert_eq!(created["enabled"], true);
        assert_eq!(created["metadata"], Value::Null);
        let expires = chrono::DateTime::parse_from_rfc3339(created["expiresAt"].as_str().expect("expiry")).expect("iso");
        let lifetime = expires.timestamp() - chrono::Utc::now().timestamp();
        assert!((86_300..=86_400).contains(&lifetime), "{lifetime}");
        let rows = app
            .sql_rows(r#"select "key", "metadata", "referenceId" from "apikey""#, keyward_server::args![])
            .await;
        let hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(key.as_bytes()));
        assert_eq!(rows[0].text("key").expect("key"), hash);
        assert_eq!(rows[0].text("metadata").expect("metadata"), "null");
        let got = app
            .get(&format!("/api-key/get?id={}", created["id"].as_str().expect("id")))
            .cookies(&ada)
            .send()
            .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text());
        assert!(got.json().get("key").is_none(), "the key is never answered again");
        assert_eq!(got.json()["name"], "ci");
    }
}

on_both_databases! {
    async fn only_the_owner_reads_changes_and_deletes_a_key(backend: Backend) {
        let app = app(backend, ApiKeyConfig::default().enable_metadata()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let bob = app.sign_up("Bob", "bob@example.com", PASSWORD).await;
        let created = create(&app, &ada, json!({"name": "one", "metadata": {"team": "ops"}})).await;
        create(&app, &ada, json!({"name": "two", "prefix": "kw_"})).await;
        let id = created["id"].as_str().expect("id");
        app.get(&format!("/api-key/get?id={id}")).cookies(&bob).send().await
            .assert_error(StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
        app.get(&format!("/api-key/get?id={id}")).send().await
            .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        let listed = app.get("/api-key/list?sortBy=name&sortDirection=desc").cookies(&ada).send().await;
        assert_eq!(listed.json()["total"], 2);
        assert_eq!(listed.json()["apiKeys"][0]["name"], "two");
        assert_eq!(listed.json()["apiKeys"][0]["prefix"], "kw_");
        assert_eq!(listed.json()["apiKeys"][1]["metadata"], json!({"team": "ops"}));
        let page = app.get("/api-key/list?limit=1&offset=1&sortBy=name").cookies(&ada).send().await;
        assert_eq!(page.json()["apiKeys"][0]["name"], "two");
        assert_eq!(page.json()["total"], 2);
        assert_eq!(page.json()["limit"], 1);
        app.get("/api-key/list?limit=x").cookies(&ada).send().await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(app.get("/api-key/list").cookies(&bob).send().await.json()["total"], 0);
        let update = |client: &Client, body: Value| app.post("/api-key/update").origin().cookies(client).json(&body).send();
        update(&bob, json!({"keyId": id, "name": "mine"})).await.assert_error(StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
        update(&ada, json!({"keyId": id})).await.assert_error(StatusCode::BAD_REQUEST, "NO_VALUES_TO_UPDATE");
        update(&ada, json!({"keyId": id, "remaining": 5})).await
            .assert_error(StatusCode::BAD_REQUEST, "SERVER_ONLY_PROPERTY");
        update(&ada, json!({"keyId": id, "name": ""})).await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_NAME_LENGTH");
        let changed = update(&ada, json!({"keyId": id, "name": "renamed", "enabled": false, "metadata": {"team": "dev"}})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
        assert_eq!(changed.json()["name"], "renamed");
        assert_eq!(changed.json()["enabled"], false);
        assert_eq!(changed.json()["metadata"], json!({"team": "dev"}));
        assert_eq!(changed.json()["updatedAt"], created["updatedAt"], "better-auth's update leaves updatedAt");
        let delete = |client: &Client| app.post("/api-key/delete").origin().cookies(client).json(&json!({"keyId": id})).send();
        delete(&bob).await.assert_error(StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
        let deleted = delete(&ada).await;
        assert_eq!(deleted.json(), json!({"success": true}));
        delete(&ada).await.assert_error(StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
        assert_eq!(app.count("apikey").await, 1);
    }
}

on_both_databases! {
    async fn a_browser_cannot_set_what_only_the_server_may(backend: Backend) {
        let app = app(backend, ApiKeyConfig::default()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let refuse = |body: Value, status: StatusCode, code: &'static str| {
            let app = &app;
            let ada = &ada;
            async move {
                app.post("/api-key/create").origin().cookies(ada).json(&body).send().await.assert_error(status, code);
            }
        };
        for body in [
            json!({"remaining": 5}),
            json!({"refillAmount": 5, "refillInterval": 1000}),
            json!({"rateLimitMax": 100}),
            json!({"rateLimitEnabled": false}),
            json!({"permissions": {"files": ["read"]}}),
        ] {
            refuse(body, StatusCode::BAD_REQUEST, "SERVER_ONLY_PROPERTY").await;
        }
        refuse(json!({"userId": "someone"}), StatusCode::UNAUTHORIZED, "UNAUTHORIZED_SESSION").await;
        refuse(json!({"metadata": {"a": 1}}), StatusCode::BAD_REQUEST, "METADATA_DISABLED").await;
        refuse(json!({"expiresIn": 3600}), StatusCode::BAD_REQUEST, "EXPIRES_IN_IS_TOO_SMALL").await;
        refuse(json!({"expiresIn": 400 * 86400}), StatusCode::BAD_REQUEST, "EXPIRES_IN_IS_TOO_LARGE").await;
        refuse(json!({"expiresIn": 0}), StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        refuse(json!({"prefix": "no spaces"}), StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        refuse(json!({"prefix": "x".repeat(33)}), StatusCode::BAD_REQUEST, "INVALID_PREFIX_LENGTH").await;
        refuse(json!({"name": "n".repeat(33)}), StatusCode::BAD_REQUEST, "INVALID_NAME_LENGTH").await;
        app.post("/api-key/create").origin().json(&json!({})).send().await
            .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED_SESSION");
        assert_eq!(app.count("apikey").await, 0);
    }
}

on_both_databases! {
    async fn a_key_is_a_session_of_its_owner_on_every_route(backend: Backend) {
        let app = app(backend, ApiKeyConfig::default().enable_session_for_api_keys()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let created = create(&app, &ada, json!({})).await;
        let key = created["key"].as_str().expect("key");
        let session = key_session(&app, key).await;
        assert_eq!(session.status, StatusCode::OK, "{}", session.text());
        assert!(session.set_cookies().is_empty(), "a key's session sets no cookie");
        let data = session.json();
        assert_eq!(data["user"]["email"], "ada@example.com");
        assert_eq!(data["session"]["id"], created["id"]);
        assert_eq!(data["session"]["token"], key);
        let sessions_before = app.count("session").await;
        let listed = app.get("/api-key/list").header("x-api-key", key).send().await;
        assert_eq!(listed.json()["total"], 1, "{}", listed.text());
        let renamed = app
            .post("/update-user")
            .origin()
            .header("x-api-key", key)
            .json(&json!({"name": "Ada L."}))
            .send()
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
        assert_eq!(app.count("session").await, sessions_before, "nothing is stored");
        key_session(&app, "short").await.assert_error(StatusCode::FORBIDDEN, "INVALID_API_KEY");
        key_session(&app, &format!("{key}x")).await.assert_error(StatusCode::UNAUTHORIZED, "INVALID_API_KEY");
        let used = app.get(&format!("/api-key/get?id={}", created["id"].as_str().expect("id"))).cookies(&ada).send().await;
        assert_eq!(used.json()["requestCount"], 3);
        assert!(used.json()["lastRequest"].is_string());
    }
}

on_both_databases! {
    async fn a_keys_rate_limit_slides_from_its_last_request(backend: Backend) {
        let options = ApiKeyConfig::default()
            .enable_session_for_api_keys()
            .rate_limit(2, std::time::Duration::from_secs(60));
        let app = app(backend, options).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let key = create(&app, &ada, json!({})).await["key"].as_str().expect("key").to_owned();
        assert_eq!(key_session(&app, &key).await.status, StatusCode::OK);
        assert_eq!(key_session(&app, &key).await.status, StatusCode::OK);
        let refused = key_session(&app, &key).await;
        refused.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
        assert_eq!(refused.message(), "Rate limit exceeded.");
        let wait = refused.json()["details"]["tryAgainIn"].as_i64().expect("tryAgainIn");
        assert!((59_000..=60_000).contains(&wait), "{wait}");
        // A window that ended: the key's last request a minute and more ago.
        app.sql(
            r#"update "apikey" set "lastRequest" = $1"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(61)],
        )
        .await;
        assert_eq!(key_session(&app, &key).await.status, StatusCode::OK);
    }
}

on_both_databases! {
    async fn uses_run_out_refill_and_expired_keys_are_removed(backend: Backend) {
        let app = app(backend, ApiKeyConfig::default().disable_rate_limit()).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let ada_id = app.get("/get-session").cookies(&ada).send().await.json()["user"]["id"].as_str().expect("id").to_owned();
        let api = app.auth.api();
        let limited = api
            .create_api_key(CreateApiKeyRequest { remaining: Some(2), user_id: Some(ada_id.clone()), ..Default::default() })
            .await
            .expect("created by the server");
        let key = limited.key.expose();
        assert_eq!(api.verify_api_key(key, None).await.expect("first").remaining, Some(1));
        assert_eq!(api.verify_api_key(key, None).await.expect("second").remaining, Some(0));
        let spent = api.verify_api_key(key, None).await.expect_err("spent");
        assert_eq!(spent.code().map(|c| c.as_str()), Some("USAGE_EXCEEDED"));
        assert_eq!(app.count("apikey").await, 0, "a spent key without refill is deleted");

        let refilled = api
            .create_api_key(CreateApiKeyRequest {
                remaining: Some(1),
                refill_amount: Some(3),
                refill_interval: Some(60_000),
                user_id: Some(ada_id.clone()),
                ..Default::default()
            })
            .await
            .expect("created");
        let key = refilled.key.expose();
        api.verify_api_key(key, None).await.expect("the one use");
        assert_eq!(
            api.verify_api_key(key, None).await.expect_err("none left").code().map(|c| c.as_str()),
            Some("USAGE_EXCEEDED")
        );
        app.sql(
            r#"update "apikey" set "createdAt" = $1"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(61)],
        )
        .await;
        let after_refill = api.verify_api_key(key, None).await.expect("refilled");
        assert_eq!(after_refill.remaining, Some(2), "refilled to 3, one spent");
        assert!(after_refill.last_refill_at.is_some());

        let expiring = api
            .create_api_key(CreateApiKeyRequest { user_id: Some(ada_id.clone()), ..Default::default() })
            .await
            .expect("created");
        app.sql(
            r#"update "apikey" set "expiresAt" = $1 where "id" = $2"#,
            keyward_server::args![chrono::Utc::now() - chrono::Duration::seconds(1), expiring.api_key.id.as_str()],
        )
        .await;
        let expired = api.verify_api_key(expiring.key.expose(), None).await.expect_err("expired");
        assert_eq!(expired.code().map(|c| c.as_str()), Some("KEY_EXPIRED"));
        assert_eq!(app.count("apikey").await, 1, "the expired key is deleted");
        let disabled = api
            .update_api_key(UpdateApiKeyRequest { enabled: Some(false), user_id: Some(ada_id), ..UpdateApiKeyRequest::key(refilled.api_key.id.as_str()) })
            .await
            .expect("disabled");
        assert!(!disabled.enabled);
        assert_eq!(api.verify_api_key(key, None).await.expect_err("disabled").code().map(|c| c.as_str()), Some("KEY_DISABLED"));
    }
}

on_both_databases! {
    async fn permissions_must_all_be_granted(backend: Backend) {
        let files = Permissions::new().with("files", ["read", "write"]);
        let app = app(backend, ApiKeyConfig::default().default_permissions(files)).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let created = create(&app, &ada, json!({})).await;
        assert_eq!(created["permissions"], json!({"files": ["read", "write"]}));
        let key = created["key"].as_str().expect("key");
        let api = app.auth.api();
        api.verify_api_key(key, Some(&Permissions::new().with("files", ["read"]))).await.expect("granted");
        for wanted in [
            Permissions::new().with("files", ["delete"]),
            Permissions::new().with("files", ["read"]).with("users", ["read"]),
        ] {
            let refused = api.verify_api_key(key, Some(&wanted)).await.expect_err("not granted");
            assert_eq!(refused.code().map(|c| c.as_str()), Some("KEY_NOT_FOUND"));
        }
        let bare = api
            .create_api_key(CreateApiKeyRequest {
                permissions: Some(Permissions::new().with("reports", ["read"])),
                user_id: Some(created["referenceId"].as_str().expect("owner").to_owned()),
                ..Default::default()
            })
            .await
            .expect("created");
        let stored = app
            .sql_rows(r#"select "permissions" from "apikey" where "id" = $1"#, keyward_server::args![bare.api_key.id.as_str()])
            .await;
        let stored: Value = serde_json::from_str(&stored[0].text("permissions").expect("text")).expect("JSON text");
        assert_eq!(stored, json!({"reports": ["read"]}));
    }
}

on_both_databases! {
    async fn each_configuration_keeps_its_keys_and_rules(backend: Backend) {
        let public = ApiKeyConfig::default()
            .default_prefix("pub_")
            .rate_limit(1, std::time::Duration::from_secs(60));
        let app = app(backend, ApiKeyConfig::default().enable_session_for_api_keys().configuration("public", public)).await;
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let main = create(&app, &ada, json!({"name": "main"})).await;
        let web = create(&app, &ada, json!({"name": "web", "configId": "public"})).await;
        assert_eq!(main["configId"], "default");
        assert_eq!(web["configId"], "public");
        assert!(web["key"].as_str().expect("key").starts_with("pub_"));
        assert_eq!(web["rateLimitMax"], 1);
        let web_id = web["id"].as_str().expect("id");
        app.get(&format!("/api-key/get?id={web_id}")).cookies(&ada).send().await
            .assert_error(StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
        let found = app.get(&format!("/api-key/get?id={web_id}&configId=public")).cookies(&ada).send().await;
        assert_eq!(found.json()["name"], "web");
        assert_eq!(app.get("/api-key/list").cookies(&ada).send().await.json()["total"], 2);
        let public_only = app.get("/api-key/list?configId=public").cookies(&ada).send().await;
        assert_eq!(public_only.json()["apiKeys"][0]["id"], web_id);
        assert_eq!(public_only.json()["total"], 1);
        key_session(&app, web["key"].as_str().expect("key")).await
            .assert_error(StatusCode::UNAUTHORIZED, "INVALID_API_KEY");
        assert_eq!(key_session(&app, main["key"].as_str().expect("key")).await.status, StatusCode::OK);
        let api = app.auth.api();
        api.verify_api_key(web["key"].as_str().expect("key"), None).await.expect("one request");
        let limited = api.verify_api_key(web["key"].as_str().expect("key"), None).await.expect_err("its limit");
        assert_eq!(limited.code().map(|c| c.as_str()), Some("RATE_LIMITED"));
    }
}

on_both_databases! {
    async fn an_organizations_keys_are_its_members_to_manage(backend: Backend) {
        let options = ApiKeyConfig {
            references: keyward_server::config::ApiKeyOwner::Organization,
            ..ApiKeyConfig::default()
        };
        let app = TestApp::with(backend, |config| {
            config.api_key = Some(options);
            config.organization = Some(keyward_server::config::OrganizationConfig::default());
        })
        .await;
        let alice = app.sign_up("Alice", "alice@example.com", PASSWORD).await;
        let erin = app.sign_up("Erin", "erin@example.com", PASSWORD).await;
        let org = app
            .post("/organization/create")
            .origin()
            .cookies(&alice)
            .json(&json!({"name": "Acme", "slug": "acme"}))
            .send()
            .await;
        assert_eq!(org.status, StatusCode::OK, "{}", org.text());
        let org_id = org.json()["id"].as_str().expect("id").to_owned();
        app.post("/api-key/create").origin().cookies(&alice).json(&json!({})).send().await
            .assert_error(StatusCode::BAD_REQUEST, "ORGANIZATION_ID_REQUIRED");
        let key = create(&app, &alice, json!({"organizationId": org_id})).await;
        assert_eq!(key["referenceId"], org_id.as_str());
        let listed = app.get(&format!("/api-key/list?organizationId={org_id}")).cookies(&alice).send().await;
        assert_eq!(listed.json()["total"], 1);
        app.get(&format!("/api-key/list?organizationId={org_id}")).cookies(&erin).send().await
            .assert_error(StatusCode::FORBIDDEN, "USER_NOT_MEMBER_OF_ORGANIZATION");
        app.post("/api-key/delete").origin().cookies(&erin).json(&json!({"keyId": key["id"]})).send().await
            .assert_error(StatusCode::FORBIDDEN, "USER_NOT_MEMBER_OF_ORGANIZATION");
        let deleted = app.post("/api-key/delete").origin().cookies(&alice).json(&json!({"keyId": key["id"]})).send().await;
        assert_eq!(deleted.json(), json!({"success": true}));
    }
}
