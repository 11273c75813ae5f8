//! `promote --rollout PLAN`: the new version is created, then rolled out by `rollout start`'s
//! own code path: its NDJSON follows the promotion's result, its exit code is promote's.

use serde_json::Value;

use super::{deploy_dir, promote, world};
use crate::support::cli;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_ungated_plan_rolls_the_promoted_version_out() {
    let w = world().await;
    deploy_dir(&w, "staging").await;
    // The split the rollout steps: stable `live` on v1, canary at 0%.
    cli::json(
        &w,
        &[
            "--env",
            "staging",
            "traffic",
            "set",
            "tiny",
            "--canary-version",
            "1",
            "--weight",
            "0",
            "--yes",
        ],
    )
    .await;
    deploy_dir(&w, "dev").await;
    let plan = w.state.with_file_name("quick.toml");
    std::fs::write(
        &plan,
        "[[step]]\nweight = 50\nbake = \"1s\"\n[gates]\ninterval = \"1s\"\n",
    )
    .expect("plan");
    let (ok, out, err) = promote(
        &w,
        &[
            "--from",
            "dev",
            "--to",
            "staging",
            "--rollout",
            plan.to_str().expect("utf8"),
        ],
    )
    .await;
    assert!(ok, "{out}\n{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson"))
        .collect();
    assert_eq!(lines[0]["to"]["version"], "2");
    assert_eq!(lines[0]["rollout"], "quick");
    assert_eq!(lines[0]["endpoint"], Value::Null);
    assert_eq!(lines[1]["event"], "preview");
    let last = lines.last().expect("summary");
    assert_eq!(last["event"], "summary");
    assert_eq!(last["outcome"], "promoted");
    // The stable endpoint serves the promoted version at the end.
    let show = cli::json(&w, &["--env", "staging", "runtime", "show", "tiny"]).await;
    let live = show["runtime"]["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .find(|e| e["name"] == "live")
        .expect("live");
    assert_eq!(live["liveVersion"], "2");
    assert_eq!(show["runtime"]["lineage"]["env"], "dev");
}
