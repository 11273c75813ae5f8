//! Contract tests: the CloudWatch alarm calls `alarms apply/list/delete` make (PutMetricAlarm in
//! the single-metric and the `Metrics` math form, DescribeAlarms by name, prefix, state and
//! page, DeleteAlarms), sent by the same stock SDK client to moto 5.2.5 and to the local
//! AgentCore, and compared on what both should agree on.
//!
//! moto has no Smithy RPC v2 CBOR, so its client goes through `support/cbor_proxy.rs`. What
//! moto 5.2.5 does differently (read in `moto/cloudwatch/{models,responses}.py`), and so is
//! not compared:
//! - a new alarm is `OK` with reason "Unchecked: Initial alarm creation"; AWS (and the local
//!   AgentCore) start at `INSUFFICIENT_DATA`. moto never evaluates alarms.
//! - DescribeAlarms ignores MaxRecords and never returns NextToken; it lists alarms in the
//!   order they were put, where AWS sorts by name. Only the union of the pages is compared.
//! - DescribeAlarms applies only one filter (ActionPrefix, else AlarmNamePrefix, else
//!   AlarmNames, else StateValue); AWS applies them all. Each call here uses one.
//! - DescribeAlarmHistory is not implemented (the test asserts so, to notice when it is).

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat, StateValue,
    Statistic,
};

use crate::support::emulator::{clients, start, status_and_code};
use crate::support::{cbor_proxy, moto::MotoServer};

const NS: &str = "AWS/Bedrock-AgentCore";
const ARN: &str = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/a-1234567890";

fn dims(name: &str) -> Vec<Dimension> {
    [
        ("Operation", "InvokeAgentRuntime"),
        ("Resource", ARN),
        ("Name", name),
    ]
    .iter()
    .map(|(k, v)| Dimension::builder().name(*k).value(*v).build())
    .collect()
}

fn stat_query(id: &str, ns: &str, metric: &str, d: Vec<Dimension>) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(ns)
                        .metric_name(metric)
                        .set_dimensions(Some(d))
                        .build(),
                )
                .period(60)
                .stat("Sum")
                .build(),
        )
        .return_data(false)
        .build()
}

