//! The `keyward-server` binary: zero-configuration start, `migrate`, `secret`, and options
//! switched on by environment variables.

use crate::common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::{Instance, PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_keyward-server"));
    for (name, _) in std::env::vars() {
        if name.starts_with("BETTER_AUTH") || name == "DATABASE_URL" || name == "PORT" || name.starts_with("KEYWARD_") {
            command.env_remove(name);
        }
    }
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("binds")
        .local_addr()
        .expect("addr")
        .port()
}

#[test]
fn secret_prints_64_hex_characters() {
    let output = binary().arg("secret").output().expect("runs");
    assert!(output.status.success());
    let secret = String::from_utf8(output.stdout).expect("utf8");
    let secret = secret.trim();
    assert_eq!(secret.len(), 64);
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn serve_starts_with_no_configuration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut child = binary()
        .current_dir(dir.path())
        .env("PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let started = Instant::now();
    let mut answered = false;
    while started.elapsed() < Duration::from_secs(20) {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream
                .write_all(b"GET /api/auth/ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .expect("writes");
            let mut response = String::new();
            let _ = stream.read_to_string(&mut response);
            answered = response.starts_with("HTTP/1.1 200") && response.ends_with(r#"{"ok":true}"#);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("exits");
    let log = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    assert!(answered, "GET /api/auth/ok answered; log:\n{log}");
    assert!(
        dir.path().join("keyward.db").exists(),
        "SQLite file created in the working directory"
    );
    assert!(
        log.contains("DEVELOPMENT"),
        "a loud warning about the development secret:\n{log}"
    );
}

#[test]
fn migrate_creates_the_schema_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let first = binary()
        .env("DATABASE_URL", &url)
        .arg("migrate")
        .output()
        .expect("runs");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let text = String::from_utf8_lossy(&first.stdout);
    for table in ["user", "session", "account", "verification"] {
        assert!(text.contains(&format!("created table {table}")), "{text}");
    }
    let second = binary()
        .env("DATABASE_URL", &url)
        .arg("migrate")
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&second.stdout).contains("database is up to date"));
    let plugin = binary()
        .env("DATABASE_URL", &url)
        .env("KEYWARD_PLUGINS", "two-factor")
        .arg("migrate")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&plugin.stdout);
    assert!(text.contains("created table twoFactor"), "{text}");
    assert!(text.contains("user.twoFactorEnabled"), "{text}");
}

#[test]
fn bad_configuration_is_reported_clearly() {
    let weak = binary()
        .env("BETTER_AUTH_SECRET", "short")
        .arg("migrate")
        .output()
        .expect("runs");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 32 characters"));
    let database = binary()
        .env("DATABASE_URL", "mysql://nope")
        .arg("migrate")
        .output()
        .expect("runs");
    assert!(!database.status.success());
    assert!(String::from_utf8_lossy(&database.stderr).contains("unsupported DATABASE_URL"));
    let plugin = binary()
        .env("KEYWARD_PLUGINS", "two-factor,telepathy")
        .arg("migrate")
        .output()
        .expect("runs");
    assert!(!plugin.status.success());
    assert!(String::from_utf8_lossy(&plugin.stderr).contains("unknown plugin `telepathy`"));
}

/// One HTTP/1.1 GET on a fresh connection; the whole response as text.
fn http_get(port: u16, path: &str) -> String {
    http_get_with(port, path, "")
}

/// `GET path` with `headers` (each line ending in `\r\n`); the answer, its body lossily
/// as text.
fn http_get_with(port: u16, path: &str, headers: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("writes");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn serves_a_web_app_next_to_the_api() {
    let data = tempfile::tempdir().expect("tempdir");
    let site = tempfile::tempdir().expect("tempdir");
    std::fs::write(site.path().join("index.html"), "<!doctype html><title>demo</title>").expect("writes");
    std::fs::write(site.path().join("app.js"), "console.log('demo')").expect("writes");
    // A release build's gzip -9 beside the file (marked so the test sees which was sent).
    std::fs::write(site.path().join("app.js.gz"), "the precompressed app.js").expect("writes");
    std::fs::write(site.path().join("style.css"), "body { margin: 0 }\n".repeat(200)).expect("writes");
    let port = free_port();
    let mut child = binary()
        .current_dir(data.path())
        .env("PORT", port.to_string())
        .env("KEYWARD_STATIC_DIR", site.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let index = http_get(port, "/");
    let script = http_get(port, "/app.js");
    let deep_link = http_get(port, "/settings/profile");
    let api_miss = http_get(port, "/api/auth/no-such-endpoint");
    let gzip = "Accept-Encoding: gzip\r\n";
    let precompressed = http_get_with(port, "/app.js", gzip);
    let compressed = http_get_with(port, "/style.css", gzip);
    let plain = http_get(port, "/style.css");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        index.starts_with("HTTP/1.1 200") && index.contains("<title>demo</title>"),
        "{index}"
    );
    assert!(
        script.contains("text/javascript") && script.ends_with("console.log('demo')"),
        "{script}"
    );
    assert!(
        deep_link.starts_with("HTTP/1.1 200") && deep_link.contains("<title>demo</title>"),
        "{deep_link}"
    );
    assert!(
        api_miss.starts_with("HTTP/1.1 404") && !api_miss.contains("<title>"),
        "{api_miss}"
    );
    let lower = |answer: &str| answer.to_ascii_lowercase();
    assert!(
        lower(&precompressed).contains("content-encoding: gzip") && precompressed.ends_with("the precompressed app.js"),
        "a file's .gz is sent to a browser that takes gzip: {precompressed}"
    );
    assert!(
        lower(&compressed).contains("content-encoding: gzip") && !compressed.contains("margin"),
        "other files are gzipped as they are sent: {compressed}"
    );
    assert!(
        !lower(&plain).contains("content-encoding") && plain.ends_with("body { margin: 0 }\n"),
        "and sent as they are to one that does not: {plain}"
    );

    let empty = tempfile::tempdir().expect("tempdir");
    let refused = binary()
        .current_dir(data.path())
        .env("PORT", free_port().to_string())
        .env("KEYWARD_STATIC_DIR", empty.path())
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("there is no index.html"));
}

