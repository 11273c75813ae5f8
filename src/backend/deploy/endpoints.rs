//! Moving endpoints between versions, waiting for them, and rolling back.

use std::time::Duration;

use aws_sdk_bedrockagentcorecontrol::operation::get_agent_runtime_endpoint::GetAgentRuntimeEndpointOutput;
use serde_json::json;

use super::super::audit::{Actor, AuditLog};
use super::super::runtimes::resolve;
use super::super::{Backend, BackendError, Clients, guard};
use super::{audit_entry, record};
use crate::domain::Status;

/// Where an endpoint pointed before and after a move.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointMove {
    pub endpoint: String,
    pub from: Option<String>,
    pub to: String,
    pub created: bool,
}

/// GetAgentRuntimeEndpoint, or None if the endpoint does not exist.
async fn get_endpoint(
    c: &Clients,
    runtime_id: &str,
    endpoint: &str,
) -> Result<Option<GetAgentRuntimeEndpointOutput>, BackendError> {
    let got = c
        .control
        .get_agent_runtime_endpoint()
        .agent_runtime_id(runtime_id)
        .endpoint_name(endpoint)
        .send()
        .await
        .map_err(|e| BackendError::sdk("GetAgentRuntimeEndpoint", e));
    BackendError::absent_as_none(got)
}

/// The live version of an endpoint, or None if the endpoint does not exist.
pub async fn live_version(
    c: &Clients,
    runtime_id: &str,
    endpoint: &str,
) -> Result<Option<String>, BackendError> {
    Ok(get_endpoint(c, runtime_id, endpoint)
        .await?
        .and_then(|ep| ep.live_version().map(str::to_string)))
}

/// Point `endpoint` (created if absent) at `version` and wait until it serves it.
pub async fn point(
    c: &Clients,
    runtime_id: &str,
    endpoint: &str,
    version: &str,
    timeout: Duration,
) -> Result<EndpointMove, BackendError> {
    let (from, created) = match get_endpoint(c, runtime_id, endpoint).await? {
        Some(ep) => {
            c.control
                .update_agent_runtime_endpoint()
                .agent_runtime_id(runtime_id)
                .endpoint_name(endpoint)
                .agent_runtime_version(version)
                .send()
                .await
                .map_err(|e| BackendError::sdk("UpdateAgentRuntimeEndpoint", e))?;
            (ep.live_version().map(str::to_string), false)
        }
        None => {
            c.control
                .create_agent_runtime_endpoint()
                .agent_runtime_id(runtime_id)
                .name(endpoint)
                .agent_runtime_version(version)
                .send()
                .await
                .map_err(|e| BackendError::sdk("CreateAgentRuntimeEndpoint", e))?;
            (None, true)
        }
    };
    wait_endpoint(c, runtime_id, endpoint, version, timeout).await?;
    Ok(EndpointMove {
        endpoint: endpoint.to_string(),
        from,
        to: version.to_string(),
        created,
    })
}

/// Poll until `endpoint` is READY serving `version`; a failure ends the wait with its reason.
pub async fn wait_endpoint(
    c: &Clients,
    runtime_id: &str,
    endpoint: &str,
    version: &str,
    timeout: Duration,
) -> Result<(), BackendError> {
    super::super::wait::poll(
        timeout,
        || format!("endpoint {endpoint} does not serve version {version}"),
        || async {
            let ep = c
                .control
                .get_agent_runtime_endpoint()
                .agent_runtime_id(runtime_id)
                .endpoint_name(endpoint)
                .send()
                .await
                .map_err(|e| BackendError::sdk("GetAgentRuntimeEndpoint", e))?;
            let status = Status::parse(ep.status().as_str());
            if status.is_failed() {
                return Err(BackendError::Other(format!(
                    "endpoint {endpoint} is {status}: {}",
                    ep.failure_reason().unwrap_or("no reason given")
                )));
            }
            Ok((status == Status::Ready && ep.live_version() == Some(version)).then_some(()))
        },
    )
    .await
}

/// Move an endpoint back: to `to_version`, or to the version it served before its last
/// audited move, or else to the newest READY version older than the one it serves.
#[allow(clippy::too_many_arguments)]
pub async fn rollback(
    backend: &Backend,
    env: &str,
    runtime: &str,
    endpoint: &str,
    to_version: Option<&str>,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<EndpointMove, BackendError> {
    let environment = backend.environment(env)?.clone();
    guard::ensure_writable(&environment, armed, "rollback")?;
    let c = backend.clients(env).await?;
    let rt = resolve(&c, runtime).await?;
    let id = rt.agent_runtime_id().to_string();
    let live = live_version(&c, &id, endpoint).await?.ok_or_else(|| {
        BackendError::Other(format!(
            "{env}: runtime `{runtime}` has no endpoint `{endpoint}` serving a version"
        ))
    })?;
    let target = match to_version {
        Some(v) => {
            let versions = super::super::runtimes::list_versions(&c, &id).await?;
            if !versions.iter().any(|x| x.version == v) {
                return Err(BackendError::Other(format!(
                    "{env}: runtime `{runtime}` has no version {v}"
                )));
            }
            v.to_string()
        }
        None => previous_version(&c, audit, env, &rt, endpoint, &live).await?,
    };
    if target == live {
        return Err(BackendError::Other(format!(
            "endpoint {endpoint} already serves version {live}"
        )));
    }
    let before = json!({ "endpoint": endpoint, "version": live });
    let result = point(&c, &id, endpoint, &target, Duration::from_secs(300)).await;
    let after = json!({ "endpoint": endpoint, "version": target });
    record(
        audit,
        audit_entry(
            &c,
            env,
            "rollback",
            rt.agent_runtime_name(),
            before,
            after,
            &result,
            actor,
        )
        .await,
    )?;
    result
}

async fn previous_version(
    c: &Clients,
    audit: &AuditLog,
    env: &str,
    rt: &aws_sdk_bedrockagentcorecontrol::types::AgentRuntime,
    endpoint: &str,
    live: &str,
) -> Result<String, BackendError> {
    let entries = audit.read()?;
    let from_audit = entries.iter().rev().find_map(|e| {
        let ours = e.env == env
            && e.result == "ok"
            && (e.target == rt.agent_runtime_name() || e.target == rt.agent_runtime_id())
            && e.after["endpoint"] == endpoint
            && e.after["version"] == live;
        ours.then(|| e.before["version"].as_str().map(str::to_string))
            .flatten()
    });
    if let Some(v) = from_audit.filter(|v| v != live) {
        return Ok(v);
    }
    let live_n: u64 = live.parse().unwrap_or(0);
    let versions = super::super::runtimes::list_versions(c, rt.agent_runtime_id()).await?;
    versions
        .iter()
        .filter(|v| v.status == Status::Ready && v.version.parse::<u64>().is_ok_and(|n| n < live_n))
        .map(|v| v.version.clone())
        .next()
        .ok_or_else(|| {
            BackendError::Other(format!(
                "no earlier READY version than {live} to roll back to"
            ))
        })
}
