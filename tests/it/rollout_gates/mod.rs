//! `backend::rollout::gates` against the local AgentCore through the SDK: the sample MCP
//! server deployed on a `stable` and a `canary` endpoint, real calls driven to each, and the
//! gates judged from what AgentCore's metrics, the tool-error log filter and the alarms say.

mod failing;
mod healthy;

use std::time::{Duration, Instant};

use agentcore_console::backend::Clients;
use agentcore_console::backend::mcp::McpSession;
use agentcore_console::backend::metrics::Window;
use agentcore_console::backend::rollout::gates::{self, Legs};
use agentcore_console::domain::Environment;
use agentcore_console::domain::rollout::{Evaluation, GateName, GateResult, Gates};
use serde_json::{Value, json};

use crate::support::cli::{World, json as cli_json, world};
use crate::support::emulator as support;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");
const RUNTIME: &str = "weather";
/// Every GetMetricData the local AgentCore answers is counted by this (harmless) fault.
const COUNT_GMD: &str = "monitoring:GetMetricData:latency=1ms";

/// A world with `weather` v1 on `stable` and v2 on `canary` in dev (`config` appended to the
/// environments file first), SDK clients on it, the dev environment and the runtime's ARN.
async fn two_legs(config: &str) -> (World, Clients, Environment, String) {
    let w = world().await;
    let mut s = std::fs::read_to_string(&w.config).expect("config");
    s.push_str(config);
    std::fs::write(&w.config, s).expect("config");
    for (version, endpoint) in [("1", "stable"), ("2", "canary")] {
        let var = format!("APP_VERSION={version}");
        cli_json(
            &w,
            &[
                "--env",
                "dev",
                "deploy",
                RUNTIME,
                "--from-dir",
                SAMPLE,
                "--env-var",
                &var,
                "--endpoint",
                endpoint,
                "--yes",
            ],
        )
        .await;
    }
    let shown = cli_json(&w, &["--env", "dev", "runtime", "show", RUNTIME]).await;
    let arn = shown["runtime"]["arn"].as_str().expect("arn").to_string();
    let c = support::clients(&w.local.url, "us-west-2").await;
    let env = support::env("dev", &w.local.url, "us-west-2", None);
    (w, c, env, arn)
}

fn legs(arn: &str) -> Legs<'_> {
    Legs {
        runtime: RUNTIME,
        runtime_arn: arn,
        stable: "stable",
        canary: "canary",
    }
}

/// One MCP session on `endpoint` making `n` calls of `tool`; every result's `isError` must be
/// `is_error`. The InvokeAgentRuntime calls it made: initialize, notifications/initialized,
/// tools/list and the `n` calls.
async fn drive(
    c: &Clients,
    arn: &str,
    endpoint: &str,
    call: (&str, Value),
    n: u64,
    is_error: bool,
) -> u64 {
    let mut s = McpSession::connect(c, arn, Some(endpoint))
        .await
        .expect("connect");
    let tools = s.list_tools().await.expect("tools/list");
    for _ in 0..n {
        let r = s
            .call_tool(&tools, call.0, call.1.clone(), None)
            .await
            .expect("an answer (a tool error is in the result)");
        assert_eq!(r.is_error.unwrap_or(false), is_error, "{r:?}");
    }
    n + 3
}

fn echo() -> (&'static str, Value) {
    ("echo", json!({"text": "hi"}))
}

fn now_s() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The window from `start` to a second from now.
fn until_now(start: i64) -> Window {
    Window {
        start,
        end: now_s() + 1,
        period: 60,
    }
}

/// Evaluate until `ready` holds (metrics of the last calls and log lines land a moment after
/// the calls return; alarms move on the local AgentCore's 10 s tick), or `within` passes; the
/// last evaluation.
async fn evaluate_until(
    c: &Clients,
    legs: &Legs<'_>,
    gates: &Gates,
    (start, within): (i64, Duration),
    ready: impl Fn(&Evaluation) -> bool,
) -> Evaluation {
    let deadline = Instant::now() + within;
    loop {
        let e = gates::evaluate(c, legs, gates, until_now(start))
            .await
            .expect("evaluate");
        if ready(&e) || Instant::now() > deadline {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn gate(e: &Evaluation, name: GateName) -> &GateResult {
    e.gates
        .iter()
        .find(|g| g.gate == name)
        .unwrap_or_else(|| panic!("no {} in {e:#?}", name.as_str()))
}
