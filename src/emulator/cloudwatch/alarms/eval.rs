//! Alarm evaluation against the stored data: the last EvaluationPeriods periods (the current,
//! still open one included, so an alarm reacts as soon as data arrives), DatapointsToAlarm of
//! them breaching for ALARM, and TreatMissingData for the periods without data.

use std::collections::HashMap;

use serde_json::json;
use time::OffsetDateTime;

use super::Alarm;
use crate::emulator::cloudwatch::eval as query;
use crate::emulator::cloudwatch::query::Kind;
use crate::emulator::cloudwatch::store::MetricStore;

/// Re-evaluate; the state, its reason and StateUpdatedTimestamp change only on a transition.
/// True when the state changed.
pub fn update(alarm: &mut Alarm, store: &MetricStore, now_ms: i64) -> bool {
    let Some((state, reason, data)) = decide(alarm, store, now_ms) else {
        return false;
    };
    if state == alarm.state {
        return false;
    }
    alarm.state = state.to_string();
    alarm.reason = reason;
    alarm.reason_data = data;
    alarm.state_updated_ms = now_ms;
    true
}

/// The state the data calls for, with StateReason and StateReasonData; None keeps the
/// current state (TreatMissingData `ignore` with no data).
fn decide(
    alarm: &Alarm,
    store: &MetricStore,
    now_ms: i64,
) -> Option<(&'static str, String, Option<String>)> {
    let watched = alarm.queries.iter().find(|q| q.return_data)?;
    let stat_periods = alarm.queries.iter().filter_map(|q| match &q.kind {
        Kind::Stat(ms) => Some(ms.period),
        Kind::Expr(_) => None,
    });
    let period = match &watched.kind {
        Kind::Stat(ms) => ms.period,
        Kind::Expr(_) => watched.period.or(stat_periods.max()).unwrap_or(60),
    };
    let now_s = now_ms.div_euclid(1000);
    let current = now_s - now_s.rem_euclid(period);
    let n = alarm.evaluation_periods;
    let start = current - (n - 1) * period;
    let points: HashMap<i64, f64> = match query::evaluate(
        store,
        &alarm.partition,
        &alarm.queries,
        start,
        current + period,
    ) {
        Ok(results) => results
            .into_iter()
            .filter(|c| c.id == watched.id)
            .flat_map(|c| c.points)
            .collect(),
        Err(e) => {
            return Some((
                "INSUFFICIENT_DATA",
                format!("Unable to evaluate the alarm: {}", e.message),
                None,
            ));
        }
    };
    let window: Vec<(i64, Option<f64>)> = (0..n)
        .map(|k| start + k * period)
        .map(|t| (t, points.get(&t).copied()))
        .collect();
    let present: Vec<(i64, f64)> = window
        .iter()
        .filter_map(|(t, v)| v.map(|v| (*t, v)))
        .collect();
    let missing = window.len() - present.len();
    let m = alarm.datapoints_to_alarm.unwrap_or(n) as usize;
    let treat = alarm.treat_missing.as_deref().unwrap_or("missing");
    let data = reason_data(alarm, period, start, now_ms, &present);
    if present.is_empty() {
        let s = plural(missing);
        let why = format!(
            "no datapoints were received for {missing} period{s} and {missing} missing datapoint{s} {} treated as {treat}",
            were(missing)
        );
        return match treat {
            "ignore" => None,
            "breaching" if missing >= m => {
                Some(("ALARM", format!("Threshold Crossed: {why}."), data))
            }
            "breaching" | "notBreaching" => {
                Some(("OK", format!("Threshold Crossed: {why}."), data))
            }
            _ => Some((
                "INSUFFICIENT_DATA",
                format!(
                    "Insufficient Data: {missing} datapoint{s} {} unknown.",
                    were(missing)
                ),
                data,
            )),
        };
    }
    let breaching: Vec<(i64, f64)> = present
        .iter()
        .copied()
        .filter(|(_, v)| breaches(&alarm.comparison, *v, alarm.threshold))
        .collect();
    let counted = breaching.len() + if treat == "breaching" { missing } else { 0 };
    let words = operator_words(&alarm.comparison);
    if counted >= m {
        let s = plural(n as usize);
        Some((
            "ALARM",
            format!(
                "Threshold Crossed: {counted} out of the last {n} datapoint{s} [{}] {} {words} the threshold ({:?}) (minimum {m} datapoint{} for OK -> ALARM transition).",
                listing(&breaching),
                were(counted),
                alarm.threshold,
                plural(m),
            ),
            data,
        ))
    } else {
        Some((
            "OK",
            format!(
                "Threshold Crossed: {} datapoint{} [{}] {} not {words} the threshold ({:?}) (minimum 1 datapoint for ALARM -> OK transition).",
                present.len(),
                plural(present.len()),
                listing(&present),
                were(present.len()),
                alarm.threshold,
            ),
            data,
        ))
    }
}

fn breaches(op: &str, v: f64, threshold: f64) -> bool {
    match op {
        "GreaterThanOrEqualToThreshold" => v >= threshold,
        "GreaterThanThreshold" => v > threshold,
        "LessThanThreshold" => v < threshold,
        "LessThanOrEqualToThreshold" => v <= threshold,
        _ => false,
    }
}

fn operator_words(op: &str) -> &'static str {
    match op {
        "GreaterThanOrEqualToThreshold" => "greater than or equal to",
        "GreaterThanThreshold" => "greater than",
        "LessThanThreshold" => "less than",
        _ => "less than or equal to",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn were(n: usize) -> &'static str {
    if n == 1 { "was" } else { "were" }
}

/// `5.0 (25/11/25 08:00:00), …` newest first, as AWS lists them.
fn listing(points: &[(i64, f64)]) -> String {
    points
        .iter()
        .rev()
        .map(|(t, v)| {
            let at = OffsetDateTime::from_unix_timestamp(*t).map_or_else(
                |_| t.to_string(),
                |d| {
                    format!(
                        "{:02}/{:02}/{:02} {:02}:{:02}:{:02}",
                        d.day(),
                        u8::from(d.month()),
                        d.year() % 100,
                        d.hour(),
                        d.minute(),
                        d.second()
                    )
                },
            );
            format!("{v:?} ({at})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn iso(ms: i64) -> String {
    crate::domain::timestamp::rfc3339_from_ms(ms).unwrap_or_default()
}

fn reason_data(
    alarm: &Alarm,
    period: i64,
    start: i64,
    now_ms: i64,
    present: &[(i64, f64)],
) -> Option<String> {
    let statistic = alarm
        .queries
        .first()
        .and_then(|q| match (&q.kind, alarm.single) {
            (Kind::Stat(ms), true) => Some(ms.stat.clone()),
            _ => None,
        });
    let data = json!({
        "version": "1.0",
        "queryDate": iso(now_ms),
        "startDate": iso(start * 1000),
        "statistic": statistic,
        "period": period,
        "recentDatapoints": present.iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "threshold": alarm.threshold,
        "evaluatedDatapoints": present
            .iter()
            .rev()
            .map(|(t, v)| json!({ "timestamp": iso(t * 1000), "value": v }))
            .collect::<Vec<_>>(),
    });
    serde_json::to_string(&data).ok()
}
