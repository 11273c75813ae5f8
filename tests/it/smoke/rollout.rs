//! Rollouts with smoke checks from the built binary: `rollout start --smoke FILE` keeps the
//! spec in the rollout's state; blue/green runs it on the canary after tools/list and rolls
//! back when it fails; a plan's `require_smoke = true` gate runs it at each evaluation.

use agentcore_console::backend::{Backend, rollout};
use agentcore_console::config::smoke::load;

use super::*;
use crate::support::cli::world;
use crate::support::emulator;

const ECHO: &str =
    "[[check]]\ntool = \"echo\"\narguments = { text = \"hi\" }\ntext_contains = \"hi\"\n";

/// `sample` v1 on `live` and `canary` (0% on the gateway), then v2 with `vars`.
async fn setup(w: &World, vars: &[&str]) {
    deploy_sample(w, "sample", &[]).await;
    let mut args = vec!["--env", "dev", "deploy", "sample", "--from-dir", SAMPLE_DIR];
    for v in vars {
        args.extend(["--env-var", v]);
    }
    json(w, &args).await;
    json(
        w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "sample",
            "--canary-version",
            "1",
            "--weight",
            "0",
        ],
    )
    .await;
}

async fn start(w: &World, version: &str, plan: &str, smoke: Option<&Path>) -> Ran {
    let mut args = vec![
        "--env",
        "dev",
        "rollout",
        "start",
        "sample",
        "--canary-version",
        version,
        "--plan",
        plan,
        "--yes",
    ];
    if let Some(s) = smoke {
        args.extend(["--smoke", s.to_str().expect("path")]);
    }
    ran(w, None, &args).await
}

async fn state(w: &World) -> agentcore_console::domain::rollout::RolloutState {
    let backend = Backend::new(vec![emulator::env("dev", &w.local.url, "us-west-2", None)]);
    rollout::status(&backend, "dev", "sample")
        .await
        .expect("status")
        .expect("a rollout")
}

#[tokio::test(flavor = "multi_thread")]
async fn blue_green_with_failing_smoke_checks_rolls_back_before_any_traffic() {
    let w = world().await;
    setup(&w, &["MCP_TOOL_ERROR_RATE=1"]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write(dir.path(), "smoke.toml", ECHO);
    let r = start(&w, "2", "blue-green", Some(&spec)).await;
    assert_eq!(r.code, 3, "{}\n{}", r.out, r.err);
    assert!(
        r.out.contains(
            "InvokeAgentRuntime (smoke checks (1 check)) on canary after tools/list; a failure \
             rolls back"
        ),
        "the preview lists the step: {}",
        r.out
    );
    let s = state(&w).await;
    assert_eq!(s.phase.as_str(), "rolled-back", "{:#?}", s.log);
    assert_eq!(
        s.smoke,
        Some(load(&spec).expect("spec")),
        "the spec is in the stored state"
    );
    let validate = s
        .log
        .iter()
        .find(|e| e.event == "validate")
        .expect("validated");
    assert!(
        validate.message.contains(
            "failed: `canary` (version 2): smoke 0/1 passed: check echo #1: isError: expected \
             false, got true"
        ),
        "{validate:?}"
    );
    assert!(
        s.reason
            .as_deref()
            .is_some_and(|r| r.contains("no traffic was switched")),
        "{:?}",
        s.reason
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_require_smoke_gate_fails_a_failing_canary_and_passes_a_healthy_one() {
    let w = world().await;
    setup(&w, &["MCP_TOOL_ERROR_RATE=1"]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write(dir.path(), "smoke.toml", ECHO);
    let plan = write(
        dir.path(),
        "gated.toml",
        "[[step]]\nweight = 10\nbake = \"3s\"\n[gates]\ninterval = \"1s\"\nfailure_limit = 1\n\
         require_smoke = true\n",
    );
    let plan = plan.to_str().expect("path");

    // No smoke file for a plan that requires one: refused before anything changes.
    let r = start(&w, "2", plan, None).await;
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err
            .contains("plan `gated` requires smoke checks (require_smoke = true)")
            && r.err.contains("--smoke FILE"),
        "{}",
        r.err
    );

    let r = start(&w, "2", plan, Some(&spec)).await;
    assert_eq!(r.code, 3, "{}\n{}", r.out, r.err);
    let s = state(&w).await;
    let reason = s.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("require_smoke")
            && reason
                .contains("smoke 0/1 passed: check echo #1: isError: expected false, got true"),
        "{reason}"
    );
    let gate = s
        .evaluations
        .last()
        .and_then(|r| {
            r.evaluation
                .gates
                .iter()
                .find(|g| g.gate.as_str() == "require_smoke")
        })
        .expect("the smoke gate's evidence");
    assert_eq!(
        (gate.value, gate.samples.canary),
        (Some(1.0), 1),
        "{gate:#?}"
    );

    // A healthy version passes the same gate and is promoted.
    json(
        &w,
        &[
            "--env",
            "dev",
            "deploy",
            "sample",
            "--from-dir",
            SAMPLE_DIR,
            "--unset-env-var",
            "MCP_TOOL_ERROR_RATE",
        ],
    )
    .await;
    let r = start(&w, "3", plan, Some(&spec)).await;
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    let s = state(&w).await;
    assert_eq!(s.phase.as_str(), "promoted", "{:#?}", s.log);
    assert!(
        s.evaluations.iter().all(|r| r
            .evaluation
            .gates
            .iter()
            .any(|g| g.gate.as_str() == "require_smoke"
                && g.detail.as_deref() == Some("smoke 1/1 passed"))),
        "{:#?}",
        s.evaluations
    );
}
