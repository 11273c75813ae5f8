//! The metrics pane's read: one `backend::metrics::fetch` (one batched GetMetricData) for the
//! runtime over the window, beside its versions and audit history for the markers, and its
//! alarms with their histories (thresholds and ALARM periods on the charts).

use crate::backend::audit::AuditLog;
use crate::backend::metrics::{self, RuntimeMetrics, Window};
use crate::backend::{Backend, runtimes};
use crate::domain::RuntimeVersion;
use crate::domain::audit::AuditEntry;

/// One runtime's metrics over a window and what marks its time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsData {
    /// The window asked for (ending when the request ran).
    pub window: Window,
    pub metrics: RuntimeMetrics,
    /// The runtime's audit entries in this environment, oldest first (markers). Their own
    /// failure only loses the markers.
    pub history: Result<Vec<AuditEntry>, String>,
    /// Its versions (a version's creation is a marker when no deploy entry tells it).
    pub versions: Result<Vec<RuntimeVersion>, String>,
    /// The console's alarms of this runtime (a kind each) with their histories; their own
    /// failure only loses the lines.
    pub alarms: Result<Vec<super::ChartAlarm>, String>,
    /// The runtime's latest rollout (its decision log marks the steps); its own failure
    /// only loses those marks.
    pub rollout: Result<Option<crate::domain::rollout::RolloutState>, String>,
}

pub(super) async fn metrics_data(
    backend: &Backend,
    audit: Result<AuditLog, String>,
    env: &str,
    runtime: &str,
    span: i64,
    period: i32,
) -> Result<MetricsData, String> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let window = Window {
        start: now - span,
        end: now,
        period,
    };
    let target = [(env.to_string(), runtime.to_string())];
    let (fetched, detail, alarms, rollout) = futures::join!(
        metrics::fetch(backend, &target, window),
        runtimes::versions(backend, env, runtime),
        super::alarm_jobs::chart_alarms(backend, env, runtime),
        crate::backend::rollout::status(backend, env, runtime)
    );
    let metrics = fetched
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{env}: no runtime `{runtime}`"))?;
    let id = detail.as_ref().map(|(id, _)| id.clone()).ok();
    let names = [Some(metrics.runtime.clone()), id];
    let history = audit
        .and_then(|a| a.read().map_err(|e| e.to_string()))
        .map(|all| {
            all.into_iter()
                .filter(|e| e.env == env && names.iter().flatten().any(|n| *n == e.target))
                .collect()
        });
    Ok(MetricsData {
        window,
        metrics,
        history,
        versions: detail.map(|(_, v)| v).map_err(|e| e.to_string()),
        alarms,
        rollout: rollout.map_err(|e| e.to_string()),
    })
}
