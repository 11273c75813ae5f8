//! Metric filters (PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter,
//! TestMetricFilter) with AWS's shapes and limits. Filters live on their log group in the
//! [`LogStore`] (journaled with it); `apply` turns each appended event into metric data.

pub mod apply;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::store::{LogStore, now_ms};
use super::{err, filter_pattern, group_name, limit, page, str_field, with_next};
use crate::domain::filter_pattern::FilterPattern;
use crate::emulator::http::AwsError;

/// Filters one log group may have (AWS's quota, which cannot be raised).
pub const MAX_FILTERS_PER_GROUP: usize = 100;
/// Dimensions one transformation may publish.
pub const MAX_DIMENSIONS: usize = 3;

/// One metric filter, as stored and journaled.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetricFilter {
    pub name: String,
    pub pattern: String,
    pub creation_time: i64,
    pub transformation: Transformation,
    #[serde(default)]
    pub apply_on_transformed_logs: bool,
    #[serde(skip)]
    compiled: Option<FilterPattern>,
    /// The minute a default value (or a match) was last published for, so a default is
    /// published at most once a minute.
    #[serde(skip)]
    defaulted_minute: Option<i64>,
}

/// AWS allows exactly one transformation per filter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transformation {
    pub metric_name: String,
    pub metric_namespace: String,
    pub metric_value: String,
    pub default_value: Option<f64>,
    pub dimensions: BTreeMap<String, String>,
    pub unit: Option<String>,
}

impl MetricFilter {
    fn to_json(&self, group: &str) -> Value {
        let t = &self.transformation;
        let mut tj = json!({
            "metricName": t.metric_name,
            "metricNamespace": t.metric_namespace,
            "metricValue": t.metric_value,
        });
        if let Some(d) = t.default_value {
            tj["defaultValue"] = json!(d);
        }
        if !t.dimensions.is_empty() {
            tj["dimensions"] = json!(t.dimensions);
        }
        if let Some(u) = &t.unit {
            tj["unit"] = json!(u);
        }
        json!({
            "filterName": self.name,
            "filterPattern": self.pattern,
            "metricTransformations": [tj],
            "creationTime": self.creation_time,
            "logGroupName": group,
            "applyOnTransformedLogs": self.apply_on_transformed_logs,
        })
    }
}

fn invalid(msg: impl Into<String>) -> AwsError {
    err("InvalidParameterException", msg)
}

/// A member's length and forbidden characters, as the Logs model constrains them.
fn checked<'a>(
    b: &'a Map<String, Value>,
    key: &str,
    max: usize,
    forbidden: &[char],
) -> Result<&'a str, AwsError> {
    let v = str_field(b, key)?;
    let n = v.chars().count();
    if n == 0 || n > max {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{key}' failed to satisfy constraint: \
             Member must have length between 1 and {max}"
        )));
    }
    if let Some(c) = v.chars().find(|c| forbidden.contains(c)) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{v}' at '{key}' failed to satisfy \
             constraint: Member must not contain '{c}'"
        )));
    }
    Ok(v)
}

fn transformation(
    b: &Map<String, Value>,
    pattern: &FilterPattern,
) -> Result<Transformation, AwsError> {
    let list = b
        .get("metricTransformations")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("metricTransformations is required"))?;
    let [t] = list.as_slice() else {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'metricTransformations' failed to satisfy \
             constraint: Member must have length less than or equal to 1 (it has {})",
            list.len()
        )));
    };
    let t = t
        .as_object()
        .ok_or_else(|| invalid("each metric transformation must be an object"))?;
    let metric_name = checked(t, "metricName", 255, &[':', '*', '$'])?.to_string();
    let metric_namespace = checked(t, "metricNamespace", 255, &[':', '*', '$'])?.to_string();
    let metric_value = checked(t, "metricValue", 100, &[])?.to_string();
    if !metric_value.starts_with('$') && metric_value.trim().parse::<f64>().is_err() {
        return Err(invalid(format!(
            "Invalid metric value '{metric_value}': give a number or a field such as '$.latency'"
        )));
    }
    let mut dimensions = BTreeMap::new();
    if let Some(d) = t.get("dimensions").and_then(Value::as_object) {
        if d.len() > MAX_DIMENSIONS {
            return Err(invalid(format!(
                "A metric filter can have at most {MAX_DIMENSIONS} dimensions; it has {}",
                d.len()
            )));
        }
        if !d.is_empty() && matches!(pattern, FilterPattern::All | FilterPattern::Terms { .. }) {
            return Err(invalid(
                "Dimensions are only supported with JSON or space-delimited filter patterns",
            ));
        }
        for (k, v) in d {
            let sel = v.as_str().filter(|s| s.starts_with('$')).ok_or_else(|| {
                invalid(format!(
                    "Invalid dimension value for '{k}': give a field such as '$.service'"
                ))
            })?;
            dimensions.insert(k.clone(), sel.to_string());
        }
    }
    let unit = match t.get("unit").and_then(Value::as_str) {
        None => None,
        Some(u) => Some(
            crate::emulator::cloudwatch::unit(u)
                .ok_or_else(|| invalid(format!("Invalid unit '{u}'")))?
                .to_string(),
        ),
    };
    Ok(Transformation {
        metric_name,
        metric_namespace,
        metric_value,
        default_value: t.get("defaultValue").and_then(Value::as_f64),
        dimensions,
        unit,
    })
}

