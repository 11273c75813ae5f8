//! The canary split: a stable and a canary endpoint of one runtime, and a gateway rule that
//! routes new sessions between their targets by weight (AgentCore's native canary).
//!
//! One gateway per environment (`gateway` in the environments file, else
//! `agentcore-console-gw`), two HTTP targets per runtime (`<slug>-stable`, `<slug>-canary`),
//! and one rule per runtime carrying its split, matching the runtime's own path: clients call
//! `<gatewayUrl>/<slug>/invocations` ([`rules`] has the path scheme and the priorities).
//!
//! Audit: `traffic.set` moves the canary endpoint and `traffic.promote` the stable one, so
//! their entries carry `before`/`after` as `{endpoint, version}` (what `rollback` reads)
//! beside the split `{stable, canary, weights}`; a change that failed half-way records in
//! `after` what did change, and says so in its error.

use std::time::Duration;

mod checks;
mod gateway;
mod observe;
pub mod rules;
mod splits;

use serde::Serialize;
use serde_json::json;

use self::checks::authorized;
pub use self::checks::check;
use self::gateway::{apply, prepare};
pub(crate) use self::gateway::{find_gateway, gateway_name, list_rules};
pub use self::observe::observe;
use self::rules::{RuleInfo, invocation_url, routing_rule, slug};
pub use self::splits::{Split, splits};
use super::audit::{Actor, AuditLog};
use super::deploy::{audit_entry, point, record};
use super::runtimes::{list_endpoints, resolve};
use super::{Backend, BackendError, Clients};
use crate::domain::Status;

const WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointVersion {
    pub name: String,
    pub live_version: Option<String>,
    pub target_version: Option<String>,
    pub status: Option<String>,
    /// When the endpoint last changed (RFC 3339): traffic before it served another version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_at: Option<String>,
}

/// One leg of the split: where new sessions go and with which weight (percent).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub target: String,
    pub qualifier: String,
    pub version: Option<String>,
    pub weight: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficView {
    pub env: String,
    pub runtime: String,
    pub gateway: Option<String>,
    /// Where this runtime is called through the gateway: the gateway's URL and the runtime's
    /// path, `<gatewayUrl>/<slug>/invocations`.
    pub gateway_url: Option<String>,
    pub stable: EndpointVersion,
    pub canary: EndpointVersion,
    /// The gateway rule carrying this runtime's split, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleRef>,
    /// Empty when no rule routes this runtime yet.
    pub routes: Vec<Route>,
    /// What the traffic really did, from CloudWatch (filled by [`observe`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    /// Why a change changed nothing (`abort` with no canary), to show beside the view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A gateway rule, as `traffic show` names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleRef {
    pub id: String,
    pub priority: i32,
    /// Its MatchPaths patterns (`/<slug>/*`); none: a catch-all.
    pub match_paths: Vec<String>,
}

