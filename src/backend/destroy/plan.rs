//! Reading what a destroy would remove, and every refusal, before any call that changes
//! anything.

use serde_json::json;

use super::{DestroyPlan, DestroyRequest, Step};
use crate::backend::alarms::{self, Change, Item};
use crate::backend::deploy::checks;
use crate::backend::rollout::store;
use crate::backend::runtimes::{list_endpoints, resolve};
use crate::backend::traffic::rules::{RuleInfo, slug};
use crate::backend::traffic::{find_gateway, gateway_name, list_rules};
use crate::backend::{Backend, BackendError, Clients};
use crate::domain::Environment;
use crate::domain::runtime::log_group_name;

const DEFAULT: &str = "DEFAULT";

/// Read what exists and plan the calls; refuse (nothing changed) when the destroy must not
/// happen now, saying what to do instead.
pub async fn plan(
    backend: &Backend,
    env: &str,
    req: &DestroyRequest,
) -> Result<DestroyPlan, BackendError> {
    inputs(req)?;
    let environment = backend.environment(env)?.clone();
    let c = backend.clients(env).await?;
    let rt = resolve(&c, &req.runtime).await?;
    let (name, id) = (rt.agent_runtime_name(), rt.agent_runtime_id());
    let endpoints = list_endpoints(&c, id).await?;
    let all: Vec<String> = endpoints.iter().map(|e| e.name.clone()).collect();
    if let Some(ep) = &req.endpoint
        && !all.contains(ep)
    {
        return Err(refuse(format!(
            "{env}: runtime `{name}` has no endpoint `{ep}` (it has: {})",
            all.join(", ")
        )));
    }
    rollout_finished(&c, env, name).await?;
    let mut steps = gateway_steps(&c, &environment, name, req.endpoint.as_deref()).await?;
    let chosen: Vec<String> = req.endpoint.iter().cloned().collect();
    let alarm_plan = alarms::delete_plan(backend, env, name, &chosen).await?;
    let mut doomed = vec![];
    for item in alarm_plan
        .items
        .iter()
        .filter(|i| i.change == Change::Delete)
    {
        match &item.item {
            // Deleting the group takes its filters with it.
            Item::OldFilter { log_group } if !req.with_logs => {
                steps.push(Step::DeleteMetricFilter {
                    log_group: log_group.clone(),
                });
            }
            Item::OldAlarm { name } => doomed.push(name.clone()),
            _ => {}
        }
    }
    for names in doomed.chunks(alarms::DELETE_BATCH) {
        steps.push(Step::DeleteAlarms {
            names: names.to_vec(),
        });
    }
    let named = all.iter().filter(|e| *e != DEFAULT);
    let gone: Vec<&String> = match &req.endpoint {
        Some(ep) => vec![ep],
        None => named.collect(),
    };
    steps.extend(
        gone.iter()
            .map(|e| Step::DeleteEndpoint { name: (*e).clone() }),
    );
    if req.endpoint.is_none() {
        steps.push(Step::DeleteRuntime);
        if let Some(bucket) = rollout_object(&c, name).await? {
            steps.push(Step::DeleteRolloutState {
                bucket,
                key: store::key(name),
            });
        }
    }
    let groups = if req.with_logs {
        let existing = alarms::log_groups(&c, &log_group_name(id, "")).await?;
        match &req.endpoint {
            Some(ep) => existing
                .into_iter()
                .filter(|g| *g == log_group_name(id, ep))
                .collect(),
            None => existing,
        }
    } else {
        vec![]
    };
    steps.extend(
        groups
            .iter()
            .map(|g| Step::DeleteLogGroup { name: g.clone() }),
    );
    let before = json!({
        "runtime": name,
        "runtimeId": id,
        "endpoints": endpoints.iter().map(|e| json!({"name": e.name, "liveVersion": e.live_version})).collect::<Vec<_>>(),
        "calls": steps.iter().map(|s| s.line(id)).collect::<Vec<_>>(),
    });
    Ok(DestroyPlan {
        env: env.to_string(),
        runtime: name.to_string(),
        runtime_id: id.to_string(),
        endpoint: req.endpoint.clone(),
        with_logs: req.with_logs,
        steps,
        before,
    })
}

/// The names, checked before any call.
fn inputs(req: &DestroyRequest) -> Result<(), BackendError> {
    checks::runtime(&req.runtime)?;
    match req.endpoint.as_deref() {
        Some(DEFAULT) => Err(refuse(
            "--endpoint DEFAULT: DEFAULT is removed with its runtime (AWS refuses to delete it \
             alone); destroy the whole runtime without --endpoint"
                .into(),
        )),
        Some(ep) => checks::endpoint(ep).map_err(|e| refuse(format!("--endpoint: {e}"))),
        None => Ok(()),
    }
}

fn refuse(why: String) -> BackendError {
    BackendError::Other(why)
}

