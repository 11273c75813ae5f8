//! One evaluation of a plan's gates: every gate's value, threshold, samples, interval and
//! verdict, and whether it is observed only. This is the evidence a decision shows (and the
//! rollout state keeps), so every gate, relative or absolute, has the same shape.

use serde::{Deserialize, Serialize};

use super::plan::{GateName, Gates};
use super::stats::{self, Interval, Proportion, Verdict};
use crate::domain::smoke::SmokeReport;

/// How many calls a gate's value rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Samples {
    pub canary: u64,
    /// The stable leg, for gates that compare with it.
    pub stable: Option<u64>,
}

/// One gate's result in one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    pub gate: GateName,
    /// Percent for rates, percentage points for the relative gate, a ratio for latency, the
    /// number of alarms in ALARM for `alarms`; `None` when there was nothing to measure.
    pub value: Option<f64>,
    pub threshold: f64,
    pub samples: Samples,
    /// The value's 95% interval, where it has one.
    pub interval: Option<Interval>,
    pub verdict: Verdict,
    /// Reported, never acted on.
    pub observed_only: bool,
    /// What a number cannot say (the alarms in ALARM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl GateResult {
    /// An absolute error-rate gate (`max_error_rate`, `max_tool_error_rate`).
    pub fn error_rate(gate: GateName, errors: Proportion, threshold: f64, gates: &Gates) -> Self {
        let (value, interval) = stats::rate_percent(errors);
        Self {
            gate,
            value,
            threshold,
            samples: Samples {
                canary: errors.trials,
                stable: None,
            },
            interval,
            verdict: stats::absolute(value, threshold, errors.trials, gates.min_invocations),
            observed_only: gates.is_observed(gate),
            detail: None,
        }
    }

    /// `max_error_rate_over_stable`: the canary's errors against stable's.
    pub fn over_stable(canary: Proportion, stable: Proportion, margin: f64, gates: &Gates) -> Self {
        let c = stats::compare(canary, stable, margin, gates.min_invocations);
        let gate = GateName::MaxErrorRateOverStable;
        Self {
            gate,
            value: c.difference,
            threshold: margin,
            samples: Samples {
                canary: canary.trials,
                stable: Some(stable.trials),
            },
            interval: c.interval,
            verdict: c.verdict,
            observed_only: gates.is_observed(gate),
            detail: None,
        }
    }

    /// `max_p99_latency_ratio`: canary p99 over stable p99 (no ratio without both, or with a
    /// stable p99 of zero).
    pub fn latency_ratio(
        canary_p99: Option<f64>,
        stable_p99: Option<f64>,
        samples: Samples,
        threshold: f64,
        gates: &Gates,
    ) -> Self {
        let gate = GateName::MaxP99LatencyRatio;
        let value = canary_p99
            .zip(stable_p99.filter(|s| *s > 0.0))
            .map(|(c, s)| c / s);
        let enough = samples.stable.is_none_or(|s| s >= gates.min_invocations);
        let verdict = match stats::absolute(value, threshold, samples.canary, gates.min_invocations)
        {
            Verdict::Pass | Verdict::Fail if !enough => Verdict::Inconclusive,
            v => v,
        };
        Self {
            gate,
            value,
            threshold,
            samples,
            interval: None,
            verdict,
            observed_only: gates.is_observed(gate),
            detail: None,
        }
    }

    /// `require_smoke`: fails when any smoke check failed against the canary; the value is
    /// how many failed, the samples how many ran, the detail names each failure.
    pub fn smoke(report: &SmokeReport, gates: &Gates) -> Self {
        let gate = GateName::Smoke;
        Self {
            gate,
            value: Some(report.failed() as f64),
            threshold: 0.0,
            samples: Samples {
                canary: report.total() as u64,
                stable: None,
            },
            interval: None,
            verdict: if report.all_passed() {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            observed_only: gates.is_observed(gate),
            detail: Some(report.summary()),
        }
    }

    /// `require_smoke` when the checks could not run at all (no session with the canary):
    /// a failure, never a pass.
    pub fn smoke_not_run(why: &str, gates: &Gates) -> Self {
        let gate = GateName::Smoke;
        Self {
            gate,
            value: None,
            threshold: 0.0,
            samples: Samples {
                canary: 0,
                stable: None,
            },
            interval: None,
            verdict: Verdict::Fail,
            observed_only: gates.is_observed(gate),
            detail: Some(format!("smoke checks could not run: {why}")),
        }
    }

    /// `alarms`: fails while any of the `checked` alarms is in ALARM.
    pub fn alarms(in_alarm: &[String], checked: usize, gates: &Gates) -> Self {
        Self::alarms_seen(in_alarm, &[], checked, gates)
    }

    /// `alarms`, when some of the `checked` alarms no longer exist (`missing`): one in ALARM
    /// still fails, but otherwise the gate cannot vouch for what it no longer sees, so it is
    /// Inconclusive rather than a pass.
    pub fn alarms_seen(
        in_alarm: &[String],
        missing: &[String],
        checked: usize,
        gates: &Gates,
    ) -> Self {
        let gate = GateName::Alarms;
        let verdict = if !in_alarm.is_empty() {
            Verdict::Fail
        } else if !missing.is_empty() {
            Verdict::Inconclusive
        } else {
            Verdict::Pass
        };
        let mut detail = vec![];
        if !in_alarm.is_empty() {
            detail.push(format!("in ALARM: {}", in_alarm.join(", ")));
        }
        if !missing.is_empty() {
            detail.push(format!(
                "no longer exist: {} (deleted since the rollout started? `alarms apply` \
                 recreates the standard ones)",
                missing.join(", ")
            ));
        }
        Self {
            gate,
            value: Some(in_alarm.len() as f64),
            threshold: 0.0,
            samples: Samples {
                canary: checked as u64,
                stable: None,
            },
            interval: None,
            verdict,
            observed_only: gates.is_observed(gate),
            detail: (!detail.is_empty()).then(|| detail.join("; ")),
        }
    }
}

