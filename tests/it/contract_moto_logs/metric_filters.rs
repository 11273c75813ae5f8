//! Metric filters on moto and the local AgentCore, side by side. moto 5.2.5 implements
//! PutMetricFilter, DescribeMetricFilters and DeleteMetricFilter (not TestMetricFilter); it
//! keeps filters in a list without checking the log group, does not page (it echoes the
//! request's `nextToken`), and reports no `creationTime`. What both must agree on is compared.

use super::*;
use aws_sdk_cloudwatchlogs::types::{MetricFilter, MetricTransformation};

const GROUP: &str = "/contract/metric-filters";

/// The fields both servers fill in, in a comparable form.
fn shape(f: &MetricFilter) -> (String, String, String, Vec<(String, String, String)>) {
    (
        f.filter_name().unwrap_or_default().to_string(),
        f.filter_pattern().unwrap_or_default().to_string(),
        f.log_group_name().unwrap_or_default().to_string(),
        f.metric_transformations()
            .iter()
            .map(|t| {
                (
                    t.metric_name().to_string(),
                    t.metric_namespace().to_string(),
                    t.metric_value().to_string(),
                )
            })
            .collect(),
    )
}

async fn round_trip(c: &Clients) -> (Vec<String>, Vec<String>, Option<String>, Vec<String>) {
    create_group(c, GROUP).await;
    for (name, metric) in [("errors", "Errors"), ("latency", "Latency")] {
        c.logs
            .put_metric_filter()
            .log_group_name(GROUP)
            .filter_name(name)
            .filter_pattern(r#"{ $.level = "ERROR" }"#)
            .metric_transformations(
                MetricTransformation::builder()
                    .metric_name(metric)
                    .metric_namespace("App")
                    .metric_value("1")
                    .build()
                    .expect("transformation"),
            )
            .send()
            .await
            .expect("put metric filter");
    }
    let all = c
        .logs
        .describe_metric_filters()
        .log_group_name(GROUP)
        .send()
        .await
        .expect("describe");
    let all: Vec<_> = all
        .metric_filters()
        .iter()
        .map(|f| format!("{:?}", shape(f)))
        .collect();
    let by_metric = c
        .logs
        .describe_metric_filters()
        .metric_name("Latency")
        .metric_namespace("App")
        .send()
        .await
        .expect("by metric");
    let by_metric = by_metric
        .metric_filters()
        .iter()
        .map(|f| format!("{:?}", shape(f)))
        .collect();
    let half = c
        .logs
        .describe_metric_filters()
        .metric_name("Latency")
        .send()
        .await
        .expect_err("metricName without metricNamespace");
    c.logs
        .delete_metric_filter()
        .log_group_name(GROUP)
        .filter_name("errors")
        .send()
        .await
        .expect("delete");
    let left = c
        .logs
        .describe_metric_filters()
        .log_group_name(GROUP)
        .send()
        .await
        .expect("describe after delete");
    let left = left
        .metric_filters()
        .iter()
        .filter_map(|f| f.filter_name().map(String::from))
        .collect();
    (all, by_metric, half.code().map(String::from), left)
}

#[tokio::test]
async fn put_describe_delete_agree_with_moto() {
    let moto = peer().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = emulator::start(&dir.path().join("local")).await;
    let emu = emulator::clients(&local.url, "us-west-2").await;
    let theirs = round_trip(&moto.clients).await;
    let ours = round_trip(&emu).await;
    assert_eq!(ours, theirs, "moto log:\n{}", moto.moto.log());
    assert_eq!(ours.2.as_deref(), Some("InvalidParameterException"));
    assert_eq!(ours.3, ["latency"]);
}
