//! `rollout status` and `rollout list`: the stored rollout as JSON (a stable, documented shape)
//! or as a summary for people, state first.

use std::fmt::Write as _;

use serde::Serialize;

use super::format::{clock, duration_ms, gate_text, step_of, verdict};
use super::plan::summary;
use crate::domain::rollout::{GateResult, Interval, LogEntry, RolloutState, Step, Verdict};
use crate::domain::sanitize;

/// A rollout as `status --output json` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView<'a> {
    pub env: &'a str,
    pub runtime: &'a str,
    pub id: &'a str,
    /// running, paused, awaiting-approval, stalled, promoted, rolled-back, aborted.
    pub state: &'static str,
    pub reason: Option<&'a str>,
    pub step: StepView,
    pub plan: PlanView<'a>,
    pub versions: Versions<'a>,
    pub endpoints: Endpoints<'a>,
    pub latest: Option<Latest>,
    pub lease: Option<LeaseView<'a>>,
    pub history: History<'a>,
    pub started_by: &'a str,
    pub started_ms: i64,
    pub updated_ms: i64,
    pub finished_ms: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    /// From 0; equal to `of` once every step is done.
    pub index: usize,
    pub of: usize,
    /// `weight`, `approve`, or null when past the last step.
    pub kind: Option<&'static str>,
    /// The canary's weight now, percent.
    pub weight: u8,
    /// The current weight step's bake left (null at an approval or when over).
    pub time_left_ms: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanView<'a> {
    pub name: &'a str,
    pub kind: crate::domain::rollout::PlanKind,
    pub steps: &'a [Step],
    pub gates: &'a crate::domain::rollout::Gates,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Versions<'a> {
    pub canary: &'a str,
    pub stable: Option<&'a str>,
    pub previous_canary: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints<'a> {
    pub stable: &'a str,
    pub canary: &'a str,
}

/// The latest evaluation: its verdict and every gate.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Latest {
    pub at_ms: i64,
    pub step: usize,
    pub weight: u8,
    pub verdict: Verdict,
    pub failures_in_row: u32,
    pub gates: Vec<GateView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GateView {
    pub gate: &'static str,
    pub value: Option<f64>,
    pub threshold: f64,
    pub samples: u64,
    pub stable_samples: Option<u64>,
    pub interval: Option<Interval>,
    pub verdict: Verdict,
    /// Observed only: reported, never acted on.
    pub observed: bool,
    pub detail: Option<String>,
}

