//! The alarms `alarms apply` sends (error rate and tool error rate as metric math with a
//! minimum-invocations guard, p99 latency, throttles), evaluated by the local AgentCore: on
//! data published with PutMetricData into a test namespace for exact control of the minutes,
//! and on the metrics of a real sample MCP server.
//!
//! Alarms evaluate the current, still open minute and the ones before it, so each scenario
//! publishes into "now" and the minutes just before; a run that straddles a minute boundary
//! starts that scenario over.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{ComparisonOperator, MetricDataQuery, MetricDatum, StateValue};

use super::agentcore::{ECHO, INIT, invoke, no_retry, sample_runtime};
use super::support::*;
use super::{cw, dim, now_s, stat};

const AGENTCORE: &str = "AWS/Bedrock-AgentCore";

/// The dimensions AgentCore publishes per endpoint.
fn dims<'a>(arn: &'a str, name: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("Operation", "InvokeAgentRuntime"),
        ("Resource", arn),
        ("Name", name),
    ]
}

/// The error-rate alarm exactly as `alarms apply` builds it (Period 60, 3 periods, 2 of
/// them, `treat` for missing data), on `ns` so that tests can publish into it.
async fn error_rate_alarm(
    c: &Client,
    name: &str,
    ns: &str,
    d: &[(&str, &str)],
    to_alarm: i32,
    treat: &str,
) {
    let hidden = |mut q: MetricDataQuery| {
        q.return_data = Some(false);
        q
    };
    let rate = MetricDataQuery::builder()
        .id("rate")
        .expression("IF(i >= 5, 100 * FILL(e, 0) / i, 0)")
        .label("error rate %")
        .return_data(true)
        .build();
    c.put_metric_alarm()
        .alarm_name(name)
        .metrics(hidden(stat("i", ns, "Invocations", d, 60, "Sum")))
        .metrics(hidden(stat("e", ns, "TotalErrors", d, 60, "Sum")))
        .metrics(rate)
        .evaluation_periods(3)
        .datapoints_to_alarm(to_alarm)
        .threshold(5.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data(treat)
        .send()
        .await
        .expect("error-rate alarm");
}

async fn state(c: &Client, name: &str) -> (StateValue, String) {
    let out = c
        .describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .expect("describe");
    let a = out.metric_alarms().first().expect("the alarm");
    (
        a.state_value().cloned().expect("state"),
        a.state_reason().unwrap_or_default().to_string(),
    )
}

/// Invocations and TotalErrors of one minute (`ago` minutes before the current one).
async fn minute(c: &Client, ns: &str, d: &[(&str, &str)], ago: i64, calls: f64, errors: f64) {
    let now = now_s();
    let t = now - now % 60 - ago * 60;
    let datum = |metric: &str, v: f64| {
        let mut b = MetricDatum::builder()
            .metric_name(metric)
            .timestamp(DateTime::from_secs(t))
            .value(v);
        for (k, val) in d {
            b = b.dimensions(dim(k, val));
        }
        b.build()
    };
    super::put(
        c,
        ns,
        vec![datum("Invocations", calls), datum("TotalErrors", errors)],
    )
    .await;
}

/// Runs `scenario` until one run stays inside one minute (at most three tries).
macro_rules! within_a_minute {
    ($attempt:ident, $body:block) => {{
        let mut done = false;
        for $attempt in 0..3 {
            let started = now_s() / 60;
            $body
            if now_s() / 60 == started {
                done = true;
                break;
            }
        }
        assert!(done, "three runs straddled a minute boundary");
    }};
}

#[tokio::test]
async fn error_rate_alarm_needs_two_breaching_minutes_of_three_and_five_invocations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let mut results = Vec::new();
    within_a_minute!(attempt, {
        let ns = format!("Test/Std{attempt}");
        let d = [
            ("Operation", "InvokeAgentRuntime"),
            ("Resource", "arn:r"),
            ("Name", "r::DEFAULT"),
        ];
        let name = format!("rate-{attempt}");
        error_rate_alarm(&c, &name, &ns, &d, 2, "notBreaching").await;
        let created = state(&c, &name).await;
        // One failing call of one, two minutes running: under the guard, 0%.
        minute(&c, &ns, &d, 0, 1.0, 1.0).await;
        minute(&c, &ns, &d, 1, 1.0, 1.0).await;
        let guarded = state(&c, &name).await;
        // 8 of 10 failing in one minute: one breaching datapoint of the two needed.
        minute(&c, &ns, &d, 1, 10.0, 8.0).await;
        let one = state(&c, &name).await;
        // Now 6 of 10 fail two minutes ago as well: 2 of 3 breach.
        minute(&c, &ns, &d, 2, 10.0, 6.0).await;
        let two = state(&c, &name).await;
        results = vec![created, guarded, one, two];
    });
    let states: Vec<&StateValue> = results.iter().map(|(s, _)| s).collect();
    assert_eq!(
        states,
        [
            &StateValue::Ok,
            &StateValue::Ok,
            &StateValue::Ok,
            &StateValue::Alarm
        ],
        "{results:#?}"
    );
    assert!(
        results[3]
            .1
            .starts_with("Threshold Crossed: 2 out of the last 3 datapoints"),
        "{}",
        results[3].1
    );
    local.stop().await;
}

