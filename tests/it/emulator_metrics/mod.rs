//! CloudWatch in the local AgentCore through the official SDK (Smithy RPC v2 CBOR):
//! PutMetricData/GetMetricData statistics, periods, paging and math, ListMetrics, alarms,
//! typed validation errors, persistence, and the AgentCore metrics every invocation publishes.

mod agentcore;
mod alarms;
mod history;
mod queries;
mod standard_alarms;
mod tool_errors;
use crate::support::emulator as support;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, DimensionFilter, Metric, MetricDataQuery, MetricDataResult,
    MetricDatum, MetricStat, ScanBy, StatisticSet,
};
use support::*;

pub fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// A whole hour two hours ago: buckets of 60 and 300 s line up with it.
pub fn hour_base() -> i64 {
    let now = now_s();
    now - now % 3600 - 7200
}

pub async fn cw(url: &str) -> Client {
    clients(url, "us-west-2").await.cloudwatch
}

pub fn dim(n: &str, v: &str) -> Dimension {
    Dimension::builder().name(n).value(v).build()
}

pub fn value_at(name: &str, t: i64, v: f64) -> MetricDatum {
    MetricDatum::builder()
        .metric_name(name)
        .timestamp(DateTime::from_secs(t))
        .value(v)
        .build()
}

pub async fn put(c: &Client, ns: &str, data: Vec<MetricDatum>) {
    c.put_metric_data()
        .namespace(ns)
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("put");
}

pub fn stat(
    id: &str,
    ns: &str,
    name: &str,
    dims: &[(&str, &str)],
    period: i32,
    s: &str,
) -> MetricDataQuery {
    let mut m = Metric::builder().namespace(ns).metric_name(name);
    for (k, v) in dims {
        m = m.dimensions(dim(k, v));
    }
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(m.build())
                .period(period)
                .stat(s)
                .build(),
        )
        .build()
}

pub fn expr(id: &str, e: &str) -> MetricDataQuery {
    MetricDataQuery::builder().id(id).expression(e).build()
}

pub async fn get(
    c: &Client,
    qs: Vec<MetricDataQuery>,
    start: i64,
    end: i64,
    scan: Option<ScanBy>,
) -> Vec<MetricDataResult> {
    c.get_metric_data()
        .set_metric_data_queries(Some(qs))
        .start_time(DateTime::from_secs(start))
        .end_time(DateTime::from_secs(end))
        .set_scan_by(scan)
        .send()
        .await
        .expect("get")
        .metric_data_results
        .unwrap_or_default()
}

/// (epoch seconds, value) pairs of one result.
pub fn points(r: &MetricDataResult) -> Vec<(i64, f64)> {
    r.timestamps()
        .iter()
        .map(|t| t.secs())
        .zip(r.values().iter().copied())
        .collect()
}

