//! CloudWatch Logs metric filters in the local AgentCore, through the official SDK: the four
//! operations in AWS's shapes and errors, and what ingested events publish to CloudWatch.

use agentcore_console::backend::Clients;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use aws_sdk_cloudwatchlogs::types::{InputLogEvent, MetricTransformation, StandardUnit};

use crate::support::emulator as support;
use support::*;

const GROUP: &str = "/app";
const NS: &str = "App";

fn transformation(name: &str, value: &str) -> MetricTransformation {
    MetricTransformation::builder()
        .metric_name(name)
        .metric_namespace(NS)
        .metric_value(value)
        .build()
        .expect("transformation")
}

/// A local AgentCore on a fresh state dir, and SDK clients for us-west-2 on it.
async fn local_agentcore() -> (tempfile::TempDir, Local, Clients) {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    (dir, local, c)
}

async fn group_with_stream(c: &Clients) {
    c.logs
        .create_log_group()
        .log_group_name(GROUP)
        .send()
        .await
        .expect("group");
    c.logs
        .create_log_stream()
        .log_group_name(GROUP)
        .log_stream_name("s")
        .send()
        .await
        .expect("stream");
}

async fn put_filter(c: &Clients, name: &str, pattern: &str, t: MetricTransformation) {
    c.logs
        .put_metric_filter()
        .log_group_name(GROUP)
        .filter_name(name)
        .filter_pattern(pattern)
        .metric_transformations(t)
        .send()
        .await
        .expect("put filter");
}

async fn put_events(c: &Clients, at_ms: i64, messages: &[&str]) {
    let events = messages.iter().map(|m| {
        InputLogEvent::builder()
            .timestamp(at_ms)
            .message(*m)
            .build()
            .expect("event")
    });
    c.logs
        .put_log_events()
        .log_group_name(GROUP)
        .log_stream_name("s")
        .set_log_events(Some(events.collect()))
        .send()
        .await
        .expect("put events");
}

/// The minute's Sum and SampleCount of a metric, as GetMetricData answers.
async fn minute(c: &Clients, name: &str, dims: &[(&str, &str)], at_ms: i64) -> Vec<(i64, f64)> {
    let mut m = Metric::builder().namespace(NS).metric_name(name);
    for (k, v) in dims {
        m = m.dimensions(Dimension::builder().name(*k).value(*v).build());
    }
    let q = |id: &str, stat: &str| {
        MetricDataQuery::builder()
            .id(id)
            .metric_stat(
                MetricStat::builder()
                    .metric(m.clone().build())
                    .period(60)
                    .stat(stat)
                    .build(),
            )
            .build()
    };
    let start = at_ms / 1000 - 120;
    let out = c
        .cloudwatch
        .get_metric_data()
        .metric_data_queries(q("sum", "Sum"))
        .metric_data_queries(q("n", "SampleCount"))
        .start_time(DateTime::from_secs(start))
        .end_time(DateTime::from_secs(start + 300))
        .send()
        .await
        .expect("get metric data");
    out.metric_data_results()
        .iter()
        .flat_map(|r| {
            r.timestamps()
                .iter()
                .map(|t| t.secs())
                .zip(r.values().iter().copied())
        })
        .collect()
}

fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() * 1000
}

fn minute_of(ms: i64) -> i64 {
    (ms - ms.rem_euclid(60_000)) / 1000
}

