//! `keyward-bench`: Keyward and the real better-auth on one database, driven by one load
//! generator, alternating A/B over several rounds; a bare axum server as the ceiling.
//! `scripts/bench` builds everything in release mode and runs this.

mod report;
mod setup;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use serde_json::json;

use keyward_bench::load::{self, Call, MakeCall, RunStats};
use keyward_bench::servers::{RssSampler, Server, free_port, keyward_command};
use keyward_server::db::{Db, Exec};
use report::{Sample, Samples};
use setup::{Fixture, PASSWORD};

/// The shared secret: Keyward's cookies verify on better-auth and back.
const SECRET: &str = "keyward-bench-secret-0123456789abcdefghijklmnop";
/// The plugins both servers run unless `--plugins` says otherwise.
const PLUGINS: &str = "two-factor,organization,passkey";

#[derive(Parser, Debug)]
#[command(about = "Keyward vs better-auth, side by side")]
struct Args {
    /// Storages to measure: sqlite, postgres.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    storage: Vec<String>,
    /// Rounds (each runs every workload on both servers, in alternating order).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Only these workloads (names as in the report, e.g. get-session-c16).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// The release `keyward-server` binary.
    #[arg(long)]
    keyward: PathBuf,
    /// The release `keyward-bench-hello` binary.
    #[arg(long)]
    hello: PathBuf,
    /// The Node project with better-auth's `server.mjs`.
    #[arg(long)]
    better_auth: PathBuf,
    /// PostgreSQL database to create a scratch schema in. Both servers get this URL; on
    /// loopback TLS only costs (sqlx's default `sslmode=prefer` would take it, node-postgres
    /// would not), so the default turns it off for both.
    #[arg(
        long,
        env = "KEYWARD_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
    )]
    postgres: String,
    /// The plugins both servers run (better-auth ids, comma-separated): measuring a plugin's
    /// cost is two runs that differ only here.
    #[arg(long, default_value = PLUGINS)]
    plugins: String,
    /// Where the report, the raw figures and the server logs go.
    #[arg(long, default_value = "artifacts/bench")]
    out: PathBuf,
}

/// What a workload does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    GetSession,
    SignIn,
    SignUp,
    ListSessions,
    FullOrganization,
    /// 90% get-session, 9% update-user, 1% sign-in.
    Mixed,
    /// get-session at concurrency 4 while sign-in runs at concurrency 16.
    GetSessionDuringSignIn,
}

#[derive(Clone, Debug)]
struct Workload {
    name: String,
    kind: Kind,
    concurrency: usize,
}

fn workloads() -> Vec<Workload> {
    let w = |name: &str, kind, concurrency| Workload {
        name: name.to_owned(),
        kind,
        concurrency,
    };
    vec![
        w("get-session-c1", Kind::GetSession, 1),
        w("get-session-c16", Kind::GetSession, 16),
        w("get-session-c64", Kind::GetSession, 64),
        w("sign-in-c2", Kind::SignIn, 2),
        w("sign-in-c16", Kind::SignIn, 16),
        w("sign-up-c16", Kind::SignUp, 16),
        w("list-sessions-c16", Kind::ListSessions, 16),
        w("full-organization-c16", Kind::FullOrganization, 16),
        w("mixed-c16", Kind::Mixed, 16),
        w("get-session-c4-during-sign-in-c16", Kind::GetSessionDuringSignIn, 4),
    ]
}

/// A stateless 64-bit mix (splitmix64's finaliser) for the mixed workload's choices.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn make_calls(kind: Kind, fixture: &Fixture, unique: String) -> MakeCall {
    let f = fixture.clone();
    match kind {
        Kind::GetSession | Kind::GetSessionDuringSignIn => {
            Arc::new(move |_, _| Call::get("/get-session", Some(&f.reader)))
        }
        Kind::SignIn => {
            let body = json!({"email": f.signer_email, "password": PASSWORD});
            Arc::new(move |_, _| Call::post("/sign-in/email", None, &body))
        }
        Kind::SignUp => Arc::new(move |connection, n| {
            let email = format!("signup-{unique}-{connection}-{n}@bench.example");
            Call::post(
                "/sign-up/email",
                None,
                &json!({"email": email, "password": PASSWORD, "name": "Sign Up"}),
            )
        }),
        Kind::ListSessions => Arc::new(move |_, _| Call::get("/list-sessions", Some(&f.lister))),
        Kind::FullOrganization => {
            let path = format!(
                "/organization/get-full-organization?organizationId={}",
                f.organization_id
            );
            Arc::new(move |_, _| Call::get(path.clone(), Some(&f.owner)))
        }
        Kind::Mixed => {
            let sign_in = json!({"email": f.mixed_email, "password": PASSWORD});
            Arc::new(move |connection, n| match mix(((connection as u64) << 40) ^ n) % 100 {
                0..90 => Call::get("/get-session", Some(&f.mixed)),
                90..99 => Call::post("/update-user", Some(&f.mixed), &json!({"name": format!("Mixed {n}")})),
                _ => Call::post("/sign-in/email", None, &sign_in),
            })
        }
    }
}