impl From<&GateResult> for GateView {
    fn from(g: &GateResult) -> Self {
        Self {
            gate: g.gate.as_str(),
            value: g.value,
            threshold: g.threshold,
            samples: g.samples.canary,
            stable_samples: g.samples.stable,
            interval: g.interval,
            verdict: g.verdict,
            observed: g.observed_only,
            detail: g.detail.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaseView<'a> {
    pub holder: &'a str,
    pub expires_ms: i64,
    pub live: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct History<'a> {
    /// Evaluations kept in the object.
    pub evaluations: usize,
    /// Older evaluations dropped from it.
    pub dropped: u64,
    pub log: &'a [LogEntry],
}

impl<'a> StatusView<'a> {
    pub fn new(s: &'a RolloutState, now_ms: i64) -> Self {
        Self {
            env: &s.env,
            runtime: &s.runtime,
            id: &s.id,
            state: s.shown(now_ms),
            reason: s.reason.as_deref(),
            step: StepView {
                index: s.step,
                of: s.plan.steps.len(),
                kind: s.current_step().map(|st| match st {
                    Step::Weight { .. } => "weight",
                    Step::Approve => "approve",
                }),
                weight: s.weight(),
                time_left_ms: s.time_left_ms(now_ms),
            },
            plan: PlanView {
                name: &s.plan.name,
                kind: s.plan.kind,
                steps: &s.plan.steps,
                gates: &s.plan.gates,
            },
            versions: Versions {
                canary: &s.canary_version,
                stable: s.stable_version.as_deref(),
                previous_canary: s.previous_canary_version.as_deref(),
            },
            endpoints: Endpoints {
                stable: &s.stable_endpoint,
                canary: &s.canary_endpoint,
            },
            latest: s.latest().map(|r| Latest {
                at_ms: r.evaluation.at_ms,
                step: r.step,
                weight: r.weight,
                verdict: r.verdict,
                failures_in_row: r.failures_in_row,
                gates: r.evaluation.gates.iter().map(GateView::from).collect(),
            }),
            lease: s.lease.as_ref().map(|l| LeaseView {
                holder: &l.holder,
                expires_ms: l.expires_ms,
                live: l.is_live(now_ms),
            }),
            history: History {
                evaluations: s.evaluations.len(),
                dropped: s.evaluations_dropped,
                log: &s.log,
            },
            started_by: &s.started_by,
            started_ms: s.started_ms,
            updated_ms: s.updated_ms,
            finished_ms: s.finished_ms,
        }
    }
}

/// Decision-log entries the text form shows (the JSON has them all).
const LOG_SHOWN: usize = 12;

/// The rollout for people: the state first, then where it is, its lease, the latest
/// evaluation's gates and the end of the decision log.
pub fn text(s: &RolloutState, now_ms: i64) -> String {
    let mut out = String::new();
    let shown = s.shown(now_ms);
    let steps = s.plan.steps.len();
    let mut head = format!("{} in {}: {shown}", s.runtime, s.env);
    if !s.phase.is_terminal() {
        let _ = write!(head, ", {} at {}%", step_of(s.step, steps), s.weight());
        if let Some(left) = s.time_left_ms(now_ms) {
            let _ = write!(head, ", {} of bake left", duration_ms(left));
        }
    }
    if let Some(r) = &s.reason {
        let _ = write!(head, " ({})", sanitize::one_line(r));
    }
    let _ = writeln!(out, "{head}");
    if s.is_stalled(now_ms) {
        let since = s.lease.as_ref().map_or_else(
            || "no driver holds its lease".to_string(),
            |l| {
                format!(
                    "no driver since {} UTC ({}'s lease expired {} ago)",
                    clock(l.expires_ms),
                    l.holder,
                    duration_ms(now_ms - l.expires_ms)
                )
            },
        );
        let _ = writeln!(
            out,
            "  {since}; traffic stays at {}%: `rollout resume {rt} --env {env}` continues it, \
             `rollout abort {rt} --env {env}` ends it",
            s.weight(),
            rt = s.runtime,
            env = s.env
        );
    }
    let _ = writeln!(
        out,
        "versions: canary {} on `{}`, stable {} on `{}`, canary endpoint before: {}",
        s.canary_version,
        s.canary_endpoint,
        s.stable_version.as_deref().unwrap_or("-"),
        s.stable_endpoint,
        s.previous_canary_version.as_deref().unwrap_or("-"),
    );
    match &s.lease {
        Some(l) => {
            let live = if l.is_live(now_ms) { "live" } else { "expired" };
            let _ = writeln!(
                out,
                "lease: {} until {} UTC ({live})",
                l.holder,
                clock(l.expires_ms)
            );
        }
        None => {
            let _ = writeln!(out, "lease: none");
        }
    }
    let _ = writeln!(
        out,
        "started by {} at {} UTC",
        s.started_by,
        clock(s.started_ms)
    );
    out.push_str(&summary(&s.plan));
    match s.latest() {
        None => {
            let _ = writeln!(out, "no evaluation yet");
        }
        Some(r) => {
            let _ = writeln!(
                out,
                "latest evaluation at {} UTC, {} at {}%: {} ({} failing in a row)",
                clock(r.evaluation.at_ms),
                step_of(r.step, steps),
                r.weight,
                verdict(r.verdict),
                r.failures_in_row
            );
            for g in &r.evaluation.gates {
                let _ = writeln!(out, "  {}", gate_text(g));
            }
        }
    }
    let _ = writeln!(
        out,
        "history: {} evaluation{} kept, {} dropped; decision log{}:",
        s.evaluations.len(),
        if s.evaluations.len() == 1 { "" } else { "s" },
        s.evaluations_dropped,
        if s.log.len() > LOG_SHOWN {
            format!(" (last {LOG_SHOWN} of {})", s.log.len())
        } else {
            String::new()
        }
    );
    for e in s.log.iter().skip(s.log.len().saturating_sub(LOG_SHOWN)) {
        let _ = writeln!(
            out,
            "  {}  {:<10}  {}  ({})",
            clock(e.at_ms),
            e.event,
            sanitize::one_line(&e.message),
            e.by
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollout::{Plan, Start};

    fn state() -> RolloutState {
        let mut s = RolloutState::new(
            Start {
                id: "r1".into(),
                env: "dev".into(),
                runtime: "weather".into(),
                runtime_id: "weather-abc".into(),
                runtime_arn: "arn".into(),
                stable_endpoint: "live".into(),
                canary_endpoint: "canary".into(),
                plan: Plan::builtin("seed").expect("seed"),
                canary_version: "2".into(),
                stable_version: Some("1".into()),
                previous_canary_version: None,
                smoke: None,
                by: "ana@laptop".into(),
                driver: "d1".into(),
            },
            0,
        );
        s.note(0, "ana@laptop", "start", "10% of new sessions to version 2");
        s
    }

    #[test]
    fn a_stalled_rollout_says_since_when_and_what_to_run() {
        let s = state();
        let expired = s.lease.as_ref().expect("lease").expires_ms + 5_000;
        let t = text(&s, expired);
        assert!(
            t.starts_with("weather in dev: stalled, step 1/3 at 10%, "),
            "{t}"
        );
        assert!(
            t.contains("no driver since 00:03:00 UTC (ana@laptop's lease expired 5s ago)"),
            "{t}"
        );
        assert!(
            t.contains("`rollout resume weather --env dev` continues it"),
            "{t}"
        );
        let v = serde_json::to_value(StatusView::new(&s, expired)).expect("json");
        assert_eq!(v["state"], "stalled");
        assert_eq!(v["lease"]["live"], false);
        assert_eq!(v["step"]["weight"], 10);
    }
}
