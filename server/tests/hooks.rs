//! Database hooks driven through the HTTP API, on SQLite and PostgreSQL (and on Redis where
//! sessions and verification values live there): user, session, account and verification
//! hooks changing or refusing writes (the client gets their `{message, code}`; a refusal
//! inside a transaction rolls the whole change back) and `after_*` hooks seeing committed
//! rows only; endpoint hooks; plugins that clash.

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
    async fn before_create(&self, _auth: &Auth, user: &mut NewUser) -> Result<(), ApiError> {
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

/// Asks for a password reset for `email` and reads the token from the outbox.
async fn reset_token(app: &TestApp, email: &str) -> String {
    app.post("/request-password-reset")
        .json(&json!({"email": email, "redirectTo": "/reset"}))
        .send()
        .await;
    app.wait_for_email("reset-password", email).await["token"]
        .as_str()
        .expect("token")
        .to_owned()
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
    async fn before_create(
        &self,
        _auth: &Auth,
        session: &mut keyward_server::db::sessions::NewSession,
    ) -> Result<(), ApiError> {
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

/// Endpoint hooks on sign-up: `before` changes the body, `after` adds a header and a
/// field; another answers `/update-user` in the endpoint's place; one reads the session of
/// `/get-session`'s request. Unselected routes run without them.
#[derive(Clone, Default)]
struct Shout {
    sessions_seen: Arc<Mutex<Vec<String>>>,
}

#[async_trait::async_trait]
impl keyward_server::hooks::EndpointHook for Shout {
    async fn before(
        &self,
        request: &mut keyward_server::hooks::EndpointRequest,
    ) -> keyward_server::ApiResult<Option<axum::response::Response>> {
        match request.path() {
            "/sign-up/email" => {
                if let Some(serde_json::Value::Object(body)) = request.body_mut()
                    && let Some(name) = body.get("name").and_then(|name| name.as_str())
                {
                    let shouted = name.to_uppercase();
                    body.insert("name".into(), shouted.into());
                }
                Ok(None)
            }
            "/update-user" => {
                use axum::response::IntoResponse;
                Ok(Some(
                    (StatusCode::IM_A_TEAPOT, axum::Json(json!({"answeredBy": "hook"}))).into_response(),
                ))
            }
            _ => {
                if let Some(data) = request.session().await? {
                    self.sessions_seen.lock().expect("not poisoned").push(data.user.email);
                }
                Ok(None)
            }
        }
    }

    async fn after(
        &self,
        request: &mut keyward_server::hooks::EndpointRequest,
        response: &mut keyward_server::hooks::EndpointResponse,
    ) -> keyward_server::ApiResult<()> {
        response
            .headers_mut()
            .insert("x-hooked", request.path().parse().expect("header value"));
        if let Some(serde_json::Value::Object(body)) = response.json_mut() {
            body.insert("hooked".into(), true.into());
        }
        Ok(())
    }
}

crate::on_both_databases! {
    async fn endpoint_hooks_change_requests_and_answers(backend: Backend) {
        use keyward_server::hooks::EndpointMatcher;
        let hook = Shout::default();
        let seen = hook.sessions_seen.clone();
        let app = TestApp::with_builder(backend, |_| {}, move |builder| {
            builder
                .endpoint_hook(EndpointMatcher::post("/sign-up/*"), hook.clone())
                .endpoint_hook(EndpointMatcher::post("/update-user"), hook.clone())
                .endpoint_hook(EndpointMatcher::get("/get-session"), hook)
        })
        .await;

        let signed_up = app
            .post("/sign-up/email")
            .json(&json!({"name": "Ada", "email": "ada@example.com", "password": "password123"}))
            .send()
            .await;
        assert_eq!(signed_up.status, StatusCode::OK, "{}", signed_up.text());
        assert_eq!(signed_up.json()["user"]["name"], "ADA", "the endpoint read the changed body");
        assert_eq!(signed_up.json()["hooked"], true);
        assert_eq!(signed_up.header("x-hooked").as_deref(), Some("/sign-up/email"));
        assert!(
            signed_up.set_cookies().iter().any(|c| c.name.ends_with("session_token")),
            "the endpoint's cookies are still added"
        );

        let invalid = app.post("/sign-up/email").json(&json!({"name": "Eve"})).send().await;
        invalid.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(invalid.json()["hooked"], true, "after hooks see errors too");

        let mut ada = crate::common::Client::default();
        ada.store(&signed_up);
        let teapot = app.post("/update-user").cookies(&ada).json(&json!({"name": "x"})).send().await;
        assert_eq!(teapot.status, StatusCode::IM_A_TEAPOT);
        assert_eq!(teapot.json()["answeredBy"], "hook");
        let me = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(me.json()["user"]["name"], "ADA", "update-user never ran");
        assert_eq!(me.header("x-hooked").as_deref(), Some("/get-session"));
        assert_eq!(*seen.lock().expect("not poisoned"), vec!["ada@example.com".to_owned()]);

        let untouched = app.get("/ok").send().await;
        assert_eq!(untouched.header("x-hooked"), None);
        assert_eq!(untouched.json(), json!({"ok": true}));
    }
}

/// A plugin adding a table, a field and a route that clash with the core's or another
/// plugin's: the server refuses to start and names both owners.
struct Clashing {
    id: &'static str,
    table: Option<&'static str>,
    user_field: Option<&'static str>,
    route: Option<&'static str>,
    code: Option<&'static str>,
}

impl keyward_server::plugin::Plugin for Clashing {
    fn id(&self) -> &'static str {
        self.id
    }

    fn setup(&self, setup: &mut keyward_server::plugin::Setup) {
        use keyward_server::db::schema::{Column, Table};
        if let Some(table) = self.table {
            setup.table(Table::new(
                table,
                vec![Column::new("x", keyward_server::db::FieldType::String, false)],
            ));
        }
        if let Some(code) = self.code {
            setup.error_codes(&[code, "MINE_OWN_CODE"]);
        }
        if let Some(field) = self.user_field {
            setup.user_field(keyward_server::config::AdditionalField::new(
                field,
                keyward_server::db::FieldType::String,
            ));
        }
    }

    fn endpoints(&self, endpoints: keyward_server::plugin::Endpoints) -> keyward_server::plugin::Endpoints {
        match self.route {
            Some(route) => endpoints.post(route, || async { "clash" }),
            None => endpoints,
        }
    }
}

#[tokio::test]
async fn clashing_plugins_refuse_to_start() {
    let clash = |plugin: Clashing, config: Option<AdminConfig>| async move {
        let mut builder = keyward_server::Config::builder()
            .secret(crate::common::SECRET)
            .database_url("sqlite::memory:")
            .build()
            .expect("config");
        builder.admin = config;
        match keyward_server::Auth::builder(builder).plugin(plugin).build().await {
            Ok(_) => panic!("started"),
            Err(error) => error.to_string(),
        }
    };
    let none = Clashing {
        id: "mine",
        table: None,
        user_field: None,
        route: None,
        code: None,
    };
    let table = clash(
        Clashing {
            table: Some("session"),
            ..none
        },
        None,
    )
    .await;
    assert!(
        table.contains("table `session` is declared by `core` and by `mine`"),
        "{table}"
    );
    let field = clash(
        Clashing {
            user_field: Some("role"),
            ..none
        },
        Some(AdminConfig::default()),
    )
    .await;
    assert!(
        field.contains("user field `role` is declared by `admin` and by `mine`"),
        "{field}"
    );
    let route = clash(
        Clashing {
            route: Some("/sign-in/email"),
            ..none
        },
        None,
    )
    .await;
    assert!(route.contains("POST /sign-in/email is registered twice"), "{route}");
    let code = clash(
        Clashing {
            code: Some("INVALID_TOKEN"),
            ..none
        },
        None,
    )
    .await;
    assert!(
        code.contains("error code `INVALID_TOKEN` is declared by `better-auth` and by `mine`"),
        "{code}"
    );
    assert!(!code.contains("MINE_OWN_CODE"), "{code}");
    let id = clash(Clashing { id: "admin", ..none }, Some(AdminConfig::default())).await;
    assert!(
        id.contains("plugin id `admin` is declared by `admin` and by `admin`"),
        "{id}"
    );
}

/// Whether `select` (one `$1` parameter, `value`) finds a row through the pool: what other
/// requests see, so a row written in a transaction shows only once it is committed.
async fn committed(auth: &Auth, select: &str, value: &str) -> bool {
    use keyward_server::db::Exec;
    let mut db = auth.db().clone();
    db.fetch_optional(select, keyward_server::args![value])
        .await
        .ok()
        .flatten()
        .is_some()
}

/// User update hooks: `before_update` trims a new name and refuses one; `after_update`
/// sees the committed row. Verification hooks see every stored token, after the commit.
#[derive(Clone, Default)]
struct Watchful {
    updated: Arc<Mutex<Vec<(String, bool)>>>,
    verifications: Arc<Mutex<Vec<(String, bool)>>>,
}

#[async_trait::async_trait]
impl UserHooks for Watchful {
    async fn before_update(
        &self,
        _auth: &Auth,
        _user_id: &str,
        changes: &mut keyward_server::db::users::UserChanges,
    ) -> Result<(), ApiError> {
        for (column, value) in &mut changes.columns {
            if let (true, keyward_server::db::Arg::Text(Some(name))) = (column == "name", &mut *value) {
                if name.contains("forbidden") {
                    return Err(ApiError::with_message(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::Other("NAME_NOT_ALLOWED".into()),
                        "That name is not allowed",
                    ));
                }
                *name = name.trim().to_owned();
            }
        }
        Ok(())
    }

    async fn after_update(&self, auth: &Auth, user: &User) {
        let stored = auth.api().find_user_by_email(&user.email).await.ok().flatten();
        self.updated
            .lock()
            .expect("not poisoned")
            .push((user.name.clone(), stored.is_some_and(|stored| stored.name == user.name)));
    }
}

#[async_trait::async_trait]
impl keyward_server::hooks::VerificationHooks for Watchful {
    async fn after_create(&self, auth: &Auth, verification: &keyward_server::hooks::NewVerification) {
        let visible = committed(
            auth,
            r#"select "id" from "verification" where "identifier" = $1"#,
            &verification.identifier,
        )
        .await;
        let kind = verification.identifier.split(':').next().unwrap_or_default().to_owned();
        self.verifications.lock().expect("not poisoned").push((kind, visible));
    }
}

crate::on_both_databases! {
    async fn update_and_verification_hooks_run_on_every_path(backend: Backend) {
        let hooks = Watchful::default();
        let (updated, verifications) = (hooks.updated.clone(), hooks.verifications.clone());
        let app = TestApp::with_builder(
            backend,
            |_| {},
            move |builder| builder.user_hooks(hooks.clone()).verification_hooks(hooks),
        )
        .await;
        let ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        let renamed = app
            .post("/update-user")
            .cookies(&ada)
            .json(&json!({"name": "  Ada Lovelace  "}))
            .send()
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
        let me = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(me.json()["user"]["name"], "Ada Lovelace", "trimmed by before_update");
        let refused = app
            .post("/update-user")
            .cookies(&ada)
            .json(&json!({"name": "forbidden name"}))
            .send()
            .await;
        refused.assert_error(StatusCode::BAD_REQUEST, "NAME_NOT_ALLOWED");
        assert_eq!(
            *updated.lock().expect("not poisoned"),
            vec![("Ada Lovelace".to_owned(), true)],
            "one committed update; the refused one wrote nothing"
        );

        let reset = app
            .post("/request-password-reset")
            .json(&json!({"email": "ada@example.com", "redirectTo": "/reset"}))
            .send()
            .await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
        let seen = verifications.lock().expect("not poisoned").clone();
        assert_eq!(seen, vec![("reset-password".to_owned(), true)], "{seen:?}");
    }
}

/// Account hooks: a refusal inside sign-up's transaction leaves no user behind; the
/// after-hook sees the committed account.
#[derive(Clone, Default)]
struct SsoOnly {
    created: Arc<Mutex<Vec<(String, bool)>>>,
}

#[async_trait::async_trait]
impl keyward_server::hooks::AccountHooks for SsoOnly {
    async fn after_create(&self, auth: &Auth, account: &keyward_server::db::accounts::Account) {
        let visible = committed(auth, r#"select "id" from "account" where "id" = $1"#, &account.id).await;
        self.created
            .lock()
            .expect("not poisoned")
            .push((account.provider_id.clone(), visible));
    }
}

/// Refuses password accounts: sign-up is rolled back whole.
struct NoPasswords;

#[async_trait::async_trait]
impl keyward_server::hooks::AccountHooks for NoPasswords {
    async fn before_create(&self, account: &keyward_server::hooks::NewAccount) -> Result<(), ApiError> {
        if account.provider_id == "credential" {
            return Err(ApiError::with_message(
                StatusCode::FORBIDDEN,
                ErrorCode::Other("PASSWORDS_DISABLED".into()),
                "Sign in with your company account",
            ));
        }
        Ok(())
    }
}

crate::on_both_databases! {
    async fn account_hooks_run_inside_the_transaction(backend: Backend) {
        let hooks = SsoOnly::default();
        let created = hooks.created.clone();
        let app = TestApp::with_builder(backend, |_| {}, move |builder| builder.account_hooks(hooks)).await;
        app.sign_up("Ada", "ada@example.com", "password123").await;
        assert_eq!(
            *created.lock().expect("not poisoned"),
            vec![("credential".to_owned(), true)],
            "after_create ran once the sign-up committed"
        );

        let strict = TestApp::with_builder(backend, |_| {}, |builder| builder.account_hooks(NoPasswords)).await;
        let refused = strict
            .post("/sign-up/email")
            .json(&json!({"name": "Eve", "email": "eve@example.com", "password": "password123"}))
            .send()
            .await;
        refused.assert_error(StatusCode::FORBIDDEN, "PASSWORDS_DISABLED");
        assert_eq!(strict.count("user").await, 0, "the user insert was rolled back with it");
    }
}

/// Session update and delete hooks: a refreshed expiry, a sign-out, revoking all.
#[derive(Clone, Default)]
struct SessionLog {
    events: Arc<Mutex<Vec<String>>>,
}

#[async_trait::async_trait]
impl keyward_server::hooks::SessionHooks for SessionLog {
    async fn after_update(&self, _auth: &Auth, session: &keyward_server::wire::Session) {
        self.events
            .lock()
            .expect("not poisoned")
            .push(format!("update {}", session.user_id));
    }

    async fn after_delete(&self, _auth: &Auth, ended: &keyward_server::hooks::EndedSessions) {
        use keyward_server::hooks::EndedSessions;
        let event = match ended {
            EndedSessions::Tokens(tokens) => format!("delete {} token(s)", tokens.len()),
            EndedSessions::AllOfUser(user_id) => format!("delete all of {user_id}"),
        };
        self.events.lock().expect("not poisoned").push(event);
    }
}

crate::on_both_databases! {
    async fn session_update_and_delete_hooks_run(backend: Backend) {
        let hooks = SessionLog::default();
        let events = hooks.events.clone();
        let app = TestApp::with_builder(
            backend,
            |config| config.session.update_age = std::time::Duration::ZERO,
            move |builder| builder.session_hooks(hooks),
        )
        .await;
        let ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        let me = app.get("/get-session").cookies(&ada).send().await;
        let user_id = me.json()["user"]["id"].as_str().expect("id").to_owned();
        assert_eq!(
            *events.lock().expect("not poisoned"),
            vec![format!("update {user_id}")],
            "updateAge 0: get-session rolled the expiry forward"
        );
        events.lock().expect("not poisoned").clear();

        let signed_out = app.post("/sign-out").cookies(&ada).json(&json!({})).send().await;
        assert_eq!(signed_out.status, StatusCode::OK, "{}", signed_out.text());
        assert_eq!(*events.lock().expect("not poisoned"), vec!["delete 1 token(s)".to_owned()]);
        let signed_in = app
            .post("/sign-in/email")
            .json(&json!({"email": "ada@example.com", "password": "password123"}))
            .send()
            .await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text());
        let mut again = crate::common::Client::default();
        again.store(&signed_in);
        events.lock().expect("not poisoned").clear();
        let revoked = app.post("/revoke-sessions").cookies(&again).json(&json!({})).send().await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
        assert_eq!(
            *events.lock().expect("not poisoned"),
            vec![format!("update {user_id}"), format!("delete all of {user_id}")],
            "the session lookup of revoke-sessions refreshed it first (updateAge 0)"
        );
    }
}

/// Session `before_update` and `before_delete`: a session field is upper-cased or refused,
/// the rolled expiry and the deletions are refused while the switches are on; the after
/// hooks record what was committed.
#[derive(Clone, Default)]
struct SessionGuard {
    refuse_roll: Arc<std::sync::atomic::AtomicBool>,
    keep: Arc<std::sync::atomic::AtomicBool>,
    events: Arc<Mutex<Vec<String>>>,
}

impl SessionGuard {
    fn refusal(code: &str, message: &str) -> ApiError {
        ApiError::with_message(StatusCode::FORBIDDEN, ErrorCode::Other(code.into()), message)
    }

    fn events(&self) -> Vec<String> {
        std::mem::take(&mut *self.events.lock().expect("not poisoned"))
    }
}

#[async_trait::async_trait]
impl keyward_server::hooks::SessionHooks for SessionGuard {
    async fn before_update(
        &self,
        _auth: &Auth,
        session: &keyward_server::wire::Session,
        changes: &mut keyward_server::db::sessions::SessionChanges,
    ) -> Result<(), ApiError> {
        use keyward_server::db::Arg;
        use std::sync::atomic::Ordering;
        for (column, value) in &mut changes.columns {
            match (column.as_str(), value) {
                ("expiresAt", Arg::Time(Some(new))) if self.refuse_roll.load(Ordering::SeqCst) => {
                    // Equal when the sign-up and this request fell in the same millisecond
                    // (`update_age` is zero here): the stored expiry is still the one seen.
                    assert!(*new >= session.expires_at, "the hook sees the stored session");
                    return Err(Self::refusal("NO_ROLLING", "Sessions keep their expiry"));
                }
                ("mode", Arg::Text(Some(mode))) if mode == "forbidden" => {
                    return Err(Self::refusal("MODE_NOT_ALLOWED", "That mode is not allowed"));
                }
                ("mode", Arg::Text(Some(mode))) => *mode = mode.to_uppercase(),
                _ => {}
            }
        }
        Ok(())
    }

    async fn after_update(&self, _auth: &Auth, session: &keyward_server::wire::Session) {
        let mode = session.additional.get("mode").cloned().unwrap_or_default();
        self.events.lock().expect("not poisoned").push(format!("update {mode}"));
    }

    async fn before_delete(
        &self,
        _auth: &Auth,
        _ending: &keyward_server::hooks::EndedSessions,
    ) -> Result<(), ApiError> {
        if self.keep.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Self::refusal("SESSION_KEPT", "Sessions are kept"));
        }
        Ok(())
    }

    async fn after_delete(&self, _auth: &Auth, ended: &keyward_server::hooks::EndedSessions) {
        use keyward_server::hooks::EndedSessions;
        let event = match ended {
            EndedSessions::Tokens(tokens) => format!("delete {} token(s)", tokens.len()),
            EndedSessions::AllOfUser(_) => "delete all".to_owned(),
        };
        self.events.lock().expect("not poisoned").push(event);
    }
}

