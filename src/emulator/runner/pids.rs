//! Pid records of running servers, and the sweep of those a dead local AgentCore left behind.
//!
//! Each server runs in its own process group (its pid is the group id) and its environment
//! carries `AGENTCORE_LOCAL_SERVER=<state dir>`, which whatever it forks inherits. While it
//! runs, `<state dir>/runner/pids/<pid>` records it. A record still there at the next start
//! means the local AgentCore that started the server never stopped it (SIGKILL, OOM, a crash):
//! the server is an orphan, holding its port. The next start, holding the state-dir lock (so no
//! live local AgentCore owns those processes), stops the group, but only once it has seen the
//! marker in a member's environment: the pid may since belong to someone else.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ProcessKey;

/// The environment variable marking a server (and its children) as this state dir's.
pub const MARKER_VAR: &str = "AGENTCORE_LOCAL_SERVER";
/// How long a stopped group has to exit after SIGTERM before SIGKILL.
pub const GRACE: Duration = Duration::from_secs(2);

/// What `<state dir>/runner/pids/<pid>` holds (JSON).
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    /// The server's process group (its pid: it leads its own group).
    pgid: u32,
    /// The value of [`MARKER_VAR`] in its environment.
    marker: String,
    /// Which process it was, for the log: `<partition> <runtime> v<N> <endpoint>`.
    process: String,
}

pub struct Pids {
    dir: PathBuf,
    marker: String,
}

impl Pids {
    /// Records under `<state_dir>/runner/pids`; the marker is the state dir's canonical path.
    pub fn new(state_dir: &Path) -> Self {
        let abs = std::fs::canonicalize(state_dir)
            .or_else(|_| std::path::absolute(state_dir))
            .unwrap_or_else(|_| state_dir.to_path_buf());
        Self {
            dir: state_dir.join("runner").join("pids"),
            marker: abs.to_string_lossy().into_owned(),
        }
    }

    /// The value of [`MARKER_VAR`] for servers started on this state dir.
    pub fn marker(&self) -> &str {
        &self.marker
    }

    /// Note a server that just started.
    pub fn record(&self, pid: u32, key: &ProcessKey) {
        let rec = Record {
            pgid: pid,
            marker: self.marker.clone(),
            process: format!(
                "{} {} v{} {}",
                key.partition, key.runtime_id, key.version, key.endpoint
            ),
        };
        let written = crate::private_fs::create_dir(&self.dir).and_then(|()| {
            crate::private_fs::open(&self.dir.join(pid.to_string()), false)?
                .write_all(&serde_json::to_vec(&rec).unwrap_or_default())
        });
        if let Err(e) = written {
            tracing::warn!(pid, error = %e, "cannot record the server's pid; a crash of the local AgentCore would orphan it");
        }
    }

    /// Drop the record of a server that was stopped and reaped.
    pub fn forget(&self, pid: u32) {
        let _ = std::fs::remove_file(self.dir.join(pid.to_string()));
    }

    /// Stop the servers a previous local AgentCore on this state dir left running, and drop
    /// every record. Call with the state-dir lock held, before any server starts.
    pub async fn sweep(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut files = vec![];
        let mut doomed = vec![];
        for entry in entries.flatten() {
            let path = entry.path();
            let pid = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok());
            let rec = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Record>(&b).ok());
            files.push(path);
            let (pgid, marker, process) = match (pid, rec) {
                (_, Some(r)) => (r.pgid, r.marker, r.process),
                // Unreadable: the file name is the pid, and the marker is this state dir's.
                (Some(pid), None) => (pid, self.marker.clone(), "an unknown process".into()),
                (None, None) => continue,
            };
            match group::verify(pgid, &marker) {
                group::Verdict::Gone => {}
                group::Verdict::Ours => {
                    tracing::info!(pgid, %process, "stopping a server a previous local AgentCore left running");
                    doomed.push((pgid, marker));
                }
                group::Verdict::Unknown(why) => {
                    tracing::warn!(pgid, %process, "leaving process group {pgid} alone: {why}");
                }
            }
        }
        for (pgid, _) in &doomed {
            group::signal(*pgid, group::Sig::Term);
        }
        let deadline = tokio::time::Instant::now() + GRACE;
        while doomed
            .iter()
            .any(|(g, m)| group::verify(*g, m) != group::Verdict::Gone)
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for (pgid, marker) in &doomed {
            if group::verify(*pgid, marker) == group::Verdict::Ours {
                tracing::info!(pgid, "killing a left-behind server that outlived SIGTERM");
                group::signal(*pgid, group::Sig::Kill);
            }
        }
        for path in files {
            let _ = std::fs::remove_file(path);
        }
        if !doomed.is_empty() {
            tracing::info!(count = doomed.len(), "swept servers left behind");
        }
    }
}

