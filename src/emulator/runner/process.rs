//! One server process: unpacking what it runs, starting it, collecting its output, ending it.

use std::collections::VecDeque;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::pids::group::{self, Sig};
use super::pids::{GRACE, MARKER_VAR};
use super::{Artifact, LaunchSpec, LineSink, ProcessKey, artifact};

/// Lines of output kept per process, for failure reasons.
const KEPT_LINES: usize = 200;
/// Lines quoted in a failure reason.
const REASON_LINES: usize = 10;

/// Unpack the code (or check for a Docker engine) and decide the command line.
pub(super) fn prepare(spec: &LaunchSpec, dir: &Path) -> Result<(String, Vec<String>), String> {
    match &spec.artifact {
        Artifact::Code {
            language,
            entry_point,
            ..
        } => {
            // Read here, when a process must start, and never under the state lock: a code
            // zip may be 250 MB.
            let blob = spec
                .code
                .as_ref()
                .ok_or("the code artifact was not found in S3")?;
            let file = blob.file.clone()?;
            let zip =
                std::fs::File::open(&file).map_err(|e| format!("cannot read {}: {e}", blob.uri))?;
            artifact::extract(std::io::BufReader::new(zip), dir)?;
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
                    crate::private_fs::create_dir(dir).map_err(|e| e.to_string())?;
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

pub(super) fn spawn(
    program: &str,
    args: &[String],
    dir: &Path,
    (spec, marker): (&LaunchSpec, &str),
    port: u16,
    output: &Arc<Mutex<VecDeque<String>>>,
    tap: Option<(LineSink, ProcessKey, String)>,
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
    // Its own process group: a Ctrl-C at the terminal stops the local AgentCore, which stops
    // its servers; it must not reach them first (they would exit and be restarted).
    #[cfg(unix)]
    cmd.process_group(0);
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
    // Last, so no runtime variable overrides it: what tells a sweep this process is ours.
    cmd.env(MARKER_VAR, marker);
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
    tap: Option<(LineSink, ProcessKey, String)>,
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

pub(super) fn tail(output: &Arc<Mutex<VecDeque<String>>>) -> String {
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

/// Stop a server and whatever it forked (a shell wrapper's child, a worker): SIGTERM to its
/// process group, up to [`GRACE`] for the server to exit, then SIGKILL to the group for
/// anything left. `pid` is the server's (its group's), taken at spawn: once reaped, the child
/// no longer knows it, and a crashed server's helpers must go too (they would hold its port).
pub(super) async fn stop_group(child: &mut Child, pid: Option<u32>) {
    if let Some(pgid) = pid {
        group::signal(pgid, Sig::Term);
        let _ = tokio::time::timeout(GRACE, child.wait()).await;
        group::signal(pgid, Sig::Kill);
    }
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

/// A free loopback port for a new server. The port is free when asked but only taken when
/// the server binds it, later: two servers starting at once could be given the same one (the
/// probe would then find the other's server "ready"). So a port handed out recently is never
/// handed out again.
pub(super) fn free_port() -> std::io::Result<u16> {
    static RECENT: Mutex<VecDeque<u16>> = Mutex::new(VecDeque::new());
    const REMEMBERED: usize = 4096;
    for _ in 0..64 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut recent = RECENT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recent.contains(&port) {
            continue;
        }
        if recent.len() == REMEMBERED {
            recent.pop_front();
        }
        recent.push_back(port);
        return Ok(port);
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "every free port offered was handed out recently",
    ))
}

pub(super) fn sanitize(s: &str) -> String {
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

/// How a process ended, as an operator reads it: `exit code 9`, `signal 9`.
pub(super) fn describe_exit(status: &std::io::Result<std::process::ExitStatus>) -> String {
    let status = match status {
        Ok(s) => s,
        Err(e) => return format!("an unknown status ({e})"),
    };
    if let Some(code) = status.code() {
        return format!("exit code {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal {signal}");
        }
    }
    status.to_string()
}

/// `0.25s`, `2s`, `30s`.
pub(super) fn secs(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}
