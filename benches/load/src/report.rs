//! Medians over rounds, ratios Keyward/better-auth, and the Markdown report.

use std::fmt::Write as _;

use serde::Serialize;

use crate::Args;

/// One measurement.
#[derive(Clone, Debug, Serialize)]
pub struct Sample {
    /// Responses per second.
    pub throughput: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 99th percentile latency.
    pub p99_ms: f64,
    /// Responses counted.
    pub responses: u64,
    /// Responses that were not 2xx.
    pub non_2xx: u64,
    /// Requests without a response.
    pub failures: u64,
    /// p50 and p99 of the `GET /get-session` requests alone, when the workload mixes
    /// them with others.
    pub get_session_in_mix_ms: Option<(f64, f64)>,
    /// Throughput of the background load (sign-ins), when there was one.
    pub background_throughput: Option<f64>,
    /// Highest resident memory sampled during the measurement, KiB.
    pub peak_rss_kib: u64,
    /// The first non-2xx response, if any.
    pub first_error: Option<String>,
}

impl Sample {
    /// A one-line summary for the progress log.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{:>9.1} req/s  p50 {:>8.3} ms  p99 {:>8.3} ms  rss {:>4} MiB",
            self.throughput,
            self.p50_ms,
            self.p99_ms,
            self.peak_rss_kib / 1024
        );
        if let Some(background) = self.background_throughput {
            let _ = write!(line, "  (sign-ins {background:.1}/s)");
        }
        if self.non_2xx + self.failures > 0 {
            let _ = write!(line, "  non-2xx {} failures {}", self.non_2xx, self.failures);
        }
        if let Some(error) = &self.first_error {
            let _ = write!(line, "  first: {error}");
        }
        line
    }
}

#[derive(Clone, Debug, Serialize)]
struct Entry {
    storage: String,
    workload: String,
    server: String,
    sample: Sample,
}

#[derive(Clone, Debug, Serialize)]
struct Memory {
    storage: String,
    server: String,
    idle_rss_kib: u64,
    peak_rss_kib: u64,
}

/// Every measurement of a run.
#[derive(Default, Debug)]
pub struct Samples {
    entries: Vec<Entry>,
    memory: Vec<Memory>,
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    })
}

/// Medians over rounds of one (storage, workload, server).
struct Summary {
    throughput: f64,
    min: f64,
    max: f64,
    p50: f64,
    p99: f64,
    get_session_in_mix: Option<(f64, f64)>,
    peak_rss_kib: f64,
    background: Option<f64>,
    bad: u64,
}

impl Samples {
    /// Records a measurement.
    pub fn push(&mut self, storage: &str, workload: &str, server: &str, sample: Sample) {
        self.entries.push(Entry {
            storage: storage.to_owned(),
            workload: workload.to_owned(),
            server: server.to_owned(),
            sample,
        });
    }

    /// Records a server's idle and peak memory.
    pub fn memory(&mut self, storage: &str, server: &str, idle_rss_kib: u64, peak_rss_kib: u64) {
        self.memory.push(Memory {
            storage: storage.to_owned(),
            server: server.to_owned(),
            idle_rss_kib,
            peak_rss_kib,
        });
    }

    /// Everything, raw.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"measurements": self.entries, "memory": self.memory})
    }

    fn summary(&self, storage: &str, workload: &str, server: &str) -> Option<Summary> {
        let samples: Vec<&Sample> = self
            .entries
            .iter()
            .filter(|e| e.storage == storage && e.workload == workload && e.server == server)
            .map(|e| &e.sample)
            .collect();
        let pick = |f: fn(&Sample) -> f64| samples.iter().map(|s| f(s)).collect::<Vec<_>>();
        let throughputs = pick(|s| s.throughput);
        Some(Summary {
            throughput: median(throughputs.clone())?,
            min: throughputs.iter().copied().fold(f64::INFINITY, f64::min),
            max: throughputs.iter().copied().fold(0.0, f64::max),
            p50: median(pick(|s| s.p50_ms))?,
            p99: median(pick(|s| s.p99_ms))?,
            get_session_in_mix: median(
                samples
                    .iter()
                    .filter_map(|s| s.get_session_in_mix_ms.map(|m| m.0))
                    .collect(),
            )
            .zip(median(
                samples
                    .iter()
                    .filter_map(|s| s.get_session_in_mix_ms.map(|m| m.1))
                    .collect(),
            )),
            peak_rss_kib: median(pick(|s| s.peak_rss_kib as f64))?,
            background: median(samples.iter().filter_map(|s| s.background_throughput).collect()),
            bad: samples.iter().map(|s| s.non_2xx + s.failures).sum(),
        })
    }
}

