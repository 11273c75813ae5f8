//! The canary split: a stable and a canary endpoint of one runtime, and a gateway rule that
//! routes new sessions between their targets by weight (AgentCore's native canary).
//!
//! One gateway per environment (`gateway` in the environments file, else
//! `agentcore-console-gw`), two HTTP targets per runtime (`<runtime>-stable`,
//! `<runtime>-canary`), and one catch-all rule per gateway carrying the split, as AWS's
//! preview canary shapes it: a canary split is per gateway.

use std::time::Duration;

use aws_sdk_bedrockagentcorecontrol::types::{
    Action, AuthorizerType, HttpTargetConfiguration, RouteToTargetAction,
    RuntimeTargetConfiguration, StaticRoute, TargetConfiguration, TargetTrafficSplitEntry,
    WeightedRoute,
};
use serde::Serialize;
use serde_json::json;

use super::audit::{Actor, AuditLog};
use super::deploy::{audit_entry, point, record};
use super::runtimes::{list_endpoints, resolve};
use super::{Backend, BackendError, Clients, guard};
use crate::domain::Environment;

const DEFAULT_GATEWAY: &str = "agentcore-console-gw";
const WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointVersion {
    pub name: String,
    pub live_version: Option<String>,
    pub target_version: Option<String>,
    pub status: Option<String>,
}

/// One leg of the split: where new sessions go and with which weight (percent).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub target: String,
    pub qualifier: String,
    pub version: Option<String>,
    pub weight: i32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficView {
    pub env: String,
    pub runtime: String,
    pub gateway: Option<String>,
    pub gateway_url: Option<String>,
    pub stable: EndpointVersion,
    pub canary: EndpointVersion,
    /// Empty when no rule routes this runtime yet.
    pub routes: Vec<Route>,
}

fn slug(runtime: &str) -> String {
    runtime.replace('_', "-")
}

fn gateway_name(env: &Environment) -> String {
    env.gateway
        .clone()
        .unwrap_or_else(|| DEFAULT_GATEWAY.to_string())
}

/// Endpoints → versions and the gateway split of one runtime.
pub async fn show(
    backend: &Backend,
    env: &str,
    runtime: &str,
) -> Result<TrafficView, BackendError> {
    let environment = backend.environment(env)?.clone();
    let c = backend.clients(env).await?;
    let rt = resolve(&c, runtime).await?;
    let endpoints = list_endpoints(&c, rt.agent_runtime_id()).await?;
    let ep = |name: &str| {
        let e = endpoints.iter().find(|e| e.name == name);
        EndpointVersion {
            name: name.to_string(),
            live_version: e.and_then(|e| e.live_version.clone()),
            target_version: e.and_then(|e| e.target_version.clone()),
            status: e.map(|e| e.status.to_string()),
        }
    };
    let (stable, canary) = (
        ep(environment.stable_endpoint()),
        ep(environment.canary_endpoint()),
    );
    let mut view = TrafficView {
        env: env.to_string(),
        runtime: rt.agent_runtime_name().to_string(),
        gateway: None,
        gateway_url: None,
        stable,
        canary,
        routes: vec![],
    };
    let Some((gw_id, gw_url)) = find_gateway(&c, &gateway_name(&environment)).await? else {
        return Ok(view);
    };
    view.gateway = Some(gateway_name(&environment));
    view.gateway_url = gw_url;
    let base = slug(rt.agent_runtime_name());
    let legs = [
        (format!("{base}-stable"), &view.stable),
        (format!("{base}-canary"), &view.canary),
    ];
    let weights = rule_weights(&c, &gw_id).await?;
    for (target, endpoint) in legs {
        if let Some(weight) = weights.iter().find(|(t, _)| *t == target).map(|(_, w)| *w) {
            view.routes.push(Route {
                target,
                qualifier: endpoint.name.clone(),
                version: endpoint.live_version.clone(),
                weight,
            });
        }
    }
    Ok(view)
}

