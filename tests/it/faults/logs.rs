//! `logs` through throttled FilterLogEvents and dropped Live Tail streams.

use std::io::BufRead;
use std::time::Duration;

use super::{chatty, now_ms, put, run, tick_messages, ticks};
use crate::support::cli::BIN;
use crate::support::faults;

#[tokio::test]
async fn logs_since_through_filter_log_events_throttled_at_half_prints_each_event_once_in_order() {
    let w = chatty().await;
    let all = ticks(0..24_000);
    let first = now_ms() - 20 * 60_000;
    for (i, chunk) in all.chunks(8_000).enumerate() {
        put(
            &w,
            chunk,
            first + i64::try_from(i * 8_000).expect("n") * 10,
            10,
        )
        .await;
    }
    let spec = "logs:FilterLogEvents:throttle@0.5";
    faults::add(&w.local.url, spec).await;
    let (ok, out, err) = run(
        &w.config,
        &[
            "logs", "chatty", "--since", "1h", "--filter", "tick", "--output", "json",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let got = tick_messages(&out);
    assert_eq!(got.len(), all.len(), "every event, once");
    assert!(got == all, "in order");
    // Three pages of 10,000: every second call was throttled and retried by the SDK.
    let (matched, applied) = faults::counts(&w.local.url, spec).await;
    assert!(
        applied >= 2 && applied == matched / 2,
        "{matched} calls, {applied} throttled"
    );
    w.local.stop().await;
}

#[tokio::test]
async fn logs_since_outlasts_more_throttling_than_the_sdk_retries() {
    let w = chatty().await;
    put(&w, &ticks(0..100), now_ms() - 60_000, 10).await;
    let spec = "logs:FilterLogEvents:throttle";
    faults::add(&w.local.url, spec).await;
    let config = w.config.clone();
    let cli = tokio::spawn(async move {
        run(
            &config,
            &["logs", "chatty", "--since", "1h", "--output", "json"],
        )
        .await
    });
    // Six throttled calls: twice the SDK's three attempts of one call, and the point from
    // which a page still refused is reported (after waiting 3 s or more).
    while faults::counts(&w.local.url, spec).await.1 < 6 {
        assert!(!cli.is_finished(), "logs gave up: {:?}", cli.await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    faults::clear(&w.local.url).await;
    let (ok, out, err) = cli.await.expect("cli");
    assert!(ok, "{err}");
    assert_eq!(tick_messages(&out), ticks(0..100));
    assert!(err.contains("throttled, retrying"), "{err}");
    w.local.stop().await;
}

#[tokio::test]
async fn logs_follow_through_live_tail_dropped_every_100_events_shows_each_once() {
    const TOTAL: usize = 2_000;
    let w = chatty().await;
    let spec = "logs:StartLiveTail:drop-after=100";
    faults::add(&w.local.url, spec).await;
    let mut child = std::process::Command::new(BIN)
        .arg("--config")
        .arg(&w.config)
        .args([
            "logs", "chatty", "-f", "--filter", "tick", "--output", "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let reader = tokio::task::spawn_blocking(move || {
        let mut got = vec![];
        for line in std::io::BufReader::new(stdout).lines() {
            got.extend(tick_messages(&line.expect("utf-8")));
            if got.len() >= TOTAL {
                break;
            }
        }
        got
    });
    // 250 events a second, under Live Tail's 500 a second (beyond which it samples).
    let all = ticks(0..TOTAL);
    for chunk in all.chunks(50) {
        put(&w, chunk, now_ms(), 1).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let got = tokio::time::timeout(Duration::from_secs(120), reader)
        .await
        .expect("every event in time")
        .expect("reader");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid")),
        nix::sys::signal::Signal::SIGINT,
    )
    .expect("interrupt");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("wait"))
        .await
        .expect("join");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        got == all,
        "each event once, in order: {} events",
        got.len()
    );
    let drops = err.matches("Live Tail stream dropped").count() as u64;
    let (sessions, _) = faults::counts(&w.local.url, spec).await;
    assert!(drops >= 3, "the drops are reported: {err}");
    assert!(
        sessions > drops,
        "a new session after each drop: {sessions} sessions, {drops} drops"
    );
    let reconnects: u64 = err
        .split("reconnects")
        .next()
        .and_then(|s| s.rsplit(", ").next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("a summary line: {err}"));
    assert!(reconnects >= drops, "{err}");
    w.local.stop().await;
}
