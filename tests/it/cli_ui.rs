//! `ui` (and no subcommand) from the binary without a terminal: clear errors, no terminal
//! left in raw mode; `--env` narrows the console to the environments named.

use assert_cmd::Command;
use predicates::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");

fn config() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("envs.toml");
    std::fs::write(
        &path,
        "[environments.dev]\nendpoint_url = \"http://127.0.0.1:9\"\n[environments.prod]\nendpoint_url = \"http://127.0.0.1:9\"\n",
    )
    .expect("config");
    (dir, path)
}

#[test]
fn the_console_needs_a_terminal_and_says_so() {
    let (_dir, path) = config();
    for args in [vec![], vec!["ui"]] {
        Command::new(BIN)
            .arg("--config")
            .arg(&path)
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains("needs a terminal"));
    }
}

#[test]
fn an_unknown_environment_is_refused_before_the_screen_opens() {
    let (_dir, path) = config();
    Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .args(["--env", "staging", "ui"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("staging").and(predicate::str::contains("envs.toml")));
    // A known one passes the selection and stops only at the missing terminal.
    Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .args(["--env", "prod", "ui"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs a terminal"));
}
