//! Using Keyward inside an application: extractors and the server-side API.

use crate::common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get;
use common::{Backend, TestApp};
use http_body_util::BodyExt;
use keyward_server::wire::{ErrorCode, Password, SignInEmailRequest, SignUpEmailRequest};
use keyward_server::{Auth, OptionalSession, Session};
use tower::ServiceExt;

async fn me(Session(data): Session) -> String {
    data.user.name
}

async fn maybe(OptionalSession(data): OptionalSession) -> String {
    data.map(|d| d.user.email).unwrap_or_else(|| "anonymous".into())
}

async fn call(app: &Router, path: &str, bearer: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::builder().uri(path);
    if let Some(token) = bearer {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("answers");
    let status = response.status();
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn sign_up_request(email: &str) -> SignUpEmailRequest {
    serde_json::from_value(serde_json::json!({"name": "Ada", "email": email, "password": "correct-horse"}))
        .expect("request")
}

#[tokio::test]
async fn extractors_protect_application_routes() {
    let test = TestApp::new(Backend::Sqlite).await;
    let auth: Auth = test.auth.clone();
    let app = Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .with_state(auth.clone())
        .merge(auth.router());
    let created = auth
        .api()
        .sign_up_email(sign_up_request("ada@example.com"))
        .await
        .expect("signs up");
    let token = created.token.expect("a session").expose().to_owned();

    assert_eq!(
        call(&app, "/me", Some(&token)).await,
        (StatusCode::OK, "Ada".to_owned())
    );
    let (status, body) = call(&app, "/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("UNAUTHORIZED"));
    assert_eq!(call(&app, "/maybe", None).await.1, "anonymous");
    assert_eq!(call(&app, "/maybe", Some(&token)).await.1, "ada@example.com");
    assert_eq!(
        call(&app, "/api/auth/ok", None).await.0,
        StatusCode::OK,
        "auth routes are mounted too"
    );
}

#[tokio::test]
async fn server_side_api() {
    let test = TestApp::new(Backend::Sqlite).await;
    let api = test.auth.api();
    let created = api
        .sign_up_email(sign_up_request("ada@example.com"))
        .await
        .expect("signs up");
    let duplicate = api
        .sign_up_email(sign_up_request("ADA@example.com"))
        .await
        .expect_err("duplicate");
    assert_eq!(duplicate.code(), Some(&ErrorCode::UserAlreadyExistsUseAnotherEmail));
    let signed_in = api
        .sign_in_email(
            serde_json::from_value::<SignInEmailRequest>(
                serde_json::json!({"email": "ada@example.com", "password": "correct-horse"}),
            )
            .expect("request"),
        )
        .await
        .expect("signs in");
    let signed_in = signed_in.signed_in().expect("no second factor").clone();
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {}", signed_in.token.expose()).parse().expect("header"),
    );
    let session = api.get_session(&headers).await.expect("lookup").expect("signed in");
    assert_eq!(session.user.id, created.user.id);
    assert_eq!(api.list_user_sessions(&created.user.id).await.expect("list").len(), 2);
    assert!(api.find_user_by_email("Ada@Example.com").await.expect("find").is_some());

    // setPassword is server-only: it refuses users who already have one...
    let refused = api
        .set_password(&headers, &Password::new("another-password"))
        .await
        .expect_err("has one");
    assert_eq!(refused.code(), Some(&ErrorCode::PasswordAlreadySet));
    // ...and gives one to a user who signed up through a provider.
    let now = chrono::Utc::now();
    test.sql(
        r#"insert into "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6)"#,
        keyward_server::args!["oauth-user", "Olga", "olga@example.com", true, now, now],
    )
    .await;
    test.sql(
        r#"insert into "session" ("id", "token", "userId", "expiresAt", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6)"#,
        keyward_server::args!["s1", "olgasessiontoken0123456789abcdef", "oauth-user", now + chrono::Duration::days(1), now, now],
    )
    .await;
    let mut olga = HeaderMap::new();
    olga.insert(
        "authorization",
        "Bearer olgasessiontoken0123456789abcdef".parse().expect("header"),
    );
    api.set_password(&olga, &Password::new("olga-password-1"))
        .await
        .expect("sets");
    let olga_in = api
        .sign_in_email(
            serde_json::from_value(serde_json::json!({"email": "olga@example.com", "password": "olga-password-1"}))
                .expect("request"),
        )
        .await;
    assert!(olga_in.is_ok());

    assert_eq!(api.revoke_user_sessions(&created.user.id).await.expect("revokes"), 2);
    assert!(api.get_session(&headers).await.expect("lookup").is_none());
    assert_eq!(HeaderMap::new().len(), 0);
}
