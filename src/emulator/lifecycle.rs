//! Status progress: CREATING/UPDATING settle to READY once the version's server answers (or to
//! *_FAILED with the reason), endpoints follow their target version, DELETING things vanish,
//! and processes nothing points at are stopped. Runs after the request, never inline.
//!
//! Each endpoint runs its own process of the version it serves (its own compute and log group,
//! as on AWS). DEFAULT always moves to the newest version, so DEFAULT's process is the one that
//! proves a new version answers; a named endpoint moving to a version starts its own process
//! and is READY once that one answers.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::Emulator;
use super::runner::{Artifact, CodeBlob, LaunchSpec, ProcessKey};
use super::state::{RuntimeRec, State, status};

/// The endpoint every runtime has, which follows the latest version.
const DEFAULT: &str = "DEFAULT";
/// How long a process an invocation asked for is kept though nothing references it (a
/// version-number qualifier's, e.g. a deploy validating its version while another deploy's
/// settle runs): long enough for a cold start and a conversation.
const INVOKED_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Settle one runtime: provision its transitional versions, then move its endpoints.
pub async fn settle(emu: &Arc<Emulator>, partition: &str, runtime_id: &str) {
    let pending: Vec<(ProcessKey, Result<LaunchSpec, String>)> = {
        let state = emu.store.read();
        let Some(rt) = state
            .partitions
            .get(partition)
            .and_then(|p| p.runtimes.get(runtime_id))
        else {
            return;
        };
        if rt.deleting {
            vec![]
        } else {
            starts(rt, partition)
                .into_iter()
                .filter_map(|key| {
                    let v = rt.versions.get(&key.version)?;
                    Some((key, launch_spec(emu, &state, partition, &v.config)))
                })
                .collect()
        }
    };
    let runs = pending.into_iter().map(|(key, spec)| async move {
        let result = match spec {
            Ok(spec) => emu.runner.ensure(&key, spec).await.map(|_| ()),
            Err(reason) => Err(reason),
        };
        (key, result)
    });
    let results = futures::future::join_all(runs).await;
    let changed = {
        let mut state = emu.store.write();
        let Some(part) = state.partitions.get_mut(partition) else {
            return;
        };
        let deleting = part.runtimes.get(runtime_id).is_some_and(|rt| rt.deleting);
        if deleting {
            part.runtimes.remove(runtime_id);
            true
        } else if let Some(rt) = part.runtimes.get_mut(runtime_id) {
            apply(rt, &results)
        } else {
            false
        }
    };
    let (referenced, alive) = {
        let state = emu.store.read();
        let alive: BTreeSet<(String, String)> = state
            .partitions
            .iter()
            .flat_map(|(p, part)| part.runtimes.keys().map(|id| (p.clone(), id.clone())))
            .collect();
        (referenced(&state), alive)
    };
    // The grace is for a runtime's own validation calls: a deleted runtime's processes stop
    // at once (what they would still print has no log group to go to on AWS either).
    let recent = |k: &ProcessKey| {
        alive.contains(&(k.partition.clone(), k.runtime_id.clone()))
            && emu.runner.used_within(k, INVOKED_GRACE)
    };
    emu.runner
        .retain(|k| referenced.contains(k) || recent(k))
        .await;
    if changed && let Err(e) = emu.store.persist().await {
        tracing::error!(error = %e, "cannot persist settled state");
    }
}

