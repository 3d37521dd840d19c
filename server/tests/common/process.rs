//! `keyward-server` processes for the tests that need real processes (faults, several
//! instances): started with a database, killed when dropped, and small HTTP helpers.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

pub const SECRET: &str = "keyward-fault-secret-0123456789abcdefghijklmnop";
pub const PASSWORD: &str = "password-123";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("binds")
        .local_addr()
        .expect("addr")
        .port()
}

/// A `keyward-server` process, killed when dropped.
pub struct Instance {
    child: Child,
    pub url: String,
}

impl Instance {
    /// Starts the binary on `database_url` with `extra` environment and waits (≤ 30 s)
    /// until it answers.
    pub async fn start(database_url: &str, extra: &[(&str, &str)]) -> Self {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_keyward-server"));
        for (name, _) in std::env::vars() {
            if name.starts_with("BETTER_AUTH")
                || name.starts_with("KEYWARD_")
                || name == "DATABASE_URL"
                || name == "REDIS_URL"
            {
                command.env_remove(name);
            }
        }
        command
            .env("PORT", port.to_string())
            .env("BETTER_AUTH_URL", &url)
            .env("BETTER_AUTH_SECRET", SECRET)
            .env("DATABASE_URL", database_url)
            .env("KEYWARD_RATE_LIMIT", "off")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (name, value) in extra {
            command.env(name, value);
        }
        let child = command.spawn().expect("starts keyward-server");
        let instance = Instance { child, url };
        let started = Instant::now();
        let http = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(response) = http.get(format!("{}/api/auth/ok", instance.url)).send().await
                && response.status() == StatusCode::OK
            {
                return instance;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("keyward-server did not answer within 30 s");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// kill -9.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM.
    pub fn signal_terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
    }

    /// Sends SIGTERM and waits (≤ 30 s) for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        self.signal_terminate();
        self.wait_for_exit()
    }

    /// Waits (≤ 30 s) for the process to exit.
    pub fn wait_for_exit(&mut self) -> std::process::ExitStatus {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Some(status) = self.child.try_wait().expect("waits") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no exit within 30 s of SIGTERM");
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a sign-up got: the session cookie on success.
pub enum SignUp {
    Created(String),
    /// 422 USER_ALREADY_EXISTS: an earlier attempt (whose answer was lost) made the user.
    Exists,
    /// No answer (the connection died), or a 5xx.
    Failed,
}

pub async fn sign_up(http: &reqwest::Client, base: &str, email: &str) -> SignUp {
    let response = http
        .post(format!("{base}/api/auth/sign-up/email"))
        .json(&json!({"name": "Load", "email": email, "password": PASSWORD}))
        .send()
        .await;
    let Ok(response) = response else {
        return SignUp::Failed;
    };
    match response.status() {
        StatusCode::OK => {
            let cookie = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .find(|value| value.starts_with("better-auth.session_token="))
                .and_then(|value| value.split(';').next())
                .map(str::to_owned)
                .expect("a session cookie");
            SignUp::Created(cookie)
        }
        StatusCode::UNPROCESSABLE_ENTITY => SignUp::Exists,
        status if status.is_server_error() => SignUp::Failed,
        status => panic!("sign-up of {email}: unexpected {status}"),
    }
}

pub async fn sign_in_status(http: &reqwest::Client, base: &str, email: &str) -> StatusCode {
    http.post(format!("{base}/api/auth/sign-in/email"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("answers")
        .status()
}

pub async fn session_email(http: &reqwest::Client, base: &str, cookie: &str) -> Option<String> {
    let response = http
        .get(format!("{base}/api/auth/get-session"))
        .header("cookie", cookie)
        .send()
        .await
        .ok()?;
    let body: serde_json::Value = response.json().await.ok()?;
    body["user"]["email"].as_str().map(str::to_owned)
}
