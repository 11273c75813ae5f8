//! For the traffic tests: raw MCP sessions through a local gateway URL (which target took a
//! new session, and which version answers in it), and the CLI steps they repeat. Needs `cli`
//! (support/cli.rs) and `support` (support/emulator.rs) declared beside it.
#![allow(dead_code)]

use serde_json::Value;

use crate::support::cli::{FIXTURE_DIR, World, json};
use crate::support::emulator::raw;

pub const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
pub const CALL: &str =
    r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"version","arguments":{}}}"#;

/// A new session through the gateway: (target, session id, the server's version).
pub async fn new_session(url: &str) -> (String, String, String) {
    let (status, resp) = post(url, None, INIT).await;
    assert_eq!(status, 200, "{resp}");
    let v = body(&resp);
    (
        header(&resp, "x-agentcore-local-target"),
        header(&resp, "mcp-session-id"),
        v["result"]["serverInfo"]["version"]
            .as_str()
            .expect("server version")
            .to_string(),
    )
}

/// A follow-up call in a session: (target, the version that answered).
pub async fn call(url: &str, session: &str) -> (String, String) {
    let (status, resp) = post(url, Some(session), CALL).await;
    assert_eq!(status, 200, "{resp}");
    let v = body(&resp);
    (
        header(&resp, "x-agentcore-local-target"),
        v["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .to_string(),
    )
}

/// POST a JSON-RPC message to a gateway URL: (status, raw response).
pub async fn post(url: &str, session: Option<&str>, msg: &str) -> (u16, String) {
    let (base, path) = split(url);
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    if let Some(s) = session {
        headers.push(("mcp-session-id", s));
    }
    raw(&base, "POST", &path, &headers, msg).await
}

fn body(resp: &str) -> Value {
    let body = resp.split("\r\n\r\n").nth(1).expect("body");
    serde_json::from_str(body).expect("json")
}

/// `http://host/path` → (`http://host`, `/path`).
pub fn split(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').expect("path");
    (format!("http://{host}"), format!("/{path}"))
}

pub fn header(resp: &str, name: &str) -> String {
    resp.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no {name} header in {resp}"))
}

/// Deploy the fixture to dev as a new version of `runtime` answering `version`.
pub async fn deploy(w: &World, runtime: &str, version: &str, endpoint: Option<&str>) {
    let var = format!("APP_VERSION={version}");
    let mut args = vec![
        "--env",
        "dev",
        "deploy",
        runtime,
        "--from-dir",
        FIXTURE_DIR,
        "--env-var",
        &var,
    ];
    if let Some(e) = endpoint {
        args.extend(["--endpoint", e]);
    }
    json(w, &args).await;
}

/// `traffic set RUNTIME --canary-version V --weight W` in dev.
pub async fn set(w: &World, runtime: &str, version: &str, weight: &str) -> Value {
    json(
        w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            runtime,
            "--canary-version",
            version,
            "--weight",
            weight,
        ],
    )
    .await
}

/// A view's routes as (target, weight).
pub fn weights(view: &Value) -> Vec<(String, i64)> {
    view["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| {
            (
                r["target"].as_str().expect("t").to_string(),
                r["weight"].as_i64().expect("w"),
            )
        })
        .collect()
}

pub fn pairs(p: &[(&str, i64)]) -> Vec<(String, i64)> {
    p.iter().map(|(t, w)| ((*t).to_string(), *w)).collect()
}

/// Open `n` sessions on a runtime's gateway URL: how many the canary got. Every session must
/// be answered by one of the runtime's own versions, the one its target serves.
pub async fn sessions_on(url: &str, runtime: &str, n: usize) -> usize {
    let base = runtime.replace('_', "-");
    let mut canary = 0;
    for _ in 0..n {
        let (target, _, version) = new_session(url).await;
        let want = if target == format!("{base}-canary") {
            canary += 1;
            format!("{runtime}-2")
        } else {
            assert_eq!(
                target,
                format!("{base}-stable"),
                "{runtime} routed elsewhere"
            );
            format!("{runtime}-1")
        };
        assert_eq!(version, want, "{runtime}: target {target}");
    }
    canary
}