#[tokio::test]
async fn missing_minutes_are_treated_as_the_alarm_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let mut got = Vec::new();
    within_a_minute!(attempt, {
        let ns = format!("Test/Missing{attempt}");
        let d = [("Name", "r::DEFAULT")];
        got.clear();
        for treat in ["notBreaching", "breaching", "missing"] {
            let name = format!("{treat}-{attempt}");
            error_rate_alarm(&c, &name, &ns, &d, 2, treat).await;
            got.push((treat.to_string(), "empty", state(&c, &name).await.0));
        }
        // One breaching minute; the two others have no data.
        minute(&c, &ns, &d, 1, 10.0, 9.0).await;
        // `missing` with fewer datapoints than DatapointsToAlarm is left out: AWS's table
        // for that case looks further back than the evaluation range, which is not modelled.
        for treat in ["notBreaching", "breaching"] {
            let name = format!("{treat}-{attempt}");
            got.push((treat.to_string(), "one", state(&c, &name).await.0));
        }
    });
    use StateValue::{Alarm, InsufficientData, Ok};
    let want = [
        ("notBreaching", "empty", Ok),
        ("breaching", "empty", Alarm),
        ("missing", "empty", InsufficientData),
        // 1 breaching and 2 missing taken as fine: 1 of the 2 needed.
        ("notBreaching", "one", Ok),
        // 1 breaching and 2 missing taken as breaching: 3 of 3.
        ("breaching", "one", Alarm),
    ];
    let got: Vec<(&str, &str, StateValue)> = got
        .iter()
        .map(|(t, w, s)| (t.as_str(), *w, s.clone()))
        .collect();
    assert_eq!(got, want);
    local.stop().await;
}

#[tokio::test]
async fn the_sample_servers_error_rate_alarm_fires_when_most_calls_fail_not_for_one_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let data = no_retry(&c);
    let metrics = cw(&local.url).await;
    let (_, flaky) = sample_runtime(&c, "flaky", &[("MCP_ERROR_RATE", "1")]).await;
    let (_, lone) = sample_runtime(&c, "lone", &[("MCP_ERROR_RATE", "1")]).await;
    // flaky: initialize, then 5 tools/call that all answer HTTP 500 (5 of 6 fail).
    let mcp = invoke(&data, &flaky, "DEFAULT", "a", None, INIT)
        .await
        .expect("init");
    for _ in 0..5 {
        let e = invoke(&data, &flaky, "DEFAULT", "a", mcp.as_deref(), ECHO)
            .await
            .expect_err("injected");
        assert_eq!(e.0, 424);
    }
    // lone: one call, and it fails.
    invoke(&data, &lone, "DEFAULT", "b", None, ECHO)
        .await
        .expect_err("injected");
    // The real server's data all lands in the current minute, so one breaching minute of
    // the three must do here; two of three is shown on PutMetricData above.
    for (name, arn, want) in [
        ("flaky::DEFAULT", &flaky, StateValue::Alarm),
        ("lone::DEFAULT", &lone, StateValue::Ok),
    ] {
        let alarm = format!(
            "agentcore-console/{}/DEFAULT/error-rate",
            &name[..name.len() - 9]
        );
        let d = dims(arn, name);
        error_rate_alarm(&metrics, &alarm, AGENTCORE, &d, 1, "notBreaching").await;
        let (s, reason) = state(&metrics, &alarm).await;
        assert_eq!(s, want, "{alarm}: {reason}");
    }

    // Created after the calls: straight from INSUFFICIENT_DATA to ALARM, newest first.
    let history = metrics
        .describe_alarm_history()
        .alarm_name("agentcore-console/flaky/DEFAULT/error-rate")
        .send()
        .await
        .expect("history");
    let items: Vec<(&str, &str)> = history
        .alarm_history_items()
        .iter()
        .map(|h| {
            (
                h.history_item_type().map_or("", |t| t.as_str()),
                h.history_summary().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                "StateUpdate",
                "Alarm updated from INSUFFICIENT_DATA to ALARM"
            ),
            (
                "ConfigurationUpdate",
                "Alarm \"agentcore-console/flaky/DEFAULT/error-rate\" created"
            ),
        ]
    );
    let data: serde_json::Value = serde_json::from_str(
        history.alarm_history_items()[0]
            .history_data()
            .expect("data"),
    )
    .expect("json");
    assert_eq!(data["newState"]["stateValue"], "ALARM");
    assert_eq!(data["oldState"]["stateValue"], "INSUFFICIENT_DATA");
    // 5 of 6 failed: the rate the alarm saw is 83.3…%.
    let seen = data["newState"]["stateReasonData"]["recentDatapoints"][0]
        .as_f64()
        .expect("datapoint");
    assert!((seen - 500.0 / 6.0).abs() < 1e-9, "{data}");

    // p99 latency over 2 s and any throttle, as single-metric alarms: quiet here.
    let d = dims(&flaky, "flaky::DEFAULT");
    let with_dims = |mut b: aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder| {
        for (k, v) in d {
            b = b.dimensions(dim(k, v));
        }
        b
    };
    with_dims(metrics.put_metric_alarm())
        .alarm_name("latency")
        .namespace(AGENTCORE)
        .metric_name("Latency")
        .extended_statistic("p99")
        .period(60)
        .evaluation_periods(3)
        .datapoints_to_alarm(2)
        .threshold(2000.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("notBreaching")
        .send()
        .await
        .expect("latency alarm");
    with_dims(metrics.put_metric_alarm())
        .alarm_name("throttles")
        .namespace(AGENTCORE)
        .metric_name("Throttles")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
        .period(60)
        .evaluation_periods(3)
        .datapoints_to_alarm(2)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("notBreaching")
        .send()
        .await
        .expect("throttles alarm");
    for name in ["latency", "throttles"] {
        let (s, reason) = state(&metrics, name).await;
        assert_eq!(s, StateValue::Ok, "{name}: {reason}");
    }
    local.stop().await;
}
