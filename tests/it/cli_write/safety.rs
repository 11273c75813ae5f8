//! The write path's safety from the built binary: env var values never reach the audit trail
//! or the `audit` output, the console's and the local AgentCore's state is private (0600 files,
//! 0700 dirs), every write command audits its refusals, and a damaged audit line neither
//! hides the trail nor blocks a rollback.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::cli::{self, FIXTURE_DIR, World, json, run, run_as_is, world};
use super::tool_version;

const SECRET: &str = "hunter2-s3cret";

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
}

fn deploy_live(env: &str, var: &str) -> Vec<String> {
    [
        "--env",
        env,
        "deploy",
        "weather",
        "--from-dir",
        FIXTURE_DIR,
        "--endpoint",
        "live",
        "--env-var",
        var,
    ]
    .map(String::from)
    .to_vec()
}

async fn deploy(w: &World, var: &str) {
    let args = deploy_live("dev", var);
    json(w, &args.iter().map(String::as_str).collect::<Vec<_>>()).await;
}

/// Every directory under `dir` is 0700 and every file 0600, but for the servers' unpacked
/// code under `runtimes/` (its own modes from the zip, inside a 0700 directory).
fn assert_private(dir: &Path) {
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "runtimes") {
                assert_eq!(mode(&path), 0o700, "{}", path.display());
                continue;
            }
            assert_private(&path);
        } else {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}

#[tokio::test]
async fn env_var_values_reach_the_runtime_and_nothing_else_and_state_is_private() {
    let w = world().await;
    deploy(&w, &format!("APP_VERSION={SECRET}")).await;
    assert_eq!(
        tool_version(&w, "dev", "live").await,
        SECRET,
        "the value went to the API call"
    );
    let log = w.state.join("audit.jsonl");
    let text = std::fs::read_to_string(&log).expect("audit log");
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains("APP_VERSION=***"), "{text}");
    let (ok, table, err) = run(&w, &["audit"]).await;
    assert!(ok, "{err}");
    assert!(
        table.contains("APP_VERSION=***") && !table.contains(SECRET),
        "{table}"
    );
    let listed = json(&w, &["audit"]).await.to_string();
    assert!(!listed.contains(SECRET), "{listed}");

    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(&w.state), 0o700);
    let local = w.config.with_file_name("local");
    for file in ["state.json", "logs.jsonl", "metrics.jsonl", ".lock"] {
        assert!(local.join(file).is_file(), "{file}");
    }
    assert!(
        local
            .join("objects")
            .read_dir()
            .expect("objects")
            .next()
            .is_some()
    );
    assert_private(&local);
    w.local.stop().await;
}

/// Each write command, refused in read-only prod (not armed), as (args, audit action).
const PROD_WRITES: &[(&[&str], &str)] = &[
    (&["deploy", "weather", "--from-dir", FIXTURE_DIR], "deploy"),
    (&["rollback", "weather", "--endpoint", "live"], "rollback"),
    (
        &["point", "weather", "--endpoint", "live", "--version", "1"],
        "endpoint.point",
    ),
    (
        &[
            "traffic",
            "set",
            "weather",
            "--canary-version",
            "1",
            "--weight",
            "5",
        ],
        "traffic.set",
    ),
    (&["traffic", "promote", "weather"], "traffic.promote"),
    (&["traffic", "abort", "weather"], "traffic.abort"),
];

#[tokio::test]
async fn every_write_command_audits_its_refusals() {
    let w = world().await;
    for (args, _) in PROD_WRITES {
        let mut all = vec!["--env", "prod"];
        all.extend_from_slice(args);
        let (ok, _, err) = run(&w, &all).await;
        assert!(!ok && err.contains("read-only"), "{args:?}: {err}");
    }
    // No terminal and no --yes: refused, nothing changed.
    let (ok, _, err) = run_as_is(
        &w,
        &[
            "--env",
            "dev",
            "deploy",
            "weather",
            "--from-dir",
            FIXTURE_DIR,
        ],
    )
    .await;
    assert!(
        !ok && err.contains("pass --yes to run without a terminal"),
        "{err}"
    );
    // A check of the command line.
    let (ok, _, err) = run(
        &w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "weather",
            "--canary-version",
            "1",
            "--weight",
            "150",
        ],
    )
    .await;
    assert!(!ok && err.contains("outside 0..100"), "{err}");
    for env in ["dev", "prod"] {
        let rows = json(&w, &["--env", env, "runtimes"]).await;
        assert_eq!(
            rows.as_array().map(Vec::len),
            Some(0),
            "nothing changed: {rows}"
        );
    }

    let entries = cli::audit(&w);
    let seen: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["env"].as_str().expect("env"),
                e["action"].as_str().expect("action"),
                e["target"].as_str().expect("target"),
            )
        })
        .collect();
    let mut want: Vec<(&str, &str, &str)> = PROD_WRITES
        .iter()
        .map(|(_, action)| ("prod", *action, "weather"))
        .collect();
    want.extend([
        ("dev", "deploy", "weather"),
        ("dev", "traffic.set", "weather"),
    ]);
    assert_eq!(seen, want);
    for e in &entries {
        let result = e["result"].as_str().expect("result");
        assert!(result.starts_with("refused: "), "{e}");
        assert!(
            e["command"]
                .as_str()
                .is_some_and(|c| c.starts_with("agentcore-console"))
        );
    }
    assert!(
        entries[6]["result"]
            .as_str()
            .is_some_and(|r| r.contains("--yes"))
    );
    w.local.stop().await;
}

#[tokio::test]
async fn a_damaged_audit_line_is_skipped_and_rollback_falls_back_to_the_versions() {
    let w = world().await;
    for v in ["1", "2", "3"] {
        deploy(&w, &format!("APP_VERSION={v}")).await;
    }
    let log = w.state.join("audit.jsonl");
    let text = std::fs::read_to_string(&log).expect("audit log");
    // The middle entry cut short, as a crash mid-write leaves it.
    let lines: Vec<&str> = text.lines().collect();
    let damaged = format!(
        "{}\n{}\n{}\n",
        lines[0],
        &lines[1][..lines[1].len() / 2],
        lines[2]
    );
    std::fs::write(&log, damaged).expect("damage");
    let (ok, _, err) = run(&w, &["audit"]).await;
    assert!(ok, "{err}");
    assert!(
        err.contains("skipped 1 unreadable line in ") && err.contains("audit.jsonl"),
        "{err}"
    );
    let listed = json(&w, &["audit"]).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");

    // Nothing readable: the rollback goes by the versions (the newest READY before 3).
    std::fs::write(&log, "{\"time\":\"2026-").expect("damage all");
    let back = json(
        &w,
        &["--env", "dev", "rollback", "weather", "--endpoint", "live"],
    )
    .await;
    assert_eq!(
        (back["from"].as_str(), back["to"].as_str()),
        (Some("3"), Some("2"))
    );
    assert_eq!(tool_version(&w, "dev", "live").await, "2");
    // The rollback's own entry is whole: the cut line before it stays one bad line.
    let (ok, _, err) = run(&w, &["audit"]).await;
    assert!(ok && err.contains("skipped 1 unreadable line"), "{err}");
    let rollback = cli::audit_lossy(&w);
    assert_eq!(rollback.len(), 1);
    assert_eq!(rollback[0]["action"], "rollback");
    w.local.stop().await;
}
