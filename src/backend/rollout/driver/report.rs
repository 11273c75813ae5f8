//! What the driver says: events for the CLI and the TUI, the reasons it writes into the
//! state, the audit summaries, and its refusals. Pure, so the wording is tested here.

use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;

use super::super::{Event, now_ms};
use crate::backend::BackendError;
use crate::domain::rollout::{GateResult, Plan, Record, RolloutState, Step, Verdict};

/// Send the decision-log entries from index `from` on as events (a closed channel is not an
/// error: nobody is listening any more).
pub(super) fn send_log(events: &UnboundedSender<Event>, s: &RolloutState, from: usize) {
    for e in s.log.iter().skip(from) {
        let _ = events.send(Event {
            at_ms: e.at_ms,
            event: e.event.clone(),
            message: e.message.clone(),
            state: s.shown(now_ms()),
            step: s.step,
            weight: s.weight(),
            evaluation: None,
        });
    }
}

/// Send one evaluation as an event.
pub(super) fn send_evaluation(events: &UnboundedSender<Event>, s: &RolloutState, r: &Record) {
    let _ = events.send(Event {
        at_ms: r.evaluation.at_ms,
        event: "evaluation".into(),
        message: evaluation_line(r),
        state: s.shown(now_ms()),
        step: r.step,
        weight: r.weight,
        evaluation: Some(r.clone()),
    });
}

/// `pass at 20%: max_error_rate 0.00 <= 5 (n=31); …`.
pub(super) fn evaluation_line(r: &Record) -> String {
    let gates: Vec<String> = r.evaluation.gates.iter().map(gate_line).collect();
    format!(
        "{} at {}%: {}",
        verdict(r.verdict),
        r.weight,
        if gates.is_empty() {
            "no gates".to_string()
        } else {
            gates.join("; ")
        }
    )
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Inconclusive => "inconclusive",
    }
}

/// One gate with its evidence: `max_tool_error_rate 100.00 > 5 (n=24, fail)`.
pub(super) fn gate_line(g: &GateResult) -> String {
    let value = g
        .value
        .map_or_else(|| "no value".to_string(), |v| format!("{v:.2}"));
    let op = match g.verdict {
        Verdict::Fail => ">",
        _ => "<=",
    };
    let n = match g.samples.stable {
        Some(stable) => format!("n={} canary, {stable} stable", g.samples.canary),
        None => format!("n={}", g.samples.canary),
    };
    let observed = if g.observed_only { ", observed" } else { "" };
    let detail = g
        .detail
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    format!(
        "{} {value} {op} {} ({n}, {}{observed}){detail}",
        g.gate.as_str(),
        g.threshold,
        verdict(g.verdict)
    )
}

/// Why a gate rolled the canary back: the failed enforced gates with their numbers.
pub(super) fn rollback_reason(r: &Record, failures: u32) -> String {
    let failed: Vec<String> = r
        .evaluation
        .gates
        .iter()
        .filter(|g| !g.observed_only && g.verdict == Verdict::Fail)
        .map(gate_line)
        .collect();
    format!(
        "rolled back by a gate at {}% ({failures} failing evaluation{} in a row): {}",
        r.weight,
        if failures == 1 { "" } else { "s" },
        failed.join("; ")
    )
}

/// Why the rollout paused for want of data (starts with `DATA_PAUSE`, as `resume` expects).
pub(super) fn data_pause_reason(r: &Record, bake_ms: i64, min_invocations: u64) -> String {
    let thin: Vec<String> = r
        .evaluation
        .gates
        .iter()
        .filter(|g| !g.observed_only && g.verdict == Verdict::Inconclusive)
        .map(gate_line)
        .collect();
    format!(
        "{}: no conclusive pass after {} s at {}% (twice the {} s bake); min_invocations {}; \
         inconclusive: {}. Send traffic and `rollout resume`, or `rollout abort`",
        crate::domain::rollout::state::DATA_PAUSE,
        2 * bake_ms / 1000,
        r.weight,
        bake_ms / 1000,
        min_invocations,
        thin.join("; ")
    )
}

/// The audit summary of a rollout.
pub(crate) fn summary(s: &RolloutState) -> serde_json::Value {
    json!({
        "id": s.id, "state": s.phase.as_str(), "plan": s.plan.name, "step": s.step,
        "weight": s.weight(), "canaryVersion": s.canary_version,
        "stableVersion": s.stable_version, "previousCanaryVersion": s.previous_canary_version,
        "reason": s.reason,
    })
}

/// The refusal of a write on a rollout that is over.
pub(crate) fn over(s: &RolloutState) -> BackendError {
    BackendError::Other(format!(
        "{}: the rollout of `{}` is over: {}{}; start a new one with `rollout start`",
        s.env,
        s.runtime,
        s.phase.as_str(),
        s.reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    ))
}

/// The refusal of a start while a rollout of the runtime is not over.
pub(super) fn busy(s: &RolloutState, now_ms: i64) -> BackendError {
    let lease = match &s.lease {
        Some(l) if l.is_live(now_ms) => {
            format!(
                "driven by {} (lease until {})",
                l.holder,
                time(l.expires_ms)
            )
        }
        Some(l) => format!(
            "its driver {} is gone (lease expired {})",
            l.holder,
            time(l.expires_ms)
        ),
        None => "no driver holds it".into(),
    };
    BackendError::Other(format!(
        "{}: a rollout of `{}` (version {}) is {}, {lease}; `rollout resume` or `rollout \
         abort` it first",
        s.env,
        s.runtime,
        s.canary_version,
        s.shown(now_ms)
    ))
}

/// Epoch milliseconds as RFC 3339.
pub(crate) fn time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(crate::domain::timestamp::rfc3339_ms)
        .unwrap_or_else(|_| ms.to_string())
}

/// The canary's weight at the plan's first weight step.
pub(super) fn first_weight(plan: &Plan) -> u8 {
    plan.steps
        .iter()
        .find_map(|s| match s {
            Step::Weight { weight, .. } => Some(*weight),
            Step::Approve => None,
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollout::{Evaluation, GateName, Gates, Proportion};

    fn record(gates: Vec<GateResult>) -> Record {
        let evaluation = Evaluation { at_ms: 0, gates };
        Record {
            step: 1,
            weight: 50,
            verdict: evaluation.verdict(),
            evaluation,
            failures_in_row: 2,
        }
    }

    #[test]
    fn a_rollback_names_the_failed_gates_with_their_numbers_not_the_observed_ones() {
        let g = Gates {
            min_invocations: 10,
            observe: vec![GateName::MaxErrorRate],
            ..Gates::default()
        };
        let tool = GateName::MaxToolErrorRate;
        let r = record(vec![
            GateResult::error_rate(tool, Proportion::new(12, 24), 5.0, &g),
            GateResult::error_rate(GateName::MaxErrorRate, Proportion::new(24, 24), 5.0, &g),
        ]);
        let why = rollback_reason(&r, 2);
        assert_eq!(
            why,
            "rolled back by a gate at 50% (2 failing evaluations in a row): \
             max_tool_error_rate 50.00 > 5 (n=24, fail)"
        );
        let thin = record(vec![GateResult::error_rate(
            tool,
            Proportion::new(0, 3),
            5.0,
            &g,
        )]);
        let paused = data_pause_reason(&thin, 2_000, 10);
        assert!(paused.starts_with("insufficient data: "), "{paused}");
        assert!(
            paused.contains("after 4 s at 50% (twice the 2 s bake); min_invocations 10")
                && paused.contains("max_tool_error_rate 0.00 <= 5 (n=3, inconclusive)"),
            "{paused}"
        );
    }
}
