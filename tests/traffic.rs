//! The canary split end to end: `traffic set/show/abort/promote` from the binary, and the
//! local gateway routing sessions by weight with stickiness.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/emulator.rs"]
mod support;

use cli::{FIXTURE_DIR, World, json, run};
use serde_json::Value;
use support::*;

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
const CALL: &str =
    r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"version","arguments":{}}}"#;

/// dev with `weather` v1 on `live` and a v2.
async fn world() -> World {
    let w = cli::world().await;
    for (v, endpoint) in [("APP_VERSION=1", Some("live")), ("APP_VERSION=2", None)] {
        let mut args = vec![
            "--env",
            "dev",
            "deploy",
            "weather",
            "--from-dir",
            FIXTURE_DIR,
            "--env-var",
            v,
        ];
        if let Some(e) = endpoint {
            args.extend(["--endpoint", e]);
        }
        json(&w, &args).await;
    }
    w
}

/// A new session through the gateway: (target, session id, server version).
async fn new_session(url: &str) -> (String, String) {
    let (base, path) = split(url);
    let (status, resp) = raw(
        &base,
        "POST",
        &path,
        &[
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ],
        INIT,
    )
    .await;
    assert_eq!(status, 200, "{resp}");
    (
        header(&resp, "x-agentcore-local-target"),
        header(&resp, "mcp-session-id"),
    )
}

/// A follow-up call in a session: (target, the version that answered).
async fn call(url: &str, session: &str) -> (String, String) {
    let (base, path) = split(url);
    let (status, resp) = raw(
        &base,
        "POST",
        &path,
        &[
            ("content-type", "application/json"),
            ("mcp-session-id", session),
        ],
        CALL,
    )
    .await;
    assert_eq!(status, 200, "{resp}");
    let body = resp.split("\r\n\r\n").nth(1).expect("body");
    let v: Value = serde_json::from_str(body).expect("json");
    (
        header(&resp, "x-agentcore-local-target"),
        v["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .to_string(),
    )
}

fn split(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').expect("path");
    (format!("http://{host}"), format!("/{path}"))
}

fn header(resp: &str, name: &str) -> String {
    resp.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no {name} header in {resp}"))
}

#[tokio::test]
async fn a_75_25_split_routes_sessions_by_weight_and_keeps_them_sticky() {
    let w = world().await;
    let view = json(
        &w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "weather",
            "--canary-version",
            "2",
            "--weight",
            "25",
        ],
    )
    .await;
    assert_eq!(view["canary"]["liveVersion"], "2");
    assert_eq!(view["stable"]["liveVersion"], "1");
    let weights: Vec<(String, i64)> = view["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| {
            (
                r["target"].as_str().expect("t").to_string(),
                r["weight"].as_i64().expect("w"),
            )
        })
        .collect();
    assert_eq!(
        weights,
        [
            ("weather-stable".to_string(), 75),
            ("weather-canary".to_string(), 25)
        ]
    );
    let url = view["gatewayUrl"]
        .as_str()
        .expect("gateway url")
        .to_string();

    let sessions = 400;
    let mut canary = 0;
    let mut opened = vec![];
    for _ in 0..sessions {
        let (target, session) = new_session(&url).await;
        if target == "weather-canary" {
            canary += 1;
        }
        opened.push((target, session));
    }
    // Binomial(400, 0.25): sd ≈ 8.7; ±4 sd.
    assert!(
        (65..=135).contains(&canary),
        "canary got {canary} of {sessions} new sessions"
    );
    for (target, session) in opened.iter().take(8) {
        for _ in 0..5 {
            let (t, version) = call(&url, session).await;
            assert_eq!(&t, target, "a session stays on its target");
            assert_eq!(version, if target == "weather-canary" { "2" } else { "1" });
        }
    }

    let shown = json(&w, &["--env", "dev", "traffic", "show", "weather"]).await;
    assert_eq!(shown["routes"][1]["weight"], 25);
    // What really happened, from the metrics the gateway's invocations recorded.
    let observed = &shown["observed"];
    assert!(observed["error"].is_null(), "{observed}");
    let leg = |i: usize, k: &str| observed["legs"][i][k].as_f64().unwrap_or(-1.0);
    assert_eq!(observed["legs"][1]["qualifier"], "canary");
    assert_eq!(leg(1, "sessions"), f64::from(canary), "{observed}");
    let on_canary = opened
        .iter()
        .take(8)
        .filter(|(t, _)| t == "weather-canary")
        .count();
    assert_eq!(
        leg(1, "invocations"),
        f64::from(canary) + 5.0 * on_canary as f64,
        "{observed}"
    );
    let share = leg(1, "sessionShare");
    assert!((10.0..=40.0).contains(&share), "{observed}");
    let (ok, table, err) = run(&w, &["--env", "dev", "traffic", "show", "weather"]).await;
    assert!(
        ok && table.contains("observed over the last 15 min"),
        "{table}{err}"
    );

    let aborted = json(&w, &["--env", "dev", "traffic", "abort", "weather"]).await;
    assert_eq!(aborted["routes"].as_array().map(Vec::len), Some(1));
    for _ in 0..20 {
        assert_eq!(new_session(&url).await.0, "weather-stable");
    }
    // The CLI's MCP client can go through the gateway too (a new session: stable now).
    let via = json(
        &w,
        &[
            "--env",
            "dev",
            "invoke",
            "weather",
            "--tool",
            "version",
            "--via-gateway",
        ],
    )
    .await;
    assert_eq!(via["content"][0]["text"], "1");
    // Existing canary sessions keep their target after an abort; new ones do not get it.
    let promoted = json(&w, &["--env", "dev", "traffic", "promote", "weather"]).await;
    assert_eq!(promoted["stable"]["liveVersion"], "2");
    let (_, session) = new_session(&url).await;
    assert_eq!(
        call(&url, &session).await,
        ("weather-stable".to_string(), "2".to_string())
    );

    let actions: Vec<String> = cli::audit(&w)
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_string())
        .collect();
    assert_eq!(
        &actions[2..],
        ["traffic.set", "traffic.abort", "traffic.promote"]
    );
    w.local.stop().await;
}

#[tokio::test]
async fn bad_traffic_input_changes_nothing() {
    let w = world().await;
    json(
        &w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "weather",
            "--canary-version",
            "2",
            "--weight",
            "10",
        ],
    )
    .await;
    for (args, expect) in [
        (
            vec!["--weight", "150", "--canary-version", "2"],
            "outside 0..100",
        ),
        (
            vec!["--weight", "-5", "--canary-version", "2"],
            "outside 0..100",
        ),
        (
            vec!["--weight", "20", "--canary-version", "99"],
            "no version 99",
        ),
    ] {
        let mut all = vec!["--env", "dev", "traffic", "set", "weather"];
        all.extend(args);
        let (ok, _, err) = run(&w, &all).await;
        assert!(!ok && err.contains(expect), "{all:?}: {err}");
    }
    let (ok, _, err) = run(
        &w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "ghost",
            "--canary-version",
            "1",
            "--weight",
            "5",
        ],
    )
    .await;
    assert!(!ok && err.contains("runtime `ghost` not found"), "{err}");
    let (ok, _, err) = run(&w, &["--env", "prod", "traffic", "abort", "weather"]).await;
    assert!(!ok && err.contains("read-only"), "{err}");
    let view = json(&w, &["--env", "dev", "traffic", "show", "weather"]).await;
    assert_eq!(view["routes"][1]["weight"], 10, "the split is unchanged");
    assert_eq!(view["canary"]["liveVersion"], "2");
    w.local.stop().await;
}