#[tokio::test]
async fn put_describe_page_delete_round_trip() {
    let (_dir, _local, c) = local_agentcore().await;
    group_with_stream(&c).await;
    for name in ["errors-a", "errors-b", "latency"] {
        put_filter(
            &c,
            name,
            r#"{ $.level = "ERROR" }"#,
            transformation(name, "1"),
        )
        .await;
    }
    let page1 = c
        .logs
        .describe_metric_filters()
        .log_group_name(GROUP)
        .filter_name_prefix("errors")
        .limit(1)
        .send()
        .await
        .expect("describe");
    let f = &page1.metric_filters()[0];
    assert_eq!(f.filter_name(), Some("errors-a"));
    assert_eq!(f.log_group_name(), Some(GROUP));
    assert_eq!(f.filter_pattern(), Some(r#"{ $.level = "ERROR" }"#));
    assert_eq!(f.metric_transformations()[0].metric_name(), "errors-a");
    let page2 = c
        .logs
        .describe_metric_filters()
        .log_group_name(GROUP)
        .filter_name_prefix("errors")
        .limit(1)
        .set_next_token(page1.next_token().map(String::from))
        .send()
        .await
        .expect("page 2");
    assert_eq!(page2.metric_filters()[0].filter_name(), Some("errors-b"));
    assert_eq!(page2.next_token(), None);
    let by_metric = c
        .logs
        .describe_metric_filters()
        .metric_name("latency")
        .metric_namespace(NS)
        .send()
        .await
        .expect("by metric");
    let names: Vec<_> = by_metric
        .metric_filters()
        .iter()
        .filter_map(|f| f.filter_name())
        .collect();
    assert_eq!(names, ["latency"]);
    let groups = c.logs.describe_log_groups().send().await.expect("groups");
    assert_eq!(groups.log_groups()[0].metric_filter_count(), Some(3));
    c.logs
        .delete_metric_filter()
        .log_group_name(GROUP)
        .filter_name("errors-a")
        .send()
        .await
        .expect("delete");
    let left = c
        .logs
        .describe_metric_filters()
        .log_group_name(GROUP)
        .send()
        .await
        .expect("describe");
    let names: Vec<_> = left
        .metric_filters()
        .iter()
        .filter_map(|f| f.filter_name())
        .collect();
    assert_eq!(names, ["errors-b", "latency"]);
}

#[tokio::test]
async fn errors_carry_aws_codes() {
    let (_dir, _local, c) = local_agentcore().await;
    let missing_group = c
        .logs
        .put_metric_filter()
        .log_group_name("/nope")
        .filter_name("f")
        .filter_pattern("ERROR")
        .metric_transformations(transformation("m", "1"))
        .send()
        .await
        .expect_err("no group");
    assert_eq!(missing_group.code(), Some("ResourceNotFoundException"));
    group_with_stream(&c).await;
    let bad = c
        .logs
        .put_metric_filter()
        .log_group_name(GROUP)
        .filter_name("f")
        .filter_pattern("{ $.level = ")
        .metric_transformations(transformation("m", "1"))
        .send()
        .await
        .expect_err("bad pattern");
    assert_eq!(bad.code(), Some("InvalidParameterException"));
    let terms_with_dims = c
        .logs
        .put_metric_filter()
        .log_group_name(GROUP)
        .filter_name("f")
        .filter_pattern("ERROR")
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name("m")
                .metric_namespace(NS)
                .metric_value("1")
                .dimensions("Service", "$.service")
                .build()
                .expect("t"),
        )
        .send()
        .await
        .expect_err("dimensions need a JSON or delimited pattern");
    assert_eq!(terms_with_dims.code(), Some("InvalidParameterException"));
    let missing_filter = c
        .logs
        .delete_metric_filter()
        .log_group_name(GROUP)
        .filter_name("never-made")
        .send()
        .await
        .expect_err("no filter");
    assert_eq!(missing_filter.code(), Some("ResourceNotFoundException"));
    for i in 0..100 {
        put_filter(&c, &format!("f{i:03}"), "ERROR", transformation("m", "1")).await;
    }
    let over = c
        .logs
        .put_metric_filter()
        .log_group_name(GROUP)
        .filter_name("one-too-many")
        .filter_pattern("ERROR")
        .metric_transformations(transformation("m", "1"))
        .send()
        .await
        .expect_err("101st filter");
    assert_eq!(over.code(), Some("LimitExceededException"));
}

#[tokio::test]
async fn test_metric_filter_reports_matches_and_values() {
    let (_dir, _local, c) = local_agentcore().await;
    let out = c
        .logs
        .test_metric_filter()
        .filter_pattern("[ip, user, status = 5*]")
        .log_event_messages("10.0.0.1 alice 200")
        .log_event_messages("10.0.0.2 bob 503")
        .send()
        .await
        .expect("test");
    let m = out.matches();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].event_number(), 2);
    assert_eq!(m[0].event_message(), Some("10.0.0.2 bob 503"));
    let values = m[0].extracted_values().expect("values");
    assert_eq!(values.get("$status").map(String::as_str), Some("503"));
    assert_eq!(values.get("$user").map(String::as_str), Some("bob"));
}

#[tokio::test]
async fn matching_json_events_are_counted_in_their_minute() {
    let (_dir, _local, c) = local_agentcore().await;
    group_with_stream(&c).await;
    put_filter(
        &c,
        "errors",
        r#"{ $.level = "ERROR" }"#,
        transformation("Errors", "1"),
    )
    .await;
    let at = now_ms() - 60_000;
    put_events(
        &c,
        at,
        &[
            r#"{"level":"ERROR","msg":"a"}"#,
            r#"{"level":"INFO","msg":"b"}"#,
            r#"{"level":"ERROR","msg":"c"}"#,
            "not json",
        ],
    )
    .await;
    let got = minute(&c, "Errors", &[], at).await;
    assert_eq!(got, [(minute_of(at), 2.0), (minute_of(at), 2.0)]);
}

