//! Runtimes across environments: the matrix, one runtime in detail (every setting: `config`),
//! and waiting for a status to settle.

pub mod config;
pub mod drift;

use std::time::Duration;

use aws_sdk_bedrockagentcorecontrol::types::{AgentRuntime, AgentRuntimeEndpoint};
use aws_smithy_types::DateTime;
use futures::StreamExt;

use super::{Backend, BackendError, Clients};
use crate::domain::lineage::Lineage;
use crate::domain::runtime::log_group_name;
use crate::domain::{Endpoint, EnvRuntimes, Runtime, RuntimeDetail, RuntimeVersion, Status};

/// How many per-runtime calls run at once within one environment.
pub(crate) const PER_RUNTIME_CONCURRENCY: usize = 8;

/// Fixed width: smithy's `Format::DateTime` drops trailing zeros of the fraction.
fn iso(t: &DateTime) -> Option<String> {
    t.to_millis()
        .ok()
        .and_then(crate::domain::timestamp::rfc3339_from_ms)
}

/// Every runtime of every named environment; environments are fetched concurrently and an
/// environment that fails becomes an error entry while the others still list.
pub async fn matrix(backend: &Backend, envs: &[String]) -> Vec<EnvRuntimes> {
    let tasks = envs.iter().map(|env| async move {
        let result = env_runtimes(backend, env).await.map_err(|e| e.to_string());
        EnvRuntimes {
            env: env.clone(),
            result,
        }
    });
    futures::future::join_all(tasks).await
}

/// The runtimes of one environment, each with its endpoints.
pub async fn env_runtimes(backend: &Backend, env: &str) -> Result<Vec<Runtime>, BackendError> {
    let clients = backend.clients(env).await?;
    let summaries = list_all(&clients).await?;
    futures::stream::iter(summaries)
        .map(|s| {
            let clients = &clients;
            async move {
                let endpoints = list_endpoints(clients, s.agent_runtime_id()).await?;
                Ok(to_runtime(env, &s, endpoints))
            }
        })
        .buffered(PER_RUNTIME_CONCURRENCY)
        .collect::<Vec<Result<Runtime, BackendError>>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map(|mut list| {
            // AWS does not document an order; people scan by name.
            list.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
            list
        })
}

/// ListAgentRuntimes, every page.
pub async fn list_all(clients: &Clients) -> Result<Vec<AgentRuntime>, BackendError> {
    let pages = clients
        .control
        .list_agent_runtimes()
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    pages
        .into_iter()
        .map(|r| r.map_err(|e| BackendError::sdk("ListAgentRuntimes", e)))
        .collect()
}

/// ListAgentRuntimeEndpoints, every page.
pub async fn list_endpoints(
    clients: &Clients,
    runtime_id: &str,
) -> Result<Vec<Endpoint>, BackendError> {
    let items = clients
        .control
        .list_agent_runtime_endpoints()
        .agent_runtime_id(runtime_id)
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    items
        .into_iter()
        .map(|r| {
            r.map(|e| to_endpoint(&e))
                .map_err(|e| BackendError::sdk("ListAgentRuntimeEndpoints", e))
        })
        .collect()
}

fn to_endpoint(e: &AgentRuntimeEndpoint) -> Endpoint {
    Endpoint {
        name: e.name().to_string(),
        live_version: e.live_version().map(str::to_string),
        target_version: e.target_version().map(str::to_string),
        status: Status::parse(e.status().as_str()),
        arn: Some(e.agent_runtime_endpoint_arn().to_string()),
        description: e.description().map(str::to_string),
        failure_reason: None,
        last_updated_at: iso(e.last_updated_at()),
    }
}

fn to_runtime(env: &str, s: &AgentRuntime, endpoints: Vec<Endpoint>) -> Runtime {
    Runtime {
        env: env.to_string(),
        name: s.agent_runtime_name().to_string(),
        id: s.agent_runtime_id().to_string(),
        arn: s.agent_runtime_arn().to_string(),
        status: Status::parse(s.status().as_str()),
        latest_version: s.agent_runtime_version().to_string(),
        description: Some(s.description().to_string()).filter(|d| !d.is_empty()),
        last_updated_at: iso(s.last_updated_at()),
        endpoints,
        lineage: Lineage::parse(s.description()),
    }
}

/// Find a runtime by id or by name.
pub async fn resolve(clients: &Clients, runtime: &str) -> Result<AgentRuntime, BackendError> {
    let all = list_all(clients).await?;
    all.iter()
        .find(|r| r.agent_runtime_id() == runtime)
        .or_else(|| all.iter().find(|r| r.agent_runtime_name() == runtime))
        .cloned()
        .ok_or_else(|| BackendError::RuntimeNotFound {
            env: clients.env.name.clone(),
            runtime: runtime.to_string(),
        })
}

