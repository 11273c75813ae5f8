//! Runs what is deployed: one supervised process per version an endpoint points at.
//!
//! A version starts when it is created (CREATING/UPDATING) or, after a restart of the local
//! AgentCore, when its endpoints still point at it. It is READY once it answers on its protocol
//! path; an exit or silence before that fails the version with the reason and the last lines of
//! its output. A crash after READY is logged and restarted with capped exponential backoff.

pub mod artifact;
pub mod probe;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::watch;

pub use artifact::Artifact;

/// Lines of output kept per process, for failure reasons.
const KEPT_LINES: usize = 200;
/// Lines quoted in a failure reason.
const REASON_LINES: usize = 10;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Which version of which runtime.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionKey {
    pub partition: String,
    pub runtime_id: String,
    pub version: u32,
}

/// Everything needed to start a version.
#[derive(Debug, Clone)]
pub struct LaunchSpec {
    pub artifact: Artifact,
    /// The code zip's bytes, for code artifacts.
    pub code: Option<bytes::Bytes>,
    pub env: Vec<(String, String)>,
    pub protocol: String,
    pub path: String,
    pub region: String,
}

/// Where a process is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcState {
    Starting,
    Ready {
        port: u16,
    },
    /// Crashed after being ready; restarting.
    Restarting {
        attempt: u32,
        last_exit: String,
    },
    Failed(String),
    Stopped,
}

