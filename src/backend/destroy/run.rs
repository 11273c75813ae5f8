//! Making a destroy's calls in order, each taking "already gone" as done, waiting where AWS
//! needs it (named endpoints gone before the runtime; the runtime gone before its log groups,
//! so nothing writes to them again), and auditing one entry whatever happened.

use std::time::Duration;

use serde_json::json;

use super::{DestroyPlan, DestroyReport, Step};
use crate::backend::audit::{Actor, AuditLog, WriteRef};
use crate::backend::deploy::{audit_entry, record};
use crate::backend::runtimes::list_endpoints;
use crate::backend::{Backend, BackendError, Clients, guard};

const ENDPOINTS_GONE: Duration = Duration::from_secs(120);
const RUNTIME_GONE: Duration = Duration::from_secs(300);

/// Carry out `plan`. A failure midway is not an `Err`: the report names what was and was not
/// deleted and why it stopped (its `error`), and the audit entry says the same. `Err` is for
/// what stopped it before any call: the environment's protection, no clients, no audit.
pub async fn run(
    backend: &Backend,
    plan: &DestroyPlan,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<DestroyReport, BackendError> {
    let environment = backend.environment(&plan.env)?;
    let write = WriteRef {
        env: &plan.env,
        action: "destroy",
        target: &plan.runtime,
    };
    guard::authorize(environment, armed, &write, (actor, audit), Ok(()))?;
    let c = backend.clients(&plan.env).await?;
    let mut deleted: Vec<String> = vec![];
    // Endpoint deletions are made together, then waited for together.
    let mut pending: Vec<&str> = vec![];
    let mut failure = None;
    for (i, step) in plan.steps.iter().enumerate() {
        let line = step.line(&plan.runtime_id);
        if let Err(e) = call(&c, plan, step).await {
            failure = Some((line, e));
            break;
        }
        let Step::DeleteEndpoint { name } = step else {
            deleted.push(line);
            continue;
        };
        pending.push(name);
        if matches!(plan.steps.get(i + 1), Some(Step::DeleteEndpoint { .. })) {
            continue;
        }
        if let Err(e) = endpoints_gone(&c, &plan.runtime_id, &pending).await {
            failure = Some((line, e));
            break;
        }
        let first = i + 1 - pending.len();
        deleted.extend(
            plan.steps[first..=i]
                .iter()
                .map(|s| s.line(&plan.runtime_id)),
        );
        pending.clear();
    }
    let calls = plan.calls();
    let not_deleted: Vec<String> = calls.iter().skip(deleted.len()).cloned().collect();
    let result: Result<(), String> = match &failure {
        None => Ok(()),
        Some((line, e)) => Err(format!(
            "destroy stopped at `{line}` after {} of {} calls: {e}; not deleted: {}; run the \
             same destroy again to finish",
            deleted.len(),
            calls.len(),
            not_deleted.join("; ")
        )),
    };
    let after = json!({ "deleted": deleted, "notDeleted": not_deleted });
    let entry = audit_entry(
        &c,
        &plan.env,
        "destroy",
        &plan.runtime,
        plan.before.clone(),
        after,
        &result,
        actor,
    )
    .await;
    record(audit, entry)?;
    Ok(DestroyReport {
        deleted,
        not_deleted,
        error: result.err(),
        ..plan.report(false)
    })
}

/// One call; what is already gone counts as deleted.
async fn call(c: &Clients, plan: &DestroyPlan, step: &Step) -> Result<(), BackendError> {
    let id = plan.runtime_id.as_str();
    let r = match step {
        Step::DeleteGatewayRule { gateway, rule_id } => c
            .control
            .delete_gateway_rule()
            .gateway_identifier(gateway)
            .rule_id(rule_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| BackendError::sdk("DeleteGatewayRule", e)),
        Step::DeleteGatewayTarget {
            gateway, target_id, ..
        } => c
            .control
            .delete_gateway_target()
            .gateway_identifier(gateway)
            .target_id(target_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| BackendError::sdk("DeleteGatewayTarget", e)),
        Step::DeleteMetricFilter { log_group } => c
            .logs
            .delete_metric_filter()
            .log_group_name(log_group)
            .filter_name(crate::domain::alarms::TOOL_ERRORS_FILTER)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| BackendError::sdk("DeleteMetricFilter", e)),
        Step::DeleteAlarms { names } => c
            .cloudwatch
            .delete_alarms()
            .set_alarm_names(Some(names.clone()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| BackendError::sdk("DeleteAlarms", e)),
        Step::DeleteEndpoint { name } => c
            .control
            .delete_agent_runtime_endpoint()
            .agent_runtime_id(id)
            .endpoint_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| BackendError::sdk("DeleteAgentRuntimeEndpoint", e)),
        Step::DeleteRuntime => {
            let r = c
                .control
                .delete_agent_runtime()
                .agent_runtime_id(id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| BackendError::sdk("DeleteAgentRuntime", e));
            BackendError::absent_as_none(r)?;
            return runtime_gone(c, id).await;
        }
        Step::DeleteRolloutState { bucket, key } => {
            c.s3.delete_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| BackendError::sdk("DeleteObject", e))
        }
        Step::DeleteLogGroup { name } => c
            .logs
            .delete_log_group()
            .log_group_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| BackendError::sdk("DeleteLogGroup", e)),
    };
    BackendError::absent_as_none(r).map(|_| ())
}

/// Wait until none of `names` is listed any more (DELETE_FAILED ends the wait).
async fn endpoints_gone(c: &Clients, id: &str, names: &[&str]) -> Result<(), BackendError> {
    crate::backend::wait::poll(
        ENDPOINTS_GONE,
        || format!("endpoints {} still being deleted", names.join(", ")),
        || async {
            let left: Vec<_> = list_endpoints(c, id)
                .await?
                .into_iter()
                .filter(|e| names.contains(&e.name.as_str()))
                .collect();
            if let Some(e) = left.iter().find(|e| e.status.is_failed()) {
                return Err(BackendError::Other(format!(
                    "endpoint `{}` is {}",
                    e.name, e.status
                )));
            }
            Ok(left.is_empty().then_some(()))
        },
    )
    .await
}

/// Wait until GetAgentRuntime says the runtime is gone (DELETE_FAILED ends the wait).
async fn runtime_gone(c: &Clients, id: &str) -> Result<(), BackendError> {
    crate::backend::wait::poll(
        RUNTIME_GONE,
        || format!("runtime {id} still being deleted"),
        || async {
            let got = c
                .control
                .get_agent_runtime()
                .agent_runtime_id(id)
                .send()
                .await
                .map_err(|e| BackendError::sdk("GetAgentRuntime", e));
            match BackendError::absent_as_none(got)? {
                None => Ok(Some(())),
                Some(rt) if rt.status().as_str() == "DELETE_FAILED" => {
                    Err(BackendError::Other(format!(
                        "runtime {id} is DELETE_FAILED: {}",
                        rt.failure_reason().unwrap_or("no reason given")
                    )))
                }
                Some(_) => Ok(None),
            }
        },
    )
    .await
}
