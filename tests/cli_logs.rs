//! `logs` from the binary, and the backend's follower, against what runtimes really wrote.

#[path = "support/emulator.rs"]
mod support;

use std::time::Duration;

use agentcore_console::backend::Backend;
use agentcore_console::backend::logs::{LogQuery, follow};
use assert_cmd::Command;
use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use serde_json::Value;
use support::*;

const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");
const CALL: &str =
    r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"version","arguments":{}}}"#;

async fn run(config: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let mut cmd = Command::new(BIN);
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

/// A runtime that served three tools/calls, and a config pointing at it.
async fn chatty() -> (tempfile::TempDir, Local, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("local")).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "chatty").await;
    settled(&c, &id).await;
    let arn = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get")
        .agent_runtime_arn;
    for _ in 0..3 {
        c.data
            .invoke_agent_runtime()
            .agent_runtime_arn(&arn)
            .content_type("application/json")
            .payload(Blob::new(CALL))
            .send()
            .await
            .expect("invoke");
    }
    let config = dir.path().join("envs.toml");
    std::fs::write(
        &config,
        format!(
            "[environments.dev]\nendpoint_url = \"{}\"\nregion = \"us-west-2\"\n",
            local.url
        ),
    )
    .expect("config");
    (dir, local, config, id)
}

#[tokio::test]
async fn logs_prints_history_filtered_and_as_json() {
    let (_dir, local, config, id) = chatty().await;
    let filter = r#"{ $.method = "tools/call" }"#;
    let mut lines = vec![];
    for _ in 0..100 {
        let (ok, out, err) = run(
            &config,
            &[
                "logs", "chatty", "--since", "5m", "--filter", filter, "--output", "json",
            ],
        )
        .await;
        assert!(ok, "{err}");
        lines = out
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("ndjson"))
            .collect();
        if lines.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert_eq!(lines.len(), 3);
    let l = &lines[0];
    assert_eq!(
        (l["env"].as_str(), l["runtime"].as_str()),
        (Some("dev"), Some("chatty"))
    );
    assert_eq!(
        l["logGroup"],
        format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT")
    );
    for key in [
        "timestamp",
        "ingestionTime",
        "logStream",
        "eventId",
        "message",
    ] {
        assert!(!l[key].is_null(), "{key} in {l}");
    }
    let (ok, out, _) = run(&config, &["logs", "chatty", "--grep", "initiali[sz]e"]).await;
    assert!(
        ok && out.lines().count() >= 1 && out.lines().all(|l| l.contains("initialize")),
        "{out}"
    );
    assert!(out.lines().all(|l| l.contains(" dev/chatty ")), "{out}");

    // Untrusted text does not reach the terminal raw.
    let c = clients(&local.url, "us-west-2").await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    c.logs
        .create_log_stream()
        .log_group_name(&group)
        .log_stream_name("evil")
        .send()
        .await
        .expect("stream");
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    c.logs
        .put_log_events()
        .log_group_name(&group)
        .log_stream_name("evil")
        .log_events(
            InputLogEvent::builder()
                .timestamp(now)
                .message("pwn\x1b]0;owned\x07\x1b[2J")
                .build()
                .expect("event"),
        )
        .send()
        .await
        .expect("put");
    let (ok, out, _) = run(&config, &["logs", "chatty", "--grep", "pwn"]).await;
    assert!(
        ok && out.contains("pwn") && !out.contains('\x1b') && !out.contains('\x07'),
        "{out:?}"
    );

    for (args, expect) in [
        (
            vec!["logs", "chatty", "--since", "5m", "--until", "10m"],
            "--until is before --since",
        ),
        (
            vec!["logs", "chatty", "--filter", "{ $.level = "],
            "InvalidParameterException",
        ),
        (vec!["logs", "chatty", "--since", "yesterday"], "not a time"),
        (vec!["logs", "ghost"], "no such runtime"),
        (vec!["logs", "chatty", "--grep", "("], "--grep"),
    ] {
        let (ok, _, err) = run(&config, &args).await;
        assert!(!ok && err.contains(expect), "{args:?}: {err}");
    }
    local.stop().await;
}

#[tokio::test]
async fn the_follower_delivers_new_events_once() {
    let (_dir, local, _config, id) = chatty().await;
    let backend = Backend::new(vec![env("dev", &local.url, "us-west-2", None)]);
    let c = clients(&local.url, "us-west-2").await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    c.logs
        .create_log_stream()
        .log_group_name(&group)
        .log_stream_name("manual")
        .send()
        .await
        .expect("stream");
    let writer = {
        let c = c.clone();
        let group = group.clone();
        tokio::spawn(async move {
            for i in 0..5 {
                let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000 + i;
                c.logs
                    .put_log_events()
                    .log_group_name(&group)
                    .log_stream_name("manual")
                    .log_events(
                        InputLogEvent::builder()
                            .timestamp(now)
                            .message(format!("tick {i}"))
                            .build()
                            .expect("event"),
                    )
                    .send()
                    .await
                    .expect("put");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        })
    };
    let query = LogQuery {
        targets: vec![("dev".into(), "chatty".into())],
        start: Some(time::OffsetDateTime::now_utc().unix_timestamp() * 1000 - 60_000),
        end: None,
        filter: Some("tick".into()),
    };
    let mut got = vec![];
    tokio::time::timeout(
        Duration::from_secs(20),
        follow(&backend, &query, Duration::from_millis(200), |line| {
            got.push(line.message.clone());
            got.len() < 5
        }),
    )
    .await
    .expect("five ticks arrive")
    .expect("follow");
    writer.await.expect("writer");
    assert_eq!(
        got,
        ["tick 0", "tick 1", "tick 2", "tick 3", "tick 4"],
        "each event exactly once, in order"
    );
    local.stop().await;
}
