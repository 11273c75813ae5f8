//! The console under the local AgentCore's injected faults (`--fault`, `/_local/faults`):
//! throttling, 5xx, latency and dropped Live Tail streams, each claim proved with counts.

mod logs;
mod writes;

use std::path::{Path, PathBuf};

use agentcore_console::backend::Clients;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;

use crate::support::cli::BIN;
use crate::support::emulator::{Local, clients, create, settled, start};

/// A local AgentCore with one running runtime `chatty`, a config pointing at it, and a
/// stream `manual` in its log group for the test's own events.
pub struct Chatty {
    pub _dir: tempfile::TempDir,
    pub local: Local,
    pub config: PathBuf,
    pub c: Clients,
    pub group: String,
}

pub async fn chatty() -> Chatty {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("local")).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "chatty").await;
    settled(&c, &id).await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    // The group exists once the server wrote its first line; creating it first is the same.
    let _ = c
        .logs
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await;
    c.logs
        .create_log_stream()
        .log_group_name(&group)
        .log_stream_name("manual")
        .send()
        .await
        .expect("stream");
    let config = dir.path().join("envs.toml");
    std::fs::write(
        &config,
        format!(
            "[environments.dev]\nendpoint_url = \"{}\"\nregion = \"us-west-2\"\n",
            local.url
        ),
    )
    .expect("config");
    Chatty {
        _dir: dir,
        local,
        config,
        c,
        group,
    }
}

/// `tick 00000` …: zero-padded, so text order is time order.
pub fn ticks(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("tick {i:05}")).collect()
}

/// Put `msgs` (at most 10,000) into the `manual` stream, `step_ms` apart from `first_ms`.
pub async fn put(w: &Chatty, msgs: &[String], first_ms: i64, step_ms: i64) {
    let events = msgs.iter().zip(0i64..).map(|(m, i)| {
        InputLogEvent::builder()
            .timestamp(first_ms + i * step_ms)
            .message(m)
            .build()
            .expect("event")
    });
    w.c.logs
        .put_log_events()
        .log_group_name(&w.group)
        .log_stream_name("manual")
        .set_log_events(Some(events.collect()))
        .send()
        .await
        .expect("put");
}

pub fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).expect("time")
}

/// Run the binary on `config`; (exit ok, stdout, stderr).
pub async fn run(config: &Path, args: &[&str]) -> (bool, String, String) {
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("--config").arg(config).args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `message` of each JSON line that is a tick.
pub fn tick_messages(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["message"].as_str().map(str::to_string))
        .filter(|m| m.starts_with("tick "))
        .collect()
}
