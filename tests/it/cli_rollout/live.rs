//! What the end-to-end rollout tests share: the sample MCP server on `live` (v1) with a v2,
//! a seconds-long plan file, a traffic driver calling tools through the gateway in the
//! background, and `rollout start` run in the background with its output read line by line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::mpsc;

use crate::support::cli::{BIN, World, json};
use crate::support::sessions::{INIT, header, post};

/// Generous: a step of a few seconds, evaluations every second, on a shared machine.
pub const LIMIT: Duration = Duration::from_secs(90);

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");
const ECHO: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;

/// `sample` v1 on `live` and the canary endpoint, a v2 (with `env_vars`), and the gateway's
/// rule at 0% canary; returns the gateway URL the traffic driver calls.
pub async fn setup(w: &World, env_vars: &[&str]) -> String {
    deploy(w, &["--endpoint", "live"]).await;
    let mut v2 = vec![];
    for v in env_vars {
        v2.extend(["--env-var", v]);
    }
    deploy(w, &v2).await;
    let view = json(
        w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "sample",
            "--canary-version",
            "1",
            "--weight",
            "0",
        ],
    )
    .await;
    view["gatewayUrl"]
        .as_str()
        .expect("gateway url")
        .to_string()
}

async fn deploy(w: &World, extra: &[&str]) {
    let mut args = vec![
        "--env",
        "dev",
        "deploy",
        "sample",
        "--from-dir",
        SAMPLE,
        "--entry-point",
        "main.py",
    ];
    args.extend_from_slice(extra);
    json(w, &args).await;
}

/// A plan file: `steps` as (weight, bake seconds), weight 0 for an approval; gates every
/// second on few calls.
pub fn plan_file(w: &World, name: &str, steps: &[(u8, u32)]) -> String {
    let mut text = String::new();
    for (weight, bake) in steps {
        if *weight == 0 {
            text.push_str("[[step]]\napprove = true\n");
        } else {
            text.push_str(&format!(
                "[[step]]\nweight = {weight}\nbake = \"{bake}s\"\n"
            ));
        }
    }
    text.push_str(
        "[gates]\ninterval = \"1s\"\nmin_invocations = 3\nmax_error_rate = 10.0\n\
         max_p99_latency_ratio = 1.5\nfailure_limit = 2\nobserve = [\"max_p99_latency_ratio\"]\n",
    );
    let path = w.state.with_file_name(format!("{name}.toml"));
    std::fs::write(&path, text).expect("plan file");
    path.to_str().expect("utf8").to_string()
}

/// Sessions through the gateway until dropped: each opens a session (routed by weight) and
/// calls a tool in it a few times.
pub struct Traffic {
    stop: Arc<AtomicBool>,
}

impl Traffic {
    pub fn start(url: &str, workers: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        for _ in 0..workers {
            let (url, stop) = (url.to_string(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let (status, resp) = post(&url, None, INIT).await;
                    if status != 200 {
                        continue;
                    }
                    let session = header(&resp, "mcp-session-id");
                    for _ in 0..3 {
                        // HTTP 500s from a failing canary are the point: not checked.
                        let _ = post(&url, Some(&session), ECHO).await;
                    }
                }
            });
        }
        Self { stop }
    }
}

impl Drop for Traffic {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// `rollout …` running in the background: its stdout lines as they come.
pub struct Running {
    pub child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    pub seen: Vec<String>,
}

/// Start `agentcore-console rollout <args>` in the background.
pub fn spawn(w: &World, args: &[&str]) -> Running {
    let mut child = std::process::Command::new(BIN)
        .arg("--config")
        .arg(&w.config)
        .env("AGENTCORE_CONSOLE_STATE_DIR", &w.state)
        .arg("rollout")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let out = child.stdout.take().expect("stdout");
    let (tx, lines) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Running {
        child,
        lines,
        seen: vec![],
    }
}

impl Running {
    /// Wait for an output line that satisfies `want` (within `limit`); returns it.
    pub async fn until(&mut self, limit: Duration, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.lines.recv()).await {
                Ok(Some(line)) => {
                    self.seen.push(line.clone());
                    if want(&line) {
                        return line;
                    }
                }
                Ok(None) => panic!("the rollout ended first: {:#?}", self.seen),
                Err(_) => panic!("no such line within {limit:?}: {:#?}", self.seen),
            }
        }
    }

    /// Wait for the process to exit; (exit code, all stdout, stderr).
    pub async fn finish(mut self) -> (i32, Vec<String>, String) {
        let mut child = self.child;
        let status = tokio::task::spawn_blocking(move || {
            let status = child.wait().expect("wait");
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            (status, err)
        })
        .await
        .expect("join");
        while let Some(line) = self.lines.recv().await {
            self.seen.push(line);
        }
        (status.0.code().unwrap_or(-1), self.seen, status.1)
    }

    /// Send a signal to the process (`INT`, `KILL`).
    pub fn signal(&self, name: &str) {
        let ok = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -{name}");
    }
}

/// Parse NDJSON lines.
pub fn events(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The routes of `traffic show` as (qualifier, weight).
pub async fn split(w: &World) -> Vec<(String, i64)> {
    let v = json(w, &["--env", "dev", "traffic", "show", "sample"]).await;
    v["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| {
            (
                r["qualifier"].as_str().unwrap_or_default().to_string(),
                r["weight"].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}

/// `rollout status sample --output json`, which must succeed.
pub async fn status(w: &World) -> Value {
    let (code, out, err) =
        super::rollout(w, &["status", "sample", "--env", "dev", "--output", "json"]).await;
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("json")
}

/// Wait for `status` to say `want` (the lease expiring takes up to its ttl; a rollout just
/// started in the background may not be there yet).
pub async fn status_becomes(w: &World, want: &str) -> Value {
    let deadline = std::time::Instant::now() + LIMIT;
    loop {
        let (code, out, err) =
            super::rollout(w, &["status", "sample", "--env", "dev", "--output", "json"]).await;
        let v: Value = match code {
            0 => serde_json::from_str(&out).expect("json"),
            _ if err.contains("no rollout of") => Value::Null,
            _ => panic!("status: {err}"),
        };
        if v["state"] == want {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "never {want}: {v}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
