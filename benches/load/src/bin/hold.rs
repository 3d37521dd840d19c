//! `keyward-hold`: several `keyward-server` instances on one PostgreSQL database and one
//! Redis, held under load: N sign-ups, then M get-session requests, both at concurrency
//! 64 spread over the instances. It fails (exit 1) on any 5xx, any request left without
//! an answer, any session lost, or any user lost or duplicated, and prints a report.
//! `scripts/load` builds it in release mode and runs it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use serde_json::json;

use keyward_bench::load::{self, Call, MakeCall, Target};
use keyward_bench::servers::{Server, free_port, keyward_command};
use keyward_server::db::{Db, Exec};

const SECRET: &str = "keyward-hold-secret-0123456789abcdefghijklmnop";
const PASSWORD: &str = "hold-password-1234";

#[derive(Parser, Debug)]
#[command(about = "Keyward instances on PostgreSQL + Redis, held under load")]
struct Args {
    /// The release `keyward-server` binary.
    #[arg(long)]
    keyward: PathBuf,
    /// How many instances.
    #[arg(long, default_value_t = 3)]
    instances: usize,
    /// Sign-ups to make.
    #[arg(long, default_value_t = 10_000)]
    sign_ups: usize,
    /// get-session requests to make.
    #[arg(long, default_value_t = 200_000)]
    reads: u64,
    /// Requests in flight.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// PostgreSQL database to create a scratch schema in.
    #[arg(
        long,
        env = "KEYWARD_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
    )]
    postgres: String,
    /// Redis for the instances' secondary storage (keys under a scratch prefix).
    #[arg(long, env = "KEYWARD_BENCH_REDIS", default_value = "redis://127.0.0.1:6379/0")]
    redis: String,
    /// Where the report and the server logs go.
    #[arg(long, default_value = "artifacts/hold")]
    out: PathBuf,
}

/// The scratch schema and Redis prefix, removed when dropped.
struct Scratch {
    postgres: String,
    schema: String,
    redis: String,
    prefix: String,
}

impl Scratch {
    async fn create(args: &Args) -> Result<Self, String> {
        let tag = keyward_server::crypto::random_string(10, b"abcdefghijklmnopqrstuvwxyz0123456789");
        let scratch = Scratch {
            postgres: args.postgres.clone(),
            schema: format!("hold_{tag}"),
            redis: args.redis.clone(),
            prefix: format!("keyward-hold-{tag}:"),
        };
        let mut db = Db::connect(&args.postgres)
            .await
            .map_err(|e| format!("PostgreSQL: {e}"))?;
        db.execute(&format!("create schema \"{}\"", scratch.schema), vec![])
            .await
            .map_err(|e| e.to_string())?;
        db.close().await;
        Ok(scratch)
    }

    fn database_url(&self) -> String {
        let separator = if self.postgres.contains('?') { '&' } else { '?' };
        format!("{}{separator}options=-c%20search_path%3D{}", self.postgres, self.schema)
    }

    async fn remove(self) {
        if let Ok(mut db) = Db::connect(&self.postgres).await {
            let _ = db
                .execute(&format!("drop schema if exists \"{}\" cascade", self.schema), vec![])
                .await;
            db.close().await;
        }
        if let Ok(client) = redis::Client::open(self.redis.as_str())
            && let Ok(mut connection) = client.get_connection()
        {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{}*", self.prefix))
                .query(&mut connection)
                .unwrap_or_default();
            for chunk in keys.chunks(500) {
                let _: redis::RedisResult<()> = redis::cmd("DEL").arg(chunk).query(&mut connection);
            }
        }
    }
}

