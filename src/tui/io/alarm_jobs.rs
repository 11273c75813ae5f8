//! The alarm reads: one environment's listing (the app's alarm book), one alarm's history
//! (the alarms pane), and the alarms of one runtime with their histories (the metrics
//! charts' thresholds and ALARM periods); the standard alarms' plan and its apply. All
//! through `backend::alarms`, as the CLI does.

use crate::backend::audit::{Actor, AuditLog};
use crate::backend::{Backend, alarms};
use crate::domain::alarms::{AlarmHistoryItem, AlarmInfo};
use crate::tui::alarms::EnvAlarms;
use crate::tui::write::AlarmsOp;

/// History entries read per alarm (newest first): enough for a day of flapping.
pub const HISTORY_LIMIT: usize = 100;

/// One alarm's history as the alarms pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmHistory {
    pub env: String,
    pub alarm: String,
    pub items: Vec<AlarmHistoryItem>,
}

/// An alarm drawn on a metrics chart, with the history its ALARM periods come from (whose
/// failure loses only the periods).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartAlarm {
    pub alarm: AlarmInfo,
    pub history: Result<Vec<AlarmHistoryItem>, String>,
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

/// Every alarm of `env` that concerns one of its runtimes.
pub(super) async fn env_alarms(backend: &Backend, env: &str) -> Result<EnvAlarms, String> {
    let alarms = alarms::list(backend, env, &[], None)
        .await
        .map_err(|e| e.to_string())?;
    Ok(EnvAlarms {
        listed_at_ms: now_ms(),
        alarms,
    })
}

pub(super) async fn history(
    backend: &Backend,
    env: &str,
    alarm: &str,
) -> Result<AlarmHistory, String> {
    let items = alarms::history(backend, env, alarm, HISTORY_LIMIT)
        .await
        .map_err(|e| e.to_string())?;
    Ok(AlarmHistory {
        env: env.to_string(),
        alarm: alarm.to_string(),
        items,
    })
}

/// The standard alarms' plan for every endpoint of `runtime` (reads only).
pub(super) async fn plan(
    backend: &Backend,
    env: &str,
    runtime: &str,
) -> Result<Box<alarms::AlarmPlan>, String> {
    alarms::plan(backend, env, runtime, &[])
        .await
        .map(Box::new)
        .map_err(|e| e.to_string())
}

/// The standard alarms as planned, through the same backend call as `alarms apply`.
pub(super) async fn apply(
    backend: &Backend,
    audit: &AuditLog,
    op: &AlarmsOp,
    armed: bool,
    actor: &Actor,
) -> Result<String, String> {
    let p = &op.plan;
    let report = alarms::apply(backend, &p.env, p, armed, actor, audit)
        .await
        .map_err(|e| e.to_string())?;
    let n = report.calls.len();
    Ok(format!(
        "alarms of {} in {}: {n} call{} made",
        p.runtime,
        p.env,
        if n == 1 { "" } else { "s" }
    ))
}

/// The console's alarms of `runtime` (those with a kind, so a chart) and their histories,
/// concurrently: one listing and one history per alarm of this runtime only.
pub(super) async fn chart_alarms(
    backend: &Backend,
    env: &str,
    runtime: &str,
) -> Result<Vec<ChartAlarm>, String> {
    let listed = alarms::list(backend, env, &[runtime.to_string()], None)
        .await
        .map_err(|e| e.to_string())?;
    let charted: Vec<AlarmInfo> = listed.into_iter().filter(|a| a.kind.is_some()).collect();
    let histories = futures::future::join_all(
        charted
            .iter()
            .map(|a| alarms::history(backend, env, &a.name, HISTORY_LIMIT)),
    )
    .await;
    Ok(charted
        .into_iter()
        .zip(histories)
        .map(|(alarm, h)| ChartAlarm {
            alarm,
            history: h.map_err(|e| e.to_string()),
        })
        .collect())
}
