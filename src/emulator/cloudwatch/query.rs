//! MetricDataQuery as GetMetricData and metric-math alarms take it, parsed with CloudWatch's
//! checks (evaluation is in `eval`).

use serde::{Deserialize, Serialize};

use super::cbor::{Obj, Value};
use super::store::unit;
use super::wire::{dims_value, read_dims};
use crate::domain::metrics::stat::Statistic;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricStat {
    pub namespace: String,
    pub name: String,
    pub dims: Vec<(String, String)>,
    pub period: i64,
    pub stat: String,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Kind {
    Stat(MetricStat),
    Expr(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub id: String,
    pub label: Option<String>,
    pub return_data: bool,
    pub period: Option<i64>,
    pub kind: Kind,
}

fn valid_period(p: i64) -> bool {
    matches!(p, 1 | 5 | 10 | 20 | 30) || (p >= 60 && p % 60 == 0)
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id.len() <= 255
}

/// Parse `MetricDataQueries` (or an alarm's `Metrics`); every failed check is reported.
pub fn parse(list: &[Value], path: &str) -> Result<Vec<Query>, Vec<String>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, q) in list.iter().enumerate() {
        let at = format!("{path}.member.{}", i + 1);
        match parse_one(q, &at) {
            Ok(q) => out.push(q),
            Err(e) => errors.push(e),
        }
    }
    let mut seen = std::collections::HashSet::new();
    if out.iter().any(|q| !seen.insert(q.id.as_str())) {
        errors.push(format!(
            "The values for parameter id in {path} are not unique."
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn parse_one(q: &Value, at: &str) -> Result<Query, String> {
    let id = q
        .get("Id")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("The parameter {at}.Id is required."))?;
    if !valid_id(id) {
        return Err(format!(
            "The value {id} for parameter {at}.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$."
        ));
    }
    let period = q.get("Period").and_then(Value::as_i64);
    if let Some(p) = period.filter(|p| !valid_period(*p)) {
        return Err(format!(
            "The value {p} for parameter {at}.Period must be 1, 5, 10, 20, 30 or a multiple of 60."
        ));
    }
    let kind = match (
        q.get("MetricStat"),
        q.get("Expression").and_then(Value::as_str),
    ) {
        (Some(ms), None) => Kind::Stat(metric_stat(ms, &format!("{at}.MetricStat"))?),
        (None, Some(e)) => {
            if e.is_empty() || e.chars().count() > 2048 {
                return Err(format!(
                    "The parameter {at}.Expression must be 1 to 2048 characters long."
                ));
            }
            Kind::Expr(e.to_string())
        }
        _ => {
            return Err(format!(
                "The parameter {at} must contain either a MetricStat or an Expression, but not both."
            ));
        }
    };
    Ok(Query {
        id: id.to_string(),
        label: q.get("Label").and_then(Value::as_str).map(str::to_string),
        return_data: q.get("ReturnData").and_then(Value::as_bool).unwrap_or(true),
        period,
        kind,
    })
}

fn metric_stat(ms: &Value, at: &str) -> Result<MetricStat, String> {
    let metric = ms
        .get("Metric")
        .ok_or_else(|| format!("The parameter {at}.Metric is required."))?;
    let field = |k: &str| {
        metric
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("The parameter {at}.Metric.{k} is required."))
    };
    let (namespace, name) = (field("Namespace")?, field("MetricName")?);
    let dims = read_dims(metric.get("Dimensions"), &format!("{at}.Metric.Dimensions"))
        .map_err(|e| e.message)?;
    let period = ms
        .get("Period")
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("The parameter {at}.Period is required."))?;
    if !valid_period(period) {
        return Err(format!(
            "The value {period} for parameter {at}.Period must be 1, 5, 10, 20, 30 or a multiple of 60."
        ));
    }
    let stat = ms
        .get("Stat")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("The parameter {at}.Stat is required."))?;
    if stat.parse::<Statistic>().is_err() {
        return Err(format!(
            "The value {stat} for parameter {at}.Stat is not a valid statistic."
        ));
    }
    let unit_name = ms.get("Unit").and_then(Value::as_str);
    if let Some(u) = unit_name.filter(|u| unit(u).is_none()) {
        return Err(format!("The value {u} for parameter {at}.Unit is invalid."));
    }
    Ok(MetricStat {
        namespace,
        name,
        dims,
        period,
        stat: stat.to_string(),
        unit: unit_name.map(str::to_string),
    })
}

/// The query as the API spells it (DescribeAlarms echoes an alarm's `Metrics`).
pub fn to_value(q: &Query) -> Value {
    let o = Obj::default()
        .with("Id", q.id.as_str())
        .opt("Label", q.label.clone())
        .with("ReturnData", q.return_data)
        .opt("Period", q.period);
    match &q.kind {
        Kind::Expr(e) => o.with("Expression", e.as_str()),
        Kind::Stat(ms) => o.with(
            "MetricStat",
            Obj::default()
                .with(
                    "Metric",
                    Obj::default()
                        .with("Namespace", ms.namespace.as_str())
                        .with("MetricName", ms.name.as_str())
                        .with("Dimensions", dims_value(&ms.dims)),
                )
                .with("Period", ms.period)
                .with("Stat", ms.stat.as_str())
                .opt("Unit", ms.unit.clone()),
        ),
    }
    .into()
}
