//! Supervision of the processes behind runtimes: crash loops back off and say so in the
//! runtime's logs, invocations of a running version never touch its artifact, and processes
//! stop when no endpoint needs them and at shutdown.

use std::time::Duration;

use agentcore_console::backend::Clients;

use super::support::*;
use super::{arn, invoke_err, server_version};

/// (timestamp ms, message) of the events of `group` matching `pattern`, oldest first.
pub(super) async fn events(c: &Clients, group: &str, pattern: &str) -> Vec<(i64, String)> {
    let mut out = vec![];
    let mut token = None;
    loop {
        let page = c
            .logs
            .filter_log_events()
            .log_group_name(group)
            .filter_pattern(pattern)
            .set_next_token(token)
            .send()
            .await;
        // The group appears with the first line a server writes.
        let Ok(page) = page else { return out };
        out.extend(page.events().iter().map(|e| {
            (
                e.timestamp().unwrap_or_default(),
                e.message().unwrap_or_default().to_string(),
            )
        }));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}

/// Poll (bounded) until `pattern` has matched at least `n` events of `group`.
pub(super) async fn wait_events(
    c: &Clients,
    group: &str,
    pattern: &str,
    n: usize,
) -> Vec<(i64, String)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let found = events(c, group, pattern).await;
        if found.len() >= n {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} events match `{pattern}` in {group}: {found:?}",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn default_group(id: &str) -> String {
    format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT")
}

/// The port the fixture of `version` announced in `group` (the runtime's logs).
pub(super) async fn port_of(c: &Clients, group: &str, version: &str) -> u16 {
    let prefix = format!("fixture: version {version} listening on 127.0.0.1:");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let found = events(c, group, "listening").await;
        if let Some(port) = found
            .iter()
            .find_map(|(_, m)| m.strip_prefix(&prefix)?.trim().parse().ok())
        {
            return port;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "version {version} announced no port: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(super) async fn answers(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_ok()
}

/// Poll (bounded) until nothing listens on `port` any more.
pub(super) async fn wait_closed(port: u16, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while answers(port).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: port {port} still answers"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// "… restarting in 0.5s (crash 2 in a row)" → 500 ms.
fn announced_delay_ms(line: &str) -> u64 {
    let secs: f64 = line
        .split("restarting in ")
        .nth(1)
        .and_then(|r| r.split('s').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no delay in {line}"));
    (secs * 1000.0).round() as u64
}

#[tokio::test]
async fn a_crash_loop_backs_off_and_says_why_in_the_runtime_logs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    // The readiness probe's initialize is its only answer: ready, then dead, over and over.
    let id = create_with(
        &c,
        "crashloop",
        &[
            ("FIXTURE_MODE", "crash_after"),
            ("FIXTURE_CRASH_AFTER", "1"),
        ],
    )
    .await;
    settled(&c, &id).await;
    let restarts = wait_events(&c, &default_group(&id), "restarting", 4).await;
    let delays: Vec<u64> = restarts
        .iter()
        .map(|(_, m)| announced_delay_ms(m))
        .collect();
    assert_eq!(&delays[..4], [250, 500, 1000, 2000], "{restarts:?}");
    for (i, (_, line)) in restarts.iter().take(4).enumerate() {
        assert!(
            line.contains("exited with exit code 9")
                && line.contains(&format!("(crash {} in a row)", i + 1)),
            "{line}"
        );
    }
    // Each restart waited at least what it announced, so the gaps grow.
    let gaps: Vec<i64> = restarts.windows(2).map(|w| w[1].0 - w[0].0).collect();
    for (gap, delay) in gaps.iter().zip(&delays) {
        assert!(
            *gap + 5 >= *delay as i64,
            "gaps {gaps:?}, delays {delays:?}"
        );
    }
    assert!(gaps[2] > gaps[0], "gaps {gaps:?}");

    // The runtime stays READY (its status is about provisioning, as on AWS); an invocation
    // during a backoff fails at once, with the reason.
    let rt = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get");
    assert_eq!(rt.status().as_str(), "READY");
    let (status, code, message) = invoke_err(&c, &arn(&c, &id).await).await;
    assert_eq!(
        (status, code.as_str()),
        (424, "RuntimeClientError"),
        "{message}"
    );
    assert!(
        message.contains("keeps crashing") && message.contains("exit code 9"),
        "{message}"
    );
    local.stop().await;
}

#[tokio::test]
async fn invoking_a_running_version_does_not_read_its_artifact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "unread").await;
    settled(&c, &id).await;
    let arn = arn(&c, &id).await;
    assert_eq!(server_version(&c, &arn, None).await.as_deref(), Ok("1"));
    // The stored code zip disappears from under the local S3.
    let objects = dir.path().join("objects");
    for entry in std::fs::read_dir(&objects).expect("objects") {
        std::fs::remove_file(entry.expect("entry").path()).expect("remove");
    }
    for _ in 0..3 {
        assert_eq!(server_version(&c, &arn, None).await.as_deref(), Ok("1"));
    }
    local.stop().await;

    // Cold, the process must start, so the code is read: and it is gone.
    let again = start(dir.path()).await;
    let c = clients(&again.url, "us-west-2").await;
    let (status, code, message) = invoke_err(&c, &arn).await;
    assert_eq!((status, code.as_str()), (424, "RuntimeClientError"));
    assert!(
        message.contains("cannot read s3://fixture-code/unread.zip"),
        "{message}"
    );
    again.stop().await;
}

#[tokio::test]
async fn processes_stop_when_unreferenced_and_at_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "ports").await;
    settled(&c, &id).await;
    let first = port_of(&c, &default_group(&id), "1").await;
    assert!(answers(first).await);

    // DEFAULT moves to version 2; nothing points at version 1 any more.
    update(&c, &id, "2").await;
    settled(&c, &id).await;
    let second = port_of(&c, &default_group(&id), "2").await;
    assert_ne!(first, second);
    wait_closed(first, "the unreferenced version 1").await;
    assert!(answers(second).await, "version 2 serves DEFAULT");

    local.stop().await;
    wait_closed(second, "after shutdown").await;
}