/// The four standard alarms of endpoint `a::DEFAULT`, the error rate of `b::DEFAULT`, and one
/// the console did not make.
async fn put_all(c: &Client) {
    let single = |name: &str| {
        c.put_metric_alarm()
            .alarm_name(name)
            .namespace(NS)
            .set_dimensions(Some(dims("a::DEFAULT")))
            .period(60)
            .evaluation_periods(3)
            .datapoints_to_alarm(2)
            .treat_missing_data("notBreaching")
            .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
    };
    single("agentcore-console/a/DEFAULT/latency")
        .metric_name("Latency")
        .extended_statistic("p99")
        .threshold(2000.0)
        .send()
        .await
        .expect("latency");
    single("agentcore-console/a/DEFAULT/throttles")
        .metric_name("Throttles")
        .statistic(Statistic::Sum)
        .threshold(1.0)
        .alarm_actions("arn:aws:sns:us-west-2:123456789012:oncall")
        .send()
        .await
        .expect("throttles");
    for (runtime, tool) in [("a", false), ("a", true), ("b", false)] {
        let name = format!("{runtime}::DEFAULT");
        let (slug, used, counted) = if tool {
            (
                "tool-error-rate",
                "t",
                stat_query(
                    "t",
                    "AgentCoreConsole/ToolErrors",
                    &format!("{runtime}/DEFAULT"),
                    Vec::new(),
                ),
            )
        } else {
            (
                "error-rate",
                "e",
                stat_query("e", NS, "TotalErrors", dims(&name)),
            )
        };
        c.put_metric_alarm()
            .alarm_name(format!("agentcore-console/{runtime}/DEFAULT/{slug}"))
            .metrics(stat_query("i", NS, "Invocations", dims(&name)))
            .metrics(counted)
            .metrics(
                MetricDataQuery::builder()
                    .id("rate")
                    .expression(format!("IF(i >= 5, 100 * FILL({used}, 0) / i, 0)"))
                    .label("error rate %")
                    .return_data(true)
                    .build(),
            )
            .evaluation_periods(3)
            .datapoints_to_alarm(2)
            .threshold(5.0)
            .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
            .treat_missing_data("notBreaching")
            .send()
            .await
            .expect("math alarm");
    }
    c.put_metric_alarm()
        .alarm_name("someone-else")
        .namespace("Custom")
        .metric_name("Depth")
        .statistic(Statistic::Maximum)
        .period(300)
        .evaluation_periods(1)
        .threshold(10.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect("other alarm");
}

/// What both should agree on for one alarm (state left out), as text.
fn view(a: &MetricAlarm) -> String {
    let dims = |d: &[Dimension]| {
        let mut d: Vec<String> = d
            .iter()
            .map(|d| {
                format!(
                    "{}={}",
                    d.name().unwrap_or_default(),
                    d.value().unwrap_or_default()
                )
            })
            .collect();
        d.sort();
        d.join(",")
    };
    let metrics: Vec<String> = a
        .metrics()
        .iter()
        .map(|q| {
            let stat = q.metric_stat().map(|s| {
                let m = s.metric();
                format!(
                    "{}/{}[{}] {} {:?}",
                    m.and_then(|m| m.namespace()).unwrap_or_default(),
                    m.and_then(|m| m.metric_name()).unwrap_or_default(),
                    dims(m.map(|m| m.dimensions()).unwrap_or_default()),
                    s.stat().unwrap_or_default(),
                    s.period(),
                )
            });
            format!(
                "{} expr={:?} label={:?} return={:?} stat={stat:?}",
                q.id().unwrap_or_default(),
                q.expression(),
                q.label(),
                q.return_data(),
            )
        })
        .collect();
    format!(
        "arn={:?} ns={:?} metric={:?} dims=[{}] stat={:?} ext={:?} period={:?} eval={:?} m={:?} threshold={:?} op={:?} missing={:?} actions={:?} enabled={:?} metrics=[\n{}\n]",
        a.alarm_arn(),
        a.namespace(),
        a.metric_name(),
        dims(a.dimensions()),
        a.statistic().map(Statistic::as_str),
        a.extended_statistic(),
        a.period(),
        a.evaluation_periods(),
        a.datapoints_to_alarm(),
        a.threshold(),
        a.comparison_operator().map(ComparisonOperator::as_str),
        a.treat_missing_data(),
        a.alarm_actions(),
        a.actions_enabled(),
        metrics.join("\n"),
    )
}

/// Every alarm the calls return (all pages), by name.
async fn described(
    c: &Client,
    build: impl Fn(
        aws_sdk_cloudwatch::operation::describe_alarms::builders::DescribeAlarmsFluentBuilder,
    ) -> aws_sdk_cloudwatch::operation::describe_alarms::builders::DescribeAlarmsFluentBuilder,
) -> BTreeMap<String, String> {
    let mut pages = build(c.describe_alarms()).into_paginator().send();
    let mut out = BTreeMap::new();
    while let Some(page) = pages.next().await {
        for a in page.expect("describe").metric_alarms() {
            out.insert(a.alarm_name().unwrap_or_default().to_string(), view(a));
        }
    }
    out
}

#[tokio::test]
async fn alarm_calls_agree_with_moto() {
    let moto = match tokio::task::spawn_blocking(MotoServer::start).await {
        Ok(moto) => moto,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let proxy = cbor_proxy::start(&moto.url).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let peers = [
        ("moto", clients(&proxy, "us-west-2").await.cloudwatch),
        ("local", clients(&local.url, "us-west-2").await.cloudwatch),
    ];
    for (_, c) in &peers {
        put_all(c).await;
    }

    let mut seen: Vec<Vec<BTreeMap<String, String>>> = Vec::new();
    for (who, c) in &peers {
        let all = described(c, |b| b).await;
        assert_eq!(all.len(), 6, "{who}: {all:#?}\n{}", moto.log());
        let by_name = described(c, |b| {
            b.alarm_names("agentcore-console/a/DEFAULT/latency")
                .alarm_names("agentcore-console/b/DEFAULT/error-rate")
                .alarm_names("never-made")
        })
        .await;
        let by_prefix = described(c, |b| b.alarm_name_prefix("agentcore-console/a/")).await;
        let alarming = described(c, |b| b.state_value(StateValue::Alarm)).await;
        // Paged two at a time by the local AgentCore; moto answers all at once.
        let paged = described(c, |b| b.max_records(2)).await;
        assert_eq!(paged, all, "{who}: paging loses or repeats nothing");
        seen.push(vec![all, by_name, by_prefix, alarming]);
    }
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&seen[0][1]),
        [
            "agentcore-console/a/DEFAULT/latency",
            "agentcore-console/b/DEFAULT/error-rate"
        ]
    );
    assert_eq!(names(&seen[0][2]).len(), 4);
    assert!(seen[0][3].is_empty(), "no alarm fires without data");
    // The comparison below is of full definitions, not of empty views.
    let rate = &seen[0][0]["agentcore-console/b/DEFAULT/error-rate"];
    for part in [
        "IF(i >= 5, 100 * FILL(e, 0) / i, 0)",
        "label=Some(\"error rate %\")",
        "AWS/Bedrock-AgentCore/TotalErrors[Name=b::DEFAULT,Operation=InvokeAgentRuntime,Resource=",
        "threshold=Some(5.0)",
        "missing=Some(\"notBreaching\")",
        "m=Some(2)",
    ] {
        assert!(rate.contains(part), "{part} in {rate}");
    }
    let latency = &seen[0][0]["agentcore-console/a/DEFAULT/latency"];
    assert!(latency.contains("ext=Some(\"p99\")"), "{latency}");
    for (k, (moto_view, local_view)) in seen[0].iter().zip(&seen[1]).enumerate() {
        assert_eq!(
            moto_view, local_view,
            "call {k}: moto (left) and the local AgentCore (right)"
        );
    }

    // The difference moto.md notes: the initial state.
    let state = |c: &Client| {
        let c = c.clone();
        async move {
            let out = c
                .describe_alarms()
                .alarm_names("someone-else")
                .send()
                .await
                .expect("describe");
            out.metric_alarms()[0].state_value().cloned()
        }
    };
    assert_eq!(state(&peers[0].1).await, Some(StateValue::Ok));
    assert_eq!(state(&peers[1].1).await, Some(StateValue::InsufficientData));

    // DeleteAlarms ignores names that do not exist, on both.
    for (who, c) in &peers {
        c.delete_alarms()
            .alarm_names("agentcore-console/a/DEFAULT/latency")
            .alarm_names("never-made")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{who}: delete: {e:?}"));
        let left = described(c, |b| b.alarm_name_prefix("agentcore-console/a/")).await;
        assert_eq!(left.len(), 3, "{who}");
        assert!(
            !left.contains_key("agentcore-console/a/DEFAULT/latency"),
            "{who}"
        );
    }

    // DescribeAlarmHistory: the local AgentCore has it; moto 5.2.5 does not.
    let local_history = peers[1]
        .1
        .describe_alarm_history()
        .alarm_name("agentcore-console/a/DEFAULT/latency")
        .send()
        .await
        .expect("local history");
    assert!(local_history.alarm_history_items().len() >= 2);
    let no_retry = Client::from_conf(
        peers[0]
            .1
            .config()
            .to_builder()
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
            .build(),
    );
    let missing = no_retry
        .describe_alarm_history()
        .alarm_name("agentcore-console/a/DEFAULT/latency")
        .send()
        .await
        .expect_err("moto 5.2.5 has no DescribeAlarmHistory: if it now has, compare it here");
    assert!(status_and_code(&missing).0 >= 400, "{missing:?}");
    local.stop().await;
}