crate::on_both_databases! {
    async fn session_before_hooks_change_or_refuse_updates_and_deletions(backend: Backend) {
        use std::sync::atomic::Ordering;
        let hooks = SessionGuard::default();
        let guard = hooks.clone();
        let app = TestApp::with_builder(
            backend,
            |config| {
                config.session.update_age = std::time::Duration::ZERO;
                config.user.delete_user.enabled = true;
                config.session.additional_fields =
                    vec![keyward_server::config::AdditionalField::new("mode", keyward_server::db::FieldType::String)];
            },
            move |builder| builder.session_hooks(hooks),
        )
        .await;
        let ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        guard.refuse_roll.store(true, Ordering::SeqCst);
        let first = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text());
        let expires = first.json()["session"]["expiresAt"].clone();
        let again = app.get("/get-session").cookies(&ada).send().await.json();
        assert_eq!(again["session"]["expiresAt"], expires, "refused rolls: the session is served as it was");
        assert_eq!(guard.events(), Vec::<String>::new());

        let dark = app.post("/update-session").cookies(&ada).json(&json!({"mode": "dark"})).send().await;
        assert_eq!(dark.status, StatusCode::OK, "{}", dark.text());
        assert_eq!(dark.json()["session"]["mode"], "DARK", "before_update changed the column");
        let refused = app.post("/update-session").cookies(&ada).json(&json!({"mode": "forbidden"})).send().await;
        refused.assert_error(StatusCode::FORBIDDEN, "MODE_NOT_ALLOWED");
        assert_eq!(refused.message(), "That mode is not allowed");
        let me = app.get("/get-session").cookies(&ada).send().await.json();
        assert_eq!(me["session"]["mode"], "DARK", "the refused update wrote nothing");
        assert_eq!(guard.events(), vec!["update \"DARK\"".to_owned()]);

        guard.keep.store(true, Ordering::SeqCst);
        let kept = app.post("/sign-out").cookies(&ada).json(&json!({})).send().await;
        kept.assert_error(StatusCode::FORBIDDEN, "SESSION_KEPT");
        assert_eq!(kept.message(), "Sessions are kept");
        app.post("/revoke-sessions")
            .cookies(&ada)
            .json(&json!({}))
            .send()
            .await
            .assert_error(StatusCode::FORBIDDEN, "SESSION_KEPT");
        let changed = app
            .post("/change-password")
            .cookies(&ada)
            .json(&json!({"currentPassword": "password123", "newPassword": "password456", "revokeOtherSessions": true}))
            .send()
            .await;
        changed.assert_error(StatusCode::FORBIDDEN, "SESSION_KEPT");
        let deleted = app.post("/delete-user").cookies(&ada).json(&json!({"password": "password123"})).send().await;
        deleted.assert_error(StatusCode::FORBIDDEN, "SESSION_KEPT");
        assert_eq!(app.count("user").await, 1, "the deletion was rolled back");
        let old_password = app
            .post("/sign-in/email")
            .json(&json!({"email": "ada@example.com", "password": "password123"}))
            .send()
            .await;
        assert_eq!(old_password.status, StatusCode::OK, "the password change was rolled back");
        let me = app.get("/get-session").cookies(&ada).send().await.json();
        assert_eq!(me["session"]["mode"], "DARK", "still signed in");
        assert_eq!(guard.events(), Vec::<String>::new(), "nothing was committed");

        guard.keep.store(false, Ordering::SeqCst);
        guard.refuse_roll.store(false, Ordering::SeqCst);
        let rolled = app.get("/get-session").cookies(&ada).send().await.json();
        assert_ne!(rolled["session"]["expiresAt"], expires, "rolled once the hook allows it");
        let deleted = app.post("/delete-user").cookies(&ada).json(&json!({"password": "password123"})).send().await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text());
        assert_eq!(
            guard.events(),
            vec!["update \"DARK\"".to_owned(), "update \"DARK\"".to_owned(), "delete all".to_owned()],
            "the rolls of get-session and of delete-user's session lookup, then the user's sessions ending with the user"
        );
    }
}

