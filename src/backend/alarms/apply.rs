//! Carrying out an [`AlarmPlan`]: the environment's protection first (a refusal is audited),
//! then only the create / update / delete calls, in the plan's order, stopping at the first
//! failure; then what exists is read back and one audit entry records before and after
//! (names and config digests: the template's values stay out of the trail).

use std::collections::BTreeMap;

use aws_sdk_cloudwatchlogs::types::{MetricTransformation, StandardUnit};
use serde::Serialize;
use serde_json::json;

use super::plan::{AlarmPlan, Change, Item, read_summary};
use super::spec::{self, FilterSpec};
use crate::backend::audit::{Actor, AuditLog, WriteRef};
use crate::backend::deploy::{audit_entry, record};
use crate::backend::{Backend, BackendError, Clients, guard};
use crate::domain::alarms::TOOL_ERRORS_FILTER;

/// DeleteAlarms takes at most 100 names.
pub const DELETE_BATCH: usize = 100;

/// What an apply or delete did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyReport {
    pub env: String,
    pub runtime: String,
    /// The calls made, as the preview words them (empty: nothing to change).
    pub calls: Vec<String>,
    /// What exists afterwards (read back): name → config digest.
    pub after: BTreeMap<String, String>,
}

/// Make the plan's changes (`alarms apply`). `armed` lets a protected environment change.
pub async fn apply(
    backend: &Backend,
    env: &str,
    plan: &AlarmPlan,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<ApplyReport, BackendError> {
    carry_out(backend, env, plan, (armed, "alarms.apply"), actor, audit).await
}

/// Remove what `apply` made, as [`super::delete_plan`] found it (`alarms delete`).
pub async fn delete(
    backend: &Backend,
    env: &str,
    plan: &AlarmPlan,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<ApplyReport, BackendError> {
    carry_out(backend, env, plan, (armed, "alarms.delete"), actor, audit).await
}

async fn carry_out(
    backend: &Backend,
    env: &str,
    plan: &AlarmPlan,
    (armed, action): (bool, &'static str),
    actor: &Actor,
    audit: &AuditLog,
) -> Result<ApplyReport, BackendError> {
    let environment = backend.environment(env)?;
    let write = WriteRef {
        env,
        action,
        target: &plan.runtime,
    };
    let same_env = if plan.env == env {
        Ok(())
    } else {
        Err(BackendError::Other(format!(
            "the plan is for `{}`, not `{env}`: plan again",
            plan.env
        )))
    };
    if plan.is_empty() {
        same_env?;
        return Ok(ApplyReport {
            env: env.to_string(),
            runtime: plan.runtime.clone(),
            calls: vec![],
            after: plan.before.clone(),
        });
    }
    guard::authorize(environment, armed, &write, (actor, audit), same_env)?;
    let c = backend.clients(env).await?;
    let mut made = Vec::new();
    let result = run(&c, plan, &mut made).await;
    let after = read_summary(backend, plan).await;
    let result = result.map_err(|e| {
        let total = plan.calls().len();
        if made.is_empty() {
            e
        } else {
            BackendError::Other(format!(
                "{action} stopped after {} of {total} calls (the first ones were made): {e}",
                made.len()
            ))
        }
    });
    let after_json = after
        .as_ref()
        .map(|a| json!(a))
        .unwrap_or(serde_json::Value::Null);
    let entry = audit_entry(
        &c,
        env,
        action,
        &plan.runtime,
        json!(plan.before),
        after_json,
        &result,
        actor,
    )
    .await;
    record(audit, entry)?;
    result?;
    let after = after.map_err(|e| {
        BackendError::Other(format!(
            "the change was made but could not be read back: {e}"
        ))
    })?;
    Ok(ApplyReport {
        env: env.to_string(),
        runtime: plan.runtime.clone(),
        calls: made,
        after,
    })
}

/// The calls, in order; `made` gets each one's preview line once it succeeded.
async fn run(c: &Clients, plan: &AlarmPlan, made: &mut Vec<String>) -> Result<(), BackendError> {
    let mut doomed = Vec::new();
    for i in plan.items.iter().filter(|i| i.change != Change::Unchanged) {
        match &i.item {
            Item::LogGroup { name } => {
                let r = c.logs.create_log_group().log_group_name(name).send().await;
                // Another writer made it since the plan was read: what we wanted holds.
                if let Err(e) = r {
                    let e = BackendError::sdk("CreateLogGroup", e);
                    if e.code() != Some("ResourceAlreadyExistsException") {
                        return Err(e);
                    }
                }
                made.push(format!("CreateLogGroup {name}"));
            }
            Item::Filter(f) => {
                put_filter(c, f).await?;
                made.push(spec::put_filter_line(f));
            }
            Item::Alarm(a) => {
                super::sdk::put_alarm(&c.cloudwatch, a).await?;
                made.push(spec::put_alarm_line(a));
            }
            Item::OldFilter { log_group } => {
                let r = c
                    .logs
                    .delete_metric_filter()
                    .log_group_name(log_group)
                    .filter_name(TOOL_ERRORS_FILTER)
                    .send()
                    .await
                    .map_err(|e| BackendError::sdk("DeleteMetricFilter", e));
                BackendError::absent_as_none(r)?;
                made.push(format!(
                    "DeleteMetricFilter group={log_group} name={TOOL_ERRORS_FILTER}"
                ));
            }
            Item::OldAlarm { name } => doomed.push(name.clone()),
        }
    }
    for chunk in doomed.chunks(DELETE_BATCH) {
        c.cloudwatch
            .delete_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| BackendError::sdk("DeleteAlarms", e))?;
        made.push(format!("DeleteAlarms {}", chunk.join(", ")));
    }
    Ok(())
}

pub(crate) async fn put_filter(c: &Clients, f: &FilterSpec) -> Result<(), BackendError> {
    let t = MetricTransformation::builder()
        .metric_namespace(&f.namespace)
        .metric_name(&f.metric)
        .metric_value(&f.value)
        .set_default_value(f.default_value)
        .set_unit(f.unit.as_deref().map(StandardUnit::from))
        .build()
        .map_err(|e| BackendError::Other(format!("PutMetricFilter: {e}")))?;
    c.logs
        .put_metric_filter()
        .log_group_name(&f.log_group)
        .filter_name(&f.name)
        .filter_pattern(&f.pattern)
        .metric_transformations(t)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| BackendError::sdk("PutMetricFilter", e))
}
