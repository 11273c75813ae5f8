//! Which runtimes of an environment differ from the posture it configures (the matrix's mark).
//! Cost: nothing in an environment that configures no posture; else one GetAgentRuntime per
//! runtime, re-read only when the runtime's `lastUpdatedAt` or the compared version changed,
//! and, when the environment configures a retention, one DescribeLogGroups page set for all
//! its runtimes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::config::get_version;
use crate::backend::{Backend, BackendError, Clients, posture};
use crate::domain::posture::Posture;
use crate::domain::runtime::log_group_name;
use crate::domain::version_config::{PostureDrift, posture_drift};
use crate::domain::{Environment, Runtime};

/// `(env, runtime id)`.
type Key = (String, String);
/// `lastUpdatedAt`, the version compared, its posture.
type Seen = (Option<String>, String, Posture);

/// What was read per runtime, kept while the runtime does not change.
#[derive(Default)]
pub struct DriftCache {
    seen: Mutex<HashMap<Key, Seen>>,
}

/// Runtime id → the settings that differ (absent: the runtime matches).
pub type EnvDrift = BTreeMap<String, Vec<PostureDrift>>;

/// The version compared, and the endpoint it was chosen through: what the stable endpoint
/// serves, else the latest (through DEFAULT).
fn compared(env: &Environment, rt: &Runtime) -> (String, String) {
    let stable = env.stable_endpoint();
    rt.endpoints
        .iter()
        .find(|e| e.name == stable)
        .and_then(|e| e.live_version.clone())
        .map(|v| (v, stable.to_string()))
        .unwrap_or_else(|| (rt.latest_version.clone(), "DEFAULT".into()))
}

/// One DescribeLogGroups page set over every AgentCore runtime log group of the environment.
async fn all_retention(clients: &Clients) -> Result<HashMap<String, Option<u32>>, BackendError> {
    let items = clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(log_group_name("", "").trim_end_matches('-'))
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut out = HashMap::new();
    for g in items {
        let g = g.map_err(|e| BackendError::sdk("DescribeLogGroups", e))?;
        if let Some(n) = g.log_group_name() {
            out.insert(
                n.to_string(),
                g.retention_in_days().map(|d| d.max(0) as u32),
            );
        }
    }
    Ok(out)
}

/// The drift of each runtime of `env` (listed by the caller) from the environment's posture.
pub async fn env_drift(
    backend: &Backend,
    env: &str,
    runtimes: &[Runtime],
) -> Result<EnvDrift, BackendError> {
    let environment = backend.environment(env)?;
    let wanted = &environment.posture;
    if !wanted.is_configured() || runtimes.is_empty() {
        return Ok(EnvDrift::new());
    }
    let clients = backend.clients(env).await?;
    let retention = match wanted.log_retention_days {
        Some(_) => Some(all_retention(&clients).await?),
        None => None,
    };
    let mut postures = Vec::with_capacity(runtimes.len());
    // Chunks, not a buffered stream: a named async fn over borrowed data keeps the TUI
    // worker's future `Send`.
    for chunk in runtimes.chunks(super::PER_RUNTIME_CONCURRENCY) {
        let reads = chunk
            .iter()
            .map(|rt| read_one(&clients, &backend.drift, environment, rt));
        postures.extend(futures::future::join_all(reads).await);
    }
    let mut out = EnvDrift::new();
    for r in postures {
        let (rt, via, mut p) = r?;
        if let Some(groups) = &retention {
            p.log_retention_days = groups.get(&log_group_name(&rt.id, &via)).copied().flatten();
        }
        let d = posture_drift(&p, wanted);
        if !d.is_empty() {
            out.insert(rt.id.clone(), d);
        }
    }
    Ok(out)
}

/// The posture of the version `rt` is compared at, from the cache while `rt` is unchanged;
/// with the endpoint it was chosen through.
async fn read_one<'a>(
    clients: &Clients,
    cache: &DriftCache,
    environment: &Environment,
    rt: &'a Runtime,
) -> Result<(&'a Runtime, String, Posture), BackendError> {
    let (version, via) = compared(environment, rt);
    let key = (environment.name.clone(), rt.id.clone());
    let cached = cache.seen.lock().ok().and_then(|m| {
        m.get(&key)
            .filter(|(at, v, _)| *at == rt.last_updated_at && *v == version)
            .map(|(_, _, p)| p.clone())
    });
    if let Some(p) = cached {
        return Ok((rt, via, p));
    }
    let got = get_version(clients, &rt.id, &version).await?;
    let p = posture::read(
        got.network_configuration(),
        got.authorizer_configuration(),
        got.lifecycle_configuration(),
        got.protocol_configuration(),
        got.request_header_configuration(),
    );
    if let Ok(mut m) = cache.seen.lock() {
        m.insert(key, (rt.last_updated_at.clone(), version, p.clone()));
    }
    Ok((rt, via, p))
}