/// `POST {path}` with a JSON body, the session cookie (if any) and the server's own Origin;
/// the status and the JSON answer (`Null` when the body is empty).
async fn post(instance: &Instance, cookie: Option<&str>, path: &str, body: Value) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/auth{path}", instance.url))
        .header("origin", &instance.url)
        .json(&body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("answers");
    let status = response.status();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Signs in; the session cookie.
async fn sign_in(instance: &Instance, email: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/api/auth/sign-in/email", instance.url))
        .header("origin", &instance.url)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK, "sign-in of {email}");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("better-auth.session_token="))
        .and_then(|value| value.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

#[tokio::test]
async fn change_email_and_delete_user_are_switched_on_by_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = format!("sqlite://{}", dir.path().join("switches.db").display());
    let outbox = dir.path().join("outbox.jsonl");

    let default = Instance::start(&database, &[]).await;
    let (status, _) = post(
        &default,
        None,
        "/sign-up/email",
        json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let cookie = sign_in(&default, "ada@example.com").await;
    let (status, body) = post(
        &default,
        Some(&cookie),
        "/change-email",
        json!({"newEmail": "ada@new.example"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("CHANGE_EMAIL_DISABLED")),
        "off by default: {body}"
    );
    let (status, _) = post(&default, Some(&cookie), "/delete-user", json!({"password": PASSWORD})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "off by default");
    drop(default);

    let outbox_path = outbox.display().to_string();
    let switched = Instance::start(
        &database,
        &[
            ("KEYWARD_USER_CHANGE_EMAIL", "on"),
            ("KEYWARD_USER_CHANGE_EMAIL_WITHOUT_VERIFICATION", "on"),
            ("KEYWARD_USER_DELETE_USER", "on"),
            ("KEYWARD_USER_DELETE_USER_VERIFICATION", "on"),
            ("KEYWARD_OUTBOX", &outbox_path),
        ],
    )
    .await;
    let cookie = sign_in(&switched, "ada@example.com").await;
    let (status, body) = post(
        &switched,
        Some(&cookie),
        "/change-email",
        json!({"newEmail": "ada@new.example"}),
    )
    .await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({"status": true})));
    let session: Value = reqwest::Client::new()
        .get(format!("{}/api/auth/get-session", switched.url))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    assert_eq!(
        session["user"]["email"], "ada@new.example",
        "changed at once: unverified"
    );

    let cookie = sign_in(&switched, "ada@new.example").await;
    let (status, body) = post(&switched, Some(&cookie), "/delete-user", json!({})).await;
    assert_eq!(
        (status, &body),
        (
            StatusCode::OK,
            &json!({"success": true, "message": "Verification email sent"})
        )
    );
    let emails = std::fs::read_to_string(&outbox).expect("the outbox was written");
    let link = emails
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
        .find(|email| email["kind"] == "delete-account" && email["to"] == "ada@new.example")
        .and_then(|email| email["url"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("a deletion link was emailed: {emails}"));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let confirmed = no_redirects
        .get(&link)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        confirmed.status(),
        StatusCode::FOUND,
        "the link deletes, then goes to its callback"
    );
    let refused = reqwest::Client::new()
        .post(format!("{}/api/auth/sign-in/email", switched.url))
        .header("origin", &switched.url)
        .json(&json!({"email": "ada@new.example", "password": PASSWORD}))
        .send()
        .await
        .expect("answers");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "the user is gone");
}

#[test]
fn a_plugin_variable_without_its_plugin_stops_the_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = binary()
        .current_dir(dir.path())
        .env("KEYWARD_ORGANIZATION_TEAMS", "on")
        .arg("migrate")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("KEYWARD_ORGANIZATION_TEAMS") && stderr.contains("KEYWARD_PLUGINS"),
        "{stderr}"
    );
}
