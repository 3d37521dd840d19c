//! `/list-accounts`, `/unlink-account`, `/account-info`.

use crate::common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Backend, TestApp};
use keyward_server::db::Arg;
use serde_json::json;

on_both_databases! {
    async fn list_and_unlink(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let list = app.get("/list-accounts").cookies(&client).send().await;
        assert_eq!(list.status, StatusCode::OK);
        let accounts = list.json();
        let credential = &accounts[0];
        let user_id = credential["userId"].as_str().expect("user").to_owned();
        assert_eq!(credential["providerId"], "credential");
        assert_eq!(credential["accountId"], user_id.as_str());
        assert_eq!(credential["scopes"], json!([]));
        assert!(credential.get("password").is_none());
        let mut keys: Vec<&str> = credential.as_object().expect("object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["accountId", "createdAt", "id", "providerId", "scopes", "updatedAt", "userId"]);

        let last = app.post("/unlink-account").cookies(&client).json(&json!({"accountId": credential["id"]})).send().await;
        last.assert_error(StatusCode::BAD_REQUEST, "FAILED_TO_UNLINK_LAST_ACCOUNT");

        // A second (OAuth) account, as better-auth would have linked it.
        let now = Utc::now();
        app.sql(
            r#"insert into "account" ("id", "accountId", "providerId", "userId", "accessToken", "scope", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6, $7, $8)"#,
            keyward_server::args!["gh-account-row", "12345", "github", user_id.clone(), "gho_secret", "read:user,user:email", now, now],
        )
        .await;
        let accounts = app.get("/list-accounts").cookies(&client).send().await.json();
        let github = accounts.as_array().expect("array").iter().find(|a| a["providerId"] == "github").expect("github").clone();
        assert_eq!(github["scopes"], json!(["read:user", "user:email"]));
        assert!(github.get("accessToken").is_none(), "tokens are never returned");

        let unknown = app.post("/unlink-account").cookies(&client).json(&json!({"accountId": "nope"})).send().await;
        unknown.assert_error(StatusCode::BAD_REQUEST, "ACCOUNT_NOT_FOUND");
        let unlinked = app.post("/unlink-account").cookies(&client).json(&json!({"accountId": "gh-account-row"})).send().await;
        assert_eq!(unlinked.json(), json!({"status": true}));
        assert_eq!(app.count("account").await, 1);

        app.sql(r#"update "session" set "createdAt" = $1"#, vec![Arg::from(Utc::now() - Duration::days(2))]).await;
        let stale = app.post("/unlink-account").cookies(&client).json(&json!({"accountId": credential["id"]})).send().await;
        stale.assert_error(StatusCode::FORBIDDEN, "SESSION_NOT_FRESH");
        let anonymous = app.get("/list-accounts").send().await;
        anonymous.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }
}

#[tokio::test]
async fn account_info() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    let accounts = app.get("/list-accounts").cookies(&client).send().await.json();
    let id = accounts[0]["id"].as_str().expect("id").to_owned();
    let no_query = app.get("/account-info").cookies(&client).send().await;
    no_query.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    assert_eq!(no_query.message(), "[query] Invalid input");
    let extra = app
        .get(&format!("/account-info?accountId={id}&x=1"))
        .cookies(&client)
        .send()
        .await;
    extra.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    let anonymous = app.get(&format!("/account-info?accountId={id}")).send().await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let unknown = app.get("/account-info?accountId=nope").cookies(&client).send().await;
    unknown.assert_error(StatusCode::BAD_REQUEST, "ACCOUNT_NOT_FOUND");
    let credential = app
        .get(&format!("/account-info?accountId={id}"))
        .cookies(&client)
        .send()
        .await;
    credential.assert_error(StatusCode::BAD_REQUEST, "PROVIDER_NOT_CONFIGURED");
}