#[tokio::test]
async fn list_metrics_filters_and_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let with = |name: &str, dims: &[(&str, &str)]| {
        let mut d = MetricDatum::builder().metric_name(name).value(1.0);
        for (k, v) in dims {
            d = d.dimensions(dim(k, v));
        }
        d.build()
    };
    put(
        &c,
        "Test/List",
        vec![
            with("A", &[("Service", "api"), ("Env", "dev")]),
            with("A", &[("Service", "api"), ("Env", "prod")]),
            with("B", &[("Service", "web")]),
            with("C", &[]),
        ],
    )
    .await;
    let count = |name: Option<&str>, filters: Vec<DimensionFilter>| {
        let c = c.clone();
        let name = name.map(str::to_string);
        async move {
            let out = c
                .list_metrics()
                .namespace("Test/List")
                .set_metric_name(name)
                .set_dimensions(Some(filters))
                .send()
                .await
                .expect("list");
            out.metrics().to_vec()
        }
    };
    let f = |n: &str, v: Option<&str>| {
        DimensionFilter::builder()
            .name(n)
            .set_value(v.map(str::to_string))
            .build()
    };
    assert_eq!(count(None, vec![]).await.len(), 4);
    assert_eq!(count(Some("A"), vec![]).await.len(), 2);
    assert_eq!(
        count(None, vec![f("Env", None)]).await.len(),
        2,
        "a name-only filter"
    );
    let prod = count(None, vec![f("Env", Some("prod"))]).await;
    assert_eq!(prod.len(), 1);
    let names: Vec<_> = prod[0]
        .dimensions()
        .iter()
        .filter_map(|d| d.name())
        .collect();
    assert_eq!(names, ["Env", "Service"]);
    assert_eq!(
        count(None, vec![f("Service", Some("web"))]).await[0].metric_name(),
        Some("B")
    );

    put(
        &c,
        "Test/Many",
        (0..520).map(|i| with(&format!("M{i:03}"), &[])).collect(),
    )
    .await;
    let first = c
        .list_metrics()
        .namespace("Test/Many")
        .send()
        .await
        .expect("page 1");
    assert_eq!(first.metrics().len(), 500);
    let token = first.next_token().expect("token").to_string();
    let second = c
        .list_metrics()
        .namespace("Test/Many")
        .next_token(&token)
        .send()
        .await
        .expect("page 2");
    assert_eq!((second.metrics().len(), second.next_token()), (20, None));
    assert_eq!(second.metrics()[19].metric_name(), Some("M519"));
    let misused = c
        .list_metrics()
        .namespace("Test/List")
        .next_token(&token)
        .send()
        .await
        .expect_err("other filter");
    assert!(
        misused
            .as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_value_exception())
    );
    local.stop().await;
}

#[tokio::test]
async fn validation_errors_are_the_sdks_typed_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let base = hour_base();
    let gmd = |qs: Vec<MetricDataQuery>| {
        c.get_metric_data()
            .set_metric_data_queries(Some(qs))
            .start_time(DateTime::from_secs(base))
            .end_time(DateTime::from_secs(base + 60))
            .send()
    };
    let q = |id: &str| stat(id, "Test/V", "X", &[], 60, "Sum");
    let dup = gmd(vec![q("a"), q("a")]).await.expect_err("duplicate ids");
    assert_eq!(status_and_code(&dup), (400, "ValidationError".into()));
    assert!(
        dup.as_service_error()
            .and_then(|e| aws_sdk_cloudwatch::error::ProvideErrorMetadata::message(e))
            .is_some_and(|m| m.contains("not unique"))
    );
    let many = gmd((0..501).map(|i| q(&format!("q{i}"))).collect())
        .await
        .expect_err("501 queries");
    assert_eq!(status_and_code(&many), (400, "ValidationError".into()));
    let bad_stat = gmd(vec![stat("a", "Test/V", "X", &[], 60, "Median")])
        .await
        .expect_err("bad stat");
    assert_eq!(status_and_code(&bad_stat), (400, "ValidationError".into()));
    let bad_id = gmd(vec![q("Upper")]).await.expect_err("bad id");
    assert_eq!(status_and_code(&bad_id), (400, "ValidationError".into()));

    let reserved = c
        .put_metric_data()
        .namespace("AWS/Bedrock-AgentCore")
        .metric_data(value_at("X", base, 1.0))
        .send()
        .await
        .expect_err("AWS/");
    assert!(
        reserved
            .as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_value_exception()),
        "{reserved:?}"
    );
    let both = MetricDatum::builder()
        .metric_name("X")
        .value(1.0)
        .statistic_values(
            StatisticSet::builder()
                .sample_count(1.0)
                .sum(1.0)
                .minimum(1.0)
                .maximum(1.0)
                .build(),
        )
        .build();
    let combo = c
        .put_metric_data()
        .namespace("Test/V")
        .metric_data(both)
        .send()
        .await
        .expect_err("Value and StatisticValues");
    assert!(
        combo
            .as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_combination_exception())
    );
    let too_many = c
        .put_metric_data()
        .namespace("Test/V")
        .set_metric_data(Some((0..1001).map(|_| value_at("X", base, 1.0)).collect()))
        .send()
        .await
        .expect_err("1001 data");
    assert!(
        too_many
            .as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_value_exception())
    );
    let mut wide = MetricDatum::builder().metric_name("X").value(1.0);
    for i in 0..31 {
        wide = wide.dimensions(dim(&format!("d{i}"), "v"));
    }
    let dims = c
        .put_metric_data()
        .namespace("Test/V")
        .metric_data(wide.build())
        .send()
        .await
        .expect_err("31 dimensions");
    assert_eq!(
        status_and_code(&dims),
        (400, "InvalidParameterValue".into())
    );
    let old = c
        .put_metric_data()
        .namespace("Test/V")
        .metric_data(value_at("X", now_s() - 15 * 86_400, 1.0))
        .send()
        .await
        .expect_err("too old");
    assert!(
        old.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_value_exception())
    );
    local.stop().await;
}

