//! A version's full configuration (one GetAgentRuntime with the version), the log retention of
//! a runtime's endpoints (one paged DescribeLogGroups by the runtime's prefix), and two
//! versions compared for `runtime diff`.

use std::collections::BTreeMap;

use aws_sdk_bedrockagentcorecontrol::operation::get_agent_runtime::GetAgentRuntimeOutput;
use aws_sdk_bedrockagentcorecontrol::types::{AgentRuntimeArtifact, Code};

use super::{list_endpoints, resolve};
use crate::backend::{Backend, BackendError, Clients, posture};
use crate::domain::runtime::log_group_name;
use crate::domain::version_config::{Artifact, EndpointRetention, RuntimeDiff, VersionConfig};
use crate::domain::{Endpoint, Environment};

/// Endpoint name → `retentionInDays` of its log group, for the groups that exist.
pub type Retention = BTreeMap<String, Option<u32>>;

/// DescribeLogGroups with the runtime's prefix, every page: one call set per runtime.
pub async fn retention(clients: &Clients, runtime_id: &str) -> Result<Retention, BackendError> {
    let prefix = log_group_name(runtime_id, "");
    let items = clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(&prefix)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut out = Retention::new();
    for g in items {
        let g = g.map_err(|e| BackendError::sdk("DescribeLogGroups", e))?;
        if let Some(ep) = g
            .log_group_name()
            .and_then(|n| n.strip_prefix(prefix.as_str()))
        {
            out.insert(
                ep.to_string(),
                g.retention_in_days().map(|d| d.max(0) as u32),
            );
        }
    }
    Ok(out)
}

/// Each endpoint's log group and its retention.
pub fn endpoint_retention(
    runtime_id: &str,
    endpoints: &[Endpoint],
    r: &Retention,
) -> Vec<EndpointRetention> {
    endpoints
        .iter()
        .map(|e| EndpointRetention {
            endpoint: e.name.clone(),
            log_group: log_group_name(runtime_id, &e.name),
            exists: r.contains_key(&e.name),
            retention_in_days: r.get(&e.name).copied().flatten(),
        })
        .collect()
}

/// The version a side of a diff shows by default: what the stable endpoint serves, else
/// DEFAULT's live version, else the latest.
pub fn default_version(env: &Environment, endpoints: &[Endpoint], latest: &str) -> String {
    let live = |name: &str| {
        endpoints
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.live_version.clone())
    };
    live(env.stable_endpoint())
        .or_else(|| live("DEFAULT"))
        .unwrap_or_else(|| latest.to_string())
}

/// GetAgentRuntime for one version; an unknown version is named as such.
pub async fn get_version(
    clients: &Clients,
    runtime_id: &str,
    version: &str,
) -> Result<GetAgentRuntimeOutput, BackendError> {
    let got = clients
        .control
        .get_agent_runtime()
        .agent_runtime_id(runtime_id)
        .agent_runtime_version(version)
        .send()
        .await
        .map_err(|e| BackendError::sdk("GetAgentRuntime", e));
    match got {
        Err(e)
            if matches!(
                e.code(),
                Some("ResourceNotFoundException" | "ValidationException")
            ) =>
        {
            Err(BackendError::VersionNotFound {
                env: clients.env.name.clone(),
                runtime: runtime_id.to_string(),
                version: version.to_string(),
            })
        }
        other => other,
    }
}

/// A GetAgentRuntime answer as the domain value. Variable values are dropped here, never
/// copied: only the names leave this function.
pub fn to_config(
    env: &Environment,
    got: &GetAgentRuntimeOutput,
    endpoints: &[Endpoint],
    retention: &Retention,
) -> VersionConfig {
    let version = got.agent_runtime_version().to_string();
    let (artifact, code_runtime, entry_point) = match got.agent_runtime_artifact() {
        Some(AgentRuntimeArtifact::ContainerConfiguration(c)) => {
            (Some(Artifact::container(c.container_uri())), None, vec![])
        }
        Some(AgentRuntimeArtifact::CodeConfiguration(c)) => (
            match c.code() {
                Some(Code::S3(s3)) => Some(Artifact::code(s3.bucket(), s3.prefix())),
                _ => None,
            },
            Some(c.runtime().as_str().to_string()),
            c.entry_point().to_vec(),
        ),
        _ => (None, None, vec![]),
    };
    let mut variable_names: Vec<String> = got
        .environment_variables()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    variable_names.sort();
    let served_by: Vec<String> = endpoints
        .iter()
        .filter(|e| e.live_version.as_deref() == Some(version.as_str()))
        .map(|e| e.name.clone())
        .collect();
    let retention_from = retention_endpoint(env, &served_by, retention);
    let mut p = posture::read(
        got.network_configuration(),
        got.authorizer_configuration(),
        got.lifecycle_configuration(),
        got.protocol_configuration(),
        got.request_header_configuration(),
    );
    p.log_retention_days = retention_from
        .as_ref()
        .and_then(|e| retention.get(e).copied().flatten());
    VersionConfig {
        env: env.name.clone(),
        runtime_id: got.agent_runtime_id().to_string(),
        version,
        status: got.status().as_str().to_string(),
        artifact,
        code_runtime,
        entry_point,
        variable_names,
        role_arn: Some(got.role_arn().to_string()).filter(|r| !r.is_empty()),
        posture: p,
        retention_from,
        served_by,
    }
}

