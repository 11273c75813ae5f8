//! DescribeAlarmHistory: what creating, updating, evaluating and deleting an alarm record, in
//! AWS's shapes, newest first, filtered, paged, validated, per account+region, kept after the
//! alarm is deleted and across a restart.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::error::ProvideErrorMetadata;
use aws_sdk_cloudwatch::types::{
    AlarmHistoryItem, ComparisonOperator, HistoryItemType, MetricDatum, ScanBy, Statistic,
};

use super::support::*;
use super::{cw, now_s, put};

async fn put_alarm(c: &Client, name: &str, metric: &str, threshold: f64) {
    c.put_metric_alarm()
        .alarm_name(name)
        .namespace("Test/History")
        .metric_name(metric)
        .statistic(Statistic::Maximum)
        .period(3600)
        .evaluation_periods(1)
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("notBreaching")
        .send()
        .await
        .expect("alarm");
}

async fn history(c: &Client, name: &str) -> Vec<AlarmHistoryItem> {
    c.describe_alarm_history()
        .alarm_name(name)
        .send()
        .await
        .expect("history")
        .alarm_history_items
        .unwrap_or_default()
}

fn summaries(items: &[AlarmHistoryItem]) -> Vec<&str> {
    items
        .iter()
        .map(|h| h.history_summary().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn history_records_configuration_and_state_updates_in_aws_shapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut local = start(dir.path()).await;
    let mut c = cw(&local.url).await;
    // The alarm watches the current hour: a run that straddles an hour boundary starts over.
    let mut name = String::new();
    for attempt in 0..3 {
        let hour = now_s() / 3600;
        name = format!("h-{attempt}");
        let metric = format!("Depth{attempt}");
        put_alarm(&c, &name, &metric, 10.0).await;
        let datum = MetricDatum::builder()
            .metric_name(&metric)
            .value(100.0)
            .build();
        put(&c, "Test/History", vec![datum]).await;
        // Evaluated when described (and every few seconds): the transition comes first.
        c.describe_alarms()
            .alarm_names(&name)
            .send()
            .await
            .expect("describe");
        put_alarm(&c, &name, &metric, 50.0).await;
        if now_s() / 3600 == hour {
            break;
        }
    }
    let all = history(&c, &name).await;
    let quoted = format!("Alarm \"{name}\"");
    assert_eq!(
        summaries(&all),
        [
            format!("{quoted} updated").as_str(),
            "Alarm updated from OK to ALARM",
            "Alarm updated from INSUFFICIENT_DATA to OK",
            format!("{quoted} created").as_str(),
        ]
    );
    let kinds: Vec<&str> = all
        .iter()
        .map(|h| h.history_item_type().map_or("", HistoryItemType::as_str))
        .collect();
    assert_eq!(
        kinds,
        [
            "ConfigurationUpdate",
            "StateUpdate",
            "StateUpdate",
            "ConfigurationUpdate"
        ]
    );
    assert!(all.iter().all(|h| h.alarm_name() == Some(name.as_str())
        && h.alarm_type().map(|t| t.as_str()) == Some("MetricAlarm")
        && h.timestamp().is_some()));
    assert!(
        all.windows(2).all(|w| w[0].timestamp() >= w[1].timestamp()),
        "newest first"
    );
    let json = |h: &AlarmHistoryItem| -> serde_json::Value {
        serde_json::from_str(h.history_data().expect("data")).expect("HistoryData is JSON")
    };
    let created = json(&all[3]);
    assert_eq!(created["version"], "1.0");
    assert_eq!(created["type"], "Create");
    assert_eq!(created["createdAlarm"]["alarmName"], name.as_str());
    assert_eq!(created["createdAlarm"]["statistic"], "Maximum");
    assert_eq!(created["createdAlarm"]["period"], 3600);
    assert_eq!(created["createdAlarm"]["stateValue"], "INSUFFICIENT_DATA");
    let updated = json(&all[0]);
    assert_eq!(updated["type"], "Update");
    assert_eq!(updated["originalUpdatedAlarm"]["threshold"], 10.0);
    assert_eq!(updated["updatedAlarm"]["threshold"], 50.0);
    let fired = json(&all[1]);
    assert_eq!(fired["oldState"]["stateValue"], "OK");
    assert_eq!(fired["newState"]["stateValue"], "ALARM");
    assert!(
        fired["newState"]["stateReason"]
            .as_str()
            .is_some_and(|r| r.starts_with("Threshold Crossed"))
    );
    assert_eq!(
        fired["newState"]["stateReasonData"]["recentDatapoints"],
        serde_json::json!([100.0]),
        "the reason data is nested as a document"
    );

    // Oldest first, by type, and page by page.
    let ascending = c
        .describe_alarm_history()
        .alarm_name(&name)
        .scan_by(ScanBy::TimestampAscending)
        .send()
        .await
        .expect("ascending");
    let mut reversed = summaries(&all);
    reversed.reverse();
    assert_eq!(summaries(ascending.alarm_history_items()), reversed);
    let states = c
        .describe_alarm_history()
        .alarm_name(&name)
        .history_item_type(HistoryItemType::StateUpdate)
        .send()
        .await
        .expect("by type");
    assert_eq!(states.alarm_history_items().len(), 2);
    let mut paged = Vec::new();
    let mut pages = c
        .describe_alarm_history()
        .alarm_name(&name)
        .max_records(1)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.expect("page");
        assert!(page.alarm_history_items().len() <= 1);
        paged.extend(page.alarm_history_items().iter().cloned());
    }
    assert_eq!(summaries(&paged), summaries(&all));

    // Errors as AWS answers them.
    for max in [0, 101] {
        let e = c
            .describe_alarm_history()
            .max_records(max)
            .send()
            .await
            .expect_err("MaxRecords");
        assert_eq!(
            status_and_code(&e),
            (400, "ValidationError".into()),
            "{max}"
        );
    }
    let e = c
        .describe_alarm_history()
        .history_item_type(HistoryItemType::from("Sometimes"))
        .send()
        .await
        .expect_err("type");
    assert_eq!(status_and_code(&e), (400, "ValidationError".into()));
    let e = c
        .describe_alarm_history()
        .scan_by(ScanBy::from("Sideways"))
        .send()
        .await
        .expect_err("ScanBy");
    assert_eq!(status_and_code(&e), (400, "ValidationError".into()));
    let e = c
        .describe_alarm_history()
        .next_token("not-a-token")
        .send()
        .await
        .expect_err("token");
    assert_eq!(e.code(), Some("InvalidNextToken"));
    assert!(
        e.as_service_error()
            .is_some_and(|s| s.is_invalid_next_token())
    );

    // Deleted: the history stays, with the deletion on top; other regions see none of it.
    c.delete_alarms()
        .alarm_names(&name)
        .send()
        .await
        .expect("delete");
    let after = history(&c, &name).await;
    assert_eq!(after.len(), all.len() + 1);
    assert_eq!(
        after[0].history_summary(),
        Some(format!("{quoted} deleted").as_str())
    );
    assert_eq!(json(&after[0])["type"], "Delete");
    let elsewhere = clients(&local.url, "us-east-1").await.cloudwatch;
    let none = elsewhere
        .describe_alarm_history()
        .send()
        .await
        .expect("other region");
    assert!(none.alarm_history_items().is_empty());

    // And it survives a restart.
    local.stop().await;
    local = start(dir.path()).await;
    c = cw(&local.url).await;
    assert_eq!(summaries(&history(&c, &name).await), summaries(&after));
    local.stop().await;
}
