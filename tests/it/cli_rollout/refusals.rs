//! What `rollout` refuses before changing anything, and how it exits: no rollout, a change
//! that does not apply, unknown and invalid plans (before any call), a protected environment
//! unarmed, usage errors (exit 2). Refused writes are audited.

use agentcore_console::backend::rollout::now_ms;
use agentcore_console::domain::rollout::Phase;

use super::{audited, dev, put, rollout, running};
use crate::support::cli;

#[tokio::test]
async fn no_rollout_is_exit_1_and_changes_are_refused_and_audited() {
    let w = cli::world().await;
    let (code, _, err) = rollout(&w, &["status", "ghost", "--env", "dev"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("no rollout of `ghost` in `dev`"), "{err}");

    for verb in ["abort", "approve", "pause", "resume"] {
        let (code, _, err) = rollout(&w, &[verb, "ghost", "--env", "dev", "--yes"]).await;
        assert_eq!(code, 1, "{verb}: {err}");
        assert!(
            err.contains("no rollout of `ghost` in `dev`"),
            "{verb}: {err}"
        );
        let refused = audited(&w, &format!("rollout.{verb}"));
        assert_eq!(refused.len(), 1, "{verb}");
        assert!(
            refused[0]["result"]
                .as_str()
                .is_some_and(|r| r.starts_with("refused: no rollout")),
            "{refused:?}"
        );
    }
    let (code, out, err) = rollout(&w, &["list", "--env", "dev"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "no rollouts in `dev`");
}

#[tokio::test]
async fn a_change_that_does_not_apply_is_refused_before_any_write() {
    let w = cli::world().await;
    let c = dev(&w).await;
    let now = now_ms();
    put(&c, &running(now)).await;

    let (code, _, err) = rollout(&w, &["approve", "weather", "--env", "dev", "--yes"]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains("the rollout of `weather` in `dev` is running, not awaiting approval"),
        "{err}"
    );

    let mut over = running(now);
    over.finish(Phase::Promoted, now, "every step passed");
    put(&c, &over).await;
    for verb in ["abort", "pause", "resume"] {
        let (code, _, err) = rollout(&w, &[verb, "weather", "--env", "dev", "--yes"]).await;
        assert_eq!(code, 1, "{verb}");
        assert!(err.contains("is promoted"), "{verb}: {err}");
    }
    assert_eq!(audited(&w, "rollout.abort").len(), 1);
    let (_, out, _) = rollout(
        &w,
        &["status", "weather", "--env", "dev", "--output", "json"],
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["state"], "promoted", "unchanged");
}

/// An environments file whose `dev` points at a loopback port nobody listens on: any call
/// would fail to connect, so a refusal that names the plan was made before any call.
fn unreachable_dev(w: &cli::World) -> std::path::PathBuf {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let path = w.state.with_file_name("unreachable.toml");
    std::fs::write(
        &path,
        format!(
            "[environments.dev]\nendpoint_url = \"http://127.0.0.1:{port}\"\nregion = \"us-west-2\"\n\
             [environments.dev.plans.fast]\n[[environments.dev.plans.fast.step]]\nweight = 50\nbake = \"5s\"\n"
        ),
    )
    .expect("config");
    path
}

#[tokio::test]
async fn bad_and_unknown_plans_are_refused_before_any_call() {
    let mut w = cli::world().await;
    w.config = unreachable_dev(&w);
    let dir = w.state.with_file_name("plans");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "[[step]]\nweight = 50\nbake = \"5s\"\n[[step]]\nweight = 25\nbake = \"5s\"\n",
    )
    .expect("plan");
    let plan = file.to_str().expect("utf8");
    let start = |p: &str| {
        [
            "start",
            "weather",
            "--env",
            "dev",
            "--canary-version",
            "2",
            "--plan",
            p,
            "--yes",
        ]
        .map(str::to_string)
    };

    let (code, out, err) = rollout(&w, &start(plan).each_ref().map(String::as_str)).await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&format!("{plan}:5:")) && err.contains("key `step[2].weight`"),
        "file:line:key: {err}"
    );
    assert!(err.contains("weights must increase"), "{err}");
    assert!(out.is_empty(), "nothing previewed: {out}");

    let (code, _, err) = rollout(&w, &start("quick").each_ref().map(String::as_str)).await;
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "unknown plan `quick`: pass a plan file's path or one of: fast, seed, blue-green"
        ),
        "{err}"
    );
    let missing = dir.join("missing.toml");
    let (code, _, err) = rollout(
        &w,
        &start(missing.to_str().expect("utf8"))
            .each_ref()
            .map(String::as_str),
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("missing.toml: cannot read"), "{err}");
    assert_eq!(
        audited(&w, "rollout.start").len(),
        3,
        "each refusal audited"
    );
}

#[tokio::test]
async fn a_protected_environment_refuses_unarmed_and_usage_errors_exit_2() {
    let w = cli::world().await;
    let (code, out, err) = rollout(
        &w,
        &[
            "start",
            "weather",
            "--env",
            "prod",
            "--canary-version",
            "2",
            "--yes",
        ],
    )
    .await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("environment `prod` is read-only: pass --arm"),
        "{err}"
    );
    let refused = audited(&w, "rollout.start");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["env"], "prod");
    let (code, _, err) = rollout(&w, &["abort", "weather", "--env", "prod", "--yes"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("read-only"), "{err}");

    let (code, _, err) = rollout(&w, &["start", "weather", "--env", "dev"]).await;
    assert_eq!(code, 2, "no --canary-version: {err}");
    assert!(err.contains("--canary-version"), "{err}");
    let (code, _, _) = rollout(&w, &["frobnicate", "weather", "--env", "dev"]).await;
    assert_eq!(code, 2);
}