/// Account update and delete hooks: every password write is tagged (the hook adds a scope)
/// or refused while the account is frozen; the after hooks see committed rows.
#[derive(Clone, Default)]
struct Freezer {
    frozen: Arc<std::sync::atomic::AtomicBool>,
    events: Arc<Mutex<Vec<(String, bool)>>>,
}

#[async_trait::async_trait]
impl keyward_server::hooks::AccountHooks for Freezer {
    async fn before_update(
        &self,
        _auth: &Auth,
        account: &keyward_server::db::accounts::Account,
        changes: &mut keyward_server::db::accounts::AccountChanges,
    ) -> Result<(), ApiError> {
        assert_eq!(account.provider_id, "credential", "the hook sees the stored row");
        if self.frozen.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ApiError::with_message(
                StatusCode::FORBIDDEN,
                ErrorCode::Other("ACCOUNT_FROZEN".into()),
                "This account is frozen",
            ));
        }
        if changes.password.is_some() {
            changes.tokens.scope = Some("password-changed".into());
        }
        Ok(())
    }

    async fn after_update(&self, auth: &Auth, account: &keyward_server::db::accounts::Account) {
        let tagged = committed(
            auth,
            r#"select "id" from "account" where "id" = $1 and "scope" = 'password-changed'"#,
            &account.id,
        )
        .await;
        self.events
            .lock()
            .expect("not poisoned")
            .push(("update".into(), tagged));
    }

    async fn after_delete(&self, auth: &Auth, account: &keyward_server::db::accounts::Account) {
        let gone = !committed(auth, r#"select "id" from "account" where "id" = $1"#, &account.id).await;
        self.events
            .lock()
            .expect("not poisoned")
            .push((format!("delete {}", account.provider_id), gone));
    }
}

