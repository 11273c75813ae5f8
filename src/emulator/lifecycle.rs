//! Status progress: CREATING/UPDATING settle to READY or *_FAILED, DELETING resources vanish.
//!
//! Settling runs a little after the request that started it, as on AWS, never inline.

use std::collections::BTreeMap;

use super::control::validate::code_location;
use super::state::{Bucket, RuntimeRec, State, status};

/// Settle one runtime; returns true when anything changed.
pub fn settle(state: &mut State, partition: &str, runtime_id: &str) -> bool {
    let State {
        partitions,
        buckets,
    } = state;
    let Some(part) = partitions.get_mut(partition) else {
        return false;
    };
    let Some(rt) = part.runtimes.get_mut(runtime_id) else {
        return false;
    };
    if rt.deleting {
        part.runtimes.remove(runtime_id);
        return true;
    }
    settle_runtime(rt, buckets)
}

fn settle_runtime(rt: &mut RuntimeRec, buckets: &BTreeMap<String, Bucket>) -> bool {
    let now = super::ids::now_iso();
    let mut changed = false;
    for v in rt.versions.values_mut() {
        if !status::is_transitional(&v.status) {
            continue;
        }
        let failed = if v.status == status::CREATING {
            status::CREATE_FAILED
        } else {
            status::UPDATE_FAILED
        };
        match artifact_problem(&v.config, buckets) {
            None => v.status = status::READY.into(),
            Some(reason) => {
                v.status = failed.into();
                v.failure_reason = Some(reason);
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
        match versions.get(&ep.target_version) {
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

/// Why a version's artifact cannot be used, if it cannot. Code must be in the local S3;
/// containers are accepted as stored (running them comes with the runtime supervisor).
fn artifact_problem(
    config: &serde_json::Map<String, serde_json::Value>,
    buckets: &BTreeMap<String, Bucket>,
) -> Option<String> {
    let (bucket, key) = code_location(config)?;
    match buckets.get(&bucket) {
        None => Some(format!("S3 bucket '{bucket}' does not exist")),
        Some(b) if !b.objects.contains_key(&key) => {
            Some(format!("S3 object s3://{bucket}/{key} does not exist"))
        }
        Some(_) => None,
    }
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