/// The processes a settle starts: DEFAULT's for each transitional version (even one DEFAULT
/// has already moved past: it proves the version, then stops as unreferenced), and each moving
/// endpoint's own for the version it moves to, unless that version failed.
fn starts(rt: &RuntimeRec, partition: &str) -> BTreeSet<ProcessKey> {
    let key = |version: u32, endpoint: &str| ProcessKey {
        partition: partition.to_string(),
        runtime_id: rt.id.clone(),
        version,
        endpoint: endpoint.to_string(),
    };
    let proving = rt
        .versions
        .values()
        .filter(|v| status::is_transitional(&v.status))
        .map(|v| key(v.version, DEFAULT));
    let moving = rt
        .endpoints
        .values()
        .filter(|e| status::is_transitional(&e.status) && e.status != status::DELETING)
        .filter(|e| {
            rt.versions
                .get(&e.target_version)
                .is_some_and(|v| v.status == status::READY || status::is_transitional(&v.status))
        })
        .map(|e| key(e.target_version, &e.name));
    proving.chain(moving).collect()
}

/// Record provisioning results (a version's is its DEFAULT process's), then move endpoints
/// whose target version settled (each by its own process's result).
fn apply(rt: &mut RuntimeRec, results: &[(ProcessKey, Result<(), String>)]) -> bool {
    let now = super::ids::now_iso();
    let mut changed = false;
    for (key, result) in results.iter().filter(|(k, _)| k.endpoint == DEFAULT) {
        let Some(v) = rt.versions.get_mut(&key.version) else {
            continue;
        };
        if !status::is_transitional(&v.status) {
            continue;
        }
        let failed = if v.status == status::CREATING {
            status::CREATE_FAILED
        } else {
            status::UPDATE_FAILED
        };
        match result {
            Ok(()) => v.status = status::READY.into(),
            Err(reason) => {
                v.status = failed.into();
                v.failure_reason = Some(reason.clone());
            }
        }
        v.last_updated_at = now.clone();
        changed = true;
    }
    let versions = &rt.versions;
    let before = rt.endpoints.len();
    rt.endpoints.retain(|_, e| e.status != status::DELETING);
    changed |= rt.endpoints.len() != before;
    for ep in rt.endpoints.values_mut() {
        if !status::is_transitional(&ep.status) {
            continue;
        }
        let failed = if ep.status == status::CREATING {
            status::CREATE_FAILED
        } else {
            status::UPDATE_FAILED
        };
        let start_error = results
            .iter()
            .find(|(k, r)| k.version == ep.target_version && k.endpoint == ep.name && r.is_err());
        match versions.get(&ep.target_version) {
            Some(v) if v.status == status::READY && start_error.is_some() => {
                ep.status = failed.into();
                ep.failure_reason = start_error
                    .and_then(|(_, r)| r.as_ref().err())
                    .map(|r| format!("version {} could not start: {r}", v.version));
            }
            Some(v) if v.status == status::READY => {
                ep.live_version = Some(ep.target_version);
                ep.status = status::READY.into();
                ep.failure_reason = None;
            }
            Some(v) if status::is_transitional(&v.status) => continue,
            Some(v) => {
                ep.status = failed.into();
                ep.failure_reason = Some(format!(
                    "version {} failed: {}",
                    v.version,
                    v.failure_reason.as_deref().unwrap_or("unknown reason")
                ));
            }
            None => {
                ep.status = failed.into();
                ep.failure_reason = Some(format!("version {} no longer exists", ep.target_version));
            }
        }
        ep.last_updated_at = now.clone();
        changed = true;
    }
    changed
}

