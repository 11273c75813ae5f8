//! CloudWatch Logs in the local AgentCore, through the official SDK: what runtimes write,
//! filter patterns, pagination, PutLogEvents checks.

use crate::support::emulator as support;

use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use support::*;

const CALL: &str =
    r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"version","arguments":{}}}"#;

#[tokio::test]
async fn what_a_runtime_writes_is_in_its_log_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
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
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    let groups = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix("/aws/bedrock-agentcore/runtimes/")
        .send()
        .await
        .expect("groups");
    assert_eq!(
        groups
            .log_groups()
            .iter()
            .filter_map(|g| g.log_group_name())
            .collect::<Vec<_>>(),
        [group.as_str()]
    );
    let streams = c
        .logs
        .describe_log_streams()
        .log_group_name(&group)
        .send()
        .await
        .expect("streams");
    let stream = streams.log_streams()[0]
        .log_stream_name()
        .expect("name")
        .to_string();
    assert!(
        stream.contains("/[runtime-logs]") && stream.len() > 40,
        "{stream}"
    );

    // Lines arrive asynchronously from the process: poll briefly for the three calls.
    let mut calls = vec![];
    for _ in 0..100 {
        let found = c
            .logs
            .filter_log_events()
            .log_group_name(&group)
            .filter_pattern(r#"{ $.method = "tools/call" }"#)
            .send()
            .await
            .expect("filter");
        calls = found.events().to_vec();
        if calls.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    assert_eq!(calls.len(), 3, "one line per tools/call");
    assert!(
        calls
            .windows(2)
            .all(|w| w[0].timestamp() <= w[1].timestamp())
    );
    let head = c
        .logs
        .get_log_events()
        .log_group_name(&group)
        .log_stream_name(&stream)
        .start_from_head(true)
        .send()
        .await
        .expect("get");
    assert!(
        head.events()
            .iter()
            .any(|e| e.message().is_some_and(|m| m.contains("initialize"))),
        "the readiness probe's initialize is logged too"
    );
    let bad = c
        .logs
        .filter_log_events()
        .log_group_name(&group)
        .filter_pattern("{ $.level = ")
        .send()
        .await
        .expect_err("bad pattern");
    assert_eq!(
        status_and_code(&bad),
        (400, "InvalidParameterException".into())
    );
    let missing = c
        .logs
        .filter_log_events()
        .log_group_name("/nope")
        .send()
        .await
        .expect_err("no group");
    assert_eq!(status_and_code(&missing).1, "ResourceNotFoundException");
    local.stop().await;
}

#[tokio::test]
async fn put_log_events_and_pagination() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    c.logs
        .create_log_group()
        .log_group_name("/app")
        .send()
        .await
        .expect("group");
    c.logs
        .create_log_stream()
        .log_group_name("/app")
        .log_stream_name("a")
        .send()
        .await
        .expect("stream");
    c.logs
        .create_log_stream()
        .log_group_name("/app")
        .log_stream_name("b")
        .send()
        .await
        .expect("stream");
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let ev = |t: i64, m: &str| {
        InputLogEvent::builder()
            .timestamp(t)
            .message(m)
            .build()
            .expect("event")
    };
    c.logs
        .put_log_events()
        .log_group_name("/app")
        .log_stream_name("a")
        .log_events(ev(now, "ERROR one"))
        .log_events(ev(now + 2, "INFO two"))
        .log_events(ev(now + 4, "ERROR three"))
        .send()
        .await
        .expect("put a");
    c.logs
        .put_log_events()
        .log_group_name("/app")
        .log_stream_name("b")
        .log_events(ev(now + 1, "ERROR four"))
        .log_events(ev(now + 3, "WARN five"))
        .send()
        .await
        .expect("put b");
    let unordered = c
        .logs
        .put_log_events()
        .log_group_name("/app")
        .log_stream_name("a")
        .log_events(ev(now + 9, "x"))
        .log_events(ev(now + 8, "y"))
        .send()
        .await
        .expect_err("order");
    assert_eq!(status_and_code(&unordered).1, "InvalidParameterException");

    let mut messages = vec![];
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let out = c
            .logs
            .filter_log_events()
            .log_group_name("/app")
            .limit(2)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("page");
        pages += 1;
        messages.extend(
            out.events()
                .iter()
                .filter_map(|e| e.message().map(str::to_string)),
        );
        match out.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(
        messages,
        [
            "ERROR one",
            "ERROR four",
            "INFO two",
            "WARN five",
            "ERROR three"
        ],
        "interleaved by time"
    );
    assert_eq!(pages, 3);
    let errors = c
        .logs
        .filter_log_events()
        .log_group_name("/app")
        .filter_pattern("ERROR -four")
        .send()
        .await
        .expect("filter");
    assert_eq!(
        errors
            .events()
            .iter()
            .filter_map(|e| e.message())
            .collect::<Vec<_>>(),
        ["ERROR one", "ERROR three"]
    );
    let either = c
        .logs
        .filter_log_events()
        .log_group_name("/app")
        .filter_pattern("?WARN ?INFO")
        .log_stream_names("b")
        .send()
        .await
        .expect("filter");
    assert_eq!(either.events().len(), 1);
    local.stop().await;
}

