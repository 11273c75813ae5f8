//! What one matrix cell (a runtime in an environment) says, derived from the environment's
//! snapshot: status, endpoints → versions, error rate and latency over the window, and the
//! canary share (configured weight, and the share of sessions it really got), its alarms, and
//! its rollout (step, weight and time left, or a recent outcome). Pure.

use crate::backend::metrics::RuntimeMetrics;
use crate::domain::{Endpoint, Environment, Status};
use crate::tui::alarms::Badge;
use crate::tui::io::EnvSnapshot;
use crate::tui::loadable::{Loadable, Slot};
use crate::tui::panes::rollout::timeline;
use crate::tui::time::Millis;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// The environment has not answered yet.
    Loading,
    /// The environment could not be listed (its error is shown under the table).
    Failed,
    /// No runtime of that name there.
    Absent,
    Present(CellView),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CellView {
    pub status: Status,
    /// `live→3 canary→4` (named endpoints; `DEFAULT→4` when it is the only one).
    pub endpoints: String,
    /// p99 latency per period, worst endpoint; empty when metrics are unavailable.
    pub latency: Vec<Option<f64>>,
    /// Percent of invocations that failed over the window; none without invocations.
    pub error_rate: Option<f64>,
    /// Metrics could not be read for this environment.
    pub metrics_failed: bool,
    pub canary: Option<Canary>,
    /// Its alarms in ALARM, and those without data.
    pub alarms: Badge,
    /// Its rollout: `⟳ 2/3 25% 4m12s`, or a recent outcome; true when it needs attention.
    pub rollout: Option<(String, bool)>,
    /// Its posture differs from the environment's configured one (the runtime pane says how).
    pub posture_differs: bool,
}

/// The canary leg of a runtime's split.
#[derive(Debug, Clone, PartialEq)]
pub struct Canary {
    /// Configured percent of new sessions.
    pub weight: i32,
    /// Percent of the sessions of both legs it really got over the window.
    pub observed: Option<f64>,
}

/// Where the selected cell's latest version came from: `prod v7 = staging v12 (sha256 …)`,
/// from the description the listing already has (no call of its own).
pub fn lineage(slot: &Slot<EnvSnapshot>, env: &Environment, runtime: &str) -> Option<String> {
    let rt = slot.value()?.runtimes.iter().find(|r| r.name == runtime)?;
    let l = rt.lineage.as_ref()?;
    Some(crate::domain::lineage::line(
        &env.name,
        &rt.latest_version,
        l,
    ))
}

/// The runtime names of every environment that answered, filtered (case-insensitive
/// substring), sorted.
pub fn rows(columns: &[Slot<EnvSnapshot>], filter: &str) -> Vec<String> {
    let f = filter.to_lowercase();
    let mut names: Vec<String> = columns
        .iter()
        .filter_map(Slot::value)
        .flat_map(|s| s.runtimes.iter().map(|r| r.name.clone()))
        .filter(|n| n.to_lowercase().contains(&f))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The cell of `runtime` in the column of `env` at `now` (countdowns run from the read).
pub fn cell(
    slot: &Slot<EnvSnapshot>,
    env: &Environment,
    runtime: &str,
    alarms: Badge,
    now: Millis,
) -> Cell {
    let snap = match slot.state() {
        Loadable::Idle | Loadable::Loading => return Cell::Loading,
        Loadable::Failed(_) => return Cell::Failed,
        Loadable::Ready(s) => s,
    };
    let Some(rt) = snap.runtimes.iter().find(|r| r.name == runtime) else {
        return Cell::Absent;
    };
    let metrics = snap
        .metrics
        .as_ref()
        .ok()
        .and_then(|all| all.iter().find(|m| m.runtime == runtime));
    let canary = snap
        .splits
        .as_ref()
        .ok()
        .and_then(|s| s.iter().find(|s| s.is_for(runtime)))
        .filter(|s| s.canary > 0)
        .map(|s| Canary {
            weight: s.canary,
            observed: metrics.and_then(|m| observed_share(m, env)),
        });
    let rollout = snap.rollouts.as_ref().ok().and_then(|r| {
        let s = r.states.iter().find(|s| s.runtime == runtime)?;
        let age = i64::try_from(slot.age(now).unwrap_or(0)).unwrap_or(0);
        timeline::summary(s, r.read_at_ms + age)
    });
    Cell::Present(CellView {
        status: rt.status.clone(),
        endpoints: endpoints_text(&rt.endpoints),
        latency: metrics.map(worst_p99).unwrap_or_default(),
        error_rate: metrics.and_then(error_rate),
        metrics_failed: snap.metrics.is_err(),
        canary,
        alarms,
        rollout,
        posture_differs: snap.drift.as_ref().is_ok_and(|d| d.contains_key(&rt.id)),
    })
}

fn endpoints_text(endpoints: &[Endpoint]) -> String {
    let named: Vec<&Endpoint> = endpoints.iter().filter(|e| e.name != "DEFAULT").collect();
    let shown: Vec<&Endpoint> = if named.is_empty() {
        endpoints.iter().collect()
    } else {
        named
    };
    shown
        .iter()
        .map(|e| {
            let live = e.live_version.as_deref().unwrap_or("?");
            match e
                .target_version
                .as_deref()
                .filter(|t| Some(*t) != e.live_version.as_deref())
            {
                Some(t) => format!("{}→{live}⇢{t}", e.name),
                None => format!("{}→{live}", e.name),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn worst_p99(m: &RuntimeMetrics) -> Vec<Option<f64>> {
    (0..m.timestamps.len())
        .map(|i| {
            m.endpoints
                .iter()
                .filter_map(|e| e.latency_p99.get(i).copied().flatten())
                .reduce(f64::max)
        })
        .collect()
}

fn error_rate(m: &RuntimeMetrics) -> Option<f64> {
    let invocations: f64 = m.endpoints.iter().map(|e| e.totals.invocations).sum();
    let errors: f64 = m.endpoints.iter().map(|e| e.totals.errors).sum();
    (invocations > 0.0).then(|| 100.0 * errors / invocations)
}

fn observed_share(m: &RuntimeMetrics, env: &Environment) -> Option<f64> {
    let sessions = |name: &str| m.endpoint(name).map_or(0.0, |e| e.totals.sessions);
    let canary = sessions(env.canary_endpoint());
    let both = canary + sessions(env.stable_endpoint());
    (both > 0.0).then(|| 100.0 * canary / both)
}
