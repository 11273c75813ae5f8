//! `metrics` from the binary: the counts and latencies are those of the invocations really
//! made, per endpoint (so per version), through the backend's one GetMetricData call.

use crate::support::cli;
use crate::support::emulator as support;

use aws_sdk_bedrockagentcore::primitives::Blob;
use cli::{World, json, run};
use serde_json::Value;
use support::*;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");
const ECHO: &str = r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;

async fn deploy(w: &World, endpoint: &str, error_rate: &str) -> String {
    let report = json(
        w,
        &[
            "--env",
            "dev",
            "deploy",
            "sample",
            "--from-dir",
            SAMPLE,
            "--entry-point",
            "main.py",
            "--endpoint",
            endpoint,
            "--env-var",
            &format!("MCP_ERROR_RATE={error_rate}"),
        ],
    )
    .await;
    report["arn"].as_str().expect("runtime ARN").to_string()
}

/// `n` tools/call through InvokeAgentRuntime on `qualifier`; how many failed.
async fn calls(w: &World, arn: &str, qualifier: &str, n: usize) -> usize {
    let c = clients(&w.local.url, "us-west-2").await;
    let mut failed = 0;
    for _ in 0..n {
        let r = c
            .data
            .invoke_agent_runtime()
            .agent_runtime_arn(arn)
            .qualifier(qualifier)
            .content_type("application/json")
            .accept("application/json, text/event-stream")
            .payload(Blob::new(ECHO))
            .send()
            .await;
        if let Ok(out) = r {
            out.response.collect().await.expect("body");
        } else {
            failed += 1;
        }
    }
    failed
}

fn endpoint<'a>(m: &'a Value, name: &str) -> &'a Value {
    m["endpoints"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["endpoint"] == name))
        .unwrap_or_else(|| panic!("endpoint {name} in {m}"))
}

#[tokio::test]
async fn metrics_count_what_was_invoked_per_endpoint_and_version() {
    let w = cli::world().await;
    let arn = deploy(&w, "live", "0").await;
    assert_eq!(calls(&w, &arn, "live", 6).await, 0);
    deploy(&w, "canary", "1").await;
    assert_eq!(
        calls(&w, &arn, "canary", 4).await,
        4,
        "MCP_ERROR_RATE=1 fails every call"
    );

    let all = json(&w, &["--env", "dev", "metrics", "sample", "--since", "10m"]).await;
    let m = &all[0];
    assert_eq!(
        (m["env"].as_str(), m["runtime"].as_str()),
        (Some("dev"), Some("sample"))
    );
    assert_eq!(m["period"], 60);
    let grid = m["timestamps"].as_array().expect("timestamps").len();
    assert!((10..=11).contains(&grid), "{grid} periods in 10 minutes");
    let (live, canary) = (endpoint(m, "live"), endpoint(m, "canary"));
    assert_eq!(
        (live["version"].as_str(), canary["version"].as_str()),
        (Some("1"), Some("2"))
    );
    let t = |e: &Value, k: &str| e["totals"][k].as_f64();
    assert_eq!(t(live, "invocations"), Some(6.0), "{live}");
    assert_eq!(t(live, "errors"), Some(0.0), "{live}");
    assert_eq!(t(live, "errorRate"), Some(0.0));
    assert_eq!(
        t(live, "sessions"),
        Some(6.0),
        "each call without a session id is a new one"
    );
    assert_eq!(t(canary, "invocations"), Some(4.0), "{canary}");
    assert_eq!(t(canary, "errors"), Some(4.0), "{canary}");
    assert_eq!(t(canary, "errorRate"), Some(100.0));
    assert!(t(live, "latestP99").is_some_and(|v| v > 0.0), "{live}");
    // The series sum to the totals, on the same grid.
    let sum = |e: &Value, k: &str| -> f64 {
        let s = e[k].as_array().expect("series");
        assert_eq!(s.len(), grid);
        s.iter().filter_map(Value::as_f64).sum()
    };
    assert_eq!(sum(live, "invocations"), 6.0);
    assert_eq!(sum(canary, "errors"), 4.0);

    let (ok, table, err) = run(&w, &["--env", "dev", "metrics", "sample"]).await;
    assert!(ok, "{err}");
    let canary_row = table
        .lines()
        .find(|l| l.starts_with("canary"))
        .expect("canary row");
    assert!(canary_row.contains("100.0"), "{table}");

    for (args, expect) in [
        (
            vec!["metrics", "sample", "--period", "90"],
            "multiple of 60",
        ),
        (
            vec!["metrics", "sample", "--since", "5m", "--until", "10m"],
            "--until",
        ),
        (vec!["metrics", "ghost"], "no such runtime"),
        (vec!["metrics", "sample", "--period", "soon"], "duration"),
    ] {
        let mut full = vec!["--env", "dev"];
        full.extend(args.iter().copied());
        let (ok, _, err) = run(&w, &full).await;
        assert!(!ok && err.contains(expect), "{args:?}: {err}");
    }
    w.local.stop().await;
}