#[tokio::test]
async fn live_tail_streams_new_matching_events() {
    use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    c.logs
        .create_log_group()
        .log_group_name("/live")
        .send()
        .await
        .expect("group");
    c.logs
        .create_log_stream()
        .log_group_name("/live")
        .log_stream_name("s")
        .send()
        .await
        .expect("stream");
    let arn = "arn:aws:logs:us-west-2:123456789012:log-group:/live";
    let mut tail = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        c.logs
            .start_live_tail()
            .log_group_identifiers(arn)
            .log_event_filter_pattern("ERROR")
            .send(),
    )
    .await
    .expect("send returns")
    .expect("start live tail through the stream- host prefix");
    let first = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tail.response_stream.recv(),
    )
    .await
    .expect("first frame in time")
    .expect("frame")
    .expect("event");
    assert!(
        matches!(first, StartLiveTailResponseStream::SessionStart(_)),
        "{first:?}"
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let ev = |t: i64, m: &str| {
        InputLogEvent::builder()
            .timestamp(t)
            .message(m)
            .build()
            .expect("event")
    };
    c.logs
        .put_log_events()
        .log_group_name("/live")
        .log_stream_name("s")
        .log_events(ev(now, "ERROR one"))
        .log_events(ev(now + 1, "INFO skipped"))
        .log_events(ev(now + 2, "ERROR two"))
        .send()
        .await
        .expect("put");
    let mut got = vec![];
    for _ in 0..5 {
        match tail
            .response_stream
            .recv()
            .await
            .expect("frame")
            .expect("event")
        {
            StartLiveTailResponseStream::SessionUpdate(u) => {
                assert_eq!(u.session_metadata().map(|m| m.sampled()), Some(false));
                got.extend(
                    u.session_results()
                        .iter()
                        .filter_map(|r| r.message().map(str::to_string)),
                );
                if got.len() >= 2 {
                    break;
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got, ["ERROR one", "ERROR two"]);
    let missing = c
        .logs
        .start_live_tail()
        .log_group_identifiers("arn:aws:logs:us-west-2:123456789012:log-group:/none")
        .send()
        .await
        .expect_err("no group");
    assert!(
        format!(
            "{}",
            aws_smithy_types::error::display::DisplayErrorContext(&missing)
        )
        .contains("ResourceNotFoundException")
    );
    local.stop().await;
}

#[tokio::test]
async fn logs_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    c.logs
        .create_log_group()
        .log_group_name("/kept")
        .send()
        .await
        .expect("group");
    c.logs
        .create_log_stream()
        .log_group_name("/kept")
        .log_stream_name("s")
        .send()
        .await
        .expect("stream");
    c.logs
        .create_log_stream()
        .log_group_name("/kept")
        .log_stream_name("empty")
        .send()
        .await
        .expect("stream");
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    c.logs
        .put_log_events()
        .log_group_name("/kept")
        .log_stream_name("s")
        .log_events(
            InputLogEvent::builder()
                .timestamp(now)
                .message("before the restart")
                .build()
                .expect("event"),
        )
        .send()
        .await
        .expect("put");
    local.stop().await;

    let again = start(dir.path()).await;
    let c = clients(&again.url, "us-west-2").await;
    let streams = c
        .logs
        .describe_log_streams()
        .log_group_name("/kept")
        .send()
        .await
        .expect("streams");
    assert_eq!(
        streams
            .log_streams()
            .iter()
            .filter_map(|s| s.log_stream_name())
            .collect::<Vec<_>>(),
        ["empty", "s"]
    );
    let found = c
        .logs
        .filter_log_events()
        .log_group_name("/kept")
        .send()
        .await
        .expect("filter");
    assert_eq!(
        found
            .events()
            .iter()
            .filter_map(|e| e.message())
            .collect::<Vec<_>>(),
        ["before the restart"]
    );
    let dup = c
        .logs
        .create_log_group()
        .log_group_name("/kept")
        .send()
        .await
        .expect_err("still there");
    assert_eq!(status_and_code(&dup).1, "ResourceAlreadyExistsException");
    again.stop().await;
}
