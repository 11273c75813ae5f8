//! The gateway side of the split: the environment's gateway, a runtime's two targets, and the
//! rule that routes between them.

use std::time::Duration;

use aws_sdk_bedrockagentcorecontrol::types::{
    Action, AuthorizerType, HttpTargetConfiguration, RouteToTargetAction,
    RuntimeTargetConfiguration, StaticRoute, TargetConfiguration, TargetTrafficSplitEntry,
    WeightedRoute,
};

use crate::backend::{BackendError, Clients};
use crate::domain::Environment;

const DEFAULT_GATEWAY: &str = "agentcore-console-gw";
const WAIT: Duration = Duration::from_secs(120);

pub fn slug(runtime: &str) -> String {
    runtime.replace('_', "-")
}

pub fn gateway_name(env: &Environment) -> String {
    env.gateway
        .clone()
        .unwrap_or_else(|| DEFAULT_GATEWAY.to_string())
}

/// Make the gateway, both targets and the rule exist and route `stable`/`canary` percent.
pub async fn route(
    c: &Clients,
    env: &Environment,
    rt: &aws_sdk_bedrockagentcorecontrol::types::AgentRuntime,
    stable: i32,
    canary: i32,
) -> Result<(), BackendError> {
    let gw = ensure_gateway(c, env).await?;
    let base = slug(rt.agent_runtime_name());
    let (stable_t, canary_t) = (format!("{base}-stable"), format!("{base}-canary"));
    ensure_target(
        c,
        &gw,
        &stable_t,
        rt.agent_runtime_arn(),
        env.stable_endpoint(),
    )
    .await?;
    ensure_target(
        c,
        &gw,
        &canary_t,
        rt.agent_runtime_arn(),
        env.canary_endpoint(),
    )
    .await?;
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
    let action = Action::RouteToTarget(action);
    let marker = format!(
        "agentcore-console canary split for {}",
        rt.agent_runtime_name()
    );
    let existing = list_rules(c, &gw)
        .await?
        .into_iter()
        .find(|r| r.description() == Some(marker.as_str()));
    match existing {
        Some(rule) => {
            c.control
                .update_gateway_rule()
                .gateway_identifier(&gw)
                .rule_id(rule.rule_id())
                .priority(rule.priority())
                .actions(action)
                .description(marker)
                .send()
                .await
                .map_err(|e| BackendError::sdk("UpdateGatewayRule", e))?;
        }
        None => {
            c.control
                .create_gateway_rule()
                .gateway_identifier(&gw)
                .priority(1)
                .actions(action)
                .description(marker)
                .send()
                .await
                .map_err(|e| BackendError::sdk("CreateGatewayRule", e))?;
        }
    }
    Ok(())
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

async fn list_rules(
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

/// Target name → weight of the first rule that routes to targets.
pub async fn rule_weights(c: &Clients, gw: &str) -> Result<Vec<(String, i32)>, BackendError> {
    let mut rules = list_rules(c, gw).await?;
    rules.sort_by_key(|r| r.priority());
    for rule in rules {
        for action in rule.actions() {
            match action {
                Action::RouteToTarget(RouteToTargetAction::WeightedRoute(w)) => {
                    return Ok(w
                        .traffic_split()
                        .iter()
                        .map(|e| (e.target_name().to_string(), e.weight()))
                        .collect());
                }
                Action::RouteToTarget(RouteToTargetAction::StaticRoute(s)) => {
                    return Ok(vec![(s.target_name().to_string(), 100)]);
                }
                _ => {}
            }
        }
    }
    Ok(vec![])
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