/// The share of traffic each leg really got over a recent window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observed {
    pub window_minutes: i64,
    pub legs: Vec<ObservedLeg>,
    /// Why the metrics could not be read; the rest of the view stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
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
            last_updated_at: e.and_then(|e| e.last_updated_at.clone()),
        }
    };
    let (stable, canary) = (
        ep(environment.stable_endpoint()),
        ep(environment.canary_endpoint()),
    );
    let name = rt.agent_runtime_name();
    let mut view = TrafficView {
        env: env.to_string(),
        runtime: name.to_string(),
        gateway: None,
        gateway_url: None,
        stable,
        canary,
        rule: None,
        routes: vec![],
        observed: None,
        note: None,
    };
    let Some((gw_id, gw_url)) = find_gateway(&c, &gateway_name(&environment)).await? else {
        return Ok(view);
    };
    view.gateway = Some(gateway_name(&environment));
    view.gateway_url = gw_url.map(|u| invocation_url(&u, name));
    let rules: Vec<RuleInfo> = list_rules(&c, &gw_id)
        .await?
        .iter()
        .map(RuleInfo::from)
        .collect();
    let Some(rule) = routing_rule(&rules, name) else {
        return Ok(view);
    };
    view.rule = Some(RuleRef {
        id: rule.id.clone(),
        priority: rule.priority,
        match_paths: rule.paths.clone(),
    });
    let base = slug(name);
    let weights = rule.legs_of(name);
    for (target, endpoint) in [
        (format!("{base}-stable"), &view.stable),
        (format!("{base}-canary"), &view.canary),
    ] {
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

/// Pin the canary endpoint to `version` and send `weight`% of new sessions to it. Everything
/// is checked (the version, the weight, the stable endpoint, the gateway and targets) before
/// the canary endpoint moves.
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
    let (environment, write) = authorized(
        backend,
        (env, runtime, "traffic.set"),
        armed,
        (actor, audit),
        Some((canary_version, weight)),
    )?;
    // Up to the first change nothing is touched: a "no" found here is a refusal, audited.
    let (c, rt, before) = async {
        let c = backend.clients(env).await?;
        let rt = resolve(&c, runtime).await?;
        let versions = super::runtimes::list_versions(&c, rt.agent_runtime_id()).await?;
        match versions.iter().find(|v| v.version == canary_version) {
            None => {
                return Err(BackendError::Other(format!(
                    "{env}: runtime `{runtime}` has no version {canary_version}"
                )));
            }
            Some(v) if v.status.is_failed() || v.status == Status::Deleting => {
                return Err(BackendError::Other(format!(
                    "{env}: version {canary_version} of `{runtime}` is {}: an endpoint cannot serve it",
                    v.status
                )));
            }
            Some(_) => {}
        }
        let before = show(backend, env, runtime).await?;
        Ok((c, rt, before))
    }
    .await
    .inspect_err(|e: &BackendError| audit.refuse(actor, &write, &e.to_string()))?;
    let canary = environment.canary_endpoint();
    let result = async {
        let plan = prepare(&c, &environment, &rt, 100 - weight, weight).await?;
        point(&c, rt.agent_runtime_id(), canary, canary_version, WAIT).await?;
        apply(&c, &plan).await
    }
    .await;
    let change = Change {
        action: "traffic.set",
        moves: Some(canary),
        before,
        result,
    };
    finish(backend, &c, env, runtime, change, actor, audit).await
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
    let (environment, write) = authorized(
        backend,
        (env, runtime, "traffic.promote"),
        armed,
        (actor, audit),
        None,
    )?;
    // Up to the first change nothing is touched: a "no" found here is a refusal, audited.
    let (c, rt, before, version) = async {
        let c = backend.clients(env).await?;
        let rt = resolve(&c, runtime).await?;
        let before = show(backend, env, runtime).await?;
        let version = before.canary.live_version.clone().ok_or_else(|| {
            BackendError::Other(format!(
                "{env}: `{runtime}` has no canary endpoint serving a version to promote"
            ))
        })?;
        Ok((c, rt, before, version))
    }
    .await
    .inspect_err(|e: &BackendError| audit.refuse(actor, &write, &e.to_string()))?;
    let stable = environment.stable_endpoint();
    let result = async {
        let plan = prepare(&c, &environment, &rt, 100, 0).await?;
        point(&c, rt.agent_runtime_id(), stable, &version, WAIT).await?;
        apply(&c, &plan).await
    }
    .await;
    let change = Change {
        action: "traffic.promote",
        moves: Some(stable),
        before,
        result,
    };
    finish(backend, &c, env, runtime, change, actor, audit).await
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
    let (environment, _) = authorized(
        backend,
        (env, runtime, "traffic.abort"),
        armed,
        (actor, audit),
        None,
    )?;
    let c = backend.clients(env).await?;
    let rt = resolve(&c, runtime).await?;
    let before = show(backend, env, runtime).await?;
    // Nothing routes to the canary: the state an abort asks for already holds, so it is no
    // failure (an alarm's abort must not page for a no-op), but it says so and writes nothing.
    if let Some(why) = no_canary(&before) {
        return Ok(TrafficView {
            note: Some(format!("no canary to abort: {why}; nothing changed")),
            ..before
        });
    }
    let result = async {
        let plan = prepare(&c, &environment, &rt, 100, 0).await?;
        apply(&c, &plan).await
    }
    .await;
    let change = Change {
        action: "traffic.abort",
        moves: None,
        before,
        result,
    };
    finish(backend, &c, env, runtime, change, actor, audit).await
}

