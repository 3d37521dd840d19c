//! Sign-in timing for an unknown address and for a known address with a wrong password,
//! against a real Keyward server in the same process (over HTTP): if the two differ, the
//! time of an answer tells whether an account exists. Reports both medians, their ratio and
//! whether it lies within [`ALIKE`]; exits with a failure when it does not.
//!
//! The test suite checks what makes the two alike without timing anything (the same
//! answer, one scrypt derivation each: `server/tests/enumeration.rs`); this measures it.
//!
//! `cargo bench -p keyward-tests --bench sign_in_timing` (`SIGN_IN_TIMING_TRIES` pairs,
//! 101 by default).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use keyward_tests::TestServer;
use serde_json::{Value, json};

/// The range of `unknown / wrong` median ratios that counts as indistinguishable.
const ALIKE: std::ops::RangeInclusive<f64> = 0.8..=1.25;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn sign_in(http: &reqwest::Client, url: &str, body: &Value) -> Duration {
    let started = Instant::now();
    let response = http.post(url).json(body).send().await.expect("answers");
    let status = response.status();
    response.bytes().await.expect("body");
    let elapsed = started.elapsed();
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED, "a refused sign-in");
    elapsed
}

fn main() -> ExitCode {
    let tries: usize = std::env::var("SIGN_IN_TIMING_TRIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(101);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (unknown_median, wrong_median) = runtime.block_on(async {
        let server = TestServer::start().await;
        server
            .client()
            .sign_up()
            .email("Alice", "alice@example.com", "password123")
            .await
            .expect("signs up");
        let url = format!("{}api/auth/sign-in/email", server.url);
        let http = reqwest::Client::new();
        let unknown = json!({"email": "nobody@example.com", "password": "password123"});
        let wrong = json!({"email": "alice@example.com", "password": "wrong-password"});
        // Warm-up: connections, caches, the hashing threads.
        for _ in 0..3 {
            sign_in(&http, &url, &unknown).await;
            sign_in(&http, &url, &wrong).await;
        }
        let (mut unknown_times, mut wrong_times) = (Vec::new(), Vec::new());
        // Interleaved, so a slower moment of the machine falls on both alike.
        for _ in 0..tries {
            unknown_times.push(sign_in(&http, &url, &unknown).await);
            wrong_times.push(sign_in(&http, &url, &wrong).await);
        }
        (median(unknown_times), median(wrong_times))
    });
    let ratio = unknown_median.as_secs_f64() / wrong_median.as_secs_f64();
    println!("sign-in, median of {tries}: unknown address {unknown_median:?}, wrong password {wrong_median:?}");
    println!(
        "ratio unknown/wrong: {ratio:.3} (alike within {:.2}..={:.2})",
        ALIKE.start(),
        ALIKE.end()
    );
    if ALIKE.contains(&ratio) {
        ExitCode::SUCCESS
    } else {
        eprintln!("the two sign-in failures take measurably different times: an account's existence shows");
        ExitCode::FAILURE
    }
}
