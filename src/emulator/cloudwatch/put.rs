//! PutMetricData with CloudWatch's checks, and ListMetrics over what was stored.

use super::cbor::{Obj, Value};
use super::store::{MetricKey, MetricStore, Point, RETENTION_MS, unit};
use super::wire::{CwError, dims_value, fingerprint, read_dims, read_token, time_ms, token};
use crate::domain::metrics::stat::Sample;

const MAX_DATA: usize = 1000;
const MAX_DIMENSIONS: usize = 30;
const MAX_VALUES: usize = 150;
const LIST_PAGE: usize = 500;
/// CloudWatch accepts data up to two weeks old and two hours ahead.
const PAST_MS: i64 = 14 * 24 * 3600 * 1000;
const FUTURE_MS: i64 = 2 * 3600 * 1000;
/// Values beyond ±2^360 are refused.
const MAGNITUDE: f64 = 2.348_542_582_773_833_2e108;

/// Validate a PutMetricData request into the points to store.
pub fn parse_put(
    b: &Value,
    partition: &str,
    now_ms: i64,
) -> Result<Vec<(MetricKey, Point)>, CwError> {
    let ns = b
        .get("Namespace")
        .and_then(Value::as_str)
        .ok_or_else(|| CwError::missing("The parameter Namespace is required."))?;
    if ns.is_empty() || ns.chars().count() > 255 || ns.starts_with(':') {
        return Err(CwError::invalid_value(format!(
            "The value {ns} for parameter Namespace is invalid."
        )));
    }
    // AWS/ is reserved for AWS's own services, which publish internally.
    if ns.starts_with("AWS/") {
        return Err(CwError::invalid_value(format!(
            "The value {ns} for parameter Namespace is invalid: the AWS/ prefix is reserved for AWS services."
        )));
    }
    let data = b
        .get("MetricData")
        .and_then(Value::as_list)
        .ok_or_else(|| CwError::missing("The parameter MetricData is required."))?;
    if data.is_empty() {
        return Err(CwError::missing("The parameter MetricData is required."));
    }
    if data.len() > MAX_DATA {
        return Err(CwError::invalid_value(format!(
            "The collection MetricData must not have a size greater than {MAX_DATA}."
        )));
    }
    let mut out = Vec::new();
    for (i, d) in data.iter().enumerate() {
        datum(
            d,
            &format!("MetricData.member.{}", i + 1),
            ns,
            partition,
            now_ms,
            &mut out,
        )?;
    }
    Ok(out)
}

fn datum(
    d: &Value,
    path: &str,
    ns: &str,
    partition: &str,
    now_ms: i64,
    out: &mut Vec<(MetricKey, Point)>,
) -> Result<(), CwError> {
    let name = d
        .get("MetricName")
        .and_then(Value::as_str)
        .ok_or_else(|| CwError::missing(format!("The parameter {path}.MetricName is required.")))?;
    if name.is_empty() || name.chars().count() > 255 {
        return Err(CwError::invalid_value(format!(
            "The parameter {path}.MetricName must be 1 to 255 characters long."
        )));
    }
    let dims = read_dims(d.get("Dimensions"), &format!("{path}.Dimensions"))?;
    if dims.len() > MAX_DIMENSIONS {
        return Err(CwError::invalid_value(format!(
            "The collection {path}.Dimensions must not have a size greater than {MAX_DIMENSIONS}."
        )));
    }
    let unit_name = d.get("Unit").and_then(Value::as_str).unwrap_or("None");
    let unit = unit(unit_name).ok_or_else(|| {
        CwError::invalid_value(format!(
            "The value {unit_name} for parameter {path}.Unit is invalid."
        ))
    })?;
    let resolution = match d.get("StorageResolution").map(Value::as_i64) {
        None => 60,
        Some(Some(r @ (1 | 60))) => r,
        Some(_) => {
            return Err(CwError::invalid_value(format!(
                "The parameter {path}.StorageResolution must be 1 or 60."
            )));
        }
    };
    let t = match d.get("Timestamp") {
        None => now_ms,
        Some(v) => time_ms(v).ok_or_else(|| {
            CwError::invalid_value(format!(
                "The parameter {path}.Timestamp is not a timestamp."
            ))
        })?,
    };
    if t < now_ms - PAST_MS {
        return Err(CwError::invalid_value(format!(
            "The parameter {path}.Timestamp must specify a time no more than two weeks in the past."
        )));
    }
    if t > now_ms + FUTURE_MS {
        return Err(CwError::invalid_value(format!(
            "The parameter {path}.Timestamp must specify a time no more than two hours in the future."
        )));
    }
    // Standard resolution is kept per minute and high resolution per second, as AWS keeps it.
    let step = resolution * 1000;
    let t = t - t.rem_euclid(step);
    let key = MetricKey::new(partition, ns, name, dims);
    let mut push = |sample| out.push((key.clone(), Point { t, sample, unit }));
    let given = ["Value", "Values", "StatisticValues"].map(|k| d.get(k).is_some());
    match given {
        [true, false, false] => {
            let value = number(d.get("Value"), &format!("{path}.Value"))?;
            push(Sample::Value { value, count: 1.0 });
        }
        [false, true, false] => {
            for (value, count) in values_counts(d, path)? {
                push(Sample::Value { value, count });
            }
        }
        [false, false, true] => {
            let s = d.get("StatisticValues");
            let field = |k: &str| {
                let p = format!("{path}.StatisticValues.{k}");
                match s.and_then(|s| s.get(k)) {
                    None => Err(CwError::missing(format!("The parameter {p} is required."))),
                    v => number(v, &p),
                }
            };
            let (sum, min, max, count) = (
                field("Sum")?,
                field("Minimum")?,
                field("Maximum")?,
                field("SampleCount")?,
            );
            if min > max || count <= 0.0 {
                return Err(CwError::invalid_value(format!(
                    "The parameter {path}.StatisticValues must have Minimum <= Maximum and SampleCount > 0."
                )));
            }
            push(Sample::Set {
                sum,
                min,
                max,
                count,
            });
        }
        [false, false, false] => {
            return Err(CwError::missing(format!(
                "One of the parameters {path}.Value, {path}.Values or {path}.StatisticValues is required."
            )));
        }
        _ => {
            return Err(CwError::combination(format!(
                "The parameters {path}.Value, {path}.Values and {path}.StatisticValues are mutually exclusive and you have specified more than one."
            )));
        }
    }
    Ok(())
}

