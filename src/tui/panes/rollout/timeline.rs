//! What the rollout pane and the matrix say about a rollout, as text: the timeline rows (done,
//! current with its countdown, next; blue/green's validate and switch; the final promote),
//! each gate's value against its threshold, and the matrix's one-line summary. Pure.

use crate::domain::rollout::{GateName, GateResult, Phase, RolloutState, Step, Verdict};

/// Where a timeline row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Done,
    Current,
    Next,
    /// Where the rollout ended without promoting.
    Failed,
}

impl Mark {
    pub fn glyph(self) -> &'static str {
        match self {
            Mark::Done => "✓",
            Mark::Current => "▶",
            Mark::Next => "·",
            Mark::Failed => "✗",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub mark: Mark,
    pub text: String,
}

/// `4m12s`, `35s`, `1h05m`.
pub fn left(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

fn bake(d: std::time::Duration) -> String {
    left(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The mark of position `i` when the rollout is at `at` (`len`: every step done).
fn mark(s: &RolloutState, i: usize) -> Mark {
    match s.phase {
        Phase::Promoted => Mark::Done,
        _ if i < s.step => Mark::Done,
        Phase::RolledBack | Phase::Aborted if i == s.step => Mark::Failed,
        _ if i == s.step && !s.phase.is_terminal() => Mark::Current,
        _ => Mark::Next,
    }
}

/// The timeline, first step first. A stalled rollout's watch stopped with its driver: its
/// time left is what it was when the lease ran out (`resume` continues from there).
pub fn rows(s: &RolloutState, now_ms: i64) -> Vec<Row> {
    let now_ms = match &s.lease {
        Some(l) if s.is_stalled(now_ms) => l.expires_ms.min(now_ms),
        _ => now_ms,
    };
    let mut out = vec![];
    if s.is_blue_green() {
        let validated = s.log.iter().any(|l| l.event == "validate");
        let m = match (validated, s.phase) {
            (true, _) => Mark::Done,
            (false, Phase::RolledBack | Phase::Aborted) => Mark::Failed,
            (false, _) if s.step == 0 => Mark::Current,
            _ => Mark::Done,
        };
        out.push(Row {
            mark: m,
            text: format!(
                "validate v{} on {} with no traffic (MCP tools/list)",
                s.canary_version, s.canary_endpoint
            ),
        });
    }
    for (i, step) in s.plan.steps.iter().enumerate() {
        let m = mark(s, i);
        let text = match step {
            Step::Weight { weight, bake: b } => {
                let mut t = format!("{weight:>3}%  bake {}", bake(*b));
                if m == Mark::Current
                    && let Some(ms) = s.time_left_ms(now_ms)
                {
                    let frozen = if s.is_stalled(now_ms) || s.phase == Phase::Paused {
                        " (stopped)"
                    } else {
                        ""
                    };
                    t.push_str(&format!("  {} left{frozen}", left(ms)));
                }
                t
            }
            Step::Approve => match m {
                Mark::Current => "approve  waiting for an operator (a)".to_string(),
                _ => "approve".to_string(),
            },
        };
        out.push(Row { mark: m, text });
    }
    let last = s.plan.steps.len();
    let end = if s.is_blue_green() {
        format!(
            "switch: 100% to v{} ({} stays the rollback target on v{})",
            s.canary_version,
            s.stable_endpoint,
            s.stable_version.as_deref().unwrap_or("?")
        )
    } else {
        format!(
            "promote: {} → v{}, the split removed",
            s.stable_endpoint, s.canary_version
        )
    };
    out.push(Row {
        mark: mark(s, last),
        text: end,
    });
    out
}

/// One gate's value in its unit.
pub fn value(gate: GateName, v: Option<f64>) -> String {
    let Some(v) = v else {
        return "—".into();
    };
    match gate {
        GateName::MaxErrorRate | GateName::MaxToolErrorRate => format!("{v:.2}%"),
        GateName::MaxErrorRateOverStable => format!("{v:+.2}pp"),
        GateName::MaxP99LatencyRatio => format!("{v:.2}×"),
        GateName::Alarms => format!("{v:.0} in ALARM"),
        GateName::Smoke => format!("{v:.0} failed"),
    }
}

/// One gate as a row: name, value, `≤ threshold`, samples, interval, verdict.
pub fn gate_cells(g: &GateResult) -> [String; 6] {
    let threshold = match g.gate {
        GateName::Alarms | GateName::Smoke => "none".to_string(),
        gate => format!("≤ {}", value(gate, Some(g.threshold))),
    };
    let samples = match g.samples.stable {
        Some(stable) => format!("{} / {stable}", g.samples.canary),
        None => g.samples.canary.to_string(),
    };
    let interval = g
        .interval
        .map_or_else(|| "—".into(), |i| format!("[{:.2}, {:.2}]", i.low, i.high));
    let mut verdict = match g.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::Inconclusive => "inconclusive",
    }
    .to_string();
    if g.observed_only {
        verdict.push_str(" (observe)");
    }
    [
        g.gate.as_str().to_string(),
        value(g.gate, g.value),
        threshold,
        samples,
        interval,
        verdict,
    ]
}

/// How long an ended rollout stays in the matrix.
pub const RECENT_MS: i64 = 24 * 3600 * 1000;

/// The matrix's summary of a rollout at `now_ms`: `⟳ 2/3 25% 4m12s` while it runs, its
/// outcome for a day after it ended, nothing after that. The bool says it needs attention.
pub fn summary(s: &RolloutState, now_ms: i64) -> Option<(String, bool)> {
    let n = s.plan.steps.len();
    let at = format!("{}/{n} {}%", (s.step + 1).min(n.max(1)), s.weight());
    if s.is_stalled(now_ms) {
        return Some((format!("⚠ stalled {at}"), true));
    }
    Some(match s.phase {
        Phase::Running => {
            let t = s.time_left_ms(now_ms).map(left).unwrap_or_default();
            (format!("⟳ {at} {t}").trim_end().to_string(), false)
        }
        Phase::Paused => (format!("⏸ {at}"), true),
        Phase::AwaitingApproval => (format!("? {at} approve"), true),
        Phase::Promoted | Phase::RolledBack | Phase::Aborted => {
            if now_ms - s.finished_ms.unwrap_or(s.updated_ms) > RECENT_MS {
                return None;
            }
            match s.phase {
                Phase::Promoted => ("✓ promoted".into(), false),
                Phase::RolledBack => ("↶ rolled back".into(), true),
                _ => ("■ aborted".into(), true),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_an_operator_says_them() {
        assert_eq!(left(252_000), "4m12s");
        assert_eq!(left(1), "1s");
        assert_eq!(left(0), "0s");
        assert_eq!(left(3_900_000), "1h05m");
        assert_eq!(
            value(GateName::MaxErrorRateOverStable, Some(3.456)),
            "+3.46pp"
        );
        assert_eq!(value(GateName::MaxP99LatencyRatio, None), "—");
    }
}
