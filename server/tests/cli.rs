//! The `keyward-server` binary: zero-configuration start, `migrate`, `secret`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
