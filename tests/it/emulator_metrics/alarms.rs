//! Alarms evaluated against the stored data: INSUFFICIENT_DATA -> ALARM -> OK, math alarms,
//! DescribeAlarms filters and DeleteAlarms.

use aws_sdk_cloudwatch::types::{ComparisonOperator, MetricDatum, StateValue};

use super::support::*;
use super::{cw, dim, expr, now_s, put, stat};

#[tokio::test]
async fn alarms_go_insufficient_data_to_alarm_to_ok() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = cw(&local.url).await;
    // The alarm watches the current hour: a run that straddles an hour boundary starts over.
    for attempt in 0..3 {
        let hour = now_s() / 3600;
        let (name, metric) = (format!("queue-high-{attempt}"), format!("Depth{attempt}"));
        c.put_metric_alarm()
            .alarm_name(&name)
            .namespace("Test/Alarm")
            .metric_name(&metric)
            .dimensions(dim("Queue", "jobs"))
            .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
            .period(3600)
            .evaluation_periods(1)
            .threshold(50.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .expect("alarm");
        let describe = || async {
            let out = c
                .describe_alarms()
                .alarm_names(&name)
                .send()
                .await
                .expect("describe");
            out.metric_alarms()[0].clone()
        };
        let first = describe().await;
        assert_eq!(first.state_value(), Some(&StateValue::InsufficientData));
        assert_eq!(first.statistic().map(|s| s.as_str()), Some("Average"));
        let datum = |v: f64, n: f64| {
            MetricDatum::builder()
                .metric_name(&metric)
                .dimensions(dim("Queue", "jobs"))
                .values(v)
                .counts(n)
                .build()
        };
        put(&c, "Test/Alarm", vec![datum(100.0, 1.0)]).await;
        let alarm = describe().await;
        let again = describe().await;
        put(&c, "Test/Alarm", vec![datum(0.0, 10.0)]).await;
        let ok = describe().await;
        if now_s() / 3600 != hour {
            continue;
        }
        assert_eq!(
            alarm.state_value(),
            Some(&StateValue::Alarm),
            "{:?}",
            alarm.state_reason()
        );
        assert!(
            alarm.state_reason().is_some_and(
                |r| r.starts_with("Threshold Crossed: 1 out of the last 1 datapoint [100.0")
            ),
            "{:?}",
            alarm.state_reason()
        );
        assert!(
            alarm
                .state_reason_data()
                .is_some_and(|d| d.contains("\"recentDatapoints\":[100.0]"))
        );
        assert_eq!(
            again.state_updated_timestamp(),
            alarm.state_updated_timestamp(),
            "no change, no new timestamp"
        );
        assert_eq!(
            ok.state_value(),
            Some(&StateValue::Ok),
            "{:?}",
            ok.state_reason()
        );
        assert!(ok.state_updated_timestamp() >= alarm.state_updated_timestamp());
        break;
    }

    // A math alarm, filters and deletion.
    let mut m1 = stat(
        "m1",
        "Test/Alarm",
        "Depth0",
        &[("Queue", "jobs")],
        3600,
        "Maximum",
    );
    m1.return_data = Some(false);
    let mut e1 = expr("e1", "m1 * 2");
    e1.return_data = Some(true);
    c.put_metric_alarm()
        .alarm_name("queue-doubled")
        .metrics(m1.clone())
        .metrics(e1)
        .evaluation_periods(1)
        .threshold(150.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .send()
        .await
        .expect("math alarm");
    let two = c
        .put_metric_alarm()
        .alarm_name("bad")
        .metrics(stat("m1", "Test/Alarm", "Depth0", &[], 3600, "Sum"))
        .metrics(expr("e2", "m1"))
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect_err("two ReturnData");
    assert_eq!(status_and_code(&two), (400, "ValidationError".into()));
    let doubled = c
        .describe_alarms()
        .alarm_name_prefix("queue-d")
        .send()
        .await
        .expect("prefix");
    assert_eq!(doubled.metric_alarms().len(), 1);
    assert_eq!(doubled.metric_alarms()[0].metrics().len(), 2);
    let in_ok = c
        .describe_alarms()
        .state_value(StateValue::Ok)
        .send()
        .await
        .expect("by state");
    assert!(
        in_ok
            .metric_alarms()
            .iter()
            .all(|a| a.state_value() == Some(&StateValue::Ok))
    );
    c.delete_alarms()
        .alarm_names("queue-doubled")
        .alarm_names("never-was")
        .send()
        .await
        .expect("delete");
    let gone = c
        .describe_alarms()
        .alarm_name_prefix("queue-d")
        .send()
        .await
        .expect("after delete");
    assert!(gone.metric_alarms().is_empty());
    local.stop().await;
}
