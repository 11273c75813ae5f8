//! Gated rollouts: a plan's steps driven against a runtime's canary split, judged by its gates,
//! promoted at the end or rolled back by a failing gate. No server of our own: the state and
//! the driver's lease are one object in the environment's artifact bucket ([`store`]), shared
//! by every operator's console; the driver is a foreground process (CLI or TUI) holding the
//! lease ([`driver`]); anyone may pause, approve or abort ([`control`]) without it.
//!
//! - [`gates`]: one evaluation = one GetMetricData for both legs (+ DescribeAlarms).
//! - [`store`]: the object, with S3 conditional writes.
//! - [`driver`]: start / resume, the loop, promotion, rollback, blue/green validation.
//! - [`control`]: approve, pause, abort.
//!
//! Audit actions: `rollout.start`, `rollout.resume`, `rollout.approve`, `rollout.pause`,
//! `rollout.abort`, `rollout.rollback`, `rollout.promote`; every traffic move the driver makes
//! is also audited by `traffic` as usual.

pub mod control;
pub mod driver;
pub mod gates;
pub mod store;

use serde::Serialize;

pub use self::control::{abort, approve, pause};
pub use self::driver::{preview, resume, start};

use super::audit::{Actor, AuditLog};
use super::{Backend, BackendError};
use crate::domain::rollout::{Plan, Record, RolloutState};
use crate::domain::smoke::SmokeSpec;

/// What `rollout start` asks for.
#[derive(Debug, Clone)]
pub struct StartRequest {
    pub env: String,
    pub runtime: String,
    pub canary_version: String,
    pub plan: Plan,
    /// Smoke checks for blue/green's validation and the `require_smoke` gate (stored in the
    /// rollout's state).
    pub smoke: Option<SmokeSpec>,
}

/// What a start will do, read before anything changes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The calls, in order, as the confirm prompt lists them (the state object, the gates' metric filters, the traffic).
    pub calls: Vec<String>,
    /// What the stable endpoint serves now: traffic's way back.
    pub stable_version: Option<String>,
    /// What the canary endpoint serves now: put back on rollback.
    pub canary_from: Option<String>,
    pub plan: Plan,
}

/// Something a driver did or saw: one NDJSON line of `rollout start --output json`, one line
/// of the TUI's decision log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub at_ms: i64,
    /// A decision-log event (`start`, `step`, `extend`, `pause`, `resume`, `approve`,
    /// `validate`, `rollback`, `promote`, `abort`, `takeover`, `error`) or `evaluation`.
    pub event: String,
    pub message: String,
    /// The state as `status` shows it, after this event.
    pub state: &'static str,
    pub step: usize,
    pub weight: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Record>,
}

/// How a driver's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Promoted,
    /// Rolled back by a gate.
    RolledBack,
    /// Aborted by an operator.
    Aborted,
    /// `resume` of a paused rollout whose driver is alive: that driver goes on.
    Handed,
    /// The driver was told to stop (Ctrl-C, the TUI quit): it gave up its lease, traffic
    /// stays where it is, and `rollout resume` continues.
    Stopped,
}

impl Outcome {
    /// The CLI's exit code (DESIGN §8): 0 promoted (or handed on), 3 rolled back, 4 aborted,
    /// 1 stopped with the rollout unfinished.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Promoted | Outcome::Handed => 0,
            Outcome::RolledBack => 3,
            Outcome::Aborted => 4,
            Outcome::Stopped => 1,
        }
    }
}

/// What a driver needs besides the rollout: who acts, where it is audited, where its events
/// go, and the signal to stop (set to `true`: give up the lease and return `Stopped`).
pub struct Driving<'a> {
    pub actor: &'a Actor,
    pub audit: &'a AuditLog,
    pub events: tokio::sync::mpsc::UnboundedSender<Event>,
    pub stop: tokio::sync::watch::Receiver<bool>,
}

/// `user@host`, as leases and the decision log name whoever acts.
pub fn holder(user: &str) -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host}")
}

/// Milliseconds since the epoch, the unit the state keeps time in.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The runtime's rollout (the latest one, over or not), if it ever had one.
pub async fn status(
    backend: &Backend,
    env: &str,
    runtime: &str,
) -> Result<Option<RolloutState>, BackendError> {
    let c = backend.clients(env).await?;
    Ok(store::load(&c, runtime).await?.map(|s| s.state))
}

/// Every runtime's rollout in one environment (for the matrix): one ListObjectsV2 page per
/// 1000 rollouts, then one GetObject each. No bucket yet is no rollouts.
pub async fn list(backend: &Backend, env: &str) -> Result<Vec<RolloutState>, BackendError> {
    let c = backend.clients(env).await?;
    let runtimes = store::list_runtimes(&c).await?;
    let mut out = Vec::with_capacity(runtimes.len());
    for runtime in runtimes {
        if let Some(s) = store::load(&c, &runtime).await? {
            out.push(s.state);
        }
    }
    Ok(out)
}
