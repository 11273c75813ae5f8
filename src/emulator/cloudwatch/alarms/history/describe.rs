//! DescribeAlarmHistory: one alarm's history or the partition's, filtered by type and dates,
//! newest first unless ScanBy says otherwise, paged by MaxRecords (default 100) with a
//! NextToken bound to the request.

use super::{History, Item, ItemKind};
use crate::emulator::cloudwatch::alarms::{max_records, text, text_list};
use crate::emulator::cloudwatch::cbor::{Obj, Value};
use crate::emulator::cloudwatch::wire::{
    CwError, fingerprint, read_token, time_ms, time_value, token,
};

const ALARM_TYPES: [&str; 2] = ["CompositeAlarm", "MetricAlarm"];

pub fn describe_history(h: &History, partition: &str, b: &Value) -> Result<Value, CwError> {
    let alarm = text(b, "AlarmName");
    if alarm
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.chars().count() > 255)
    {
        return Err(CwError::validation(
            "The parameter AlarmName must be 1 to 255 characters long.",
        ));
    }
    let types = text_list(b, "AlarmTypes");
    if let Some(t) = types.iter().find(|t| !ALARM_TYPES.contains(&t.as_str())) {
        return Err(CwError::validation(format!(
            "The value {t} for parameter AlarmTypes is invalid: use CompositeAlarm or MetricAlarm."
        )));
    }
    let kind = match text(b, "HistoryItemType") {
        None => None,
        Some(k) => Some(
            ItemKind::ALL
                .into_iter()
                .find(|x| x.as_str() == k)
                .ok_or_else(|| {
                    CwError::validation(format!(
                        "The value {k} for parameter HistoryItemType is invalid: use ConfigurationUpdate, StateUpdate or Action."
                    ))
                })?,
        ),
    };
    let descending = match text(b, "ScanBy").as_deref() {
        None | Some("TimestampDescending") => true,
        Some("TimestampAscending") => false,
        Some(other) => {
            return Err(CwError::validation(format!(
                "The value {other} for parameter ScanBy is invalid: use TimestampDescending or TimestampAscending."
            )));
        }
    };
    let max = max_records(b, 100)?;
    let start = b.get("StartDate").and_then(time_ms);
    let end = b.get("EndDate").and_then(time_ms);
    let fp = fingerprint(&[
        partition,
        alarm.as_deref().unwrap_or_default(),
        &types.join(","),
        kind.map(ItemKind::as_str).unwrap_or_default(),
        &format!("{start:?}/{end:?}/{descending}"),
    ]);
    let after: Option<(i64, u64)> = match text(b, "NextToken") {
        None => None,
        Some(t) => Some(
            read_token(&t, fp)
                .and_then(|pos| {
                    let (t, s) = pos.split_once('.')?;
                    Some((t.parse().ok()?, s.parse().ok()?))
                })
                .ok_or_else(|| CwError::next_token("The value of NextToken is invalid."))?,
        ),
    };
    // Only metric alarms exist here: asking for composite alarms alone finds nothing.
    let metric = types.is_empty() || types.iter().any(|t| t == "MetricAlarm");
    let mut found: Vec<&Item> = h
        .items
        .iter()
        .filter(|((p, name), _)| {
            metric && p == partition && alarm.as_ref().is_none_or(|a| a == name)
        })
        .flat_map(|(_, list)| list)
        .filter(|i| {
            kind.is_none_or(|k| k == i.kind)
                && start.is_none_or(|s| i.t_ms >= s)
                && end.is_none_or(|e| i.t_ms <= e)
        })
        .collect();
    found.sort_by_key(|i| (i.t_ms, i.seq));
    if descending {
        found.reverse();
    }
    let mut rest = found.into_iter().filter(|i| {
        after.is_none_or(|pos| {
            let key = (i.t_ms, i.seq);
            if descending { key < pos } else { key > pos }
        })
    });
    let page: Vec<&Item> = rest.by_ref().take(max).collect();
    let next = match (rest.next(), page.last()) {
        (Some(_), Some(last)) => Some(token(&format!("{}.{}", last.t_ms, last.seq), fp)),
        _ => None,
    };
    let items = page
        .into_iter()
        .map(|i| {
            Obj::default()
                .with("AlarmName", i.alarm.as_str())
                .with("AlarmType", "MetricAlarm")
                .with("Timestamp", time_value(i.t_ms))
                .with("HistoryItemType", i.kind.as_str())
                .with("HistorySummary", i.summary.as_str())
                .with("HistoryData", i.data.as_str())
                .into()
        })
        .collect();
    Ok(Obj::default()
        .with("AlarmHistoryItems", Value::Array(items))
        .opt("NextToken", next)
        .into())
}
