//! Endpoint hooks reading and setting cookies: an `after` hook on sign-in leaves a signed
//! cookie and a plain one, a hook on get-session reads them back (a forged signature
//! reads as absent), and one on sign-out deletes them. And the session an endpoint
//! started, as an `after` hook sees it.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{Backend, Client, TestApp};
use keyward_server::ApiResult;
use keyward_server::hooks::{EndpointHook, EndpointMatcher, EndpointRequest, EndpointResponse};

/// Remembers how the user last signed in, as better-auth's `last-login-method` plugin does.
struct LastMethod;

const KEY: &str = "last_method";

#[async_trait::async_trait]
impl EndpointHook for LastMethod {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let name = response.cookie_name(KEY);
        match request.path() {
            "/sign-in/email" if response.status() == StatusCode::OK => {
                response.set_signed_cookie(&name, "email", Some(Duration::from_secs(3600)));
                response.set_cookie("greeting", "hello world", None);
            }
            "/get-session" => {
                let seen = request.signed_cookie(&name).unwrap_or_else(|| "none".into());
                response
                    .headers_mut()
                    .insert("x-last-method", seen.parse().expect("header value"));
                let greeting = request.cookie("greeting").unwrap_or_default();
                if let Some(serde_json::Value::Object(body)) = response.json_mut() {
                    body.insert("greeting".into(), greeting.into());
                }
            }
            "/sign-out" => response.expire_cookie(&name),
            _ => {}
        }
        Ok(())
    }
}

/// Ada's email sign-in with `password`, from the app's origin.
async fn sign_in(app: &TestApp, password: &str) -> crate::common::TestResponse {
    app.post("/sign-in/email")
        .origin()
        .json(&json!({"email": "ada@example.com", "password": password}))
        .send()
        .await
}

#[tokio::test]
async fn endpoint_hooks_read_set_and_delete_cookies() {
    let app = TestApp::with_builder(
        Backend::Sqlite,
        |_| {},
        |builder| {
            builder
                .endpoint_hook(EndpointMatcher::post("/sign-in/email"), LastMethod)
                .endpoint_hook(EndpointMatcher::get("/get-session"), LastMethod)
                .endpoint_hook(EndpointMatcher::post("/sign-out"), LastMethod)
        },
    )
    .await;
    app.sign_up("Ada", "ada@example.com", "correct-horse-battery").await;

    let wrong = sign_in(&app, "wrong-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.set_cookies().is_empty(), "{:?}", wrong.set_cookies());

    let signed_in = sign_in(&app, "correct-horse-battery").await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text());
    let cookies = signed_in.set_cookies();
    let names: Vec<&str> = cookies.iter().map(|cookie| cookie.name.as_str()).collect();
    assert!(names.contains(&"better-auth.session_token"), "{names:?}");
    let last = cookies
        .iter()
        .find(|cookie| cookie.name == "better-auth.last_method")
        .expect("the hook's signed cookie");
    assert!(last.value.starts_with("email."), "signed: {}", last.value);
    assert!(last.attributes.contains("Max-Age=3600"), "{}", last.attributes);
    assert!(last.attributes.contains("HttpOnly"), "{}", last.attributes);
    let greeting = cookies.iter().find(|cookie| cookie.name == "greeting").expect("plain");
    assert_eq!(greeting.value, "hello%20world");
    assert!(
        signed_in.header("set-auth-token").is_some(),
        "the endpoint's own output stays"
    );

    let mut ada = Client::default();
    ada.store(&signed_in);
    let session = app.get("/get-session").cookies(&ada).send().await;
    assert_eq!(session.header("x-last-method").as_deref(), Some("email"));
    assert_eq!(session.json()["greeting"], "hello world");
    assert_eq!(session.json()["user"]["email"], "ada@example.com");

    let mut forged = ada.clone();
    let value = forged.cookies["better-auth.last_method"].replacen("email", "github", 1);
    forged.cookies.insert("better-auth.last_method".into(), value);
    let session = app.get("/get-session").cookies(&forged).send().await;
    assert_eq!(session.header("x-last-method").as_deref(), Some("none"));

    let signed_out = app
        .post("/sign-out")
        .origin()
        .cookies(&ada)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(signed_out.status, StatusCode::OK, "{}", signed_out.text());
    let deleted = signed_out
        .set_cookies()
        .into_iter()
        .find(|cookie| cookie.name == "better-auth.last_method")
        .expect("deleted");
    assert!(deleted.attributes.contains("Max-Age=0"), "{}", deleted.attributes);
    ada.store(&signed_out);
    let session = app.get("/get-session").cookies(&ada).send().await;
    assert_eq!(session.header("x-last-method").as_deref(), Some("none"));
}

/// Each hooked route, with the email of the user whose session it started.
type Started = Vec<(String, Option<String>)>;

/// Records, for every endpoint, the user of the session it started (if any).
#[derive(Clone, Default)]
struct NewSessions(std::sync::Arc<std::sync::Mutex<Started>>);

#[async_trait::async_trait]
impl EndpointHook for NewSessions {
    async fn after(&self, request: &mut EndpointRequest, response: &mut EndpointResponse) -> ApiResult<()> {
        let started = response.new_session().await?;
        let email = started.map(|data| data.user.email);
        self.0
            .lock()
            .expect("not poisoned")
            .push((request.path().to_owned(), email));
        Ok(())
    }
}

#[tokio::test]
async fn an_after_hook_sees_the_session_an_endpoint_started() {
    let seen = NewSessions::default();
    let hook = seen.clone();
    let app = TestApp::with_builder(
        Backend::Sqlite,
        |_| {},
        |builder| builder.endpoint_hook(EndpointMatcher::any("*"), hook),
    )
    .await;
    let client = app.sign_up("Ada", "ada@example.com", "correct-horse-battery").await;
    let wrong = sign_in(&app, "wrong-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let session = app.get("/get-session").cookies(&client).send().await;
    assert_eq!(session.status, StatusCode::OK);
    let signed_out = app
        .post("/sign-out")
        .origin()
        .cookies(&client)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(signed_out.status, StatusCode::OK);
    let seen = seen.0.lock().expect("not poisoned").clone();
    let ada = Some("ada@example.com".to_owned());
    assert_eq!(
        seen,
        vec![
            ("/sign-up/email".to_owned(), ada),
            ("/sign-in/email".to_owned(), None),
            ("/get-session".to_owned(), None),
            ("/sign-out".to_owned(), None),
        ]
    );
}
