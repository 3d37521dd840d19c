//! The multi-session plugin: the `_multi-` cookies every new session gets, one per user
//! and up to `maximum_sessions`, `/multi-session/list-device-sessions`, `set-active`,
//! `revoke` (foreign and unknown tokens, the active session, the last one) and sign-out
//! ending every device session.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, TestApp, TestResponse};
use keyward_server::args;
use keyward_server::config::MultiSessionConfig;
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";
const SESSION: &str = "better-auth.session_token";

async fn app(backend: Backend, options: MultiSessionConfig) -> TestApp {
    TestApp::with(backend, |config| config.multi_session = Some(options)).await
}

/// The multi-session cookie name of `token`.
fn multi(token: &str) -> String {
    format!("{SESSION}_multi-{}", token.to_lowercase())
}

/// Signs `email` up (or in, when taken) from `browser`'s cookies; the answer's token.
async fn sign_in(app: &TestApp, browser: &mut Client, name: &str, email: &str) -> (TestResponse, String) {
    let mut answer = app
        .post("/sign-up/email")
        .cookies(browser)
        .origin()
        .json(&json!({"name": name, "email": email, "password": PASSWORD}))
        .send()
        .await;
    if answer.status != StatusCode::OK {
        answer = app
            .post("/sign-in/email")
            .cookies(browser)
            .origin()
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await;
    }
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    browser.store(&answer);
    let token = answer.json()["token"].as_str().expect("token").to_owned();
    (answer, token)
}

async fn list(app: &TestApp, browser: &Client) -> Vec<String> {
    let answer = app
        .get("/multi-session/list-device-sessions")
        .cookies(browser)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let mut emails: Vec<String> = answer
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|entry| entry["user"]["email"].as_str().expect("email").to_owned())
        .collect();
    emails.sort();
    emails
}

async fn session_exists(app: &TestApp, token: &str) -> bool {
    !app.sql_rows(
        r#"select "id" from "session" where "token" = $1"#,
        args![token.to_owned()],
    )
    .await
    .is_empty()
}

async fn active_email(app: &TestApp, browser: &Client) -> Option<String> {
    let session = app.get("/get-session").cookies(browser).send().await;
    session.json()["user"]["email"].as_str().map(str::to_owned)
}

on_both_databases! {
    async fn every_sign_in_is_kept_and_listed_once_per_user(backend: Backend) {
        let app = app(backend, MultiSessionConfig::default()).await;
        let mut browser = Client::default();
        let (answer, ada) = sign_in(&app, &mut browser, "Ada", "ada@example.com").await;
        let cookie = answer.cookie(&multi(&ada)).expect("a multi-session cookie");
        assert!(cookie.value.starts_with(&ada), "the token, signed: {cookie:?}");
        assert_eq!(cookie.attributes, "Max-Age=604800; Path=/; HttpOnly; SameSite=Lax");
        let (_, bob) = sign_in(&app, &mut browser, "Bob", "bob@example.com").await;
        assert!(browser.cookies.contains_key(&multi(&bob)));
        assert_eq!(list(&app, &browser).await, ["ada@example.com", "bob@example.com"]);
        assert_eq!(active_email(&app, &browser).await.as_deref(), Some("bob@example.com"));
        let nobody = app.get("/multi-session/list-device-sessions").send().await;
        assert_eq!(nobody.json(), json!([]));

        // Ada again: her older session ends and its cookie goes.
        let (again, ada_again) = sign_in(&app, &mut browser, "Ada", "ada@example.com").await;
        let dropped = again.cookie(&multi(&ada)).expect("the older cookie is expired");
        assert!(dropped.value.is_empty() && dropped.attributes.contains("Max-Age=0"), "{dropped:?}");
        assert!(!session_exists(&app, &ada).await);
        assert!(session_exists(&app, &ada_again).await);
        assert_eq!(list(&app, &browser).await, ["ada@example.com", "bob@example.com"]);

        // A session whose cookie the browser already holds gets no second cookie.
        let refreshed = app.get("/get-session").cookies(&browser).send().await;
        assert!(refreshed.set_cookies().iter().all(|c| !c.name.contains("_multi-")));

        // A bearer sign-in (no cookies) gets its cookie too.
        let bearer = app
            .post("/sign-in/email")
            .json(&json!({"email": "bob@example.com", "password": PASSWORD}))
            .send()
            .await;
        let token = bearer.json()["token"].as_str().expect("token").to_owned();
        assert!(bearer.cookie(&multi(&token)).is_some());
    }
}

