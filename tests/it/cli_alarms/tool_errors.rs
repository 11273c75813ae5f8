//! The reason the tool-error alarm exists: an MCP tool that fails answers HTTP 200 with
//! `isError`, so AgentCore's TotalErrors stays 0 and its error-rate alarm stays OK, while the
//! metric filter on the endpoint's logs counts the failures and its alarm goes to ALARM.

use std::time::{Duration, Instant};

use agentcore_console::backend::mcp::McpSession;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, StateValue};
use serde_json::json;

use super::*;
use crate::support::cli::world;

/// The alarm's state, once it is `want` or the deadline passes (the local AgentCore evaluates
/// alarms every 10 s).
async fn state_when(c: &Clients, name: &str, want: &StateValue, within: Duration) -> StateValue {
    let deadline = Instant::now() + within;
    loop {
        let list = alarms_named(c, name).await;
        let state = list[0].state_value().cloned().expect("state");
        if &state == want || Instant::now() > deadline {
            return state;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Sum of an AgentCore metric of `runtime::live` over the last ten minutes.
async fn agentcore_sum(c: &Clients, metric: &str, arn: &str, runtime: &str) -> f64 {
    let d = |k: &str, v: &str| Dimension::builder().name(k).value(v).build();
    let now = DateTime::from_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64,
    );
    let start = DateTime::from_secs(now.secs() - 600);
    let q = MetricDataQuery::builder()
        .id("m")
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/Bedrock-AgentCore")
                        .metric_name(metric)
                        .dimensions(d("Operation", "InvokeAgentRuntime"))
                        .dimensions(d("Resource", arn))
                        .dimensions(d("Name", &format!("{runtime}::live")))
                        .build(),
                )
                .stat("Sum")
                .period(60)
                .build(),
        )
        .build();
    let r = c
        .cloudwatch
        .get_metric_data()
        .metric_data_queries(q)
        .start_time(start)
        .end_time(DateTime::from_secs(now.secs() + 60))
        .send()
        .await
        .expect("GetMetricData");
    r.metric_data_results()
        .iter()
        .flat_map(|m| m.values().iter().copied())
        .sum()
}

#[tokio::test]
async fn failing_tools_drive_the_tool_error_alarm_while_agentcores_error_rate_stays_ok() {
    let w = world().await;
    // Breach on one period of data, and count rates from the first invocation.
    append_config(
        &w,
        "[environments.dev.alarms]\nevaluation_periods = 2\ndatapoints_to_alarm = 1\nmin_invocations = 1\n",
    );
    deploy(&w, "dev", "weather").await;
    let (_, arn) = runtime_ids(&w, "dev", "weather").await;
    alarms_json(&w, "dev", &["apply", "weather", "--endpoint", "live"]).await;
    let c = sdk(&w, "us-west-2").await;
    let tool_alarm = "agentcore-console/weather/live/tool-error-rate";
    let error_alarm = "agentcore-console/weather/live/error-rate";

    let mut s = McpSession::connect(&c, &arn, Some("live"))
        .await
        .expect("connect");
    let tools = s.list_tools().await.expect("tools/list");
    for _ in 0..6 {
        let r = s
            .call_tool(&tools, "fail", json!({"mode": "tool_error"}), None)
            .await
            .expect("an answer: the failure is in the result");
        assert_eq!(r.is_error, Some(true));
    }

    let state = state_when(&c, tool_alarm, &StateValue::Alarm, Duration::from_secs(90)).await;
    assert_eq!(state, StateValue::Alarm, "the tool-error alarm fires");
    let errors = alarms_named(&c, error_alarm).await;
    assert_eq!(
        errors[0].state_value(),
        Some(&StateValue::Ok),
        "{:?}",
        errors[0].state_reason()
    );
    assert!(agentcore_sum(&c, "Invocations", &arn, "weather").await >= 6.0);
    assert_eq!(
        agentcore_sum(&c, "TotalErrors", &arn, "weather").await,
        0.0,
        "AgentCore counts no error: every call was an HTTP 200"
    );
    let listed = json(
        &w,
        &["--env", "dev", "alarms", "weather", "--state", "ALARM"],
    )
    .await;
    assert_eq!(listed[0]["name"], tool_alarm);
    // Its history, newest first: the move to ALARM, then its creation by `apply`.
    let history = json(&w, &["--env", "dev", "alarms", "history", tool_alarm]).await;
    let items = history.as_array().expect("an array");
    assert_eq!(items[0]["kind"], "StateUpdate", "{history}");
    assert_eq!(items[0]["newState"], "ALARM", "{history}");
    let last = items.last().expect("entries");
    assert_eq!(last["kind"], "ConfigurationUpdate", "{history}");
    assert!(
        last["summary"]
            .as_str()
            .is_some_and(|s| s.contains("created")),
        "{history}"
    );
}
