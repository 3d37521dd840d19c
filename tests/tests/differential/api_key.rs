//! The api-key plugin's endpoints in the differential check: keys made, read, listed,
//! changed and deleted by cookie and by the key's own session (`x-api-key`), and the
//! refusals (server-only fields, bounds, another user's key, signed out, short, unknown,
//! disabled and deleted keys). The plain key is remembered per server, so answers show it
//! as `{key}` and its first characters as `<start of {key}>`.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let create = |name, body: Value| step(name, Method::POST, "/api-key/create", Cookie).json(body).by(1);
    vec![
        step("API key: sign-up", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"}))
            .by(1),
        create(
            "API key: create",
            json!({"name": "ci", "expiresIn": 86400, "prefix": "dk_"}),
        )
        .capture("key", "/key")
        .capture("keyId", "/id"),
        create("API key: create without a prefix", json!({})).capture("other", "/key"),
        create("API key: create with remaining", json!({"remaining": 5})),
        create("API key: create with a rate limit", json!({"rateLimitMax": 100})),
        create(
            "API key: create with permissions",
            json!({"permissions": {"files": ["read"]}}),
        ),
        create("API key: create for another user", json!({"userId": "someone"})),
        create("API key: create with metadata", json!({"metadata": {"a": 1}})),
        create("API key: expiresIn zero", json!({"expiresIn": 0})),
        create("API key: expiresIn of a minute", json!({"expiresIn": 60})),
        create("API key: expiresIn of two years", json!({"expiresIn": 63072000})),
        create("API key: prefix with a space", json!({"prefix": "a b"})),
        create("API key: a name too long", json!({"name": "n".repeat(33)})),
        step("API key: create signed out", Method::POST, "/api-key/create", None).json(json!({})),
        step("API key: get", Method::GET, "/api-key/get?id={keyId}", Cookie).by(1),
        step(
            "API key: get an unknown id",
            Method::GET,
            "/api-key/get?id=nope",
            Cookie,
        )
        .by(1),
        step("API key: get signed out", Method::GET, "/api-key/get?id={keyId}", None),
        step("API key: list", Method::GET, "/api-key/list", Cookie).by(1),
        step(
            "API key: list a page by name",
            Method::GET,
            "/api-key/list?limit=1&offset=1&sortBy=name&sortDirection=desc",
            Cookie,
        )
        .by(1),
        step(
            "API key: list with a bad limit",
            Method::GET,
            "/api-key/list?limit=x",
            Cookie,
        )
        .by(1),
        step("API key: update", Method::POST, "/api-key/update", Cookie)
            .json(json!({"keyId": "{keyId}", "name": "ci-2"}))
            .by(1),
        step("API key: update nothing", Method::POST, "/api-key/update", Cookie)
            .json(json!({"keyId": "{keyId}"}))
            .by(1),
        step("API key: update remaining", Method::POST, "/api-key/update", Cookie)
            .json(json!({"keyId": "{keyId}", "remaining": 3}))
            .by(1),
        step("API key: get-session by key", Method::GET, "/get-session", None).header("x-api-key", "{key}"),
        step("API key: list by key", Method::GET, "/api-key/list", None).header("x-api-key", "{key}"),
        step("API key: a short key", Method::GET, "/get-session", None).header("x-api-key", "short"),
        step("API key: an unknown key", Method::GET, "/get-session", None).header("x-api-key", "{other}x"),
        step("API key: second user", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Bob", "email": "bob@example.com", "password": "correct-horse-battery"}))
            .by(2),
        step(
            "API key: another user's key",
            Method::GET,
            "/api-key/get?id={keyId}",
            Cookie,
        )
        .by(2),
        step(
            "API key: delete another user's key",
            Method::POST,
            "/api-key/delete",
            Cookie,
        )
        .json(json!({"keyId": "{keyId}"}))
        .by(2),
        step("API key: disable", Method::POST, "/api-key/update", Cookie)
            .json(json!({"keyId": "{keyId}", "enabled": false}))
            .by(1),
        step("API key: a disabled key", Method::GET, "/get-session", None).header("x-api-key", "{key}"),
        step("API key: delete", Method::POST, "/api-key/delete", Cookie)
            .json(json!({"keyId": "{keyId}"}))
            .by(1),
        step("API key: delete again", Method::POST, "/api-key/delete", Cookie)
            .json(json!({"keyId": "{keyId}"}))
            .by(1),
        step("API key: a deleted key", Method::GET, "/get-session", None).header("x-api-key", "{key}"),
    ]
}

#[tokio::test]
async fn the_api_key_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.api_key = Some(keyward_server::config::ApiKeyConfig::default().enable_session_for_api_keys())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["api-key"], &[("API_KEY_SESSIONS", "1")]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
