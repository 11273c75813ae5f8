//! PutMetricAlarm: a static threshold on one metric (Statistic or ExtendedStatistic), or on
//! the one series of `Metrics` that returns data.

use super::history::{self, ItemKind};
use super::{
    Alarm, AlarmBook, BASIC_STATS, MAX_ALARMS, OPERATORS, TREAT_MISSING, text, text_list,
    update_recorded, v,
};
use crate::domain::metrics::math::Expr;
use crate::domain::metrics::stat::Statistic;
use crate::emulator::cloudwatch::cbor::Value;
use crate::emulator::cloudwatch::query::{self, Kind, Query};
use crate::emulator::cloudwatch::store::{MetricStore, unit};
use crate::emulator::cloudwatch::wire::{CwError, read_dims};

pub fn put(
    book: &mut AlarmBook,
    store: &MetricStore,
    partition: &str,
    b: &Value,
    now_ms: i64,
) -> Result<(), CwError> {
    let name = text(b, "AlarmName").ok_or_else(|| v("The parameter AlarmName is required."))?;
    if name.is_empty() || name.chars().count() > 255 {
        return Err(v(
            "The parameter AlarmName must be 1 to 255 characters long.",
        ));
    }
    let evaluation_periods = b
        .get("EvaluationPeriods")
        .and_then(Value::as_i64)
        .filter(|n| *n >= 1)
        .ok_or_else(|| v("The parameter EvaluationPeriods is required and must be at least 1."))?;
    let datapoints_to_alarm = b.get("DatapointsToAlarm").and_then(Value::as_i64);
    if datapoints_to_alarm.is_some_and(|m| m < 1 || m > evaluation_periods) {
        return Err(v(
            "DatapointsToAlarm must be between 1 and EvaluationPeriods.",
        ));
    }
    let comparison = text(b, "ComparisonOperator")
        .ok_or_else(|| v("The parameter ComparisonOperator is required."))?;
    if !OPERATORS.contains(&comparison.as_str()) {
        return Err(v(format!(
            "The value {comparison} for parameter ComparisonOperator is not supported by the local AgentCore: use one of {}.",
            OPERATORS.join(", ")
        )));
    }
    let threshold = b
        .get("Threshold")
        .and_then(Value::as_f64)
        .ok_or_else(|| v("The parameter Threshold is required for a static threshold alarm."))?;
    let treat_missing = text(b, "TreatMissingData");
    if let Some(t) = treat_missing
        .as_deref()
        .filter(|t| !TREAT_MISSING.contains(t))
    {
        return Err(v(format!(
            "The value {t} for parameter TreatMissingData is invalid."
        )));
    }
    let (queries, single) = match b.get("Metrics").and_then(Value::as_list) {
        Some(list) => {
            if [
                "MetricName",
                "Namespace",
                "Statistic",
                "ExtendedStatistic",
                "Dimensions",
                "Period",
                "Unit",
            ]
            .iter()
            .any(|k| b.get(k).is_some())
            {
                return Err(CwError::validation(
                    "Metrics cannot be combined with MetricName, Namespace, Dimensions, Statistic, ExtendedStatistic, Period or Unit.",
                ));
            }
            (math_queries(list)?, false)
        }
        None => (vec![single_query(b)?], true),
    };
    // AWS bounds the evaluation range (EvaluationPeriods x Period) to seven days.
    let longest = queries
        .iter()
        .filter_map(|q| match &q.kind {
            Kind::Stat(ms) => Some(ms.period),
            Kind::Expr(_) => q.period,
        })
        .max()
        .unwrap_or(60);
    if evaluation_periods.saturating_mul(longest) > 7 * 86_400 {
        return Err(v(
            "The evaluation range (EvaluationPeriods x Period) must not exceed 7 days.",
        ));
    }
    if !threshold.is_finite() {
        return Err(v("The parameter Threshold must be a finite number."));
    }
    let key = (partition.to_string(), name.clone());
    if !book.alarms.contains_key(&key)
        && book.alarms.keys().filter(|(p, _)| p == partition).count() >= MAX_ALARMS
    {
        return Err(CwError::limit(format!(
            "The maximum of {MAX_ALARMS} alarms has been reached."
        )));
    }
    let previous = book.alarms.get(&key);
    let mut alarm = Alarm {
        partition: partition.to_string(),
        name,
        description: text(b, "AlarmDescription"),
        actions_enabled: b
            .get("ActionsEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        ok_actions: text_list(b, "OKActions"),
        alarm_actions: text_list(b, "AlarmActions"),
        insufficient_data_actions: text_list(b, "InsufficientDataActions"),
        queries,
        single,
        evaluation_periods,
        datapoints_to_alarm,
        threshold,
        comparison,
        treat_missing,
        config_updated_ms: now_ms,
        // An update keeps the state; a new alarm starts unchecked.
        state: previous.map_or_else(|| "INSUFFICIENT_DATA".into(), |p| p.state.clone()),
        reason: previous.map_or_else(
            || "Unchecked: Initial alarm creation".into(),
            |p| p.reason.clone(),
        ),
        reason_data: previous.and_then(|p| p.reason_data.clone()),
        state_updated_ms: previous.map_or(now_ms, |p| p.state_updated_ms),
    };
    let (summary, data) = match previous {
        Some(before) => history::alarm_updated(before, &alarm),
        None => history::alarm_created(&alarm),
    };
    book.history.record(
        partition,
        &alarm.name,
        now_ms,
        ItemKind::ConfigurationUpdate,
        summary,
        data,
    );
    update_recorded(&mut book.history, &mut alarm, store, now_ms);
    book.alarms.insert(key, alarm);
    book.save()
}

fn single_query(b: &Value) -> Result<Query, CwError> {
    let name = text(b, "MetricName")
        .ok_or_else(|| v("The parameter MetricName is required (or use Metrics)."))?;
    let namespace = text(b, "Namespace")
        .ok_or_else(|| v("The parameter Namespace is required (or use Metrics)."))?;
    let dims = read_dims(b.get("Dimensions"), "Dimensions")?;
    let period = b
        .get("Period")
        .and_then(Value::as_i64)
        .filter(|p| matches!(p, 10 | 30) || (*p >= 60 && p % 60 == 0))
        .ok_or_else(|| {
            v("The parameter Period is required and must be 10, 30 or a multiple of 60.")
        })?;
    let stat = match (text(b, "Statistic"), text(b, "ExtendedStatistic")) {
        (Some(s), None) if BASIC_STATS.contains(&s.as_str()) => s,
        (None, Some(e)) if matches!(e.parse::<Statistic>(), Ok(Statistic::Percentile(_))) => e,
        (Some(_), Some(_)) => {
            return Err(v("Statistic and ExtendedStatistic are mutually exclusive."));
        }
        (Some(s), None) | (None, Some(s)) => {
            return Err(v(format!("The value {s} is not a valid statistic.")));
        }
        (None, None) => return Err(v("One of Statistic or ExtendedStatistic is required.")),
    };
    let unit_name = text(b, "Unit");
    if let Some(u) = unit_name.as_deref().filter(|u| unit(u).is_none()) {
        return Err(v(format!("The value {u} for parameter Unit is invalid.")));
    }
    Ok(Query {
        id: "m1".into(),
        label: None,
        return_data: true,
        period: None,
        kind: Kind::Stat(query::MetricStat {
            namespace,
            name,
            dims,
            period,
            stat,
            unit: unit_name,
        }),
    })
}

fn math_queries(list: &[Value]) -> Result<Vec<Query>, CwError> {
    if list.is_empty() || list.len() > 20 {
        return Err(CwError::validation("Metrics must contain 1 to 20 queries."));
    }
    let queries = query::parse(list, "Metrics").map_err(|e| CwError::validation(e.join("\n")))?;
    let returned: Vec<&Query> = queries.iter().filter(|q| q.return_data).collect();
    let [watched] = returned.as_slice() else {
        return Err(CwError::validation(
            "Exactly one element of the metrics list should return data.",
        ));
    };
    if let Kind::Expr(src) = &watched.kind
        && let Ok(e) = Expr::parse(src)
        && e.uses_metrics()
    {
        return Err(CwError::validation(
            "The expression of an alarm must return a single time series.",
        ));
    }
    Ok(queries)
}
