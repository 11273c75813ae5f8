//! Runs what is deployed: one supervised process per (version, endpoint serving it).
//!
//! On AWS each endpoint has its own compute and its own log group, so two endpoints on one
//! version are two processes here, each writing only to its endpoint's group. A version starts
//! when it is created (CREATING/UPDATING) or, after a restart of the local AgentCore, when its
//! endpoints still point at it. It is READY once it answers on its protocol path; an exit or
//! silence before that fails the version with the reason and the last lines of its output. A
//! crash after READY is restarted with exponential backoff (reset once a process has stayed up
//! a while), and each restart is a line in the endpoint's logs saying why and when.
//! The version stays READY meanwhile, as on AWS, where a runtime's status is about provisioning;
//! invocations that meet a server crashing over and over fail at once with the reason.

pub mod artifact;
mod pids;
pub mod probe;
mod process;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::process::Child;
use tokio::sync::watch;
use tokio::time::Instant;

pub use artifact::Artifact;
use process::{describe_exit, free_port, prepare, sanitize, secs, spawn, stop_group, tail};

/// The first restart after a crash waits this long; each further crash in a row doubles it.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A process that stayed up this long before it died starts the backoff over.
const STABLE_UPTIME: Duration = Duration::from_secs(60);
/// Invocations wait for a restart (like a cold start) until the server has crashed this many
/// times in a row; then they fail at once, saying why.
const FAIL_FAST_AFTER: u32 = 3;

/// One process: a version of a runtime, as one endpoint serves it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcessKey {
    pub partition: String,
    pub runtime_id: String,
    pub version: u32,
    /// The endpoint name, whose log group gets the output (`<runtimeId>-<endpoint>`); for a
    /// gateway target qualified by a version number, `version-<N>` (see `lifecycle`).
    pub endpoint: String,
}

/// Everything needed to start a version's process. Cheap to build: nothing is read from disk
/// until a process must start.
#[derive(Debug, Clone)]
pub struct LaunchSpec {
    pub artifact: Artifact,
    /// Where the code zip is stored, for code artifacts.
    pub code: Option<CodeBlob>,
    pub env: Vec<(String, String)>,
    pub protocol: String,
    pub path: String,
    pub region: String,
}

/// Where a code artifact's zip is stored in the local S3.
#[derive(Debug, Clone)]
pub struct CodeBlob {
    /// `s3://bucket/key`, for messages.
    pub uri: String,
    /// The stored object's file, or why there is none (read only when a process starts).
    pub file: Result<PathBuf, String>,
}

/// Where a process is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcState {
    Starting,
    Ready {
        port: u16,
    },
    /// Crashed after being ready; starts again at `at`.
    Restarting {
        /// Crashes in a row, each soon after its start.
        attempt: u32,
        last_exit: String,
        at: Instant,
    },
    Failed(String),
    Stopped,
}

struct Proc {
    state: watch::Receiver<ProcState>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// Where each line a server writes goes: (process, instance id, line).
pub type LineSink = Arc<dyn Fn(&ProcessKey, &str, &str) + Send + Sync>;

pub struct Runner {
    root: PathBuf,
    sink: std::sync::OnceLock<LineSink>,
    procs: Mutex<HashMap<ProcessKey, Proc>>,
    /// When each process was last asked for by an invocation (see [`Runner::touch`]).
    used: Mutex<HashMap<ProcessKey, Instant>>,
    ready_timeout: Duration,
    http: probe::HttpClient,
    pids: pids::Pids,
}

impl Runner {
    /// Servers' code goes under `<state_dir>/runtimes`, their pid records under
    /// `<state_dir>/runner/pids`.
    pub fn new(state_dir: &Path, ready_timeout: Duration) -> Self {
        Self {
            root: state_dir.join("runtimes"),
            pids: pids::Pids::new(state_dir),
            sink: std::sync::OnceLock::new(),
            procs: Mutex::new(HashMap::new()),
            used: Mutex::new(HashMap::new()),
            ready_timeout,
            http: probe::client(),
        }
    }

    /// Send every output line to `sink` (set once, at start).
    pub fn set_sink(&self, sink: LineSink) {
        let _ = self.sink.set(sink);
    }

    pub fn http(&self) -> &probe::HttpClient {
        &self.http
    }