on_both_databases! {
    async fn set_active_switches_between_held_sessions_only(backend: Backend) {
        let app = app(backend, MultiSessionConfig::default()).await;
        let mut browser = Client::default();
        let (_, ada) = sign_in(&app, &mut browser, "Ada", "ada@example.com").await;
        let (_, _bob) = sign_in(&app, &mut browser, "Bob", "bob@example.com").await;
        let switched = app
            .post("/multi-session/set-active")
            .cookies(&browser)
            .json(&json!({"sessionToken": ada}))
            .send()
            .await;
        assert_eq!(switched.status, StatusCode::OK, "{}", switched.text());
        assert_eq!(switched.json()["user"]["email"], "ada@example.com");
        assert_eq!(switched.json()["session"]["token"], ada.as_str());
        assert!(switched.cookie(SESSION).is_some_and(|c| c.value.starts_with(&ada)));
        assert!(switched.set_cookies().iter().all(|c| !c.name.contains("_multi-")), "held already");
        browser.store(&switched);
        assert_eq!(active_email(&app, &browser).await.as_deref(), Some("ada@example.com"));
        // Tokens match whatever their casing in the body: the cookie name is lowercased.
        let upper = app
            .post("/multi-session/set-active")
            .cookies(&browser)
            .json(&json!({"sessionToken": ada.to_uppercase()}))
            .send()
            .await;
        assert_eq!(upper.status, StatusCode::OK, "{}", upper.text());

        let unknown = app
            .post("/multi-session/set-active")
            .cookies(&browser)
            .json(&json!({"sessionToken": "not-a-session-of-this-browser"}))
            .send()
            .await;
        unknown.assert_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_TOKEN");
        assert_eq!(unknown.message(), "Invalid session token");
        let mut elsewhere = Client::default();
        let (_, carol) = sign_in(&app, &mut elsewhere, "Carol", "carol@example.com").await;
        let foreign = app
            .post("/multi-session/set-active")
            .cookies(&browser)
            .json(&json!({"sessionToken": carol}))
            .send()
            .await;
        foreign.assert_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_TOKEN");
        let missing = app
            .post("/multi-session/set-active")
            .cookies(&browser)
            .json(&json!({}))
            .send()
            .await;
        missing.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");

        // An ended session: refused, and its cookie expired.
        app.sql(
            r#"update "session" set "expiresAt" = $1 where "token" = $2"#,
            args![chrono::Utc::now() - chrono::Duration::hours(1), ada.clone()],
        )
        .await;
        let ended = app
            .post("/multi-session/set-active")
            .cookies(&browser)
            .json(&json!({"sessionToken": ada}))
            .send()
            .await;
        ended.assert_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_TOKEN");
        let expired = ended.cookie(&multi(&ada)).expect("the cookie is expired");
        assert!(expired.attributes.contains("Max-Age=0"));
        assert_eq!(list(&app, &browser).await, ["bob@example.com"], "ended sessions are not listed");
    }
}

