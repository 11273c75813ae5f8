//! Log retention: a deploy sets it on every endpoint's log group; the local AgentCore expires
//! what is older (no read returns it), and keeps the setting across a restart.

use agentcore_console::domain::runtime::log_group_name;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;

use super::*;

const DAY_MS: i64 = 24 * 3600 * 1000;

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

async fn retention_of(c: &Clients, group: &str) -> Option<i32> {
    let out = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .expect("describe");
    let g = out
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group))
        .unwrap_or_else(|| panic!("no log group {group}"));
    g.retention_in_days()
}

#[tokio::test]
async fn retention_reaches_every_endpoints_log_group() {
    let w = posture_world().await;
    let first = deployed(&w, "bare", &["--endpoint", "live"]).await;
    let id = first["runtimeId"].as_str().expect("id").to_string();
    assert!(first["logRetention"].is_null(), "none asked: none set");
    // A second endpoint nobody invoked: its group does not exist yet, the deploy creates it.
    let c = clients(&w.local.url, region("bare")).await;
    c.control
        .create_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .name("canary")
        .agent_runtime_version("1")
        .send()
        .await
        .expect("endpoint");
    let second = deployed(
        &w,
        "bare",
        &["--endpoint", "live", "--log-retention-days", "14"],
    )
    .await;
    let mut groups: Vec<String> = second["logRetention"]["logGroups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g.as_str().expect("name").to_string())
        .collect();
    groups.sort();
    let mut want: Vec<String> = ["DEFAULT", "canary", "live"]
        .into_iter()
        .map(|e| log_group_name(&id, e))
        .collect();
    want.sort();
    assert_eq!(groups, want);
    for g in &want {
        assert_eq!(retention_of(&c, g).await, Some(14), "{g}");
    }
}

#[tokio::test]
async fn events_older_than_the_retention_expire_and_it_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("local");
    let local = start(&state).await;
    let c = clients(&local.url, "us-west-2").await;
    let group = "/aws/bedrock-agentcore/runtimes/old-0123456789-DEFAULT";
    c.logs
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .expect("group");
    c.logs
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name("s")
        .send()
        .await
        .expect("stream");
    let now = now_ms();
    let event = |t: i64, m: &str| {
        InputLogEvent::builder()
            .timestamp(t)
            .message(m)
            .build()
            .expect("event")
    };
    c.logs
        .put_log_events()
        .log_group_name(group)
        .log_stream_name("s")
        .log_events(event(now - 3 * DAY_MS, "three days old"))
        .log_events(event(now - 60_000, "a minute old"))
        .send()
        .await
        .expect("put");
    let messages = |c: Clients| async move {
        let f = c
            .logs
            .filter_log_events()
            .log_group_name(group)
            .send()
            .await
            .expect("filter");
        let g = c
            .logs
            .get_log_events()
            .log_group_name(group)
            .log_stream_name("s")
            .start_from_head(true)
            .send()
            .await
            .expect("get");
        let f: Vec<String> = f
            .events()
            .iter()
            .filter_map(|e| e.message().map(str::to_string))
            .collect();
        let g: Vec<String> = g
            .events()
            .iter()
            .filter_map(|e| e.message().map(str::to_string))
            .collect();
        (f, g)
    };
    let (f, g) = messages(c.clone()).await;
    assert_eq!((f.len(), g.len()), (2, 2), "no retention: both kept");

    c.logs
        .put_retention_policy()
        .log_group_name(group)
        .retention_in_days(1)
        .send()
        .await
        .expect("retention");
    let (f, g) = messages(c.clone()).await;
    assert_eq!(f, ["a minute old"]);
    assert_eq!(g, ["a minute old"]);
    // An event already past the retention is rejected as expired, not stored.
    let put = c
        .logs
        .put_log_events()
        .log_group_name(group)
        .log_stream_name("s")
        .log_events(event(now - 2 * DAY_MS, "two days old"))
        .log_events(event(now - 1_000, "a second old"))
        .send()
        .await
        .expect("put");
    assert_eq!(
        put.rejected_log_events_info()
            .and_then(|r| r.expired_log_event_end_index()),
        Some(1)
    );
    let (f, _) = messages(c.clone()).await;
    assert_eq!(f, ["a minute old", "a second old"]);

    // The journal keeps the retention, and the replay keeps the expired event gone.
    local.stop().await;
    let local = start(&state).await;
    let c = clients(&local.url, "us-west-2").await;
    assert_eq!(retention_of(&c, group).await, Some(1));
    let (f, _) = messages(c.clone()).await;
    assert_eq!(f, ["a minute old", "a second old"]);

    c.logs
        .delete_retention_policy()
        .log_group_name(group)
        .send()
        .await
        .expect("delete");
    assert_eq!(retention_of(&c, group).await, None);
    local.stop().await;
}
