//! apply → shapes, a second apply changes nothing, a template change updates one alarm,
//! disabling a kind deletes its alarms, delete removes exactly what apply made; listing and
//! protection; bad templates refused before any call.

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};

use super::*;
use crate::support::cli::world;

const KINDS: [&str; 4] = ["error-rate", "latency", "throttles", "tool-error-rate"];

fn ours(runtime: &str, endpoints: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = endpoints
        .iter()
        .flat_map(|e| KINDS.map(|k| format!("agentcore-console/{runtime}/{e}/{k}")))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn apply_makes_the_filter_and_alarms_then_changes_only_what_the_template_changed() {
    let w = world().await;
    deploy(&w, "dev", "weather").await;
    let (id, arn) = runtime_ids(&w, "dev", "weather").await;
    let c = sdk(&w, "us-west-2").await;

    let (ok, _, err) = alarms(&w, "dev", &["apply", "weather", "--endpoint", "nope"]).await;
    assert!(!ok && err.contains("no endpoint `nope`"), "{err}");

    let first = alarms_json(&w, "dev", &["apply", "weather"]).await;
    assert_eq!(first["applied"], true);
    let made = alarms_named(&c, "agentcore-console/weather/").await;
    assert_eq!(names(&made), ours("weather", &["DEFAULT", "live"]));

    // Shapes, read back through the SDK.
    let d = vec![
        ("Name".to_string(), "weather::live".to_string()),
        ("Operation".into(), "InvokeAgentRuntime".into()),
        ("Resource".into(), arn.clone()),
    ];
    let by = |n: &str| {
        made.iter()
            .find(|a| a.alarm_name() == Some(n))
            .expect("alarm")
            .clone()
    };
    let er = by("agentcore-console/weather/live/error-rate");
    assert!(
        er.alarm_description()
            .is_some_and(|s| s.contains("managed by agentcore-console alarms apply")),
        "{:?}",
        er.alarm_description()
    );
    assert_eq!(
        (
            er.period(),
            er.evaluation_periods(),
            er.datapoints_to_alarm(),
            er.treat_missing_data(),
            er.threshold(),
            er.comparison_operator(),
            er.actions_enabled(),
        ),
        (
            None,
            Some(3),
            Some(2),
            Some("notBreaching"),
            Some(5.0),
            Some(&ComparisonOperator::GreaterThanOrEqualToThreshold),
            Some(true)
        )
    );
    let q = er.metrics();
    assert_eq!(
        q.iter()
            .map(|q| q.id().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["i", "e", "rate"]
    );
    let stat = |i: usize| q[i].metric_stat().expect("metric stat");
    let m = stat(1).metric().expect("metric");
    assert_eq!(
        (
            m.namespace(),
            m.metric_name(),
            stat(1).stat(),
            stat(1).period()
        ),
        (
            Some("AWS/Bedrock-AgentCore"),
            Some("TotalErrors"),
            Some("Sum"),
            Some(60)
        )
    );
    assert_eq!(dims(m.dimensions()), d);
    assert_eq!(
        stat(0).metric().and_then(|m| m.metric_name()),
        Some("Invocations")
    );
    assert_eq!(
        (
            q[2].expression(),
            q[2].label(),
            q[2].return_data(),
            q[0].return_data()
        ),
        (
            Some("IF(i >= 5, 100 * FILL(e, 0) / i, 0)"),
            Some("error rate %"),
            Some(true),
            Some(false)
        )
    );
    let te = by("agentcore-console/weather/live/tool-error-rate");
    let t = te.metrics()[1]
        .metric_stat()
        .and_then(|s| s.metric())
        .expect("t");
    assert_eq!(
        (t.namespace(), t.metric_name(), t.dimensions().len()),
        (Some("AgentCoreConsole/ToolErrors"), Some("weather/live"), 0)
    );
    let lat = by("agentcore-console/weather/live/latency");
    assert_eq!(
        (
            lat.metric_name(),
            lat.extended_statistic(),
            lat.statistic(),
            lat.threshold()
        ),
        (Some("Latency"), Some("p99"), None, Some(2000.0))
    );
    assert_eq!(dims(lat.dimensions()), d);
    let thr = by("agentcore-console/weather/live/throttles");
    assert_eq!(
        (thr.metric_name(), thr.statistic(), thr.period()),
        (Some("Throttles"), Some(&Statistic::Sum), Some(60))
    );
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-live");
    let filters = c
        .logs
        .describe_metric_filters()
        .log_group_name(&group)
        .send()
        .await
        .expect("DescribeMetricFilters");
    let [f] = filters.metric_filters() else {
        panic!("one filter: {filters:?}")
    };
    let tr = &f.metric_transformations()[0];
    assert_eq!(
        (
            f.filter_name(),
            f.filter_pattern(),
            tr.metric_namespace(),
            tr.metric_name(),
            tr.metric_value(),
            tr.default_value(),
            tr.unit().map(|u| u.as_str()),
        ),
        (
            Some("agentcore-console/tool-errors"),
            Some(r#"{ $.level = "ERROR" }"#),
            "AgentCoreConsole/ToolErrors",
            "weather/live",
            "1",
            Some(0.0),
            Some("Count")
        )
    );
    let entries = audited(&w, "alarms.apply");
    assert_eq!(
        entries.len(),
        2,
        "the refused unknown endpoint, then the apply"
    );
    assert!(
        entries[0]["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("refused:") && r.contains("nope")),
        "{}",
        entries[0]
    );
    assert_eq!(entries[1]["result"], "ok");
    assert_eq!(entries[1]["before"], serde_json::json!({}));
    assert!(
        entries[1]["after"].as_object().is_some_and(|a| a
            .contains_key("alarm agentcore-console/weather/live/latency")
            && a.contains_key(&format!("filter {group}"))),
        "{}",
        entries[1]
    );

    // A second apply: nothing to change, no alarm touched.
    let stamp = |alarms: &[aws_sdk_cloudwatch::types::MetricAlarm]| {
        alarms
            .iter()
            .map(|a| a.alarm_configuration_updated_timestamp().cloned())
            .collect::<Vec<_>>()
    };
    let (ok, out, err) = alarms(&w, "dev", &["apply", "weather"]).await;
    assert!(ok && out.contains("nothing to change"), "{out}{err}");
    let again = alarms_named(&c, "agentcore-console/weather/").await;
    assert_eq!(stamp(&again), stamp(&made));
    assert_eq!(
        audited(&w, "alarms.apply").len(),
        2,
        "a no-op is not a change"
    );

    // One threshold changed: one update on the endpoint asked for.
    append_config(
        &w,
        "[environments.dev.alarms.latency]\nthreshold = 1500\n[environments.dev.alarms.throttles]\nenabled = false\n",
    );
    let v = alarms_json(
        &w,
        "dev",
        &["apply", "weather", "--endpoint", "live", "--dry-run"],
    )
    .await;
    assert_eq!(v["applied"], false);
    let calls: Vec<&str> = v["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[0].starts_with("PutMetricAlarm agentcore-console/weather/live/latency"));
    assert!(calls[0].contains(">= 1500"), "{}", calls[0]);
    assert_eq!(
        calls[1],
        "DeleteAlarms agentcore-console/weather/live/throttles"
    );
    let update = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["change"] == "update")
        .expect("an update");
    assert_eq!(update["differs"][0], "threshold 2000 → 1500");
    assert_eq!(
        stamp(&alarms_named(&c, "agentcore-console/weather/").await),
        stamp(&made),
        "a dry run changes nothing"
    );
    let v = alarms_json(&w, "dev", &["apply", "weather", "--endpoint", "live"]).await;
    assert_eq!(v["calls"].as_array().map(Vec::len), Some(2));
    let now = alarms_named(&c, "agentcore-console/weather/").await;
    let mut want = ours("weather", &["DEFAULT", "live"]);
    want.retain(|n| n != "agentcore-console/weather/live/throttles");
    assert_eq!(names(&now), want);
    assert_eq!(
        now.iter()
            .find(|a| a.alarm_name() == Some("agentcore-console/weather/live/latency"))
            .and_then(|a| a.threshold()),
        Some(1500.0)
    );
    // The DEFAULT endpoint was not asked for and is as it was.
    let untouched = |list: &[aws_sdk_cloudwatch::types::MetricAlarm]| {
        list.iter()
            .filter(|a| a.alarm_name().is_some_and(|n| n.contains("/DEFAULT/")))
            .map(|a| a.alarm_configuration_updated_timestamp().cloned())
            .collect::<Vec<_>>()
    };
    assert_eq!(untouched(&now), untouched(&made));
}

/// A raw PutMetricAlarm on AgentCore's `Invocations` of `runtime::live`.
async fn raw_alarm(c: &Clients, name: &str, runtime: &str, arn: &str, missing: &str) {
    let d = |k: &str, v: &str| Dimension::builder().name(k).value(v).build();
    c.cloudwatch
        .put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/Bedrock-AgentCore")
        .metric_name("Invocations")
        .dimensions(d("Operation", "InvokeAgentRuntime"))
        .dimensions(d("Resource", arn))
        .dimensions(d("Name", &format!("{runtime}::live")))
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1000.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data(missing)
        .send()
        .await
        .expect("PutMetricAlarm");
}

#[tokio::test]
async fn delete_removes_exactly_what_apply_made_and_listing_attributes_other_alarms() {
    let w = world().await;
    deploy(&w, "dev", "weather").await;
    deploy(&w, "dev", "weather_v2").await;
    let (id, arn) = runtime_ids(&w, "dev", "weather").await;
    let (_, arn2) = runtime_ids(&w, "dev", "weather_v2").await;
    let c = sdk(&w, "us-west-2").await;
    alarms_json(&w, "dev", &["apply", "weather"]).await;
    // Another client's alarms: one named like ours, one not; and one of the other runtime.
    raw_alarm(
        &c,
        "agentcore-console/weather/live/custom",
        "weather",
        &arn,
        "notBreaching",
    )
    .await;
    raw_alarm(&c, "team-x-weather", "weather", &arn, "breaching").await;
    raw_alarm(&c, "team-y-weather-v2", "weather_v2", &arn2, "notBreaching").await;

    let listed = json(&w, &["--env", "dev", "alarms", "weather"]).await;
    let rows = listed.as_array().expect("rows");
    let row = |n: &str| rows.iter().find(|r| r["name"] == n).cloned();
    let team = row("team-x-weather").expect("team-x-weather is listed");
    assert_eq!(
        (team["runtime"].as_str(), team["endpoint"].as_str()),
        (Some("weather"), Some("live"))
    );
    assert_eq!(team["state"], "ALARM", "missing data breaching");
    assert_eq!(rows[0]["name"], "team-x-weather", "ALARM rows first");
    assert!(row("agentcore-console/weather/live/custom").is_some());
    assert!(
        row("team-y-weather-v2").is_none(),
        "weather_v2's alarm is not weather's"
    );
    assert_eq!(rows.len(), 10, "8 standard + 2 raw");
    let v2 = json(&w, &["--env", "dev", "alarms", "weather_v2"]).await;
    let v2: Vec<&str> = v2
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(v2, ["team-y-weather-v2"]);
    let alarming = json(&w, &["--env", "dev", "alarms", "--state", "ALARM"]).await;
    let alarming: Vec<&str> = alarming
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(alarming, ["team-x-weather"]);
    let (ok, table, err) = run_as_is(&w, &["--env", "dev", "alarms"]).await;
    assert!(ok, "{err}");
    let first = table.lines().nth(1).unwrap_or_default();
    assert!(
        table.starts_with("ENV") && first.contains("team-x-weather") && first.contains("ALARM"),
        "{table}"
    );

    let v = alarms_json(&w, "dev", &["delete", "weather"]).await;
    assert_eq!(v["applied"], true);
    let left = names(&alarms_named(&c, "").await);
    assert_eq!(
        left,
        [
            "agentcore-console/weather/live/custom",
            "team-x-weather",
            "team-y-weather-v2"
        ]
    );
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-live");
    let filters = c
        .logs
        .describe_metric_filters()
        .log_group_name(&group)
        .send()
        .await
        .expect("the log group stays");
    assert!(filters.metric_filters().is_empty());
    let (ok, out, err) = alarms(&w, "dev", &["delete", "weather"]).await;
    assert!(ok && out.contains("nothing to change"), "{out}{err}");
    assert_eq!(audited(&w, "alarms.delete").len(), 1);
}

#[tokio::test]
async fn a_protected_environment_refuses_an_unarmed_apply_and_a_dry_run_changes_nothing() {
    let w = world().await;
    deploy(&w, "prod", "weather").await;
    let c = sdk(&w, "us-east-1").await;
    let (ok, _, err) = alarms(&w, "prod", &["apply", "weather"]).await;
    assert!(
        !ok && err.contains("read-only") && err.contains("--arm"),
        "{err}"
    );
    assert!(alarms_named(&c, "").await.is_empty(), "nothing created");
    let refused = audited(&w, "alarms.apply");
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0]["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("refused:")),
        "{}",
        refused[0]
    );
    let (ok, out, err) = alarms(&w, "prod", &["apply", "weather", "--dry-run"]).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("dry run")
            && out.contains("PutMetricAlarm agentcore-console/weather/live/latency"),
        "{out}"
    );
    assert!(
        alarms_named(&c, "").await.is_empty(),
        "a dry run creates nothing"
    );
    assert_eq!(
        audited(&w, "alarms.apply").len(),
        1,
        "a dry run is no write"
    );
    let (ok, _, err) = alarms(&w, "prod", &["apply", "weather", "--arm"]).await;
    assert!(ok, "{err}");
    assert_eq!(alarms_named(&c, "").await.len(), 8);
}

#[tokio::test]
async fn a_bad_template_is_refused_naming_file_line_and_key_before_any_call() {
    let w = world().await;
    let c = sdk(&w, "us-west-2").await;
    let good = std::fs::read_to_string(&w.config).expect("config");
    let line = good.lines().count() + 2;
    for (body, key) in [
        ("period = 90\n", "environments.dev.alarms.period"),
        (
            "tool_error_pattern = '{ $.level = '\n",
            "environments.dev.alarms.tool_error_pattern",
        ),
    ] {
        std::fs::write(
            &w.config,
            format!("{good}[environments.dev.alarms]\n{body}"),
        )
        .expect("config");
        let (ok, _, err) = alarms(&w, "dev", &["apply", "weather"]).await;
        let at = format!("{}:{line}:", w.config.display());
        assert!(!ok && err.contains(&at) && err.contains(key), "{err}");
    }
    assert!(alarms_named(&c, "").await.is_empty());
    assert!(cli::audit(&w).is_empty(), "nothing was even attempted");
}