/// One measurement of one workload on one server, with the server's memory sampled.
async fn measure(server: &Server, workload: &Workload, fixture: &Fixture, seconds: u64, unique: String) -> Sample {
    let duration = Duration::from_secs(seconds);
    let sampler = RssSampler::start(server.pid());
    let make = make_calls(workload.kind, fixture, unique);
    let (stats, background) = if workload.kind == Kind::GetSessionDuringSignIn {
        let sign_in = make_calls(Kind::SignIn, fixture, String::new());
        let (probe, signing) = tokio::join!(
            async {
                // Let the sign-ins fill the hashing pool before the probe starts.
                tokio::time::sleep(Duration::from_millis(500)).await;
                load::run(&server.target, workload.concurrency, duration, make).await
            },
            load::run(&server.target, 16, duration + Duration::from_secs(1), sign_in)
        );
        (probe, Some(signing))
    } else {
        (
            load::run(&server.target, workload.concurrency, duration, make).await,
            None,
        )
    };
    let peak = sampler.finish();
    Sample::new(&stats, background.as_ref(), peak)
}

struct Storage {
    name: String,
    /// `DATABASE_URL` for Keyward.
    keyward_url: String,
    /// Environment for better-auth's `server.mjs`.
    better_auth_env: Vec<(String, String)>,
    /// PostgreSQL schema to drop afterwards.
    schema: Option<String>,
    _dir: tempfile::TempDir,
}

async fn prepare_storage(name: &str, postgres: &str) -> Result<Storage, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    match name {
        "sqlite" => {
            let path = dir.path().join("bench.db");
            Ok(Storage {
                name: name.to_owned(),
                keyward_url: format!("sqlite://{}", path.display()),
                better_auth_env: vec![
                    ("STORAGE".into(), "sqlite".into()),
                    ("SQLITE_PATH".into(), path.display().to_string()),
                    ("SQLITE_WAL".into(), "1".into()),
                ],
                schema: None,
                _dir: dir,
            })
        }
        "postgres" => {
            let schema = format!("bench_{}", std::process::id());
            let mut db = Db::connect(postgres).await.map_err(|e| format!("PostgreSQL: {e}"))?;
            db.execute(&format!("drop schema if exists \"{schema}\" cascade"), vec![])
                .await
                .map_err(|e| e.to_string())?;
            db.execute(&format!("create schema \"{schema}\""), vec![])
                .await
                .map_err(|e| e.to_string())?;
            db.close().await;
            let separator = if postgres.contains('?') { '&' } else { '?' };
            let url = format!("{postgres}{separator}options=-c%20search_path%3D{schema}");
            Ok(Storage {
                name: name.to_owned(),
                keyward_url: url.clone(),
                better_auth_env: vec![("STORAGE".into(), "postgres".into()), ("DATABASE_URL".into(), url)],
                schema: Some(schema),
                _dir: dir,
            })
        }
        other => Err(format!("unknown storage `{other}` (sqlite, postgres)")),
    }
}

async fn start_better_auth(args: &Args, storage: &Storage, out: &Path) -> Result<Server, String> {
    let port = free_port()?;
    let mut command = Command::new("node");
    command
        .arg("server.mjs")
        .current_dir(&args.better_auth)
        .env("PORT", port.to_string())
        .env("BASE_URL", format!("http://localhost:{port}"))
        .env("SECRET", SECRET)
        .env("MIGRATE", "1")
        .env("RATE_LIMIT", "0")
        .env("PLUGINS", &args.plugins)
        .env("NODE_ENV", "production")
        .env("OUTBOX", out.join(format!("better-auth-{}.outbox", storage.name)));
    for (name, value) in &storage.better_auth_env {
        command.env(name, value);
    }
    let log = out.join(format!("better-auth-{}.log", storage.name));
    Server::start("better-auth", command, port, "/api/auth", "/ok", &log).await
}

async fn start_keyward(args: &Args, storage: &Storage, out: &Path) -> Result<Server, String> {
    let port = free_port()?;
    let mut command = keyward_command(&args.keyward, port, &storage.keyward_url, SECRET);
    command
        .env("KEYWARD_PLUGINS", &args.plugins)
        .env("KEYWARD_OUTBOX", out.join(format!("keyward-{}.outbox", storage.name)));
    let log = out.join(format!("keyward-{}.log", storage.name));
    Server::start("keyward", command, port, "/api/auth", "/ok", &log).await
}

