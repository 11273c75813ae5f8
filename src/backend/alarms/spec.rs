//! What `alarms apply` wants to exist for one endpoint, in a form that both the template and
//! what CloudWatch describes turn into, so the two compare field by field (`diff`) and a
//! second apply sees "unchanged" rather than rewriting every alarm.

use serde::Serialize;

use crate::backend::metrics::NAMESPACE;
use crate::domain::alarms::{
    AlarmKind, AlarmTemplate, TOOL_ERRORS_FILTER, TOOL_ERRORS_NAMESPACE, alarm_name,
    tool_error_metric,
};

pub const COMPARISON: &str = "GreaterThanOrEqualToThreshold";
const MANAGED: &str = "managed by agentcore-console alarms apply";

/// One runtime endpoint an alarm or filter is about.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub runtime: &'a str,
    pub arn: &'a str,
    pub endpoint: &'a str,
    pub log_group: &'a str,
}

/// How an alarm reads its metric: one statistic of one metric, or math over several.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Watch {
    Single {
        namespace: String,
        metric: String,
        dims: Vec<(String, String)>,
        /// `Sum`, `Average`, … or a percentile (sent as ExtendedStatistic).
        statistic: String,
    },
    Math(Vec<Query>),
}

/// One query of a math alarm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Query {
    pub id: String,
    pub return_data: bool,
    pub label: Option<String>,
    /// A metric, or else an expression.
    pub metric: Option<MetricRef>,
    pub expression: Option<String>,
}

/// One metric of a math alarm and how it is read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricRef {
    pub namespace: String,
    pub name: String,
    pub dims: Vec<(String, String)>,
    pub stat: String,
    pub period: i32,
}

/// A standard alarm as PutMetricAlarm sends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmSpec {
    pub name: String,
    pub description: String,
    pub period: i32,
    pub evaluation_periods: i32,
    pub datapoints_to_alarm: i32,
    pub treat_missing_data: String,
    pub threshold: f64,
    pub comparison: String,
    pub actions_enabled: bool,
    pub alarm_actions: Vec<String>,
    pub ok_actions: Vec<String>,
    pub watch: Watch,
}

/// The tool-error metric filter on one endpoint's log group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterSpec {
    pub log_group: String,
    pub name: String,
    pub pattern: String,
    pub namespace: String,
    pub metric: String,
    pub value: String,
    pub default_value: Option<f64>,
    pub unit: Option<String>,
}

pub fn filter(t: &AlarmTemplate, target: Target<'_>) -> FilterSpec {
    FilterSpec {
        log_group: target.log_group.to_string(),
        name: TOOL_ERRORS_FILTER.to_string(),
        pattern: t.tool_error_pattern.clone(),
        namespace: TOOL_ERRORS_NAMESPACE.to_string(),
        metric: tool_error_metric(target.runtime, target.endpoint),
        value: "1".into(),
        default_value: Some(0.0),
        unit: Some("Count".into()),
    }
}

/// AgentCore's dimensions of one endpoint (as `metrics` queries them).
fn dims(target: Target<'_>) -> Vec<(String, String)> {
    vec![
        ("Operation".into(), "InvokeAgentRuntime".into()),
        ("Resource".into(), target.arn.to_string()),
        (
            "Name".into(),
            format!("{}::{}", target.runtime, target.endpoint),
        ),
    ]
}

