//! The magic-link plugin: `/sign-in/magic-link`, `/magic-link/verify`, the rows they keep,
//! their redirects and failures, and the plugin's options.

use crate::common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Backend, Client, ORIGIN, TestApp, TestResponse};
use keyward_server::args;
use keyward_server::config::{MagicLink, MagicLinkConfig, MagicLinkSender, TokenStorage};
use keyward_server::email::EmailError;
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";

async fn app(backend: Backend, options: MagicLinkConfig) -> TestApp {
    TestApp::with(backend, |config| config.magic_link = Some(options)).await
}

async fn sign_in(app: &TestApp, body: Value) -> TestResponse {
    app.post("/sign-in/magic-link").json(&body).send().await
}

/// Asks for a link to `email` and answers the link's path and query below the base path.
async fn link(app: &TestApp, body: Value) -> String {
    let email = body["email"].as_str().expect("email").to_owned();
    let answer = sign_in(app, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json(), json!({"status": true}));
    let sent = app.wait_for_email("magic-link", &email).await;
    let url = sent["url"].as_str().expect("a link");
    let prefix = format!("{ORIGIN}/api/auth");
    url.strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{url} is under {prefix}"))
        .to_owned()
}

/// The token in a link.
fn token_of(link: &str) -> String {
    let query = link.split_once('?').expect("a query").1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "token")
        .expect("a token")
        .1
        .into_owned()
}

/// The magic-link rows: identifier, value and lifetime in seconds.
async fn rows(app: &TestApp) -> Vec<(String, String, i64)> {
    app.sql_rows(
        r#"select "identifier", "value", "expiresAt", "createdAt" from "verification" where "identifier" like 'magic-link:%'"#,
        vec![],
    )
    .await
    .iter()
    .map(|row| {
        let lifetime = row.time("expiresAt").expect("expiresAt") - row.time("createdAt").expect("createdAt");
        (
            row.text("identifier").expect("identifier"),
            row.text("value").expect("value"),
            lifetime.num_seconds(),
        )
    })
    .collect()
}

fn location(answer: &TestResponse) -> String {
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.text());
    answer.header("location").expect("a location")
}

on_both_databases! {
    async fn a_link_signs_a_new_user_up_once_and_redirects(backend: Backend) {
        let app = app(backend, MagicLinkConfig::default()).await;
        let link = link(
            &app,
            json!({"email": "Ada@Example.com", "name": "Ada", "callbackURL": "/dash", "newUserCallbackURL": "/welcome"}),
        )
        .await;
        let token = token_of(&link);
        assert_eq!(token.len(), 32);
        assert!(token.bytes().all(|b| b.is_ascii_alphabetic()), "{token}");
        assert_eq!(
            link,
            format!("/magic-link/verify?token={token}&callbackURL=%2Fdash&newUserCallbackURL=%2Fwelcome")
        );
        assert_eq!(
            rows(&app).await,
            [(
                format!("magic-link:{token}"),
                r#"{"type":"magic-link","email":"Ada@Example.com","name":"Ada"}"#.to_owned(),
                300
            )],
            "named by the token, holding the address as typed, for five minutes"
        );
        assert_eq!(app.count("user").await, 0, "nobody is created before the link is opened");

        let opened = app.get(&link).send().await;
        assert_eq!(location(&opened), format!("{ORIGIN}/welcome"), "a new user goes to newUserCallbackURL");
        let mut ada = Client::default();
        ada.store(&opened);
        let session = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(session.json()["user"]["email"], "ada@example.com");
        assert_eq!(session.json()["user"]["name"], "Ada");
        assert_eq!(session.json()["user"]["emailVerified"], true);
        assert!(rows(&app).await.is_empty(), "the token is taken");
        assert_eq!(app.count("account").await, 0, "a magic-link user has no account row");

        let again = app.get(&link).send().await;
        assert_eq!(location(&again), format!("{ORIGIN}/dash?error=INVALID_TOKEN"));
        assert!(again.cookie("better-auth.session_token").is_none());

        // The next link of the same user leads to callbackURL.
        let link = self::link(&app, json!({"email": "ada@example.com", "callbackURL": "/dash", "newUserCallbackURL": "/welcome"})).await;
        let opened = app.get(&link).send().await;
        assert_eq!(location(&opened), format!("{ORIGIN}/dash"));
        assert_eq!(app.count("user").await, 1);
        assert_eq!(app.count("session").await, 2);
    }
}

