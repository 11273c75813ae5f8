//! Tool errors: a tools/call whose result has `isError: true` is HTTP 200, so AgentCore's
//! metrics do not count it; the sample server logs it at ERROR, the console's metric filter
//! counts it per endpoint, and the tool-error-rate alarm fires on that count.

use std::time::{Duration, Instant};

use agentcore_console::domain::alarms::{
    DEFAULT_TOOL_ERROR_PATTERN, TOOL_ERRORS_FILTER, TOOL_ERRORS_NAMESPACE,
};
use agentcore_console::domain::runtime::log_group_name;
use aws_sdk_cloudwatch::types::{ComparisonOperator, MetricDataQuery, StateValue};
use aws_sdk_cloudwatchlogs::types::MetricTransformation;

use super::agentcore::{INIT, invoke, no_retry, sample_runtime};
use super::support::*;
use super::{cw, get, now_s, stat};

const AGENTCORE: &str = "AWS/Bedrock-AgentCore";
const FAIL: &str = r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"fail","arguments":{"mode":"tool_error","message":"the weather service is down"}}}"#;
/// How long the process's log lines may take to reach the log group.
const LOG_DEADLINE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_tool_error_is_logged_at_error_and_counted_by_the_filter_not_by_agentcore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let data = no_retry(&c);
    let metrics = cw(&local.url).await;
    let (id, arn) = sample_runtime(&c, "tools", &[]).await;
    let group = log_group_name(&id, "DEFAULT");
    // The server may already have logged (and so made the group): either is fine.
    let _ = c
        .logs
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await;
    c.logs
        .put_metric_filter()
        .log_group_name(&group)
        .filter_name(TOOL_ERRORS_FILTER)
        .filter_pattern(DEFAULT_TOOL_ERROR_PATTERN)
        .metric_transformations(
            MetricTransformation::builder()
                .metric_namespace(TOOL_ERRORS_NAMESPACE)
                .metric_name("tools/DEFAULT")
                .metric_value("1")
                .build()
                .expect("transformation"),
        )
        .send()
        .await
        .expect("filter");

    let mcp = invoke(&data, &arn, "DEFAULT", "a", None, INIT)
        .await
        .expect("init");
    for _ in 0..5 {
        invoke(&data, &arn, "DEFAULT", "a", mcp.as_deref(), FAIL)
            .await
            .expect("a tool error is HTTP 200");
    }

    // The five ERROR lines, with the tool and its error text.
    let deadline = Instant::now() + LOG_DEADLINE;
    let errors = loop {
        let found = c
            .logs
            .filter_log_events()
            .log_group_name(&group)
            .filter_pattern(DEFAULT_TOOL_ERROR_PATTERN)
            .send()
            .await
            .expect("filter");
        if found.events().len() >= 5 || Instant::now() > deadline {
            break found.events().to_vec();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(errors.len(), 5, "{errors:?}");
    for e in &errors {
        let line: serde_json::Value =
            serde_json::from_str(e.message().unwrap_or_default()).expect("a JSON line");
        assert_eq!(line["level"], "ERROR");
        assert_eq!(line["tool"], "fail");
        assert_eq!(line["error"], "the weather service is down");
        assert_eq!(line["status"], 200);
    }

    // Counted by the filter; AgentCore saw six good invocations.
    let dims = [
        ("Operation", "InvokeAgentRuntime"),
        ("Resource", arn.as_str()),
        ("Name", "tools::DEFAULT"),
    ];
    let now = now_s();
    let out = get(
        &metrics,
        vec![
            stat(
                "t",
                TOOL_ERRORS_NAMESPACE,
                "tools/DEFAULT",
                &[],
                3600,
                "Sum",
            ),
            stat("e", AGENTCORE, "TotalErrors", &dims, 3600, "Sum"),
            stat("i", AGENTCORE, "Invocations", &dims, 3600, "Sum"),
        ],
        now - 1800,
        now + 120,
        None,
    )
    .await;
    let sum = |k: usize| out[k].values().iter().sum::<f64>();
    assert_eq!((sum(0), sum(1), sum(2)), (5.0, 0.0, 6.0), "{out:?}");

    // The tool-error-rate alarm as `alarms apply` sends it (one breaching minute of three
    // here: the server's data all lands in the current minute).
    let hidden = |mut q: MetricDataQuery| {
        q.return_data = Some(false);
        q
    };
    c.cloudwatch
        .put_metric_alarm()
        .alarm_name("agentcore-console/tools/DEFAULT/tool-error-rate")
        .metrics(hidden(stat(
            "i",
            AGENTCORE,
            "Invocations",
            &dims,
            60,
            "Sum",
        )))
        .metrics(hidden(stat(
            "t",
            TOOL_ERRORS_NAMESPACE,
            "tools/DEFAULT",
            &[],
            60,
            "Sum",
        )))
        .metrics(
            MetricDataQuery::builder()
                .id("rate")
                .expression("IF(i >= 5, 100 * FILL(t, 0) / i, 0)")
                .label("tool error rate %")
                .return_data(true)
                .build(),
        )
        .evaluation_periods(3)
        .datapoints_to_alarm(1)
        .threshold(5.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("notBreaching")
        .send()
        .await
        .expect("alarm");
    let alarm = metrics
        .describe_alarms()
        .alarm_names("agentcore-console/tools/DEFAULT/tool-error-rate")
        .send()
        .await
        .expect("describe");
    let a = &alarm.metric_alarms()[0];
    assert_eq!(
        a.state_value(),
        Some(&StateValue::Alarm),
        "{:?}",
        a.state_reason()
    );
    local.stop().await;
}
