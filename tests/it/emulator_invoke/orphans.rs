//! No server outlives its supervision: stopping one stops what it forked (its process group),
//! and servers orphaned by a local AgentCore that died without shutting down (SIGKILL, OOM, a
//! crash) are stopped by the next one started on the same state dir.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

use super::supervision::events;
use super::support::*;
use super::{arn, server_version};

const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");

/// Alive and not a zombie (here PID 1 may never reap the orphans it inherits).
fn alive(pid: u32) -> bool {
    let raw = Pid::from_raw(i32::try_from(pid).expect("pid"));
    if kill(raw, None).is_err() {
        return false;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit_once(')').map(|(_, r)| r.trim_start());
    !state.is_some_and(|s| s.starts_with('Z') || s.starts_with('X'))
}

/// Poll (bounded) until `pid` is gone.
async fn wait_gone(pid: u32, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while alive(pid) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} (pid {pid}) is still running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The pids recorded under `<state>/runner/pids`.
fn recorded(state: &Path) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir(state.join("runner/pids")) else {
        return vec![];
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// Kills a process group when the test ends, however it ends: a failing test must not leave a
/// server running for 300 s.
struct GroupGuard(Vec<u32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        for pgid in &self.0 {
            if let Ok(raw) = i32::try_from(*pgid) {
                let _ = killpg(Pid::from_raw(raw), Signal::SIGKILL);
            }
        }
    }
}

#[tokio::test]
async fn stopping_a_server_stops_what_it_forked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create_with(
        &c,
        "forker",
        &[("APP_VERSION", "1"), ("FIXTURE_HELPER", "sleep")],
    )
    .await;
    settled(&c, &id).await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let helper: u32 = loop {
        let found = events(&c, &group, "helper").await;
        if let Some(pid) = found
            .iter()
            .find_map(|(_, m)| m.strip_prefix("fixture: helper pid ")?.trim().parse().ok())
        {
            break pid;
        }
        assert!(tokio::time::Instant::now() < deadline, "no helper pid");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let server = recorded(dir.path());
    assert_eq!(server.len(), 1, "one server is recorded: {server:?}");
    let _guard = GroupGuard(server.clone());
    assert!(alive(helper) && alive(server[0]));

    // Deleting the runtime stops its server: the helper it forked must go too.
    c.control
        .delete_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("delete");
    wait_gone(server[0], "the deleted runtime's server").await;
    wait_gone(helper, "the helper the server forked").await;
    // The record goes once the supervisor has reaped the server, a moment after it is gone.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !recorded(dir.path()).is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "its record is still there: {:?}",
            recorded(dir.path())
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    local.stop().await;
}

/// `local serve` on `state` as a child process, with its logs in `log`.
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
        .env("AGENTCORE_CONSOLE_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("log file"))
        .spawn()
        .expect("spawn local serve");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    (child, line.trim().to_string())
}

/// SIGTERMs (a clean shutdown) a `local serve` child on drop; SIGKILL after a bounded wait.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let pid = Pid::from_raw(i32::try_from(self.0.id()).expect("pid"));
        let _ = kill(pid, Signal::SIGTERM);
        for _ in 0..300 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve_async(state: PathBuf, log: PathBuf) -> (Served, String) {
    tokio::task::spawn_blocking(move || {
        let (child, url) = serve(&state, &log);
        (Served(child), url)
    })
    .await
    .expect("join")
}

#[tokio::test]
async fn servers_orphaned_by_a_killed_local_agentcore_are_stopped_at_the_next_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let (mut first, url) = serve_async(state.clone(), dir.path().join("first.log")).await;
    let c = clients(&url, "us-west-2").await;
    let id = create(&c, "orphan").await;
    settled(&c, &id).await;
    let arn = arn(&c, &id).await;
    assert_eq!(server_version(&c, &arn, None).await.as_deref(), Ok("1"));
    let old = recorded(&state);
    assert_eq!(old.len(), 1, "one server is recorded: {old:?}");
    let old = old[0];
    let _guard = GroupGuard(vec![old]);
    assert!(alive(old));

    // The local AgentCore dies without its shutdown: its server is orphaned, still running.
    first.0.kill().expect("SIGKILL local serve");
    first.0.wait().expect("reap");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        alive(old),
        "the orphaned server runs on after its supervisor died"
    );

    // The next start on that state dir stops it, then brings the runtime back.
    let log = dir.path().join("second.log");
    let (second, url) = serve_async(state.clone(), log.clone()).await;
    let c = clients(&url, "us-west-2").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while server_version(&c, &arn, None).await.as_deref() != Ok("1") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the runtime did not answer again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_gone(old, "the orphaned server").await;
    let new = recorded(&state);
    assert!(
        new.len() == 1 && new[0] != old && alive(new[0]),
        "a new server runs: {new:?} (old {old})"
    );
    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(logged.contains("swept servers left behind"), "{logged}");
    drop(second);
    wait_gone(new[0], "the new server after a clean shutdown").await;
}