struct Proc {
    state: watch::Receiver<ProcState>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// Where each line a server writes goes: (version, instance id, line).
pub type LineSink = Arc<dyn Fn(&VersionKey, &str, &str) + Send + Sync>;

pub struct Runner {
    root: PathBuf,
    sink: std::sync::OnceLock<LineSink>,
    procs: Mutex<HashMap<VersionKey, Proc>>,
    ready_timeout: Duration,
    http: probe::HttpClient,
}

impl Runner {
    pub fn new(root: PathBuf, ready_timeout: Duration) -> Self {
        Self {
            root,
            sink: std::sync::OnceLock::new(),
            procs: Mutex::new(HashMap::new()),
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

    fn procs(&self) -> std::sync::MutexGuard<'_, HashMap<VersionKey, Proc>> {
        self.procs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Start the version unless it is starting or running, and wait until it is ready (its
    /// port) or has failed (the reason).
    pub async fn ensure(
        self: &Arc<Self>,
        key: &VersionKey,
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
                ProcState::Starting | ProcState::Restarting { .. } => {}
            }
            if rx.changed().await.is_err() {
                return Err("the process supervisor ended".into());
            }
        }
    }

    /// Stop every process whose key `keep` rejects.
    pub async fn retain(&self, keep: impl Fn(&VersionKey) -> bool) {
        let doomed: Vec<(VersionKey, Proc)> = {
            let mut procs = self.procs();
            let keys: Vec<VersionKey> = procs.keys().filter(|k| !keep(k)).cloned().collect();
            keys.into_iter()
                .filter_map(|k| procs.remove(&k).map(|p| (k, p)))
                .collect()
        };
        for (key, p) in doomed {
            tracing::info!(runtime = %key.runtime_id, version = key.version, "stopping unreferenced version");
            let _ = p.stop.send(true);
            let _ = p.task.await;
        }
    }

    pub async fn stop_all(&self) {
        self.retain(|_| false).await;
    }

    async fn supervise(
        self: Arc<Self>,
        key: VersionKey,
        spec: LaunchSpec,
        state: watch::Sender<ProcState>,
        mut stop: watch::Receiver<bool>,
    ) {
        let dir = self
            .root
            .join(sanitize(&key.partition))
            .join(&key.runtime_id)
            .join(format!("v{}", key.version));
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
        let mut attempt = 0u32;
        let mut ever_ready = false;
        loop {
            let output = Arc::new(Mutex::new(VecDeque::new()));
            // Each start is a new instance with its own log stream, as on AgentCore.
            let tap = self
                .sink
                .get()
                .map(|s| (Arc::clone(s), key.clone(), super::ids::request_id()));
            let child = spawn(&program, &args, &dir, &spec, port, &output, tap);
            let mut child = match child {
                Ok(c) => c,
                Err(e) => {
                    let _ = state.send(ProcState::Failed(format!("cannot start `{program}`: {e}")));
                    return;
                }
            };
            let outcome = self
                .run_once(&mut child, port, &spec, &state, &mut stop)
                .await;
            match outcome {
                Outcome::Stopped => {
                    kill(&mut child).await;
                    let _ = state.send(ProcState::Stopped);
                    return;
                }
                Outcome::NotReady(why) | Outcome::Exited(why) if !ever_ready => {
                    kill(&mut child).await;
                    let _ = state.send(ProcState::Failed(format!("{why}{}", tail(&output))));
                    return;
                }
                Outcome::NotReady(why) | Outcome::Exited(why) => {
                    kill(&mut child).await;
                    attempt += 1;
                    tracing::warn!(runtime = %key.runtime_id, version = key.version, attempt, "{why}; restarting");
                    let _ = state.send(ProcState::Restarting {
                        attempt,
                        last_exit: why,
                    });
                    let backoff = Duration::from_millis(250u64.saturating_mul(1 << attempt.min(8)))
                        .min(MAX_BACKOFF);
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        _ = stop.changed() => {
                            let _ = state.send(ProcState::Stopped);
                            return;
                        }
                    }
                }
                Outcome::ReadyThenExited(why) => {
                    ever_ready = true;
                    attempt = 0;
                    tracing::warn!(runtime = %key.runtime_id, version = key.version, "{why}; restarting");
                    let _ = state.send(ProcState::Restarting {
                        attempt: 1,
                        last_exit: why,
                    });
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(250)) => {}
                        _ = stop.changed() => {
                            let _ = state.send(ProcState::Stopped);
                            return;
                        }
                    }
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
            if probe::answers(&self.http, port, &spec.protocol, &spec.path).await {
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
                let s = status.map_or_else(|e| e.to_string(), |s| s.to_string());
                Outcome::ReadyThenExited(format!("the server exited ({s})"))
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

/// Unpack the code (or check for a Docker engine) and decide the command line.
fn prepare(spec: &LaunchSpec, dir: &std::path::Path) -> Result<(String, Vec<String>), String> {
    match &spec.artifact {
        Artifact::Code {
            language,
            entry_point,
            ..
        } => {
            let code = spec
                .code
                .as_ref()
                .ok_or("the code artifact was not found in S3")?;
            artifact::extract(code, dir)?;
            artifact::command(language, entry_point, dir)
        }
        Artifact::Container { uri } => {
            let engine = std::process::Command::new("docker")
                .arg("info")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            match engine {
                Ok(s) if s.success() => {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                    Ok((
                        "docker".into(),
                        vec!["run".into(), "--rm".into(), uri.clone()],
                    ))
                }
                _ => Err(format!(
                    "container image {uri} cannot run: no local Docker engine is available (`docker info` failed)"
                )),
            }
        }
    }
}

fn spawn(
    program: &str,
    args: &[String],
    dir: &std::path::Path,
    spec: &LaunchSpec,
    port: u16,
    output: &Arc<Mutex<VecDeque<String>>>,
    tap: Option<(LineSink, VersionKey, String)>,
) -> std::io::Result<Child> {
    let mut cmd = Command::new(program);
    let mut args = args.to_vec();
    if program == "docker" {
        // docker run --rm -p 127.0.0.1:PORT:8000 -e K=V … IMAGE
        let image = args.pop().unwrap_or_default();
        args.extend(["-p".into(), format!("127.0.0.1:{port}:8000")]);
        for (k, v) in &spec.env {
            args.extend(["-e".into(), format!("{k}={v}")]);
        }
        args.push(image);
    }
    cmd.args(&args)
        .current_dir(dir)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // A clean environment, as in a microVM: no credentials of the console leak in.
    for var in ["PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd.env("AWS_REGION", &spec.region)
        .env("AWS_DEFAULT_REGION", &spec.region)
        .env("PYTHONUNBUFFERED", "1");
    for (k, v) in &spec.env {
        cmd.env(k, v);
    }
    cmd.env("PORT", port.to_string())
        .env("FASTMCP_PORT", port.to_string())
        .env("FASTMCP_HOST", "127.0.0.1")
        .env("HOST", "127.0.0.1");
    let mut child = cmd.spawn()?;
    if let Some(out) = child.stdout.take() {
        collect(out, Arc::clone(output), tap.clone());
    }
    if let Some(err) = child.stderr.take() {
        collect(err, Arc::clone(output), tap);
    }
    Ok(child)
}

fn collect(
    stream: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    into: Arc<Mutex<VecDeque<String>>>,
    tap: Option<(LineSink, VersionKey, String)>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some((sink, key, instance)) = &tap {
                sink(key, instance, &line);
            }
            let mut buf = into
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if buf.len() == KEPT_LINES {
                buf.pop_front();
            }
            buf.push_back(line);
        }
    });
}

fn tail(output: &Arc<Mutex<VecDeque<String>>>) -> String {
    let buf = output
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if buf.is_empty() {
        return String::new();
    }
    let skip = buf.len().saturating_sub(REASON_LINES);
    let lines: Vec<&str> = buf.iter().skip(skip).map(String::as_str).collect();
    format!("; last output: {}", lines.join(" | "))
}

async fn kill(child: &mut Child) {
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
