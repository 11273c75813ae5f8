//! `logs --since` read in time slices under a tight latency and quota profile: every event
//! exactly once and in the order of a serial read (many streams, equal timestamps across
//! streams, groups and slice boundaries), throttling absorbed, read-ahead bounded; and the
//! profile's throttling as AWS sends it, through the Rust SDK ([`profile`]).

mod profile;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use agentcore_console::backend::Backend;
use agentcore_console::backend::logs::{LogLine, LogQuery, history_each, history_serial_each};
use agentcore_console::domain::timestamp::rfc3339_from_ms;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;

use crate::faults::{now_ms, run};
use crate::support::emulator::{Local, clients, create, env, raw, settled, start_profiled};

/// FilterLogEvents at 10 calls a second, two at once, answering in 5–20 ms: far less than
/// what the readers would ask for, so they are throttled and must find the window.
pub const TIGHT: &str = "[logs.FilterLogEvents]\nrps = 10\nburst = 2\np50_ms = 5\np99_ms = 20\n";
const RUNTIMES: [&str; 2] = ["alpha", "beta"];
const STREAMS: usize = 4;
/// Distinct timestamps per group, one second apart.
const STAMPS: i64 = 150;
/// Events per page: many pages from few events.
const PAGE: i32 = 40;

pub struct World {
    _dir: tempfile::TempDir,
    pub local: Local,
    pub config: PathBuf,
    pub start: i64,
    pub end: i64,
}

/// Two runtimes, each group with four streams; at every timestamp each stream has an event
/// and stream 0 two, in both groups: 5 events per timestamp per group, 1,500 in all.
pub async fn world(profile: &str) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start_profiled(&dir.path().join("local"), profile).await;
    let c = clients(&local.url, "us-west-2").await;
    let start = now_ms() - 30 * 60_000;
    for (g, name) in RUNTIMES.iter().enumerate() {
        let id = create(&c, name).await;
        settled(&c, &id).await;
        let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
        let _ = c
            .logs
            .create_log_group()
            .log_group_name(&group)
            .send()
            .await;
        for s in 0..STREAMS {
            let stream = format!("s{s}");
            c.logs
                .create_log_stream()
                .log_group_name(&group)
                .log_stream_name(&stream)
                .send()
                .await
                .expect("stream");
            let copies = if s == 0 { 2 } else { 1 };
            let events = (0..STAMPS).flat_map(|k| {
                (0..copies).map(move |r| {
                    InputLogEvent::builder()
                        .timestamp(start + k * 1000)
                        .message(format!("ev g{g} s{s} k{k:04} r{r}"))
                        .build()
                        .expect("event")
                })
            });
            c.logs
                .put_log_events()
                .log_group_name(&group)
                .log_stream_name(&stream)
                .set_log_events(Some(events.collect()))
                .send()
                .await
                .expect("put");
        }
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
    World {
        _dir: dir,
        local,
        config,
        start,
        end: start + STAMPS * 1000,
    }
}

const TOTAL: usize = RUNTIMES.len() * (STREAMS + 1) * 150;

impl World {
    pub fn backend(&self) -> Backend {
        Backend::new(vec![env("dev", &self.local.url, "us-west-2", None)])
    }

    pub fn query(&self, page_size: Option<i32>) -> LogQuery {
        LogQuery {
            targets: RUNTIMES
                .iter()
                .map(|r| ("dev".to_string(), (*r).to_string()))
                .collect(),
            start: Some(self.start),
            end: Some(self.end),
            filter: None,
            page_size,
        }
    }

    /// The serial read: the reference.
    pub async fn serial(&self) -> Vec<Key> {
        let mut all = vec![];
        history_serial_each(&self.backend(), &self.query(None), |l| {
            all.push(key(&l));
            true
        })
        .await
        .expect("serial read");
        all
    }
}

/// What identifies an event and its place.
pub type Key = (i64, String, String, String, String);

pub fn key(l: &LogLine) -> Key {
    (
        l.timestamp,
        l.log_group.clone(),
        l.log_stream.clone(),
        l.event_id.clone().unwrap_or_default(),
        l.message.clone(),
    )
}