pub fn alarm(t: &AlarmTemplate, kind: AlarmKind, target: Target<'_>) -> AlarmSpec {
    let s = t.kind(kind);
    let d = dims(target);
    let metric = |id: &str, ns: &str, name: &str, dims: Vec<(String, String)>| Query {
        id: id.into(),
        return_data: false,
        label: None,
        metric: Some(MetricRef {
            namespace: ns.into(),
            name: name.into(),
            dims,
            stat: "Sum".into(),
            period: t.period,
        }),
        expression: None,
    };
    let rate = |over: &str| Query {
        id: "rate".into(),
        return_data: true,
        label: Some("error rate %".into()),
        metric: None,
        expression: Some(format!(
            "IF(i >= {}, 100 * FILL({over}, 0) / i, 0)",
            t.min_invocations
        )),
    };
    let (watch, what) = match kind {
        AlarmKind::ErrorRate => (
            Watch::Math(vec![
                metric("i", NAMESPACE, "Invocations", d.clone()),
                metric("e", NAMESPACE, "TotalErrors", d),
                rate("e"),
            ]),
            "error rate (100 × TotalErrors / Invocations, %)",
        ),
        AlarmKind::ToolErrorRate => (
            Watch::Math(vec![
                metric("i", NAMESPACE, "Invocations", d),
                metric(
                    "t",
                    TOOL_ERRORS_NAMESPACE,
                    &tool_error_metric(target.runtime, target.endpoint),
                    vec![],
                ),
                rate("t"),
            ]),
            "tool error rate (100 × tool errors in the logs / Invocations, %)",
        ),
        AlarmKind::Latency => (
            Watch::Single {
                namespace: NAMESPACE.into(),
                metric: "Latency".into(),
                dims: d,
                statistic: s.statistic.clone(),
            },
            "latency (ms)",
        ),
        AlarmKind::Throttles => (
            Watch::Single {
                namespace: NAMESPACE.into(),
                metric: "Throttles".into(),
                dims: d,
                statistic: s.statistic.clone(),
            },
            "throttled invocations",
        ),
    };
    AlarmSpec {
        name: alarm_name(target.runtime, target.endpoint, kind),
        description: format!(
            "{what} of {}::{}; {MANAGED}",
            target.runtime, target.endpoint
        ),
        period: t.period,
        evaluation_periods: t.evaluation_periods,
        datapoints_to_alarm: t.datapoints_to_alarm,
        treat_missing_data: t.treat_missing_data.as_str().into(),
        threshold: s.threshold,
        comparison: COMPARISON.into(),
        actions_enabled: true,
        alarm_actions: t.alarm_actions.clone(),
        ok_actions: t.ok_actions.clone(),
        watch,
    }
}

/// The fields of `want` that `have` does not match, with the value each goes to (for the plan).
pub fn alarm_diff(want: &AlarmSpec, have: &AlarmSpec) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |name: &str, w: String, h: String| {
        if w != h {
            out.push(format!("{name} {h} → {w}"));
        }
    };
    field("threshold", num(want.threshold), num(have.threshold));
    field("period", want.period.to_string(), have.period.to_string());
    field(
        "datapoints",
        format!(
            "{} of {}",
            want.datapoints_to_alarm, want.evaluation_periods
        ),
        format!(
            "{} of {}",
            have.datapoints_to_alarm, have.evaluation_periods
        ),
    );
    field(
        "missing data",
        want.treat_missing_data.clone(),
        have.treat_missing_data.clone(),
    );
    field(
        "comparison",
        want.comparison.clone(),
        have.comparison.clone(),
    );
    field(
        "actions enabled",
        want.actions_enabled.to_string(),
        have.actions_enabled.to_string(),
    );
    field(
        "alarm actions",
        list(&want.alarm_actions),
        list(&have.alarm_actions),
    );
    field("ok actions", list(&want.ok_actions), list(&have.ok_actions));
    if want.description != have.description {
        out.push("description".into());
    }
    if sorted(&want.watch) != sorted(&have.watch) {
        out.push(format!(
            "metric {} → {}",
            watch_text(&have.watch),
            watch_text(&want.watch)
        ));
    }
    out
}

pub fn filter_diff(want: &FilterSpec, have: &FilterSpec) -> Vec<String> {
    let mut out = Vec::new();
    if want.pattern != have.pattern {
        out.push(format!("pattern '{}' → '{}'", have.pattern, want.pattern));
    }
    let metric = |f: &FilterSpec| {
        format!(
            "{} {} value {} default {} unit {}",
            f.namespace,
            f.metric,
            f.value,
            f.default_value.map_or_else(|| "none".into(), num),
            f.unit.as_deref().unwrap_or("none")
        )
    };
    if metric(want) != metric(have) {
        out.push(format!("metric {} → {}", metric(have), metric(want)));
    }
    out
}