async fn bench_storage(
    args: &Args,
    storage: &Storage,
    hello: &Server,
    plan: &[Workload],
    samples: &mut Samples,
) -> Result<(), String> {
    let out = &args.out;
    // better-auth creates the tables; Keyward then serves them as they are.
    let better_auth = start_better_auth(args, storage, out).await?;
    let better_auth_idle = better_auth.rss_kib();
    let keyward = start_keyward(args, storage, out).await?;
    let keyward_idle = keyward.rss_kib();
    eprintln!(
        "[{}] creating users, sessions and a {}-member organization",
        storage.name,
        setup::ORGANIZATION_MEMBERS
    );
    let fixture = setup::create(&keyward.target, &format!("{}{}", storage.name, std::process::id())).await?;
    setup::check(&keyward.target, &fixture).await?;
    setup::check(&better_auth.target, &fixture).await?;
    for server in [&keyward, &better_auth] {
        let warm = Arc::new({
            let cookie = fixture.reader.clone();
            move |_, _| Call::get("/get-session", Some(&cookie))
        });
        load::run(&server.target, 16, Duration::from_secs(2), warm).await;
    }
    for round in 0..args.rounds {
        for (index, workload) in plan.iter().enumerate() {
            let order = if (round + index) % 2 == 0 {
                [&keyward, &better_auth]
            } else {
                [&better_auth, &keyward]
            };
            for server in order {
                let unique = format!("{}-{}-{round}-{}", server.name, storage.name, std::process::id());
                let sample = measure(server, workload, &fixture, args.seconds, unique).await;
                eprintln!(
                    "[{} round {}] {:<34} {:<12} {}",
                    storage.name,
                    round + 1,
                    workload.name,
                    server.name,
                    sample.line()
                );
                samples.push(&storage.name, &workload.name, server.name, sample);
            }
            if workload.kind == Kind::GetSession {
                let ping: MakeCall = Arc::new(|_, _| Call::get("/hello", None));
                let stats = load::run(
                    &hello.target,
                    workload.concurrency,
                    Duration::from_secs(args.seconds),
                    ping,
                )
                .await;
                let sample = Sample::new(&stats, None, 0);
                eprintln!(
                    "[{} round {}] {:<34} {:<12} {}",
                    storage.name,
                    round + 1,
                    workload.name,
                    "axum-hello",
                    sample.line()
                );
                samples.push(&storage.name, &workload.name, "axum-hello", sample);
            }
        }
    }
    samples.memory(&storage.name, "keyward", keyward_idle, keyward.peak_rss_kib());
    samples.memory(
        &storage.name,
        "better-auth",
        better_auth_idle,
        better_auth.peak_rss_kib(),
    );
    drop(keyward);
    drop(better_auth);
    Ok(())
}

async fn drop_schema(postgres: &str, schema: &str) {
    if let Ok(mut db) = Db::connect(postgres).await {
        let _ = db
            .execute(&format!("drop schema if exists \"{schema}\" cascade"), vec![])
            .await;
        db.close().await;
    }
}

async fn run(args: Args) -> Result<(), String> {
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let plan: Vec<Workload> = workloads()
        .into_iter()
        .filter(|w| args.only.is_empty() || args.only.contains(&w.name))
        .collect();
    if plan.is_empty() {
        return Err(format!("no workload matches {:?}", args.only));
    }
    let hello_port = free_port()?;
    let mut hello_command = Command::new(&args.hello);
    hello_command.env("PORT", hello_port.to_string());
    let hello = Server::start(
        "axum-hello",
        hello_command,
        hello_port,
        "",
        "/hello",
        &args.out.join("hello.log"),
    )
    .await?;
    let mut samples = Samples::default();
    for name in &args.storage {
        let storage = prepare_storage(name, &args.postgres).await?;
        let result = bench_storage(&args, &storage, &hello, &plan, &mut samples).await;
        if let Some(schema) = &storage.schema {
            drop_schema(&args.postgres, schema).await;
        }
        result?;
    }
    samples.memory("-", "axum-hello", 0, hello.peak_rss_kib());
    let markdown = report::markdown(
        &samples,
        &plan.iter().map(|w| w.name.clone()).collect::<Vec<_>>(),
        &args,
    );
    std::fs::write(args.out.join("results.md"), &markdown).map_err(|e| e.to_string())?;
    std::fs::write(args.out.join("results.json"), samples.to_json().to_string()).map_err(|e| e.to_string())?;
    println!("{markdown}");
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    // One thread for the load generator, as `wrk -t1` in better-auth's baseline.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("keyward-bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("keyward-bench: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

impl Sample {
    fn new(stats: &RunStats, background: Option<&RunStats>, peak_rss_kib: u64) -> Self {
        Self {
            throughput: stats.throughput(),
            p50_ms: stats.quantile_ms(0.50),
            p99_ms: stats.quantile_ms(0.99),
            get_session_in_mix_ms: {
                let alone = stats.get_session_latency.len();
                (alone > 0 && alone < stats.latency.len())
                    .then(|| (stats.get_session_quantile_ms(0.50), stats.get_session_quantile_ms(0.99)))
            },
            responses: stats.responses,
            non_2xx: stats.non_2xx + background.map_or(0, |b| b.non_2xx),
            failures: stats.failures + background.map_or(0, |b| b.failures),
            background_throughput: background.map(RunStats::throughput),
            peak_rss_kib,
            first_error: stats
                .first_error
                .clone()
                .or_else(|| background.and_then(|b| b.first_error.clone())),
        }
    }
}
