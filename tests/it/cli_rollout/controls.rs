//! `rollout approve|pause|resume|abort` from other processes while `start` drives: each takes
//! effect, prints the resulting state, and `resume` of a paused rollout with a live driver
//! hands it back to that driver.

use serde_json::Value;

use super::drive::start_args;
use super::live::{LIMIT, Traffic, plan_file, setup, spawn, status_becomes};
use super::rollout;
use crate::support::cli;

/// `rollout VERB sample --env dev --yes --output json`: (exit code, state printed, stdout, stderr).
async fn control(w: &cli::World, verb: &str) -> (i32, Value, String, String) {
    let (code, out, err) = rollout(
        w,
        &[verb, "sample", "--env", "dev", "--yes", "--output", "json"],
    )
    .await;
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, out, err)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_pause_resume_and_abort_act_on_the_running_rollout() {
    let w = cli::world().await;
    let url = setup(&w, &[]).await;
    let _traffic = Traffic::start(&url, 2);
    let plan = plan_file(&w, "gated", &[(20, 2), (0, 0), (50, 600)]);
    let run = spawn(&w, &start_args(&plan, true));

    status_becomes(&w, "awaiting-approval").await;
    let (code, after, _, err) = control(&w, "approve").await;
    assert_eq!(code, 0, "{err}");
    assert_ne!(after["state"], "awaiting-approval", "{after}");
    let v = status_becomes(&w, "running").await;
    assert_eq!(v["step"]["index"], 2);

    let (code, after, _, err) = control(&w, "pause").await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(after["state"], "paused");
    let (code, _, err) = rollout(&w, &["approve", "sample", "--env", "dev", "--yes"]).await;
    assert_eq!(code, 1, "nothing to approve while paused");
    assert!(err.contains("is paused, not awaiting approval"), "{err}");

    let (code, _, out, err) = control(&w, "resume").await;
    assert_eq!(code, 0, "{out}\n{err}");
    let summary: Value = serde_json::from_str(out.lines().last().expect("a line")).expect("json");
    assert_eq!(summary["outcome"], "handed", "{out}");
    let holder = summary["message"].as_str().expect("message");
    assert!(
        holder.starts_with("handed to the running driver (") && holder.contains('@'),
        "{holder}"
    );
    status_becomes(&w, "running").await;

    let (code, after, _, err) = control(&w, "abort").await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(after["state"], "aborted");
    let (code, lines, err) = tokio::time::timeout(LIMIT, run.finish())
        .await
        .expect("start ends");
    assert_eq!(code, 4, "{lines:#?}\n{err}");
}
