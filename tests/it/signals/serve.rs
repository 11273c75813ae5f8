//! `local serve`: SIGINT, SIGTERM and SIGHUP each stop its servers and end it with status 0;
//! and its URL is printed only once it can serve (never for a state dir it cannot use).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::Signal;

use super::{BIN, assert_all_gone, await_servers, signal, wait_exit};
use crate::support::emulator::{clients, create, settled, start};

/// `local serve` on `state`, and the first line of its stdout.
fn serve(state: &Path, log: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args([
            "local",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--settle-ms",
            "20",
        ])
        .arg("--state-dir")
        .arg(state)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("log file"))
        .spawn()
        .expect("spawn local serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    (child, line.trim().to_string())
}

#[tokio::test]
async fn local_serve_stops_its_servers_on_sigint_sigterm_and_sighup() {
    for sig in [Signal::SIGHUP, Signal::SIGTERM, Signal::SIGINT] {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state");
        let log = dir.path().join("serve.log");
        let (s, l) = (state.clone(), log.clone());
        let (mut child, url) = tokio::task::spawn_blocking(move || serve(&s, &l))
            .await
            .expect("join");
        assert!(url.starts_with("http://127.0.0.1:"), "{sig}: {url}");
        let c = clients(&url, "us-west-2").await;
        let id = create(&c, "signalled").await;
        settled(&c, &id).await;
        let _running = await_servers(dir.path(), 1, Duration::from_secs(30));

        signal(child.id(), sig);
        let status = tokio::task::spawn_blocking(move || wait_exit(&mut child, "local serve"))
            .await
            .expect("join");
        let stderr = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            status.success(),
            "{sig}: local serve exited with {status}; stderr:\n{stderr}"
        );
        assert_all_gone(dir.path(), &format!("local serve after {sig}"));
    }
}

/// Runs `local serve` on `state` to its end (it must fail, and quickly): (status ok, stdout,
/// stderr).
fn serve_fails(state: &Path) -> (bool, String, String) {
    let out = assert_cmd::Command::new(BIN)
        .args(["local", "serve", "--addr", "127.0.0.1:0", "--state-dir"])
        .arg(state)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run local serve");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn local_serve_prints_no_url_for_a_state_dir_it_cannot_use() {
    let dir = tempfile::tempdir().expect("tempdir");

    // Locked by another local AgentCore (in-process here).
    let held = dir.path().join("held");
    let other = start(&held).await;
    let (ok, out, err) = tokio::task::spawn_blocking(move || serve_fails(&held))
        .await
        .expect("join");
    assert!(!ok, "serving a locked state dir must fail");
    assert_eq!(out, "", "no URL on stdout; stderr: {err}");
    assert!(err.contains("another local AgentCore"), "{err}");
    other.stop().await;

    // Not a directory.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a state dir").expect("write");
    let (ok, out, err) = tokio::task::spawn_blocking(move || serve_fails(&file))
        .await
        .expect("join");
    assert!(!ok, "serving a file as the state dir must fail");
    assert_eq!(out, "", "no URL on stdout; stderr: {err}");
    assert!(err.contains("a-file"), "the error names the path: {err}");

    // Corrupt state.
    let corrupt = dir.path().join("corrupt");
    std::fs::create_dir_all(&corrupt).expect("mkdir");
    std::fs::write(corrupt.join("state.json"), "{ truncated").expect("write");
    let (ok, out, err) = tokio::task::spawn_blocking(move || serve_fails(&corrupt))
        .await
        .expect("join");
    assert!(!ok, "serving a corrupt state dir must fail");
    assert_eq!(out, "", "no URL on stdout; stderr: {err}");
    assert!(err.contains("corrupt state"), "{err}");
}
