//! The gateway side of the split: the environment's gateway, a runtime's two targets, and the
//! runtime's own rule that routes between them (path scheme and priorities: [`super::rules`]).
//!
//! A change is made in two steps so that nothing moves before everything that can be checked
//! was: [`prepare`] finds or creates the gateway and the targets whose endpoints exist and
//! builds the rule; [`apply`] (after any endpoint move) creates the last target and writes
//! the rule.

use std::time::Duration;

use aws_sdk_bedrockagentcorecontrol::types::{
    Action, AgentRuntime, AuthorizerType, Condition, HttpTargetConfiguration, MatchPaths,
    RouteToTargetAction, RuntimeTargetConfiguration, StaticRoute, TargetConfiguration,
    TargetTrafficSplitEntry, WeightedRoute,
};

use super::rules::{
    RuleInfo, free_priority, legacy_catch_alls, marker, own_rule, path_pattern, slug,
};
use crate::backend::deploy::live_version;
use crate::backend::{BackendError, Clients};
use crate::domain::Environment;

const DEFAULT_GATEWAY: &str = "agentcore-console-gw";
const WAIT: Duration = Duration::from_secs(120);
/// Attempts at a new rule's priority when another writer takes it first.
const PRIORITY_ATTEMPTS: usize = 3;

pub fn gateway_name(env: &Environment) -> String {
    env.gateway
        .clone()
        .unwrap_or_else(|| DEFAULT_GATEWAY.to_string())
}

/// A checked split change, ready to write.
pub struct Plan {
    gw: String,
    runtime: String,
    arn: String,
    canary_endpoint: String,
    canary_target: String,
    /// The canary target is still to create (its endpoint did not exist yet).
    canary_pending: bool,
    action: Action,
}

/// Check and make ready everything a split of `stable`/`canary` percent needs, changing
/// nothing that routes: the stable endpoint serves a version; the gateway exists (created if
/// absent), and so do the stable target and, if its endpoint exists, the canary target.
pub async fn prepare(
    c: &Clients,
    env: &Environment,
    rt: &AgentRuntime,
    stable: i32,
    canary: i32,
) -> Result<Plan, BackendError> {
    let name = rt.agent_runtime_name();
    if live_version(c, rt.agent_runtime_id(), env.stable_endpoint())
        .await?
        .is_none()
    {
        return Err(BackendError::Other(format!(
            "runtime `{name}` has no `{}` endpoint serving a version for the stable side of the              split: deploy with `--endpoint {}` first",
            env.stable_endpoint(),
            env.stable_endpoint()
        )));
    }
    let base = slug(name);
    let (stable_t, canary_t) = (format!("{base}-stable"), format!("{base}-canary"));
    let action = if canary == 0 || stable == 0 {
        let target = if canary == 0 { &stable_t } else { &canary_t };
        let r = StaticRoute::builder()
            .target_name(target)
            .build()
            .map_err(build)?;
        RouteToTargetAction::StaticRoute(r)
    } else {
        let entry = |t: &str, w: i32| {
            TargetTrafficSplitEntry::builder()
                .name(t)
                .target_name(t)
                .weight(w)
                .build()
                .map_err(build)
        };
        let split = WeightedRoute::builder()
            .traffic_split(entry(&stable_t, stable)?)
            .traffic_split(entry(&canary_t, canary)?)
            .build()
            .map_err(build)?;
        RouteToTargetAction::WeightedRoute(split)
    };
    let gw = ensure_gateway(c, env).await?;
    let arn = rt.agent_runtime_arn();
    ensure_target(c, &gw, &stable_t, arn, env.stable_endpoint()).await?;
    let canary_exists = crate::backend::runtimes::list_endpoints(c, rt.agent_runtime_id())
        .await?
        .iter()
        .any(|e| e.name == env.canary_endpoint());
    if canary_exists {
        ensure_target(c, &gw, &canary_t, arn, env.canary_endpoint()).await?;
    }
    Ok(Plan {
        gw,
        runtime: name.to_string(),
        arn: arn.to_string(),
        canary_endpoint: env.canary_endpoint().to_string(),
        canary_target: canary_t,
        canary_pending: !canary_exists,
        action: Action::RouteToTarget(action),
    })
}

/// Write the runtime's rule: update its own (keeping its priority) or create one at the lowest
/// free priority, with the runtime's path condition. The console's catch-all rules for other
/// runtimes from before the path scheme get their own path condition first.
pub async fn apply(c: &Clients, plan: &Plan) -> Result<(), BackendError> {
    let gw = &plan.gw;
    if plan.canary_pending {
        ensure_target(c, gw, &plan.canary_target, &plan.arn, &plan.canary_endpoint).await?;
    }
    for attempt in 1..=PRIORITY_ATTEMPTS {
        let rules: Vec<RuleInfo> = list_rules(c, gw)
            .await?
            .iter()
            .map(RuleInfo::from)
            .collect();
        for (legacy, runtime) in legacy_catch_alls(&rules, &plan.runtime) {
            tracing::info!(rule = %legacy.id, %runtime, "giving a catch-all canary rule its runtime's path");
            c.control
                .update_gateway_rule()
                .gateway_identifier(gw)
                .rule_id(&legacy.id)
                .conditions(paths(&runtime)?)
                .send()
                .await
                .map_err(|e| BackendError::sdk("UpdateGatewayRule", e))?;
        }
        let condition = paths(&plan.runtime)?;
        if let Some(rule) = own_rule(&rules, &plan.runtime) {
            c.control
                .update_gateway_rule()
                .gateway_identifier(gw)
                .rule_id(&rule.id)
                .priority(rule.priority)
                .conditions(condition)
                .actions(plan.action.clone())
                .description(marker(&plan.runtime))
                .send()
                .await
                .map_err(|e| BackendError::sdk("UpdateGatewayRule", e))?;
            return Ok(());
        }
        let created = c
            .control
            .create_gateway_rule()
            .gateway_identifier(gw)
            .priority(free_priority(&rules))
            .conditions(condition)
            .actions(plan.action.clone())
            .description(marker(&plan.runtime))
            .send()
            .await
            .map_err(|e| BackendError::sdk("CreateGatewayRule", e));
        match created {
            Err(e) if e.code() == Some("ConflictException") && attempt < PRIORITY_ATTEMPTS => {}
            other => return other.map(|_| ()),
        }
    }
    Ok(())
}

