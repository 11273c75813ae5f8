//! The CI contract: every write command with `--output json` prints one JSON document on
//! stdout with the keys the README documents (and nothing else there); a refusal or failure
//! exits non-zero with its cause on stderr and `{"error", "exitCode"}` on stdout.
//! (`rollout start|resume` stream NDJSON instead: `cli_rollout::drive` checks those lines.)

use agentcore_console::backend::rollout::store;
use agentcore_console::domain::rollout::Phase;
use serde_json::Value;

use crate::support::cli::{self, FIXTURE_DIR, World, run};
use crate::support::emulator;

/// Run a write with `--output json` (and `--yes`); it must succeed and print one document.
async fn write(w: &World, args: &[&str]) -> Value {
    let mut all = vec!["--env", "dev", "--output", "json"];
    all.extend_from_slice(args);
    all.push("--yes");
    let (ok, out, err) = run(w, &all).await;
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not one document ({e}): {out}"))
}

/// The document has every key (camelCase, as documented).
fn has(doc: &Value, keys: &[&str], what: &str) {
    for k in keys {
        assert!(doc.get(k).is_some(), "{what}: no `{k}` in {doc:#}");
    }
}

/// A write that must be refused: its stderr holds the cause, stdout the error document.
async fn refused(w: &World, args: &[&str], cause: &str) {
    let mut all = vec!["--output", "json"];
    all.extend_from_slice(args);
    all.push("--yes");
    let (ok, out, err) = run(w, &all).await;
    assert!(!ok, "{args:?} was not refused: {out}");
    assert!(err.contains(cause), "{args:?}: {err}");
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(doc["exitCode"], 1, "{doc}");
    assert!(
        doc["error"].as_str().is_some_and(|e| e.contains(cause)),
        "{doc}"
    );
}

const TRAFFIC: &[&str] = &[
    "env",
    "runtime",
    "gateway",
    "gatewayUrl",
    "stable",
    "canary",
    "routes",
];
const MOVE: &[&str] = &["endpoint", "from", "to", "created"];
const ALARMS: &[&str] = &["env", "runtime", "endpoints", "items", "calls", "applied"];
const ROLLOUT: &[&str] = &[
    "env", "runtime", "id", "state", "reason", "step", "plan", "versions",
];
const DESTROY: &[&str] = &[
    "env",
    "runtime",
    "runtimeId",
    "endpoint",
    "withLogs",
    "dryRun",
    "calls",
    "deleted",
    "notDeleted",
    "error",
];

#[tokio::test]
async fn every_write_prints_one_documented_json_document() {
    let w = cli::world().await;
    let deploy = ["deploy", "weather", "--from-dir", FIXTURE_DIR];
    let first = write(&w, &[&deploy[..], &["--endpoint", "live"]].concat()).await;
    has(
        &first,
        &[
            "env",
            "runtime",
            "runtimeId",
            "arn",
            "version",
            "status",
            "created",
            "artifact",
            "tools",
            "endpoint",
            "posture",
            "weakenings",
            "logRetention",
        ],
        "deploy",
    );
    write(&w, &[&deploy[..], &["--env-var", "APP_VERSION=2"]].concat()).await;
    let pointed = write(
        &w,
        &["point", "weather", "--endpoint", "canary", "--version", "2"],
    )
    .await;
    has(&pointed, MOVE, "point");
    write(
        &w,
        &["point", "weather", "--endpoint", "canary", "--version", "1"],
    )
    .await;
    let back = write(&w, &["rollback", "weather", "--endpoint", "canary"]).await;
    has(&back, MOVE, "rollback");
    assert_eq!(back["to"], "2");

    let set = [
        "traffic",
        "set",
        "weather",
        "--canary-version",
        "2",
        "--weight",
        "10",
    ];
    has(&write(&w, &set).await, TRAFFIC, "traffic set");
    has(
        &write(&w, &["traffic", "abort", "weather"]).await,
        TRAFFIC,
        "traffic abort",
    );
    write(&w, &set).await;
    has(
        &write(&w, &["traffic", "promote", "weather"]).await,
        TRAFFIC,
        "traffic promote",
    );
    has(
        &write(&w, &["alarms", "apply", "weather"]).await,
        ALARMS,
        "alarms apply",
    );

    // A rollout, stored as `rollout start` leaves it, driven through its controls.
    let c = emulator::clients(&w.local.url, "us-west-2").await;
    let state = crate::destroy::refusals::rollout_state(&c, "weather").await;
    store::put(&c, &state, None).await.expect("put");
    let paused = write(&w, &["rollout", "pause", "weather"]).await;
    has(&paused, ROLLOUT, "rollout pause");
    assert_eq!(paused["state"], "paused");
    store::update(&c, "weather", |s| {
        s.phase = Phase::AwaitingApproval;
        Ok(true)
    })
    .await
    .expect("awaiting approval");
    has(
        &write(&w, &["rollout", "approve", "weather"]).await,
        ROLLOUT,
        "rollout approve",
    );
    let aborted = write(&w, &["rollout", "abort", "weather"]).await;
    has(&aborted, ROLLOUT, "rollout abort");
    assert_eq!(aborted["state"], "aborted");

    has(
        &write(&w, &["alarms", "delete", "weather"]).await,
        ALARMS,
        "alarms delete",
    );
    let dry = write(&w, &["destroy", "weather", "--with-logs", "--dry-run"]).await;
    has(&dry, DESTROY, "destroy --dry-run");
    let done = write(&w, &["destroy", "weather", "--with-logs"]).await;
    has(&done, DESTROY, "destroy");
    assert_eq!(done["deleted"], dry["calls"]);

    // Refusals: non-zero, the cause on stderr, the error document on stdout.
    refused(&w, &["--env", "prod", "destroy", "weather"], "--arm").await;
    refused(&w, &["--env", "dev", "destroy", "weather"], "weather").await;
    refused(
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
            "150",
        ],
        "outside 0..100",
    )
    .await;
    refused(
        &w,
        &[
            "--env",
            "dev",
            "deploy",
            "weather",
            "--from-dir",
            "/nonexistent/dir",
        ],
        "/nonexistent/dir",
    )
    .await;
    w.local.stop().await;
}