/// Process groups: signalling one, and telling whether one is still ours.
pub mod group {
    #[derive(Debug, Clone, Copy)]
    pub enum Sig {
        Term,
        Kill,
    }

    #[derive(Debug, PartialEq, Eq)]
    pub enum Verdict {
        /// No live process in the group.
        Gone,
        /// A live member carries the marker.
        Ours,
        /// Live, but it cannot be told to be ours.
        Unknown(String),
    }

    /// Signal every process of group `pgid` (never group 0 or 1, nor our own).
    #[cfg(unix)]
    pub fn signal(pgid: u32, sig: Sig) {
        use nix::sys::signal::{Signal, killpg};
        if pgid <= 1 || pgid == std::process::id() {
            return;
        }
        let Ok(raw) = i32::try_from(pgid) else { return };
        let sig = match sig {
            Sig::Term => Signal::SIGTERM,
            Sig::Kill => Signal::SIGKILL,
        };
        let _ = killpg(nix::unistd::Pid::from_raw(raw), sig);
    }

    #[cfg(not(unix))]
    pub fn signal(_pgid: u32, _sig: Sig) {}

    /// Linux: the group's live (not zombie) members, and whether one's environment holds
    /// `MARKER_VAR=<marker>`.
    #[cfg(target_os = "linux")]
    pub fn verify(pgid: u32, marker: &str) -> Verdict {
        let want = format!("{}={marker}", super::MARKER_VAR);
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return Verdict::Unknown("/proc cannot be read".into());
        };
        let mut members = 0;
        for pid in procs
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses.
            let mut rest = stat
                .rsplit_once(')')
                .map_or("", |(_, r)| r)
                .split_whitespace();
            let state = rest.next();
            let pgrp = rest.nth(1).and_then(|g| g.parse::<u32>().ok());
            if pgrp != Some(pgid) || matches!(state, Some("Z" | "X") | None) {
                continue;
            }
            members += 1;
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            if environ.split(|b| *b == 0).any(|v| v == want.as_bytes()) {
                return Verdict::Ours;
            }
        }
        if members == 0 {
            Verdict::Gone
        } else {
            Verdict::Unknown(format!(
                "{members} live process(es) in it, none with {want} in its environment (a recycled pid?)"
            ))
        }
    }

    /// Elsewhere there is no /proc to read another process's environment from.
    #[cfg(all(unix, not(target_os = "linux")))]
    pub fn verify(pgid: u32, _marker: &str) -> Verdict {
        let Ok(raw) = i32::try_from(pgid) else {
            return Verdict::Gone;
        };
        match nix::sys::signal::killpg(nix::unistd::Pid::from_raw(raw), None) {
            Err(nix::errno::Errno::ESRCH) => Verdict::Gone,
            _ => Verdict::Unknown("its environment cannot be read on this platform".into()),
        }
    }

    #[cfg(not(unix))]
    pub fn verify(_pgid: u32, _marker: &str) -> Verdict {
        Verdict::Gone
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::os::unix::process::CommandExt;

    use super::group::{Sig, Verdict, signal, verify};

    #[test]
    fn only_a_group_carrying_the_marker_is_ours() {
        let spawn = |marker: Option<&str>| {
            let mut cmd = std::process::Command::new("sleep");
            cmd.arg("30").process_group(0);
            if let Some(m) = marker {
                cmd.env(super::MARKER_VAR, m);
            }
            cmd.spawn().expect("spawn sleep")
        };
        let mut stranger = spawn(None);
        let mut ours = spawn(Some("/state/a"));
        assert!(matches!(
            verify(stranger.id(), "/state/a"),
            Verdict::Unknown(_)
        ));
        assert!(matches!(verify(ours.id(), "/state/b"), Verdict::Unknown(_)));
        assert_eq!(verify(ours.id(), "/state/a"), Verdict::Ours);
        for child in [&mut stranger, &mut ours] {
            signal(child.id(), Sig::Kill);
            child.wait().expect("reap");
            assert_eq!(verify(child.id(), "/state/a"), Verdict::Gone);
        }
    }
}
