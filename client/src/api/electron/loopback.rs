//! The loopback listener of a system-browser sign-in (RFC 8252 §7.3): an HTTP server on
//! `127.0.0.1` and a port the OS picks, which lives only while the sign-in waits.
//!
//! The browser's request to the callback path is held open until the app has traded the
//! code, so the page it shows says how the sign-in really ended.

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use url::Url;

use crate::error::BrowserSignInError;

/// How long the listener lets the last pages reach the browser before it closes.
const FLUSH_TIME: Duration = Duration::from_secs(2);

/// A callback request: its query pairs, and where the page to answer it goes.
pub(super) struct Arrival {
    pub query: Vec<(String, String)>,
    pub reply: oneshot::Sender<Page>,
}

/// The page a callback request is answered with.
pub(super) struct Page {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
}

impl Page {
    fn html(&self) -> String {
        let detail = escape(&self.detail);
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body style=\"font-family:system-ui,sans-serif;text-align:center;margin-top:20vh\">\
             <h1>{title}</h1><p>{detail}</p></body></html>",
            title = self.title,
        )
    }
}

/// What [`Loopback::serve`] asks the sign-in for each callback request.
pub(super) enum Verdict<T> {
    /// Not this sign-in's (another state): answer `page` and keep waiting.
    Ignore(Page),
    /// The sign-in ended with `T`: answer `page` and stop.
    Done(Page, T),
}

/// A bound listener and the redirect URI that reaches it.
pub(super) struct Loopback {
    listener: TcpListener,
    path: String,
    redirect_uri: Url,
}

impl Loopback {
    /// Listens on `127.0.0.1` and a free port, for requests to `path`.
    pub async fn bind(path: &str) -> Result<Self, BrowserSignInError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|error| BrowserSignInError::Loopback {
                message: error.to_string(),
            })?;
        let port = listener
            .local_addr()
            .map_err(|error| BrowserSignInError::Loopback {
                message: error.to_string(),
            })?
            .port();
        let path = format!("/{}", path.trim_start_matches('/'));
        let redirect_uri =
            Url::parse(&format!("http://127.0.0.1:{port}{path}")).map_err(|error| BrowserSignInError::Loopback {
                message: format!("{path}: {error}"),
            })?;
        Ok(Self {
            listener,
            path,
            redirect_uri,
        })
    }

    /// `http://127.0.0.1:<port>/<path>`.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Answers requests until `judge` says a callback request ended the sign-in, and
    /// returns what it said. Requests to other paths get `404`, other methods `405`. The
    /// listener and every connection are closed when this returns (or is dropped).
    pub async fn serve<T, F, Fut>(self, mut judge: F) -> T
    where
        F: FnMut(Vec<(String, String)>) -> Fut,
        Fut: Future<Output = Verdict<T>>,
    {
        let (arrivals, mut arrived) = mpsc::channel::<Arrival>(8);
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        connections.spawn(serve_connection(stream, self.path.clone(), arrivals.clone()));
                    }
                }
                Some(arrival) = arrived.recv() => {
                    match judge(arrival.query).await {
                        Verdict::Ignore(page) => {
                            let _ = arrival.reply.send(page);
                        }
                        Verdict::Done(page, outcome) => {
                            let _ = arrival.reply.send(page);
                            drop(self.listener);
                            // Let the answered page (and any other in flight) reach the browser.
                            let _ = tokio::time::timeout(FLUSH_TIME, async {
                                while connections.join_next().await.is_some() {}
                            })
                            .await;
                            return outcome;
                        }
                    }
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

/// One connection: one request (no keep-alive), answered from the channel for the
/// callback path.
async fn serve_connection(stream: tokio::net::TcpStream, path: String, arrivals: mpsc::Sender<Arrival>) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let path = path.clone();
        let arrivals = arrivals.clone();
        async move { Ok::<_, Infallible>(answer(request, &path, &arrivals).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn answer(request: Request<Incoming>, path: &str, arrivals: &mpsc::Sender<Arrival>) -> Response<Full<Bytes>> {
    if request.uri().path() != path {
        return respond(&Page {
            status: StatusCode::NOT_FOUND,
            title: "Not found",
            detail: String::new(),
        });
    }
    if request.method() != Method::GET {
        return respond(&Page {
            status: StatusCode::METHOD_NOT_ALLOWED,
            title: "Method not allowed",
            detail: String::new(),
        });
    }
    let query = url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let (reply, page) = oneshot::channel();
    let gone = Page {
        status: StatusCode::GONE,
        title: "Sign-in no longer waiting",
        detail: "The app stopped waiting for this sign-in. Start it again from the app.".into(),
    };
    if arrivals.send(Arrival { query, reply }).await.is_err() {
        return respond(&gone);
    }
    respond(&page.await.unwrap_or(gone))
}

fn respond(page: &Page) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(page.html())));
    *response.status_mut() = page.status;
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        hyper::header::REFERRER_POLICY,
        hyper::header::HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `text` with HTML's special characters escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
