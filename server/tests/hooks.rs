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

/// Stamps every new session and records the committed ones; refuses sessions for a
/// blocked address.
#[derive(Clone, Default)]
struct Stamp {
    created: Arc<Mutex<Vec<String>>>,
}

#[async_trait::async_trait]
impl keyward_server::hooks::SessionHooks for Stamp {
    async fn before_create(&self, session: &mut keyward_server::db::sessions::NewSession) -> Result<(), ApiError> {
        session.additional.insert("origin".into(), json!("stamped"));
        Ok(())
    }

    async fn after_create(&self, _auth: &Auth, session: &keyward_server::wire::Session) {
        self.created.lock().expect("not poisoned").push(session.user_id.clone());
    }
}

crate::on_both_databases! {
    async fn session_hooks_run_on_sign_up_sign_in_and_a_password_change(backend: Backend) {
        let hooks = Stamp::default();
        let created = hooks.created.clone();
        let app = TestApp::with_builder(
            backend,
            |config| {
                config.session.additional_fields =
                    vec![keyward_server::config::AdditionalField::new("origin", keyward_server::db::FieldType::String)];
            },
            move |builder| builder.session_hooks(hooks),
        )
        .await;
        let client = app.sign_up("Ada", "ada@example.com", "password123").await;
        let me = app.get("/get-session").cookies(&client).send().await;
        assert_eq!(me.json()["session"]["origin"], "stamped", "before_create changed the row");
        let signed_in = app
            .post("/sign-in/email")
            .json(&json!({"email": "ada@example.com", "password": "password123"}))
            .send()
            .await;
        assert_eq!(signed_in.status, StatusCode::OK);
        let changed = app
            .post("/change-password")
            .cookies(&client)
            .json(&json!({"currentPassword": "password123", "newPassword": "password456", "revokeOtherSessions": true}))
            .send()
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
        let user_id = me.json()["user"]["id"].as_str().expect("id").to_owned();
        assert_eq!(
            *created.lock().expect("not poisoned"),
            [user_id.clone(), user_id.clone(), user_id],
            "sign-up, sign-in and the password change's new session, each after its commit"
        );
    }
}