async fn start_instance(args: &Args, scratch: &Scratch, index: usize) -> Result<Server, String> {
    let port = free_port()?;
    let mut command = keyward_command(&args.keyward, port, &scratch.database_url(), SECRET);
    command
        .env("REDIS_URL", &scratch.redis)
        .env("KEYWARD_REDIS_PREFIX", &scratch.prefix);
    let log = args.out.join(format!("keyward-{index}.log"));
    Server::start("keyward", command, port, "/api/auth", "/ok", &log).await
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

/// What the sign-up phase produced.
struct SignUps {
    cookies: Vec<String>,
    errors: Vec<String>,
    latency: Histogram<u64>,
    elapsed: Duration,
}

/// `args.sign_ups` sign-ups at `args.concurrency`, sign-up `i` on instance `i % n`.
async fn sign_up_all(args: &Args, targets: &[Target]) -> SignUps {
    let next = Arc::new(AtomicUsize::new(0));
    let cookies = Arc::new(Mutex::new(Vec::with_capacity(args.sign_ups)));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let latency = Arc::new(Mutex::new(histogram()));
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (next, cookies, errors, latency) = (next.clone(), cookies.clone(), errors.clone(), latency.clone());
            let (targets, total) = (targets.to_vec(), args.sign_ups);
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return;
                    }
                    let body = json!({"name": format!("Hold {i}"), "email": format!("hold-{i}@example.com"), "password": PASSWORD});
                    let sent = Instant::now();
                    let answer = load::call(&targets[i % targets.len()], &Call::post("/sign-up/email", None, &body)).await;
                    let micros = sent.elapsed().as_micros().max(1) as u64;
                    let _ = latency.lock().map(|mut h| h.record(micros));
                    let cookie = match &answer {
                        Ok((200, set_cookies, _)) => set_cookies
                            .iter()
                            .find(|c| c.starts_with("better-auth.session_token="))
                            .and_then(|c| c.split(';').next())
                            .map(str::to_owned),
                        _ => None,
                    };
                    match cookie {
                        Some(cookie) => cookies.lock().expect("lock").push(cookie),
                        None => errors.lock().expect("lock").push(format!("sign-up {i}: {answer:?}")),
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = started.elapsed();
    let take = |m: Arc<Mutex<Vec<String>>>| std::mem::take(&mut *m.lock().expect("lock"));
    SignUps {
        cookies: take(cookies),
        errors: take(errors),
        latency: latency.lock().expect("lock").clone(),
        elapsed,
    }
}

fn ms(histogram: &Histogram<u64>, quantile: f64) -> f64 {
    histogram.value_at_quantile(quantile) as f64 / 1000.0
}

async fn run(args: Args) -> Result<String, String> {
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let scratch = Scratch::create(&args).await?;
    let result = hold(&args, &scratch).await;
    scratch.remove().await;
    result
}

async fn hold(args: &Args, scratch: &Scratch) -> Result<String, String> {
    // The first instance migrates the schema; the others start on it.
    let mut servers = vec![start_instance(args, scratch, 0).await?];
    for index in 1..args.instances {
        servers.push(start_instance(args, scratch, index).await?);
    }
    let targets: Vec<Target> = servers.iter().map(|s| s.target.clone()).collect();
    eprintln!(
        "{} instances up; {} sign-ups at concurrency {}",
        servers.len(),
        args.sign_ups,
        args.concurrency
    );
    let sign_ups = sign_up_all(args, &targets).await;
    eprintln!(
        "sign-ups done in {:.1} s; {} get-session requests",
        sign_ups.elapsed.as_secs_f64(),
        args.reads
    );
    if sign_ups.cookies.is_empty() {
        return Err(format!("no sign-up succeeded: {:?}", sign_ups.errors.first()));
    }
    let cookies = Arc::new(sign_ups.cookies.clone());
    let make: MakeCall = {
        let cookies = cookies.clone();
        Arc::new(move |connection, n| {
            let pick = (connection as u64)
                .wrapping_mul(7919)
                .wrapping_add(n.wrapping_mul(104_729)) as usize
                % cookies.len();
            Call::get("/get-session", Some(&cookies[pick]))
        })
    };
    let reads = load::run_requests(&targets, args.concurrency, args.reads, make).await;

    let mut db = Db::connect(&scratch.database_url())
        .await
        .map_err(|e| format!("PostgreSQL: {e}"))?;
    let rows = db
        .fetch_all(
            r#"select count(*) as "n", count(distinct "email") as "d" from "user" where "email" like 'hold-%'"#,
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    db.close().await;
    let users = rows[0].int("n").map_err(|e| e.to_string())?;
    let distinct = rows[0].int("d").map_err(|e| e.to_string())?;
    let peaks: Vec<String> = servers
        .iter()
        .map(|s| format!("{:.0}", s.peak_rss_kib() as f64 / 1024.0))
        .collect();

    let mut problems = Vec::new();
    if !sign_ups.errors.is_empty() {
        problems.push(format!(
            "{} sign-ups failed, first: {}",
            sign_ups.errors.len(),
            sign_ups.errors[0]
        ));
    }
    if users as usize != args.sign_ups || users != distinct {
        problems.push(format!(
            "{users} users ({distinct} distinct emails) for {} sign-ups",
            args.sign_ups
        ));
    }
    if reads.responses != args.reads || reads.failures > 0 || reads.non_2xx > 0 || reads.null_sessions > 0 {
        problems.push(format!(
            "get-session: {} answers of {}, {} without an answer, {} non-2xx, {} sessions lost; first error: {:?}",
            reads.responses, args.reads, reads.failures, reads.non_2xx, reads.null_sessions, reads.first_error
        ));
    }
    let report = format!(
        "# Load held: {instances} Keyward instances on PostgreSQL + Redis\n\n\
         Concurrency {concurrency}, requests spread over the instances; one load generator on the same 2 cores.\n\n\
         | phase | requests | failed or 5xx | throughput req/s | p50 ms | p99 ms |\n|---|---|---|---|---|---|\n\
         | sign-up | {sign_up_count} | {sign_up_errors} | {sign_up_rate:.1} | {sign_up_p50:.1} | {sign_up_p99:.1} |\n\
         | get-session | {read_count} | {read_errors} | {read_rate:.0} | {read_p50:.2} | {read_p99:.2} |\n\n\
         Users in the database: {users} ({distinct} distinct emails) for {sign_up_count} sign-ups; \
         get-session answers without the session: {lost}. Peak RSS per instance (MiB): {peaks}.\n\n\
         Result: {verdict}\n",
        instances = servers.len(),
        concurrency = args.concurrency,
        sign_up_count = args.sign_ups,
        sign_up_errors = sign_ups.errors.len(),
        sign_up_rate = sign_ups.cookies.len() as f64 / sign_ups.elapsed.as_secs_f64().max(1e-9),
        sign_up_p50 = ms(&sign_ups.latency, 0.5),
        sign_up_p99 = ms(&sign_ups.latency, 0.99),
        read_count = reads.responses,
        read_errors = reads.failures + reads.non_2xx,
        read_rate = reads.throughput(),
        read_p50 = reads.quantile_ms(0.5),
        read_p99 = reads.quantile_ms(0.99),
        lost = reads.null_sessions,
        peaks = peaks.join(", "),
        verdict = if problems.is_empty() {
            "nothing failed, nothing lost, nothing duplicated.".to_owned()
        } else {
            format!("FAILED: {}", problems.join("; "))
        },
    );
    std::fs::write(args.out.join("hold.md"), &report).map_err(|e| e.to_string())?;
    if problems.is_empty() { Ok(report) } else { Err(report) }
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("keyward-hold: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(report) => {
            println!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(report) => {
            eprintln!("{report}");
            std::process::ExitCode::FAILURE
        }
    }
}
