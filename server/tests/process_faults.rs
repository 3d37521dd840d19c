//! The `keyward-server` process under faults: SIGTERM while requests are in flight, kill -9
//! while it writes to SQLite, and kill -9 of one of two instances on PostgreSQL + Redis
//! while clients keep working. Every test bounds its waits and stops what it started.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::{Instance, SignUp, session_email, sign_in_status, sign_up};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A sign-up whose headers have reached the handler (the server asked for the body with
/// `100 Continue`, which it does only once the handler reads it) and whose body is held
/// back: a request certainly in flight.
struct HeldSignUp {
    stream: tokio::net::TcpStream,
    body: Vec<u8>,
}

impl HeldSignUp {
    async fn start(address: &str, email: &str) -> Self {
        let body = serde_json::to_vec(&serde_json::json!({
            "name": "Drain", "email": email, "password": common::process::PASSWORD
        }))
        .expect("json");
        let mut stream = tokio::net::TcpStream::connect(address).await.expect("connects");
        let head = format!(
            "POST /api/auth/sign-up/email HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.expect("sends the head");
        let interim = tokio::time::timeout(Duration::from_secs(10), read_head(&mut stream))
            .await
            .expect("the server asks for the body");
        assert!(interim.starts_with("HTTP/1.1 100 Continue"), "{interim}");
        HeldSignUp { stream, body }
    }

    /// Sends the body and reads the answer's status line.
    async fn finish(mut self) -> String {
        self.stream.write_all(&self.body).await.expect("sends the body");
        let head = tokio::time::timeout(Duration::from_secs(30), read_head(&mut self.stream))
            .await
            .expect("answers");
        head.lines().next().unwrap_or_default().to_owned()
    }
}

/// Reads up to the blank line that ends a response head.
async fn read_head(stream: &mut tokio::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let read = stream.read(&mut byte).await.expect("reads");
        assert_eq!(
            read,
            1,
            "the connection closed mid-answer: {}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("drain.db").display());
    // Hashing one at a time, the sign-ups are still queued for the hasher after SIGTERM.
    let mut instance = Instance::start(&url, &[("KEYWARD_HASH_CONCURRENCY", "1")]).await;
    let address = instance.url.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for i in 0..6 {
        held.push(HeldSignUp::start(&address, &format!("drain{i}@example.com")).await);
    }
    instance.signal_terminate();
    // Shutdown has begun once the listener is gone.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(&address).await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "still accepting 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let finishing: Vec<_> = held.into_iter().map(|sign_up| tokio::spawn(sign_up.finish())).collect();
    let mut answers = Vec::new();
    for answer in finishing {
        answers.push(answer.await.expect("joins"));
    }
    assert_eq!(
        answers,
        vec!["HTTP/1.1 200 OK"; 6],
        "every sign-up in flight when SIGTERM came finished"
    );
    let status = tokio::task::spawn_blocking(move || instance.wait_for_exit())
        .await
        .expect("joins");
    assert!(status.success(), "a clean exit after SIGTERM: {status}");
    let db = keyward_server::db::Db::connect(&url).await.expect("opens the file");
    let mut exec = db.clone();
    use keyward_server::db::Exec;
    let rows = exec
        .fetch_all(r#"select count(*) as "n" from "user""#, vec![])
        .await
        .expect("counts");
    assert_eq!(rows[0].int("n").expect("n"), 6, "the six users were stored");
    db.close().await;
}

#[tokio::test]
async fn sqlite_survives_kill_9_during_writes_without_losing_an_acknowledged_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    let mut instance = Instance::start(&url, &[]).await;
    let http = reqwest::Client::new();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            let (http, base, acknowledged) = (http.clone(), instance.url.clone(), acknowledged.clone());
            tokio::spawn(async move {
                for i in 0.. {
                    let email = format!("w{worker}-{i}@example.com");
                    match sign_up(&http, &base, &email).await {
                        SignUp::Created(_) => acknowledged.lock().expect("lock").push(email),
                        SignUp::Exists => panic!("{email} existed before it was signed up"),
                        SignUp::Failed => return,
                    }
                }
            })
        })
        .collect();
    // The kill comes once sixteen sign-ups were acknowledged: writes are under way.
    wait_for(|| acknowledged.lock().expect("lock").len() >= 16, "sixteen sign-ups").await;
    instance.kill();
    for worker in workers {
        tokio::time::timeout(Duration::from_secs(10), worker)
            .await
            .expect("workers stop once the server is gone")
            .expect("joins");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        !acknowledged.is_empty(),
        "some sign-ups were acknowledged before the kill"
    );
    println!("{} sign-ups acknowledged before kill -9", acknowledged.len());

