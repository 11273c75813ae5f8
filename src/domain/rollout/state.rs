//! The state of one rollout, as stored in `rollouts/<runtime>.json` in the environment's
//! artifact bucket and shared by every operator's console: the plan, where it is, every
//! evaluation, the decision log and the driver's lease. The decisions themselves (advance,
//! keep watching, roll back, pause for want of data) are pure and live here; the backend reads
//! metrics, moves traffic and writes the object.

use serde::{Deserialize, Serialize};

use super::evaluation::Evaluation;
use super::plan::{GateName, Plan, PlanKind, Step};
use super::stats::Verdict;
use crate::domain::smoke::SmokeSpec;

/// The stored object's format version.
pub const SCHEMA: u32 = 1;
/// Evaluations kept in the object; older ones are counted in `evaluations_dropped`.
pub const MAX_EVALUATIONS: usize = 500;

/// Where a rollout is, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Baking a step (or validating a blue/green version).
    Running,
    /// Stopped by an operator or for want of data; `reason` says which.
    Paused,
    /// At an `approve` step.
    AwaitingApproval,
    Promoted,
    RolledBack,
    Aborted,
}

impl Phase {
    pub fn is_terminal(self) -> bool {
        matches!(self, Phase::Promoted | Phase::RolledBack | Phase::Aborted)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Running => "running",
            Phase::Paused => "paused",
            Phase::AwaitingApproval => "awaiting-approval",
            Phase::Promoted => "promoted",
            Phase::RolledBack => "rolled-back",
            Phase::Aborted => "aborted",
        }
    }
}

/// The driver's claim: only the holder moves the rollout forward, until `expires_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// `user@host`.
    pub holder: String,
    /// One driver process: the same user on the same host may run two.
    pub driver: String,
    pub expires_ms: i64,
}

impl Lease {
    pub fn is_live(&self, now_ms: i64) -> bool {
        self.expires_ms > now_ms
    }
}

/// One evaluation, with the step it judged and what it meant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub step: usize,
    /// The canary's weight while it was taken.
    pub weight: u8,
    pub evaluation: Evaluation,
    /// The enforced gates' verdict.
    pub verdict: Verdict,
    /// Failing evaluations in a row, this one included.
    pub failures_in_row: u32,
}

/// One line of the decision log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub at_ms: i64,
    /// `user@host` of whoever caused it (the driver for its own decisions).
    pub by: String,
    /// `start`, `step`, `approve`, `pause`, `resume`, `extend`, `rollback`, `promote`,
    /// `abort`, `validate`, `takeover`, `error`.
    pub event: String,
    pub message: String,
}

/// A rollout, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutState {
    pub schema: u32,
    /// Unique per rollout: a later rollout of the same runtime replaces the object.
    pub id: String,
    pub env: String,
    pub runtime: String,
    pub runtime_id: String,
    pub runtime_arn: String,
    pub stable_endpoint: String,
    pub canary_endpoint: String,
    pub plan: Plan,
    pub canary_version: String,
    /// What the stable endpoint served at the start: where traffic goes back to.
    pub stable_version: Option<String>,
    /// What the canary endpoint served before the start: it is put back on rollback.
    pub previous_canary_version: Option<String>,
    /// The smoke checks given at start (`--smoke FILE`): run on the canary by blue/green's
    /// validation and by the `require_smoke` gate, kept here so `resume` elsewhere has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoke: Option<SmokeSpec>,
    pub phase: Phase,
    /// Why it is paused, or how it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Index into `plan.steps`; `plan.steps.len()` once every step is done.
    pub step: usize,
    /// When the current step's watch began, moved forward on resume by the time it did not
    /// run, so that `now - step_started_ms` is always the watch time so far.
    pub step_started_ms: i64,
    /// Watch time of the current step when it stopped running (pause, stall).
    pub watched_ms: i64,
    pub failures_in_row: u32,
    pub evaluations: Vec<Record>,
    #[serde(default)]
    pub evaluations_dropped: u64,
    pub log: Vec<LogEntry>,
    pub lease: Option<Lease>,
    pub started_by: String,
    pub started_ms: i64,
    pub updated_ms: i64,
    pub finished_ms: Option<i64>,
}

/// What to do after an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Keep watching; evaluate again after the interval.
    Watch,
    /// The step baked with a passing evaluation: go on.
    Advance,
    /// Enforced gates failed `failure_limit` times in a row.
    RollBack { failed: Vec<GateName> },
    /// The bake and its extension to twice its length ran out without a conclusive pass.
    PauseForData,
}

