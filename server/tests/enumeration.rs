//! No user enumeration through sign-in: an unknown address and a wrong password get the
//! same status and body, cost the same number of scrypt derivations (a dummy hash for the
//! unknown address), and take the same time within noise over many tries. Alone in its
//! own test binary, so no other test's hashing shares the hashing threads.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{Backend, TestApp};
use keyward_server::password::keys_derived;
use serde_json::json;

const TRIES: usize = 21;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::test]
async fn unknown_addresses_and_wrong_passwords_look_alike() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    let unknown = json!({"email": "nobody@example.com", "password": "password123"});
    let wrong = json!({"email": "alice@example.com", "password": "wrong-password"});

    let first = app.post("/sign-in/email").json(&unknown).send().await;
    let second = app.post("/sign-in/email").json(&wrong).send().await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    assert_eq!((first.status, first.json()), (second.status, second.json()));

    let (mut unknown_times, mut wrong_times) = (Vec::new(), Vec::new());
    let (mut unknown_cost, mut wrong_cost) = (0, 0);
    // Interleaved, so a slower moment of the machine falls on both alike.
    for _ in 0..TRIES {
        for (body, times, cost) in [
            (&unknown, &mut unknown_times, &mut unknown_cost),
            (&wrong, &mut wrong_times, &mut wrong_cost),
        ] {
            let keys = keys_derived();
            let started = Instant::now();
            let response = app.post("/sign-in/email").json(body).send().await;
            times.push(started.elapsed());
            *cost += keys_derived() - keys;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        }
    }
    assert_eq!(
        unknown_cost, TRIES as u64,
        "one derivation per try for an unknown address"
    );
    assert_eq!(wrong_cost, TRIES as u64, "one derivation per try for a wrong password");
    let (unknown_median, wrong_median) = (median(unknown_times), median(wrong_times));
    let ratio = unknown_median.as_secs_f64() / wrong_median.as_secs_f64();
    println!("median sign-in: unknown address {unknown_median:?}, wrong password {wrong_median:?} (ratio {ratio:.2})");
    assert!(
        (0.6..=1.67).contains(&ratio),
        "timing tells the two apart: {unknown_median:?} vs {wrong_median:?}"
    );
}
