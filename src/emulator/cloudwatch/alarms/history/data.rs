//! HistorySummary and HistoryData as CloudWatch writes them. The Create document and the
//! StateUpdate one follow captured AWS output (camelCase members, `okactions` in lower case,
//! timestamps as `2022-11-02T15:55:30.959+0000`, stateReasonData nested as an object); the
//! Update (`originalUpdatedAlarm`/`updatedAlarm`) and Delete (`deletedAlarm`) documents follow
//! the same pattern but were not seen in AWS output.

use serde_json::{Value as Json, json};

use super::super::Alarm;
use crate::emulator::cloudwatch::json::to_json;
use crate::emulator::cloudwatch::query::{self, Kind};

/// `2022-11-02T15:55:30.959+0000`, as alarm history documents write times.
pub fn aws_time(ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Lower-case the first letter of every member name, as the history documents spell them.
fn camel(v: Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let k = c
                        .next()
                        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                        .unwrap_or_default();
                    (k, camel(v))
                })
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.into_iter().map(camel).collect()),
        other => other,
    }
}

/// The alarm as the history documents describe it.
fn alarm_json(a: &Alarm) -> Json {
    let mut o = json!({
        "alarmName": a.name,
        "alarmArn": a.arn(),
        "alarmConfigurationUpdatedTimestamp": aws_time(a.config_updated_ms),
        "threshold": a.threshold,
        "comparisonOperator": a.comparison,
        "evaluationPeriods": a.evaluation_periods,
        "stateValue": a.state,
        "stateUpdatedTimestamp": aws_time(a.state_updated_ms),
        "actionsEnabled": a.actions_enabled,
        "alarmActions": a.alarm_actions,
        "insufficientDataActions": a.insufficient_data_actions,
        "okactions": a.ok_actions,
    });
    let Json::Object(m) = &mut o else {
        return o;
    };
    if let Some(d) = &a.description {
        m.insert("alarmDescription".into(), json!(d));
    }
    if let Some(n) = a.datapoints_to_alarm {
        m.insert("datapointsToAlarm".into(), json!(n));
    }
    if let Some(t) = &a.treat_missing {
        m.insert("treatMissingData".into(), json!(t));
    }
    match (a.single, a.queries.first().map(|q| &q.kind)) {
        (true, Some(Kind::Stat(ms))) => {
            let basic = super::super::BASIC_STATS.contains(&ms.stat.as_str());
            m.insert("namespace".into(), json!(ms.namespace));
            m.insert("metricName".into(), json!(ms.name));
            let stat_key = if basic {
                "statistic"
            } else {
                "extendedStatistic"
            };
            m.insert(stat_key.into(), json!(ms.stat));
            m.insert("period".into(), json!(ms.period));
            let dims: Vec<Json> = ms
                .dims
                .iter()
                .map(|(n, v)| json!({ "value": v, "name": n }))
                .collect();
            m.insert("dimensions".into(), Json::Array(dims));
            if let Some(u) = &ms.unit {
                m.insert("unit".into(), json!(u));
            }
        }
        _ => {
            let metrics: Vec<Json> = a
                .queries
                .iter()
                .map(|q| camel(to_json(&query::to_value(q))))
                .collect();
            m.insert("metrics".into(), Json::Array(metrics));
        }
    }
    o
}

/// (HistorySummary, HistoryData) of a new alarm.
pub fn alarm_created(a: &Alarm) -> (String, String) {
    let data = json!({ "version": "1.0", "type": "Create", "createdAlarm": alarm_json(a) });
    (format!("Alarm \"{}\" created", a.name), data.to_string())
}

/// (HistorySummary, HistoryData) of an alarm put again: the old and the new definition.
pub fn alarm_updated(before: &Alarm, after: &Alarm) -> (String, String) {
    let data = json!({
        "version": "1.0",
        "type": "Update",
        "originalUpdatedAlarm": alarm_json(before),
        "updatedAlarm": alarm_json(after),
    });
    (
        format!("Alarm \"{}\" updated", after.name),
        data.to_string(),
    )
}

/// (HistorySummary, HistoryData) of a deleted alarm.
pub fn alarm_deleted(a: &Alarm) -> (String, String) {
    let data = json!({ "version": "1.0", "type": "Delete", "deletedAlarm": alarm_json(a) });
    (format!("Alarm \"{}\" deleted", a.name), data.to_string())
}

/// One side of a state update.
fn state(value: &str, reason: &str, reason_data: Option<&str>) -> Json {
    let mut s = json!({ "stateValue": value, "stateReason": reason });
    if let (Json::Object(m), Some(d)) = (&mut s, reason_data) {
        // AWS nests the reason data as a document, not as a string.
        let d = serde_json::from_str(d).unwrap_or_else(|_| json!(d));
        m.insert("stateReasonData".into(), d);
    }
    s
}

/// (HistorySummary, HistoryData) of a transition from `old` (state, reason, reason data) to
/// the alarm's current state.
pub fn state_update(old: (&str, &str, Option<&str>), now: &Alarm) -> (String, String) {
    let data = json!({
        "version": "1.0",
        "oldState": state(old.0, old.1, old.2),
        "newState": state(&now.state, &now.reason, now.reason_data.as_deref()),
    });
    (
        format!("Alarm updated from {} to {}", old.0, now.state),
        data.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_aws_writes_them() {
        assert_eq!(aws_time(1_667_404_530_959), "2022-11-02T15:55:30.959+0000");
    }
}