on_both_databases! {
    async fn without_a_callback_the_link_answers_the_session(backend: Backend) {
        let app = app(backend, MagicLinkConfig::default()).await;
        let link = link(&app, json!({"email": "ada@example.com"})).await;
        assert!(link.ends_with("&callbackURL=%2F"), "{link}");
        let token = token_of(&link);
        let answer = app.get(&format!("/magic-link/verify?token={token}")).send().await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let body = answer.json();
        assert_eq!(body["user"]["email"], "ada@example.com");
        assert_eq!(body["user"]["name"], "");
        assert_eq!(body["token"], body["session"]["token"]);
        assert!(answer.header("set-auth-token").is_some());
        let mut client = Client::default();
        client.store(&answer);
        assert_eq!(Value::String(client.session_token()), body["token"]);
        let session = app.get("/get-session").bearer(body["token"].as_str().expect("token")).send().await;
        assert_eq!(session.json()["user"]["email"], "ada@example.com");

        // Failures without any callback redirect to the server's root.
        let used = app.get(&format!("/magic-link/verify?token={token}")).send().await;
        assert_eq!(location(&used), format!("{ORIGIN}/?error=INVALID_TOKEN"));
    }
}

on_both_databases! {
    async fn expired_unknown_and_malformed_links_fail(backend: Backend) {
        let app = app(backend, MagicLinkConfig::default()).await;
        let link = link(
            &app,
            json!({"email": "ada@example.com", "callbackURL": "/dash", "errorCallbackURL": "/oops?from=link"}),
        )
        .await;
        assert!(link.ends_with("&errorCallbackURL=%2Foops%3Ffrom%3Dlink"), "{link}");
        let past = Utc::now() - Duration::minutes(1);
        app.sql(r#"update "verification" set "expiresAt" = $1"#, args![past]).await;
        let expired = app.get(&link).send().await;
        assert_eq!(location(&expired), format!("{ORIGIN}/oops?from=link&error=INVALID_TOKEN"));
        assert!(rows(&app).await.is_empty(), "an expired token is removed when tried");
        assert_eq!(app.count("user").await, 0);

        let unknown = app.get("/magic-link/verify?token=nope&callbackURL=/dash").send().await;
        assert_eq!(location(&unknown), format!("{ORIGIN}/dash?error=INVALID_TOKEN"));
        let empty = app.get("/magic-link/verify?token=&callbackURL=/dash").send().await;
        assert_eq!(location(&empty), format!("{ORIGIN}/dash?error=INVALID_TOKEN"));

        // A row of the right name whose value is not a magic link's stays and fails.
        let now = Utc::now();
        app.sql(
            r#"insert into "verification" ("id", "identifier", "value", "expiresAt", "createdAt", "updatedAt") values ('v1', 'magic-link:forged', '{"type":"magic-link","email":"ada@example.com","admin":true}', $1, $2, $2)"#,
            args![now + Duration::minutes(5), now],
        )
        .await;
        let forged = app.get("/magic-link/verify?token=forged").send().await;
        assert_eq!(location(&forged), format!("{ORIGIN}/?error=INVALID_TOKEN"));
        assert_eq!(rows(&app).await.len(), 1, "left as it was");

        let missing = app.get("/magic-link/verify").send().await;
        missing.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(missing.message(), "[query.token] Invalid input: expected string, received undefined");
    }
}

#[tokio::test]
async fn requests_are_checked_like_better_auths() {
    let app = app(Backend::Sqlite, MagicLinkConfig::default()).await;
    let bad_email = sign_in(&app, json!({"email": "not-an-address"})).await;
    bad_email.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    let no_email = sign_in(&app, json!({"name": "Ada"})).await;
    no_email.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    let metadata = sign_in(&app, json!({"email": "ada@example.com", "metadata": "text"})).await;
    metadata.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    for (field, code) in [
        ("callbackURL", "INVALID_CALLBACK_URL"),
        ("newUserCallbackURL", "INVALID_NEW_USER_CALLBACK_URL"),
        ("errorCallbackURL", "INVALID_ERROR_CALLBACK_URL"),
    ] {
        let answer = sign_in(
            &app,
            json!({"email": "ada@example.com", field: "https://evil.example/x"}),
        )
        .await;
        answer.assert_error(StatusCode::FORBIDDEN, code);
    }
    // JSON only, unlike /sign-in/email.
    let form = app
        .post("/sign-in/magic-link")
        .raw("application/x-www-form-urlencoded", "email=ada%40example.com")
        .send()
        .await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", form.text());
    // better-auth's form CSRF rules.
    let navigated = app
        .post("/sign-in/magic-link")
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .json(&json!({"email": "ada@example.com"}))
        .send()
        .await;
    navigated.assert_error(StatusCode::FORBIDDEN, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED");
    let foreign = app
        .post("/sign-in/magic-link")
        .header("origin", "https://evil.example")
        .json(&json!({"email": "ada@example.com"}))
        .send()
        .await;
    foreign.assert_error(StatusCode::FORBIDDEN, "INVALID_ORIGIN");
    assert!(app.emails().is_empty(), "no link went out: {:?}", app.emails());

    // Every redirect of the link is checked, each as a callbackURL.
    for field in ["callbackURL", "newUserCallbackURL", "errorCallbackURL"] {
        let answer = app
            .get(&format!(
                "/magic-link/verify?token=x&{field}=https%3A%2F%2Fevil.example%2F"
            ))
            .send()
            .await;
        answer.assert_error(StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL");
    }
}

#[tokio::test]
async fn sign_up_can_be_switched_off() {
    let options = MagicLinkConfig {
        disable_sign_up: true,
        ..MagicLinkConfig::default()
    };
    let app = app(Backend::Sqlite, options).await;
    let link = link(&app, json!({"email": "new@example.com", "callbackURL": "/dash"})).await;
    let refused = app.get(&link).send().await;
    assert_eq!(
        location(&refused),
        format!("{ORIGIN}/dash?error=new_user_signup_disabled")
    );
    assert_eq!(app.count("user").await, 0);

    // Existing users still sign in.
    app.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let link = self::link(&app, json!({"email": "ada@example.com", "callbackURL": "/dash"})).await;
    assert_eq!(location(&app.get(&link).send().await), format!("{ORIGIN}/dash"));
}

on_both_databases! {
    async fn an_unverified_user_loses_what_predates_the_proof(backend: Backend) {
        let app = app(backend, MagicLinkConfig::default()).await;
        // Someone signed up with Ada's address and a password of their own.
        let squatter = app.sign_up("Mallory", "ada@example.com", PASSWORD).await;
        assert_eq!(app.count("account").await, 1);
        let link = link(&app, json!({"email": "ada@example.com", "callbackURL": "/dash"})).await;
        let opened = app.get(&link).send().await;
        assert_eq!(location(&opened), format!("{ORIGIN}/dash"));
        assert_eq!(app.count("account").await, 0, "the password account is gone");
        assert_eq!(app.count("session").await, 1, "only the link's session is left");
        let old = app.get("/get-session").cookies(&squatter).send().await;
        assert_eq!(old.json(), Value::Null, "the squatter's session ended");
        let mut ada = Client::default();
        ada.store(&opened);
        let session = app.get("/get-session").cookies(&ada).send().await;
        assert_eq!(session.json()["user"]["emailVerified"], true);
        let password = app
            .post("/sign-in/email")
            .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await;
        password.assert_error(StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD");
    }
}

/// Keeps the links it is given.
#[derive(Clone, Default)]
struct Kept(Arc<Mutex<Vec<MagicLink>>>);

#[async_trait::async_trait]
impl MagicLinkSender for Kept {
    async fn send_magic_link(&self, link: &MagicLink) -> Result<(), EmailError> {
        self.0.lock().expect("lock").push(link.clone());
        Ok(())
    }
}

#[tokio::test]
async fn tokens_may_be_hashed_made_by_the_application_and_sent_by_it() {
    let kept = Kept::default();
    let options = MagicLinkConfig::default()
        .store_token(TokenStorage::Hashed)
        .expires_in(std::time::Duration::from_secs(60))
        .generate_token(|email: &str| format!("link-for-{}", email.split('@').next().unwrap_or_default()))
        .sender(kept.clone());
    let app = app(Backend::Sqlite, options).await;
    let answer = sign_in(
        &app,
        json!({"email": "ada@example.com", "metadata": {"device": "phone", "n": 1}}),
    )
    .await;
    assert_eq!(answer.json(), json!({"status": true}));
    assert!(app.emails().is_empty(), "the application's sender, not email");
    let sent = kept.0.lock().expect("lock").pop().expect("a link");
    assert_eq!(sent.token.expose(), "link-for-ada");
    assert_eq!(sent.email, "ada@example.com");
    assert_eq!(
        sent.metadata,
        Some(json!({"device": "phone", "n": 1}).as_object().cloned().expect("object"))
    );
    assert_eq!(
        sent.url,
        format!("{ORIGIN}/api/auth/magic-link/verify?token=link-for-ada&callbackURL=%2F")
    );
    assert!(!format!("{sent:?}").contains("link-for-ada"), "the token is redacted");
    let digest = keyward_server::crypto::base64url(&keyward_server::crypto::sha256(b"link-for-ada"));
    assert_eq!(
        rows(&app).await,
        [(
            format!("magic-link:{digest}"),
            r#"{"type":"magic-link","email":"ada@example.com"}"#.to_owned(),
            60
        )]
    );
    let by_digest = app.get(&format!("/magic-link/verify?token={digest}")).send().await;
    assert_eq!(by_digest.status, StatusCode::FOUND, "the stored form is no token");
    let answer = app.get("/magic-link/verify?token=link-for-ada").send().await;
    assert_eq!(answer.json()["user"]["email"], "ada@example.com", "{}", answer.text());
}

#[tokio::test]
async fn both_routes_allow_five_requests_a_minute() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.magic_link = Some(MagicLinkConfig::default());
        config.rate_limit.enabled = true;
    })
    .await;
    for _ in 0..5 {
        let answer = app
            .post("/sign-in/magic-link")
            .peer("203.0.113.7")
            .json(&json!({"email": "ada@example.com"}))
            .send()
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    }
    let blocked = app
        .post("/sign-in/magic-link")
        .peer("203.0.113.7")
        .json(&json!({"email": "ada@example.com"}))
        .send()
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    for _ in 0..5 {
        let answer = app
            .get("/magic-link/verify?token=guess")
            .peer("203.0.113.8")
            .send()
            .await;
        assert_eq!(answer.status, StatusCode::FOUND);
    }
    let blocked = app
        .get("/magic-link/verify?token=guess")
        .peer("203.0.113.8")
        .send()
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn links_live_in_secondary_storage_when_it_is_configured() {
    let prefix = common::redis_prefix("magic");
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.magic_link = Some(MagicLinkConfig::default());
        config.secondary_storage.redis_url = Some(common::redis_url());
        config.secondary_storage.key_prefix = prefix.clone();
    })
    .await;
    let link = link(&app, json!({"email": "ada@example.com"})).await;
    let token = token_of(&link);
    assert_eq!(app.count("verification").await, 0, "no row: Redis holds it");
    let mut redis = redis::Client::open(common::redis_url())
        .expect("redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("Redis is reachable");
    let stored: Option<String> = redis::cmd("GET")
        .arg(format!("{prefix}verification:magic-link:{token}"))
        .query_async(&mut redis)
        .await
        .expect("get");
    let stored: Value = serde_json::from_str(&stored.expect("the key")).expect("JSON");
    assert_eq!(stored["value"], r#"{"type":"magic-link","email":"ada@example.com"}"#);
    let opened = app.get(&link).send().await;
    assert_eq!(location(&opened), format!("{ORIGIN}/"));
    let again = app.get(&link).send().await;
    assert_eq!(location(&again), format!("{ORIGIN}/?error=INVALID_TOKEN"));
}

/// Refuses every address outside `company.com`, as a user hook.
struct CompanyOnly;

#[async_trait::async_trait]
impl keyward_server::hooks::UserHooks for CompanyOnly {
    async fn before_create(
        &self,
        _auth: &keyward_server::Auth,
        user: &mut keyward_server::db::users::NewUser,
    ) -> Result<(), keyward_server::ApiError> {
        if user.email.ends_with("@company.com") {
            return Ok(());
        }
        Err(keyward_server::ApiError::with_message(
            StatusCode::FORBIDDEN,
            keyward_server::wire::ErrorCode::Other("COMPANY_ADDRESS_REQUIRED".into()),
            "Sign up with your company address",
        ))
    }
}

#[tokio::test]
async fn a_user_hook_refusing_the_new_user_is_the_links_error() {
    let app = TestApp::with_builder(
        Backend::Sqlite,
        |config| config.magic_link = Some(MagicLinkConfig::default()),
        |builder| builder.user_hooks(CompanyOnly),
    )
    .await;
    let link = link(
        &app,
        json!({"email": "ada@example.com", "callbackURL": "/dash", "errorCallbackURL": "/oops"}),
    )
    .await;
    let refused = app.get(&link).send().await;
    assert_eq!(
        location(&refused),
        format!("{ORIGIN}/oops?error=COMPANY_ADDRESS_REQUIRED&error_description=Sign+up+with+your+company+address"),
        "better-auth redirects with the hook's code and message"
    );
    assert_eq!(app.count("user").await, 0);
    assert!(rows(&app).await.is_empty(), "the link was used up all the same");

    let link = self::link(&app, json!({"email": "ada@company.com", "callbackURL": "/dash"})).await;
    assert_eq!(location(&app.get(&link).send().await), format!("{ORIGIN}/dash"));
    assert_eq!(app.count("user").await, 1);
}
