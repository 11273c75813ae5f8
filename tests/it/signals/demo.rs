//! `demo --no-ui` on a temporary state dir: SIGINT, SIGTERM and SIGHUP (its terminal closed)
//! each stop every server, remove the temporary state dir and end with status 0.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::Signal;

use super::{BIN, assert_all_gone, await_servers, entries, signal, wait_exit};

/// Generous: seeding takes seconds, but test machines are slow and tests run in parallel.
const SEED_BOUND: Duration = Duration::from_secs(120);
pub const TEMP_PREFIX: &str = "agentcore-console-demo-";

/// `demo --no-ui` with its temporary state dir under `tmp`, once it serves (its first stdout
/// line, the environments file, comes after seeding).
fn start(root: &Path, tmp: &Path) -> Child {
    let mut child = Command::new(BIN)
        .args(["demo", "--no-ui", "--rate", "0"])
        .env("TMPDIR", tmp)
        .env("AGENTCORE_CONSOLE_STATE_DIR", root.join("console"))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(root.join("demo.log")).expect("log"))
        .spawn()
        .expect("spawn demo");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads to the end, so the demo's stdout never breaks.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap_or_default());
        }
    });
    if rx.recv_timeout(SEED_BOUND).is_err() {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the demo did not serve within {SEED_BOUND:?}; stderr:\n{}",
            std::fs::read_to_string(root.join("demo.log")).unwrap_or_default()
        );
    }
    child
}

#[test]
fn headless_demo_stops_its_servers_and_removes_its_state_on_each_signal() {
    for sig in [Signal::SIGHUP, Signal::SIGTERM, Signal::SIGINT] {
        let dir = tempfile::tempdir().expect("tempdir");
        let tmp = dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).expect("tmp");
        let mut child = start(dir.path(), &tmp);
        let _running = await_servers(&tmp, 1, Duration::from_secs(30));
        assert_eq!(
            entries(&tmp, TEMP_PREFIX).len(),
            1,
            "its temporary state dir"
        );

        signal(child.id(), sig);
        let status = wait_exit(&mut child, "demo --no-ui");
        let stderr = std::fs::read_to_string(dir.path().join("demo.log")).unwrap_or_default();
        assert!(
            status.success(),
            "{sig}: the demo exited with {status}; stderr:\n{stderr}"
        );
        assert_all_gone(&tmp, &format!("demo --no-ui after {sig}"));
        assert_eq!(
            entries(&tmp, TEMP_PREFIX),
            Vec::<String>::new(),
            "{sig}: the temporary state dir is removed"
        );
    }
}
