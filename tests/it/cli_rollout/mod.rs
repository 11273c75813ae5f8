//! `rollout …` from the built binary against the local AgentCore: status of a stored rollout
//! (its JSON shape, stalled), refusals before any change (no rollout, wrong state, bad or
//! unknown plans, protection), exit codes.

mod controls;
mod drive;
mod live;
mod refusals;
mod status;

use std::time::Duration;

use agentcore_console::backend::Clients;
use agentcore_console::backend::rollout::store;
use agentcore_console::domain::rollout::{
    Evaluation, GateName, GateResult, Gates, Plan, Proportion, RolloutState, Start,
};
use assert_cmd::Command;
use serde_json::Value;

use crate::support::cli::{self, BIN, World};
use crate::support::emulator;

/// Run the binary with these arguments as they are; (exit code, stdout, stderr).
async fn rollout(w: &World, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("--config")
        .arg(&w.config)
        .env("AGENTCORE_CONSOLE_STATE_DIR", &w.state)
        .arg("rollout")
        .args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The SDK clients for the world's `dev` (the same bucket the CLI derives).
async fn dev(w: &World) -> Clients {
    Clients::build(&emulator::env("dev", &w.local.url, "us-west-2", None)).await
}

/// A rollout of `weather` in dev on a seconds-long plan, at its first step, its lease held
/// by `ana@laptop` from `now_ms`, with one evaluation recorded.
fn running(now_ms: i64) -> RolloutState {
    let mut plan = Plan::builtin("seed").expect("seed");
    plan.name = "quick".into();
    plan.gates.interval = Duration::from_secs(1);
    plan.gates.observe = vec![GateName::MaxP99LatencyRatio];
    let mut s = RolloutState::new(
        Start {
            id: "r1".into(),
            env: "dev".into(),
            runtime: "weather".into(),
            runtime_id: "weather-abc".into(),
            runtime_arn: "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/weather-abc"
                .into(),
            stable_endpoint: "live".into(),
            canary_endpoint: "canary".into(),
            plan,
            canary_version: "2".into(),
            stable_version: Some("1".into()),
            previous_canary_version: Some("1".into()),
            smoke: None,
            by: "ana@laptop".into(),
            driver: "d1".into(),
        },
        now_ms,
    );
    s.note(
        now_ms,
        "ana@laptop",
        "start",
        "10% of new sessions to version 2",
    );
    let gates = Gates {
        min_invocations: 20,
        observe: vec![GateName::MaxP99LatencyRatio],
        ..Gates::default()
    };
    s.record(
        Evaluation {
            at_ms: now_ms + 1_000,
            gates: vec![GateResult::error_rate(
                GateName::MaxErrorRate,
                Proportion::new(1, 100),
                5.0,
                &gates,
            )],
        },
        now_ms + 1_000,
    );
    s
}

/// Store `state` as the runtime's rollout, replacing any.
async fn put(c: &Clients, state: &RolloutState) {
    let etag = store::load(c, &state.runtime)
        .await
        .expect("load")
        .map(|s| s.etag);
    store::put(c, state, etag.as_deref())
        .await
        .map_err(|e| format!("{e:?}"))
        .expect("put");
}

/// The audit entries of `action`.
fn audited(w: &World, action: &str) -> Vec<Value> {
    cli::audit(w)
        .into_iter()
        .filter(|e| e["action"] == action)
        .collect()
}
