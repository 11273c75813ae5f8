//! Faults on loopback: a local AgentCore that can be restarted on the same address, and a
//! proxy in front of one that answers ThrottlingException to chosen operations.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use agentcore_console::emulator;
use axum::body::Body;
use axum::http::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A local AgentCore that keeps its address across restarts, as a real one would.
pub struct Restartable {
    pub url: String,
    dir: PathBuf,
    addr: SocketAddr,
    running: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl Restartable {
    pub async fn start(dir: &Path) -> Self {
        let listener = emulator::bind("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut r = Self {
            url: format!("http://{addr}"),
            dir: dir.to_path_buf(),
            addr,
            running: None,
        };
        r.serve(listener);
        r
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let (tx, rx) = oneshot::channel();
        let mut opts = emulator::Options::new(&self.dir);
        opts.settle_delay = std::time::Duration::from_millis(50);
        let task = tokio::spawn(async move {
            emulator::serve(listener, opts, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        self.running = Some((tx, task));
    }

    pub async fn stop(&mut self) {
        if let Some((tx, task)) = self.running.take() {
            let _ = tx.send(());
            task.await.expect("server task");
        }
    }

    /// Stop, then serve the same state dir on the same address.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = emulator::bind(self.addr)
            .await
            .expect("rebind the same port");
        self.serve(listener);
    }
}

/// Forwards everything to `upstream`, except that the first `count` requests for the
/// awsJson operation `target` (e.g. `Logs_20140328.FilterLogEvents`) get a throttling error.
pub async fn throttling_proxy(upstream: &str, target: &'static str, count: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = upstream.to_string();
    let left = Arc::new(AtomicUsize::new(count));
    let client: Client<_, Body> = Client::builder(TokioExecutor::new()).build_http();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let (upstream, left, client) = (upstream.clone(), Arc::clone(&left), client.clone());
        async move {
            let hit = req
                .headers()
                .get("x-amz-target")
                .is_some_and(|t| t == target);
            if hit
                && left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
            {
                return Response::builder()
                    .status(400)
                    .header("content-type", "application/x-amz-json-1.1")
                    .body(Body::from(
                        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                    ))
                    .expect("response");
            }
            let (mut parts, body) = req.into_parts();
            let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            parts.uri = format!("{upstream}{path}").parse().expect("uri");
            match client.request(Request::from_parts(parts, body)).await {
                Ok(resp) => resp.map(Body::new),
                Err(e) => Response::builder()
                    .status(502)
                    .body(Body::from(e.to_string()))
                    .expect("response"),
            }
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// Forwards everything to `upstream`, except that restJson requests for which
/// `reject(method, path)` holds get a ValidationException (not retried by the SDKs).
pub async fn rejecting_proxy(upstream: &str, reject: fn(&str, &str) -> bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = upstream.to_string();
    let client: Client<_, Body> = Client::builder(TokioExecutor::new()).build_http();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let (upstream, client) = (upstream.clone(), client.clone());
        async move {
            if reject(req.method().as_str(), req.uri().path()) {
                return Response::builder()
                    .status(400)
                    .header("content-type", "application/json")
                    .header("x-amzn-errortype", "ValidationException")
                    .body(Body::from(r#"{"message":"rejected by the test proxy"}"#))
                    .expect("response");
            }
            let (mut parts, body) = req.into_parts();
            let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            parts.uri = format!("{upstream}{path}").parse().expect("uri");
            match client.request(Request::from_parts(parts, body)).await {
                Ok(resp) => resp.map(Body::new),
                Err(e) => Response::builder()
                    .status(502)
                    .body(Body::from(e.to_string()))
                    .expect("response"),
            }
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}
