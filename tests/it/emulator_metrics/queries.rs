//! GetMetricData: statistics of known data, periods and their alignment, storage
//! resolution, ScanBy, MaxDatapoints paging, and metric math.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{MetricDatum, ScanBy, StandardUnit, StatisticSet};

use super::support::*;
use super::{cw, expr, get, hour_base, points, put, stat, value_at};

#[tokio::test]
async fn statistics_of_known_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let base = hour_base();
    let hundred = MetricDatum::builder()
        .metric_name("Latency")
        .timestamp(DateTime::from_secs(base + 30))
        .set_values(Some((1..=100).rev().map(f64::from).collect()))
        .unit(StandardUnit::Milliseconds)
        .build();
    let set = MetricDatum::builder()
        .metric_name("Mixed")
        .timestamp(DateTime::from_secs(base + 5))
        .statistic_values(
            StatisticSet::builder()
                .sample_count(3.0)
                .sum(30.0)
                .minimum(5.0)
                .maximum(15.0)
                .build(),
        )
        .build();
    let counted = MetricDatum::builder()
        .metric_name("Mixed")
        .timestamp(DateTime::from_secs(base + 6))
        .set_values(Some(vec![1.0, 2.0]))
        .set_counts(Some(vec![2.0, 1.0]))
        .build();
    put(
        &c,
        "Test/Stats",
        vec![hundred, set, counted, value_at("Mixed", base + 7, 10.0)],
    )
    .await;

    let cases = [
        ("Latency", "Sum", 5050.0),
        ("Latency", "Average", 50.5),
        ("Latency", "Minimum", 1.0),
        ("Latency", "Maximum", 100.0),
        ("Latency", "SampleCount", 100.0),
        ("Latency", "p50", 50.0),
        ("Latency", "p90", 90.0),
        ("Latency", "p99", 99.0),
        ("Mixed", "SampleCount", 7.0),
        ("Mixed", "Sum", 44.0),
        ("Mixed", "Minimum", 1.0),
        ("Mixed", "Maximum", 15.0),
    ];
    let qs = cases
        .iter()
        .enumerate()
        .map(|(i, (name, s, _))| stat(&format!("q{i}"), "Test/Stats", name, &[], 60, s))
        .collect();
    let results = get(&c, qs, base, base + 60, None).await;
    for (r, (name, s, want)) in results.iter().zip(cases) {
        assert_eq!(points(r), [(base, want)], "{name} {s}");
        assert_eq!(
            r.label(),
            Some(name),
            "the default label is the metric name"
        );
        assert_eq!(r.status_code().map(|s| s.as_str()), Some("Complete"));
    }
    // A percentile over a StatisticSet of different values has no value; a wrong unit no data.
    let mut with_unit = stat("u", "Test/Stats", "Latency", &[], 60, "Sum");
    with_unit.metric_stat.as_mut().expect("stat").unit = Some(StandardUnit::Seconds);
    let none = get(
        &c,
        vec![stat("p", "Test/Stats", "Mixed", &[], 60, "p50"), with_unit],
        base,
        base + 60,
        None,
    )
    .await;
    assert!(none.iter().all(|r| r.values().is_empty()), "{none:?}");
    local.stop().await;
}

#[tokio::test]
async fn periods_alignment_resolution_and_scan_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let base = hour_base();
    put(
        &c,
        "Test/Periods",
        (0..10)
            .map(|k| value_at("Ticks", base + k * 60 + 10, 1.0))
            .collect(),
    )
    .await;
    let ticks = |p| vec![stat("m", "Test/Periods", "Ticks", &[], p, "Sum")];

    let desc = get(&c, ticks(300), base, base + 600, None).await;
    assert_eq!(
        points(&desc[0]),
        [(base + 300, 5.0), (base, 5.0)],
        "newest first by default"
    );
    let asc = get(
        &c,
        ticks(300),
        base,
        base + 600,
        Some(ScanBy::TimestampAscending),
    )
    .await;
    assert_eq!(points(&asc[0]), [(base, 5.0), (base + 300, 5.0)]);
    // Buckets run from StartTime rounded down to the minute, as on AWS.
    let shifted = get(
        &c,
        ticks(300),
        base + 125,
        base + 600,
        Some(ScanBy::TimestampAscending),
    )
    .await;
    assert_eq!(points(&shifted[0]), [(base + 120, 5.0), (base + 420, 3.0)]);
    let minutes = get(&c, ticks(60), base, base + 600, None).await;
    assert_eq!(minutes[0].values(), [1.0; 10]);

    // High resolution keeps seconds; standard resolution is per minute whatever the period.
    let fast = (1..=3).map(|s| {
        MetricDatum::builder()
            .metric_name("Fast")
            .timestamp(DateTime::from_secs(base + s))
            .value(1.0)
            .storage_resolution(1)
            .build()
    });
    let mut data: Vec<_> = fast.collect();
    data.extend([
        value_at("Slow", base + 1, 1.0),
        value_at("Slow", base + 2, 1.0),
    ]);
    put(&c, "Test/Periods", data).await;
    let asc = Some(ScanBy::TimestampAscending);
    let fast1 = get(
        &c,
        vec![stat("f", "Test/Periods", "Fast", &[], 1, "Sum")],
        base,
        base + 60,
        asc.clone(),
    )
    .await;
    assert_eq!(
        points(&fast1[0]),
        [(base + 1, 1.0), (base + 2, 1.0), (base + 3, 1.0)]
    );
    let fast10 = get(
        &c,
        vec![stat("f", "Test/Periods", "Fast", &[], 10, "Sum")],
        base,
        base + 60,
        asc.clone(),
    )
    .await;
    assert_eq!(points(&fast10[0]), [(base, 3.0)]);
    let slow1 = get(
        &c,
        vec![stat("s", "Test/Periods", "Slow", &[], 1, "Sum")],
        base,
        base + 60,
        asc,
    )
    .await;
    assert_eq!(points(&slow1[0]), [(base, 2.0)]);

    let bad = c
        .get_metric_data()
        .metric_data_queries(stat("m", "Test/Periods", "Ticks", &[], 45, "Sum"))
        .start_time(DateTime::from_secs(base))
        .end_time(DateTime::from_secs(base + 600))
        .send()
        .await
        .expect_err("period 45");
    assert_eq!(status_and_code(&bad), (400, "ValidationError".into()));
    local.stop().await;
}

