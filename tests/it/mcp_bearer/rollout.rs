//! A blue/green rollout of a JWT runtime: its MCP validation of the canary endpoint goes over
//! bearer with the environment's token_command.

use std::time::{Duration, Instant};

use agentcore_console::backend::Backend;
use agentcore_console::backend::audit::{Actor, AuditLog};
use agentcore_console::backend::rollout::{self, Driving, StartRequest, driver};
use agentcore_console::domain::rollout::{Gates, Plan, PlanKind, Step};
use tokio::sync::{mpsc, watch};

use super::cli::run;
use super::*;
use crate::support::cli::FIXTURE_DIR;

#[tokio::test(flavor = "multi_thread")]
async fn a_blue_green_rollout_validates_a_jwt_runtime_over_bearer() {
    let w = world().await;
    let (cmd, runs_file) = w.minting_command("bg", "1h");
    let config = w.config(Some(&cmd));
    let state = w.dir.path().join("state");
    // Version 2 of `secure` (validated over bearer too), `live` on version 1.
    for args in [
        &[
            "--env",
            "prod",
            "deploy",
            "secure",
            "--from-dir",
            FIXTURE_DIR,
            "--arm",
            "--yes",
        ][..],
        &[
            "--env",
            "prod",
            "point",
            "secure",
            "--endpoint",
            "live",
            "--version",
            "1",
            "--arm",
            "--yes",
        ],
    ] {
        let (ok, out, err) = run(&config, &state, &[], args).await;
        assert!(ok, "{args:?}: {out}\n{err}");
    }
    let backend = Arc::new(Backend::new(vec![w.env(Some(&cmd))]));
    let before = w.counts.bearer();
    let (events, _rx) = mpsc::unbounded_channel();
    let (stop, stop_rx) = watch::channel(false);
    let (b, audit) = (
        Arc::clone(&backend),
        AuditLog::at(state.join("audit.jsonl")),
    );
    let task = tokio::spawn(async move {
        let actor = Actor {
            user: "ana".into(),
            command: "agentcore-console rollout start secure".into(),
        };
        let plan = Plan {
            name: "blue-green".into(),
            kind: PlanKind::BlueGreen,
            steps: vec![Step::Approve],
            gates: Gates {
                interval: Duration::from_secs(1),
                ..Gates::default()
            },
        };
        let req = StartRequest {
            env: "prod".into(),
            runtime: "secure".into(),
            canary_version: "2".into(),
            plan,
            smoke: None,
        };
        let driving = Driving {
            actor: &actor,
            audit: &audit,
            events,
            stop: stop_rx,
        };
        driver::start(&b, req, true, driving).await
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let validated = loop {
        let s = rollout::status(&backend, "prod", "secure")
            .await
            .expect("status");
        if let Some(e) = s
            .as_ref()
            .and_then(|s| s.log.iter().find(|e| e.event == "validate"))
        {
            break e.message.clone();
        }
        assert!(Instant::now() < deadline, "no validation: {s:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        validated.contains("`canary` (version 2): tiny 1 lists 1 tool (version)"),
        "{validated}"
    );
    assert!(w.counts.bearer() > before, "validated over bearer");
    assert_eq!(
        runs(&runs_file),
        2,
        "one token for the CLI's run, one for the driver's"
    );
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
}
