//! The canary split: a stable and a canary endpoint of one runtime, and a gateway rule that
//! routes new sessions between their targets by weight (AgentCore's native canary).
//!
//! One gateway per environment (`gateway` in the environments file, else
//! `agentcore-console-gw`), two HTTP targets per runtime (`<runtime>-stable`,
//! `<runtime>-canary`), and one catch-all rule per gateway carrying the split, as AWS's
//! preview canary shapes it: a canary split is per gateway.

use std::time::Duration;

mod gateway;

use serde::Serialize;
use serde_json::json;

use self::gateway::{find_gateway, gateway_name, route, rule_weights, slug};
use super::audit::{Actor, AuditLog};
use super::deploy::{audit_entry, point, record};
use super::runtimes::{list_endpoints, resolve};
use super::{Backend, BackendError, Clients, guard};

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
    /// What the traffic really did, from CloudWatch (filled by [`observe`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
}

/// The share of traffic each leg really got over a recent window.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observed {
    pub window_minutes: i64,
    pub legs: Vec<ObservedLeg>,
    /// Why the metrics could not be read; the rest of the view stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedLeg {
    pub qualifier: String,
    pub version: Option<String>,
    pub sessions: f64,
    pub invocations: f64,
    /// Percent of the new sessions of both legs (what the weights split).
    pub session_share: Option<f64>,
    pub invocation_share: Option<f64>,
    pub error_rate: Option<f64>,
}

/// Add the observed share of each leg over the last `minutes` to a view.
pub async fn observe(backend: &Backend, mut view: TrafficView, minutes: i64) -> TrafficView {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let window = super::metrics::Window {
        start: now - minutes * 60,
        end: now,
        period: 60,
    };
    let target = [(view.env.clone(), view.runtime.clone())];
    let fetched = super::metrics::fetch(backend, &target, window).await;
    let mut observed = Observed {
        window_minutes: minutes,
        legs: vec![],
        error: None,
    };
    match fetched {
        Err(e) => observed.error = Some(e.to_string()),
        Ok(all) => {
            let m = all.first();
            let legs: Vec<_> = [&view.stable, &view.canary]
                .into_iter()
                .map(|ep| {
                    let t = m
                        .and_then(|m| m.endpoint(&ep.name))
                        .map(|e| e.totals.clone());
                    (ep, t.unwrap_or_default())
                })
                .collect();
            let sessions: f64 = legs.iter().map(|(_, t)| t.sessions).sum();
            let invocations: f64 = legs.iter().map(|(_, t)| t.invocations).sum();
            let share = |part: f64, all: f64| (all > 0.0).then(|| 100.0 * part / all);
            observed.legs = legs
                .into_iter()
                .map(|(ep, t)| ObservedLeg {
                    qualifier: ep.name.clone(),
                    version: ep.live_version.clone(),
                    sessions: t.sessions,
                    invocations: t.invocations,
                    session_share: share(t.sessions, sessions),
                    invocation_share: share(t.invocations, invocations),
                    error_rate: t.error_rate,
                })
                .collect();
        }
    }
    view.observed = Some(observed);
    view
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
        observed: None,
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
