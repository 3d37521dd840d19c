//! The load generator: closed-loop HTTP/1.1 keep-alive connections on one thread, like
//! `wrk -t1`, recording every response's latency in an HDR histogram.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http::{Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Where requests go: the socket address and the `Origin` sent with every `POST`.
#[derive(Clone, Debug)]
pub struct Target {
    /// `127.0.0.1:port`.
    pub addr: SocketAddr,
    /// Path prefix of the API, e.g. `/api/auth` (empty for the hello server).
    pub base_path: String,
    /// `http://localhost:port`, the server's own (trusted) origin.
    pub origin: String,
}

/// One request of a workload, before it is bound to a target.
#[derive(Clone, Debug)]
pub struct Call {
    /// Method.
    pub method: Method,
    /// Path below the target's base path.
    pub path: String,
    /// `Cookie` header.
    pub cookie: Option<String>,
    /// JSON body (POST only).
    pub body: Option<Bytes>,
}

impl Call {
    /// A `GET`.
    pub fn get(path: impl Into<String>, cookie: Option<&str>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            cookie: cookie.map(str::to_owned),
            body: None,
        }
    }

    /// A JSON `POST`.
    pub fn post(path: impl Into<String>, cookie: Option<&str>, body: &serde_json::Value) -> Self {
        Self {
            method: Method::POST,
            path: path.into(),
            cookie: cookie.map(str::to_owned),
            body: Some(Bytes::from(body.to_string())),
        }
    }

    fn request(&self, target: &Target) -> Request<Full<Bytes>> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(format!("{}{}", target.base_path, self.path))
            .header(header::HOST, target.addr.to_string())
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = &self.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        if self.body.is_some() {
            builder = builder
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, &target.origin);
        }
        builder
            .body(Full::new(self.body.clone().unwrap_or_default()))
            .unwrap_or_else(|_| Request::new(Full::new(Bytes::new())))
    }
}

/// Makes the `n`-th request of connection `connection`.
pub type MakeCall = Arc<dyn Fn(usize, u64) -> Call + Send + Sync>;

/// What one measured run produced.
#[derive(Clone, Debug)]
pub struct RunStats {
    /// Completed responses (any status).
    pub responses: u64,
    /// Responses whose status was not 2xx.
    pub non_2xx: u64,
    /// Requests that got no response (connection errors).
    pub failures: u64,
    /// `GET /get-session` answers that were `null` (no session).
    pub null_sessions: u64,
    /// Wall time from the first request to the last response.
    pub elapsed: Duration,
    /// Latency in microseconds.
    pub latency: Histogram<u64>,
    /// Latency of `GET /get-session` alone, in microseconds (of interest in a mix).
    pub get_session_latency: Histogram<u64>,
    /// The first non-2xx status and body seen, for the report.
    pub first_error: Option<String>,
}

impl RunStats {
    fn new() -> Self {
        Self {
            responses: 0,
            non_2xx: 0,
            failures: 0,
            null_sessions: 0,
            elapsed: Duration::ZERO,
            latency: histogram(),
            get_session_latency: histogram(),
            first_error: None,
        }
    }

