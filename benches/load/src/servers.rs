//! The servers under test as child processes, and their memory as Linux reports it.

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::load::{Call, Target, call};

/// A free port on 127.0.0.1.
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// The `keyward-server` command for `port` on `database_url`, signing with `secret`, rate
/// limits off and logging warnings only; callers add what is theirs.
pub fn keyward_command(binary: &Path, port: u16, database_url: &str, secret: &str) -> Command {
    let mut command = Command::new(binary);
    command
        .env("PORT", port.to_string())
        .env("BETTER_AUTH_URL", format!("http://localhost:{port}"))
        .env("BETTER_AUTH_SECRET", secret)
        .env("DATABASE_URL", database_url)
        .env("KEYWARD_RATE_LIMIT", "off")
        .env("RUST_LOG", "warn");
    command
}

/// A running server, killed when dropped.
pub struct Server {
    /// Short name for the report.
    pub name: &'static str,
    /// Where to send requests.
    pub target: Target,
    child: Child,
}

impl Server {
    /// Starts `command` (already configured with its environment), logging to
    /// `log`, and waits until `ready_path` answers 200.
    pub async fn start(
        name: &'static str,
        mut command: Command,
        port: u16,
        base_path: &str,
        ready_path: &str,
        log: &Path,
    ) -> Result<Self, String> {
        let out = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        let target = Target {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            base_path: base_path.to_owned(),
            origin: format!("http://localhost:{port}"),
        };
        let mut server = Self { name, target, child };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok((200, _, _)) = call(&server.target, &Call::get(ready_path, None)).await {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("{name} exited ({status}); see {}", log.display()));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{name} did not answer {ready_path} in 60 s; see {}",
                    log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> u64 {
        status_field(self.pid(), "VmRSS:")
    }

    /// The highest resident memory so far, in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        status_field(self.pid(), "VmHWM:")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_field(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Samples a process's resident memory every 10 ms until dropped; keeps the maximum.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    /// Starts sampling `pid`.
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, peak) = (stop.clone(), peak.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(status_field(pid, "VmRSS:"), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        Self {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    /// Stops and returns the highest sample, in KiB.
    pub fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}
