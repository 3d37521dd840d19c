//! No user enumeration through sign-in: an unknown address and a wrong password get the
//! same status and body, and cost the same number of scrypt derivations (a dummy hash for
//! the unknown address), which is what makes their timing alike. How long each takes is
//! measured, not asserted here: `cargo bench -p keyward-tests --bench sign_in_timing`
//! reports the ratio of the two medians. Alone in its own test binary, so no other test's
//! hashing moves the process-wide derivation counter.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestApp};
use keyward_server::password::keys_derived;
use serde_json::json;

const TRIES: u64 = 5;

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

    let (mut unknown_cost, mut wrong_cost) = (0, 0);
    for _ in 0..TRIES {
        for (body, cost) in [(&unknown, &mut unknown_cost), (&wrong, &mut wrong_cost)] {
            let keys = keys_derived();
            let response = app.post("/sign-in/email").json(body).send().await;
            *cost += keys_derived() - keys;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        }
    }
    assert_eq!(unknown_cost, TRIES, "one derivation per try for an unknown address");
    assert_eq!(wrong_cost, TRIES, "one derivation per try for a wrong password");
}