    let db = keyward_server::db::Db::connect(&url).await.expect("opens the file");
    let mut exec = db.clone();
    use keyward_server::db::Exec;
    let check = exec.fetch_all("pragma integrity_check", vec![]).await.expect("checks");
    assert_eq!(check[0].text("integrity_check").expect("text"), "ok");
    for email in &acknowledged {
        let rows = exec
            .fetch_all(
                r#"select count(*) as "n" from "user" u join "account" a on a."userId" = u."id" where u."email" = $1"#,
                keyward_server::args![email.clone()],
            )
            .await
            .expect("counts");
        assert_eq!(
            rows[0].int("n").expect("n"),
            1,
            "{email} was acknowledged, so it is there once"
        );
    }
    db.close().await;

    let restarted = Instance::start(&url, &[]).await;
    for email in acknowledged.iter().rev().take(3) {
        assert_eq!(
            sign_in_status(&http, &restarted.url, email).await,
            StatusCode::OK,
            "{email}"
        );
    }
}

#[tokio::test]
async fn killing_one_of_two_instances_under_load_loses_nothing() {
    let (database_url, _schema) = {
        let dir = tempfile::tempdir().expect("tempdir");
        common::fresh_database(common::Backend::Postgres, dir.path()).await
    };
    let prefix = common::redis_prefix("kill");
    let redis = common::redis_url();
    let env = [("REDIS_URL", redis.as_str()), ("KEYWARD_REDIS_PREFIX", prefix.as_str())];
    let mut doomed = Instance::start(&database_url, &env).await;
    let survivor = Instance::start(&database_url, &env).await;
    let bases = [doomed.url.clone(), survivor.url.clone()];
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let retried = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            let (http, bases, stop) = (http.clone(), bases.clone(), stop.clone());
            let (acknowledged, retried) = (acknowledged.clone(), retried.clone());
            tokio::spawn(async move {
                let mut i = 0usize;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let email = format!("k{worker}-{i}@example.com");
                    // A client that retries on the other instance when one does not answer.
                    let mut outcome = SignUp::Failed;
                    for attempt in 0..4 {
                        outcome = sign_up(&http, &bases[(i + attempt) % 2], &email).await;
                        if !matches!(outcome, SignUp::Failed) {
                            break;
                        }
                        retried.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    match outcome {
                        SignUp::Created(cookie) => {
                            // Nine reads of the new session per write, on either instance.
                            for read in 0..9 {
                                let mut email_seen = None;
                                for attempt in 0..2 {
                                    email_seen = session_email(&http, &bases[(i + read + attempt) % 2], &cookie).await;
                                    if email_seen.is_some() {
                                        break;
                                    }
                                }
                                assert_eq!(email_seen.as_deref(), Some(email.as_str()), "the session holds");
                            }
                            acknowledged.lock().expect("lock").push((email, cookie));
                        }
                        SignUp::Exists => acknowledged.lock().expect("lock").push((email, String::new())),
                        SignUp::Failed => panic!("{email}: no instance answered"),
                    }
                    i += 1;
                }
            })
        })
        .collect();
    // Kill one instance once sixteen sign-ups were acknowledged, and stop once sixteen more
    // were, on the survivor.
    let acknowledged_count = || acknowledged.lock().expect("lock").len();
    wait_for(|| acknowledged_count() >= 16, "sixteen sign-ups").await;
    doomed.kill();
    let at_kill = acknowledged_count();
    wait_for(
        || acknowledged_count() >= at_kill + 16,
        "sixteen sign-ups after the kill",
    )
    .await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for worker in workers {
        tokio::time::timeout(Duration::from_secs(30), worker)
            .await
            .expect("workers finish")
            .expect("no worker failed");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 8, "work went on: {}", acknowledged.len());
    let retried = retried.load(std::sync::atomic::Ordering::Relaxed);
    assert!(retried > 0, "some requests met the killed instance and were retried");
    println!(
        "{} sign-ups acknowledged, {retried} retried on the other instance",
        acknowledged.len()
    );

    let db = keyward_server::db::Db::connect(&database_url).await.expect("connects");
    let mut exec = db.clone();
    use keyward_server::db::Exec;
    let rows = exec
        .fetch_all(
            r#"select count(*) as "n", count(distinct "email") as "d" from "user""#,
            vec![],
        )
        .await
        .expect("counts");
    let (users, distinct) = (rows[0].int("n").expect("n"), rows[0].int("d").expect("d"));
    assert_eq!(users, distinct, "no duplicated user");
    assert_eq!(
        users as usize,
        acknowledged.len(),
        "every acknowledged sign-up, and nothing else"
    );
    db.close().await;
    for (email, cookie) in acknowledged.iter().rev().take(20) {
        if !cookie.is_empty() {
            assert_eq!(
                session_email(&http, &survivor.url, cookie).await.as_deref(),
                Some(email.as_str()),
                "sessions made on the killed instance live on"
            );
        }
    }
    for (email, _) in acknowledged.iter().take(3) {
        assert_eq!(sign_in_status(&http, &survivor.url, email).await, StatusCode::OK);
    }
}

/// Waits until `done` holds, looking every 20 ms; fails after 120 s (a hang, not a slow
/// machine).
async fn wait_for(done: impl Fn() -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "waited 120 s for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
