//! What `keyward-verifier` costs per request (criterion), against Keyward and against the
//! real better-auth, both in this run: a JWT checked against cached keys (no request to
//! the auth server), a session token answered from the verifier's cache, and a session
//! token asked of the auth server's `/get-session` every time (cache off), and an API key
//! answered from the cache or checked by the auth server every time (`/get-session` and
//! `/api-key/get` with the key; the servers' per-key rate limit off).
//!
//! `cargo bench -p keyward-tests --bench verifier`

use std::time::Duration;

use criterion::Criterion;
use keyward_client::AuthClient;
use keyward_server::config::JwtConfig;
use keyward_tests::{ApiKeyOptions, BetterAuthServer, Database, TestServer};
use keyward_verifier::Verifier;
use url::Url;

/// A signed-up client's `Authorization` values at `url` (its JWT and its session token)
/// and an API key of its user.
async fn credentials(url: &Url) -> (String, String, String) {
    let client = AuthClient::builder(url.clone()).build().expect("client");
    client
        .sign_up()
        .email("Ada", "ada@example.com", "correct-horse-battery")
        .await
        .expect("signs up");
    let jwt = client.jwt().token().await.expect("a token");
    let session = client.token().expect("reads").expect("a session token");
    let key = client
        .api_keys()
        .create(keyward_client::wire::CreateApiKeyRequest::named("bench"))
        .await
        .expect("an API key");
    (
        format!("Bearer {}", jwt.expose()),
        format!("Bearer {}", session.expose()),
        key.key.expose().to_owned(),
    )
}

fn modes(c: &mut Criterion, runtime: &tokio::runtime::Runtime, server: &str, url: &Url) {
    let (jwt, session, key) = runtime.block_on(credentials(url));
    let cached = Verifier::builder(url.clone())
        .accept_sessions(Duration::from_secs(3600))
        .accept_api_keys(Duration::from_secs(3600))
        .build()
        .expect("verifier");
    let uncached = Verifier::builder(url.clone())
        .accept_sessions(Duration::ZERO)
        .accept_api_keys(Duration::ZERO)
        .build()
        .expect("verifier");
    runtime.block_on(async {
        cached.verify_headers(Some(&jwt), None).await.expect("the JWT verifies");
        cached
            .verify_headers(Some(&session), None)
            .await
            .expect("the session verifies");
        cached.verify_api_key(&key).await.expect("the key verifies");
    });
    let mut group = c.benchmark_group(format!("verifier/{server}"));
    group.bench_function("jwt_cached_keys", |b| {
        b.to_async(runtime)
            .iter(|| async { cached.verify_headers(Some(&jwt), None).await.expect("verifies") })
    });
    group.bench_function("session_cached", |b| {
        b.to_async(runtime)
            .iter(|| async { cached.verify_headers(Some(&session), None).await.expect("verifies") })
    });
    group.bench_function("session_get_session", |b| {
        b.to_async(runtime)
            .iter(|| async { uncached.verify_headers(Some(&session), None).await.expect("verifies") })
    });
    group.bench_function("api_key_cached", |b| {
        b.to_async(runtime)
            .iter(|| async { cached.verify_api_key(&key).await.expect("verifies") })
    });
    group.bench_function("api_key_checked_by_server", |b| {
        b.to_async(runtime)
            .iter(|| async { uncached.verify_api_key(&key).await.expect("verifies") })
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let keys = ApiKeyOptions {
        sessions: true,
        rate_limit_off: true,
        ..ApiKeyOptions::default()
    };
    let keyward = runtime.block_on(TestServer::start_with(Database::Sqlite, |config| {
        config.jwt = Some(JwtConfig::default());
        config.api_key = Some(keys.keyward());
    }));
    modes(&mut criterion, &runtime, "keyward", &keyward.url);
    let env = keys.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let better_auth = runtime.block_on(BetterAuthServer::start_on(Database::Sqlite, &["jwt", "api-key"], &env));
    modes(&mut criterion, &runtime, "better-auth", &better_auth.url);
    criterion.final_summary();
}