#[tokio::test]
async fn max_datapoints_pages_with_next_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let base = hour_base();
    let mut data: Vec<_> = (0..10)
        .map(|k| value_at("A", base + k * 60, k as f64))
        .collect();
    data.extend((0..10).map(|k| value_at("B", base + k * 60, 100.0 + k as f64)));
    put(&c, "Test/Pages", data).await;
    let qs = vec![
        stat("a", "Test/Pages", "A", &[], 60, "Sum"),
        stat("b", "Test/Pages", "B", &[], 60, "Sum"),
    ];
    let mut token = None;
    let (mut a, mut b, mut pages) = (vec![], vec![], 0);
    loop {
        let out = c
            .get_metric_data()
            .set_metric_data_queries(Some(qs.clone()))
            .start_time(DateTime::from_secs(base))
            .end_time(DateTime::from_secs(base + 600))
            .max_datapoints(4)
            .set_next_token(token.take())
            .send()
            .await
            .expect("page");
        pages += 1;
        let results = out.metric_data_results();
        assert!(results.iter().map(|r| r.values().len()).sum::<usize>() <= 4);
        if pages == 1 {
            assert_eq!(
                results[0].status_code().map(|s| s.as_str()),
                Some("PartialData")
            );
        }
        a.extend(points(&results[0]));
        b.extend(points(&results[1]));
        match out.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    let want = |off: f64| {
        (0..10)
            .rev()
            .map(|k| (base + k * 60, off + k as f64))
            .collect::<Vec<_>>()
    };
    assert_eq!((a, b), (want(0.0), want(100.0)));

    let err = c
        .get_metric_data()
        .set_metric_data_queries(Some(qs))
        .start_time(DateTime::from_secs(base))
        .end_time(DateTime::from_secs(base + 600))
        .next_token("bm90LWEtdG9rZW4")
        .send()
        .await
        .expect_err("bad token");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_next_token()),
        "{err:?}"
    );
    local.stop().await;
}

#[tokio::test]
async fn metric_math_error_rate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    let base = hour_base();
    let errors = [1.0, 0.0, 2.0, 5.0];
    let mut data: Vec<_> = (0..4)
        .map(|k| value_at("Invocations", base + k * 60, 10.0))
        .collect();
    data.extend(
        errors
            .iter()
            .enumerate()
            .map(|(k, e)| value_at("Errors", base + k as i64 * 60, *e)),
    );
    put(&c, "Test/Math", data).await;
    let mut errs = stat("err", "Test/Math", "Errors", &[], 60, "Sum");
    errs.return_data = Some(false);
    let qs = vec![
        stat("inv", "Test/Math", "Invocations", &[], 60, "Sum"),
        errs,
        expr("rate", "100 * err / inv"),
        expr("tenth", "rate / 10"),
        expr("mean", "AVG(err)"),
    ];
    let out = get(&c, qs, base, base + 240, Some(ScanBy::TimestampAscending)).await;
    let ids: Vec<_> = out.iter().filter_map(|r| r.id()).collect();
    assert_eq!(
        ids,
        ["inv", "rate", "tenth", "mean"],
        "ReturnData false is not returned"
    );
    assert_eq!(
        out[1].label(),
        Some("rate"),
        "an expression's default label is its Id"
    );
    assert_eq!(out[1].values(), [10.0, 0.0, 20.0, 50.0]);
    assert_eq!(out[2].values(), errors);
    assert_eq!(
        points(&out[3]),
        (0..4).map(|k| (base + k * 60, 2.0)).collect::<Vec<_>>(),
        "a scalar at every period"
    );

    for bad in ["err +", "nope * 2", "BOGUS(err)"] {
        let e = c
            .get_metric_data()
            .metric_data_queries(stat("err", "Test/Math", "Errors", &[], 60, "Sum"))
            .metric_data_queries(expr("e", bad))
            .start_time(DateTime::from_secs(base))
            .end_time(DateTime::from_secs(base + 240))
            .send()
            .await
            .expect_err(bad);
        assert_eq!(
            status_and_code(&e),
            (400, "ValidationError".into()),
            "{bad}"
        );
    }
    local.stop().await;
}
