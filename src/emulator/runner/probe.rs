//! Loopback HTTP to the processes the local AgentCore runs: readiness probes and invocations.

use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub type HttpClient = Client<HttpConnector, Body>;

pub fn client() -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(Duration::from_secs(2)));
    Client::builder(TokioExecutor::new()).build(connector)
}

/// The MCP `initialize` a readiness probe sends, as a platform health check would.
const PROBE_INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"agentcore-local-probe","version":"1"}}}"#;

/// Whether the server answers: MCP servers on their path (a 2xx to `initialize`), HTTP
/// servers on `GET /ping`, anything else by accepting a connection.
pub async fn answers(client: &HttpClient, port: u16, protocol: &str, path: &str) -> bool {
    let request = match protocol {
        "MCP" => hyper::Request::post(format!("http://127.0.0.1:{port}{path}"))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(Body::new(Full::new(Bytes::from_static(
                PROBE_INIT.as_bytes(),
            )))),
        "HTTP" => hyper::Request::get(format!("http://127.0.0.1:{port}/ping")).body(Body::empty()),
        _ => {
            return tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok();
        }
    };
    let Ok(request) = request else { return false };
    match tokio::time::timeout(Duration::from_secs(5), client.request(request)).await {
        Ok(Ok(resp)) => resp.status().is_success(),
        _ => false,
    }
}