fn sorted(w: &Watch) -> Watch {
    let mut w = w.clone();
    match &mut w {
        Watch::Single { dims, .. } => dims.sort(),
        Watch::Math(qs) => {
            for q in qs.iter_mut() {
                if let Some(m) = &mut q.metric {
                    m.dims.sort();
                }
            }
        }
    }
    w
}

fn num(x: f64) -> String {
    format!("{x}")
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(",")
    }
}

/// `Latency p99 (Name=r::e)` or the expression of a math alarm.
pub fn watch_text(w: &Watch) -> String {
    match w {
        Watch::Single {
            metric,
            statistic,
            dims,
            ..
        } => {
            let name = dims
                .iter()
                .find(|(k, _)| k == "Name")
                .map_or_else(String::new, |(_, v)| format!(" Name={v}"));
            format!("{metric} {statistic}{name}")
        }
        Watch::Math(qs) => {
            let parts: Vec<String> = qs
                .iter()
                .map(|q| match (&q.metric, &q.expression) {
                    (Some(m), _) => format!("{}={}:{} {}", q.id, m.namespace, m.name, m.stat),
                    (None, Some(e)) => format!("{}={e}", q.id),
                    (None, None) => q.id.clone(),
                })
                .collect();
            parts.join("; ")
        }
    }
}

/// The preview line of a PutMetricAlarm.
pub fn put_alarm_line(a: &AlarmSpec) -> String {
    format!(
        "PutMetricAlarm {}: {} >= {} period {}s {} of {} missing={} actions={} ok={}",
        a.name,
        watch_text(&a.watch),
        num(a.threshold),
        a.period,
        a.datapoints_to_alarm,
        a.evaluation_periods,
        a.treat_missing_data,
        list(&a.alarm_actions),
        list(&a.ok_actions)
    )
}

pub fn put_filter_line(f: &FilterSpec) -> String {
    format!(
        "PutMetricFilter group={} name={} pattern='{}' metric={} {} (value {}, default 0, Count)",
        f.log_group, f.name, f.pattern, f.namespace, f.metric, f.value
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Target<'static> = Target {
        runtime: "weather",
        arn: "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/weather-AbC",
        endpoint: "live",
        log_group: "/aws/bedrock-agentcore/runtimes/weather-AbC-live",
    };

    #[test]
    fn the_rate_alarms_divide_by_invocations_over_the_minimum() {
        let t = AlarmTemplate::default();
        let a = alarm(&t, AlarmKind::ToolErrorRate, T);
        assert_eq!(a.name, "agentcore-console/weather/live/tool-error-rate");
        assert!(a.description.contains(MANAGED));
        let Watch::Math(qs) = &a.watch else {
            panic!("math")
        };
        assert_eq!(
            qs[2].expression.as_deref(),
            Some("IF(i >= 5, 100 * FILL(t, 0) / i, 0)")
        );
        let m = qs[1].metric.clone().expect("metric");
        assert_eq!(
            (
                m.namespace.as_str(),
                m.name.as_str(),
                m.dims.len(),
                m.stat.as_str()
            ),
            (TOOL_ERRORS_NAMESPACE, "weather/live", 0, "Sum")
        );
        assert_eq!(alarm_diff(&a, &a), Vec::<String>::new());
    }

    #[test]
    fn a_changed_threshold_or_statistic_is_named_in_the_diff() {
        let t = AlarmTemplate::default();
        let have = alarm(&t, AlarmKind::Latency, T);
        let mut t2 = t.clone();
        t2.latency.threshold = 1500.0;
        t2.latency.statistic = "p90".into();
        let diff = alarm_diff(&alarm(&t2, AlarmKind::Latency, T), &have);
        assert_eq!(diff.len(), 2, "{diff:?}");
        assert_eq!(diff[0], "threshold 2000 → 1500");
        assert!(diff[1].contains("Latency p99") && diff[1].contains("Latency p90"));
    }
}