/// Every gate of one evaluation, at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Milliseconds since the epoch.
    pub at_ms: i64,
    pub gates: Vec<GateResult>,
}

impl Evaluation {
    /// The verdict of the enforced gates: any Fail fails; else any Inconclusive is
    /// Inconclusive; else Pass (so a plan with no gates passes). Observed gates never count.
    pub fn verdict(&self) -> Verdict {
        let enforced = self.gates.iter().filter(|g| !g.observed_only);
        let mut verdict = Verdict::Pass;
        for g in enforced {
            match g.verdict {
                Verdict::Fail => return Verdict::Fail,
                Verdict::Inconclusive => verdict = Verdict::Inconclusive,
                Verdict::Pass => {}
            }
        }
        verdict
    }

    /// The enforced gates that failed, for the decision log.
    pub fn failed(&self) -> Vec<GateName> {
        self.gates
            .iter()
            .filter(|g| !g.observed_only && g.verdict == Verdict::Fail)
            .map(|g| g.gate)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gates(observe: Vec<GateName>) -> Gates {
        Gates {
            observe,
            ..Gates::default()
        }
    }

    #[test]
    fn an_observed_gate_is_reported_but_never_decides() {
        let g = gates(vec![GateName::MaxP99LatencyRatio]);
        let slow = GateResult::latency_ratio(
            Some(900.0),
            Some(300.0),
            Samples {
                canary: 100,
                stable: Some(1000),
            },
            1.5,
            &g,
        );
        assert_eq!((slow.verdict, slow.observed_only), (Verdict::Fail, true));
        assert_eq!(slow.value, Some(3.0));
        let ok = GateResult::error_rate(GateName::MaxErrorRate, Proportion::new(1, 100), 5.0, &g);
        let e = Evaluation {
            at_ms: 0,
            gates: vec![slow, ok],
        };
        assert_eq!(e.verdict(), Verdict::Pass);
        assert!(e.failed().is_empty());
    }

    #[test]
    fn inconclusive_is_never_a_pass_and_a_failure_wins() {
        let g = gates(vec![]);
        let thin = GateResult::error_rate(GateName::MaxErrorRate, Proportion::new(0, 10), 5.0, &g);
        assert_eq!(thin.verdict, Verdict::Inconclusive);
        let alarm = GateResult::alarms(&["a/b/canary/error-rate".into()], 1, &g);
        assert_eq!(
            alarm.detail.as_deref(),
            Some("in ALARM: a/b/canary/error-rate")
        );
        let e = Evaluation {
            at_ms: 0,
            gates: vec![thin.clone()],
        };
        assert_eq!(e.verdict(), Verdict::Inconclusive);
        let e = Evaluation {
            at_ms: 0,
            gates: vec![thin, alarm],
        };
        assert_eq!(e.verdict(), Verdict::Fail);
        assert_eq!(e.failed(), [GateName::Alarms]);
    }

    #[test]
    fn a_vanished_alarm_is_inconclusive_unless_another_is_in_alarm() {
        let g = gates(vec![]);
        let gone = GateResult::alarms_seen(&[], &["a/b/canary/error-rate".into()], 2, &g);
        assert_eq!(gone.verdict, Verdict::Inconclusive);
        assert!(
            gone.detail
                .as_deref()
                .is_some_and(|d| d.contains("no longer exist: a/b/canary/error-rate")),
            "{gone:?}"
        );
        let both = GateResult::alarms_seen(&["x".into()], &["y".into()], 2, &g);
        assert_eq!(both.verdict, Verdict::Fail);
        assert!(
            both.detail
                .as_deref()
                .is_some_and(|d| d.starts_with("in ALARM: x; "))
        );
        let fine = GateResult::alarms_seen(&[], &[], 2, &g);
        assert_eq!((fine.verdict, fine.detail), (Verdict::Pass, None));
    }

    #[test]
    fn the_relative_gate_carries_both_legs_and_its_interval() {
        let g = gates(vec![]);
        let r = GateResult::over_stable(
            Proportion::new(100, 1000),
            Proportion::new(10, 1000),
            2.0,
            &g,
        );
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(
            r.samples,
            Samples {
                canary: 1000,
                stable: Some(1000)
            }
        );
        let i = r.interval.expect("interval");
        assert!(i.low > 2.0 && i.high > i.low, "{i:?}");
        let json = serde_json::to_value(&r).expect("json");
        assert_eq!(json["gate"], "max_error_rate_over_stable");
        assert_eq!(json["verdict"], "fail");
    }
}
