//! The reads behind the matrix and the runtime detail: one environment's runtimes with their
//! metrics, splits and rollouts (one batch each, never a call per runtime), and one runtime in
//! detail with its audit history.

use super::{EnvRollouts, EnvSnapshot, MATRIX_WINDOW_SECS, RuntimeView, rollout_jobs};
use crate::backend::audit::AuditLog;
use crate::backend::metrics::{self, Window};
use crate::backend::traffic;
use crate::backend::{Backend, runtimes};

pub(super) async fn env_snapshot(backend: &Backend, env: &str) -> Result<EnvSnapshot, String> {
    let runtimes = runtimes::env_runtimes(backend, env)
        .await
        .map_err(|e| e.to_string())?;
    if runtimes.is_empty() {
        return Ok(EnvSnapshot {
            runtimes,
            metrics: Ok(vec![]),
            splits: Ok(vec![]),
            rollouts: Ok(EnvRollouts::default()),
            drift: Ok(Default::default()),
        });
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let window = Window {
        start: now - MATRIX_WINDOW_SECS,
        end: now,
        period: 60,
    };
    let names: Vec<String> = runtimes.iter().map(|r| r.name.clone()).collect();
    let targets: Vec<(String, String)> =
        names.iter().map(|n| (env.to_string(), n.clone())).collect();
    let (metrics, splits, rollouts, drift) = futures::join!(
        metrics::fetch(backend, &targets, window),
        traffic::splits(backend, env, &names),
        rollout_jobs::env_rollouts(backend, env),
        runtimes::drift::env_drift(backend, env, &runtimes),
    );
    Ok(EnvSnapshot {
        runtimes,
        metrics: metrics.map_err(|e| e.to_string()),
        splits: splits.map_err(|e| e.to_string()),
        rollouts,
        drift: drift.map_err(|e| e.to_string()),
    })
}

pub(super) async fn runtime_view(
    backend: &Backend,
    audit: Result<AuditLog, String>,
    env: &str,
    runtime: &str,
) -> Result<RuntimeView, String> {
    let detail = runtimes::show(backend, env, runtime)
        .await
        .map_err(|e| e.to_string())?;
    let names = [detail.runtime.name.as_str(), detail.runtime.id.as_str()];
    let history = audit
        .and_then(|a| a.read().map_err(|e| e.to_string()))
        .map(|all| {
            all.into_iter()
                .filter(|e| e.env == env && names.contains(&e.target.as_str()))
                .collect()
        });
    let posture_drift = backend
        .environment(env)
        .ok()
        .filter(|e| e.posture.is_configured())
        .map(|e| {
            // The stable endpoint's version, else the latest: what the matrix compares.
            let stable = detail
                .runtime
                .endpoints
                .iter()
                .find(|ep| ep.name == e.stable_endpoint())
                .and_then(|ep| ep.live_version.as_deref());
            let compared = detail
                .served
                .iter()
                .find(|c| Some(c.version.as_str()) == stable)
                .unwrap_or(&detail.latest);
            compared.drift_from(&e.posture)
        });
    Ok(RuntimeView {
        detail,
        history,
        posture_drift,
    })
}
