//! A loopback proxy that counts the InvokeAgentRuntime calls passing through it (and which of
//! them carried a bearer token), so a test can say how many times a client tried.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

#[derive(Default)]
pub struct Counts {
    pub invocations: AtomicUsize,
    pub bearer: AtomicUsize,
}

impl Counts {
    pub fn invocations(&self) -> usize {
        self.invocations.load(Ordering::SeqCst)
    }
    pub fn bearer(&self) -> usize {
        self.bearer.load(Ordering::SeqCst)
    }
}

/// Start the proxy in front of `upstream`; its URL and the counts.
pub async fn start(upstream: &str) -> (String, Arc<Counts>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the counting proxy");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = upstream.to_string();
    let counts = Arc::new(Counts::default());
    let client: Client<_, Body> = Client::builder(TokioExecutor::new()).build_http();
    let seen = Arc::clone(&counts);
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let (upstream, client, seen) = (upstream.clone(), client.clone(), Arc::clone(&seen));
        async move {
            let (mut parts, body) = req.into_parts();
            if parts.method == "POST" && parts.uri.path().ends_with("/invocations") {
                seen.invocations.fetch_add(1, Ordering::SeqCst);
                let bearer = parts
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("Bearer "));
                if bearer {
                    seen.bearer.fetch_add(1, Ordering::SeqCst);
                }
            }
            let path = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
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
    (url, counts)
}