fn number(v: Option<&Value>, path: &str) -> Result<f64, CwError> {
    let n = v
        .and_then(Value::as_f64)
        .ok_or_else(|| CwError::invalid_value(format!("The parameter {path} must be a number.")))?;
    if !n.is_finite() || n.abs() > MAGNITUDE {
        return Err(CwError::invalid_value(format!(
            "The value {n} for parameter {path} is invalid."
        )));
    }
    Ok(n)
}

fn values_counts(d: &Value, path: &str) -> Result<Vec<(f64, f64)>, CwError> {
    let values = d.get("Values").and_then(Value::as_list).unwrap_or_default();
    if values.len() > MAX_VALUES {
        return Err(CwError::invalid_value(format!(
            "The collection {path}.Values must not have a size greater than {MAX_VALUES}."
        )));
    }
    let counts = d.get("Counts").and_then(Value::as_list);
    if counts.is_some_and(|c| c.len() != values.len()) {
        return Err(CwError::invalid_value(format!(
            "The parameters {path}.Values and {path}.Counts must be of the same size."
        )));
    }
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let value = number(Some(v), &format!("{path}.Values.member.{}", i + 1))?;
        let count = match counts {
            None => 1.0,
            Some(c) => number(c.get(i), &format!("{path}.Counts.member.{}", i + 1))?,
        };
        if count < 0.0 {
            return Err(CwError::invalid_value(format!(
                "The parameter {path}.Counts.member.{} must not be negative.",
                i + 1
            )));
        }
        out.push((value, count));
    }
    Ok(out)
}

/// ListMetrics: filters by namespace, name and dimensions (a filter without a value matches
/// any value), 500 per page, metrics without data in two weeks left out, as AWS does.
pub fn list(
    store: &MetricStore,
    partition: &str,
    b: &Value,
    now_ms: i64,
) -> Result<Value, CwError> {
    let ns = b.get("Namespace").and_then(Value::as_str);
    let name = b.get("MetricName").and_then(Value::as_str);
    let filters = dim_filters(b.get("Dimensions"))?;
    let active_since = match b.get("RecentlyActive").map(Value::as_str) {
        None => now_ms - (RETENTION_MS - 24 * 3600 * 1000),
        Some(Some("PT3H")) => now_ms - 3 * 3600 * 1000,
        Some(_) => {
            return Err(CwError::invalid_value(
                "The value for parameter RecentlyActive is invalid: the only value is PT3H.",
            ));
        }
    };
    let fp = fingerprint(&[
        partition,
        ns.unwrap_or_default(),
        name.unwrap_or_default(),
        &format!("{filters:?}"),
    ]);
    let after: Option<MetricKey> = match b.get("NextToken").and_then(Value::as_str) {
        None => None,
        Some(t) => Some(
            read_token(t, fp)
                .and_then(|pos| serde_json::from_str(&pos).ok())
                .ok_or_else(|| CwError::invalid_value("The value of NextToken is invalid."))?,
        ),
    };
    let mut page = Vec::new();
    let mut next = None;
    let matching = store.metrics.iter().filter(|(k, s)| {
        k.partition == partition
            && ns.is_none_or(|n| k.namespace == n)
            && name.is_none_or(|n| k.name == n)
            && filters.iter().all(|(fname, fvalue)| {
                k.dims
                    .iter()
                    .any(|(dn, dv)| dn == fname && fvalue.as_ref().is_none_or(|v| v == dv))
            })
            && s.points.back().is_some_and(|p| p.t >= active_since)
            && after.as_ref().is_none_or(|a| *k > a)
    });
    for (k, _) in matching {
        if page.len() == LIST_PAGE {
            next = page
                .last()
                .and_then(|last: &(&MetricKey, Value)| serde_json::to_string(last.0).ok())
                .map(|pos| token(&pos, fp));
            break;
        }
        let v: Value = Obj::default()
            .with("Namespace", k.namespace.as_str())
            .with("MetricName", k.name.as_str())
            .with("Dimensions", dims_value(&k.dims))
            .into();
        page.push((k, v));
    }
    Ok(Obj::default()
        .with(
            "Metrics",
            Value::Array(page.into_iter().map(|(_, v)| v).collect()),
        )
        .opt("NextToken", next)
        .into())
}

fn dim_filters(v: Option<&Value>) -> Result<Vec<(String, Option<String>)>, CwError> {
    let items = v.and_then(Value::as_list).unwrap_or_default();
    if items.len() > 10 {
        return Err(CwError::invalid_value(
            "The collection Dimensions must not have a size greater than 10.",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = f.get("Name").and_then(Value::as_str).ok_or_else(|| {
                CwError::invalid_value(format!(
                    "The parameter Dimensions.member.{}.Name is required.",
                    i + 1
                ))
            })?;
            Ok((
                name.to_string(),
                f.get("Value").and_then(Value::as_str).map(str::to_string),
            ))
        })
        .collect()
}