/// How to start a version, from its configuration and where the local S3 keeps its code.
/// Called under the state lock, so it reads nothing from disk: the code zip is read only when
/// a process must start (and an object gone from S3 fails only that start).
pub fn launch_spec(
    emu: &Emulator,
    state: &State,
    partition: &str,
    config: &serde_json::Map<String, serde_json::Value>,
) -> Result<LaunchSpec, String> {
    let artifact = Artifact::from_config(config).ok_or("the version has no artifact")?;
    let code = match &artifact {
        Artifact::Code { bucket, key, .. } => {
            let file = state
                .buckets
                .get(bucket)
                .ok_or_else(|| format!("S3 bucket '{bucket}' does not exist"))
                .and_then(|b| {
                    b.objects
                        .get(key)
                        .ok_or_else(|| format!("S3 object s3://{bucket}/{key} does not exist"))
                })
                .map(|meta| emu.store.dir().join("objects").join(&meta.blob));
            Some(CodeBlob {
                uri: format!("s3://{bucket}/{key}"),
                file,
            })
        }
        Artifact::Container { .. } => None,
    };
    let proto = config.get("protocolConfiguration");
    let protocol = proto
        .and_then(|p| p.get("serverProtocol"))
        .and_then(|v| v.as_str())
        .unwrap_or("HTTP")
        .to_string();
    let default_path = match protocol.as_str() {
        "MCP" => "/mcp",
        "A2A" => "/",
        _ => "/invocations",
    };
    let path = proto
        .and_then(|p| p.get("path"))
        .and_then(|v| v.as_str())
        .unwrap_or(default_path)
        .to_string();
    let env = config
        .get("environmentVariables")
        .and_then(|e| e.as_object())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let region = partition
        .split_once('/')
        .map_or("us-east-1", |(_, r)| r)
        .to_string();
    Ok(LaunchSpec {
        artifact,
        code,
        env,
        protocol,
        path,
        region,
    })
}

/// Every process an endpoint serves or is moving to, and those of gateway targets qualified
/// by a version number.
pub fn referenced(state: &State) -> BTreeSet<ProcessKey> {
    let mut out = BTreeSet::new();
    for (p, part) in &state.partitions {
        let key = |rt: &RuntimeRec, version: u32, endpoint: String| ProcessKey {
            partition: p.clone(),
            runtime_id: rt.id.clone(),
            version,
            endpoint,
        };
        let runtimes = || part.runtimes.values().filter(|rt| !rt.deleting);
        for rt in runtimes() {
            for ep in rt
                .endpoints
                .values()
                .filter(|e| e.status != status::DELETING)
            {
                // An endpoint that failed to move needs no process of the version it aimed at.
                let aimed = (!ep.status.ends_with("_FAILED")).then_some(ep.target_version);
                for v in ep.live_version.into_iter().chain(aimed) {
                    out.insert(key(rt, v, ep.name.clone()));
                }
            }
        }
        let pinned = part
            .gateways
            .values()
            .flat_map(|g| g.targets.values())
            .filter_map(|t| t.config.pointer("/http/agentcoreRuntime"))
            .filter_map(|r| {
                let arn = r.get("arn")?.as_str()?;
                let version = version_qualifier(r.get("qualifier")?.as_str()?)?;
                let rt = runtimes().find(|rt| rt.arn == arn)?;
                Some(key(rt, version, version_endpoint(version)))
            });
        out.extend(pinned);
    }
    out
}

/// A qualifier that is a version number (gateway runtime targets accept one, pattern
/// `[1-9][0-9]{0,4}`; endpoint names start with a letter, so the two never clash).
pub fn version_qualifier(qualifier: &str) -> Option<u32> {
    qualifier
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| qualifier.parse().ok())
        .flatten()
}

/// The pseudo-endpoint a version-number qualifier runs as. Not DEFAULT's process for that
/// version: DEFAULT moves on, and a pinned target's calls are not DEFAULT's (its logs would
/// say otherwise). `version-N` is no valid endpoint name, so it is no real endpoint's group.
pub fn version_endpoint(version: u32) -> String {
    format!("version-{version}")
}

/// Every runtime with something still in flight, as (partition, runtime id).
pub fn unsettled(state: &State) -> Vec<(String, String)> {
    state
        .partitions
        .iter()
        .flat_map(|(p, part)| {
            part.runtimes
                .values()
                .filter(|rt| {
                    rt.deleting
                        || rt
                            .versions
                            .values()
                            .any(|v| status::is_transitional(&v.status))
                        || rt
                            .endpoints
                            .values()
                            .any(|e| status::is_transitional(&e.status))
                })
                .map(move |rt| (p.clone(), rt.id.clone()))
        })
        .collect()
}