impl Freezer {
    fn events(&self) -> Vec<(String, bool)> {
        std::mem::take(&mut *self.events.lock().expect("not poisoned"))
    }
}

crate::on_both_databases! {
    async fn account_update_and_delete_hooks_run(backend: Backend) {
        use std::sync::atomic::Ordering;
        let hooks = Freezer::default();
        let freezer = hooks.clone();
        let app = TestApp::with_builder(
            backend,
            |config| {
                config.account.allow_unlinking_all = true;
                config.user.delete_user.enabled = true;
            },
            move |builder| builder.account_hooks(hooks),
        )
        .await;
        let ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        let changed = app
            .post("/change-password")
            .cookies(&ada)
            .json(&json!({"currentPassword": "password123", "newPassword": "password456"}))
            .send()
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
        let accounts = app.get("/list-accounts").cookies(&ada).send().await.json();
        assert_eq!(accounts[0]["scopes"], json!(["password-changed"]), "before_update changed the row");
        assert_eq!(freezer.events(), vec![("update".to_owned(), true)], "after the commit");

        freezer.frozen.store(true, Ordering::SeqCst);
        let refused = app
            .post("/change-password")
            .cookies(&ada)
            .json(&json!({"currentPassword": "password456", "newPassword": "password789", "revokeOtherSessions": true}))
            .send()
            .await;
        refused.assert_error(StatusCode::FORBIDDEN, "ACCOUNT_FROZEN");
        assert_eq!(refused.message(), "This account is frozen");
        let me = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(me.json()["user"]["email"], "ada@example.com", "the revocation was rolled back with it");
        let token = reset_token(&app, "ada@example.com").await;
        let reset = app
            .post("/reset-password")
            .json(&json!({"newPassword": "password000", "token": token}))
            .send()
            .await;
        reset.assert_error(StatusCode::FORBIDDEN, "ACCOUNT_FROZEN");
        assert_eq!(freezer.events(), Vec::new(), "nothing was committed");

        freezer.frozen.store(false, Ordering::SeqCst);
        let reset = app
            .post("/reset-password")
            .json(&json!({"newPassword": "password000", "token": token}))
            .send()
            .await;
        assert_eq!(reset.status, StatusCode::OK, "the refused reset gave its token back: {}", reset.text());
        let signed_in = app
            .post("/sign-in/email")
            .json(&json!({"email": "ada@example.com", "password": "password000"}))
            .send()
            .await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text());
        let mut ada = crate::common::Client::default();
        ada.store(&signed_in);
        let account_id = accounts[0]["id"].as_str().expect("id").to_owned();
        let unlinked = app
            .post("/unlink-account")
            .cookies(&ada)
            .json(&json!({"accountId": account_id}))
            .send()
            .await;
        assert_eq!(unlinked.status, StatusCode::OK, "{}", unlinked.text());
        assert_eq!(
            freezer.events(),
            vec![("update".to_owned(), true), ("delete credential".to_owned(), true)]
        );

        let bob = app.sign_up("Bob", "bob@example.com", "password123").await;
        let deleted = app.post("/delete-user").cookies(&bob).json(&json!({"password": "password123"})).send().await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text());
        assert_eq!(freezer.events(), vec![("delete credential".to_owned(), true)], "with its user");
    }
}