/// A runtime's id and versions (newest first): what a chart marks, without `show`'s reads of
/// every served version's configuration and the log groups.
pub async fn versions(
    backend: &Backend,
    env: &str,
    runtime: &str,
) -> Result<(String, Vec<RuntimeVersion>), BackendError> {
    let clients = backend.clients(env).await?;
    let id = resolve(&clients, runtime)
        .await?
        .agent_runtime_id()
        .to_string();
    let versions = list_versions(&clients, &id).await?;
    Ok((id, versions))
}

/// One runtime: its latest configuration, all versions (newest first), its endpoints, the
/// other versions they serve and each endpoint's log retention.
pub async fn show(
    backend: &Backend,
    env: &str,
    runtime: &str,
) -> Result<RuntimeDetail, BackendError> {
    let environment = backend.environment(env)?;
    let clients = backend.clients(env).await?;
    let summary = resolve(&clients, runtime).await?;
    let id = summary.agent_runtime_id();
    let latest = summary.agent_runtime_version();
    let (got, versions, endpoints, retention) = futures::join!(
        config::get_version(&clients, id, latest),
        list_versions(&clients, id),
        list_endpoints(&clients, id),
        config::retention(&clients, id),
    );
    let (got, endpoints, retention) = (got?, endpoints?, retention?);
    let mut others: Vec<&str> = endpoints
        .iter()
        .filter_map(|e| e.live_version.as_deref())
        .filter(|v| *v != latest)
        .collect();
    others.sort_by_key(|v| v.parse::<u64>().unwrap_or(0));
    others.dedup();
    let served =
        futures::future::join_all(others.iter().map(|v| config::get_version(&clients, id, v)))
            .await
            .into_iter()
            .map(|g| g.map(|g| config::to_config(environment, &g, &endpoints, &retention)))
            .collect::<Result<Vec<_>, _>>()?;
    let latest = config::to_config(environment, &got, &endpoints, &retention);
    let log_groups = endpoints
        .iter()
        .map(|e| log_group_name(id, &e.name))
        .collect();
    let log_retention = config::endpoint_retention(id, &endpoints, &retention);
    Ok(RuntimeDetail {
        runtime: to_runtime(env, &summary, endpoints),
        artifact: latest.artifact.as_ref().map(|a| a.location.clone()),
        language_runtime: latest.code_runtime.clone(),
        entry_point: latest.entry_point.clone(),
        protocol: got
            .protocol_configuration()
            .map(|p| p.server_protocol().as_str().to_string()),
        role_arn: latest.role_arn.clone(),
        failure_reason: got.failure_reason().map(str::to_string),
        created_at: iso(got.created_at()),
        log_groups,
        versions: versions?,
        latest,
        served,
        log_retention,
    })
}

/// ListAgentRuntimeVersions, every page, newest first.
pub async fn list_versions(
    clients: &Clients,
    runtime_id: &str,
) -> Result<Vec<RuntimeVersion>, BackendError> {
    let items = clients
        .control
        .list_agent_runtime_versions()
        .agent_runtime_id(runtime_id)
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut versions: Vec<RuntimeVersion> = items
        .into_iter()
        .map(|r| {
            r.map(|v| RuntimeVersion {
                version: v.agent_runtime_version().to_string(),
                status: Status::parse(v.status().as_str()),
                description: Some(v.description().to_string()).filter(|d| !d.is_empty()),
                last_updated_at: iso(v.last_updated_at()),
                lineage: Lineage::parse(v.description()),
            })
            .map_err(|e| BackendError::sdk("ListAgentRuntimeVersions", e))
        })
        .collect::<Result<_, _>>()?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.version.parse::<u64>().unwrap_or(0)));
    Ok(versions)
}

/// Poll GetAgentRuntime until the runtime (or the given version) leaves CREATING/UPDATING,
/// and return the status it settled in.
pub async fn wait_until_settled(
    clients: &Clients,
    runtime_id: &str,
    version: Option<&str>,
    timeout: Duration,
) -> Result<Status, BackendError> {
    let last = std::sync::Mutex::new(Status::Creating);
    super::wait::poll(
        timeout,
        || {
            format!(
                "{runtime_id} is still {}",
                last.lock().map(|s| s.to_string()).unwrap_or_default()
            )
        },
        || async {
            let got = clients
                .control
                .get_agent_runtime()
                .agent_runtime_id(runtime_id)
                .set_agent_runtime_version(version.map(str::to_string))
                .send()
                .await
                .map_err(|e| BackendError::sdk("GetAgentRuntime", e))?;
            let status = Status::parse(got.status().as_str());
            if let Ok(mut l) = last.lock() {
                *l = status.clone();
            }
            Ok((!status.is_transitional()).then_some(status))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_fixed_width() {
        let at = |ms| iso(&DateTime::from_millis(ms));
        assert_eq!(
            at(1_795_514_281_770).as_deref(),
            Some("2026-11-24T09:58:01.770Z")
        );
        assert_eq!(
            at(1_795_514_281_000).as_deref(),
            Some("2026-11-24T09:58:01.000Z")
        );
    }
}
