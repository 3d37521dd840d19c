//! Database hooks on the user row: a `before_create` that refuses addresses outside a
//! domain (the client gets its `{message, code}`) and one that changes the row, and an
//! `after_create` that sees the committed user, on email sign-up and admin create-user.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use keyward_server::config::AdminConfig;
use keyward_server::db::users::NewUser;
use keyward_server::hooks::UserHooks;
use keyward_server::wire::{ErrorCode, User};
use keyward_server::{ApiError, Auth};
use serde_json::json;

use crate::common::TestApp;

/// Only `@company.com` may sign up; names are trimmed; created users are recorded with
/// whether the row was already visible (committed) when the after-hook ran.
#[derive(Clone, Default)]
struct CompanyOnly {
    created: Arc<Mutex<Vec<(String, bool)>>>,
}

#[async_trait::async_trait]
impl UserHooks for CompanyOnly {
    async fn before_create(&self, user: &mut NewUser) -> Result<(), ApiError> {
        if !user.email.ends_with("@company.com") {
            return Err(ApiError::with_message(
                StatusCode::FORBIDDEN,
                ErrorCode::Other("COMPANY_ADDRESS_REQUIRED".into()),
                "Sign up with your company address",
            ));
        }
        user.name = user.name.trim().to_owned();
        Ok(())
    }

    async fn after_create(&self, auth: &Auth, user: &User) {
        let visible = auth
            .api()
            .find_user_by_email(&user.email)
            .await
            .ok()
            .flatten()
            .is_some();
        self.created
            .lock()
            .expect("not poisoned")
            .push((user.email.clone(), visible));
    }
}

crate::on_both_databases! {
    async fn user_hooks_run_on_sign_up_and_admin_create_user(backend: Backend) {
        let hooks = CompanyOnly::default();
        let created = hooks.created.clone();
        let app = TestApp::with_builder(
            backend,
            |config| config.admin = Some(AdminConfig::default()),
            move |builder| builder.user_hooks(hooks),
        )
        .await;
        let refused = app
            .post("/sign-up/email")
            .json(&json!({"name": "Eve", "email": "eve@gmail.com", "password": "password123"}))
            .send()
            .await;
        refused.assert_error(StatusCode::FORBIDDEN, "COMPANY_ADDRESS_REQUIRED");
        assert_eq!(refused.message(), "Sign up with your company address");
        assert_eq!(app.count("user").await, 0, "nothing written");

        let admin = app.sign_up("  Root  ", "root@company.com", "password123").await;
        app.sql(
            r#"update "user" set "role" = 'admin' where "email" = $1"#,
            keyward_server::args!["root@company.com"],
        )
        .await;
        let me = app.get("/get-session").cookies(&admin).send().await;
        assert_eq!(me.json()["user"]["name"], "Root", "the before-hook trimmed the name");

        let outsider = app
            .post("/admin/create-user")
            .cookies(&admin)
            .json(&json!({"email": "guest@gmail.com", "password": "password123", "name": "Guest"}))
            .send()
            .await;
        outsider.assert_error(StatusCode::FORBIDDEN, "COMPANY_ADDRESS_REQUIRED");
        let colleague = app
            .post("/admin/create-user")
            .cookies(&admin)
            .json(&json!({"email": "ada@company.com", "password": "password123", "name": "Ada"}))
            .send()
            .await;
        assert_eq!(colleague.status, StatusCode::OK, "{}", colleague.text());
        assert_eq!(
            *created.lock().expect("not poisoned"),
            [("root@company.com".to_owned(), true), ("ada@company.com".to_owned(), true)],
            "after-hooks ran once each, after the commit"
        );
    }
}
