//! The admin plugin in process: `list-users` filters with better-auth's where operators, and
//! `update-user` type checks on the user's fields. (The whole plugin, through the client and
//! against the real better-auth, is in tests/tests/client_admin.rs; bans across instances in
//! instances.rs.)

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, TestApp};
use keyward_server::config::AdminConfig;
use serde_json::{Value, json};

async fn admin_app(backend: Backend) -> (TestApp, Client) {
    let app = TestApp::with(backend, |config| config.admin = Some(AdminConfig::default())).await;
    let admin = app.sign_up("Root", "root@example.com", "password123").await;
    app.sql(
        r#"update "user" set "role" = 'admin' where "email" = $1"#,
        keyward_server::args!["root@example.com"],
    )
    .await;
    (app, admin)
}

fn emails(page: &Value) -> Vec<&str> {
    let mut emails: Vec<&str> = page["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|user| user["email"].as_str().expect("email"))
        .collect();
    emails.sort_unstable();
    emails
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

on_both_databases! {
    async fn list_users_filters_with_every_where_operator(backend: Backend) {
        let (app, admin) = admin_app(backend).await;
        for (name, email) in [("Ada", "ada@example.com"), ("Bob_100%", "bob@example.com"), ("Cy", "cy@test.org")] {
            app.sign_up(name, email, "password123").await;
        }
        let everyone = vec!["ada@example.com", "bob@example.com", "cy@test.org", "root@example.com"];
        // As better-auth's Kysely adapter: a single value for `in` is refused (an empty
        // list), repeated values are a list; `not_in` takes one value as a list of one;
        // `%` and `_` are LIKE wildcards; a boolean column reads `"true"` or false.
        let cases: [(&str, &str, &[&str], Vec<&str>); 13] = [
            ("name", "eq", &["Ada"], vec!["ada@example.com"]),
            ("name", "ne", &["Root"], vec!["ada@example.com", "bob@example.com", "cy@test.org"]),
            ("name", "in", &["Ada", "Cy"], vec!["ada@example.com", "cy@test.org"]),
            ("name", "in", &["Ada, Cy"], vec![]),
            ("name", "not_in", &["Ada", "Root"], vec!["bob@example.com", "cy@test.org"]),
            ("name", "not_in", &["Ada,Root"], everyone.clone()),
            ("name", "contains", &["b_1"], vec!["bob@example.com"]),
            ("name", "contains", &["_"], everyone.clone()),
            ("name", "contains", &["0%"], vec!["bob@example.com"]),
            ("email", "starts_with", &["cy"], vec!["cy@test.org"]),
            ("email", "ends_with", &[".org"], vec!["cy@test.org"]),
            ("emailVerified", "eq", &["true"], vec![]),
            ("emailVerified", "eq", &["maybe"], everyone.clone()),
        ];
        for (field, operator, values, expected) in cases {
            let mut path = format!("/admin/list-users?filterField={field}&filterOperator={operator}");
            for value in values {
                path.push_str(&format!("&filterValue={}", urlencode(value)));
            }
            let page = app.get(&path).cookies(&admin).send().await;
            assert_eq!(page.status, StatusCode::OK, "{operator}: {}", page.text());
            let page = page.json();
            assert_eq!(emails(&page), expected, "{field} {operator} {values:?}");
            assert_eq!(page["total"], expected.len(), "the total counts the filter");
        }
        // A list for a one-value operator: better-auth's adapter fails, and list-users
        // answers an empty list; an operator it does not know fails its query schema.
        let page = app
            .get("/admin/list-users?filterField=name&filterOperator=eq&filterValue=Ada&filterValue=Cy")
            .cookies(&admin)
            .send()
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.json(), json!({"users": [], "total": 0}));
        let unknown = app
            .get("/admin/list-users?filterField=name&filterOperator=like&filterValue=Ada")
            .cookies(&admin)
            .send()
            .await;
        unknown.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    }
}

on_both_databases! {
    async fn update_user_checks_the_types_of_user_fields(backend: Backend) {
        let (app, admin) = admin_app(backend).await;
        let ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        let id = app.get("/get-session").cookies(&ada).send().await.json()["user"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let wrong = app
            .post("/admin/update-user")
            .cookies(&admin)
            .json(&json!({"userId": id, "data": {"banReason": 42}}))
            .send()
            .await;
        wrong.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(
            wrong.message(),
            "[body.data.banReason] Invalid input: expected string, received number"
        );
        let fine = app
            .post("/admin/update-user")
            .cookies(&admin)
            .json(&json!({"userId": id, "data": {"banReason": "spam", "name": "Ada L."}}))
            .send()
            .await;
        assert_eq!(fine.status, StatusCode::OK, "{}", fine.text());
        assert_eq!(fine.json()["banReason"], "spam");
        assert_eq!(fine.json()["name"], "Ada L.");
    }
}
