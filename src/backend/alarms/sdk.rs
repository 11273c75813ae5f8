//! Between the specs and the SDK: an existing alarm or filter read back into a spec, and a
//! spec sent as PutMetricAlarm.

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat, Statistic,
};

use super::spec::{AlarmSpec, FilterSpec, MetricRef, Query, Watch};

// === reading back what exists ===

fn pairs(d: &[Dimension]) -> Vec<(String, String)> {
    let mut v: Vec<_> = d
        .iter()
        .map(|d| {
            (
                d.name().unwrap_or_default().to_string(),
                d.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// An existing alarm in the same form (dimensions sorted, as the comparison wants them).
pub fn from_sdk(a: &MetricAlarm) -> AlarmSpec {
    let watch = if a.metrics().is_empty() {
        Watch::Single {
            namespace: a.namespace().unwrap_or_default().into(),
            metric: a.metric_name().unwrap_or_default().into(),
            dims: pairs(a.dimensions()),
            statistic: a
                .extended_statistic()
                .map(str::to_string)
                .or_else(|| a.statistic().map(|s| s.as_str().to_string()))
                .unwrap_or_default(),
        }
    } else {
        Watch::Math(
            a.metrics()
                .iter()
                .map(|q| Query {
                    id: q.id().unwrap_or_default().into(),
                    return_data: q.return_data().unwrap_or(true),
                    label: q.label().map(str::to_string),
                    metric: q.metric_stat().map(|ms| {
                        let m = ms.metric();
                        MetricRef {
                            namespace: m.and_then(Metric::namespace).unwrap_or_default().into(),
                            name: m.and_then(Metric::metric_name).unwrap_or_default().into(),
                            dims: pairs(m.map(Metric::dimensions).unwrap_or_default()),
                            stat: ms.stat().unwrap_or_default().into(),
                            period: ms.period().unwrap_or_default(),
                        }
                    }),
                    expression: q.expression().map(str::to_string),
                })
                .collect(),
        )
    };
    AlarmSpec {
        name: a.alarm_name().unwrap_or_default().into(),
        description: a.alarm_description().unwrap_or_default().into(),
        // A math alarm has no Period of its own: its metrics carry it.
        period: a
            .period()
            .or_else(|| {
                a.metrics()
                    .iter()
                    .filter_map(|q| q.metric_stat()?.period())
                    .max()
            })
            .unwrap_or_default(),
        evaluation_periods: a.evaluation_periods().unwrap_or_default(),
        datapoints_to_alarm: a
            .datapoints_to_alarm()
            .or(a.evaluation_periods())
            .unwrap_or_default(),
        treat_missing_data: a.treat_missing_data().unwrap_or("missing").into(),
        threshold: a.threshold().unwrap_or(f64::NAN),
        comparison: a
            .comparison_operator()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        actions_enabled: a.actions_enabled().unwrap_or(false),
        alarm_actions: a.alarm_actions().to_vec(),
        ok_actions: a.ok_actions().to_vec(),
        watch,
    }
}

pub fn filter_from_sdk(
    group: &str,
    f: &aws_sdk_cloudwatchlogs::types::MetricFilter,
) -> Option<FilterSpec> {
    let t = f.metric_transformations().first()?;
    Some(FilterSpec {
        log_group: group.to_string(),
        name: f.filter_name()?.to_string(),
        pattern: f.filter_pattern().unwrap_or_default().to_string(),
        namespace: t.metric_namespace().to_string(),
        metric: t.metric_name().to_string(),
        value: t.metric_value().to_string(),
        default_value: t.default_value(),
        unit: t.unit().map(|u| u.as_str().to_string()),
    })
}

// === to the SDK ===

fn dimension(k: &str, v: &str) -> Dimension {
    Dimension::builder().name(k).value(v).build()
}

/// The PutMetricAlarm request of `a`.
pub async fn put_alarm(
    cw: &aws_sdk_cloudwatch::Client,
    a: &AlarmSpec,
) -> Result<(), crate::backend::BackendError> {
    let mut req = cw
        .put_metric_alarm()
        .alarm_name(&a.name)
        .alarm_description(&a.description)
        .actions_enabled(a.actions_enabled)
        .set_alarm_actions(Some(a.alarm_actions.clone()))
        .set_ok_actions(Some(a.ok_actions.clone()))
        .evaluation_periods(a.evaluation_periods)
        .datapoints_to_alarm(a.datapoints_to_alarm)
        .threshold(a.threshold)
        .comparison_operator(ComparisonOperator::from(a.comparison.as_str()))
        .treat_missing_data(&a.treat_missing_data);
    match &a.watch {
        Watch::Single {
            namespace,
            metric,
            dims,
            statistic,
        } => {
            req = req
                .namespace(namespace)
                .metric_name(metric)
                .period(a.period)
                .set_dimensions(Some(dims.iter().map(|(k, v)| dimension(k, v)).collect()));
            req = if statistic.starts_with('p') {
                req.extended_statistic(statistic)
            } else {
                req.statistic(Statistic::from(statistic.as_str()))
            };
        }
        Watch::Math(qs) => {
            for q in qs {
                let mut b = MetricDataQuery::builder()
                    .id(&q.id)
                    .return_data(q.return_data)
                    .set_label(q.label.clone())
                    .set_expression(q.expression.clone());
                if let Some(m) = &q.metric {
                    let metric = Metric::builder()
                        .namespace(&m.namespace)
                        .metric_name(&m.name)
                        .set_dimensions(Some(m.dims.iter().map(|(k, v)| dimension(k, v)).collect()))
                        .build();
                    b = b.metric_stat(
                        MetricStat::builder()
                            .metric(metric)
                            .stat(&m.stat)
                            .period(m.period)
                            .build(),
                    );
                }
                req = req.metrics(b.build());
            }
        }
    }
    req.send()
        .await
        .map(|_| ())
        .map_err(|e| crate::backend::BackendError::sdk("PutMetricAlarm", e))
}