/// Pin the canary endpoint to `version` and send `weight`% of new sessions to it.
#[allow(clippy::too_many_arguments)]
pub async fn set(
    backend: &Backend,
    env: &str,
    runtime: &str,
    canary_version: &str,
    weight: i32,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<TrafficView, BackendError> {
    if !(0..=100).contains(&weight) {
        return Err(BackendError::Other(format!(
            "weight {weight} is outside 0..100"
        )));
    }
    let environment = backend.environment(env)?.clone();
    guard::ensure_writable(&environment, armed, "traffic set")?;
    let c = backend.clients(env).await?;
    let rt = resolve(&c, runtime).await?;
    let versions = super::runtimes::list_versions(&c, rt.agent_runtime_id()).await?;
    if !versions.iter().any(|v| v.version == canary_version) {
        return Err(BackendError::Other(format!(
            "{env}: runtime `{runtime}` has no version {canary_version}"
        )));
    }
    let before = show(backend, env, runtime).await?;
    let result = async {
        point(
            &c,
            rt.agent_runtime_id(),
            environment.canary_endpoint(),
            canary_version,
            WAIT,
        )
        .await?;
        route(&c, &environment, &rt, 100 - weight, weight).await
    }
    .await;
    finish(
        backend,
        &c,
        env,
        runtime,
        "traffic.set",
        before,
        result,
        actor,
        audit,
    )
    .await
}

/// Move the stable endpoint to the canary's version and send everything to stable.
pub async fn promote(
    backend: &Backend,
    env: &str,
    runtime: &str,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<TrafficView, BackendError> {
    let environment = backend.environment(env)?.clone();
    guard::ensure_writable(&environment, armed, "traffic promote")?;
    let c = backend.clients(env).await?;
    let rt = resolve(&c, runtime).await?;
    let before = show(backend, env, runtime).await?;
    let version = before.canary.live_version.clone().ok_or_else(|| {
        BackendError::Other(format!(
            "{env}: `{runtime}` has no canary endpoint serving a version to promote"
        ))
    })?;
    let result = async {
        point(
            &c,
            rt.agent_runtime_id(),
            environment.stable_endpoint(),
            &version,
            WAIT,
        )
        .await?;
        route(&c, &environment, &rt, 100, 0).await
    }
    .await;
    finish(
        backend,
        &c,
        env,
        runtime,
        "traffic.promote",
        before,
        result,
        actor,
        audit,
    )
    .await
}

/// Send every new session to stable; the canary endpoint stays where it is.
pub async fn abort(
    backend: &Backend,
    env: &str,
    runtime: &str,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<TrafficView, BackendError> {
    let environment = backend.environment(env)?.clone();
    guard::ensure_writable(&environment, armed, "traffic abort")?;
    let c = backend.clients(env).await?;
    let rt = resolve(&c, runtime).await?;
    let before = show(backend, env, runtime).await?;
    let result = route(&c, &environment, &rt, 100, 0).await;
    finish(
        backend,
        &c,
        env,
        runtime,
        "traffic.abort",
        before,
        result,
        actor,
        audit,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn finish(
    backend: &Backend,
    c: &Clients,
    env: &str,
    runtime: &str,
    action: &str,
    before: TrafficView,
    result: Result<(), BackendError>,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<TrafficView, BackendError> {
    let after = match &result {
        Ok(()) => show(backend, env, runtime).await.ok(),
        Err(_) => None,
    };
    let summary = |v: &TrafficView| {
        json!({
            "stable": v.stable.live_version, "canary": v.canary.live_version,
            "weights": v.routes.iter().map(|r| json!({"target": r.target, "weight": r.weight})).collect::<Vec<_>>(),
        })
    };
    let after_json = after.as_ref().map(summary).unwrap_or_default();
    record(
        audit,
        audit_entry(
            c,
            env,
            action,
            runtime,
            summary(&before),
            after_json,
            &result,
            actor,
        )
        .await,
    )?;
    result?;
    after
        .ok_or_else(|| BackendError::Other("the change was made but could not be read back".into()))
}

/// Make the gateway, both targets and the rule exist and route `stable`/`canary` percent.
async fn route(
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
async fn find_gateway(
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
async fn rule_weights(c: &Clients, gw: &str) -> Result<Vec<(String, i32)>, BackendError> {
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

async fn wait_ready<F, Fut>(status: F) -> Result<(), BackendError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<String, BackendError>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut delay = Duration::from_millis(50);
    loop {
        let s = status().await?;
        match s.as_str() {
            "READY" => return Ok(()),
            "CREATING" | "UPDATING" | "SYNCHRONIZING" => {}
            other => return Err(BackendError::Other(format!("gateway resource is {other}"))),
        }
        if tokio::time::Instant::now() + delay > deadline {
            return Err(BackendError::Other(format!(
                "gateway resource still {s} after {}s",
                WAIT.as_secs()
            )));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}
