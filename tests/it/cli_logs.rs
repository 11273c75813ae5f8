//! `logs` from the binary, and the backend's follower, against what runtimes really wrote.

use crate::support::emulator as support;
use crate::support::faults;

use std::sync::Arc;
use std::time::Duration;

use agentcore_console::backend::Backend;
use agentcore_console::backend::logs::{
    FollowOptions, LogQuery, Notice, NoticeKind, TailEvent, TailStats, follow,
};
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

async fn put(c: &agentcore_console::backend::Clients, group: &str, stream: &str, msgs: &[String]) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let events = msgs.iter().enumerate().map(|(i, m)| {
        InputLogEvent::builder()
            .timestamp(now + i as i64)
            .message(m)
            .build()
            .expect("event")
    });
    c.logs
        .put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events.collect()))
        .send()
        .await
        .expect("put");
}

/// A stream in the runtime's group, which exists once the server's first line was ingested
/// (a moment after the call that printed it answered).
async fn new_stream(c: &agentcore_console::backend::Clients, group: &str, stream: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let made = c
            .logs
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name(stream)
            .send()
            .await;
        match made {
            Ok(_) => return,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception())
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("stream: {e:?}"),
        }
    }
}

fn ticks(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("tick {i}")).collect()
}

fn since_a_minute_ago() -> Option<i64> {
    Some(time::OffsetDateTime::now_utc().unix_timestamp() * 1000 - 60_000)
}

/// Follow `tick` events until `want` arrive (or 30 s pass); the messages, notices, stats.
async fn follow_ticks(
    url: &str,
    opts: FollowOptions,
    want: usize,
    mut on_line: impl FnMut(usize) + Send,
) -> (Vec<String>, Vec<Notice>, TailStats) {
    let backend = Arc::new(Backend::new(vec![env("dev", url, "us-west-2", None)]));
    let query = LogQuery {
        targets: vec![("dev".into(), "chatty".into())],
        start: since_a_minute_ago(),
        end: None,
        filter: Some("tick".into()),
        page_size: None,
    };
    let (mut got, mut notices) = (vec![], vec![]);
    let stats = tokio::time::timeout(
        Duration::from_secs(30),
        follow(backend, &query, opts, |event, _| {
            match event {
                TailEvent::Line(l) => {
                    got.push(l.message.clone());
                    on_line(got.len());
                }
                TailEvent::Notice(n) => notices.push(n.clone()),
            }
            got.len() < want
        }),
    )
    .await
    .unwrap_or_else(|_| panic!("{want} events in time; got {got:?}, notices {notices:?}"))
    .expect("follow");
    (got, notices, stats)
}

/// History before the follower starts, live events after: each exactly once, in order.
async fn follower_hands_over_from_history_to_live(live_tail: bool) {
    let (_dir, local, _config, id) = chatty().await;
    let c = clients(&local.url, "us-west-2").await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    new_stream(&c, &group, "manual").await;
    put(&c, &group, "manual", &ticks(0..2)).await;
    let writer = {
        let (c, group) = (c.clone(), group.clone());
        tokio::spawn(async move {
            for i in 2..5 {
                tokio::time::sleep(Duration::from_millis(700)).await;
                put(&c, &group, "manual", &ticks(i..i + 1)).await;
            }
        })
    };
    let opts = FollowOptions {
        live_tail,
        poll_every: Duration::from_millis(200),
        ..FollowOptions::default()
    };
    let (got, notices, stats) = follow_ticks(&local.url, opts, 5, |_| {}).await;
    writer.await.expect("writer");
    assert_eq!(got, ticks(0..5), "each event exactly once, in order");
    assert_eq!(stats.delivered, 5);
    let polling = notices.iter().any(|n| n.kind == NoticeKind::Mode);
    assert_eq!(polling, !live_tail, "{notices:?}");
    local.stop().await;
}

#[tokio::test]
async fn the_live_tail_follower_delivers_each_event_once() {
    follower_hands_over_from_history_to_live(true).await;
}

#[tokio::test]
async fn the_polling_follower_delivers_each_event_once() {
    follower_hands_over_from_history_to_live(false).await;
}

#[tokio::test]
async fn a_restart_of_the_service_mid_tail_loses_and_repeats_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut local = faults::Restartable::start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "chatty").await;
    settled(&c, &id).await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    for _ in 0..100 {
        // The group exists once the server has written its first line.
        if c.logs
            .describe_log_streams()
            .log_group_name(&group)
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    new_stream(&c, &group, "manual").await;
    put(&c, &group, "manual", &ticks(0..3)).await;
    let (restart_tx, mut restart_rx) = tokio::sync::mpsc::unbounded_channel();
    let url = local.url.clone();
    let follower = tokio::spawn(async move {
        follow_ticks(&url, FollowOptions::default(), 5, move |n| {
            if n == 3 {
                let _ = restart_tx.send(());
            }
        })
        .await
    });
    restart_rx
        .recv()
        .await
        .expect("three events before the restart");
    local.restart().await;
    put(&c, &group, "manual", &ticks(3..5)).await;
    let (got, notices, stats) = follower.await.expect("follower");
    assert_eq!(got, ticks(0..5), "no gap and no repeat across the restart");
    assert!(stats.reconnects >= 1, "{stats:?}");
    assert!(
        stats.deduplicated >= 3,
        "the backfill re-read what was shown: {stats:?}"
    );
    assert!(
        notices.iter().any(|n| n.kind == NoticeKind::Reconnect),
        "{notices:?}"
    );
    local.stop().await;
}