/// Everything `status` shows that is derived, not stored.
pub const STALLED: &str = "stalled";

/// What a new rollout starts from.
#[derive(Debug, Clone)]
pub struct Start {
    pub id: String,
    pub env: String,
    pub runtime: String,
    pub runtime_id: String,
    pub runtime_arn: String,
    pub stable_endpoint: String,
    pub canary_endpoint: String,
    pub plan: Plan,
    pub canary_version: String,
    pub stable_version: Option<String>,
    pub previous_canary_version: Option<String>,
    pub smoke: Option<SmokeSpec>,
    /// `user@host`: who starts it (and holds the first lease).
    pub by: String,
    /// The starting driver's id (see [`Lease::driver`]).
    pub driver: String,
}

impl RolloutState {
    /// A rollout at its first step, its driver holding the lease.
    pub fn new(s: Start, now_ms: i64) -> Self {
        let ttl = lease_ttl_ms(&s.plan);
        let mut state = Self {
            schema: SCHEMA,
            id: s.id,
            env: s.env,
            runtime: s.runtime,
            runtime_id: s.runtime_id,
            runtime_arn: s.runtime_arn,
            stable_endpoint: s.stable_endpoint,
            canary_endpoint: s.canary_endpoint,
            plan: s.plan,
            canary_version: s.canary_version,
            stable_version: s.stable_version,
            previous_canary_version: s.previous_canary_version,
            smoke: s.smoke,
            phase: Phase::Running,
            reason: None,
            step: 0,
            step_started_ms: now_ms,
            watched_ms: 0,
            failures_in_row: 0,
            evaluations: vec![],
            evaluations_dropped: 0,
            log: vec![],
            lease: Some(Lease {
                holder: s.by.clone(),
                driver: s.driver,
                expires_ms: now_ms + ttl,
            }),
            started_by: s.by,
            started_ms: now_ms,
            updated_ms: now_ms,
            finished_ms: None,
        };
        state.enter_step(now_ms);
        state
    }

    /// The current step, if any is left.
    pub fn current_step(&self) -> Option<&Step> {
        self.plan.steps.get(self.step)
    }

    /// The canary's weight now: that of the last weight step reached (0 before any, for
    /// blue/green until the switch, and once the rollout is over: every ending sends all new
    /// sessions to the stable endpoint).
    pub fn weight(&self) -> u8 {
        if self.phase.is_terminal() {
            return 0;
        }
        self.plan.steps[..(self.step + 1).min(self.plan.steps.len())]
            .iter()
            .rev()
            .find_map(|s| match s {
                Step::Weight { weight, .. } => Some(*weight),
                Step::Approve => None,
            })
            .unwrap_or(0)
    }