/// (served, throttled) of the profile's FilterLogEvents rule.
pub async fn profile_counts(url: &str) -> (u64, u64) {
    let (status, resp) = raw(url, "GET", "/_local/faults", &[], "").await;
    assert_eq!(status, 200, "{resp}");
    let body = resp.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    let rule = v["profile"]["rules"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["operation"] == "logs:FilterLogEvents"))
        .unwrap_or_else(|| panic!("no FilterLogEvents rule in {v}"))
        .clone();
    (
        rule["served"].as_u64().expect("served"),
        rule["throttled"].as_u64().expect("throttled"),
    )
}

fn assert_each_once_in_order(got: &[Key], serial: &[Key]) {
    assert_eq!(serial.len(), TOTAL, "the serial read sees every event");
    let ids: HashSet<&str> = got.iter().map(|k| k.3.as_str()).collect();
    assert_eq!(ids.len(), got.len(), "no event twice");
    assert_eq!(got.len(), TOTAL, "every event");
    assert!(got.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
    assert!(got == serial, "the serial read's order, ties included");
}

#[tokio::test]
async fn sliced_history_under_a_tight_quota_is_the_serial_read_exactly_once() {
    let w = world(TIGHT).await;
    let serial = w.serial().await;
    let (_, throttled_before) = profile_counts(&w.local.url).await;
    let mut got = vec![];
    history_each(&w.backend(), &w.query(Some(PAGE)), |l| {
        got.push(key(&l));
        true
    })
    .await
    .expect("sliced read");
    assert_each_once_in_order(&got, &serial);
    // Ties at slice boundaries: equal timestamps in every group and stream, 5 per group.
    assert!(got.windows(10).any(|w| w.iter().all(|k| k.0 == w[0].0)));
    let (served, throttled) = profile_counts(&w.local.url).await;
    assert!(
        throttled > throttled_before,
        "the readers asked for more than the quota ({served} served): throttling was absorbed"
    );
    w.local.stop().await;
}

#[tokio::test]
async fn logs_since_under_a_tight_quota_prints_every_event_once_and_says_nothing() {
    let w = world(TIGHT).await;
    let serial = w.serial().await;
    let since = rfc3339_from_ms(w.start).expect("since");
    let until = rfc3339_from_ms(w.end).expect("until");
    let page = PAGE.to_string();
    let mut args = vec!["logs"];
    args.extend(RUNTIMES);
    args.extend([
        "--since",
        &since,
        "--until",
        &until,
        "--page-size",
        &page,
        "--output",
        "json",
    ]);
    let (ok, out, err) = run(&w.config, &args).await;
    assert!(ok, "{err}");
    assert!(err.is_empty(), "nothing on stderr: {err}");
    let got: Vec<Key> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            (
                v["timestamp"].as_i64().expect("timestamp"),
                v["logGroup"].as_str().expect("group").to_string(),
                v["logStream"].as_str().expect("stream").to_string(),
                v["eventId"].as_str().expect("id").to_string(),
                v["message"].as_str().expect("message").to_string(),
            )
        })
        .collect();
    assert_each_once_in_order(&got, &serial);
    assert!(profile_counts(&w.local.url).await.1 > 0, "it was throttled");
    w.local.stop().await;
}

/// A consumer that stops taking events stops the readers after a few pages per slice:
/// per group the first page, then 4 slices each with a page queued and one in hand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_consumer_bounds_what_is_read_ahead() {
    // No quota: the readers go as fast as they can.
    let w = world("[logs.FilterLogEvents]\np50_ms = 1\n").await;
    let served_at_stall = Arc::new(AtomicU64::new(0));
    let url = w.local.url.clone();
    let at_stall = Arc::clone(&served_at_stall);
    let mut n = 0;
    let q = w.query(Some(10)); // 75 pages per group
    history_each(&w.backend(), &q, |_| {
        n += 1;
        if n == 1 {
            let served = tokio::task::block_in_place(|| {
                std::thread::sleep(Duration::from_millis(1500));
                tokio::runtime::Handle::current().block_on(profile_counts(&url))
            });
            at_stall.store(served.0, Ordering::Relaxed);
        }
        true
    })
    .await
    .expect("read");
    assert_eq!(n, TOTAL);
    let served = served_at_stall.load(Ordering::Relaxed);
    let bound = RUNTIMES.len() as u64 * (1 + 4 * 2);
    assert!(
        served <= bound,
        "{served} pages read while the consumer held the first event (at most {bound})"
    );
    w.local.stop().await;
}
