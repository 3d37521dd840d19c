//! The last-login-method plugin against Keyward and the real better-auth: the same
//! requests to both (the cookie, its attributes, the `lastLoginMethod` column in the
//! answers), the Rust client reading it from either, Keyward's own options, and one
//! database shared by both servers (SQLite and PostgreSQL).

use keyward_client::AuthClient;
use keyward_server::config::LastLoginMethodConfig;
use keyward_tests::compat::{Direction, flows, on_same_database, record};
use keyward_tests::{BetterAuthServer, Database, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

const PASSWORD: &str = "correct-horse-battery";
const COOKIE: &str = "better-auth.last_used_login_method";

/// The `Set-Cookie` of `name`, its attributes sorted (`None` when the answer sets none).
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(|value| {
            let mut parts: Vec<&str> = value.split(';').map(str::trim).collect();
            let pair = parts.remove(0);
            parts.sort_unstable();
            std::iter::once(pair).chain(parts).collect::<Vec<_>>().join("; ")
        })
}

/// What one step showed: its status, the method's cookie, the answer's `lastLoginMethod`.
type Step = (&'static str, u16, Option<String>, Value);

/// A step's status, cookie and `user.lastLoginMethod`, and the bearer token it set.
async fn observe(name: &'static str, response: reqwest::Response) -> (Step, Option<String>) {
    let status = response.status().as_u16();
    let cookie = set_cookie(&response, COOKIE);
    let token = response
        .headers()
        .get("set-auth-token")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    ((name, status, cookie, body["user"]["lastLoginMethod"].clone()), token)
}

/// Sign-up, a wrong password, sign-in, get-session and sign-out at `base`.
async fn walk(base: &Url, email: &str) -> Vec<Step> {
    let http = reqwest::Client::new();
    let origin = base.origin().ascii_serialization();
    let url = |path: &str| base.join(&format!("api/auth{path}")).expect("URL");
    let post = |path: &str, body: Value| http.post(url(path)).header("origin", &origin).json(&body).send();
    let mut steps = Vec::new();
    let sign_up = post(
        "/sign-up/email",
        json!({"name": "Ada", "email": email, "password": PASSWORD}),
    );
    steps.push(observe("sign-up", sign_up.await.expect("answers")).await.0);
    let wrong = post(
        "/sign-in/email",
        json!({"email": email, "password": "wrong-password-1"}),
    );
    steps.push(observe("wrong password", wrong.await.expect("answers")).await.0);
    let sign_in = post("/sign-in/email", json!({"email": email, "password": PASSWORD}));
    let (step, token) = observe("sign-in", sign_in.await.expect("answers")).await;
    steps.push(step);
    let token = token.expect("a bearer token");
    let session = http.get(url("/get-session")).bearer_auth(&token).send();
    steps.push(observe("get-session", session.await.expect("answers")).await.0);
    let sign_out = http
        .post(url("/sign-out"))
        .header("origin", &origin)
        .bearer_auth(&token)
        .send();
    steps.push(observe("sign-out", sign_out.await.expect("answers")).await.0);
    steps
}

fn keyward_like_better_auth(store_in_database: bool) -> impl FnOnce(&mut keyward_server::Config) {
    move |config| {
        config.last_login_method = Some(LastLoginMethodConfig::default().store_in_database(store_in_database));
    }
}

async fn both_answer_alike(store_in_database: bool) {
    let env: &[(&str, &str)] = if store_in_database {
        &[("LAST_LOGIN_METHOD_STORE_IN_DATABASE", "1")]
    } else {
        &[]
    };
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["last-login-method"], env).await;
    let keyward = TestServer::start_with(Database::Sqlite, keyward_like_better_auth(store_in_database)).await;
    let theirs = walk(&better_auth.url, "ada@example.com").await;
    let ours = walk(&keyward.url, "ada@example.com").await;
    assert_eq!(ours, theirs, "Keyward answers as better-auth does");

    let cookie = Some(format!("{COOKIE}=email; Max-Age=2592000; Path=/; SameSite=Lax"));
    let stored = if store_in_database { json!("email") } else { Value::Null };
    assert_eq!(
        ours,
        vec![
            ("sign-up", 200, cookie.clone(), stored.clone()),
            ("wrong password", 401, None, Value::Null),
            ("sign-in", 200, cookie, stored.clone()),
            ("get-session", 200, None, stored),
            ("sign-out", 200, None, Value::Null),
        ]
    );
}

#[tokio::test]
async fn the_cookie_is_set_as_better_auth_sets_it() {
    both_answer_alike(false).await;
}

#[tokio::test]
async fn stored_in_the_database_the_answers_show_it_as_better_auths_do() {
    both_answer_alike(true).await;
}