/// Whose log group's retention a version gets: an endpoint serving it whose group exists (the
/// stable one first, then DEFAULT, then the others), else the first serving it, else (a
/// version nothing serves) the stable endpoint's or DEFAULT's group.
fn retention_endpoint(env: &Environment, served_by: &[String], r: &Retention) -> Option<String> {
    let preferred = [env.stable_endpoint(), "DEFAULT"];
    let mut serving: Vec<&str> = preferred
        .iter()
        .copied()
        .filter(|p| served_by.iter().any(|s| s == p))
        .collect();
    serving.extend(
        served_by
            .iter()
            .map(String::as_str)
            .filter(|s| !preferred.contains(s)),
    );
    serving
        .iter()
        .find(|s| r.contains_key(**s))
        .or_else(|| serving.first())
        .or_else(|| preferred.iter().find(|p| r.contains_key(**p)))
        .map(|s| s.to_string())
}

/// One side of a diff: an environment and, optionally, a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffSide {
    pub env: String,
    pub version: Option<String>,
    /// Without a version, take the latest (not what the stable endpoint serves): the second
    /// side of a diff within one environment.
    pub latest_by_default: bool,
}

/// One version of `runtime` in one environment, fully (the side's default version when none
/// is named).
pub async fn side_config(
    backend: &Backend,
    runtime: &str,
    side: &DiffSide,
) -> Result<VersionConfig, BackendError> {
    let env = backend.environment(&side.env)?;
    let clients = backend.clients(&side.env).await?;
    let summary = resolve(&clients, runtime).await?;
    let id = summary.agent_runtime_id();
    let (endpoints, retention) =
        futures::join!(list_endpoints(&clients, id), retention(&clients, id));
    let endpoints = endpoints?;
    let retention = retention?;
    let latest = summary.agent_runtime_version();
    let version = match &side.version {
        Some(v) => v.clone(),
        None if side.latest_by_default => latest.to_string(),
        None => default_version(env, &endpoints, latest),
    };
    let got = get_version(&clients, id, &version).await?;
    Ok(to_config(env, &got, &endpoints, &retention))
}

/// Two versions of one runtime (same or different environments) and what differs.
pub async fn diff(
    backend: &Backend,
    runtime: &str,
    left: &DiffSide,
    right: &DiffSide,
) -> Result<RuntimeDiff, BackendError> {
    let (l, r) = futures::join!(
        side_config(backend, runtime, left),
        side_config(backend, runtime, right)
    );
    Ok(RuntimeDiff::new(l?, r?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;

    fn ep(name: &str, live: Option<&str>) -> Endpoint {
        Endpoint {
            name: name.into(),
            live_version: live.map(str::to_string),
            target_version: live.map(str::to_string),
            status: Status::Ready,
            arn: None,
            description: None,
            failure_reason: None,
            last_updated_at: None,
        }
    }

    #[test]
    fn default_version_is_the_stable_endpoints_else_defaults_else_latest() {
        let env = Environment::default();
        let eps = [ep("DEFAULT", Some("3")), ep("live", Some("2"))];
        assert_eq!(default_version(&env, &eps, "3"), "2");
        assert_eq!(default_version(&env, &eps[..1], "4"), "3");
        assert_eq!(default_version(&env, &[ep("DEFAULT", None)], "4"), "4");
    }

    #[test]
    fn retention_comes_from_the_stable_endpoint_serving_the_version_first() {
        let env = Environment::default();
        let r: Retention = [("DEFAULT".to_string(), Some(7)), ("live".into(), Some(90))].into();
        let both = ["DEFAULT".to_string(), "live".to_string()];
        assert_eq!(retention_endpoint(&env, &both, &r).as_deref(), Some("live"));
        assert_eq!(
            retention_endpoint(&env, &["canary".to_string()], &r).as_deref(),
            Some("canary")
        );
        assert_eq!(retention_endpoint(&env, &[], &r).as_deref(), Some("live"));
        assert_eq!(retention_endpoint(&env, &[], &Retention::new()), None);
        // A serving endpoint without a log group yet gives way to one with.
        let only_default: Retention = [("DEFAULT".to_string(), Some(7))].into();
        assert_eq!(
            retention_endpoint(&env, &both, &only_default).as_deref(),
            Some("DEFAULT")
        );
    }
}
