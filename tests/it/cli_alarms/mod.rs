//! `alarms`, `alarms apply` and `alarms delete` from the built binary against the local
//! AgentCore with real runtimes: the shapes made (read back through the SDK), idempotence,
//! template changes, what delete leaves alone, listing, protection, bad templates.

mod lifecycle;
mod tool_errors;

use aws_sdk_cloudwatch::types::{Dimension, MetricAlarm};
use serde_json::Value;

use crate::support::cli::{self, World, json, run_as_is};
use crate::support::emulator as support;

use agentcore_console::backend::Clients;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");

/// Deploy the sample MCP server as `name` in `env` with a `live` endpoint.
async fn deploy(w: &World, env: &str, name: &str) {
    let mut args = vec![
        "--env",
        env,
        "deploy",
        name,
        "--from-dir",
        SAMPLE,
        "--endpoint",
        "live",
        "--yes",
    ];
    if env == "prod" {
        args.push("--arm");
    }
    json(w, &args).await;
}

/// Run an `alarms` write with `--yes` (no terminal here) and these arguments.
async fn alarms(w: &World, env: &str, args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["--env", env, "alarms"];
    all.extend_from_slice(args);
    all.push("--yes");
    run_as_is(w, &all).await
}

/// The same, `--output json`, which must succeed.
async fn alarms_json(w: &World, env: &str, args: &[&str]) -> Value {
    let (ok, out, err) = alarms(w, env, &[args, &["--output", "json"]].concat()).await;
    assert!(ok, "alarms {args:?} failed: {err}");
    serde_json::from_str(&out).expect("json")
}

/// Add `text` to the environments file (an alarms template, say).
fn append_config(w: &World, text: &str) {
    let mut s = std::fs::read_to_string(&w.config).expect("config");
    s.push_str(text);
    std::fs::write(&w.config, s).expect("config");
}

async fn sdk(w: &World, region: &str) -> Clients {
    support::clients(&w.local.url, region).await
}

/// Every alarm whose name starts with `prefix` (all when empty), by name.
async fn alarms_named(c: &Clients, prefix: &str) -> Vec<MetricAlarm> {
    let mut req = c.cloudwatch.describe_alarms();
    if !prefix.is_empty() {
        req = req.alarm_name_prefix(prefix);
    }
    let mut all = req
        .send()
        .await
        .expect("DescribeAlarms")
        .metric_alarms()
        .to_vec();
    all.sort_by(|a, b| a.alarm_name().cmp(&b.alarm_name()));
    all
}

fn names(alarms: &[MetricAlarm]) -> Vec<String> {
    alarms
        .iter()
        .map(|a| a.alarm_name().unwrap_or_default().to_string())
        .collect()
}

fn dims(d: &[Dimension]) -> Vec<(String, String)> {
    let mut v: Vec<_> = d
        .iter()
        .map(|d| {
            (
                d.name().unwrap_or_default().to_string(),
                d.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The runtime's id and ARN, from `runtime show`.
async fn runtime_ids(w: &World, env: &str, name: &str) -> (String, String) {
    let v = json(w, &["--env", env, "runtime", "show", name]).await;
    let rt = &v["runtime"];
    (
        rt["id"].as_str().expect("id").to_string(),
        rt["arn"].as_str().expect("arn").to_string(),
    )
}

/// The audit entries of `action`.
fn audited(w: &World, action: &str) -> Vec<Value> {
    cli::audit(w)
        .into_iter()
        .filter(|e| e["action"] == action)
        .collect()
}
