//! Serving a router over TCP with the limits a public server needs: a deadline for a
//! request's headers, a cap on open connections, and a graceful shutdown.
//!
//! `axum::serve` has neither a header deadline nor a connection cap: a client that sends
//! half its headers keeps its connection (and a slot of the process's file descriptors)
//! for as long as it likes, and a few hundred such clients (slowloris) exhaust the server.
//! The body's deadline is applied where bodies are read ([`ConnectionLimits::body_read_timeout`]).
//!
//! ```no_run
//! use keyward_server::{Auth, Config};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env()?;
//! let limits = config.connection_limits.clone();
//! let auth = Auth::new(config).await?;
//! let app = axum::Router::new().merge(auth.router());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! keyward_server::serve(listener, app, &limits, async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await?;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::ConnectionLimits;
use crate::log_safe::Escaped;

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting and waits
/// for the requests in flight. Each request carries its peer as
/// [`ConnectInfo<SocketAddr>`](axum::extract::ConnectInfo), as with
/// `into_make_service_with_connect_info`.
///
/// A connection must deliver each request's headers within
/// [`ConnectionLimits::header_read_timeout`] (idle keep-alive connections included) or
/// it is closed; at most [`ConnectionLimits::max_connections`] are open at once, and
/// further clients wait in the listen queue until one closes.
pub async fn serve<F>(listener: TcpListener, app: Router, limits: &ConnectionLimits, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(axum::body::Body::new)
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that breaks off or times out ends its connection; nothing to report.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A failed `accept`: a client that gave up before it was accepted is no news; anything
/// else (the process is out of file descriptors) is logged, and accepting pauses for a
/// second so open connections can close.
async fn wait_after_accept_error(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %Escaped(&error), "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