fn missing_group() -> AwsError {
    err(
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
}

/// PutMetricFilter: create or replace a filter on an existing group.
pub fn put(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let group = group_name(b)?;
    let name = checked(b, "filterName", 512, &[':', '*'])?.to_string();
    let text = str_field(b, "filterPattern")?.to_string();
    let pattern = filter_pattern(b, "filterPattern")?;
    let transformation = transformation(b, &pattern)?;
    let g = store
        .groups
        .get(&(partition.to_string(), group.clone()))
        .ok_or_else(missing_group)?;
    if !g.metric_filters.contains_key(&name) && g.metric_filters.len() >= MAX_FILTERS_PER_GROUP {
        return Err(err(
            "LimitExceededException",
            format!(
                "Resource limit exceeded: log group '{group}' already has \
                 {MAX_FILTERS_PER_GROUP} metric filters; delete one first"
            ),
        ));
    }
    let creation_time = g
        .metric_filters
        .get(&name)
        .map_or_else(now_ms, |f| f.creation_time);
    let filter = MetricFilter {
        name,
        pattern: text,
        creation_time,
        transformation,
        apply_on_transformed_logs: b
            .get("applyOnTransformedLogs")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        compiled: Some(pattern),
        defaulted_minute: None,
    };
    store.put_metric_filter(partition, &group, filter);
    Ok(json!({}))
}

/// DeleteMetricFilter.
pub fn delete(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let group = group_name(b)?;
    let name = str_field(b, "filterName")?;
    let g = store
        .groups
        .get(&(partition.to_string(), group.clone()))
        .ok_or_else(missing_group)?;
    if !g.metric_filters.contains_key(name) {
        return Err(err(
            "ResourceNotFoundException",
            "The specified metric filter does not exist.",
        ));
    }
    store.delete_metric_filter(partition, &group, name);
    Ok(json!({}))
}

/// DescribeMetricFilters: by group (and name prefix), or by metric name and namespace.
pub fn describe(
    store: &LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let group = b.get("logGroupName").and_then(Value::as_str);
    let metric = b.get("metricName").and_then(Value::as_str);
    let namespace = b.get("metricNamespace").and_then(Value::as_str);
    if metric.is_some() != namespace.is_some() {
        return Err(invalid(
            "metricName and metricNamespace must be given together",
        ));
    }
    // AWS uses the prefix only with a log group.
    let prefix = group
        .and_then(|_| b.get("filterNamePrefix").and_then(Value::as_str))
        .unwrap_or("");
    if let Some(g) = group
        && !store
            .groups
            .contains_key(&(partition.to_string(), g.to_string()))
    {
        return Err(missing_group());
    }
    let mut items = vec![];
    for ((p, gname), g) in &store.groups {
        if p != partition || group.is_some_and(|want| want != gname) {
            continue;
        }
        for (fname, f) in g.metric_filters.range(prefix.to_string()..) {
            if !fname.starts_with(prefix) {
                break;
            }
            let t = &f.transformation;
            if metric.is_some_and(|m| m != t.metric_name)
                || namespace.is_some_and(|n| n != t.metric_namespace)
            {
                continue;
            }
            items.push((format!("{gname}\u{1}{fname}"), f.to_json(gname)));
        }
    }
    let (filters, next) = page(
        items,
        b.get("nextToken").and_then(Value::as_str),
        limit(b, 50, 50)?,
    );
    Ok(with_next(json!({ "metricFilters": filters }), next))
}

/// TestMetricFilter: which of up to 50 messages match, with the values each binds.
pub fn test(b: &Map<String, Value>) -> Result<Value, AwsError> {
    str_field(b, "filterPattern")?;
    let pattern = filter_pattern(b, "filterPattern")?;
    let messages = b
        .get("logEventMessages")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("logEventMessages is required"))?;
    if messages.is_empty() || messages.len() > 50 {
        return Err(invalid(
            "1 validation error detected: Value at 'logEventMessages' failed to satisfy \
             constraint: Member must have length between 1 and 50",
        ));
    }
    let mut matches = vec![];
    for (i, m) in messages.iter().enumerate() {
        let m = m
            .as_str()
            .ok_or_else(|| invalid("each log event message must be a string"))?;
        if let Some(values) = pattern.extract(m) {
            let values: Map<String, Value> =
                values.into_iter().map(|(k, v)| (k, json!(v))).collect();
            matches.push(
                json!({ "eventNumber": i + 1, "eventMessage": m, "extractedValues": values }),
            );
        }
    }
    Ok(json!({ "matches": matches }))
}