/// The condition of a runtime's rule: requests below its path.
fn paths(runtime: &str) -> Result<Condition, BackendError> {
    let m = MatchPaths::builder()
        .any_of(path_pattern(runtime))
        .build()
        .map_err(build)?;
    Ok(Condition::MatchPaths(m))
}

fn build(e: aws_smithy_types::error::operation::BuildError) -> BackendError {
    BackendError::Other(e.to_string())
}

/// The gateway's id and URL, by name.
pub async fn find_gateway(
    c: &Clients,
    name: &str,
) -> Result<Option<(String, Option<String>)>, BackendError> {
    let mut items = c.control.list_gateways().into_paginator().items().send();
    while let Some(g) = items.next().await {
        let g = g.map_err(|e| BackendError::sdk("ListGateways", e))?;
        if g.name() == name {
            let got = c
                .control
                .get_gateway()
                .gateway_identifier(g.gateway_id())
                .send()
                .await
                .map_err(|e| BackendError::sdk("GetGateway", e))?;
            return Ok(Some((
                g.gateway_id().to_string(),
                got.gateway_url().map(str::to_string),
            )));
        }
    }
    Ok(None)
}

async fn ensure_gateway(c: &Clients, env: &Environment) -> Result<String, BackendError> {
    let name = gateway_name(env);
    if let Some((id, _)) = find_gateway(c, &name).await? {
        return Ok(id);
    }
    let role = env.role_arn.clone().unwrap_or_else(|| {
        format!(
            "arn:aws:iam::{}:role/AgentCoreGateway",
            env.account_id.as_deref().unwrap_or("123456789012")
        )
    });
    let out = c
        .control
        .create_gateway()
        .name(&name)
        .role_arn(role)
        .authorizer_type(AuthorizerType::AwsIam)
        .description("canary splits managed by agentcore-console")
        .send()
        .await
        .map_err(|e| BackendError::sdk("CreateGateway", e))?;
    let id = out.gateway_id().to_string();
    wait_ready(|| async {
        let g = c
            .control
            .get_gateway()
            .gateway_identifier(&id)
            .send()
            .await
            .map_err(|e| BackendError::sdk("GetGateway", e))?;
        Ok(g.status().as_str().to_string())
    })
    .await?;
    Ok(id)
}

async fn ensure_target(
    c: &Clients,
    gw: &str,
    name: &str,
    arn: &str,
    qualifier: &str,
) -> Result<(), BackendError> {
    let mut items = c
        .control
        .list_gateway_targets()
        .gateway_identifier(gw)
        .into_paginator()
        .items()
        .send();
    while let Some(t) = items.next().await {
        if t.map_err(|e| BackendError::sdk("ListGatewayTargets", e))?
            .name()
            == name
        {
            return Ok(());
        }
    }
    let runtime = RuntimeTargetConfiguration::builder()
        .arn(arn)
        .qualifier(qualifier)
        .build()
        .map_err(build)?;
    let out = c
        .control
        .create_gateway_target()
        .gateway_identifier(gw)
        .name(name)
        .target_configuration(TargetConfiguration::Http(
            HttpTargetConfiguration::AgentcoreRuntime(runtime),
        ))
        .send()
        .await
        .map_err(|e| BackendError::sdk("CreateGatewayTarget", e))?;
    let id = out.target_id().to_string();
    wait_ready(|| async {
        let t = c
            .control
            .get_gateway_target()
            .gateway_identifier(gw)
            .target_id(&id)
            .send()
            .await
            .map_err(|e| BackendError::sdk("GetGatewayTarget", e))?;
        Ok(t.status().as_str().to_string())
    })
    .await
}

pub(crate) async fn list_rules(
    c: &Clients,
    gw: &str,
) -> Result<Vec<aws_sdk_bedrockagentcorecontrol::types::GatewayRuleDetail>, BackendError> {
    let mut out = vec![];
    let mut items = c
        .control
        .list_gateway_rules()
        .gateway_identifier(gw)
        .into_paginator()
        .items()
        .send();
    while let Some(r) = items.next().await {
        out.push(r.map_err(|e| BackendError::sdk("ListGatewayRules", e))?);
    }
    Ok(out)
}

/// Wait until a gateway resource is READY.
async fn wait_ready<F, Fut>(status: F) -> Result<(), BackendError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<String, BackendError>>,
{
    let last = std::sync::Mutex::new(String::new());
    crate::backend::wait::poll(
        WAIT,
        || {
            format!(
                "gateway resource still {}",
                last.lock().map(|s| s.clone()).unwrap_or_default()
            )
        },
        || async {
            let s = status().await?;
            if let Ok(mut l) = last.lock() {
                l.clone_from(&s);
            }
            match s.as_str() {
                "READY" => Ok(Some(())),
                "CREATING" | "UPDATING" | "SYNCHRONIZING" => Ok(None),
                other => Err(BackendError::Other(format!("gateway resource is {other}"))),
            }
        },
    )
    .await
}