fn rate(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn ms(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

/// The report: per storage, every workload's medians and ratios; then memory.
pub fn markdown(samples: &Samples, workloads: &[String], args: &Args) -> String {
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let _ = writeln!(
        out,
        "# Keyward vs better-auth 1.7.25\n\n{} rounds × {} s per measurement, A/B order alternating; medians over rounds \
         ([min–max] of throughput). One load generator (1 thread, closed loop, keep-alive) on the same {cores} cores. \
         Both servers on the same database, rate limits off, plugins {} (+ bearer). \
         Ratios: throughput Keyward/better-auth; p99 better-auth/Keyward (higher is better for Keyward).\n",
        args.rounds,
        args.seconds,
        args.plugins.replace(',', ", ")
    );
    let storages: Vec<&String> = args.storage.iter().collect();
    for storage in storages {
        let _ = writeln!(out, "## {storage}\n");
        let _ = writeln!(
            out,
            "| workload | Keyward req/s | better-auth req/s | ratio | Keyward p50 / p99 ms | better-auth p50 / p99 ms | p99 ratio | peak RSS MiB Keyward / better-auth | axum hello req/s | Keyward / hello |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
        let mut notes = Vec::new();
        for workload in workloads {
            let (Some(k), Some(b)) = (
                samples.summary(storage, workload, "keyward"),
                samples.summary(storage, workload, "better-auth"),
            ) else {
                continue;
            };
            let hello = samples.summary(storage, workload, "axum-hello");
            let (hello_rate, hello_ratio) = hello.map_or(("".to_owned(), "".to_owned()), |h| {
                (rate(h.throughput), format!("{:.2}", k.throughput / h.throughput))
            });
            let _ = writeln!(
                out,
                "| {workload} | {} [{}–{}] | {} [{}–{}] | **{:.1}×** | {} / {} | {} / {} | {:.1}× | {} / {} | {hello_rate} | {hello_ratio} |",
                rate(k.throughput),
                rate(k.min),
                rate(k.max),
                rate(b.throughput),
                rate(b.min),
                rate(b.max),
                k.throughput / b.throughput,
                ms(k.p50),
                ms(k.p99),
                ms(b.p50),
                ms(b.p99),
                b.p99 / k.p99,
                mib(k.peak_rss_kib as u64),
                mib(b.peak_rss_kib as u64),
            );
            if let (Some((k50, k99)), Some((b50, b99))) = (k.get_session_in_mix, b.get_session_in_mix) {
                notes.push(format!(
                    "- {workload}: its get-session requests alone, p50 / p99 ms: Keyward {} / {}, better-auth {} / {}.",
                    ms(k50),
                    ms(k99),
                    ms(b50),
                    ms(b99)
                ));
            }
            if let (Some(kb), Some(bb)) = (k.background, b.background) {
                notes.push(format!(
                    "- {workload}: the sign-ins running meanwhile: Keyward {} req/s, better-auth {} req/s.",
                    rate(kb),
                    rate(bb)
                ));
            }
            if k.bad + b.bad > 0 {
                notes.push(format!(
                    "- {workload}: non-2xx or failed requests: Keyward {}, better-auth {}.",
                    k.bad, b.bad
                ));
            }
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "\n{}", notes.join("\n"));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Memory (RSS)\n");
    let _ = writeln!(out, "| storage | server | idle MiB | peak MiB (VmHWM) |");
    let _ = writeln!(out, "|---|---|---|---|");
    for memory in &samples.memory {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            memory.storage,
            memory.server,
            mib(memory.idle_rss_kib),
            mib(memory.peak_rss_kib)
        );
    }
    for storage in &args.storage {
        let find = |server: &str| {
            samples
                .memory
                .iter()
                .find(|m| &m.storage == storage && m.server == server)
                .map(|m| m.peak_rss_kib as f64)
        };
        if let (Some(k), Some(b)) = (find("keyward"), find("better-auth")) {
            let _ = writeln!(
                out,
                "\n{storage}: peak RSS better-auth/Keyward = {:.1}×",
                b / k.max(1.0)
            );
        }
    }
    out
}
