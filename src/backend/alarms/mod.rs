//! CloudWatch alarms that concern runtimes: listed (whoever created them) and their history.
//! One paginated DescribeAlarms and one ListAgentRuntimes per environment, never a call per
//! runtime. Writes: [`plan`] / [`apply`] make the standard alarms and the tool-error metric
//! filter of the environment's template; [`delete_plan`] / [`delete`] remove exactly those.

mod apply;
mod plan;
mod sdk;
mod spec;

pub use self::apply::{ApplyReport, DELETE_BATCH, apply, delete};
#[cfg(test)]
pub(crate) use self::plan::first_apply_example;
pub use self::plan::{AlarmPlan, Change, Item, PlanItem, delete_plan, plan};
pub use self::spec::{AlarmSpec, FilterSpec, Watch};
// For the rollout gates, which need the same tool-error filter on their two endpoints.
pub(crate) use self::apply::put_filter;
pub(crate) use self::plan::{log_groups, our_filter};
pub(crate) use self::spec::{Target, filter as filter_spec, filter_diff, put_filter_line};

use aws_sdk_cloudwatch::types::{MetricAlarm, ScanBy, StateValue};
use aws_smithy_types::DateTime;

use super::runtimes::list_all;
use super::{Backend, BackendError};
use crate::domain::alarms::{
    AlarmHistoryItem, AlarmInfo, AlarmState, WatchedMetric, concerns, parse_alarm_name,
};
use crate::domain::timestamp::rfc3339_from_ms;

/// Every alarm of `env` that concerns one of its runtimes (only `runtimes`, by name or id,
/// when not empty), in the state `state` when given; sorted by runtime, endpoint, name.
pub async fn list(
    backend: &Backend,
    env: &str,
    runtimes: &[String],
    state: Option<AlarmState>,
) -> Result<Vec<AlarmInfo>, BackendError> {
    let c = backend.clients(env).await?;
    let (found, alarms) = tokio::try_join!(list_all(&c), describe_all(&c, state))?;
    let wanted: Vec<(&str, &str)> = found
        .iter()
        .filter(|r| {
            runtimes.is_empty()
                || runtimes
                    .iter()
                    .any(|w| w == r.agent_runtime_name() || w == r.agent_runtime_id())
        })
        .map(|r| (r.agent_runtime_name(), r.agent_runtime_arn()))
        .collect();
    let mut out: Vec<AlarmInfo> = alarms
        .iter()
        .filter_map(|a| {
            let watched = watched(a);
            let name = a.alarm_name().unwrap_or_default();
            wanted.iter().find_map(|(rt, arn)| {
                let endpoint = concerns(&watched, rt, arn).or_else(|| {
                    // An alarm named by the console whose metrics say nothing (math only).
                    parse_alarm_name(name)
                        .filter(|(r, _, _)| r == rt)
                        .map(|(_, ep, _)| Some(ep.to_string()))
                })?;
                Some(info(env, rt, endpoint, a))
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.runtime, &a.endpoint, &a.name).cmp(&(&b.runtime, &b.endpoint, &b.name)));
    Ok(out)
}

/// DescribeAlarms, every page (metric alarms only).
async fn describe_all(
    c: &super::Clients,
    state: Option<AlarmState>,
) -> Result<Vec<MetricAlarm>, BackendError> {
    let mut pages = c
        .cloudwatch
        .describe_alarms()
        .set_state_value(state.map(|s| StateValue::from(s.as_str())))
        .max_records(100)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| BackendError::sdk("DescribeAlarms", e))?;
        out.extend(page.metric_alarms().iter().cloned());
    }
    Ok(out)
}

/// The metrics an alarm watches: its own, or those in its math.
fn watched(a: &MetricAlarm) -> Vec<WatchedMetric> {
    let dims = |d: &[aws_sdk_cloudwatch::types::Dimension]| {
        d.iter()
            .map(|d| {
                (
                    d.name().unwrap_or_default().to_string(),
                    d.value().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let single = a.metric_name().map(|name| WatchedMetric {
        namespace: a.namespace().unwrap_or_default().to_string(),
        name: name.to_string(),
        dims: dims(a.dimensions()),
    });
    let math = a
        .metrics()
        .iter()
        .filter_map(|q| q.metric_stat()?.metric())
        .map(|m| WatchedMetric {
            namespace: m.namespace().unwrap_or_default().to_string(),
            name: m.metric_name().unwrap_or_default().to_string(),
            dims: dims(m.dimensions()),
        });
    single.into_iter().chain(math).collect()
}

fn info(env: &str, runtime: &str, endpoint: Option<String>, a: &MetricAlarm) -> AlarmInfo {
    let name = a.alarm_name().unwrap_or_default().to_string();
    AlarmInfo {
        env: env.to_string(),
        runtime: runtime.to_string(),
        endpoint,
        state: a
            .state_value()
            .and_then(|s| AlarmState::parse(s.as_str()))
            .unwrap_or(AlarmState::InsufficientData),
        reason: a.state_reason().unwrap_or_default().to_string(),
        state_updated_at: a.state_updated_timestamp().and_then(iso),
        threshold: a.threshold(),
        comparison: a.comparison_operator().map(|c| c.as_str().to_string()),
        actions_enabled: a.actions_enabled().unwrap_or(false),
        actions: a
            .alarm_actions()
            .iter()
            .chain(a.ok_actions())
            .chain(a.insufficient_data_actions())
            .cloned()
            .collect(),
        kind: parse_alarm_name(&name).map(|(_, _, k)| k),
        name,
    }
}

fn iso(t: &DateTime) -> Option<String> {
    rfc3339_from_ms(t.to_millis().ok()?)
}

/// DescribeAlarmHistory of one alarm, newest first, every page up to `limit` items.
pub async fn history(
    backend: &Backend,
    env: &str,
    alarm: &str,
    limit: usize,
) -> Result<Vec<AlarmHistoryItem>, BackendError> {
    let c = backend.clients(env).await?;
    let mut pages = c
        .cloudwatch
        .describe_alarm_history()
        .alarm_name(alarm)
        .scan_by(ScanBy::TimestampDescending)
        .max_records(100)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| BackendError::sdk("DescribeAlarmHistory", e))?;
        for h in page.alarm_history_items() {
            out.push(AlarmHistoryItem {
                name: h.alarm_name().unwrap_or_default().to_string(),
                timestamp: h.timestamp().and_then(iso).unwrap_or_default(),
                kind: h
                    .history_item_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                summary: h.history_summary().unwrap_or_default().to_string(),
                new_state: h.history_data().and_then(new_state),
            });
            if out.len() >= limit {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// `newState.stateValue` of a state update's HistoryData.
fn new_state(data: &str) -> Option<AlarmState> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    AlarmState::parse(v.get("newState")?.get("stateValue")?.as_str()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_updates_new_state_is_read_from_its_history_data() {
        let data = r#"{"version":"1.0","oldState":{"stateValue":"OK"},"newState":{"stateValue":"ALARM","stateReason":"x"}}"#;
        assert_eq!(new_state(data), Some(AlarmState::Alarm));
        assert_eq!(new_state(r#"{"type":"Update"}"#), None);
        assert_eq!(new_state("not json"), None);
    }
}
