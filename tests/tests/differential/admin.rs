//! The admin plugin's endpoints in the differential check.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let user = |name: &str, email: &str| json!({"name": name, "email": email, "password": "correct-horse-battery"});
    let list = |name: &'static str, query: &'static str| step(name, Method::GET, query, Bearer);
    vec![
        step("ADMIN: sign-up Root", Method::POST, "/sign-up/email", None).json(user("Root", "root@example.com")),
        step("ADMIN: sign-up Ada", Method::POST, "/sign-up/email", None)
            .json(user("Ada", "ada@example.com"))
            .by(1)
            .capture("ada", "/user/id"),
        step("ADMIN: sign-up Bob", Method::POST, "/sign-up/email", None)
            .json(user("Bob_100%", "bob@example.com"))
            .by(2),
        step("ADMIN: sign-up Cy", Method::POST, "/sign-up/email", None)
            .json(user("Cy", "cy@test.org"))
            .by(3),
        sql(
            "ADMIN: Root is made an admin",
            r#"update "user" set "role" = 'admin' where "email" = 'root@example.com'"#,
        ),
        list("ADMIN: list-users by a user", "/admin/list-users").by(1),
        step("ADMIN: set-role by a user", Method::POST, "/admin/set-role", Bearer)
            .json(json!({"userId": "{ada}", "role": "admin"}))
            .by(1),
        step("ADMIN: update-user setting a role", Method::POST, "/update-user", Bearer)
            .json(json!({"role": "admin"}))
            .by(1),
        step("ADMIN: sign-up setting a role", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Eve", "email": "eve@example.com", "password": "correct-horse-battery", "role": "admin"}))
            .by(4),
        step("ADMIN: get-session of the user who asked for a role", Method::GET, "/get-session", Bearer).by(1),
        list("ADMIN: list-users", "/admin/list-users?sortBy=email&sortDirection=asc"),
        list("ADMIN: list-users paged", "/admin/list-users?sortBy=email&limit=2&offset=1"),
        list("ADMIN: list-users eq", "/admin/list-users?sortBy=email&filterField=name&filterOperator=eq&filterValue=Ada"),
        list("ADMIN: list-users ne", "/admin/list-users?sortBy=email&filterField=name&filterOperator=ne&filterValue=Root"),
        list("ADMIN: list-users in", "/admin/list-users?sortBy=email&filterField=name&filterOperator=in&filterValue=Ada%2C%20Cy"),
        list(
            "ADMIN: list-users not_in",
            "/admin/list-users?sortBy=email&filterField=name&filterOperator=not_in&filterValue=Ada%2CRoot",
        ),
        list(
            "ADMIN: list-users contains with LIKE wildcards",
            "/admin/list-users?sortBy=email&filterField=name&filterOperator=contains&filterValue=_100%25",
        ),
        list(
            "ADMIN: list-users contains an underscore",
            "/admin/list-users?sortBy=email&filterField=name&filterOperator=contains&filterValue=_",
        ),
        list(
            "ADMIN: list-users starts_with",
            "/admin/list-users?sortBy=email&filterField=email&filterOperator=starts_with&filterValue=cy",
        ),
        list(
            "ADMIN: list-users ends_with",
            "/admin/list-users?sortBy=email&filterField=email&filterOperator=ends_with&filterValue=.org",
        ),
        list(
            "ADMIN: list-users of a boolean",
            "/admin/list-users?sortBy=email&filterField=emailVerified&filterOperator=eq&filterValue=true",
        ),
        list(
            "ADMIN: list-users of a boolean false",
            "/admin/list-users?sortBy=email&filterField=emailVerified&filterOperator=eq&filterValue=false",
        ),
        list(
            "ADMIN: list-users of a boolean by a value it cannot hold",
            "/admin/list-users?filterField=emailVerified&filterOperator=eq&filterValue=maybe",
        ),
        list(
            "ADMIN: list-users with an unknown operator",
            "/admin/list-users?filterField=name&filterOperator=like&filterValue=Ada",
        ),
        list(
            "ADMIN: list-users searching",
            "/admin/list-users?sortBy=email&searchField=email&searchOperator=contains&searchValue=example",
        ),
        step("ADMIN: set-role", Method::POST, "/admin/set-role", Bearer).json(json!({"userId": "{ada}", "role": "admin"})),
        step("ADMIN: get-session of the new admin", Method::GET, "/get-session", Bearer).by(1),
    ]
}

#[tokio::test]
async fn the_admin_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.admin = Some(keyward_server::config::AdminConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["admin"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