    fn merge(&mut self, other: RunStats) {
        self.responses += other.responses;
        self.non_2xx += other.non_2xx;
        self.failures += other.failures;
        self.null_sessions += other.null_sessions;
        let _ = self.latency.add(&other.latency);
        let _ = self.get_session_latency.add(&other.get_session_latency);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// Responses per second.
    pub fn throughput(&self) -> f64 {
        self.responses as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// A latency quantile in milliseconds.
    pub fn quantile_ms(&self, quantile: f64) -> f64 {
        self.latency.value_at_quantile(quantile) as f64 / 1000.0
    }

    /// A latency quantile of the `GET /get-session` requests alone, in milliseconds.
    pub fn get_session_quantile_ms(&self, quantile: f64) -> f64 {
        self.get_session_latency.value_at_quantile(quantile) as f64 / 1000.0
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

/// How long a run goes on: until a moment, or until a number of requests were sent.
#[derive(Clone, Debug)]
enum Budget {
    Until(Instant),
    Requests { sent: Arc<AtomicU64>, total: u64 },
}

impl Budget {
    /// Whether there is time left (for [`Budget::Until`]).
    fn open(&self) -> bool {
        match self {
            Budget::Until(deadline) => Instant::now() < *deadline,
            Budget::Requests { sent, total } => sent.load(Ordering::Relaxed) < *total,
        }
    }

    /// Claims the next request; `false` once the budget is spent.
    fn take(&self) -> bool {
        match self {
            Budget::Until(deadline) => Instant::now() < *deadline,
            Budget::Requests { sent, total } => sent.fetch_add(1, Ordering::Relaxed) < *total,
        }
    }
}

/// Runs `concurrency` closed-loop connections against `target` for `duration`.
pub async fn run(target: &Target, concurrency: usize, duration: Duration, make: MakeCall) -> RunStats {
    let deadline = Instant::now() + duration;
    run_with(std::slice::from_ref(target), concurrency, Budget::Until(deadline), make).await
}

/// Runs `concurrency` closed-loop connections, connection `i` on `targets[i % len]`,
/// until `total` requests were sent.
pub async fn run_requests(targets: &[Target], concurrency: usize, total: u64, make: MakeCall) -> RunStats {
    let budget = Budget::Requests {
        sent: Arc::new(AtomicU64::new(0)),
        total,
    };
    run_with(targets, concurrency, budget, make).await
}

async fn run_with(targets: &[Target], concurrency: usize, budget: Budget, make: MakeCall) -> RunStats {
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|index| {
            let target = targets[index % targets.len()].clone();
            let (make, budget) = (make.clone(), budget.clone());
            tokio::spawn(async move { connection(target, index, budget, make).await })
        })
        .collect();
    let mut total = RunStats::new();
    for task in tasks {
        if let Ok(stats) = task.await {
            total.merge(stats);
        }
    }
    total.elapsed = start.elapsed();
    total
}

async fn connection(target: Target, index: usize, budget: Budget, make: MakeCall) -> RunStats {
    let mut stats = RunStats::new();
    let mut n = 0u64;
    'connect: while budget.open() {
        let Ok(stream) = TcpStream::connect(target.addr).await else {
            stats.failures += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok((mut sender, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await else {
            stats.failures += 1;
            continue;
        };
        tokio::spawn(conn);
        loop {
            if sender.ready().await.is_err() {
                continue 'connect;
            }
            if !budget.take() {
                break 'connect;
            }
            let call = make(index, n);
            n += 1;
            let sent = Instant::now();
            let response = match sender.send_request(call.request(&target)).await {
                Ok(response) => response,
                Err(_) => {
                    stats.failures += 1;
                    continue 'connect;
                }
            };
            let status = response.status();
            let Ok(body) = response.into_body().collect().await else {
                stats.failures += 1;
                continue 'connect;
            };
            let micros = sent.elapsed().as_micros().max(1) as u64;
            let _ = stats.latency.record(micros);
            let body = body.to_bytes();
            if call.method == Method::GET && call.path == "/get-session" {
                let _ = stats.get_session_latency.record(micros);
                if status.is_success() && body.as_ref() == b"null" {
                    stats.null_sessions += 1;
                }
            }
            stats.responses += 1;
            if !status.is_success() {
                stats.non_2xx += 1;
                if stats.first_error.is_none() {
                    let body = String::from_utf8_lossy(&body).chars().take(300).collect::<String>();
                    stats.first_error = Some(format!("{} {}: {status} {body}", call.method, call.path));
                }
            }
        }
    }
    stats
}

/// One request outside the measurement (setup and checks): status, `Set-Cookie`
/// headers and the JSON body (`null` when the body is not JSON).
pub async fn call(target: &Target, call: &Call) -> Result<(u16, Vec<String>, serde_json::Value), String> {
    let stream = TcpStream::connect(target.addr)
        .await
        .map_err(|e| format!("connect {}: {e}", target.addr))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let response = sender
        .send_request(call.request(target))
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_owned))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    Ok((status, cookies, json))
}