    /// The state `status` reports: the phase, or `stalled` when a rollout that is not over has
    /// no live driver.
    pub fn shown(&self, now_ms: i64) -> &'static str {
        if self.is_stalled(now_ms) {
            STALLED
        } else {
            self.phase.as_str()
        }
    }

    /// Not over, and nobody holds a live lease.
    pub fn is_stalled(&self, now_ms: i64) -> bool {
        !self.phase.is_terminal() && !self.lease.as_ref().is_some_and(|l| l.is_live(now_ms))
    }

    /// Watch time of the current step so far.
    pub fn watched(&self, now_ms: i64) -> i64 {
        match self.phase {
            Phase::Running => (now_ms - self.step_started_ms).max(0),
            _ => self.watched_ms,
        }
    }

    /// The current weight step's bake left, in ms (`None` at an approval or when over).
    pub fn time_left_ms(&self, now_ms: i64) -> Option<i64> {
        match (self.phase.is_terminal(), self.current_step()) {
            (false, Some(Step::Weight { bake, .. })) => {
                Some((bake.as_millis() as i64 - self.watched(now_ms)).max(0))
            }
            _ => None,
        }
    }

    /// Add to the decision log.
    pub fn note(&mut self, now_ms: i64, by: &str, event: &str, message: impl Into<String>) {
        self.log.push(LogEntry {
            at_ms: now_ms,
            by: by.to_string(),
            event: event.to_string(),
            message: message.into(),
        });
        self.updated_ms = now_ms;
    }

    /// Record an evaluation of the current weight step and decide what follows.
    pub fn record(&mut self, evaluation: Evaluation, now_ms: i64) -> Next {
        let verdict = evaluation.verdict();
        let failed = evaluation.failed();
        self.failures_in_row = if verdict == Verdict::Fail {
            self.failures_in_row + 1
        } else {
            0
        };
        self.watched_ms = self.watched(now_ms);
        self.evaluations.push(Record {
            step: self.step,
            weight: self.weight(),
            evaluation,
            verdict,
            failures_in_row: self.failures_in_row,
        });
        if self.evaluations.len() > MAX_EVALUATIONS {
            let extra = self.evaluations.len() - MAX_EVALUATIONS;
            self.evaluations.drain(..extra);
            self.evaluations_dropped += extra as u64;
        }
        self.updated_ms = now_ms;
        if verdict == Verdict::Fail && self.failures_in_row >= self.plan.gates.failure_limit.max(1)
        {
            return Next::RollBack { failed };
        }
        let bake = match self.current_step() {
            Some(Step::Weight { bake, .. }) => bake.as_millis() as i64,
            _ => return Next::Watch,
        };
        match verdict {
            _ if self.watched_ms < bake => Next::Watch,
            Verdict::Pass => Next::Advance,
            Verdict::Inconclusive if self.watched_ms >= 2 * bake => Next::PauseForData,
            _ => Next::Watch,
        }
    }

    /// Move to the next step; a weight step starts its watch now, an approval waits.
    /// Returns the step moved to (`None`: every step is done, promote).
    pub fn advance(&mut self, now_ms: i64) -> Option<Step> {
        self.step = (self.step + 1).min(self.plan.steps.len());
        self.enter_step(now_ms)
    }

    /// Begin the current step (also the first one, at start).
    pub fn enter_step(&mut self, now_ms: i64) -> Option<Step> {
        self.step_started_ms = now_ms;
        self.watched_ms = 0;
        self.failures_in_row = 0;
        self.updated_ms = now_ms;
        let step = self.current_step().cloned();
        self.phase = match step {
            Some(Step::Approve) => Phase::AwaitingApproval,
            _ => Phase::Running,
        };
        step
    }

    /// Stop the watch (operator pause, or want of data).
    pub fn pause(&mut self, now_ms: i64, reason: impl Into<String>) {
        self.watched_ms = self.watched(now_ms);
        self.phase = Phase::Paused;
        self.reason = Some(reason.into());
        self.updated_ms = now_ms;
    }

    /// Continue the current step with its remaining watch time. After a pause for want of
    /// data the step gets a fresh bake (its extension had run out).
    pub fn resume(&mut self, now_ms: i64) {
        if self
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with(DATA_PAUSE))
        {
            self.watched_ms = 0;
        }
        self.step_started_ms = now_ms - self.watched_ms;
        self.phase = match self.current_step() {
            Some(Step::Approve) => Phase::AwaitingApproval,
            _ => Phase::Running,
        };
        self.reason = None;
        self.updated_ms = now_ms;
    }

    /// End the rollout.
    pub fn finish(&mut self, phase: Phase, now_ms: i64, reason: impl Into<String>) {
        self.watched_ms = self.watched(now_ms);
        self.phase = phase;
        self.reason = Some(reason.into());
        self.finished_ms = Some(now_ms);
        self.updated_ms = now_ms;
        self.lease = None;
    }

    /// Take or renew the lease for driver `driver` (run by `holder`) until `now_ms + ttl_ms`.
    /// Refused while another driver holds a live one.
    pub fn claim(
        &mut self,
        (holder, driver): (&str, &str),
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<(), Lease> {
        match &self.lease {
            Some(l) if l.driver != driver && l.is_live(now_ms) => Err(l.clone()),
            _ => {
                self.lease = Some(Lease {
                    holder: holder.to_string(),
                    driver: driver.to_string(),
                    expires_ms: now_ms + ttl_ms,
                });
                Ok(())
            }
        }
    }

    /// Whether driver `driver` drives this rollout now.
    pub fn is_driven_by(&self, driver: &str, now_ms: i64) -> bool {
        self.lease
            .as_ref()
            .is_some_and(|l| l.driver == driver && l.is_live(now_ms))
    }

    /// The latest evaluation, if any.
    pub fn latest(&self) -> Option<&Record> {
        self.evaluations.last()
    }

    /// Whether a blue/green rollout has switched its traffic yet.
    pub fn is_blue_green(&self) -> bool {
        self.plan.kind == PlanKind::BlueGreen
    }
}

/// How a pause for want of data begins its reason (so `resume` knows to restart the bake).
pub const DATA_PAUSE: &str = "insufficient data";

/// How long a driver's lease lasts: three gate intervals, at least 10 s, so one slow
/// evaluation does not look like a dead driver.
pub fn lease_ttl_ms(plan: &Plan) -> i64 {
    (3 * plan.gates.interval.as_millis() as i64).max(10_000)
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
