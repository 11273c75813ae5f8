//! GetMetricData: queries evaluated over the store, ordered by ScanBy, and paged by
//! MaxDatapoints across all results with a NextToken.

use super::cbor::{Obj, Value};
use super::eval::{self, Computed};
use super::query;
use super::store::MetricStore;
use super::wire::{CwError, fingerprint, read_token, time_ms, time_value, token};

const MAX_QUERIES: usize = 500;
const DEFAULT_MAX_DATAPOINTS: i64 = 100_800;

pub fn get_metric_data(store: &MetricStore, partition: &str, b: &Value) -> Result<Value, CwError> {
    let list = b
        .get("MetricDataQueries")
        .and_then(Value::as_list)
        .ok_or_else(|| CwError::validation("The parameter MetricDataQueries is required."))?;
    if list.len() > MAX_QUERIES {
        return Err(CwError::validation(format!(
            "The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
        )));
    }
    let queries =
        query::parse(list, "MetricDataQueries").map_err(|e| CwError::validation(e.join("\n")))?;
    let time = |k: &str| {
        b.get(k)
            .and_then(time_ms)
            .ok_or_else(|| CwError::validation(format!("The parameter {k} is required.")))
    };
    let (start_ms, end_ms) = (time("StartTime")?, time("EndTime")?);
    // Epoch to the year 9999, as AWS timestamps go; it also keeps the bucket arithmetic sane.
    let sane = 0..=253_402_300_799_000;
    if !sane.contains(&start_ms) || !sane.contains(&end_ms) {
        return Err(CwError::validation(
            "StartTime and EndTime must be between 1970 and 9999.",
        ));
    }
    if start_ms >= end_ms {
        return Err(CwError::validation(
            "The parameter StartTime must be less than the parameter EndTime.",
        ));
    }
    let descending = match b.get("ScanBy").and_then(Value::as_str) {
        None | Some("TimestampDescending") => true,
        Some("TimestampAscending") => false,
        Some(other) => {
            return Err(CwError::validation(format!(
                "The value {other} for parameter ScanBy is invalid: use TimestampDescending or TimestampAscending."
            )));
        }
    };
    let max = match b.get("MaxDatapoints") {
        None => DEFAULT_MAX_DATAPOINTS,
        Some(v) => v.as_i64().filter(|n| *n >= 1).ok_or_else(|| {
            CwError::validation("The parameter MaxDatapoints must be a positive integer.")
        })?,
    } as usize;
    let fp = fingerprint(&[
        partition,
        &format!("{queries:?}"),
        &start_ms.to_string(),
        &end_ms.to_string(),
        &descending.to_string(),
        &max.to_string(),
    ]);
    let offset: usize = match b.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(t) => read_token(t, fp)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| {
                CwError::next_token("The value of NextToken is invalid for this request.")
            })?,
    };
    let start_s = start_ms.div_euclid(1000);
    let end_s = end_ms.div_euclid(1000) + i64::from(end_ms.rem_euclid(1000) > 0);
    let mut results: Vec<Computed> = eval::evaluate(store, partition, &queries, start_s, end_s)?
        .into_iter()
        .filter(|c| c.return_data)
        .collect();
    if descending {
        results.iter_mut().for_each(|c| c.points.reverse());
    }
    let total: usize = results.iter().map(|c| c.points.len()).sum();
    let page_end = offset.saturating_add(max);
    let mut before = 0;
    let mut out = Vec::with_capacity(results.len());
    for c in &results {
        let n = c.points.len();
        // This result's share of the page [offset, page_end) of all datapoints in order.
        let from = offset.saturating_sub(before).min(n);
        let to = page_end.saturating_sub(before).min(n);
        before += n;
        let slice = &c.points[from..to.max(from)];
        let status = if to < n { "PartialData" } else { "Complete" };
        out.push(
            Obj::default()
                .with("Id", c.id.as_str())
                .with("Label", c.label.as_str())
                .with(
                    "Timestamps",
                    Value::Array(slice.iter().map(|(t, _)| time_value(t * 1000)).collect()),
                )
                .with(
                    "Values",
                    Value::Array(slice.iter().map(|(_, v)| Value::from(*v)).collect()),
                )
                .with("StatusCode", status)
                .with("Messages", Value::Array(Vec::new()))
                .into(),
        );
    }
    let next = (page_end < total).then(|| token(&page_end.to_string(), fp));
    Ok(Obj::default()
        .with("MetricDataResults", Value::Array(out))
        .opt("NextToken", next)
        .with("Messages", Value::Array(Vec::new()))
        .into())
}