/// Verification `after_delete`: what was removed, and whether it was still stored once the
/// hook ran.
#[derive(Clone, Default)]
struct Spent {
    removed: Arc<Mutex<Vec<(String, bool)>>>,
}

#[async_trait::async_trait]
impl keyward_server::hooks::VerificationHooks for Spent {
    async fn after_delete(&self, auth: &Auth, verification: &keyward_server::db::verifications::Verification) {
        let stored = committed(
            auth,
            r#"select "id" from "verification" where "identifier" = $1"#,
            &verification.identifier,
        )
        .await;
        let kind = verification.identifier.split(':').next().unwrap_or_default().to_owned();
        self.removed.lock().expect("not poisoned").push((kind, stored));
    }
}

crate::on_both_databases! {
    async fn verification_delete_hooks_run_once_committed(backend: Backend) {
        use std::sync::atomic::Ordering;
        let (spent, freezer) = (Spent::default(), Freezer::default());
        let (removed, frozen) = (spent.removed.clone(), freezer.frozen.clone());
        let app = TestApp::with_builder(backend, |_| {}, move |builder| {
            builder.verification_hooks(spent).account_hooks(freezer)
        })
        .await;
        app.sign_up("Ada", "ada@example.com", "password123").await;
        let token = reset_token(&app, "ada@example.com").await;
        frozen.store(true, Ordering::SeqCst);
        let refused = app
            .post("/reset-password")
            .json(&json!({"newPassword": "password000", "token": token}))
            .send()
            .await;
        refused.assert_error(StatusCode::FORBIDDEN, "ACCOUNT_FROZEN");
        assert_eq!(*removed.lock().expect("not poisoned"), vec![], "the consumption was rolled back");
        frozen.store(false, Ordering::SeqCst);
        let reset = app
            .post("/reset-password")
            .json(&json!({"newPassword": "password000", "token": token}))
            .send()
            .await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
        assert_eq!(
            *removed.lock().expect("not poisoned"),
            vec![("reset-password".to_owned(), false)],
            "once, after the commit"
        );
    }
}