/// Why no new session goes to the canary, if none does.
fn no_canary(v: &TrafficView) -> Option<String> {
    let canary = slug_target(&v.runtime, "canary");
    if v.routes.iter().any(|r| r.target == canary && r.weight > 0) {
        return None;
    }
    let stable = match &v.stable.live_version {
        Some(n) => format!("`{}` (version {n})", v.stable.name),
        None => format!("`{}`", v.stable.name),
    };
    Some(if v.routes.is_empty() {
        format!(
            "no gateway rule splits `{}`'s traffic, so nothing goes to `{}` through the gateway",
            v.runtime, v.canary.name
        )
    } else {
        format!(
            "every new session of `{}` already goes to {stable}",
            v.runtime
        )
    })
}

fn slug_target(runtime: &str, leg: &str) -> String {
    format!("{}-{leg}", slug(runtime))
}

/// A traffic mutation as it went: what it was, the endpoint it moves, the state before it.
struct Change<'a> {
    action: &'a str,
    moves: Option<&'a str>,
    before: TrafficView,
    result: Result<(), BackendError>,
}

/// Audit a change with what is true after it (read back, also after a failure), and turn a
/// failure that left something changed into an error that says what.
async fn finish(
    backend: &Backend,
    c: &Clients,
    env: &str,
    runtime: &str,
    change: Change<'_>,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<TrafficView, BackendError> {
    let Change {
        action,
        moves,
        before,
        result,
    } = change;
    let after = show(backend, env, runtime).await;
    let result = match (result, after.as_ref().ok()) {
        (Err(e), Some(now)) => Err(partly(action, moves, &before, now, e)),
        (r, _) => r,
    };
    let after_json = after
        .as_ref()
        .map(|a| summary(a, moves))
        .unwrap_or_default();
    record(
        audit,
        audit_entry(
            c,
            env,
            action,
            runtime,
            summary(&before, moves),
            after_json,
            &result,
            actor,
        )
        .await,
    )?;
    result?;
    after.map_err(|e| {
        BackendError::Other(format!(
            "the change was made but could not be read back: {e}"
        ))
    })
}

/// The audit record of a view: the split, and the endpoint a change moves with its version
/// (the shape `rollback` looks for).
fn summary(v: &TrafficView, moves: Option<&str>) -> serde_json::Value {
    let mut out = json!({
        "stable": v.stable.live_version, "canary": v.canary.live_version,
        "weights": v.routes.iter().map(|r| json!({"target": r.target, "weight": r.weight})).collect::<Vec<_>>(),
    });
    if let Some(ep) = moves {
        out["endpoint"] = json!(ep);
        out["version"] = json!(leg(v, ep).and_then(|e| e.live_version.clone()));
    }
    out
}

fn leg<'a>(v: &'a TrafficView, endpoint: &str) -> Option<&'a EndpointVersion> {
    [&v.stable, &v.canary]
        .into_iter()
        .find(|e| e.name == endpoint)
}

/// A failed change's error, saying what did change before it failed.
fn partly(
    action: &str,
    moves: Option<&str>,
    before: &TrafficView,
    now: &TrafficView,
    err: BackendError,
) -> BackendError {
    let version = |v: &TrafficView, ep: &str| leg(v, ep).and_then(|e| e.live_version.clone());
    let moved = moves.filter(|ep| version(before, ep) != version(now, ep));
    let Some(ep) = moved else {
        return err;
    };
    let weights = |v: &TrafficView| {
        v.routes
            .iter()
            .map(|r| format!("{} {}%", r.target, r.weight))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let split = if weights(before) == weights(now) {
        "the split was not changed".to_string()
    } else {
        format!("the split is now {}", weights(now))
    };
    BackendError::Other(format!(
        "{action} half done: endpoint `{ep}` now serves version {} (was {}), but {split}: {err}",
        version(now, ep).as_deref().unwrap_or("none"),
        version(before, ep).as_deref().unwrap_or("none"),
    ))
}
