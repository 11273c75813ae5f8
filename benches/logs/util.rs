//! Helpers for `benches/logs.rs`: the data, PutLogEvents, timed runs of the binary and of the
//! reference clients, readings from /proc, and the table.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use agentcore_console::backend::Clients;
use agentcore_console::backend::clients::LOCAL_ACCESS_KEY;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use tokio::sync::mpsc;

pub const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");
pub const REGION: &str = "us-west-2";
/// Events per PutLogEvents: 5,000 × (~110 bytes + 26) stays well under the 1 MiB limit.
const BATCH: usize = 5_000;

pub fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .expect("now in ms")
}

/// A realistic structured log line of about 110 bytes.
pub fn message(i: usize) -> String {
    let level = if i.is_multiple_of(50) { "WARN" } else { "INFO" };
    let session = (i as u64 / 40).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!(
        r#"{{"level":"{level}","msg":"tools/call served","tool":"get_forecast","ms":{},"session":"{session:016x}","seq":{i}}}"#,
        3 + i % 97
    )
}

/// The stream name AgentCore gives a runtime instance's output today.
pub fn stream_name(instance: &str) -> String {
    let d = time::OffsetDateTime::now_utc();
    format!(
        "{:04}/{:02}/{:02}/[runtime-logs]{instance}",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
}

/// Create the group (if missing) and the stream.
pub async fn new_stream(c: &Clients, group: &str, stream: &str) {
    let _ = c.logs.create_log_group().log_group_name(group).send().await; // may exist
    c.logs
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .expect("CreateLogStream");
}

/// PutLogEvents in batches within the API's limits; every event must be accepted.
pub async fn put(c: &Clients, group: &str, stream: &str, events: &[(i64, String)]) {
    for batch in events.chunks(BATCH) {
        let out = c
            .logs
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .set_log_events(Some(
                batch
                    .iter()
                    .map(|(ts, m)| {
                        InputLogEvent::builder()
                            .timestamp(*ts)
                            .message(m)
                            .build()
                            .expect("event")
                    })
                    .collect(),
            ))
            .send()
            .await
            .expect("PutLogEvents");
        assert!(out.rejected_log_events_info().is_none(), "rejected events");
    }
}

/// Put up to `n` history events (20 ms apart, ending about 5 minutes ago), stopping early
/// when `budget` is spent; how many were put and how long it took.
pub async fn put_history(
    c: &Clients,
    group: &str,
    n: usize,
    budget: Duration,
) -> (usize, Duration) {
    let stream = stream_name("bench-0001");
    new_stream(c, group, &stream).await;
    let base = now_ms() - 5 * 60_000 - 20 * n as i64;
    let started = Instant::now();
    let mut done = 0;
    while done < n && started.elapsed() < budget {
        let events: Vec<(i64, String)> = (done..(done + BATCH).min(n))
            .map(|i| (base + 20 * i as i64, message(i)))
            .collect();
        put(c, group, &stream, &events).await;
        done += events.len();
    }
    (done, started.elapsed())
}

/// The API bound: FilterLogEvents pages fetched by a minimal loop on the SDK client.
pub async fn raw_filter(c: &Clients, group: &str, start: i64) -> usize {
    let (mut n, mut token) = (0, None);
    loop {
        let page = c
            .logs
            .filter_log_events()
            .log_group_name(group)
            .start_time(start)
            .set_next_token(token)
            .send()
            .await
            .expect("FilterLogEvents");
        n += page.events().len();
        token = page.next_token;
        if token.is_none() {
            return n;
        }
    }
}

/// Credentials and region for the reference clients; no config files, no IMDS.
pub fn aws_env(cmd: &mut Command) -> &mut Command {
    for k in ["AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"] {
        cmd.env_remove(k);
    }
    cmd.env("AWS_ACCESS_KEY_ID", LOCAL_ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_REGION", REGION)
        .env("AWS_DEFAULT_REGION", REGION)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
}

/// An AWS CLI v2 (`aws logs tail` exists only there): `$AWS_CLI_V2`, else `aws` on PATH,
/// else /usr/bin/aws (Debian 12's `awscli` package is v2). Its path and version.
pub fn aws_cli_v2() -> Option<(PathBuf, String)> {
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("aws")).collect())
        .unwrap_or_default();
    std::env::var_os("AWS_CLI_V2")
        .map(PathBuf::from)
        .into_iter()
        .chain(on_path)
        .chain([PathBuf::from("/usr/bin/aws"), "/usr/local/bin/aws".into()])
        .filter(|p| p.is_file())
        .find_map(|p| {
            let out = aws_env(&mut Command::new(&p))
                .arg("--version")
                .output()
                .ok()?;
            let v = String::from_utf8_lossy(&out.stdout).into_owned();
            let v = v
                .split_whitespace()
                .next()?
                .strip_prefix("aws-cli/")?
                .to_string();
            v.starts_with("2.").then_some((p, v))
        })
}

/// boto3's `filter_log_events` paginator, printing each message (the reference client
/// where the AWS CLI v2 is not installed).
pub const BOTO3: &str = r#"
import sys, boto3
url, group, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
logs = boto3.client("logs", endpoint_url=url)
w = sys.stdout.write
for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=start):
    for e in page["events"]:
        w(e["message"] + "\n")