crate::on_both_databases! {
    async fn session_and_verification_hooks_run_on_secondary_storage(backend: Backend) {
        use std::sync::atomic::Ordering;
        let prefix = crate::common::redis_prefix("hooks");
        let (guard, spent) = (SessionGuard::default(), Spent::default());
        let (sessions, removed) = (guard.clone(), spent.removed.clone());
        let key_prefix = prefix.clone();
        let app = TestApp::with_builder(
            backend,
            move |config| {
                config.secondary_storage.redis_url = Some(crate::common::redis_url());
                config.secondary_storage.key_prefix = key_prefix;
                config.session.additional_fields =
                    vec![keyward_server::config::AdditionalField::new("mode", keyward_server::db::FieldType::String)];
            },
            move |builder| builder.session_hooks(guard).verification_hooks(spent),
        )
        .await;
        let ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        assert_eq!(app.count("session").await, 0, "sessions live in Redis only");
        let dark = app.post("/update-session").cookies(&ada).json(&json!({"mode": "dark"})).send().await;
        assert_eq!(dark.json()["session"]["mode"], "DARK", "{}", dark.text());
        app.post("/update-session")
            .cookies(&ada)
            .json(&json!({"mode": "forbidden"}))
            .send()
            .await
            .assert_error(StatusCode::FORBIDDEN, "MODE_NOT_ALLOWED");
        sessions.keep.store(true, Ordering::SeqCst);
        app.post("/sign-out")
            .cookies(&ada)
            .json(&json!({}))
            .send()
            .await
            .assert_error(StatusCode::FORBIDDEN, "SESSION_KEPT");
        sessions.keep.store(false, Ordering::SeqCst);
        let me = app.get("/get-session").cookies(&ada).send().await.json();
        assert_eq!(me["session"]["mode"], "DARK", "kept, and the refused update wrote nothing");
        let signed_out = app.post("/sign-out").cookies(&ada).json(&json!({})).send().await;
        assert_eq!(signed_out.status, StatusCode::OK, "{}", signed_out.text());
        assert_eq!(
            sessions.events(),
            vec!["update \"DARK\"".to_owned(), "delete 1 token(s)".to_owned()]
        );

        let token = reset_token(&app, "ada@example.com").await;
        let reset = app
            .post("/reset-password")
            .json(&json!({"newPassword": "password000", "token": token}))
            .send()
            .await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
        assert_eq!(*removed.lock().expect("not poisoned"), vec![("reset-password".to_owned(), false)]);

        let mut redis = redis::Client::open(crate::common::redis_url())
            .expect("redis url")
            .get_multiplexed_async_connection()
            .await
            .expect("Redis is reachable");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query_async(&mut redis)
            .await
            .expect("keys");
        for key in keys {
            let _: () = redis::cmd("DEL").arg(key).query_async(&mut redis).await.expect("del");
        }
    }
}