#[tokio::test]
async fn metrics_and_alarms_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = hour_base();
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    put(
        &c,
        "Test/Keep",
        (0..5)
            .map(|k| value_at("Kept", base + k * 60, 2.0))
            .collect(),
    )
    .await;
    c.put_metric_alarm()
        .alarm_name("kept")
        .namespace("Test/Keep")
        .metric_name("Kept")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect("alarm");
    local.stop().await;

    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let out = get(
        &c,
        vec![stat("k", "Test/Keep", "Kept", &[], 300, "Sum")],
        base,
        base + 300,
        None,
    )
    .await;
    assert_eq!(points(&out[0]), [(base, 10.0)]);
    let alarms = c.describe_alarms().send().await.expect("alarms");
    assert_eq!(alarms.metric_alarms()[0].alarm_name(), Some("kept"));
    let listed = c
        .list_metrics()
        .namespace("Test/Keep")
        .send()
        .await
        .expect("list");
    assert_eq!(listed.metrics().len(), 1);
    local.stop().await;
}

#[tokio::test]
async fn the_json_protocol_botocore_prefers_is_served_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let auth = auth("monitoring", "us-west-2");
    let call = |op: &str, body: String| {
        let target = format!("GraniteServiceVersion20100801.{op}");
        let (url, auth) = (local.url.clone(), auth.clone());
        async move {
            let headers = [
                ("x-amz-target", target.as_str()),
                ("content-type", "application/x-amz-json-1.0"),
                ("authorization", auth.as_str()),
            ];
            raw(&url, "POST", "/", &headers, &body).await
        }
    };
    let t = hour_base();
    let put = format!(
        r#"{{"Namespace":"Test/Json","MetricData":[{{"MetricName":"Hits","Value":2,"Timestamp":{t}}}]}}"#
    );
    assert_eq!(call("PutMetricData", put).await.0, 200);
    let query = format!(
        r#"{{"MetricDataQueries":[{{"Id":"m","MetricStat":{{"Metric":{{"Namespace":"Test/Json","MetricName":"Hits"}},"Period":60,"Stat":"Sum"}}}}],"StartTime":{t},"EndTime":{}}}"#,
        t + 60
    );
    let (status, resp) = call("GetMetricData", query).await;
    assert_eq!(status, 200, "{resp}");
    assert!(
        resp.contains(&format!(r#""Timestamps":[{t}.0]"#)) && resp.contains(r#""Values":[2.0]"#),
        "{resp}"
    );
    let (status, resp) = call(
        "PutMetricData",
        r#"{"Namespace":"AWS/EC2","MetricData":[{"MetricName":"X","Value":1}]}"#.into(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        resp.to_ascii_lowercase()
            .contains("x-amzn-query-error: invalidparametervalue;sender"),
        "{resp}"
    );
    local.stop().await;
}