on_both_databases! {
    async fn revoke_ends_one_session_and_moves_the_active_one_on(backend: Backend) {
        let app = app(backend, MultiSessionConfig::default()).await;
        let mut browser = Client::default();
        let (_, ada) = sign_in(&app, &mut browser, "Ada", "ada@example.com").await;
        let (_, bob) = sign_in(&app, &mut browser, "Bob", "bob@example.com").await;
        let (_, cleo) = sign_in(&app, &mut browser, "Cleo", "cleo@example.com").await;
        let signed_out = app
            .post("/multi-session/revoke")
            .origin()
            .json(&json!({"sessionToken": ada}))
            .send()
            .await;
        signed_out.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        let mut elsewhere = Client::default();
        let (_, dan) = sign_in(&app, &mut elsewhere, "Dan", "dan@example.com").await;
        let foreign = app
            .post("/multi-session/revoke")
            .cookies(&browser)
            .json(&json!({"sessionToken": dan}))
            .send()
            .await;
        foreign.assert_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_TOKEN");
        assert!(session_exists(&app, &dan).await, "another browser's session is out of reach");

        // Bob is not the active session: only he goes.
        let revoked = app
            .post("/multi-session/revoke")
            .cookies(&browser)
            .json(&json!({"sessionToken": bob}))
            .send()
            .await;
        assert_eq!(revoked.json(), json!({"status": true}));
        assert!(revoked.cookie(&multi(&bob)).is_some_and(|c| c.attributes.contains("Max-Age=0")));
        assert!(revoked.cookie(SESSION).is_none(), "the active session stays");
        browser.store(&revoked);
        assert!(!session_exists(&app, &bob).await);
        assert_eq!(list(&app, &browser).await, ["ada@example.com", "cleo@example.com"]);

        // Cleo is active: the first other live session takes over.
        let revoked = app
            .post("/multi-session/revoke")
            .cookies(&browser)
            .json(&json!({"sessionToken": cleo}))
            .send()
            .await;
        assert_eq!(revoked.status, StatusCode::OK);
        assert!(revoked.cookie(SESSION).is_some_and(|c| c.value.starts_with(&ada)), "Ada takes over");
        browser.store(&revoked);
        assert_eq!(active_email(&app, &browser).await.as_deref(), Some("ada@example.com"));

        // The last one: signed out.
        let revoked = app
            .post("/multi-session/revoke")
            .cookies(&browser)
            .json(&json!({"sessionToken": ada}))
            .send()
            .await;
        assert_eq!(revoked.status, StatusCode::OK);
        assert!(revoked.cookie(SESSION).is_some_and(|c| c.value.is_empty()));
        browser.store(&revoked);
        assert_eq!(active_email(&app, &browser).await, None);
        assert_eq!(list(&app, &browser).await, Vec::<String>::new());
    }
}

on_both_databases! {
    async fn beyond_the_maximum_a_session_is_active_but_not_kept(backend: Backend) {
        let app = app(backend, MultiSessionConfig::default().maximum_sessions(2)).await;
        let mut browser = Client::default();
        sign_in(&app, &mut browser, "Ada", "ada@example.com").await;
        sign_in(&app, &mut browser, "Bob", "bob@example.com").await;
        let (third, cleo) = sign_in(&app, &mut browser, "Cleo", "cleo@example.com").await;
        assert!(third.cookie(&multi(&cleo)).is_none(), "no cookie beyond the maximum");
        assert!(third.cookie(SESSION).is_some());
        assert_eq!(active_email(&app, &browser).await.as_deref(), Some("cleo@example.com"));
        assert_eq!(list(&app, &browser).await, ["ada@example.com", "bob@example.com"]);
        let switch_back = app
            .post("/multi-session/set-active")
            .cookies(&browser)
            .json(&json!({"sessionToken": cleo}))
            .send()
            .await;
        switch_back.assert_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_TOKEN");
    }
}

on_both_databases! {
    async fn sign_out_ends_every_device_session(backend: Backend) {
        let app = app(backend, MultiSessionConfig::default()).await;
        let mut browser = Client::default();
        let (_, ada) = sign_in(&app, &mut browser, "Ada", "ada@example.com").await;
        let (_, bob) = sign_in(&app, &mut browser, "Bob", "bob@example.com").await;
        let mut elsewhere = Client::default();
        let (_, other) = sign_in(&app, &mut elsewhere, "Ada", "ada@example.com").await;
        // A forged multi-session cookie is neither expired nor followed.
        browser.cookies.insert(format!("{SESSION}_multi-forged"), format!("{other}.forged"));
        let signed_out = app.post("/sign-out").cookies(&browser).json(&json!({})).send().await;
        assert_eq!(signed_out.status, StatusCode::OK, "{}", signed_out.text());
        for token in [&ada, &bob] {
            assert!(!session_exists(&app, token).await);
            let expired = signed_out.cookie(&multi(token)).expect("expired");
            assert!(expired.value.is_empty() && expired.attributes.contains("Max-Age=0"));
        }
        assert!(signed_out.cookie(&format!("{SESSION}_multi-forged")).is_none());
        assert!(session_exists(&app, &other).await, "another browser's session stays");
        let value: Value = app.get("/get-session").cookies(&elsewhere).send().await.json();
        assert_eq!(value["user"]["email"], "ada@example.com");
    }
}
