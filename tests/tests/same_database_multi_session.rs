//! One database, both servers running, one browser: the multi-session cookies one server
//! sets are read by the other (same secret, same cookie names), so accounts signed in at
//! either are listed, switched and revoked at either, on SQLite and PostgreSQL.

use std::collections::BTreeMap;
use std::sync::Mutex;

use keyward_server::config::MultiSessionConfig;
use keyward_tests::compat::{flows, on_same_database};
use keyward_tests::{BetterAuthServer, Database, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

const PASSWORD: &str = "correct-horse-battery";

/// A browser's cookies for both servers: one host, so a cookie either sets goes to both,
/// as a browser sends `localhost` cookies to every port.
#[derive(Default)]
struct Browser {
    http: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        let cookies = self.cookies.lock().expect("lock");
        cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn apply(&self, response: &reqwest::Response) {
        let mut cookies = self.cookies.lock().expect("lock");
        for header in response.headers().get_all("set-cookie") {
            let line = header.to_str().expect("ASCII");
            let cookie = cookie::Cookie::parse(line.to_owned()).expect("a Set-Cookie line");
            let gone = cookie.value().is_empty() || cookie.max_age().is_some_and(|age| age.is_zero());
            if gone {
                cookies.remove(cookie.name());
            } else {
                cookies.insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
    }

    /// Sends a request to `server` (its own origin as `Origin`), keeps the cookies it
    /// sets, and answers its status and JSON.
    async fn send(
        &self,
        server: &Url,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = server.join(&format!("api/auth{path}")).expect("url");
        let mut request = self
            .http
            .request(method, url)
            .header("origin", server.as_str().trim_end_matches('/'))
            .header("cookie", self.cookie_header());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        self.apply(&response);
        let status = response.status();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(&self, server: &Url, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(server, reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, server: &Url, path: &str) -> (StatusCode, Value) {
        self.send(server, reqwest::Method::GET, path, None).await
    }

    async fn sign_up(&self, server: &Url, name: &str, email: &str) {
        let body = json!({"name": name, "email": email, "password": PASSWORD});
        let (status, answer) = self.post(server, "/sign-up/email", body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }

    /// The active user's address at `server`.
    async fn active(&self, server: &Url) -> Option<String> {
        let (status, answer) = self.get(server, "/get-session").await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["user"]["email"].as_str().map(str::to_owned)
    }

    /// The device's accounts at `server`: (address, session token), by address.
    async fn accounts(&self, server: &Url) -> Vec<(String, String)> {
        let (status, answer) = self.get(server, "/multi-session/list-device-sessions").await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let mut accounts: Vec<(String, String)> = answer
            .as_array()
            .expect("a list")
            .iter()
            .map(|entry| {
                let email = entry["user"]["email"].as_str().expect("email").to_owned();
                let token = entry["session"]["token"].as_str().expect("token").to_owned();
                (email, token)
            })
            .collect();
        accounts.sort();
        accounts
    }
}

fn emails(accounts: &[(String, String)]) -> Vec<&str> {
    accounts.iter().map(|(email, _)| email.as_str()).collect()
}

/// Ada signs in at `first`, Bob at `second`; each server lists, switches and revokes
/// the other's session.
async fn one_browser(first: &Url, second: &Url, [ada, bob]: [&str; 2]) {
    let browser = Browser::default();
    browser.sign_up(first, "Ada", ada).await;
    browser.sign_up(second, "Bob", bob).await;
    assert_eq!(browser.active(first).await.as_deref(), Some(bob));
    let accounts = browser.accounts(first).await;
    assert_eq!(emails(&accounts), [ada, bob]);
    assert_eq!(browser.accounts(second).await, accounts, "both read the same cookies");

    // Switched at the first server, the second follows.
    let ada_token = accounts[0].1.clone();
    let (status, answer) = browser
        .post(first, "/multi-session/set-active", json!({"sessionToken": ada_token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["user"]["email"], ada);
    assert_eq!(browser.active(second).await.as_deref(), Some(ada));

    // Ada's (active) session revoked at the second: Bob's takes its place at both.
    let (status, answer) = browser
        .post(second, "/multi-session/revoke", json!({"sessionToken": ada_token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(browser.active(first).await.as_deref(), Some(bob));
    assert_eq!(emails(&browser.accounts(first).await), [bob]);
    let (status, answer) = browser
        .post(first, "/multi-session/set-active", json!({"sessionToken": ada_token}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(answer["code"], "INVALID_SESSION_TOKEN");

    // Sign-out at the first ends every session the cookies hold, at both.
    let (status, answer) = browser.post(first, "/sign-out", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(browser.active(second).await, None);
}

async fn both_running(database: Database) {
    let _records = on_same_database(database, &[flows::MULTI_SESSION]);
    let better_auth = BetterAuthServer::start_on(database, &["multi-session"], &[]).await;
    let url = better_auth.database_url().expect("SQL storage");
    let keyward = TestServer::start_on_database(&url, |config| {
        config.multi_session = Some(MultiSessionConfig::default());
    })
    .await;

    one_browser(&better_auth.url, &keyward.url, ["ada@example.com", "bob@example.com"]).await;
    one_browser(&keyward.url, &better_auth.url, ["cleo@example.com", "dan@example.com"]).await;
}

#[tokio::test]
async fn one_browser_switches_accounts_across_the_servers_on_sqlite() {
    both_running(Database::Sqlite).await;
}

#[tokio::test]
async fn one_browser_switches_accounts_across_the_servers_on_postgres() {
    both_running(Database::Postgres).await;
}
