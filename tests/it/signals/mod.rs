//! Process lifecycle of `local serve` and `demo`: every way they end (SIGINT, SIGTERM, SIGHUP,
//! the terminal going away, `q`) stops every server's process group, and stopping servers
//! happens all at once. Servers are found the way the sweep finds them (runner/pids.rs): a
//! live process whose environment carries `AGENTCORE_LOCAL_SERVER=<state dir>`, here any state
//! dir under the test's own directory, so servers of tests running beside it never count.
//! Linux only: it reads /proc.
#![cfg(target_os = "linux")]

mod demo;
mod serve;
mod stop;
mod terminal;

use std::path::Path;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");
const MARKER_VAR: &str = "AGENTCORE_LOCAL_SERVER";
/// How long after the exit a server may still be seen (the bound).
const GONE_BOUND: Duration = Duration::from_secs(5);
/// Generous: stopping is quick, but test machines are slow and tests run in parallel.
const EXIT_BOUND: Duration = Duration::from_secs(60);

/// Live (not zombie) processes whose marker names a state dir under `root`.
fn servers(root: &Path) -> Vec<u32> {
    let root = root.canonicalize().expect("canonical root");
    let want = format!("{MARKER_VAR}={}", root.display());
    let mut out = vec![];
    for pid in std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
    {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let state = stat.rsplit_once(')').map(|(_, r)| r.trim_start());
        if state.is_none_or(|s| s.starts_with('Z') || s.starts_with('X')) {
            continue;
        }
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        if environ
            .split(|b| *b == 0)
            .any(|v| v.starts_with(want.as_bytes()))
        {
            out.push(pid);
        }
    }
    out
}

/// Wait (bounded) until some server runs under `root`; they are kept in a guard that kills
/// their groups when the test ends, however it ends.
fn await_servers(root: &Path, at_least: usize, bound: Duration) -> Leftovers {
    let deadline = Instant::now() + bound;
    loop {
        let found = servers(root);
        if found.len() >= at_least {
            return Leftovers(found);
        }
        assert!(
            Instant::now() < deadline,
            "fewer than {at_least} servers after {bound:?}: {found:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every server under `root` is gone within [`GONE_BOUND`] of now.
fn assert_all_gone(root: &Path, what: &str) {
    let deadline = Instant::now() + GONE_BOUND;
    loop {
        let left = servers(root);
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: servers still running {GONE_BOUND:?} after the exit: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Servers seen running; their process groups are killed on drop, so a failing test leaves
/// nothing behind.
struct Leftovers(Vec<u32>);

impl Drop for Leftovers {
    fn drop(&mut self) {
        for pid in &self.0 {
            if let Ok(raw) = i32::try_from(*pid) {
                let _ = killpg(Pid::from_raw(raw), Signal::SIGKILL);
            }
        }
    }
}

fn signal(pid: u32, sig: Signal) {
    kill(Pid::from_raw(i32::try_from(pid).expect("pid")), sig).expect("signal");
}

/// Wait (bounded) for a std child's exit; SIGKILL it and fail if it lingers.
fn wait_exit(child: &mut std::process::Child, what: &str) -> ExitStatus {
    let deadline = Instant::now() + EXIT_BOUND;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: no exit within {EXIT_BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What's left in `dir` whose name starts with `prefix`.
fn entries(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default()
}