    fn procs(&self) -> std::sync::MutexGuard<'_, HashMap<ProcessKey, Proc>> {
        self.procs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Start the process unless it is starting or running, and wait until it is ready (its
    /// port) or has failed (the reason).
    pub async fn ensure(
        self: &Arc<Self>,
        key: &ProcessKey,
        spec: LaunchSpec,
    ) -> Result<u16, String> {
        let mut rx = {
            let mut procs = self.procs();
            let alive = procs.get(key).is_some_and(|p| {
                !matches!(*p.state.borrow(), ProcState::Failed(_) | ProcState::Stopped)
            });
            if !alive {
                let (state_tx, state_rx) = watch::channel(ProcState::Starting);
                let (stop_tx, stop_rx) = watch::channel(false);
                let runner = Arc::clone(self);
                let k = key.clone();
                let task =
                    tokio::spawn(async move { runner.supervise(k, spec, state_tx, stop_rx).await });
                procs.insert(
                    key.clone(),
                    Proc {
                        state: state_rx,
                        stop: stop_tx,
                        task,
                    },
                );
            }
            procs
                .get(key)
                .map(|p| p.state.clone())
                .ok_or("process table changed")?
        };
        loop {
            match rx.borrow_and_update().clone() {
                ProcState::Ready { port } => return Ok(port),
                ProcState::Failed(reason) => return Err(reason),
                ProcState::Stopped => return Err("stopped".into()),
                ProcState::Restarting {
                    attempt,
                    last_exit,
                    at,
                } if attempt >= FAIL_FAST_AFTER => {
                    return Err(format!(
                        "it keeps crashing: {last_exit} ({attempt} crashes in a row); next start in {}",
                        secs(at.saturating_duration_since(Instant::now()))
                    ));
                }
                ProcState::Starting | ProcState::Restarting { .. } => {}
            }
            if rx.changed().await.is_err() {
                return Err("the process supervisor ended".into());
            }
        }
    }

    /// Note that an invocation wants `key`'s process now: one no endpoint references (a
    /// version-number qualifier's) is then kept a while, not stopped mid-conversation.
    pub fn touch(&self, key: &ProcessKey) {
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        used.insert(key.clone(), Instant::now());
    }

    /// Whether an invocation asked for `key`'s process within `window`.
    pub fn used_within(&self, key: &ProcessKey, window: Duration) -> bool {
        let used = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        used.get(key).is_some_and(|t| t.elapsed() < window)
    }

    /// Stop every process whose key `keep` rejects.
    pub async fn retain(&self, keep: impl Fn(&ProcessKey) -> bool) {
        let doomed: Vec<(ProcessKey, Proc)> = {
            let mut procs = self.procs();
            let keys: Vec<ProcessKey> = procs.keys().filter(|k| !keep(k)).cloned().collect();
            keys.into_iter()
                .filter_map(|k| procs.remove(&k).map(|p| (k, p)))
                .collect()
        };
        {
            let mut used = self
                .used
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (key, _) in &doomed {
                used.remove(key);
            }
        }
        // All at once: each supervisor signals its group and waits out the grace period, so
        // stopping N servers takes one grace period, not N (quitting the demo stops ~20).
        let mut tasks = Vec::with_capacity(doomed.len());
        for (key, p) in doomed {
            tracing::info!(runtime = %key.runtime_id, version = key.version, endpoint = %key.endpoint, "stopping unreferenced process");
            let _ = p.stop.send(true);
            tasks.push(p.task);
        }
        futures::future::join_all(tasks).await;
    }

    /// Stop the servers a local AgentCore that died on this state dir left running. Only with
    /// the state-dir lock held, before any server starts.
    pub async fn sweep(&self) {
        self.pids.sweep().await;
    }

    pub async fn stop_all(&self) {
        self.retain(|_| false).await;
    }

    async fn supervise(
        self: Arc<Self>,
        key: ProcessKey,
        spec: LaunchSpec,
        state: watch::Sender<ProcState>,
        mut stop: watch::Receiver<bool>,
    ) {
        // Its own copy of the code: two endpoints' processes of a version start at once.
        let dir = self
            .root
            .join(sanitize(&key.partition))
            .join(&key.runtime_id)
            .join(format!("v{}-{}", key.version, sanitize(&key.endpoint)));
        let prepared = tokio::task::spawn_blocking({
            let spec = spec.clone();
            let dir = dir.clone();
            move || prepare(&spec, &dir)
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
        let (program, args) = match prepared {
            Ok(cmd) => cmd,
            Err(reason) => {
                let _ = state.send(ProcState::Failed(reason));
                return;
            }
        };
        let port = match free_port() {
            Ok(p) => p,
            Err(e) => {
                let _ = state.send(ProcState::Failed(format!("no free loopback port: {e}")));
                return;
            }
        };
        let mut crashes = 0u32;
        let mut ever_ready = false;
        loop {
            let output = Arc::new(Mutex::new(VecDeque::new()));
            // Each start is a new instance with its own log stream, as on AgentCore.
            let instance = super::ids::request_id();
            let tap = self
                .sink
                .get()
                .map(|s| (Arc::clone(s), key.clone(), instance.clone()));
            let started = Instant::now();
            let marker = self.pids.marker();
            let child = spawn(&program, &args, &dir, (&spec, marker), port, &output, tap);
            let mut child = match child {
                Ok(c) => c,
                Err(e) => {
                    let _ = state.send(ProcState::Failed(format!("cannot start `{program}`: {e}")));
                    return;
                }
            };
            let pid = child.id();
            if let Some(pid) = pid {
                self.pids.record(pid, &key);
            }
            let outcome = self
                .run_once(&mut child, port, &spec, &state, &mut stop)
                .await;
            stop_group(&mut child, pid).await;
            if let Some(pid) = pid {
                self.pids.forget(pid);
            }
            let why = match outcome {
                Outcome::Stopped => {
                    let _ = state.send(ProcState::Stopped);
                    return;
                }
                Outcome::NotReady(why) | Outcome::Exited(why) if !ever_ready => {
                    let _ = state.send(ProcState::Failed(format!("{why}{}", tail(&output))));
                    return;
                }
                Outcome::NotReady(why) | Outcome::Exited(why) => why,
                Outcome::ReadyThenExited(why) => {
                    ever_ready = true;
                    why
                }
            };
            let up = started.elapsed();
            crashes = if up >= STABLE_UPTIME { 1 } else { crashes + 1 };
            let backoff = restart_delay(crashes);
            tracing::warn!(runtime = %key.runtime_id, version = key.version, endpoint = %key.endpoint, crashes, "{why}; restarting in {}", secs(backoff));
            // In the endpoint's logs, where an operator looks (the instance's own stream).
            if let Some(sink) = self.sink.get() {
                sink(
                    &key,
                    &instance,
                    &format!(
                        "agentcore-local: {why} after {:.1}s up; restarting in {} (crash {crashes} in a row)",
                        up.as_secs_f64(),
                        secs(backoff)
                    ),
                );
            }
            let _ = state.send(ProcState::Restarting {
                attempt: crashes,
                last_exit: why,
                at: Instant::now() + backoff,
            });
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = stop.changed() => {
                    let _ = state.send(ProcState::Stopped);
                    return;
                }
            }
        }
    }

    /// Wait for readiness, then for an exit or a stop.
    async fn run_once(
        &self,
        child: &mut Child,
        port: u16,
        spec: &LaunchSpec,
        state: &watch::Sender<ProcState>,
        stop: &mut watch::Receiver<bool>,
    ) -> Outcome {
        let deadline = tokio::time::Instant::now() + self.ready_timeout;
        loop {
            if *stop.borrow() {
                return Outcome::Stopped;
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Outcome::Exited(format!(
                    "the server exited ({status}) before answering on {}",
                    spec.path
                ));
            }
            // A probe may take seconds to time out; a stop must not wait for it.
            let answered = tokio::select! {
                ok = probe::answers(&self.http, port, &spec.protocol, &spec.path) => ok,
                changed = stop.changed() => match changed {
                    Ok(()) => continue,
                    Err(_) => return Outcome::Stopped,
                },
            };
            if answered {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                return Outcome::NotReady(format!(
                    "the server did not answer on port {port} {} within {}s",
                    spec.path,
                    self.ready_timeout.as_secs()
                ));
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
                _ = stop.changed() => {}
            }
        }
        let _ = state.send(ProcState::Ready { port });
        tokio::select! {
            status = child.wait() => {
                Outcome::ReadyThenExited(format!("the server exited with {}", describe_exit(&status)))
            }
            _ = stop.changed() => Outcome::Stopped,
        }
    }
}

enum Outcome {
    Stopped,
    NotReady(String),
    Exited(String),
    ReadyThenExited(String),
}

/// The wait before restart number `crashes` in a row: 250 ms, doubling, at most 30 s.
fn restart_delay(crashes: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(1u32 << crashes.saturating_sub(1).min(16))
        .min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_back_off_exponentially_up_to_a_cap() {
        let delays: Vec<u128> = (1..=10).map(|n| restart_delay(n).as_millis()).collect();
        assert_eq!(
            delays,
            [250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        assert_eq!(restart_delay(u32::MAX), MAX_BACKOFF);
    }
}