"#;

/// Run to the end with stdout on /dev/null; the wall time. Panics with stderr on failure.
pub fn run_null(mut cmd: Command) -> Duration {
    let err = tempfile::tempfile().expect("stderr file");
    cmd.stdout(Stdio::null())
        .stderr(err.try_clone().expect("stderr"));
    let t = Instant::now();
    let status = cmd.status().expect("spawn");
    let took = t.elapsed();
    check(status, err, &cmd);
    took
}

/// What [`run_counted`] saw of a run.
pub struct Run {
    pub wall: Duration,
    pub lines: usize,
    /// Peak RSS (VmHWM) in kB.
    pub peak_kb: u64,
    /// User + system CPU time, as last sampled before the exit.
    pub cpu: Duration,
}

/// Run to the end with stdout drained by this process, sampling the child's peak RSS and
/// CPU time every 2 ms.
pub fn run_counted(mut cmd: Command) -> Run {
    let err = tempfile::tempfile().expect("stderr file");
    cmd.stdout(Stdio::piped())
        .stderr(err.try_clone().expect("stderr"));
    let t = Instant::now();
    let mut child = cmd.spawn().expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let lines = std::thread::spawn(move || {
        let (mut n, mut buf) = (0, vec![0u8; 1 << 16]);
        while let Ok(k @ 1..) = out.read(&mut buf) {
            n += buf[..k].iter().filter(|&&b| b == b'\n').count();
        }
        n
    });
    let (mut peak_kb, mut cpu) = (0, Duration::ZERO);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        peak_kb = peak_kb.max(proc_kb(child.id(), "VmHWM").unwrap_or(0));
        cpu = cpu_time(child.id()).unwrap_or(cpu);
        std::thread::sleep(Duration::from_millis(2));
    };
    let wall = t.elapsed();
    check(status, err, &cmd);
    let lines = lines.join().expect("reader");
    Run {
        wall,
        lines,
        peak_kb,
        cpu,
    }
}

fn check(status: std::process::ExitStatus, mut err: std::fs::File, cmd: &Command) {
    if !status.success() {
        use std::io::Seek;
        let mut text = String::new();
        let _ = err.rewind();
        let _ = err.read_to_string(&mut text);
        panic!("{cmd:?} failed ({status}): {text}");
    }
}

/// A field of /proc/<pid>/status in kB (VmHWM: peak RSS, VmRSS: current).
pub fn proc_kb(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// utime + stime of a process (/proc/<pid>/stat, in ticks of 1/100 s as on Linux).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut f = s.get(s.rfind(')')? + 1..)?.split_whitespace().skip(11);
    let ticks: u64 = f.next()?.parse::<u64>().ok()? + f.next()?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// `logs <runtime> -f` from the binary, its stdout read line by line: every line counted,
/// and lines holding a probe marker sent with the instant they were read.
pub struct Follower {
    child: Child,
    pub lines: Arc<AtomicUsize>,
    pub probes: mpsc::UnboundedReceiver<(Instant, String)>,
}

impl Follower {
    pub fn spawn(config: &Path, runtime: &str, poll: bool) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.arg("--config")
            .arg(config)
            .args(["logs", runtime, "-f", "--since", "2s"]);
        if poll {
            cmd.arg("--poll");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the follower");
        let out = child.stdout.take().expect("stdout");
        let (tx, probes) = mpsc::unbounded_channel();
        let lines = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { return };
                count.fetch_add(1, Ordering::Relaxed);
                if line.contains("probe ") && tx.send((Instant::now(), line)).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            lines,
            probes,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait until a line holding `marker` is read (or `within` passes); when it was read.
    pub async fn wait_for(&mut self, marker: &str, within: Duration) -> Option<Instant> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let (at, line) = tokio::time::timeout_at(deadline, self.probes.recv())
                .await
                .ok()??;
            if line.contains(marker) {
                return Some(at);
            }
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Median of the samples (sorted in place).
pub fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `12,345`
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `123,456 ev/s (100,012 in 0.81 s)`
pub fn rate(n: usize, took: Duration) -> String {
    let secs = took.as_secs_f64();
    format!(
        "{} ev/s ({} in {secs:.2} s)",
        thousands((n as f64 / secs) as u64),
        thousands(n as u64)
    )
}

/// The result table, printed as Markdown (also readable in a terminal).
#[derive(Default)]
pub struct Table(Vec<[String; 3]>);

impl Table {
    pub fn row(&mut self, server: &str, what: &str, result: String) {
        eprintln!("  {server} | {what} | {result}");
        self.0.push([server.into(), what.into(), result]);
    }

    pub fn print(&self) {
        let head = ["server", "measurement", "result"].map(String::from);
        let w: Vec<usize> = (0..3)
            .map(|i| {
                self.0
                    .iter()
                    .chain([&head])
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |r: &[String; 3]| {
            let cells: Vec<String> = (0..3).map(|i| format!("{:<1$}", r[i], w[i])).collect();
            println!("| {} |", cells.join(" | "));
        };
        line(&head);
        line(&[0, 1, 2].map(|i| "-".repeat(w[i])));
        for r in &self.0 {
            line(r);
        }
    }
}