#[tokio::test]
async fn a_field_value_sums_and_a_field_becomes_a_dimension() {
    let (_dir, _local, c) = local_agentcore().await;
    group_with_stream(&c).await;
    put_filter(
        &c,
        "latency",
        "{ $.latency = * }",
        MetricTransformation::builder()
            .metric_name("Latency")
            .metric_namespace(NS)
            .metric_value("$.latency")
            .unit(StandardUnit::Milliseconds)
            .dimensions("Service", "$.service")
            .build()
            .expect("t"),
    )
    .await;
    let at = now_ms() - 60_000;
    put_events(
        &c,
        at,
        &[
            r#"{"service":"api","latency":120}"#,
            r#"{"service":"api","latency":30.5}"#,
            r#"{"service":"db","latency":7}"#,
            r#"{"service":"api","latency":"slow"}"#,
        ],
    )
    .await;
    let api = minute(&c, "Latency", &[("Service", "api")], at).await;
    assert_eq!(api, [(minute_of(at), 150.5), (minute_of(at), 2.0)]);
    let db = minute(&c, "Latency", &[("Service", "db")], at).await;
    assert_eq!(db, [(minute_of(at), 7.0), (minute_of(at), 1.0)]);
}

#[tokio::test]
async fn filters_survive_a_restart_and_keep_publishing() {
    let (dir, local, c) = local_agentcore().await;
    group_with_stream(&c).await;
    put_filter(&c, "errors", "ERROR", transformation("Errors", "1")).await;
    local.stop().await;

    let again = start(dir.path()).await;
    let c = clients(&again.url, "us-west-2").await;
    let kept = c
        .logs
        .describe_metric_filters()
        .log_group_name(GROUP)
        .send()
        .await
        .expect("describe");
    assert_eq!(kept.metric_filters()[0].filter_name(), Some("errors"));
    let at = now_ms() - 60_000;
    put_events(&c, at, &["ERROR one", "fine"]).await;
    let got = minute(&c, "Errors", &[], at).await;
    assert_eq!(got, [(minute_of(at), 1.0), (minute_of(at), 1.0)]);
}

#[tokio::test]
async fn a_default_value_is_published_once_for_a_minute_without_a_match() {
    let (_dir, _local, c) = local_agentcore().await;
    group_with_stream(&c).await;
    put_filter(
        &c,
        "errors",
        "ERROR",
        MetricTransformation::builder()
            .metric_name("Errors")
            .metric_namespace(NS)
            .metric_value("1")
            .default_value(0.0)
            .build()
            .expect("t"),
    )
    .await;
    let at = now_ms() - 60_000;
    put_events(&c, at, &["fine", "fine", "fine"]).await;
    let got = minute(&c, "Errors", &[], at).await;
    assert_eq!(got, [(minute_of(at), 0.0), (minute_of(at), 1.0)]);
}

/// Lines a server writes go through the same ingestion as PutLogEvents, filters included.
#[tokio::test]
async fn what_a_runtime_writes_is_counted_by_a_filter_on_its_group() {
    use aws_sdk_bedrockagentcore::primitives::Blob;
    const CALL: &str = r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"version","arguments":{}}}"#;
    let (_dir, _local, c) = local_agentcore().await;
    let id = create(&c, "counted").await;
    settled(&c, &id).await;
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    // The group appears with the server's first line (its readiness probe), a moment later.
    let mut exists = false;
    for _ in 0..200 {
        let groups = c
            .logs
            .describe_log_groups()
            .log_group_name_prefix(&group)
            .send()
            .await
            .expect("groups");
        exists = !groups.log_groups().is_empty();
        if exists {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(exists, "the runtime's log group never appeared");
    c.logs
        .put_metric_filter()
        .log_group_name(&group)
        .filter_name("calls")
        .filter_pattern(r#"{ $.method = "tools/call" }"#)
        .metric_transformations(transformation("Calls", "1"))
        .send()
        .await
        .expect("put filter");
    let arn = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get")
        .agent_runtime_arn;
    let at = now_ms();
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
    // Lines arrive asynchronously from the process; the calls may straddle a minute.
    let mut total = 0.0;
    for _ in 0..200 {
        let got = minute(&c, "Calls", &[], at).await;
        let n = got.len() / 2;
        total = got[..n].iter().map(|(_, v)| v).sum();
        if total >= 3.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(total, 3.0, "one count per tools/call line");
}