/// Refuse while a rollout of the runtime has not finished: its driver would act on what is
/// being deleted.
async fn rollout_finished(c: &Clients, env: &str, runtime: &str) -> Result<(), BackendError> {
    let Some(stored) = store::load(c, runtime).await? else {
        return Ok(());
    };
    if stored.state.phase.is_terminal() {
        return Ok(());
    }
    Err(refuse(format!(
        "{env}: a rollout of `{runtime}` is {}: end it first with `rollout abort {runtime} \
         --env {env}`, then destroy",
        stored.state.shown(crate::backend::rollout::now_ms())
    )))
}

/// The bucket holding the runtime's (finished) rollout object, if there is one.
async fn rollout_object(c: &Clients, runtime: &str) -> Result<Option<String>, BackendError> {
    if store::load(c, runtime).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(crate::backend::deploy::bucket_name(c).await?))
}

/// The gateway rule and targets that route to the runtime (or to the one endpoint): refused
/// while a rule sends new sessions to the canary (a split in progress) or to the endpoint
/// named, or when a rule also routes to other runtimes' targets (it is not ours to delete).
async fn gateway_steps(
    c: &Clients,
    env: &Environment,
    runtime: &str,
    endpoint: Option<&str>,
) -> Result<Vec<Step>, BackendError> {
    let gw_name = gateway_name(env);
    let Some((gw, _)) = find_gateway(c, &gw_name).await? else {
        return Ok(vec![]);
    };
    let base = slug(runtime);
    let (stable_t, canary_t) = (format!("{base}-stable"), format!("{base}-canary"));
    // The targets this destroy removes: both, or the one whose qualifier is the endpoint.
    let doomed: Vec<&str> = match endpoint {
        None => vec![&stable_t, &canary_t],
        Some(ep) if ep == env.stable_endpoint() => vec![&stable_t],
        Some(ep) if ep == env.canary_endpoint() => vec![&canary_t],
        Some(_) => vec![],
    };
    let rules: Vec<RuleInfo> = list_rules(c, &gw)
        .await?
        .iter()
        .map(RuleInfo::from)
        .collect();
    let env_name = &env.name;
    let split_hint = format!(
        "finish the split first: `traffic promote {runtime} --env {env_name}` or `traffic abort \
         {runtime} --env {env_name}`"
    );
    let mut steps = vec![];
    for rule in &rules {
        let ours = rule.legs_of(runtime);
        if ours.is_empty() {
            continue;
        }
        if endpoint.is_none()
            && let Some((_, w)) = ours.iter().find(|(t, w)| *t == canary_t && *w > 0)
        {
            return Err(refuse(format!(
                "{env_name}: gateway rule {} sends {w}% of `{runtime}`'s new sessions to the \
                 canary `{}`: {split_hint}",
                rule.id,
                env.canary_endpoint()
            )));
        }
        if let Some((t, w)) = ours
            .iter()
            .find(|(t, w)| doomed.contains(&t.as_str()) && *w > 0)
            && let Some(ep) = endpoint
        {
            return Err(refuse(format!(
                "{env_name}: gateway rule {} sends {w}% of `{runtime}`'s new sessions to \
                 `{ep}` (target {t}): move the traffic off it first (`traffic abort` or \
                 `traffic promote`), or destroy the whole runtime",
                rule.id
            )));
        }
        if endpoint.is_some() {
            continue;
        }
        if ours.len() != rule.legs.len() {
            return Err(refuse(format!(
                "{env_name}: gateway rule {} routes to `{runtime}` and to other targets; it \
                 is not the console's to delete: take `{runtime}`'s targets out of it first",
                rule.id
            )));
        }
        steps.push(Step::DeleteGatewayRule {
            gateway: gw.clone(),
            rule_id: rule.id.clone(),
        });
    }
    let mut items = c
        .control
        .list_gateway_targets()
        .gateway_identifier(&gw)
        .into_paginator()
        .items()
        .send();
    while let Some(t) = items.next().await {
        let t = t.map_err(|e| BackendError::sdk("ListGatewayTargets", e))?;
        if doomed.contains(&t.name()) {
            steps.push(Step::DeleteGatewayTarget {
                gateway: gw.clone(),
                target_id: t.target_id().to_string(),
                name: t.name().to_string(),
            });
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(runtime: &str, endpoint: Option<&str>) -> DestroyRequest {
        DestroyRequest {
            runtime: runtime.into(),
            endpoint: endpoint.map(str::to_string),
            with_logs: false,
        }
    }

    #[test]
    fn names_are_checked_before_any_call() {
        assert!(inputs(&req("weather", None)).is_ok());
        assert!(inputs(&req("weather-abcdefghij", Some("canary"))).is_ok());
        let default = inputs(&req("weather", Some("DEFAULT"))).expect_err("DEFAULT");
        assert!(
            default
                .to_string()
                .contains("DEFAULT is removed with its runtime"),
            "{default}"
        );
        let bad = inputs(&req("weather", Some("my-endpoint"))).expect_err("a hyphen");
        assert!(bad.to_string().starts_with("--endpoint: "), "{bad}");
        assert!(inputs(&req("not a runtime", None)).is_err());
    }
}