#[tokio::test]
async fn throttling_backs_off_says_so_and_loses_nothing() {
    let (_dir, local, _config, id) = chatty().await;
    let c = clients(&local.url, "us-west-2").await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    new_stream(&c, &group, "manual").await;
    put(&c, &group, "manual", &ticks(0..3)).await;
    // More throttles in a row than the SDK retries (3 attempts): the follower itself must
    // back off; the fault goes once it has answered more than one call's attempts.
    let spec = "logs:FilterLogEvents:throttle";
    faults::add(&local.url, spec).await;
    let opts = FollowOptions {
        live_tail: false,
        poll_every: Duration::from_millis(200),
        ..FollowOptions::default()
    };
    let url = local.url.clone();
    let follower = tokio::spawn(async move { follow_ticks(&url, opts, 3, |_| {}).await });
    while faults::counts(&local.url, spec).await.1 < 5 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    faults::clear(&local.url).await;
    let (got, notices, stats) = follower.await.expect("follower");
    assert_eq!(got, ticks(0..3));
    assert!(stats.throttled >= 1, "{stats:?}");
    assert!(
        notices
            .iter()
            .any(|n| n.kind == NoticeKind::Throttled && n.text.contains("retrying")),
        "{notices:?}"
    );
    local.stop().await;
}

#[tokio::test]
async fn logs_follow_from_the_binary_prints_new_events_as_they_come() {
    use std::io::BufRead;
    let (_dir, local, config, id) = chatty().await;
    let c = clients(&local.url, "us-west-2").await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    new_stream(&c, &group, "manual").await;
    let mut child = std::process::Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args([
            "logs", "chatty", "-f", "--filter", "tick", "--output", "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let reader = tokio::task::spawn_blocking(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        (0..3)
            .map(|_| lines.next().expect("a line").expect("utf-8"))
            .collect::<Vec<_>>()
    });
    for i in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        put(&c, &group, "manual", &ticks(i..i + 1)).await;
    }
    let lines = tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("three lines in time")
        .expect("reader");
    child.kill().expect("kill");
    let _ = child.wait();
    let messages: Vec<String> = lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("json line");
            assert_eq!(v["logGroup"], group.as_str());
            v["message"].as_str().expect("message").to_string()
        })
        .collect();
    assert_eq!(messages, ticks(0..3));
    local.stop().await;
}

#[tokio::test]
async fn a_reader_that_stalls_loses_nothing() {
    let (_dir, local, _config, id) = chatty().await;
    let c = clients(&local.url, "us-west-2").await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    new_stream(&c, &group, "manual").await;
    // More than every queue between the reads and the reader holds, 20 ms apart (so a
    // batch spans more than the 5 s the reads overlap by).
    let base = time::OffsetDateTime::now_utc().unix_timestamp() * 1000 - 900_000;
    for chunk in (0..40_000i64).collect::<Vec<_>>().chunks(10_000) {
        let events = chunk.iter().map(|i| {
            InputLogEvent::builder()
                .timestamp(base + i * 20)
                .message(format!("tick {i}"))
                .build()
                .expect("event")
        });
        c.logs
            .put_log_events()
            .log_group_name(&group)
            .log_stream_name("manual")
            .set_log_events(Some(events.collect()))
            .send()
            .await
            .expect("put");
    }
    let backend = Arc::new(Backend::new(vec![env(
        "dev",
        &local.url,
        "us-west-2",
        None,
    )]));
    let query = LogQuery {
        targets: vec![("dev".into(), "chatty".into())],
        start: Some(base - 1000),
        end: None,
        filter: Some("tick".into()),
        page_size: None,
    };
    let opts = FollowOptions {
        live_tail: false,
        poll_every: Duration::from_millis(100),
        ..FollowOptions::default()
    };
    let mut rx = agentcore_console::backend::logs::spawn_follow(backend, query, opts)
        .await
        .expect("follow");
    // A pager that waits before it reads, then reads slowly at first.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut got = 0usize;
    let mut last = None;
    tokio::time::timeout(Duration::from_secs(60), async {
        while got < 40_000 {
            let (event, stats) = rx.recv().await.expect("open").expect("no error");
            if let TailEvent::Line(_) = event {
                got += 1;
                if got.is_multiple_of(1000) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            last = Some(stats);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("only {got} of 40000 events; {last:?}"));
    assert_eq!(last.map(|s| s.delivered), Some(40_000));
    local.stop().await;
}
