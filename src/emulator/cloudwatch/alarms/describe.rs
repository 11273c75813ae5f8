//! DescribeAlarms (evaluating first, so states are current) and DeleteAlarms.

use super::history::{self, ItemKind};
use super::{Alarm, AlarmBook, BASIC_STATS, STATES, max_records, text, text_list};
use crate::emulator::cloudwatch::cbor::{Obj, Value, texts};
use crate::emulator::cloudwatch::query::{self, Kind};
use crate::emulator::cloudwatch::store::MetricStore;
use crate::emulator::cloudwatch::wire::{
    CwError, dims_value, fingerprint, read_token, time_value, token,
};

pub fn describe(
    book: &mut AlarmBook,
    store: &MetricStore,
    partition: &str,
    b: &Value,
    now_ms: i64,
) -> Result<Value, CwError> {
    let names = text_list(b, "AlarmNames");
    let prefix = text(b, "AlarmNamePrefix");
    if !names.is_empty() && prefix.is_some() {
        return Err(CwError::validation(
            "AlarmNames and AlarmNamePrefix are mutually exclusive.",
        ));
    }
    if names.len() > 100 {
        return Err(CwError::validation(
            "The collection AlarmNames must not have a size greater than 100.",
        ));
    }
    let state = text(b, "StateValue");
    if let Some(s) = state.as_deref().filter(|s| !STATES.contains(s)) {
        return Err(CwError::validation(format!(
            "The value {s} for parameter StateValue is invalid."
        )));
    }
    let max = max_records(b, 50)?;
    let types = text_list(b, "AlarmTypes");
    let action_prefix = text(b, "ActionPrefix");
    let fp = fingerprint(&[
        partition,
        &names.join(","),
        prefix.as_deref().unwrap_or_default(),
        state.as_deref().unwrap_or_default(),
        &types.join(","),
        action_prefix.as_deref().unwrap_or_default(),
    ]);
    let after = match text(b, "NextToken") {
        None => None,
        Some(t) => Some(
            read_token(&t, fp)
                .ok_or_else(|| CwError::next_token("The value of NextToken is invalid."))?,
        ),
    };
    if book.evaluate(store, Some(partition), now_ms) {
        book.save()?;
    }
    let metric_alarms = types.is_empty() || types.iter().any(|t| t == "MetricAlarm");
    let mut page = Vec::new();
    let mut next = None;
    let matching = book.alarms.values().filter(|a| {
        a.partition == partition
            && metric_alarms
            && (names.is_empty() || names.contains(&a.name))
            && prefix
                .as_ref()
                .is_none_or(|p| a.name.starts_with(p.as_str()))
            && state.as_ref().is_none_or(|s| &a.state == s)
            && action_prefix.as_ref().is_none_or(|p| {
                a.ok_actions
                    .iter()
                    .chain(&a.alarm_actions)
                    .chain(&a.insufficient_data_actions)
                    .any(|x| x.starts_with(p.as_str()))
            })
            && after.as_ref().is_none_or(|t| a.name > *t)
    });
    for a in matching {
        if page.len() == max {
            next = page.last().map(|(n, _): &(String, Value)| token(n, fp));
            break;
        }
        page.push((a.name.clone(), encode(a)));
    }
    Ok(Obj::default()
        .with(
            "MetricAlarms",
            Value::Array(page.into_iter().map(|(_, v)| v).collect()),
        )
        .opt("NextToken", next)
        .into())
}

/// DeleteAlarms; names that do not exist are ignored, as CloudWatch does. The history of a
/// deleted alarm stays.
pub fn delete(
    book: &mut AlarmBook,
    partition: &str,
    b: &Value,
    now_ms: i64,
) -> Result<(), CwError> {
    let names = text_list(b, "AlarmNames");
    if names.is_empty() || names.len() > 100 {
        return Err(CwError::validation(
            "The parameter AlarmNames must list 1 to 100 alarms.",
        ));
    }
    for n in names {
        if let Some(gone) = book.alarms.remove(&(partition.to_string(), n)) {
            let (summary, data) = history::alarm_deleted(&gone);
            book.history.record(
                partition,
                &gone.name,
                now_ms,
                ItemKind::ConfigurationUpdate,
                summary,
                data,
            );
        }
    }
    book.save()
}

/// The MetricAlarm shape.
fn encode(a: &Alarm) -> Value {
    let mut o = Obj::default()
        .with("AlarmName", a.name.as_str())
        .with("AlarmArn", a.arn())
        .opt("AlarmDescription", a.description.clone())
        .with(
            "AlarmConfigurationUpdatedTimestamp",
            time_value(a.config_updated_ms),
        )
        .with("ActionsEnabled", a.actions_enabled)
        .with("OKActions", texts(&a.ok_actions))
        .with("AlarmActions", texts(&a.alarm_actions))
        .with(
            "InsufficientDataActions",
            texts(&a.insufficient_data_actions),
        )
        .with("StateValue", a.state.as_str())
        .with("StateReason", a.reason.as_str())
        .opt("StateReasonData", a.reason_data.clone())
        .with("StateUpdatedTimestamp", time_value(a.state_updated_ms))
        .with("StateTransitionedTimestamp", time_value(a.state_updated_ms))
        .with("EvaluationPeriods", a.evaluation_periods)
        .opt("DatapointsToAlarm", a.datapoints_to_alarm)
        .with("Threshold", a.threshold)
        .with("ComparisonOperator", a.comparison.as_str())
        .opt("TreatMissingData", a.treat_missing.clone());
    match (a.single, a.queries.first().map(|q| &q.kind)) {
        (true, Some(Kind::Stat(ms))) => {
            let basic = BASIC_STATS.contains(&ms.stat.as_str());
            o = o
                .with("MetricName", ms.name.as_str())
                .with("Namespace", ms.namespace.as_str())
                .with("Dimensions", dims_value(&ms.dims))
                .with("Period", ms.period)
                .opt("Statistic", basic.then(|| ms.stat.clone()))
                .opt("ExtendedStatistic", (!basic).then(|| ms.stat.clone()))
                .opt("Unit", ms.unit.clone());
        }
        _ => {
            o = o.with(
                "Metrics",
                Value::Array(a.queries.iter().map(query::to_value).collect()),
            )
        }
    }
    o.into()
}
