//! Running the built binary against an in-process local AgentCore, for CLI tests.
#![allow(dead_code)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

use crate::support::emulator::{Local, start};

pub const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");
pub const FIXTURE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-mcp");

/// A local AgentCore, an environments file with `dev` (us-west-2) and `prod` (us-east-1,
/// read-only by name) on it, and a console state dir for the audit log.
pub struct World {
    _dir: tempfile::TempDir,
    pub config: PathBuf,
    pub state: PathBuf,
    pub local: Local,
}

pub async fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("local")).await;
    let config = dir.path().join("envs.toml");
    std::fs::write(
        &config,
        format!(
            "[environments.dev]\nendpoint_url = \"{0}\"\nregion = \"us-west-2\"\n[environments.prod]\nendpoint_url = \"{0}\"\nregion = \"us-east-1\"\n",
            local.url
        ),
    )
    .expect("config");
    let state = dir.path().join("console-state");
    World {
        _dir: dir,
        config,
        state,
        local,
    }
}

/// Whether `args` run a write (which needs `--yes` without a terminal).
fn is_write(args: &[&str]) -> bool {
    // The subcommand is the first word that is neither a global flag nor its value.
    let mut rest = args.iter().copied();
    while let Some(a) = rest.next() {
        if ["--env", "--config", "--output"].contains(&a) {
            rest.next();
        } else if !a.starts_with('-') {
            return match a {
                "deploy" | "rollback" | "point" | "destroy" | "promote" => true,
                "alarms" => rest
                    .next()
                    .is_some_and(|s| ["apply", "delete"].contains(&s)),
                "traffic" => rest
                    .next()
                    .is_some_and(|s| ["set", "promote", "abort"].contains(&s)),
                _ => false,
            };
        }
    }
    false
}

/// Run the binary off the async runtime; returns (exit ok, stdout, stderr). A write gets
/// `--yes`, as CI passes it: there is no terminal here to confirm on.
pub async fn run(w: &World, args: &[&str]) -> (bool, String, String) {
    let mut all = args.to_vec();
    if is_write(args) && !args.contains(&"--yes") {
        all.push("--yes");
    }
    run_as_is(w, &all).await
}

/// Run exactly these arguments (no `--yes` added).
pub async fn run_as_is(w: &World, args: &[&str]) -> (bool, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("--config")
        .arg(&w.config)
        .env("AGENTCORE_CONSOLE_STATE_DIR", &w.state)
        .args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run with `--output json`, which must succeed, and parse stdout.
pub async fn json(w: &World, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    let (ok, out, err) = run(w, &all).await;
    assert!(ok, "{args:?} failed: {err}");
    serde_json::from_str(&out).expect("json")
}

/// The audit log's readable entries (damaged lines skipped).
pub fn audit_lossy(w: &World) -> Vec<Value> {
    std::fs::read_to_string(w.state.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The audit log's entries.
pub fn audit(w: &World) -> Vec<Value> {
    std::fs::read_to_string(w.state.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line"))
        .collect()
}