/// The Rust client reads the method at `url`, keeps it across a sign-out, and clears it.
async fn the_client_reads_it(url: &Url) {
    let client = AuthClient::builder(url.clone()).build().expect("client");
    assert_eq!(client.last_login_method().get(), None);
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    assert_eq!(client.last_login_method().get().as_deref(), Some("email"));
    assert!(client.last_login_method().is("email"));
    assert!(!client.last_login_method().is("github"));
    client.sign_out().await.expect("signs out");
    assert!(
        client.last_login_method().is("email"),
        "a sign-out keeps it, as in a browser"
    );
    client.last_login_method().clear();
    assert_eq!(client.last_login_method().get(), None);
    assert_eq!(
        client.last_login_method().cookie_name("other.cookie").get(),
        None,
        "another name is another cookie"
    );
}

#[tokio::test]
async fn the_rust_client_reads_it_from_either_server() {
    let _record = record(flows::LAST_LOGIN_METHOD, Direction::RustClientAgainstBetterAuth);
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["last-login-method"], &[]).await;
    the_client_reads_it(&better_auth.url).await;
    let keyward = TestServer::start_with(Database::Sqlite, keyward_like_better_auth(false)).await;
    the_client_reads_it(&keyward.url).await;
}

#[tokio::test]
async fn keywards_options_name_the_cookie_resolve_methods_and_may_refuse_the_cookie() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.last_login_method = Some(
            LastLoginMethodConfig::default()
                .cookie_name("app.last_method")
                .max_age(std::time::Duration::from_secs(60))
                .store_in_database(true)
                .resolve_method(|request: &keyward_server::hooks::EndpointRequest| {
                    (request.path() == "/sign-up/email").then(|| "password".to_owned())
                })
                .before_store_cookie(|request: &keyward_server::hooks::EndpointRequest, _method: &str| {
                    request.headers().get("x-no-tracking").is_none()
                }),
        );
    })
    .await;
    let http = reqwest::Client::new();
    let base = &keyward.url;
    let origin = base.origin().ascii_serialization();
    let sign_up = http
        .post(base.join("api/auth/sign-up/email").expect("URL"))
        .header("origin", &origin)
        .json(&json!({"name": "Bea", "email": "bea@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("answers");
    assert_eq!(sign_up.status(), StatusCode::OK);
    assert_eq!(
        set_cookie(&sign_up, "app.last_method").as_deref(),
        Some("app.last_method=password; Max-Age=60; Path=/; SameSite=Lax"),
        "the resolver names the sign-up"
    );
    assert_eq!(set_cookie(&sign_up, COOKIE), None);
    let body: Value = sign_up.json().await.expect("JSON");
    assert_eq!(body["user"]["lastLoginMethod"], "password");

    // The cookie is refused; the column still records the sign-in.
    let sign_in = http
        .post(base.join("api/auth/sign-in/email").expect("URL"))
        .header("origin", &origin)
        .header("x-no-tracking", "1")
        .json(&json!({"email": "bea@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("answers");
    assert_eq!(sign_in.status(), StatusCode::OK);
    assert_eq!(set_cookie(&sign_in, "app.last_method"), None);
    let body: Value = sign_in.json().await.expect("JSON");
    assert_eq!(
        body["user"]["lastLoginMethod"], "email",
        "the built-in rule names the sign-in"
    );
}

/// better-auth's rows at Keyward and Keyward's at better-auth, on one database.
async fn one_database(database: Database) {
    let _records = on_same_database(database, &[flows::LAST_LOGIN_METHOD]);
    let better_auth = BetterAuthServer::start_on(
        database,
        &["last-login-method"],
        &[("LAST_LOGIN_METHOD_STORE_IN_DATABASE", "1")],
    )
    .await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, keyward_like_better_auth(true)).await;
    for (maker, reader) in [(&better_auth.url, &keyward.url), (&keyward.url, &better_auth.url)] {
        let email = format!("user-{}@example.com", maker.port().unwrap_or_default());
        let made = AuthClient::builder(maker.clone()).build().expect("client");
        made.sign_up()
            .email("Cy", email.as_str(), PASSWORD)
            .await
            .expect("signs up");
        let read = AuthClient::builder(reader.clone()).build().expect("client");
        let signed_in = read
            .sign_in()
            .email(email.as_str(), PASSWORD)
            .await
            .expect("signs in")
            .into_signed_in()
            .expect("no second factor");
        assert_eq!(signed_in.user.additional["lastLoginMethod"], "email", "at {reader}");
        let session = made.get_session().await.expect("asks").expect("signed in");
        assert_eq!(session.user.additional["lastLoginMethod"], "email", "at {maker}");
    }
}

#[tokio::test]
async fn one_database_serves_both_servers_on_sqlite() {
    one_database(Database::Sqlite).await;
}

#[tokio::test]
async fn one_database_serves_both_servers_on_postgres() {
    one_database(Database::Postgres).await;
}
