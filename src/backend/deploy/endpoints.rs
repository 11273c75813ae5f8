//! Moving endpoints between versions, waiting for them, and rolling back.

use std::time::Duration;

use aws_sdk_bedrockagentcorecontrol::operation::get_agent_runtime_endpoint::GetAgentRuntimeEndpointOutput;
use serde_json::json;

use super::super::audit::{Actor, AuditLog, WriteRef};
use super::super::runtimes::resolve;
use super::super::{Backend, BackendError, Clients, guard};
use super::{audit_entry, record};
use crate::domain::audit::AuditEntry;
use crate::domain::{RuntimeVersion, Status};

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
    let target = to_version.map_or(Target::Previous, Target::Version);
    audited_move(backend, env, runtime, endpoint, target, armed, actor, audit).await
}

/// Point `endpoint` at `version`, creating the endpoint if it does not exist (`point`, and the
/// console's move after a deploy). Audited as `endpoint.point`, in the shape rollback reads.
#[allow(clippy::too_many_arguments)]
pub async fn point_endpoint(
    backend: &Backend,
    env: &str,
    runtime: &str,
    endpoint: &str,
    version: &str,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<EndpointMove, BackendError> {
    let target = Target::Point(version);
    audited_move(backend, env, runtime, endpoint, target, armed, actor, audit).await
}

/// Where an audited move sends an endpoint.
#[derive(Clone, Copy)]
enum Target<'a> {
    /// An existing endpoint, back to the version it served before.
    Previous,
    /// An existing endpoint, to this version (`rollback --to-version`).
    Version(&'a str),
    /// To this version, the endpoint created if absent.
    Point(&'a str),
}

#[allow(clippy::too_many_arguments)]
async fn audited_move(
    backend: &Backend,
    env: &str,
    runtime: &str,
    endpoint: &str,
    target: Target<'_>,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<EndpointMove, BackendError> {
    let action = match target {
        Target::Point(_) => "endpoint.point",
        _ => "rollback",
    };
    let environment = backend.environment(env)?.clone();
    let version = match target {
        Target::Previous => None,
        Target::Version(v) | Target::Point(v) => Some(v),
    };
    let write = WriteRef {
        env,
        action,
        target: runtime,
    };
    // DEFAULT is refused by the checks: it always follows the latest, so a move would be undone.
    let checks = super::checks::endpoint_move(runtime, endpoint, version);
    guard::authorize(&environment, armed, &write, (actor, audit), checks)?;
    // Everything up to the move only reads: a "no" found here is a refusal, audited as one.
    let (c, rt, id, live, target) = async {
        let c = backend.clients(env).await?;
        let rt = resolve(&c, runtime).await?;
        let id = rt.agent_runtime_id().to_string();
        let live = live_version(&c, &id, endpoint).await?;
        let no_endpoint = || {
            BackendError::Other(format!(
                "{env}: runtime `{runtime}` has no endpoint `{endpoint}` serving a version"
            ))
        };
        let target = match (target, &live) {
            (Target::Previous, Some(live)) => {
                previous_version(&c, audit, env, &rt, endpoint, live).await?
            }
            (Target::Previous | Target::Version(_), None) => return Err(no_endpoint()),
            (Target::Version(v) | Target::Point(v), _) => {
                let versions = super::super::runtimes::list_versions(&c, &id).await?;
                match versions.iter().find(|x| x.version == v) {
                    None => {
                        return Err(BackendError::Other(format!(
                            "{env}: runtime `{runtime}` has no version {v}"
                        )));
                    }
                    Some(x) if x.status != Status::Ready => {
                        return Err(BackendError::Other(format!(
                            "{env}: version {v} of `{runtime}` is {}, not READY",
                            x.status
                        )));
                    }
                    Some(_) => v.to_string(),
                }
            }
        };
        if live.as_deref() == Some(target.as_str()) {
            return Err(BackendError::Other(format!(
                "endpoint {endpoint} already serves version {target}"
            )));
        }
        Ok((c, rt, id, live, target))
    }
    .await
    .inspect_err(|e: &BackendError| audit.refuse(actor, &write, &e.to_string()))?;
    let before = json!({ "endpoint": endpoint, "version": live });
    let result = point(&c, &id, endpoint, &target, Duration::from_secs(300)).await;
    let after = json!({ "endpoint": endpoint, "version": target });
    let entry = audit_entry(
        &c,
        env,
        action,
        rt.agent_runtime_name(),
        before,
        after,
        &result,
        actor,
    );
    record(audit, entry.await)?;
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
    let versions = super::super::runtimes::list_versions(c, rt.agent_runtime_id()).await?;
    let names = [rt.agent_runtime_name(), rt.agent_runtime_id()];
    rollback_target(&entries, &versions, env, &names, endpoint, live).ok_or_else(|| {
        BackendError::Other(format!(
            "no earlier READY version than {live} to roll back to"
        ))
    })
}

/// Where `rollback` without `--to-version` sends an endpoint serving `live`: the version it
/// served before its last audited move to `live`, else the newest READY version older than
/// `live`. Pure, so a screen can show the exact target before asking.
///
/// A move is any successful entry whose `after` is `{endpoint, version: live}` and whose
/// `before.version` differs: `deploy --endpoint`, `rollback`, and the traffic changes that
/// move an endpoint (`traffic.set` the canary endpoint, `traffic.promote` the stable one),
/// which record the endpoint beside the split. Entries that left the endpoint where it was
/// (a `traffic.set` to the version the canary already served) are passed over. A failed
/// change counts only if it is a traffic change: their `after` is read back from the
/// endpoints, so a change that failed half-way (the endpoint moved, the rule write failed)
/// says truthfully where the endpoint went; other entries record what was asked.
pub fn rollback_target(
    entries: &[AuditEntry],
    versions: &[RuntimeVersion],
    env: &str,
    runtime: &[&str],
    endpoint: &str,
    live: &str,
) -> Option<String> {
    let from_audit = entries.iter().rev().find_map(|e| {
        let went_through = e.result == "ok" || e.action.starts_with("traffic.");
        let ours = e.env == env
            && went_through
            && runtime.contains(&e.target.as_str())
            && e.after["endpoint"] == endpoint
            && e.after["version"] == live;
        ours.then(|| e.before["version"].as_str().map(str::to_string))
            .flatten()
            .filter(|v| v != live)
    });
    if let Some(v) = from_audit {
        return Some(v);
    }
    let live_n: u64 = live.parse().unwrap_or(0);
    versions
        .iter()
        .filter(|v| v.status == Status::Ready && v.version.parse::<u64>().is_ok_and(|n| n < live_n))
        .max_by_key(|v| v.version.parse::<u64>().unwrap_or(0))
        .map(|v| v.version.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(v: &str, status: Status) -> RuntimeVersion {
        RuntimeVersion {
            version: v.into(),
            status,
            description: None,
            last_updated_at: None,
            lineage: None,
        }
    }

    fn moved(env: &str, from: &str, to: &str) -> AuditEntry {
        AuditEntry {
            time: "2026-11-24T00:00:00Z".into(),
            user: "u".into(),
            identity: None,
            env: env.into(),
            action: "deploy".into(),
            target: "weather".into(),
            before: json!({"version": from, "endpoint": "live"}),
            after: json!({"version": to, "endpoint": "live"}),
            result: "ok".into(),
            command: String::new(),
        }
    }

    #[test]
    fn the_audit_trail_wins_then_the_newest_ready_older_version() {
        let versions = [
            version("4", Status::Ready),
            version("3", Status::CreateFailed),
            version("2", Status::Ready),
            version("1", Status::Ready),
        ];
        let names = ["weather", "weather-abc"];
        let t = |entries: &[AuditEntry], live: &str| {
            rollback_target(entries, &versions, "dev", &names, "live", live)
        };
        assert_eq!(t(&[], "4").as_deref(), Some("2"), "skips the failed 3");
        assert_eq!(t(&[moved("dev", "1", "4")], "4").as_deref(), Some("1"));
        assert_eq!(
            t(&[moved("prod", "1", "4")], "4").as_deref(),
            Some("2"),
            "another environment's trail does not count"
        );
        assert_eq!(t(&[], "1"), None, "nothing older");
    }

    /// What `traffic set/abort/promote` record: the split, and the endpoint they move.
    fn traffic(action: &str, endpoint: Option<&str>, from: &str, to: &str) -> AuditEntry {
        let side = |v: &str| {
            let mut s = json!({"stable": "1", "canary": "3", "weights": []});
            if let Some(ep) = endpoint {
                s["endpoint"] = json!(ep);
                s["version"] = json!(v);
            }
            s
        };
        AuditEntry {
            action: action.into(),
            before: side(from),
            after: side(to),
            ..moved("dev", from, to)
        }
    }

    #[test]
    fn traffic_changes_that_move_an_endpoint_are_found() {
        let versions = [
            version("3", Status::Ready),
            version("2", Status::Ready),
            version("1", Status::Ready),
        ];
        let names = ["weather"];
        let t = |entries: &[AuditEntry], endpoint: &str, live: &str| {
            rollback_target(entries, &versions, "dev", &names, endpoint, live)
        };
        // deploy v1 on live; canary 3 at 25%; the same again; abort; promote.
        let trail = [
            moved("dev", "0", "1"),
            traffic("traffic.set", Some("canary"), "2", "3"),
            traffic("traffic.set", Some("canary"), "3", "3"),
            traffic("traffic.abort", None, "", ""),
            traffic("traffic.promote", Some("live"), "1", "3"),
        ];
        assert_eq!(t(&trail, "live", "3").as_deref(), Some("1"), "not 2");
        assert_eq!(
            t(&trail, "canary", "3").as_deref(),
            Some("2"),
            "the no-op set is passed over"
        );
        // A promote that moved live, then failed to write the rule: `after` is read back.
        let half_done = AuditEntry {
            result: "error: traffic.promote half done: …".into(),
            ..traffic("traffic.promote", Some("live"), "1", "3")
        };
        assert_eq!(t(&[half_done], "live", "3").as_deref(), Some("1"));
        // A failed deploy records what it asked for, not where the endpoint went.
        let failed_deploy = AuditEntry {
            result: "error: validation failed".into(),
            ..moved("dev", "1", "3")
        };
        assert_eq!(t(&[failed_deploy], "live", "3").as_deref(), Some("2"));
    }
}
