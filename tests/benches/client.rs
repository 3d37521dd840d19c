//! Client costs (criterion), against a real Keyward server in the same process:
//! reading the session store (no I/O), one refetch, N concurrent refetches (one
//! request), and a mutating call with the refetch that follows it. Before measuring, it
//! prints how many requests each mutating call costs (and stops if one costs more than
//! one refetch, or a store read costs any), and the requests per burst of refetches.
//!
//! `cargo bench -p keyward-tests --bench client`

use std::hint::black_box;

use criterion::Criterion;
use keyward_client::AuthClient;
use keyward_tests::TestServer;

const PASSWORD: &str = "correct-horse-battery";

/// `GET /get-session` requests `call` costs on `server`, besides the call itself.
async fn refetches_of<F: std::future::Future<Output = ()>>(server: &TestServer, call: F) -> usize {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    server.requests.reset();
    call.await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    server.requests.count("GET", "/get-session")
}

async fn request_budget(server: &TestServer, client: &AuthClient) {
    let other = server.client();
    other
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("second session");
    let rows = [
        (
            "sign-in/email",
            refetches_of(server, async {
                client
                    .sign_in()
                    .email("ada@example.com", PASSWORD)
                    .await
                    .expect("signs in");
            })
            .await,
        ),
        (
            "update-user",
            refetches_of(server, async {
                client.user().update().name("Ada L.").await.expect("updates");
            })
            .await,
        ),
        (
            "revoke-other-sessions",
            refetches_of(server, async {
                client.sessions().revoke_others().await.expect("revokes");
            })
            .await,
        ),
        (
            "sign-out",
            refetches_of(server, async {
                client.sign_out().await.expect("signs out");
            })
            .await,
        ),
    ];
    eprintln!("extra GET /get-session per mutating call:");
    for (call, count) in rows {
        eprintln!("  {call:<24} {count}");
        assert!(count <= 1, "{call} cost {count} refetches");
    }
    client
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in again");
}

fn client_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (server, client) = runtime.block_on(async {
        let server = TestServer::start().await;
        let client = server.client();
        client
            .sign_up()
            .email("Ada", "ada@example.com", PASSWORD)
            .await
            .expect("signs up");
        request_budget(&server, &client).await;
        (server, client)
    });
    let store = client.session();

    server.requests.reset();
    c.bench_function("session_store/read", |b| b.iter(|| black_box(store.get())));
    assert_eq!(server.requests.total(), 0, "reading the store made requests");

    c.bench_function("session_store/refetch", |b| {
        b.to_async(&runtime)
            .iter(|| async { store.refetch().await.expect("refetch") })
    });

    server.requests.reset();
    let mut bursts = 0usize;
    c.bench_function("session_store/64_concurrent_refetches", |b| {
        b.to_async(&runtime).iter(|| {
            bursts += 1;
            let store = store.clone();
            async move {
                // Each call joins the fetch under way when made, so the 64 share one.
                let all: Vec<_> = (0..64).map(|_| store.refetch()).collect();
                let answers = futures::future::join_all(all).await;
                black_box(answers.len())
            }
        })
    });
    let requests = server.requests.count("GET", "/get-session");
    eprintln!(
        "GET /get-session per burst of 64 concurrent refetches: {:.2} ({requests} for {bursts} bursts)",
        requests as f64 / bursts.max(1) as f64
    );
    assert_eq!(
        requests, bursts,
        "a burst of concurrent refetches cost more than one request"
    );

    let mut n = 0u64;
    c.bench_function("user/update_then_refetch", |b| {
        b.to_async(&runtime).iter(|| {
            n += 1;
            let client = client.clone();
            async move { client.user().update().name(format!("Ada {n}")).await.expect("updates") }
        })
    });
    drop(server);
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    client_benches(&mut criterion);
    criterion.final_summary();
}
